/* linedma.c - the DMA line protocol v1.1 driver behind the instrument
 * vtable, and the replay instrument that plays a transcript back through the
 * same protocol code.
 *
 * Each vtable callback is one command (osc_set is two, set_strain reads the
 * clock first, strain_t0 may poll, advance and acq_stop poll the sample
 * buffer).  The exchange rules:
 *  - every command line gets exactly one answer line;
 *  - a query that times out or gets garbage is retried once, after the line
 *    is drained (a late answer that arrives while draining is accepted);
 *    except ACQ:DATA? and SYST:ERR?, which remove what they report: a
 *    retry would return the next batch or entry, so they are never asked
 *    twice; a lost batch of samples is counted from the gap in the sample
 *    times and reported (STAT? bit 7 through get_status, or an error where
 *    the engine would not look), a lost error entry is reported;
 *  - a set command is never retried: its failure is reported;
 *  - once the link is lost (closed, port error, silence after a retry) every
 *    call fails at once with RR_ERR_LINK, except reset(), which reconnects
 *    once to reach the safe state.
 * Every line sent and received, timeouts and link failures go to the
 * transcript (transcript.h); the replay reads the same records back.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instrument.h"
#include "linedma/lineproto.h"
#include "linedma/transcript.h"
#include "linedma/transport.h"

#define POLL_INTERVAL_S 0.1  /* longest wait inside advance() */
/* Samples asked per ACQ:DATA?: what one garbled answer can cost at most
 * (2 s at 100 Hz; ~9 kB, 0.8 s on the wire at 115200 baud). */
#define DATA_BATCH 200
#define DRAIN_QUIET_S 0.1    /* the line is resynchronised after this silence */
#define MAX_ANSWER 4000000   /* bytes; a longer "line" is garbage */
#define RST_MIN_S 10.0       /* the protocol's lost-link time for *RST */
#define STEP_DONE_S 0.05     /* a STRN:SET step is done within 50 ms */
#define T0_POLL_S 0.005      /* wall time between STRN:T0? polls */
#define T0_MAX_POLLS 1000    /* a device clock that stops cannot hang it */

enum fetch_mode {
    FETCH_RUN,  /* advance(): the engine reads the status next */
    FETCH_STOP, /* acq_stop(): it does not, so a loss here is an error */
    FETCH_RESET /* reset(): the run is ending; nothing after a loss is taken */
};

/* One replay record, held in memory. */
typedef struct replay_rec {
    char dir;
    int lineno;
    char *payload;
    size_t len;
} replay_rec;

typedef struct dev {
    /* live: a byte link; replay: records */
    rr_link *link;
    rr_conn conn;
    replay_rec *rec;
    size_t nrec, irec;
    char replay_path[512];
    bool replay_broken;

    rr_transcript *tr;
    char *rx;              /* bytes received, not yet a full line */
    size_t rx_len, rx_cap;
    char *line;            /* the last line received (NUL-terminated) */
    size_t line_len, line_cap;

    double timeout_s, rst_timeout_s;
    double answer_window_s;    /* the device's answer time plus the line's */
    int (*interrupted)(void);  /* while opening: give up when it says so */
    bool link_dead, timed_out; /* timed_out: the last exchange got no answer */
    char link_reason[300];     /* why the link failed (live or replayed) */
    char err[600];

    /* acquisition */
    rr_sample *q;          /* local FIFO of fetched samples (ring) */
    size_t q_head, q_len, q_cap;
    rr_sample *scratch;    /* one ACQ:DATA? answer */
    bool sampling, fetch_pending;
    double acq_rate_Hz;

    /* device clock as seen from the host */
    bool have_time;
    double dev_t_s, wall_t_s, rate; /* device seconds per wall second */
    unsigned latched_bits;          /* overflow seen inside advance() */
    bool fault_pending;             /* a STAT? fault to report next advance() */
    bool real_time;

    /* sample losses: a garbled or missing ACQ:DATA? answer, an overflow */
    bool have_last;        /* last_t: the newest sample fetched since ACQ:START */
    double last_t;
    bool loss_open;        /* a loss whose size the next sample tells */
    bool loss_overflow;    /* ... caused (also) by an overflow */
    double loss_from_t;    /* last_t when it began (NAN: none yet) */
    char loss_why[160];
    bool loss_unread;      /* reported (bit 7), get_status has not said so yet */
    char loss_msg[600];

    /* the last strain step, until STRN:T0? is known to tell its time */
    bool step_pending;
    double step_t_before;  /* device time read before STRN:SET */
} dev;

static void seterr(dev *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, sizeof d->err, fmt, ap);
    va_end(ap);
}

/* ---- line I/O: live link or replay ------------------------------------ */

static rr_status io_send(dev *d, const char *cmd)
{
    size_t len = strlen(cmd);
    if (d->rec) {
        while (d->irec < d->nrec && d->rec[d->irec].dir == '!' &&
               strncmp(d->rec[d->irec].payload, "note", 4) == 0)
            d->irec++;
        rr_transcript_record(d->tr, '>', cmd, len); /* the replay's own record */
        if (d->irec >= d->nrec) {
            seterr(d, "replay %s: the transcript ends, but the run sends '%s'",
                   d->replay_path, cmd);
            d->replay_broken = true;
            return RR_ERR_LINK;
        }
        replay_rec *r = &d->rec[d->irec];
        if (r->dir != '>' || r->len != len || memcmp(r->payload, cmd, len) != 0) {
            seterr(d, "replay %s:%d: mismatch: the run sends '%s' but the transcript %s '%s'",
                   d->replay_path, r->lineno, cmd,
                   r->dir == '>' ? "sent" : r->dir == '<' ? "received" : "has",
                   r->payload);
            d->replay_broken = true;
            return RR_ERR_PARSE;
        }
        d->irec++;
        return RR_OK;
    }
    rr_transcript_record(d->tr, '>', cmd, len);
    char buf[RR_LP_MAX_LINE + 8];
    snprintf(buf, sizeof buf, "%s\n", cmd);
    rr_status st = rr_link_write(d->link, buf, len + 1, d->timeout_s);
    if (st != RR_OK) {
        /* Recorded like a failed read, so a replay gives the same message. */
        char msg[400];
        snprintf(d->link_reason, sizeof d->link_reason, "%s", rr_link_error(d->link));
        snprintf(msg, sizeof msg, "link %s", d->link_reason);
        rr_transcript_record(d->tr, '!', msg, strlen(msg));
        seterr(d, "connection lost during '%s' (%s)", cmd, d->link_reason);
        d->link_dead = true;
        return RR_ERR_LINK;
    }
    return st;
}

static rr_status keep_line(dev *d, const char *s, size_t n)
{
    if (n + 1 > d->line_cap) {
        char *p = realloc(d->line, n + 1);
        if (!p)
            return RR_ERR_NOMEM;
        d->line = p;
        d->line_cap = n + 1;
    }
    memcpy(d->line, s, n);
    d->line[n] = '\0';
    d->line_len = n;
    return RR_OK;
}

