/* csv.c - a strict CSV reader for recorded segments and user data.
 *
 * Strict on purpose: a malformed row is an error naming file, line and
 * column, never a skipped sample.  Fields are separated by commas; quotes
 * around a header name are dropped; blank lines and lines starting with
 * '#' are skipped; CRLF line ends are accepted.
 */
#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "series_ops.h"

#define MAX_FIELDS 64

/* Splits line in place at commas; trims blanks and quotes.  Returns the
 * number of fields (MAX_FIELDS + 1 when there are too many). */
static int split(char *line, char *field[MAX_FIELDS])
{
    int n = 0;
    char *p = line;
    for (;;) {
        char *end = strchr(p, ',');
        if (end)
            *end = '\0';
        if (n == MAX_FIELDS)
            return MAX_FIELDS + 1;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strlen(p);
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
                           p[len - 1] == '\r' || p[len - 1] == '\n'))
            p[--len] = '\0';
        if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
            p[len - 1] = '\0';
            p++;
        }
        field[n++] = p;
        if (!end)
            return n;
        p = end + 1;
    }
}

static int is_blank_or_comment(const char *line)
{
    while (*line == ' ' || *line == '\t' || *line == '\r' || *line == '\n')
        line++;
    return *line == '\0' || *line == '#';
}

/* Column index of the first name in names[] found in the header, or -1. */
static int find_col(char *hdr[], int nh, const char *const names[])
{
    for (int k = 0; names[k]; k++)
        for (int i = 0; i < nh; i++)
            if (strcmp(hdr[i], names[k]) == 0)
                return i;
    return -1;
}

/* Parses a whole field as a number; 0 on failure. */
static int parse_number(const char *f, double *x)
{
    char *end;
    if (*f == '\0')
        return 0;
    errno = 0;
    *x = strtod(f, &end);
    return *end == '\0' && errno != ERANGE;
}

rr_status rr_csv_read_series(const char *path, const rr_csv_columns *cols,
                             const char *label, rr_series **out, char *err)
{
    static const char *const d_time[] = {"step_time_s", "time_s", "t_s", "time", NULL};
    static const char *const d_stress[] = {"stress_MPa", "stress", NULL};
    static const char *const d_temp[] = {"temperature_K", "temp_K", "T_K", NULL};
    static const char *const d_strain[] = {"strain_m_per_m", "strain", NULL};
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return rr_an_fail(err, RR_ERR_IO, "%s: cannot open: %s", path,
                          strerror(errno));
    char *line = NULL, *hdrline = NULL;
    size_t cap = 0;
    long lineno = 0;
    rr_status st = RR_OK;
    char *hdr[MAX_FIELDS], *fld[MAX_FIELDS];
    int nh = 0;

    /* Header: the first line that is not blank or a comment. */
    int have_header = 0;
    while (!have_header && getline(&line, &cap, f) >= 0) {
        lineno++;
        have_header = !is_blank_or_comment(line);
    }
    if (!have_header) {
        st = rr_an_fail(err, RR_ERR_PARSE, "%s: no header row", path);
        goto done;
    }
    hdrline = strdup(line);
    if (!hdrline) {
        st = rr_an_fail(err, RR_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    nh = split(hdrline, hdr);
    if (nh > MAX_FIELDS) {
        st = rr_an_fail(err, RR_ERR_PARSE, "%s:%ld: more than %d columns", path,
                        lineno, MAX_FIELDS);
        goto done;
    }
    const char *const *want[4] = {d_time, d_stress, d_temp, d_strain};
    const char *given[4] = {cols ? cols->time : NULL, cols ? cols->stress : NULL,
                            cols ? cols->temperature : NULL,
                            cols ? cols->strain : NULL};
    const char *what[4] = {"time", "stress", "temperature", "strain"};
    int ci[4];
    for (int k = 0; k < 4; k++) {
        const char *one[2] = {given[k], NULL};
        ci[k] = find_col(hdr, nh, given[k] ? one : want[k]);
        if (ci[k] < 0 && (given[k] || k < 2)) {
            st = rr_an_fail(err, RR_ERR_PARSE,
                            "%s:%ld: no %s column%s%s%s in the header", path,
                            lineno, what[k], given[k] ? " '" : "",
                            given[k] ? given[k] : "", given[k] ? "'" : "");
            goto done;
        }
    }
    /* In the recorder's format, time_s - step_time_s is the origin t0_s. */
    int c_clock = -1;
    if (strcmp(hdr[ci[0]], "step_time_s") == 0) {
        const char *const clk[] = {"time_s", NULL};
        c_clock = find_col(hdr, nh, clk);
    }
    const char *base = strrchr(path, '/');
    st = rr_series_new(0, label ? label : (base ? base + 1 : path), out);
    if (st != RR_OK) {
        rr_an_fail(err, st, "%s: out of memory", path);
        goto done;
    }
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        if (is_blank_or_comment(line))
            continue;
        int nf = split(line, fld);
        if (nf != nh) {
            st = rr_an_fail(err, RR_ERR_PARSE,
                            "%s:%ld: %d fields, the header has %d", path,
                            lineno, nf > MAX_FIELDS ? MAX_FIELDS : nf, nh);
            goto done;
        }
        double v[4] = {NAN, NAN, NAN, NAN};
        for (int k = 0; k < 4; k++) {
            if (ci[k] < 0)
                continue;
            if (!parse_number(fld[ci[k]], &v[k])) {
                st = rr_an_fail(err, RR_ERR_PARSE,
                                "%s:%ld: column '%s': '%s' is not a number",
                                path, lineno, hdr[ci[k]], fld[ci[k]]);
                goto done;
            }
            if (k < 2 && !isfinite(v[k])) {
                st = rr_an_fail(err, RR_ERR_PARSE,
                                "%s:%ld: column '%s': %s is not finite", path,
                                lineno, hdr[ci[k]], fld[ci[k]]);
                goto done;
            }
        }
        rr_series *s = *out;
        if (s->n > 0 && !(v[0] > s->t_s[s->n - 1])) {
            st = rr_an_fail(err, RR_ERR_PARSE,
                            "%s:%ld: column '%s': time %.17g does not increase "
                            "(previous %.17g)", path, lineno, hdr[ci[0]], v[0],
                            s->t_s[s->n - 1]);
            goto done;
        }
        if (s->n == 0 && c_clock >= 0) {
            double clock;
            if (!parse_number(fld[c_clock], &clock) || !isfinite(clock)) {
                st = rr_an_fail(err, RR_ERR_PARSE,
                                "%s:%ld: column 'time_s': '%s' is not a number",
                                path, lineno, fld[c_clock]);
                goto done;
            }
            s->t0_s = clock - v[0];
        }
        st = rr_series_append_rel(s, v[0], v[2], v[3], v[1]);
        if (st != RR_OK) {
            rr_an_fail(err, st, "%s:%ld: out of memory", path, lineno);
            goto done;
        }
    }
    if (ferror(f)) {
        st = rr_an_fail(err, RR_ERR_IO, "%s: read error", path);
        goto done;
    }
    if ((*out)->n == 0)
        st = rr_an_fail(err, RR_ERR_PARSE, "%s: no data rows", path);
done:
    free(line);
    free(hdrline);
    fclose(f);
    if (st != RR_OK) {
        rr_series_free(*out);
        *out = NULL;
    }
    return st;
}
