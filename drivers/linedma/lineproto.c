/* lineproto.c - parsing DMA line protocol v1.1 responses and commands.
 * Pure functions (see lineproto.h); the fuzz harness drives them directly. */
#include "lineproto.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- numbers ---------------------------------------------------------- */

rr_lp_num rr_lp_scan_number(const char *text, size_t len, double *out)
{
    size_t i = 0, end = len;
    while (i < end && (text[i] == ' ' || text[i] == '\t'))
        i++;
    while (end > i && (text[end - 1] == ' ' || text[end - 1] == '\t'))
        end--;
    if (i == end || end - i > RR_LP_MAX_LINE)
        return RR_LP_NUM_SYNTAX;
    char buf[RR_LP_MAX_LINE + 8];
    size_t n = end - i, k = 0;
    memcpy(buf, text + i, n);
    buf[n] = '\0';
    /* Grammar check first: strtod alone would take nan, inf and hex. */
    if (buf[k] == '+' || buf[k] == '-')
        k++;
    size_t digits = 0;
    while (isdigit((unsigned char)buf[k]))
        k++, digits++;
    if (buf[k] == '.') {
        k++;
        while (isdigit((unsigned char)buf[k]))
            k++, digits++;
    }
    if (digits == 0)
        return RR_LP_NUM_SYNTAX;
    if (buf[k] == 'e' || buf[k] == 'E') {
        k++;
        if (buf[k] == '+' || buf[k] == '-')
            k++;
        if (!isdigit((unsigned char)buf[k]))
            return RR_LP_NUM_SYNTAX;
        while (isdigit((unsigned char)buf[k]))
            k++;
    }
    if (k != n)
        return RR_LP_NUM_SYNTAX;
    double v = strtod(buf, NULL);
    *out = v;
    /* The grammar admits no nan or inf: a non-finite result is overflow. */
    return isfinite(v) ? RR_LP_NUM_OK : RR_LP_NUM_RANGE;
}

bool rr_lp_number(const char *text, size_t len, double *out)
{
    double v;
    if (rr_lp_scan_number(text, len, &v) != RR_LP_NUM_OK)
        return false;
    *out = v;
    return true;
}

/* ---- responses -------------------------------------------------------- */

/* Splits [s, e) at the first c; returns the position of c or e. */
static const char *find(const char *s, const char *e, char c)
{
    while (s < e && *s != c)
        s++;
    return s;
}