/* Receives one line into d->line, waiting at most timeout_s of silence.
 * RR_OK, RR_ERR_TIMEOUT or RR_ERR_LINK. */
static rr_status io_recv(dev *d, double timeout_s)
{
    if (d->rec) {
        while (d->irec < d->nrec && d->rec[d->irec].dir == '!' &&
               strncmp(d->rec[d->irec].payload, "note", 4) == 0)
            d->irec++;
        if (d->irec >= d->nrec) {
            seterr(d, "replay %s: the transcript ends while the run waits for an answer",
                   d->replay_path);
            d->replay_broken = true;
            return RR_ERR_LINK;
        }
        replay_rec *r = &d->rec[d->irec];
        if (r->dir == '>') {
            seterr(d, "replay %s:%d: mismatch: the run waits for an answer but the "
                   "transcript sends '%s'", d->replay_path, r->lineno, r->payload);
            d->replay_broken = true;
            return RR_ERR_PARSE;
        }
        d->irec++;
        rr_transcript_record(d->tr, r->dir, r->payload, r->len);
        if (r->dir == '<')
            return keep_line(d, r->payload, r->len);
        if (strncmp(r->payload, "timeout", 7) == 0)
            return RR_ERR_TIMEOUT;
        /* "link REASON": the live run lost its link here */
        snprintf(d->link_reason, sizeof d->link_reason, "%s",
                 strncmp(r->payload, "link ", 5) == 0 ? r->payload + 5 : r->payload);
        seterr(d, "%s", d->link_reason);
        d->link_dead = true; /* as the live run's was: nothing more is sent */
        return RR_ERR_LINK;
    }
    double deadline = rr_mono_s() + timeout_s;
    for (;;) {
        char *nl = d->rx_len ? memchr(d->rx, '\n', d->rx_len) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - d->rx);
            size_t keep = n;
            if (keep && d->rx[keep - 1] == '\r')
                keep--;
            rr_status st = keep_line(d, d->rx, keep);
            memmove(d->rx, nl + 1, d->rx_len - n - 1);
            d->rx_len -= n + 1;
            if (st != RR_OK)
                return st;
            rr_transcript_record(d->tr, '<', d->line, d->line_len);
            return RR_OK;
        }
        if (d->rx_len >= MAX_ANSWER) {
            /* Not a line the protocol could send: hand it over as garbage. */
            rr_status st = keep_line(d, d->rx, 200);
            d->rx_len = 0;
            rr_transcript_record(d->tr, '<', d->line, d->line_len);
            return st;
        }
        if (d->rx_cap - d->rx_len < 65536) {
            size_t cap = d->rx_cap ? d->rx_cap * 2 : 131072;
            char *p = realloc(d->rx, cap);
            if (!p)
                return RR_ERR_NOMEM;
            d->rx = p;
            d->rx_cap = cap;
        }
        double left = deadline - rr_mono_s();
        if (left <= 0) {
            rr_transcript_record(d->tr, '!', "timeout", 7);
            return RR_ERR_TIMEOUT;
        }
        size_t got;
        /* While opening, in slices: a Ctrl-C must not wait out a silent
         * device (an answer timeout, a retry, the drain: seconds). */
        double slice = d->interrupted ? fmin(left, 0.1) : left;
        rr_status st = rr_link_read(d->link, d->rx + d->rx_len, d->rx_cap - d->rx_len,
                                    slice, &got);
        if (st == RR_ERR_TIMEOUT && slice < left) {
            if (d->interrupted()) {
                seterr(d, "interrupted while waiting for the device");
                return RR_ERR_ABORTED;
            }
            continue;
        }
        if (st == RR_OK) {
            /* The timeout is for silence: a long answer (1000 samples is
             * ~45 kB, 4 s at 115200 baud) may take longer as a whole. */
            d->rx_len += got;
            deadline = rr_mono_s() + timeout_s;
            continue;
        }
        if (st == RR_ERR_TIMEOUT) {
            rr_transcript_record(d->tr, '!', "timeout", 7);
            return st;
        }
        char msg[400];
        snprintf(d->link_reason, sizeof d->link_reason, "%s", rr_link_error(d->link));
        snprintf(msg, sizeof msg, "link %s", d->link_reason);
        rr_transcript_record(d->tr, '!', msg, strlen(msg));
        seterr(d, "%s", d->link_reason);
        d->link_dead = true;
        return RR_ERR_LINK;
    }
}

/* Resynchronises the line: waits up to first_wait_s for a (late) line, then
 * reads on until DRAIN_QUIET_S of silence.  Returns true when the first line
 * that arrived is left in d->line. */
static bool drain(dev *d, double first_wait_s)
{
    bool first = false, any = false;
    char *saved = NULL;
    size_t saved_len = 0;
    for (int i = 0; i < 1000; i++) {
        rr_status st = io_recv(d, any ? DRAIN_QUIET_S : first_wait_s);
        if (st != RR_OK)
            break;
        if (!any) {
            saved = malloc(d->line_len + 1);
            if (saved) {
                memcpy(saved, d->line, d->line_len + 1);
                saved_len = d->line_len;
                first = true;
            }
        }
        any = true;
    }
    d->rx_len = 0; /* a partial line is garbage too */
    if (first)
        keep_line(d, saved, saved_len);
    free(saved);
    return first && !d->link_dead;
}

/* ---- exchanges --------------------------------------------------------- */

static rr_status map_err(dev *d, const char *cmd, const rr_lp_response *r)
{
    seterr(d, "device refused '%s': ERR %d \"%s\"", cmd, r->err_code, r->text);
    switch (r->err_code) {
    case -222: return RR_ERR_RANGE;
    case -221: return RR_ERR_STATE;
    case -230: return RR_ERR_NOT_READY;
    case 301: case 302: return RR_ERR_LIMIT;
    case 310:
        seterr(d, "overload (ERR 310 to '%s')", cmd);
        return RR_ERR_INSTRUMENT;
    case 311:
        seterr(d, "sample broken (ERR 311 to '%s')", cmd);
        return RR_ERR_INSTRUMENT;
    case 320:
        seterr(d, "heater fault (ERR 320 to '%s')", cmd);
        return RR_ERR_INSTRUMENT;
    default: /* -100 ... -224: the device would not run the command */
        return RR_ERR_INSTRUMENT;
    }
}

/* A garbage line for a message: at most ~80 bytes, others as \xHH. */
static void printable(char *dst, size_t cap, const char *src, size_t len)
{
    size_t k = 0;
    for (size_t i = 0; i < len && k + 5 < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            dst[k++] = (char)c;
        else
            k += (size_t)snprintf(dst + k, cap - k, "\\x%02x", c);
    }
    dst[k] = '\0'; /* k <= cap - 2: each byte adds at most 4 */
}

