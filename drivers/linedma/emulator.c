/* emulator.c - the DMA line protocol device around an instrument vtable
 * (emulator.h).  Validation follows the v1.1 rules in this order: framing
 * (-100), header (-113), parameter count (-109, -108), values (-102, -224),
 * range (-222), state (-221), readiness (-230). */
#include "linedma/emulator.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "linedma/lineproto.h"
#include "linedma/transport.h"

#define ERRQ_LEN 16
#define MAX_FAULTS 16

enum fault_kind { F_GARBAGE, F_LATE, F_SILENCE, F_DISCONNECT, F_ERR, F_OVERLOAD,
                  F_BROKEN, F_HEATER };
static const char *const fault_names[] = {"garbage", "late", "silence", "disconnect",
                                          "err", "overload", "broken", "heater"};

typedef struct errq_entry {
    int code;
    char msg[96];
    unsigned long lost; /* 350: samples lost so far */
} errq_entry;

struct rr_emu {
    rr_instrument *dev;
    double speed, late_s, drop_s;
    FILE *log;

    double wall0, epoch; /* device time = backing time - epoch */
    rr_limits lim;

    /* settings the protocol lets a host read back */
    rr_clamp mode;
    rr_geometry geom;
    double temp_rate, temp_set, acq_rate, osc_freq, osc_ampl;
    /* state */
    double strain_set, osc_change_t;
    bool sampling, osc_on, t0_valid;

    rr_sample *buf; /* ring of RR_LP_DEVICE_BUFFER samples */
    size_t head, len;
    bool overflow;

    errq_entry q[ERRQ_LEN];
    size_t qlen;
    int open350; /* index of the 350 entry still counting, or -1 */

    struct {
        enum fault_kind kind;
        double at_s;
        char header[16]; /* only a command with this header, or "" for any */
        bool fired;
    } fault[MAX_FAULTS];
    size_t nfault;
    bool silent, garbage_next, late_next, err_next, disconnect_next;

    char *out;
    size_t out_cap, out_len;
    rr_sample *chunk;
};

/* ---- answer buffer ------------------------------------------------------ */

static void out_reset(rr_emu *e) { e->out_len = 0; if (e->out) e->out[0] = '\0'; }

static void out_printf(rr_emu *e, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = e->out_cap - e->out_len;
        int n = e->out ? vsnprintf(e->out + e->out_len, room, fmt, ap) : -1;
        va_end(ap);
        if (n >= 0 && (size_t)n < room) {
            e->out_len += (size_t)n;
            return;
        }
        size_t cap = e->out_cap ? e->out_cap * 2 : 65536;
        char *p = realloc(e->out, cap);
        if (!p)
            return; /* out of memory: the answer is cut short */
        e->out = p;
        e->out_cap = cap;
    }
}

static void answer_err(rr_emu *e, int code)
{
    out_reset(e);
    out_printf(e, "ERR %d,\"%s\"", code, rr_lp_error_message(code));
}

/* ---- error queue ------------------------------------------------------- */

static void errq_push(rr_emu *e, int code, const char *msg)
{
    if (e->qlen == ERRQ_LEN)
        return; /* full: new entries are dropped */
    errq_entry *q = &e->q[e->qlen++];
    q->code = code;
    q->lost = 0;
    snprintf(q->msg, sizeof q->msg, "%s", msg);
}

static void lost_samples(rr_emu *e, unsigned long n)
{
    e->overflow = true;
    if (e->open350 < 0 && e->qlen < ERRQ_LEN) {
        errq_push(e, 350, "");
        e->open350 = (int)e->qlen - 1;
    }
    if (e->open350 >= 0)
        e->q[e->open350].lost += n;
}

/* ---- keeping up with the device clock ---------------------------------- */

static void buffer_push(rr_emu *e, const rr_sample *s)
{
    if (e->len == RR_LP_DEVICE_BUFFER) { /* drop the oldest */
        e->head = (e->head + 1) % RR_LP_DEVICE_BUFFER;
        e->len--;
        lost_samples(e, 1);
    }
    rr_sample x = *s;
    x.t_s -= e->epoch;
    e->buf[(e->head + e->len) % RR_LP_DEVICE_BUFFER] = x;
    e->len++;
}

static double device_target(const rr_emu *e)
{
    return e->epoch + e->speed * (rr_mono_s() - e->wall0);
}

