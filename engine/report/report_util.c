/* report_util.c - reading numeric CSV files, quoted CSV records, and the
 * small text helpers of the report (safe paths, axis labels with units). */
#include "report_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double rr_report_parse_number(char *s, char *end)
{
    /* Clinger's fast path: a decimal of at most 19 digits whose integer
     * m <= 2^53 and with k <= 22 digits after the point is m / 10^k, both
     * exact doubles, so the one division rounds correctly: the value strtod
     * gives.  Everything else (exponents, nan, long mantissas) is strtod's. */
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s;
    bool neg = false;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    unsigned long long m = 0;
    int ndigits = 0, nfrac = 0;
    bool dot = false, fast = p < end;
    for (; fast && p < end; p++) {
        if (*p >= '0' && *p <= '9') {
            if (++ndigits > 19) {
                fast = false;
                break;
            }
            m = 10 * m + (unsigned)(*p - '0');
            nfrac += dot;
        } else if (*p == '.' && !dot) {
            dot = true;
        } else {
            fast = false;
        }
    }
    if (fast && ndigits > 0 && m <= (1ULL << 53) && nfrac <= 22) {
        double v = (double)m / pow10[nfrac];
        return neg ? -v : v;
    }
    char saved = *end;
    *end = 0;
    char *stop;
    double v = strtod(s, &stop);
    *end = saved;
    return stop == s || stop != end ? NAN : v;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = 0;
}

void rr_report_csv_free(rr_report_csv *c)
{
    if (!c)
        return;
    for (size_t j = 0; j < c->ncols; j++)
        free(c->names[j]);
    free(c->names);
    free(c->v);
    free(c);
}

rr_status rr_report_csv_read(const char *path, rr_report_csv **out, char *err,
                             size_t errlen)
{
    return rr_report_csv_read_only(path, NULL, 0, out, err, errlen);
}

rr_status rr_report_csv_read_only(const char *path, const char *const *only,
                                  size_t nonly, rr_report_csv **out, char *err,
                                  size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return RR_ERR_IO;
    }
    rr_report_csv *c = calloc(1, sizeof *c);
    char *line = NULL;
    size_t cap = 0, vcap = 0;
    bool *parse = NULL; /* which columns to convert */
    rr_status st = RR_ERR_NOMEM;
    if (!c)
        goto done;
    if (getline(&line, &cap, f) < 0) {
        snprintf(err, errlen, "%s: empty file (no header)", path);
        st = RR_ERR_PARSE;
        goto done;
    }
    chomp(line);
    size_t ncols = 1;
    for (const char *q = line; *q; q++)
        ncols += *q == ',';
    c->names = calloc(ncols, sizeof *c->names);
    parse = calloc(ncols, sizeof *parse);
    if (!c->names || !parse)
        goto done;
    c->ncols = ncols;
    char *name = line;
    for (size_t j = 0; j < ncols; j++) {
        char *comma = strchr(name, ',');
        if (comma)
            *comma = 0;
        c->names[j] = strdup(name);
        if (!c->names[j])
            goto done;
        parse[j] = only == NULL;
        for (size_t k = 0; k < nonly; k++)
            parse[j] = parse[j] || strcmp(name, only[k]) == 0;
        name = comma ? comma + 1 : name + strlen(name);
    }
    while (getline(&line, &cap, f) >= 0) {
        chomp(line);
        if (!line[0])
            continue;
        if ((c->nrows + 1) * ncols > vcap) {
            size_t ncap = vcap ? 2 * vcap : 1024 * ncols;
            double *nv = realloc(c->v, ncap * sizeof *nv);
            if (!nv)
                goto done;
            c->v = nv;
            vcap = ncap;
        }
        /* Fields straight into the next row, which counts only when the
         * line had exactly ncols of them (a row cut short by a killed run
         * has fewer: skipped). */
        double *row = c->v + c->nrows * ncols;
        char *p = line;
        size_t j = 0;
        for (;; j++) {
            char *e = p;
            while (*e && *e != ',')
                e++;
            if (j < ncols)
                row[j] = parse[j] ? rr_report_parse_number(p, e) : NAN;
            if (!*e)
                break;
            p = e + 1;
        }
        if (j + 1 != ncols)
            c->bad_rows++;
        else
            c->nrows++;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        st = RR_ERR_IO;
        goto done;
    }
    st = RR_OK;