/* code,"message" (used by ERR lines and SYST:ERR? answers). */
static bool parse_code_msg(const char *s, const char *e, rr_lp_response *out)
{
    const char *comma = find(s, e, ',');
    double code;
    if (comma == e || !rr_lp_number(s, (size_t)(comma - s), &code))
        return false;
    if (code != floor(code) || fabs(code) > 100000)
        return false;
    const char *m = comma + 1;
    while (m < e && *m == ' ')
        m++;
    if (e - m < 2 || *m != '"' || e[-1] != '"')
        return false;
    size_t n = (size_t)(e - m - 2);
    if (n >= sizeof out->text)
        n = sizeof out->text - 1;
    memcpy(out->text, m + 1, n);
    out->text[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (out->text[i] == '"' || !isprint((unsigned char)out->text[i]))
            return false;
    out->err_code = (int)code;
    return true;
}

/* Numbers separated by commas, exactly want of them, into v. */
static bool parse_numbers(const char *s, const char *e, size_t want, double *v)
{
    size_t n = 0;
    for (;;) {
        const char *comma = find(s, e, ',');
        if (n >= want || !rr_lp_number(s, (size_t)(comma - s), &v[n]))
            return false;
        n++;
        if (comma == e)
            break;
        s = comma + 1;
    }
    return n == want;
}

static bool printable(const char *s, const char *e)
{
    for (; s < e; s++)
        if (!isprint((unsigned char)*s))
            return false;
    return true;
}

rr_status rr_lp_parse_response(const char *line, size_t len, rr_lp_expect expect,
                               size_t nvalues, rr_sample *samples,
                               size_t max_samples, rr_lp_response *out)
{
    memset(out, 0, sizeof *out);
    if (!line)
        return RR_ERR_PARSE;
    const char *s = line, *e = line + len;
    if (e > s && e[-1] == '\r')
        e--;
    if (e - s >= 4 && memcmp(s, "ERR ", 4) == 0) {
        out->kind = RR_LP_ERR;
        return parse_code_msg(s + 4, e, out) && out->err_code != 0 ? RR_OK
                                                                  : RR_ERR_PARSE;
    }
    switch (expect) {
    case RR_LP_EXPECT_OK:
        out->kind = RR_LP_OK;
        return (e - s == 2 && s[0] == 'O' && s[1] == 'K') ? RR_OK : RR_ERR_PARSE;
    case RR_LP_EXPECT_NUMBERS:
        out->kind = RR_LP_VALUES;
        if (nvalues == 0 || nvalues > RR_LP_MAX_VALUES ||
            !parse_numbers(s, e, nvalues, out->values))
            return RR_ERR_PARSE;
        out->nvalues = nvalues;
        return RR_OK;
    case RR_LP_EXPECT_TEXT: {
        /* Any length (the spec sets none): cut for display only. */
        out->kind = RR_LP_TEXT;
        size_t n = (size_t)(e - s);
        if (n == 0 || !printable(s, e))
            return RR_ERR_PARSE;
        if (n >= sizeof out->text) {
            n = sizeof out->text - 4;
            memcpy(out->text + n, "...", 4);
        } else {
            out->text[n] = '\0';
        }
        memcpy(out->text, s, n);
        return RR_OK;
    }
    case RR_LP_EXPECT_ERRQ:
        out->kind = RR_LP_ERRQ;
        return parse_code_msg(s, e, out) ? RR_OK : RR_ERR_PARSE;
    case RR_LP_EXPECT_SAMPLES: {
        out->kind = RR_LP_SAMPLES;
        const char *semi = find(s, e, ';');
        double k;
        if (!rr_lp_number(s, (size_t)(semi - s), &k) || k < 0 || k != floor(k) ||
            k > (double)max_samples)
            return RR_ERR_PARSE;
        size_t want = (size_t)k, got = 0;
        while (semi < e) {
            const char *p = semi + 1;
            semi = find(p, e, ';');
            double v[4];
            if (got >= want || !parse_numbers(p, semi, 4, v))
                return RR_ERR_PARSE;
            samples[got].t_s = v[0];
            samples[got].temp_K = v[1];
            samples[got].strain = v[2];
            samples[got].stress_MPa = v[3];
            got++;
        }
        if (got != want)
            return RR_ERR_PARSE;
        out->nsamples = got;
        return RR_OK;
    }
    }
    return RR_ERR_PARSE;
}

/* ---- commands --------------------------------------------------------- */

enum arg_kind { ARG_NONE, ARG_NUM, ARG_WORD, ARG_COUNT };

static const struct {
    const char *header;
    rr_lp_cmd_id id;
    bool query;
    unsigned min_args, max_args;
    enum arg_kind kind;
} commands[] = {
    {"*IDN?", RR_LP_CMD_IDN, true, 0, 0, ARG_NONE},
    {"*RST", RR_LP_CMD_RST, false, 0, 0, ARG_NONE},
    {"SYST:TIME?", RR_LP_CMD_SYST_TIME, true, 0, 0, ARG_NONE},
    {"SYST:LIM?", RR_LP_CMD_SYST_LIM, true, 0, 0, ARG_NONE},
    {"SYST:ERR?", RR_LP_CMD_SYST_ERR, true, 0, 0, ARG_NONE},
    {"STAT?", RR_LP_CMD_STAT, true, 0, 0, ARG_NONE},
    {"CONF:MODE", RR_LP_CMD_CONF_MODE, false, 1, 1, ARG_WORD},
    {"CONF:MODE?", RR_LP_CMD_CONF_MODE_Q, true, 0, 0, ARG_NONE},
    {"CONF:GEOM", RR_LP_CMD_CONF_GEOM, false, 3, 3, ARG_NUM},
    {"CONF:GEOM?", RR_LP_CMD_CONF_GEOM_Q, true, 0, 0, ARG_NONE},
    {"TEMP:RATE", RR_LP_CMD_TEMP_RATE, false, 1, 1, ARG_NUM},
    {"TEMP:RATE?", RR_LP_CMD_TEMP_RATE_Q, true, 0, 0, ARG_NONE},
    {"TEMP:SET", RR_LP_CMD_TEMP_SET, false, 1, 1, ARG_NUM},
    {"TEMP:SET?", RR_LP_CMD_TEMP_SET_Q, true, 0, 0, ARG_NONE},
    {"TEMP?", RR_LP_CMD_TEMP_Q, true, 0, 0, ARG_NONE},
    {"TEMP:STBY", RR_LP_CMD_TEMP_STBY, false, 0, 0, ARG_NONE},
    {"STRN:SET", RR_LP_CMD_STRN_SET, false, 1, 1, ARG_NUM},
    {"STRN?", RR_LP_CMD_STRN_Q, true, 0, 0, ARG_NONE},
    {"STRN:T0?", RR_LP_CMD_STRN_T0_Q, true, 0, 0, ARG_NONE},
    {"STRS?", RR_LP_CMD_STRS_Q, true, 0, 0, ARG_NONE},
    {"OSC:FREQ", RR_LP_CMD_OSC_FREQ, false, 1, 1, ARG_NUM},
    {"OSC:AMPL", RR_LP_CMD_OSC_AMPL, false, 1, 1, ARG_NUM},
    {"OSC:ON", RR_LP_CMD_OSC_ON, false, 0, 0, ARG_NONE},
    {"OSC:OFF", RR_LP_CMD_OSC_OFF, false, 0, 0, ARG_NONE},
    {"OSC:MEAS?", RR_LP_CMD_OSC_MEAS_Q, true, 0, 0, ARG_NONE},
    {"ACQ:RATE", RR_LP_CMD_ACQ_RATE, false, 1, 1, ARG_NUM},
    {"ACQ:START", RR_LP_CMD_ACQ_START, false, 0, 0, ARG_NONE},
    {"ACQ:STOP", RR_LP_CMD_ACQ_STOP, false, 0, 0, ARG_NONE},
    {"ACQ:DATA?", RR_LP_CMD_ACQ_DATA_Q, true, 0, 1, ARG_COUNT},
};

const char *rr_lp_header(rr_lp_cmd_id id)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].id == id)
            return commands[i].header;
    return "?";
}