static double device_now(rr_emu *e)
{
    double t;
    if (RR_CALL(e->dev, now, &t) != RR_OK)
        t = device_target(e);
    return t - e->epoch;
}

static void fire_sim_faults(rr_emu *e, double now)
{
    for (size_t i = 0; i < e->nfault; i++) {
        if (e->fault[i].fired || now < e->fault[i].at_s)
            continue;
        switch (e->fault[i].kind) {
        case F_OVERLOAD:
            RR_CALL(e->dev, sim_set, "fault.overload_MPa", 1e-9);
            break;
        case F_BROKEN:
            RR_CALL(e->dev, sim_set, "fault.break_at_s", now + e->epoch);
            break;
        case F_HEATER:
            RR_CALL(e->dev, sim_set, "fault.heater", 1.0);
            break;
        default:
            continue; /* line faults fire in rr_emu_handle */
        }
        e->fault[i].fired = true;
    }
}

void rr_emu_tick(rr_emu *e)
{
    double target = device_target(e);
    for (int i = 0; i < 100000; i++) {
        double now = 0;
        rr_status st = RR_CALL(e->dev, advance, target, &now);
        size_t n = 0;
        do {
            if (RR_CALL(e->dev, acq_read, e->chunk, 1024, &n) != RR_OK)
                n = 0;
            for (size_t k = 0; k < n; k++)
                buffer_push(e, &e->chunk[k]);
        } while (n == 1024);
        if (st != RR_OK || now >= target)
            break;
    }
    /* Asynchronous faults of the backing instrument join the queue. */
    for (int i = 0; i < ERRQ_LEN; i++) {
        int code = 0;
        char msg[96] = "";
        if (RR_CALL(e->dev, next_error, &code, msg, sizeof msg) != RR_OK || code == 0)
            break;
        if (code == 350) /* our own buffer accounts for lost samples */
            continue;
        errq_push(e, code, msg[0] ? msg : rr_lp_error_message(code));
    }
    unsigned bits = 0;
    if (RR_CALL(e->dev, get_status, &bits) == RR_OK && (bits & RR_STAT_OVERLOAD)) {
        e->strain_set = 0; /* the device drove the strain to 0 */
        e->osc_on = false;
    }
    fire_sim_faults(e, device_now(e));
}

/* ---- commands ------------------------------------------------------------ */

/* The backing instrument's own fault, as a protocol code (0: none).  A
 * simulator may refuse every call during a heater fault (RR_ERR_INSTRUMENT,
 * "Heater fault"), STAT? included, so its message counts too. */
static int dev_fault(rr_emu *e)
{
    unsigned bits = 0;
    rr_status st = RR_CALL(e->dev, get_status, &bits);
    if (st == RR_OK)
        return bits & RR_STAT_HEATER_FAULT ? 320
             : bits & RR_STAT_BROKEN      ? 311
             : bits & RR_STAT_OVERLOAD    ? 310 : 0;
    const char *m = e->dev->ops->last_error ? e->dev->ops->last_error(e->dev->ctx) : "";
    if (st == RR_ERR_INSTRUMENT && m) {
        char low[64];
        size_t i = 0;
        for (; m[i] && i < sizeof low - 1; i++)
            low[i] = (char)((m[i] >= 'A' && m[i] <= 'Z') ? m[i] + 32 : m[i]);
        low[i] = '\0';
        if (strstr(low, "heater"))
            return 320;
        if (strstr(low, "broken"))
            return 311;
        if (strstr(low, "overload"))
            return 310;
    }
    return 0;
}

/* Maps a failure of the backing instrument running c onto a protocol
 * error.  A setting the instrument does not support gets the code of its
 * kind of value (v1.1 has no "not supported"): -224 for a word (a clamp it
 * does not have), -222 for a number (beyond what it can do), -221 for a
 * command without one.  -100 is left for what no code describes (the
 * instrument failing inside). */
static int dev_error(rr_emu *e, const rr_lp_command *c, rr_status st)
{
    switch (st) {
    case RR_ERR_RANGE: case RR_ERR_LIMIT: return -222;
    case RR_ERR_STATE: return -221;
    case RR_ERR_NOT_READY: return -230;
    case RR_ERR_ARG: case RR_ERR_PARSE: return -224;
    case RR_ERR_UNSUPPORTED:
        return c->id == RR_LP_CMD_CONF_MODE ? -224 : c->nargs > 0 ? -222 : -221;
    default: {
        int f = dev_fault(e);
        return f ? f : -100;
    }
    }
}