/* Sends cmd and parses its answer into r (samples into d->scratch).
 * Queries are retried once after a timeout or garbage; set commands not.
 * once: a query that removes what it reports (ACQ:DATA?, SYST:ERR?) is
 * not retried either: garbage gives RR_ERR_PARSE, no answer (not even a
 * late one while draining) RR_ERR_TIMEOUT, the line drained and the link
 * kept; the caller accounts for what was lost. */
static rr_status exchange_t(dev *d, const char *cmd, rr_lp_expect ex, size_t nv,
                            rr_lp_response *r, double timeout_s, bool once)
{
    bool query = ex != RR_LP_EXPECT_OK, garbage = false;
    char shown[96] = "";
    memset(r, 0, sizeof *r);
    if (d->replay_broken)
        return RR_ERR_PARSE;
    if (d->link_dead) {
        seterr(d, "'%s' not sent: the link to the instrument was lost before", cmd);
        return RR_ERR_LINK;
    }
    for (int attempt = 0; attempt < (query && !once ? 2 : 1); attempt++) {
        if (attempt)
            rr_transcript_note(d->tr, "retrying '%s'", cmd);
        rr_status st = io_send(d, cmd);
        if (st != RR_OK)
            return st;
        st = io_recv(d, timeout_s);
        if (st == RR_ERR_TIMEOUT) {
            d->timed_out = true;
            rr_transcript_note(d->tr, "no answer to '%s' within %.3g s", cmd, timeout_s);
            if (!query) {
                /* Absorb a late answer so the next command starts clean,
                 * but do not trust the step: the run ends on it. */
                bool late = drain(d, d->timeout_s);
                seterr(d, "no answer to '%s' within %.3g s%s (not retried: a set "
                       "command is not safe to repeat)", cmd, timeout_s,
                       late ? "; it came late" : "");
                return d->link_dead ? RR_ERR_LINK : RR_ERR_TIMEOUT;
            }
            if (attempt == 0 && drain(d, timeout_s)) {
                rr_transcript_note(d->tr, "late answer to '%s' accepted", cmd);
                st = RR_OK;
            } else if (d->link_dead) {
                return RR_ERR_LINK;
            } else if (once) {
                seterr(d, "no answer to '%s' within %.3g s (not asked again: it removes "
                       "what it reports)", cmd, timeout_s);
                return RR_ERR_TIMEOUT;
            } else {
                garbage = false;
                seterr(d, "no answer to '%s' within %.3g s", cmd, timeout_s);
                continue;
            }
        }
        if (st != RR_OK) {
            if (st == RR_ERR_LINK)
                seterr(d, "connection lost during '%s' (%s)", cmd, d->link_reason);
            return st;
        }
        d->timed_out = false;
        if (rr_lp_parse_response(d->line, d->line_len, ex, nv, d->scratch, DATA_BATCH, r) ==
            RR_OK)
            return r->kind == RR_LP_ERR ? map_err(d, cmd, r) : RR_OK;
        garbage = true;
        printable(shown, sizeof shown, d->line, d->line_len);
        rr_transcript_note(d->tr, "garbage answer to '%s'", cmd);
        seterr(d, "garbage answer to '%s': '%s'", cmd, shown);
        drain(d, DRAIN_QUIET_S);
        if (d->link_dead)
            return RR_ERR_LINK;
        if (!query) {
            seterr(d, "garbage answer to '%s': '%s' (not retried: a set command is "
                   "not safe to repeat)", cmd, shown);
            return RR_ERR_LINK;
        }
        if (once)
            return RR_ERR_PARSE;
    }
    if (garbage) {
        seterr(d, "garbage answers to '%s', also after one retry (last: '%s'): "
               "the line is unreliable", cmd, shown);
        return RR_ERR_LINK;
    }
    d->link_dead = true;
    seterr(d, "no answer to '%s' within %.3g s, also after one retry: the device is silent",
           cmd, timeout_s);
    return RR_ERR_TIMEOUT;
}

static rr_status exchange(dev *d, const char *cmd, rr_lp_expect ex, size_t nv,
                          rr_lp_response *r)
{
    return exchange_t(d, cmd, ex, nv, r, d->timeout_s, false);
}

/* A set command: answer OK. */
static rr_status set_cmd(dev *d, const char *cmd)
{
    rr_lp_response r;
    return exchange(d, cmd, RR_LP_EXPECT_OK, 0, &r);
}

/* "HEADER value" with the shortest text that reads back exactly. */
static rr_status set_num(dev *d, const char *header, double v)
{
    char cmd[96];
    if (!isfinite(v)) {
        seterr(d, "%s: value is not a finite number", header);
        return RR_ERR_ARG;
    }
    snprintf(cmd, sizeof cmd, "%s %.15g", header, v);
    if (strtod(strchr(cmd, ' ') + 1, NULL) != v)
        snprintf(cmd, sizeof cmd, "%s %.17g", header, v);
    return set_cmd(d, cmd);
}

static rr_status query_nums(dev *d, const char *cmd, size_t n, double *v)
{
    rr_lp_response r;
    rr_status st = exchange(d, cmd, RR_LP_EXPECT_NUMBERS, n, &r);
    if (st == RR_OK)
        memcpy(v, r.values, n * sizeof *v);
    return st;
}

/* STAT? as a status word (16 bits at most). */
static rr_status query_status(dev *d, unsigned *bits)
{
    double v;
    rr_status st = query_nums(d, "STAT?", 1, &v);
    if (st != RR_OK)
        return st;
    if (v < 0 || v != floor(v) || v > 65535) {
        seterr(d, "STAT? answered '%s', not a status word", d->line);
        return RR_ERR_PARSE;
    }
    *bits = (unsigned)v;
    return RR_OK;
}

/* ---- the local sample queue ------------------------------------------ */

static rr_status q_push(dev *d, const rr_sample *s, size_t n)
{
    if (d->q_len + n > d->q_cap) {
        size_t cap = d->q_cap ? d->q_cap : 4096;
        while (cap < d->q_len + n)
            cap *= 2;
        rr_sample *p = malloc(cap * sizeof *p);
        if (!p)
            return RR_ERR_NOMEM;
        for (size_t i = 0; i < d->q_len; i++)
            p[i] = d->q[(d->q_head + i) % d->q_cap];
        free(d->q);
        d->q = p;
        d->q_cap = cap;
        d->q_head = 0;
    }
    for (size_t i = 0; i < n; i++) {
        d->q[(d->q_head + d->q_len) % d->q_cap] = s[i];
        d->q_len++;
    }
    return RR_OK;
}

/* ---- sample losses ------------------------------------------------------ */

/* A loss began: an ACQ:DATA? answer was garbled or never came (the
 * samples it removed are gone), or the device's buffer overflowed.  How
 * many samples is told by the next sample's time; one gap is one loss. */
