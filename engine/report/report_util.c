/* report_util.c - reading numeric CSV files, quoted CSV records, and the
 * small text helpers of the report (safe paths, axis labels with units). */
#include "report_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Returns the number of comma-separated fields of line; with fields, also
 * splits it in place (when the count is at most maxf). */
static size_t split_commas(char *line, char **fields, size_t maxf)
{
    size_t n = 1;
    for (const char *c = line; *c; c++)
        n += *c == ',';
    if (!fields || n > maxf)
        return n;
    char *p = line;
    for (size_t i = 0; i < n; i++) {
        char *c = strchr(p, ',');
        fields[i] = p;
        if (c) {
            *c = 0;
            p = c + 1;
        }
    }
    return n;
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
    char **fields = NULL;
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
    size_t ncols = split_commas(line, NULL, 0);
    c->names = calloc(ncols, sizeof *c->names);
    fields = calloc(ncols, sizeof *fields);
    parse = calloc(ncols, sizeof *parse);
    if (!c->names || !fields || !parse)
        goto done;
    split_commas(line, fields, ncols);
    c->ncols = ncols;
    for (size_t j = 0; j < ncols; j++) {
        c->names[j] = strdup(fields[j]);
        if (!c->names[j])
            goto done;
        parse[j] = only == NULL;
        for (size_t k = 0; k < nonly; k++)
            parse[j] = parse[j] || strcmp(fields[j], only[k]) == 0;
    }
    while (getline(&line, &cap, f) >= 0) {
        chomp(line);
        if (!line[0])
            continue;
        /* A row cut short (a killed run) has fewer fields: skip it. */
        if (split_commas(line, fields, ncols) != ncols) {
            c->bad_rows++;
            continue;
        }
        if ((c->nrows + 1) * ncols > vcap) {
            size_t ncap = vcap ? 2 * vcap : 1024 * ncols;
            double *nv = realloc(c->v, ncap * sizeof *nv);
            if (!nv)
                goto done;
            c->v = nv;
            vcap = ncap;
        }
        double *row = c->v + c->nrows * ncols;
        for (size_t j = 0; j < ncols; j++) {
            char *end;
            row[j] = parse[j] ? strtod(fields[j], &end) : NAN;
            if (parse[j] && (end == fields[j] || *end))
                row[j] = NAN;
        }
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
    free(fields);
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