static int ok_or(rr_emu *e, const rr_lp_command *c, rr_status st)
{
    if (st != RR_OK)
        return dev_error(e, c, st);
    out_printf(e, "OK");
    return 0;
}

static void device_reset(rr_emu *e)
{
    RR_CALL0(e->dev, reset);
    double t = 0;
    RR_CALL(e->dev, now, &t);
    e->epoch = t;
    e->wall0 = rr_mono_s();
    /* Samples of the backing instrument before the reset are gone. */
    size_t n;
    while (RR_CALL(e->dev, acq_read, e->chunk, 1024, &n) == RR_OK && n == 1024)
        ;
    e->len = e->head = 0;
    e->overflow = false;
    e->sampling = e->osc_on = e->t0_valid = false;
    e->strain_set = 0;
}

static bool within(double v, double lo, double hi) { return v >= lo && v <= hi; }

/* Runs a parsed, well-formed command; returns 0 or a protocol error code. */
static int run(rr_emu *e, const rr_lp_command *c)
{
    rr_status st;
    double v = c->args[0], t;
    const rr_limits *L = &e->lim;
    switch (c->id) {
    case RR_LP_CMD_IDN: {
        char idn[1024]; /* the protocol sets no limit; the driver cuts for display */
        if ((st = RR_CALL(e->dev, identify, idn, sizeof idn)) != RR_OK)
            return dev_error(e, c, st);
        for (char *p = idn; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        out_printf(e, "%s", idn);
        return 0;
    }
    case RR_LP_CMD_RST:
        device_reset(e);
        out_printf(e, "OK");
        return 0;
    case RR_LP_CMD_SYST_TIME:
        out_printf(e, "%.6f", device_now(e));
        return 0;
    case RR_LP_CMD_SYST_LIM:
        out_printf(e, "%.10g,%.10g,%.10g,%.10g,%.10g,%.10g", L->temp_min_K, L->temp_max_K,
                   L->strain_max, L->rate_max_K_per_min, L->freq_min_Hz, L->freq_max_Hz);
        return 0;
    case RR_LP_CMD_SYST_ERR:
        if (e->qlen == 0) {
            out_printf(e, "0,\"No error\"");
            return 0;
        }
        if (e->q[0].code == 350)
            out_printf(e, "350,\"Sample buffer overflow; %lu samples lost\"", e->q[0].lost);
        else
            out_printf(e, "%d,\"%s\"", e->q[0].code, e->q[0].msg);
        memmove(e->q, e->q + 1, (e->qlen - 1) * sizeof e->q[0]);
        e->qlen--;
        e->open350 = e->open350 > 0 ? e->open350 - 1 : -1;
        return 0;
    case RR_LP_CMD_STAT: {
        unsigned bits = 0;
        if ((st = RR_CALL(e->dev, get_status, &bits)) != RR_OK)
            return dev_error(e, c, st);
        bits &= ~(unsigned)(RR_STAT_SAMPLING | RR_STAT_OVERFLOW);
        bits |= (e->sampling ? RR_STAT_SAMPLING : 0u) | (e->overflow ? RR_STAT_OVERFLOW : 0u);
        out_printf(e, "%u", bits);
        return 0;
    }
    case RR_LP_CMD_CONF_MODE:
        if (e->strain_set != 0 || e->sampling || e->osc_on)
            return -221;
        if ((st = RR_CALL(e->dev, set_clamp, c->mode)) == RR_OK)
            e->mode = c->mode;
        return ok_or(e, c, st);
    case RR_LP_CMD_CONF_MODE_Q:
        out_printf(e, "%s", rr_clamp_word(e->mode));
        return 0;
    case RR_LP_CMD_CONF_GEOM: {
        if (!(c->args[0] > 0 && c->args[1] > 0 && c->args[2] > 0))
            return -222;
        if (e->strain_set != 0 || e->sampling || e->osc_on)
            return -221;
        rr_geometry g = {c->args[0], c->args[1], c->args[2]};
        if ((st = RR_CALL(e->dev, set_geometry, &g)) == RR_OK)
            e->geom = g;
        return ok_or(e, c, st);
    }
    case RR_LP_CMD_CONF_GEOM_Q:
        out_printf(e, "%.10g,%.10g,%.10g", e->geom.length_mm, e->geom.width_mm,
                   e->geom.thickness_mm);
        return 0;
    case RR_LP_CMD_TEMP_RATE:
        if (!(v > 0 && v <= L->rate_max_K_per_min))
            return -222;
        if ((st = RR_CALL(e->dev, set_temp_rate, v)) == RR_OK)
            e->temp_rate = v;
        return ok_or(e, c, st);
    case RR_LP_CMD_TEMP_RATE_Q:
        out_printf(e, "%.10g", e->temp_rate);
        return 0;
    case RR_LP_CMD_TEMP_SET:
        if (!within(v, L->temp_min_K, L->temp_max_K))
            return -222;
        if ((st = RR_CALL(e->dev, set_temp, v)) == RR_OK)
            e->temp_set = v;
        return ok_or(e, c, st);
    case RR_LP_CMD_TEMP_SET_Q:
        out_printf(e, "%.10g", e->temp_set);
        return 0;
    case RR_LP_CMD_TEMP_Q:
        if ((st = RR_CALL(e->dev, read_temp, &t)) != RR_OK)
            return dev_error(e, c, st);
        out_printf(e, "%.10g", t);
        return 0;
    case RR_LP_CMD_TEMP_STBY:
        return ok_or(e, c, RR_CALL0(e->dev, heater_standby));
    case RR_LP_CMD_STRN_SET:
        if (!within(v, -L->strain_max, L->strain_max) ||
            (e->osc_on && fabs(v) + e->osc_ampl > L->strain_max))
            return -222;
        if ((st = RR_CALL(e->dev, set_strain, v)) == RR_OK) {
            e->strain_set = v;
            e->t0_valid = true;
            e->osc_change_t = device_now(e);
        }
        return ok_or(e, c, st);
    case RR_LP_CMD_STRN_Q:
        if ((st = RR_CALL(e->dev, read_strain, &t)) != RR_OK)
            return dev_error(e, c, st);
        out_printf(e, "%.10g", t);
        return 0;
    case RR_LP_CMD_STRN_T0_Q:
        t = e->epoch;
        if (e->t0_valid && (st = RR_CALL(e->dev, strain_t0, &t)) != RR_OK)
            return dev_error(e, c, st);
        out_printf(e, "%.6f", t - e->epoch);
        return 0;
    case RR_LP_CMD_STRS_Q:
        if ((st = RR_CALL(e->dev, read_stress, &t)) != RR_OK)
            return dev_error(e, c, st);
        out_printf(e, "%.10g", t);
        return 0;
    case RR_LP_CMD_OSC_FREQ:
        if (!within(v, L->freq_min_Hz, L->freq_max_Hz))
            return -222;
        if ((st = RR_CALL(e->dev, osc_set, v, e->osc_ampl)) == RR_OK) {
            e->osc_freq = v;
            e->osc_change_t = device_now(e);
        }
        return ok_or(e, c, st);
    case RR_LP_CMD_OSC_AMPL:
        if (!(v > 0) || (e->osc_on && fabs(e->strain_set) + v > L->strain_max))
            return -222;
        if ((st = RR_CALL(e->dev, osc_set, e->osc_freq, v)) == RR_OK) {
            e->osc_ampl = v;
            e->osc_change_t = device_now(e);
        }
        return ok_or(e, c, st);
    case RR_LP_CMD_OSC_ON:
        if (fabs(e->strain_set) + e->osc_ampl > L->strain_max)
            return -222;
        if ((st = RR_CALL(e->dev, osc_enable, true)) == RR_OK) {
            if (!e->osc_on)
                e->osc_change_t = device_now(e);
            e->osc_on = true;
        }
        return ok_or(e, c, st);
    case RR_LP_CMD_OSC_OFF:
        if ((st = RR_CALL(e->dev, osc_enable, false)) == RR_OK)
            e->osc_on = false;
        return ok_or(e, c, st);
    case RR_LP_CMD_OSC_MEAS_Q: {
        if (!e->osc_on || device_now(e) - e->osc_change_t < 3.0 / e->osc_freq)
            return -230;
        rr_dynamic m;
        if ((st = RR_CALL(e->dev, osc_measure, &m)) != RR_OK)
            return dev_error(e, c, st);
        out_printf(e, "%.10g,%.10g,%.10g,%.10g", m.freq_Hz, m.storage_MPa, m.loss_MPa,
                   m.tan_delta);
        return 0;
    }
    case RR_LP_CMD_ACQ_RATE:
        if (!within(v, 0.1, 100))
            return -222;
        if ((st = RR_CALL(e->dev, acq_set_rate, v)) == RR_OK)
            e->acq_rate = v;
        return ok_or(e, c, st);
    case RR_LP_CMD_ACQ_START:
        if ((st = RR_CALL0(e->dev, acq_start)) == RR_OK) {
            size_t n;
            while (RR_CALL(e->dev, acq_read, e->chunk, 1024, &n) == RR_OK && n == 1024)
                ;
            e->len = e->head = 0;
            e->overflow = false;
            e->open350 = -1;
            e->sampling = true;
        }
        return ok_or(e, c, st);
    case RR_LP_CMD_ACQ_STOP:
        rr_emu_tick(e); /* samples up to now stay readable */
        if ((st = RR_CALL0(e->dev, acq_stop)) == RR_OK)
            e->sampling = false;
        return ok_or(e, c, st);
    case RR_LP_CMD_ACQ_DATA_Q: {
        size_t k = c->n < e->len ? (size_t)c->n : e->len;
        out_printf(e, "%zu", k);
        for (size_t i = 0; i < k; i++) {
            const rr_sample *s = &e->buf[(e->head + i) % RR_LP_DEVICE_BUFFER];
            out_printf(e, ";%.6f,%.10g,%.10g,%.10g", s->t_s, s->temp_K, s->strain,
                       s->stress_MPa);
        }
        e->head = (e->head + k) % RR_LP_DEVICE_BUFFER;
        e->len -= k;
        e->overflow = false;
        e->open350 = -1;
        return 0;
    }
    case RR_LP_CMD_COUNT:
        break;
    }
    return -113;
}

/* A line fault of kind k due at device time now for the command (header
 * NULL: a line that is not a valid command). */
static bool is_due(rr_emu *e, enum fault_kind k, double now, const char *header)
{
    for (size_t i = 0; i < e->nfault; i++)
        if (e->fault[i].kind == k && !e->fault[i].fired && now >= e->fault[i].at_s &&
            (!e->fault[i].header[0] ||
             (header && strcasecmp(e->fault[i].header, header) == 0))) {
            e->fault[i].fired = true;
            return true;
        }
    return false;
}

rr_emu_action rr_emu_handle(rr_emu *e, const char *line, size_t len, const char **answer,
                            size_t *alen, double *delay_s)
{
    *delay_s = 0;
    out_reset(e);
    rr_lp_command c;
    int pr = rr_lp_parse_command(line, len, &c);
    if (pr == RR_LP_CMD_EMPTY)
        return RR_EMU_NO_REPLY;
    rr_emu_tick(e);
    double now = device_now(e);
    if (e->log) {
        fprintf(e->log, "%.3f %.*s\n", now, (int)(len > 300 ? 300 : len), line);
        fflush(e->log);
    }
    /* Line faults due now: by header, wherever the header is one of the
     * protocol's (its parameters may still be refused). */
    const char *h = pr != -100 && pr != -113 ? rr_lp_header(c.id) : NULL;
    if (is_due(e, F_SILENCE, now, h))
        e->silent = true;
    if (is_due(e, F_DISCONNECT, now, h))
        return RR_EMU_DISCONNECT;
    if (is_due(e, F_GARBAGE, now, h))
        e->garbage_next = true;
    if (is_due(e, F_LATE, now, h))
        e->late_next = true;
    if (is_due(e, F_ERR, now, h))
        e->err_next = true;
    if (e->silent)
        return RR_EMU_NO_REPLY;

    if (pr != RR_LP_CMD_VALID) {
        answer_err(e, pr);
    } else if (dev_fault(e) == 320) {
        answer_err(e, 320); /* a heater fault blocks every command */
    } else if (e->err_next && !c.is_query) {
        e->err_next = false;
        answer_err(e, -100);
    } else {
        int code = run(e, &c);
        if (code != 0)
            answer_err(e, code);
    }
    if (e->garbage_next) {
        e->garbage_next = false;
        out_reset(e);
        out_printf(e, "%s", "\x01\x7f#@!~ 3.1.4;;,,\"\"\xff\xfe garbage");
    }
    if (e->late_next) {
        e->late_next = false;
        *delay_s = e->late_s;
    }
    out_printf(e, "\n");
    *answer = e->out;
    *alen = e->out_len;
    return RR_EMU_REPLY;
}

/* ---- life cycle ----------------------------------------------------------- */

rr_status rr_emu_add_fault(rr_emu *e, const char *spec, char *err, size_t errlen)
{
    char kind[32], header[16] = "";
    const char *at = strchr(spec, '@');
    size_t n = at ? (size_t)(at - spec) : strlen(spec);
    const char *slash = memchr(spec, '/', n);
    double t = 0;
    if (e->nfault == MAX_FAULTS)
        goto bad;
    if (slash) { /* KIND/HEADER: only that command's answer */
        size_t hn = n - (size_t)(slash + 1 - spec);
        rr_lp_command c;
        if (hn == 0 || hn >= sizeof header)
            goto bad;
        memcpy(header, slash + 1, hn);
        header[hn] = '\0';
        if (rr_lp_parse_command(header, hn, &c) == -113)
            goto bad; /* not a header of the protocol */
        n = (size_t)(slash - spec);
    }
    if (n >= sizeof kind)
        goto bad;
    memcpy(kind, spec, n);
    kind[n] = '\0';
    if (at && (!rr_lp_number(at + 1, strlen(at + 1), &t) || t < 0))
        goto bad;
    for (size_t k = 0; k < sizeof fault_names / sizeof fault_names[0]; k++)
        if (strcasecmp(kind, fault_names[k]) == 0) {
            if (header[0] && k >= F_OVERLOAD)
                goto bad; /* a fault of the sample, not of an answer */
            e->fault[e->nfault].kind = (enum fault_kind)k;
            e->fault[e->nfault].at_s = t;
            snprintf(e->fault[e->nfault].header, sizeof e->fault[0].header, "%s", header);
            e->fault[e->nfault].fired = false;
            e->nfault++;
            return RR_OK;
        }
bad:
    if (err)
        snprintf(err, errlen,
                 "fault '%s': expected KIND[/HEADER][@DEVICE_TIME_S] with KIND one of garbage, "
                 "late, silence, disconnect, err, overload, broken, heater (HEADER, such as "
                 "ACQ:DATA?, only for the first five)", spec);
    return RR_ERR_ARG;
}

rr_status rr_emu_new(rr_instrument *dev, const rr_emu_options *opt, rr_emu **out,
                     char *err, size_t errlen)
{
    *out = NULL;
    rr_emu *e = calloc(1, sizeof *e);
    rr_status st = RR_ERR_NOMEM;
    if (!e)
        goto fail;
    e->dev = dev;
    e->speed = opt && opt->speed > 0 ? opt->speed : 1.0;
    e->late_s = opt && opt->late_s > 0 ? opt->late_s : 3.0;
    e->drop_s = opt && opt->drop_s > 0 ? opt->drop_s : 3.0;
    e->open350 = -1;
    e->buf = malloc(RR_LP_DEVICE_BUFFER * sizeof *e->buf);
    e->chunk = malloc(1024 * sizeof *e->chunk);
    if (!e->buf || !e->chunk)
        goto fail;
    if (opt && opt->log_path && !(e->log = fopen(opt->log_path, "a"))) {
        if (err)
            snprintf(err, errlen, "%s: %s", opt->log_path, strerror(errno));
        st = RR_ERR_IO;
        goto fail;
    }
    if ((st = RR_CALL(dev, get_limits, &e->lim)) != RR_OK) {
        if (err)
            snprintf(err, errlen, "emulator: cannot read the instrument's limits: %s",
                     dev->ops->last_error ? dev->ops->last_error(dev->ctx) : "");
        goto fail;
    }
    /* What the device reports before a host sets anything.  v1.1 leaves
     * these open; any value the device would accept is allowed.  The
     * furnace's rate and setpoint come from the options (the CLI takes
     * them from the simulator's preset: the rate it ramps at and the
     * ambient it idles at); the vtable has no query for them, and a TEMP?
     * read would draw the simulator's noise and shift its seeded sequence
     * against a plain simulator run.  Both are kept within SYST:LIM?. */
    e->mode = RR_CLAMP_TENSION;
    e->geom = (rr_geometry){15.0, 1.0, 0.03}; /* a melt-spun ribbon */
    e->temp_rate = opt && opt->temp_rate_K_per_min > 0 ? opt->temp_rate_K_per_min : 10.0;
    if (e->temp_rate > e->lim.rate_max_K_per_min)
        e->temp_rate = e->lim.rate_max_K_per_min;
    e->temp_set = opt && opt->temp_set_K > 0 ? opt->temp_set_K : 295.0;
    e->temp_set = fmin(fmax(e->temp_set, e->lim.temp_min_K), e->lim.temp_max_K);
    e->acq_rate = 10.0;
    e->osc_freq = 1.0 < e->lim.freq_min_Hz ? e->lim.freq_min_Hz : 1.0;
    e->osc_ampl = 1e-4;
    RR_CALL(dev, now, &e->epoch);
    e->wall0 = rr_mono_s();
    *out = e;
    return RR_OK;
fail:
    if (e) {
        e->dev = NULL;
        rr_emu_free(e);
    }
    rr_instrument_close(dev);
    return st;
}

void rr_emu_free(rr_emu *e)
{
    if (!e)
        return;
    rr_instrument_close(e->dev);
    if (e->log)
        fclose(e->log);
    free(e->buf);
    free(e->chunk);
    free(e->out);
    free(e);
}

/* ---- serving ---------------------------------------------------------------- */

/* Sends one answer whole or not at all.  If not a byte of it can be
 * written for drop_s (nobody reads: the output is full of earlier
 * answers), it is dropped whole, as a serial device drops an answer that
 * nobody reads.  Once its first byte is out, the rest follows however long
 * the reader takes: half an answer would run into the next one and garble
 * it too.  Returns false when the peer is gone. */
static bool write_all(int fd, const char *p, size_t n, double drop_s,
                      volatile sig_atomic_t *stop)
{
    double deadline = rr_mono_s() + drop_s;
    bool started = false;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            started = true;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pf = {fd, POLLOUT, 0};
            if (*stop || (!started && rr_mono_s() > deadline))
                return true; /* dropped whole (or shutting down) */
            poll(&pf, 1, 50);
            continue;
        }
        return false;
    }
    return true;
}