static void loss_begin(dev *d, bool overflow, const char *why)
{
    rr_transcript_note(d->tr, "samples lost: %s", why);
    d->loss_overflow |= overflow;
    if (d->loss_open)
        return;
    d->loss_open = true;
    d->loss_from_t = d->have_last ? d->last_t : NAN;
    snprintf(d->loss_why, sizeof d->loss_why, "%s", why);
}

/* Reports the open loss of n samples (-1: unknown; upper: at most n):
 * STAT? bit 7 from get_status, which the engine reads after every
 * advance() and records as a warning; the details in the message
 * (get_status' last_error). */
static void loss_report(dev *d, long n, bool upper, const char *how)
{
    char count[64], msg[sizeof d->loss_msg];
    if (n < 0)
        snprintf(count, sizeof count, "an unknown number of samples");
    else
        snprintf(count, sizeof count, "%s%ld sample%s", upper ? "up to " : "", n,
                 n == 1 ? "" : "s");
    snprintf(msg, sizeof msg, "%s lost: %s (%s)", count, d->loss_why, how);
    rr_transcript_note(d->tr, "%s", msg);
    if (d->loss_unread) { /* not read yet: both go out together */
        size_t k = strlen(d->loss_msg);
        snprintf(d->loss_msg + k, sizeof d->loss_msg - k, "; then %s", msg);
    } else {
        snprintf(d->loss_msg, sizeof d->loss_msg, "%s", msg);
    }
    d->latched_bits |= RR_STAT_OVERFLOW;
    d->loss_unread = true;
    d->loss_open = d->loss_overflow = false;
}

/* Whole sample periods missing between two sample times on the grid of
 * the rate set (-1: the rate or the start is unknown). */
static long grid_missing(const dev *d, double from_t, double to_t)
{
    if (!(d->acq_rate_Hz > 0) || isnan(from_t))
        return -1;
    double k = floor((to_t - from_t) * d->acq_rate_Hz + 0.5) - 1;
    return k <= 0 ? 0 : k > 1e9 ? 1000000000L : (long)k;
}

/* Queues the n samples of d->scratch; the first one after a loss tells its
 * size. */
static rr_status take_samples(dev *d, size_t n)
{
    if (n == 0)
        return RR_OK;
    const rr_sample *s = d->scratch;
    if (d->loss_open) {
        long k = grid_missing(d, d->loss_from_t, s[0].t_s);
        char how[200];
        if (k == 0 && !d->loss_overflow) {
            /* The lost answer held nothing: the grid has no hole. */
            rr_transcript_note(d->tr, "no sample missing after all (%.6f s follows %.6f s "
                               "at %g Hz)", s[0].t_s, d->loss_from_t, d->acq_rate_Hz);
            d->loss_open = false;
        } else {
            if (isnan(d->loss_from_t))
                snprintf(how, sizeof how, "before the sample at %.6f s%s", s[0].t_s,
                         d->loss_overflow ? "; the device's SYST:ERR? 350 entry counts them"
                                          : "");
            else
                snprintf(how, sizeof how, "the gap in the sample times from %.6f s to %.6f s "
                         "at %g Hz", d->loss_from_t, s[0].t_s, d->acq_rate_Hz);
            loss_report(d, k == 0 ? -1 : k, false, how);
        }
    }
    rr_status st = q_push(d, s, n);
    if (st != RR_OK)
        return st;
    d->have_last = true;
    d->last_t = s[n - 1].t_s;
    return RR_OK;
}

/* ACQ:DATA? until the device buffer is empty (at most what it can hold),
 * each preceded by a STAT?, since ACQ:DATA? clears the overflow bit (bits0:
 * the STAT? the caller has just read, for the first one).  ACQ:DATA? is
 * never asked twice for one batch: after a garbled or missing answer the
 * next batch is asked and the hole counted (take_samples). */
static rr_status fetch_samples(dev *d, enum fetch_mode mode, const unsigned *bits0)
{
    char cmd[32];
    snprintf(cmd, sizeof cmd, "ACQ:DATA? %d", DATA_BATCH);
    int failed = 0; /* answers lost in a row */
    if (mode == FETCH_RESET && d->loss_open) {
        rr_transcript_note(d->tr, "samples lost before: the rest is left to *RST, so the "
                           "data keeps no hole");
        return RR_OK;
    }
    for (int i = 0; i <= RR_LP_DEVICE_BUFFER / DATA_BATCH + 2; i++) {
        unsigned bits;
        rr_status st = RR_OK;
        if (i == 0 && bits0)
            bits = *bits0;
        else if ((st = query_status(d, &bits)) != RR_OK)
            return st;
        if (bits & RR_STAT_OVERFLOW) {
            if (mode == FETCH_RESET) { /* what is left starts after a hole: leave it */
                rr_transcript_note(d->tr, "the device's buffer overflowed: the rest is left "
                                   "to *RST, so the data keeps no hole");
                return RR_OK;
            }
            loss_begin(d, true, "the device's sample buffer overflowed (STAT? bit 7)");
        }
        rr_lp_response r;
        st = exchange_t(d, cmd, RR_LP_EXPECT_SAMPLES, 0, &r, d->timeout_s, true);
        if ((st == RR_ERR_PARSE || st == RR_ERR_TIMEOUT) && !d->replay_broken &&
            !d->link_dead) {
            char why[sizeof d->loss_why];
            snprintf(why, sizeof why, "the answer to '%s' %s", cmd,
                     st == RR_ERR_PARSE ? "was garbled" : "never came");
            if (mode == FETCH_RESET) {
                rr_transcript_note(d->tr, "%s: the rest is left to *RST, so the data keeps "
                                   "no hole", why);
                return RR_OK;
            }
            if (++failed == 2) {
                char keep[sizeof d->err];
                memcpy(keep, d->err, sizeof keep);
                seterr(d, "%.400s, and the next one too: the line is unreliable", keep);
                return RR_ERR_LINK;
            }
            loss_begin(d, false, why);
            continue;
        }
        if (st != RR_OK)
            return st;
        failed = 0;
        if ((st = take_samples(d, r.nsamples)) != RR_OK)
            return st;
        if (r.nsamples < DATA_BATCH)
            break;
    }
    if (!d->sampling)
        d->fetch_pending = false;
    return RR_OK;
}

/* ---- the strain step ---------------------------------------------------- */

static rr_status dma_now(void *ctx, double *t_s);

/* Waits until STRN:T0? tells the time of a step sent after device time
 * t_before (OK may come before the step is done).  after_s: a device time
 * read after the step's OK, or NAN (then one is read at the first miss):
 * the step is done by after_s + 50 ms, so a STRN:T0? read later that is
 * still older is a step that did not reach its target. */