done:
    if (st == RR_ERR_NOMEM)
        snprintf(err, errlen, "%s: out of memory", path);
    free(line);
    free(parse);
    fclose(f);
    if (st != RR_OK) {
        rr_report_csv_free(c);
        return st;
    }
    *out = c;
    return RR_OK;
}

int rr_report_csv_col(const rr_report_csv *c, const char *name)
{
    for (size_t j = 0; j < c->ncols; j++)
        if (strcmp(c->names[j], name) == 0)
            return (int)j;
    return -1;
}

size_t rr_report_csv_record(const char **p, char *buf, size_t buflen,
                            char **fields, size_t maxfields)
{
    const char *s = *p;
    if (!*s || buflen == 0 || maxfields == 0)
        return 0;
    size_t nf = 0, k = 0;
    fields[nf++] = buf;
    bool quoted = false;
    for (; *s; s++) {
        char ch = *s;
        if (quoted) {
            if (ch == '"' && s[1] == '"') {
                s++;               /* "" inside quotes is one quote */
            } else if (ch == '"') {
                quoted = false;
                continue;
            }
        } else if (ch == '"') {
            quoted = true;
            continue;
        } else if (ch == ',') {
            if (k + 1 < buflen)
                buf[k++] = 0;
            if (nf < maxfields)
                fields[nf++] = buf + k;
            continue;
        } else if (ch == '\n' || ch == '\r') {
            while (*s == '\r' || *s == '\n') {
                bool lf = *s == '\n';
                s++;
                if (lf)
                    break;
            }
            break;
        }
        if (k + 1 < buflen)
            buf[k++] = ch;
    }
    buf[k < buflen ? k : buflen - 1] = 0;
    *p = s;
    return nf;
}

bool rr_report_safe_relpath(const char *p)
{
    if (!p || !*p || *p == '/' || *p == '<' || *p == '|')
        return false;
    for (const char *c = p; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == ':' || *c == '\\')
            return false;
    /* No ".." path component. */
    for (const char *c = p; c; c = strchr(c, '/')) {
        if (*c == '/')
            c++;
        if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == 0))
            return false;
    }
    return true;
}

void rr_report_unit_display(const char *unit, char *out, size_t len)
{
    /* "K_per_min" -> "K/min", "m_per_m" -> "m/m"; other '_' -> ' '. */
    size_t k = 0;
    for (const char *c = unit; *c && k + 1 < len; c++) {
        if (strncmp(c, "_per_", 5) == 0) {
            out[k++] = '/';
            c += 4;
        } else {
            out[k++] = *c == '_' ? ' ' : *c;
        }
    }
    out[k] = 0;
}

void rr_report_split_unit(const char *column, char *qty, size_t qlen,
                          char *unit, size_t ulen)
{
    /* Unit suffixes relaxrun uses, longest first. */
    static const char *const units[] = {
        "_K_per_min", "_K_per_s", "_m_per_m", "_kJ_per_mol", "_J_per_mol",
        "_MPa", "_GPa", "_kPa", "_Pa", "_mHz", "_Hz", "_rad_per_s", "_ms",
        "_min", "_s", "_K", "_N", "_mm", "_um", "_m", "_1"};
    size_t n = strlen(column);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t u = strlen(units[i]);
        if (n > u && strcmp(column + n - u, units[i]) == 0) {
            snprintf(qty, qlen, "%.*s", (int)(n - u), column);
            rr_report_unit_display(units[i] + 1, unit, ulen);
            return;
        }
    }
    snprintf(qty, qlen, "%s", column);
    if (ulen)
        unit[0] = 0;
}

void rr_report_axis_label(const char *column, char *label, size_t len)
{
    char qty[256], unit[32];
    rr_report_split_unit(column, qty, sizeof qty, unit, sizeof unit);
    if (unit[0])
        snprintf(label, len, "%s (%s)", qty, unit);
    else
        snprintf(label, len, "%s", qty);
}