/* Waits s seconds unless stopped. */
static void wait_s(double s, volatile sig_atomic_t *stop)
{
    double end = rr_mono_s() + s;
    while (!*stop && rr_mono_s() < end)
        rr_sleep_s(0.02);
}

typedef enum { SERVE_STOP, SERVE_CLOSED, SERVE_DISCONNECT } serve_end;

/* Serves one connection (socket or pty master) until it closes. */
static serve_end serve_fd(rr_emu *e, int fd, bool is_pty, volatile sig_atomic_t *stop)
{
    char rx[4096];
    size_t rlen = 0;
    bool overlong = false;
    while (!*stop) {
        struct pollfd pf = {fd, POLLIN, 0};
        int pr = poll(&pf, 1, 20);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0 || (is_pty && (pf.revents & POLLHUP) && !(pf.revents & POLLIN))) {
            rr_emu_tick(e);
            if (pr != 0)
                rr_sleep_s(0.02); /* pty without a reader: keep waiting */
            continue;
        }
        ssize_t n = read(fd, rx + rlen, sizeof rx - rlen);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0 && is_pty && errno == EIO) { /* no slave open right now */
            rr_sleep_s(0.02);
            rr_emu_tick(e);
            continue;
        }
        if (n <= 0)
            return SERVE_CLOSED;
        rlen += (size_t)n;
        for (;;) {
            char *nl = memchr(rx, '\n', rlen);
            if (!nl) {
                if (rlen > RR_LP_MAX_LINE + 1) { /* keep discarding to the newline */
                    overlong = true;
                    rlen = 0;
                }
                break;
            }
            size_t l = (size_t)(nl - rx);
            const char *ans = NULL;
            size_t alen = 0;
            double delay = 0;
            rr_emu_action a;
            if (overlong) { /* the tail of a line longer than 256 bytes */
                overlong = false;
                char fake[RR_LP_MAX_LINE + 2];
                memset(fake, 'X', sizeof fake);
                a = rr_emu_handle(e, fake, sizeof fake, &ans, &alen, &delay);
            } else {
                a = rr_emu_handle(e, rx, l, &ans, &alen, &delay);
            }
            memmove(rx, nl + 1, rlen - l - 1);
            rlen -= l + 1;
            if (a == RR_EMU_DISCONNECT)
                return SERVE_DISCONNECT;
            if (a == RR_EMU_REPLY) {
                if (delay > 0)
                    wait_s(delay, stop);
                if (!write_all(fd, ans, alen, e->drop_s, stop))
                    return SERVE_CLOSED;
            }
        }
    }
    return SERVE_STOP;
}