static rr_status await_t0(dev *d, double t_before, double after_s, double *t0)
{
    double done_by = isnan(after_s) ? NAN : after_s + STEP_DONE_S, v = NAN, now = after_s;
    rr_status st;
    for (int i = 0; i < T0_MAX_POLLS; i++) {
        bool last = false;
        if (!isnan(done_by) && i > 0) { /* (after_s is the clock for the first) */
            if ((st = dma_now(d, &now)) != RR_OK)
                return st;
            last = now >= done_by;
        }
        if ((st = query_nums(d, "STRN:T0?", 1, &v)) != RR_OK)
            return st;
        if (v >= t_before) {
            *t0 = v;
            return RR_OK;
        }
        if (last) {
            seterr(d, "STRN:T0? is still %.6f s at %.6f s, before the step sent after %.6f s "
                   "(a step is done within 50 ms): the strain did not reach its target",
                   v, now, t_before);
            return RR_ERR_INSTRUMENT;
        }
        if (isnan(done_by)) {
            if ((st = dma_now(d, &now)) != RR_OK)
                return st;
            done_by = now + STEP_DONE_S;
        }
        if (!d->rec)
            rr_sleep_s(T0_POLL_S);
    }
    seterr(d, "STRN:T0? still %.6f s, before the step sent after %.6f s, and the device "
           "clock stands still at %.6f s", v, t_before, now);
    return RR_ERR_INSTRUMENT;
}

/* ---- vtable ------------------------------------------------------------ */

static rr_status dma_identify(void *ctx, char *buf, size_t len)
{
    dev *d = ctx;
    rr_lp_response r;
    rr_status st = exchange(d, "*IDN?", RR_LP_EXPECT_TEXT, 0, &r);
    if (st == RR_OK && buf && len)
        snprintf(buf, len, "%s", r.text);
    return st;
}

/* The line that starts a connection: it ends whatever partial line the
 * device holds, and no command contains '#', so the two make a line that
 * is refused (an ERR), never run: an empty line would have completed a
 * stray "STRN:SET 0.01" into a strain step. */
#define RESYNC_LINE "#"

/* Starts the line afresh, on connect and after reconnecting: RESYNC_LINE,
 * whose ERR comes within the device's answer time, as may stale output:
 * both are drained for that long.  Then *IDN?: every line gets exactly one
 * answer, so an ERR that still comes first may be the resync line's (later
 * than the protocol allows): if another line follows at once, that is the
 * answer to *IDN?. */
static rr_status resync(dev *d, char *idn, size_t len)
{
    rr_status st = io_send(d, RESYNC_LINE);
    if (st != RR_OK)
        return st;
    drain(d, d->answer_window_s);
    rr_lp_response r;
    st = exchange(d, "*IDN?", RR_LP_EXPECT_TEXT, 0, &r);
    if (st != RR_OK && r.kind == RR_LP_ERR && !d->link_dead && !d->replay_broken) {
        char first[sizeof d->err];
        memcpy(first, d->err, sizeof first);
        rr_status s2 = io_recv(d, d->timeout_s);
        if (s2 == RR_OK && rr_lp_parse_response(d->line, d->line_len, RR_LP_EXPECT_TEXT, 0,
                                                NULL, 0, &r) == RR_OK) {
            if (r.kind == RR_LP_TEXT) {
                rr_transcript_note(d->tr, "the ERR before it answered stray bytes on the line");
                d->err[0] = '\0';
                st = RR_OK;
            } else { /* two ERR lines: the second is the answer to *IDN? */
                st = map_err(d, "*IDN?", &r);
            }
        } else if (s2 == RR_OK) {
            printable(first, sizeof first, d->line, d->line_len);
            seterr(d, "garbage answer to '*IDN?': '%s'", first);
            st = RR_ERR_LINK;
        } else if (s2 == RR_ERR_LINK) {
            st = s2;
        } else {
            memcpy(d->err, first, sizeof first); /* it was *IDN?'s own answer */
        }
    }
    if (st == RR_OK && idn && len)
        snprintf(idn, len, "%s", r.text);
    return st;
}

static rr_status dma_get_limits(void *ctx, rr_limits *out)
{
    double v[6];
    rr_status st = query_nums(ctx, "SYST:LIM?", 6, v);
    if (st != RR_OK)
        return st;
    *out = (rr_limits){.temp_min_K = v[0], .temp_max_K = v[1], .strain_max = v[2],
                       .rate_max_K_per_min = v[3], .freq_min_Hz = v[4], .freq_max_Hz = v[5]};
    return RR_OK;
}

/* After *RST: a fresh device. */
static void forget_device_state(dev *d)
{
    d->sampling = d->fetch_pending = false;
    d->have_time = false;
    d->have_last = d->loss_open = d->loss_overflow = false;
    d->step_pending = false;
}

/* The safe state: *RST, or every step of it that still works. */
static rr_status dma_reset(void *ctx)
{
    dev *d = ctx;
    if (d->replay_broken)
        return RR_ERR_PARSE;
    bool reconnected = false;
    if (d->link_dead && d->rec) {
        /* Replay: reconnected iff the live run was (its resync line follows). */
        size_t i = d->irec;
        while (i < d->nrec && d->rec[i].dir == '!' && strncmp(d->rec[i].payload, "note", 4) == 0)
            i++;
        if (i < d->nrec && d->rec[i].dir == '>' && d->rec[i].len == strlen(RESYNC_LINE) &&
            memcmp(d->rec[i].payload, RESYNC_LINE, d->rec[i].len) == 0) {
            d->irec = i;
            d->link_dead = false;
            reconnected = true;
        }
    } else if (d->link_dead) {
        /* One reconnection attempt: a cable glitch must not leave the
         * sample loaded.  The old link is closed first: a device may serve
         * one client at a time, and closing a port's other descriptor would
         * drop the new one's lock. */
        char e[300];
        rr_transcript_note(d->tr, "reconnecting to reach the safe state");
        rr_link_close(d->link);
        d->link = NULL;
        if (rr_link_open(&d->conn, d->timeout_s, &d->link, e, sizeof e) == RR_OK) {
            d->link_dead = false;
            d->rx_len = 0;
            reconnected = true;
        } else {
            d->link = NULL;
            rr_transcript_note(d->tr, "reconnection failed: %s", e);
        }
    }
    if (reconnected) {
        char idn[160];
        rr_status s0 = resync(d, idn, sizeof idn);
        if (s0 == RR_ERR_TIMEOUT && d->link_dead) {
            /* Silent still.  It may hear without being heard (a broken
             * wire): *RST anyway, without waiting out another timeout. */
            char first[sizeof d->err];
            memcpy(first, d->err, sizeof first);
            io_send(d, "*RST");
            d->sampling = false;
            seterr(d, "safe state not confirmed: after reconnecting, %.400s; *RST sent "
                   "anyway, unanswered", first);
            return RR_ERR_TIMEOUT;
        }
        if (s0 == RR_OK)
            d->timed_out = false;
    }
    /* Keep what the device still buffers: *RST clears it.  Not from a
     * device that just went silent (that would only add waiting). */
    if ((d->sampling || d->fetch_pending) && !d->link_dead && !d->timed_out) {
        char keep[sizeof d->err];
        memcpy(keep, d->err, sizeof keep);
        if (fetch_samples(d, FETCH_RESET, NULL) != RR_OK)
            rr_transcript_note(d->tr, "samples still in the device could not be fetched");
        memcpy(d->err, keep, sizeof keep);
    }
    char first[600] = "";
    rr_lp_response r;
    rr_status st = exchange_t(d, "*RST", RR_LP_EXPECT_OK, 0, &r, d->rst_timeout_s, false);
    if (st == RR_OK) {
        forget_device_state(d);
        return RR_OK;
    }
    snprintf(first, sizeof first, "%s", d->err);
    if (st == RR_ERR_TIMEOUT) {
        /* A device silent even to *RST: later calls fail at once instead of
         * waiting out more timeouts. */
        d->link_dead = true;
        d->sampling = false;
        seterr(d, "safe state not confirmed: %.400s; the device is silent", first);
        return st;
    }
    static const char *const steps[] = {"OSC:OFF", "ACQ:STOP", "STRN:SET 0", "TEMP:STBY"};
    char done[128] = "";
    for (size_t i = 0; i < 4 && !d->link_dead && st != RR_ERR_TIMEOUT; i++) {
        rr_status s2 = set_cmd(d, steps[i]);
        if (s2 == RR_OK) {
            strcat(done, done[0] ? ", " : "");
            strcat(done, steps[i]);
        } else if (s2 == RR_ERR_TIMEOUT) {
            break;
        }
    }
    d->sampling = false;
    seterr(d, "safe state not confirmed: %.400s; steps that worked: %s", first,
           done[0] ? done : "none");
    return st;
}

