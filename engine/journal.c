/* journal.c - writing and reading the recovery journal. */
#include "journal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yamlconf.h"

rr_status rr_journal_open(rr_journal *j, const char *dir)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/journal.log", dir);
    j->f = fopen(path, "a");
    j->error = 0;
    return j->f ? RR_OK : RR_ERR_IO;
}

void rr_journal_close(rr_journal *j)
{
    if (j->f)
        fclose(j->f);
    j->f = NULL;
    free(j->replay);
    j->replay = NULL;
    j->nreplay = 0;
}

rr_status rr_journal_write(rr_journal *j, const char *what, unsigned long n,
                           const char *kind, double t_s, const char *fields)
{
    if (!j->f)
        return RR_OK;
    errno = 0;
    /* A buffered line fails only when flushed: check every step. */
    int bad = fprintf(j->f, "%s %lu %s t=%.6f%s%s\n", what, n, kind, t_s,
                      *fields ? " " : "", fields) < 0 ||
              fflush(j->f) != 0 || ferror(j->f);
    /* A journal line survives a power loss.  EINVAL: a file that cannot be
     * synced (not a regular file); there is nothing more to do for it. */
    if (!bad && j->durable && fdatasync(fileno(j->f)) != 0 && errno != EINVAL)
        bad = 1;
    if (!bad)
        return RR_OK;
    if (!j->error)
        j->error = errno ? errno : EIO;
    clearerr(j->f); /* the next line is tried, and checked, on its own */
    return RR_ERR_IO;
}

/* The value of key=... in a line (numbers), or def. */
static double num(const char *line, const char *key, double def)
{
    char pat[40];
    snprintf(pat, sizeof pat, " %s=", key);
    const char *p = strstr(line, pat);
    if (!p)
        return def;
    return strtod(p + strlen(pat), NULL);
}

static void label_of(const char *line, char *out, size_t len)
{
    const char *p = strstr(line, " label=\"");
    out[0] = 0;
    if (!p)
        return;
    p += 8;
    size_t i = 0;
    for (; *p && *p != '"' && i + 1 < len; p++) {
        if (*p == '\\' && p[1])
            p++;
        out[i++] = *p;
    }
    out[i] = 0;
}

rr_status rr_journal_load(const char *dir, rr_action **out, size_t *n, char *err,
                          size_t errlen)
{
    char path[1200], line[1024];
    snprintf(path, sizeof path, "%s/journal.log", dir);
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return RR_ERR_IO;
    }
    rr_action *a = NULL;
    size_t cap = 0, lineno = 0;
    rr_status st = RR_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char what[8], kind[16];
        unsigned long k;
        if (!strchr(line, '\n'))
            break; /* a line cut short by the crash: ignored */
        if (sscanf(line, "%7s %lu %15s", what, &k, kind) != 3) {
            snprintf(err, errlen, "%s:%zu: malformed journal line", path, lineno);
            st = RR_ERR_PARSE;
            break;
        }
        if (strcmp(what, "begin") == 0) {
            if (k != *n + 1) {
                snprintf(err, errlen, "%s:%zu: action %lu out of order", path, lineno, k);
                st = RR_ERR_PARSE;
                break;
            }
            if (*n == cap) {
                cap = cap ? 2 * cap : 64;
                rr_action *p = realloc(a, cap * sizeof *p);
                if (!p) {
                    st = RR_ERR_NOMEM;
                    break;
                }
                a = p;
            }
            rr_action *x = &a[(*n)++];
            memset(x, 0, sizeof *x);
            x->n = k;
            snprintf(x->kind, sizeof x->kind, "%s", kind);
            x->t_s = num(line, "t", 0);
            x->duration_s = num(line, "duration", 0);
            x->T_K = num(line, "T", 0);
            x->rate_K_per_min = num(line, "rate_K_per_min", 0);
            x->strain = num(line, "strain", 0);
            x->rate_Hz = num(line, "rate", 0);
            x->t0_s = num(line, "t0", 0);
            x->freq_Hz = num(line, "freq", 0);
            x->amplitude = num(line, "amplitude", 0);
            label_of(line, x->label, sizeof x->label);
        } else if (strcmp(what, "end") == 0) {
            if (k == 0 || k > *n) {
                snprintf(err, errlen, "%s:%zu: end of an unknown action %lu", path, lineno, k);
                st = RR_ERR_PARSE;
                break;
            }
            rr_action *x = &a[k - 1];
            x->ended = true;
            x->t_end_s = num(line, "t", 0);
            x->samples = (size_t)num(line, "samples", 0);
            x->storage_MPa = num(line, "storage", 0);
            x->loss_MPa = num(line, "loss", 0);
            x->tan_delta = num(line, "tan_delta", 0);
            if (x->freq_Hz == 0)
                x->freq_Hz = num(line, "freq", 0);
        } else if (strcmp(what, "step") == 0 && k >= 1 && k <= *n) {
            a[k - 1].t0_s = num(line, "t0", 0); /* the strain step of a recording */
        } /* other lines are skipped */
    }
    fclose(f);
    if (st != RR_OK) {
        free(a);
        *n = 0;
        return st;
    }
    *out = a;
    return RR_OK;
}