rr_status rr_emu_serve_tcp(rr_emu *e, const char *host, int port, rr_emu_ready_fn ready,
                           void *arg, volatile sig_atomic_t *stop, char *err, size_t errlen)
{
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int gai = getaddrinfo(host, ps, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "%s:%d: %s", host, port, gai_strerror(gai));
        return RR_ERR_ARG;
    }
    int ls = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    int one = 1;
    if (ls >= 0)
        setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ls < 0 || bind(ls, res->ai_addr, res->ai_addrlen) != 0 || listen(ls, 4) != 0) {
        int why = errno;
        snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port,
                 strerror(why));
        if (ls >= 0)
            close(ls);
        freeaddrinfo(res);
        return why == EADDRINUSE ? RR_ERR_BUSY : RR_ERR_IO;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(ls, (struct sockaddr *)&ss, &sl);
    char hbuf[256], pbuf[32], addr[300];
    getnameinfo((struct sockaddr *)&ss, sl, hbuf, sizeof hbuf, pbuf, sizeof pbuf,
                NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(addr, sizeof addr, strchr(hbuf, ':') ? "tcp:[%s]:%s" : "tcp:%s:%s", hbuf, pbuf);
    if (ready)
        ready(addr, arg);
    while (!*stop) {
        struct pollfd pf = {ls, POLLIN, 0};
        int pr = poll(&pf, 1, 20);
        if (pr <= 0) {
            rr_emu_tick(e);
            continue;
        }
        int c = accept(ls, NULL, NULL);
        if (c < 0)
            continue;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        serve_fd(e, c, false, stop);
        close(c);
    }
    close(ls);
    return RR_OK;
}