static rr_status dma_now(void *ctx, double *t_s)
{
    dev *d = ctx;
    double v;
    rr_status st = query_nums(d, "SYST:TIME?", 1, &v);
    if (st == RR_OK) {
        double wall = rr_mono_s();
        /* Learn how fast the device clock runs (an emulator may run fast). */
        if (d->have_time && v >= d->dev_t_s && wall - d->wall_t_s > 0.05) {
            double rate = (v - d->dev_t_s) / (wall - d->wall_t_s);
            if (rate > 0)
                d->rate = d->rate > 0 ? 0.5 * (d->rate + rate) : rate;
        }
        if (!d->have_time || v < d->dev_t_s || wall - d->wall_t_s > 0.05) {
            d->dev_t_s = v;
            d->wall_t_s = wall;
        }
        d->have_time = true;
        *t_s = v;
    }
    return st;
}

static rr_status dma_advance(void *ctx, double t_s, double *now_s)
{
    dev *d = ctx;
    if (d->fault_pending) { /* reported now: its samples went out last call */
        d->fault_pending = false;
        return RR_ERR_INSTRUMENT;
    }
    if (d->real_time && d->have_time) {
        double est = d->dev_t_s + d->rate * (rr_mono_s() - d->wall_t_s);
        double wait = (t_s - est) / d->rate;
        rr_sleep_s(wait > POLL_INTERVAL_S ? POLL_INTERVAL_S : wait);
    }
    double now;
    rr_status st = dma_now(d, &now);
    if (st != RR_OK)
        return st;
    unsigned b;
    if ((st = query_status(d, &b)) != RR_OK)
        return st;
    if (b & RR_STAT_SAMPLING)
        d->sampling = true; /* also when a resumed run finds it sampling */
    size_t before = d->q_len;
    if (d->sampling || d->fetch_pending)
        if ((st = fetch_samples(d, FETCH_RUN, &b)) != RR_OK)
            return st;
    *now_s = now;
    if (b & RR_STAT_FAULTS) {
        d->latched_bits |= b & RR_STAT_FAULTS;
        seterr(d, "%s%s%s(STAT? %u)",
               b & RR_STAT_OVERLOAD ? "overload " : "",
               b & RR_STAT_BROKEN ? "sample broken " : "",
               b & RR_STAT_HEATER_FAULT ? "heater fault " : "", b);
        /* Samples fetched in this call go to the engine first (it drains
         * after a successful advance); the fault follows on the next call. */
        if (d->q_len > before) {
            d->fault_pending = true;
            return RR_OK;
        }
        return RR_ERR_INSTRUMENT;
    }
    return RR_OK;
}

static rr_status dma_get_status(void *ctx, unsigned *bits)
{
    dev *d = ctx;
    unsigned b;
    rr_status st = query_status(d, &b);
    if (st != RR_OK)
        return st;
    if ((b & RR_STAT_OVERFLOW) && (d->sampling || d->fetch_pending)) {
        /* The next fetch sees it too and tells how many: reported then,
         * once. */
        loss_begin(d, true, "the device's sample buffer overflowed (STAT? bit 7)");
        b &= ~(unsigned)RR_STAT_OVERFLOW;
    } else if (b & RR_STAT_OVERFLOW) {
        seterr(d, "the device's sample buffer overflowed: samples were lost");
    }
    /* A loss seen by advance() stays visible until the engine reads it. */
    *bits = b | d->latched_bits;
    if (d->loss_unread)
        seterr(d, "%s", d->loss_msg);
    d->latched_bits = 0;
    d->loss_unread = false;
    return RR_OK;
}

static rr_status dma_next_error(void *ctx, int *code, char *msg, size_t len)
{
    dev *d = ctx;
    rr_lp_response r;
    rr_status st = exchange_t(d, "SYST:ERR?", RR_LP_EXPECT_ERRQ, 0, &r, d->timeout_s, true);
    if ((st == RR_ERR_PARSE || st == RR_ERR_TIMEOUT) && !d->replay_broken && !d->link_dead) {
        /* SYST:ERR? removes the entry it reports: asking again would hand
         * out the next one and lose this one without a word. */
        char keep[sizeof d->err];
        memcpy(keep, d->err, sizeof keep);
        seterr(d, "%.400s: the device's oldest queued fault may have gone with it (not "
               "asked again: SYST:ERR? removes what it reports)", keep);
        rr_transcript_note(d->tr, "a queued fault of the device may be lost");
        if (msg && len)
            snprintf(msg, len, "a queued fault was lost: %s", d->err);
        return st == RR_ERR_PARSE ? RR_ERR_LINK : st;
    }
    if (st != RR_OK)
        return st;
    *code = r.err_code;
    if (msg && len)
        snprintf(msg, len, "%s", r.text);
    return RR_OK;
}

static rr_status dma_set_clamp(void *ctx, rr_clamp mode)
{
    char cmd[32];
    snprintf(cmd, sizeof cmd, "CONF:MODE %s", rr_clamp_word(mode));
    return set_cmd(ctx, cmd);
}

static rr_status dma_set_geometry(void *ctx, const rr_geometry *g)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "CONF:GEOM %.15g,%.15g,%.15g", g->length_mm, g->width_mm,
             g->thickness_mm);
    return set_cmd(ctx, cmd);
}