const char *rr_lp_error_message(int code)
{
    switch (code) {
    case 0: return "No error";
    case -100: return "Command error";
    case -102: return "Syntax error";
    case -108: return "Parameter not allowed";
    case -109: return "Missing parameter";
    case -113: return "Undefined header";
    case -221: return "Settings conflict";
    case -222: return "Data out of range";
    case -224: return "Illegal parameter value";
    case -230: return "Data not ready";
    case 301: return "Temperature limit";
    case 302: return "Strain limit";
    case 310: return "Overload";
    case 311: return "Sample broken";
    case 320: return "Heater fault";
    case 350: return "Sample buffer overflow";
    default: return "Unknown error";
    }
}

static bool blank(char c) { return c == ' ' || c == '\t'; }

int rr_lp_parse_command(const char *line, size_t len, rr_lp_command *out)
{
    memset(out, 0, sizeof *out);
    const char *s = line, *e = line + len;
    if (e > s && e[-1] == '\r')
        e--;
    if ((size_t)(e - s) > RR_LP_MAX_LINE)
        return -100;
    while (s < e && blank(*s))
        s++;
    while (e > s && blank(e[-1]))
        e--;
    if (s == e)
        return RR_LP_CMD_EMPTY;
    const char *h = s;
    while (s < e && !blank(*s))
        s++;
    size_t hlen = (size_t)(s - h);
    size_t ci = 0, nc = sizeof commands / sizeof commands[0];
    for (; ci < nc; ci++)
        if (strlen(commands[ci].header) == hlen &&
            strncasecmp(commands[ci].header, h, hlen) == 0)
            break;
    if (ci == nc)
        return -113;
    out->id = commands[ci].id;
    out->is_query = commands[ci].query;

    /* Arguments: comma-separated after the blanks. */
    while (s < e && blank(*s))
        s++;
    const char *arg[8];
    size_t alen[8], nargs = 0;
    bool empty_arg = false;
    if (s < e) {
        for (;;) {
            const char *c = find(s, e, ',');
            const char *a = s, *b = c;
            while (a < b && blank(*a))
                a++;
            while (b > a && blank(b[-1]))
                b--;
            if (a == b)
                empty_arg = true;
            if (nargs < 8) {
                arg[nargs] = a;
                alen[nargs] = (size_t)(b - a);
            }
            nargs++;
            if (c == e)
                break;
            s = c + 1;
        }
    }
    if (nargs < commands[ci].min_args || (empty_arg && nargs <= commands[ci].max_args))
        return -109;
    if (nargs > commands[ci].max_args)
        return -108;
    out->nargs = nargs;
    switch (commands[ci].kind) {
    case ARG_NONE:
        break;
    case ARG_NUM: {
        /* -102 for any argument first: it is about the line itself. */
        bool huge = false;
        for (size_t i = 0; i < nargs; i++) {
            rr_lp_num k = rr_lp_scan_number(arg[i], alen[i], &out->args[i]);
            if (k == RR_LP_NUM_SYNTAX)
                return -102;
            huge |= k == RR_LP_NUM_RANGE;
        }
        if (huge)
            return -222; /* a valid decimal, beyond any limit */
        break;
    }
    case ARG_WORD: {
        static const char *const words[] = {"TENS", "SCANT", "DCANT", "COMP"};
        size_t w = 0;
        for (; w < 4; w++)
            if (strlen(words[w]) == alen[0] && strncasecmp(words[w], arg[0], alen[0]) == 0)
                break;
        if (w == 4)
            return -224;
        out->mode = (rr_clamp)w;
        break;
    }
    case ARG_COUNT:
        out->has_n = nargs == 1;
        out->n = RR_LP_DATA_DEFAULT;
        if (nargs == 1) {
            double v = 0;
            rr_lp_num k = rr_lp_scan_number(arg[0], alen[0], &v);
            if (k == RR_LP_NUM_SYNTAX || v != floor(v))
                return -102;
            if (v < 0)
                return -222; /* -1e400 too; 1e400 asks for everything */
            out->n = v > 4e9 ? 4000000000UL : (unsigned long)v;
        }
        break;
    }
    return RR_LP_CMD_VALID;
}