/* A raw-mode pty whose slave is linked at path (replacing the link atomically). */
static int make_pty(const char *link, int *slave_out, char *err, size_t errlen)
{
    struct stat sb;
    if (lstat(link, &sb) == 0 && !S_ISLNK(sb.st_mode)) { /* never clobber a file */
        snprintf(err, errlen, "%s exists and is not a symbolic link", link);
        return -1;
    }
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) {
        snprintf(err, errlen, "cannot create a pseudo-terminal: %s", strerror(errno));
        if (m >= 0)
            close(m);
        return -1;
    }
    const char *name = ptsname(m);
    int s = name ? open(name, O_RDWR | O_NOCTTY) : -1;
    struct termios tio;
    if (s < 0 || tcgetattr(s, &tio) != 0) {
        snprintf(err, errlen, "cannot open the pty slave: %s", strerror(errno));
        close(m);
        if (s >= 0)
            close(s);
        return -1;
    }
    /* Raw mode: no echo, no line editing, no CR/LF translation. */
    tio.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    tio.c_oflag &= ~(tcflag_t)OPOST;
    tio.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    tio.c_cflag |= CS8;
    tcsetattr(s, TCSANOW, &tio);
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", link, (long)getpid());
    unlink(tmp);
    if (symlink(name, tmp) != 0 || rename(tmp, link) != 0) {
        snprintf(err, errlen, "cannot link %s to %s: %s", link, name, strerror(errno));
        unlink(tmp);
        close(m);
        close(s);
        return -1;
    }
    fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
    *slave_out = s;
    return m;
}

rr_status rr_emu_serve_pty(rr_emu *e, const char *link, rr_emu_ready_fn ready, void *arg,
                           volatile sig_atomic_t *stop, char *err, size_t errlen)
{
    int slave = -1;
    int m = make_pty(link, &slave, err, errlen);
    if (m < 0)
        return RR_ERR_IO;
    char addr[1100];
    snprintf(addr, sizeof addr, "serial:%s", link);
    if (ready)
        ready(addr, arg);
    /* The emulator keeps the slave open too, so the pty lives on between
     * clients; a disconnect fault replaces the pty behind the link. */
    while (!*stop) {
        serve_end how = serve_fd(e, m, true, stop);
        if (how != SERVE_DISCONNECT)
            break;
        close(m);
        close(slave);
        m = make_pty(link, &slave, err, errlen);
        if (m < 0)
            return RR_ERR_IO;
    }
    close(m);
    close(slave);
    unlink(link);
    return RR_OK;
}