static rr_status dma_set_temp_rate(void *ctx, double r) { return set_num(ctx, "TEMP:RATE", r); }
static rr_status dma_set_temp(void *ctx, double T) { return set_num(ctx, "TEMP:SET", T); }
static rr_status dma_read_temp(void *ctx, double *T) { return query_nums(ctx, "TEMP?", 1, T); }
static rr_status dma_heater_standby(void *ctx) { return set_cmd(ctx, "TEMP:STBY"); }

/* STRN:SET, with the device time just before it, so that strain_t0 can
 * tell the step's STRN:T0? from the one before (OK may come before the
 * step is done).  A step still unconfirmed is awaited first (at most its
 * 50 ms), so that its late T0 cannot pass for this one's.  The step is
 * sent even when the clock cannot be read (an unload must go out). */
static rr_status dma_set_strain(void *ctx, double e)
{
    dev *d = ctx;
    double t_before = NAN, t0;
    rr_status st0 = dma_now(d, &t_before);
    if (st0 == RR_OK && d->step_pending) {
        if (await_t0(d, d->step_t_before, t_before, &t0) == RR_OK)
            st0 = dma_now(d, &t_before); /* after the step before's T0 */
        else
            rr_transcript_note(d->tr, "the step before did not tell its T0: %s", d->err);
    }
    d->step_pending = false;
    if (d->link_dead || d->replay_broken)
        return st0 != RR_OK ? st0 : RR_ERR_LINK;
    rr_status st = set_num(d, "STRN:SET", e);
    if (st == RR_OK && st0 == RR_OK) {
        d->step_pending = true;
        d->step_t_before = t_before;
    }
    return st != RR_OK ? st : st0;
}

static rr_status dma_read_strain(void *ctx, double *e) { return query_nums(ctx, "STRN?", 1, e); }

/* STRN:T0? of the last step: polled until it is not older than the step
 * (see await_t0). */
static rr_status dma_strain_t0(void *ctx, double *t)
{
    dev *d = ctx;
    if (!d->step_pending)
        return query_nums(d, "STRN:T0?", 1, t);
    d->step_pending = false;
    return await_t0(d, d->step_t_before, NAN, t);
}

static rr_status dma_read_stress(void *ctx, double *s) { return query_nums(ctx, "STRS?", 1, s); }

static rr_status dma_osc_set(void *ctx, double freq_Hz, double amplitude)
{
    rr_status st = set_num(ctx, "OSC:FREQ", freq_Hz);
    return st != RR_OK ? st : set_num(ctx, "OSC:AMPL", amplitude);
}

static rr_status dma_osc_enable(void *ctx, bool on)
{
    return set_cmd(ctx, on ? "OSC:ON" : "OSC:OFF");
}

static rr_status dma_osc_measure(void *ctx, rr_dynamic *out)
{
    double v[4];
    rr_status st = query_nums(ctx, "OSC:MEAS?", 4, v);
    if (st == RR_OK)
        *out = (rr_dynamic){.freq_Hz = v[0], .storage_MPa = v[1], .loss_MPa = v[2],
                            .tan_delta = v[3]};
    return st;
}

static rr_status dma_acq_set_rate(void *ctx, double hz)
{
    dev *d = ctx;
    rr_status st = set_num(d, "ACQ:RATE", hz);
    if (st == RR_OK)
        d->acq_rate_Hz = hz;
    return st;
}

static rr_status dma_acq_start(void *ctx)
{
    dev *d = ctx;
    rr_status st = set_cmd(d, "ACQ:START");
    if (st == RR_OK) {
        d->sampling = true;
        d->fetch_pending = false;
        d->q_len = d->q_head = 0; /* like the device: a fresh buffer */
        d->have_last = d->loss_open = d->loss_overflow = false;
    }
    return st;
}

/* ACQ:STOP and what is left in the device buffer.  The engine reads no
 * status after this, so a loss found here (or one not read yet) fails it,
 * after the samples are queued: no hole goes unreported. */
static rr_status dma_acq_stop(void *ctx)
{
    dev *d = ctx;
    rr_status st = set_cmd(d, "ACQ:STOP");
    if (st != RR_OK)
        return st;
    d->sampling = false;
    d->fetch_pending = true;
    if ((st = fetch_samples(d, FETCH_STOP, NULL)) != RR_OK)
        return st;
    if (d->loss_open) { /* no sample came after it: bounded by the clock */
        double now = NAN;
        char how[200];
        long k = -1;
        if (dma_now(d, &now) == RR_OK && d->acq_rate_Hz > 0 && !isnan(d->loss_from_t))
            k = (long)fmin(1e9, floor((now - d->loss_from_t) * d->acq_rate_Hz));
        snprintf(how, sizeof how, "no sample after %.6f s, and the clock at %.6f s after "
                 "ACQ:STOP", d->loss_from_t, now);
        loss_report(d, k, true, how);
    }
    if (d->loss_unread) {
        seterr(d, "%s", d->loss_msg);
        d->loss_unread = false;
        d->latched_bits &= ~(unsigned)RR_STAT_OVERFLOW;
        return RR_ERR_INSTRUMENT;
    }
    return RR_OK;
}

static rr_status dma_acq_read(void *ctx, rr_sample *buf, size_t max, size_t *n)
{
    dev *d = ctx;
    size_t k = d->q_len < max ? d->q_len : max;
    for (size_t i = 0; i < k; i++)
        buf[i] = d->q[(d->q_head + i) % d->q_cap];
    if (k) {
        d->q_head = (d->q_head + k) % d->q_cap;
        d->q_len -= k;
    }
    *n = k;
    return RR_OK;
}

static rr_status dma_sim_set(void *ctx, const char *key, double value)
{
    dev *d = ctx;
    (void)value;
    seterr(d, "'%s': only the simulator has such settings", key ? key : "");
    return RR_ERR_UNSUPPORTED;
}

static const char *dma_last_error(void *ctx)
{
    dev *d = ctx;
    return d->err[0] ? d->err : "no error";
}

static void dma_close(void *ctx)
{
    dev *d = ctx;
    if (!d)
        return;
    rr_link_close(d->link);
    rr_transcript_close(d->tr);
    for (size_t i = 0; i < d->nrec; i++)
        free(d->rec[i].payload);
    free(d->rec);
    free(d->rx);
    free(d->line);
    free(d->q);
    free(d->scratch);
    free(d);
}

#define DMA_OPS_COMMON                                                                 \
    .identify = dma_identify, .get_limits = dma_get_limits, .reset = dma_reset,        \
    .now = dma_now, .advance = dma_advance, .get_status = dma_get_status,              \
    .next_error = dma_next_error, .set_clamp = dma_set_clamp,                          \
    .set_geometry = dma_set_geometry, .set_temp_rate = dma_set_temp_rate,              \
    .set_temp = dma_set_temp, .read_temp = dma_read_temp,                              \
    .heater_standby = dma_heater_standby, .set_strain = dma_set_strain,                \
    .read_strain = dma_read_strain, .strain_t0 = dma_strain_t0,                        \
    .read_stress = dma_read_stress, .osc_set = dma_osc_set,                            \
    .osc_enable = dma_osc_enable, .osc_measure = dma_osc_measure,                      \
    .acq_set_rate = dma_acq_set_rate, .acq_start = dma_acq_start,                      \
    .acq_stop = dma_acq_stop, .acq_read = dma_acq_read, .sim_set = dma_sim_set,        \
    .last_error = dma_last_error, .close = dma_close

static const rr_instrument_ops linedma_ops = {.name = "linedma", DMA_OPS_COMMON};
static const rr_instrument_ops replay_ops = {.name = "replay", DMA_OPS_COMMON};

static rr_status dev_new(const rr_open_options *opt, dev **out)
{
    dev *d = calloc(1, sizeof *d);
    if (!d)
        return RR_ERR_NOMEM;
    d->scratch = malloc(DATA_BATCH * sizeof *d->scratch);
    if (!d->scratch) {
        free(d);
        return RR_ERR_NOMEM;
    }
    /* The answer timeout is the caller's (instrconf refuses one shorter
     * than the protocol allows); *RST never gets less than the protocol's
     * 10 s, since a device may take 5 s to answer it. */
    d->timeout_s = opt && opt->timeout_s > 0 ? opt->timeout_s : 2.0;
    d->rst_timeout_s = fmax(RST_MIN_S, 5 * d->timeout_s);
    d->answer_window_s = RR_LP_ANSWER_S + RR_LINK_MARGIN_S;
    d->rate = 1.0;
    *out = d;
    return RR_OK;
}

static rr_status wrap(dev *d, const rr_instrument_ops *ops, const char *spec, bool virt,
                      rr_instrument **out)
{
    rr_instrument *in = calloc(1, sizeof *in);
    if (!in) {
        dma_close(d);
        return RR_ERR_NOMEM;
    }
    in->ops = ops;
    in->ctx = d;
    in->virtual_time = virt;
    snprintf(in->spec, sizeof in->spec, "%.250s", spec);
    *out = in;
    return RR_OK;
}

rr_status rr_linedma_open(const char *connection, const rr_open_options *opt,
                          rr_instrument **out, char *err, size_t errlen)
{
    *out = NULL;
    dev *d;
    rr_status st = dev_new(opt, &d);
    if (st != RR_OK)
        return st;
    d->real_time = true;
    if ((st = rr_conn_parse(connection, &d->conn, err, errlen)) != RR_OK)
        goto fail_quiet;
    if ((st = rr_link_open(&d->conn, d->timeout_s, &d->link, err, errlen)) != RR_OK)
        goto fail_quiet;
    d->answer_window_s = rr_conn_answer_min_s(&d->conn);
    if (opt && opt->transcript_path &&
        (st = rr_transcript_open(opt->transcript_path, connection, &d->tr, err, errlen)) !=
            RR_OK)
        goto fail_quiet;
    /* A fresh line, and a device that answers (see resync). */
    char idn[160];
    d->interrupted = opt ? opt->interrupted : NULL;
    st = resync(d, idn, sizeof idn);
    d->interrupted = NULL;
    if (st != RR_OK)
        goto fail;
    d->err[0] = '\0';
    return wrap(d, &linedma_ops, connection, false, out);
fail:
    if (err)
        snprintf(err, errlen, "%s: %s", connection, d->err);
fail_quiet:
    dma_close(d);
    return st;
}

rr_status rr_replay_open(const char *transcript, const rr_open_options *opt,
                         rr_instrument **out, char *err, size_t errlen)
{
    *out = NULL;
    dev *d;
    rr_status st = dev_new(opt, &d);
    if (st != RR_OK)
        return st;
    snprintf(d->replay_path, sizeof d->replay_path, "%s", transcript);
    FILE *f = fopen(transcript, "r");
    if (!f) {
        if (err)
            snprintf(err, errlen, "replay %s: cannot open", transcript);
        dma_close(d);
        return RR_ERR_NOT_FOUND;
    }
    /* Read every record: lines can be long (ACQ:DATA? answers). */
    size_t cap = 0, lcap = 0, lineno = 0;
    char *buf = NULL, *payload = NULL;
    st = RR_OK;
    for (;;) {
        size_t n = 0;
        int c;
        while ((c = fgetc(f)) != EOF && c != '\n') {
            if (n + 1 >= lcap) {
                size_t nc = lcap ? 2 * lcap : 4096;
                char *p = realloc(buf, nc);
                if (!p) { st = RR_ERR_NOMEM; break; }
                buf = p;
                lcap = nc;
            }
            buf[n++] = (char)c;
        }
        if (st != RR_OK || (c == EOF && n == 0))
            break;
        lineno++;
        payload = malloc(n + 1);
        rr_transcript_rec rec;
        rr_status ps = payload ? rr_transcript_parse(buf ? buf : "", n, &rec, payload, n + 1)
                               : RR_ERR_NOMEM;
        if (ps == RR_ERR_NOT_FOUND) {
            free(payload);
            continue;
        }
        if (ps != RR_OK) {
            if (err)
                snprintf(err, errlen, "replay %s:%zu: not a transcript record", transcript,
                         lineno);
            free(payload);
            st = RR_ERR_PARSE;
            break;
        }
        if (d->nrec == cap) {
            size_t nc = cap ? 2 * cap : 256;
            replay_rec *p = realloc(d->rec, nc * sizeof *p);
            if (!p) { free(payload); st = RR_ERR_NOMEM; break; }
            d->rec = p;
            cap = nc;
        }
        d->rec[d->nrec++] = (replay_rec){.dir = rec.dir, .lineno = (int)lineno,
                                         .payload = payload, .len = rec.len};
        if (c == EOF)
            break;
    }
    free(buf);
    fclose(f);
    if (st == RR_OK && opt && opt->transcript_path &&
        strcmp(opt->transcript_path, transcript) != 0) {
        char spec[600];
        snprintf(spec, sizeof spec, "replay:%s", transcript);
        st = rr_transcript_open(opt->transcript_path, spec, &d->tr, err, errlen);
    }
    if (st == RR_OK && d->nrec == 0) {
        if (err)
            snprintf(err, errlen, "replay %s: no records", transcript);
        st = RR_ERR_PARSE;
    }
    if (st != RR_OK) {
        dma_close(d);
        return st;
    }
    /* The same opening as a live connection. */
    char idn[160];
    st = resync(d, idn, sizeof idn);
    if (st != RR_OK) {
        if (err)
            snprintf(err, errlen, "%s", d->err);
        dma_close(d);
        return st;
    }
    d->err[0] = '\0';
    char spec[600];
    snprintf(spec, sizeof spec, "replay:%s", transcript);
    /* virtual_time false, like the live driver: the engine must take the
     * same path to send the same commands; replay just never waits. */
    return wrap(d, &replay_ops, spec, false, out);
}
