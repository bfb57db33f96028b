/* report_plots.c - gnuplot scripts (and the data they read) for the
 * automatic relaxation plot and the plots a protocol asked for, then
 * drawing them.
 *
 * Every plot is RUNDIR/plots/NAME.gp, which writes NAME.svg and NAME.png
 * when run inside RUNDIR/plots.  Segment plots read NAME.dat (written here:
 * log-binned or derived data); table plots read ../tables/TABLE.csv
 * directly, so a user restyling a table plot works on the recorded data.
 *
 * Text from the manifest reaches gnuplot only inside single-quoted strings
 * (no backquote or macro substitution there) and with "noenhanced", so a
 * label cannot run commands or be misread as markup.
 */
#include "report_internal.h"
#include "report_deriv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PLOT_W 900
#define PLOT_H 560
#define BINS_PER_DECADE 40.0     /* decimation of segment curves */
#define DERIV_WINDOW_DECADES 0.2 /* smoothing window of the derivative */
#define DERIV_STEP_DECADES 0.02  /* its grid */
#define SWEEP_SPREAD_K 2.0       /* segments this far apart in T: a sweep */
#define GAS_CONSTANT 8.314462618 /* J/(mol K) */

/* Distinct colours (Tableau 10) for stages; a blue-to-red ramp for sweeps. */
static const char *const distinct[] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

static void ramp_colour(double u, char out[8])
{
    static const double stops[][3] = {
        {0x25, 0x3a, 0x9c}, {0x1f, 0x8a, 0xc0}, {0x2c, 0xa0, 0x5a},
        {0xe0, 0x8a, 0x1e}, {0xc6, 0x28, 0x28}};
    const int ns = (int)(sizeof stops / sizeof stops[0]);
    if (!(u >= 0))
        u = 0;
    if (u > 1)
        u = 1;
    double pos = u * (ns - 1);
    int i = (int)pos;
    if (i >= ns - 1)
        i = ns - 2;
    double f = pos - i;
    int c[3];
    for (int j = 0; j < 3; j++)
        c[j] = (int)lround(stops[i][j] + f * (stops[i + 1][j] - stops[i][j]));
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

/* --- writing gnuplot text ---------------------------------------------- */

/* A single-quoted gnuplot string.  gnuplot's own escape for a quote ('')
 * is misread at the start of a string, so a quote is drawn as the
 * typographic apostrophe U+2019 instead; control characters become spaces. */
static void gp_str(FILE *f, const char *s)
{
    fputc('\'', f);
    for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
        if (*c == '\'')
            fputs("\xe2\x80\x99", f);
        else
            fputc(*c < 0x20 ? ' ' : *c, f);
    }
    fputc('\'', f);
}

/* Text for a '#' comment line: control characters become spaces. */
static void comment_str(FILE *f, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++)
        fputc(*c < 0x20 ? ' ' : *c, f);
}

static void preamble(FILE *f, const rr_report_plot *p, const char *what)
{
    fputs("# relaxrun report: ", f);
    comment_str(f, what);
    fputs("\n# Draw it again (after restyling) inside RUNDIR/plots with:\n#   gnuplot ", f);
    fprintf(f, "%s.gp\n", p->name);
    fputs("# `relaxrun report RUNDIR` rewrites this file: keep a restyled copy under\n"
          "# another name.\n",
          f);
    fputs("set encoding utf8\n", f);
    fprintf(f, "set terminal svg size %d,%d dynamic enhanced font 'sans-serif,13' "
               "background rgb 'white'\n",
            PLOT_W, PLOT_H);
    fprintf(f, "set output '%s.svg'\n", p->name);
    fputs("set title ", f);
    gp_str(f, p->title);
    fputs(" noenhanced\n", f);
    fputs("set grid lt 1 lw 1 lc rgb '#e3e3e3'\n"
          "set border lw 1.2\n"
          "set key box lw 0.5 lc rgb '#bbbbbb' opaque samplen 2.5 spacing 1.1\n",
          f);
}

static void epilogue(FILE *f, const rr_report_plot *p)
{
    fputs("\n# The same plot as PNG (pngcairo where available, else libgd's png).\n"
          "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n",
          f);
    fprintf(f, "  set terminal pngcairo size %d,%d enhanced font 'Sans,11' "
               "background rgb 'white'\n} else {\n"
               "  set terminal png size %d,%d enhanced background rgb 'white'\n}\n",
            PLOT_W, PLOT_H, PLOT_W, PLOT_H);
    fprintf(f, "set output '%s.png'\nreplot\nunset output\n", p->name);
}

/* --- the plot list ----------------------------------------------------- */

static rr_report_plot *plot_add(rr_report_run *run, const char *name,
                                const char *kind, const char *title)
{
    rr_report_plot *np = realloc(run->plots, (run->nplots + 1) * sizeof *np);
    if (!np)
        return NULL;
    run->plots = np;
    rr_report_plot *p = &run->plots[run->nplots++];
    memset(p, 0, sizeof *p);
    /* A file stem: letters, digits, '-', '_' only. */
    size_t k = 0;
    for (const char *c = name; *c && k + 1 < sizeof p->name; c++) {
        char ch = *c;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        p->name[k++] = ok ? ch : '_';
    }
    snprintf(p->kind, sizeof p->kind, "%s", kind);
    snprintf(p->title, sizeof p->title, "%s", title);
    return p;
}

static void plot_warn(rr_report_plot *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void plot_warn(rr_report_plot *p, const char *fmt, ...)
{
    if (!p || p->warning[0])
        return; /* the first problem is the one to show */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->warning, sizeof p->warning, fmt, ap);
    va_end(ap);
}

/* Opens RUNDIR/plots/NAME.EXT for writing. */
static FILE *plot_file(const rr_report_run *run, const rr_report_plot *p,
                       const char *ext)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/plots/%s.%s", run->dir, p->name, ext);
    return fopen(path, "w");
}

static bool close_ok(FILE *f) { return fclose(f) == 0; }

/* --- segment data ------------------------------------------------------ */

typedef struct rr_report_curve {
    const rr_report_segment *seg;
    double *t, *y;  /* time since the step (s), sigma/sigma0; t > 0 only */
    size_t n;
    double sigma0_MPa;
    bool loaded;    /* in the cache: t, y valid */
    char why[600];  /* in the cache: why it could not be loaded */
} curve;

static void curve_clear(curve *c)
{
    free(c->t);
    free(c->y);
    c->t = c->y = NULL;
    c->n = 0;
}

/* Reads a segment's CSV and normalises its stress by the first recorded
 * stress.  Returns false with why set when it cannot. */
static bool curve_load(const rr_report_run *run, const rr_report_segment *s,
                       curve *c, char *why, size_t whylen)
{
    memset(c, 0, sizeof *c);
    c->seg = s;
    if (!rr_report_safe_relpath(s->file)) {
        snprintf(why, whylen, "segment '%s': unsafe file name in the manifest",
                 s->label);
        return false;
    }
    char path[1200], err[600];
    snprintf(path, sizeof path, "%s/%s", run->dir, s->file);
    rr_report_csv *csv;
    static const char *const cols[] = {"step_time_s", "stress_MPa"};
    if (rr_report_csv_read_only(path, cols, 2, &csv, err, sizeof err) != RR_OK) {
        snprintf(why, whylen, "%s", err);
        return false;
    }
    int ct = rr_report_csv_col(csv, "step_time_s");
    int cs = rr_report_csv_col(csv, "stress_MPa");
    if (ct < 0 || cs < 0) {
        snprintf(why, whylen, "%s: no step_time_s or stress_MPa column", s->file);
        rr_report_csv_free(csv);
        return false;
    }
    c->t = malloc((csv->nrows + 1) * sizeof *c->t);
    c->y = malloc((csv->nrows + 1) * sizeof *c->y);
    if (!c->t || !c->y) {
        snprintf(why, whylen, "out of memory");
        rr_report_csv_free(csv);
        curve_clear(c);
        return false;
    }
    double sigma0 = NAN, last_t = 0;
    for (size_t i = 0; i < csv->nrows; i++) {
        double t = rr_report_csv_at(csv, i, (size_t)ct);
        double sg = rr_report_csv_at(csv, i, (size_t)cs);
        if (!isfinite(t) || !isfinite(sg) || t <= last_t)
            continue; /* keeps t > 0 and strictly increasing */
        if (isnan(sigma0))
            sigma0 = sg;
        c->t[c->n] = t;
        c->y[c->n] = sg; /* normalised below */
        c->n++;
        last_t = t;
    }
    rr_report_csv_free(csv);
    if (c->n < 2 || !(fabs(sigma0) > 0)) {
        snprintf(why, whylen, "segment '%s': %s", s->label,
                 c->n < 2 ? "fewer than 2 samples" : "first stress is 0");
        curve_clear(c);
        return false;
    }
    for (size_t i = 0; i < c->n; i++)
        c->y[i] /= sigma0;
    c->sigma0_MPa = sigma0;
    return true;
}

/* A segment's curve from the cache, loading it the first time.  Borrowed:
 * valid until the end of rr_report_plots_script.  NULL with why set. */
static const curve *curve_get(rr_report_run *run, const rr_report_segment *s,
                              char *why, size_t whylen)
{
    curve *c = &run->curves[s - run->seg];
    if (!c->loaded && !c->why[0]) {
        if (curve_load(run, s, c, c->why, sizeof c->why))
            c->loaded = true;
        else if (!c->why[0])
            snprintf(c->why, sizeof c->why, "segment '%s' unreadable", s->label);
    }
    if (!c->loaded) {
        snprintf(why, whylen, "%s", c->why);
        return NULL;
    }
    return c;
}

static void legend_text(const rr_report_segment *s, char *out, size_t len)
{
    if (isfinite(s->temp_K))
        snprintf(out, len, "%s, %.1f K", s->label, s->temp_K);
    else
        snprintf(out, len, "%s", s->label);
}

/* --- relaxation and overlay -------------------------------------------- */

/* How many offsets curve i (idx[i]) is shifted by.  In a sweep, segments at
 * one temperature (within 1 K) share a shift: the k-th distinct temperature,
 * in order of first appearance, gets k.  Otherwise the curve's place. */
static size_t shift_index(const rr_report_run *run, const size_t *idx, size_t i,
                          bool sweep, size_t place)
{
    if (!sweep)
        return place;
    double Ti = run->seg[idx[i]].temp_K;
    size_t k = 0; /* distinct temperatures before the first one near Ti */
    for (size_t j = 0; j < i; j++) {
        double Tj = run->seg[idx[j]].temp_K;
        if (fabs(Tj - Ti) <= 1.0)
            return k;
        bool seen = false;
        for (size_t m = 0; m < j && !seen; m++)
            seen = fabs(run->seg[idx[m]].temp_K - Tj) <= 1.0;
        k += !seen;
    }
    return k;
}

/* Normalised stress against log time for segments idx[0..n).  offset NAN:
 * 0.02 for a sweep (temperatures spread over more than 2 K), else 0. */
static void script_relaxation(rr_report_run *run, rr_report_plot *p,
                              const size_t *idx, size_t n, double offset,
                              bool overlay)
{
    double tmin = INFINITY, tmax = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double T = run->seg[idx[i]].temp_K;
        if (isfinite(T)) {
            tmin = fmin(tmin, T);
            tmax = fmax(tmax, T);
        }
    }
    bool sweep = !overlay && tmax - tmin > SWEEP_SPREAD_K;
    if (overlay || !isfinite(offset))
        offset = sweep ? 0.02 : 0;

    FILE *dat = plot_file(run, p, "dat");
    if (!dat) {
        plot_warn(p, "cannot write plots/%s.dat: %s", p->name, strerror(errno));
        return;
    }
    fputs("# relaxrun report: normalised stress sigma/sigma0 against the time since\n"
          "# the strain step; sigma0 = first recorded stress of the segment.\n",
          dat);
    fprintf(dat, "# Log-binned: mean of the samples in each 1/%g decade.  One block per\n"
                 "# segment (gnuplot 'index'); columns: step_time_s  sigma_over_sigma0"
                 "  shifted\n# (= sigma_over_sigma0 + the shift on the block's comment line;"
                 " offset %g)\n",
            BINS_PER_DECADE, offset);
    size_t cap = 4096;
    double *bt = malloc(cap * sizeof *bt), *by = malloc(cap * sizeof *by);
    /* Which curves made it into the data file, in block order. */
    size_t *blocks = malloc((n + 1) * sizeof *blocks);
    size_t nblocks = 0;
    if (!bt || !by || !blocks) {
        plot_warn(p, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const rr_report_segment *s = &run->seg[idx[i]];
        char why[600];
        const curve *c = curve_get(run, s, why, sizeof why);
        if (!c) {
            plot_warn(p, "%s (left out)", why);
            continue;
        }
        size_t m = rr_report_logbin(c->t, c->y, c->n, BINS_PER_DECADE, bt, by, cap);
        size_t ks = shift_index(run, idx, i, sweep, nblocks);
        double shift = ks ? -(double)ks * offset : 0; /* never "-0" */
        if (nblocks)
            fputs("\n\n", dat);
        fprintf(dat, "# block %zu: segment '", nblocks);
        comment_str(dat, s->label);
        fprintf(dat, "' (%s), %.6g K, sigma0 = %.9g MPa, shift %g\n",
                s->file, s->temp_K, c->sigma0_MPa, shift);
        for (size_t k = 0; k < m; k++)
            fprintf(dat, "%.7g %.7g %.7g\n", bt[k], by[k], by[k] + shift);
        blocks[nblocks++] = idx[i];
    }
out:
    free(bt);
    free(by);
    if (!close_ok(dat)) {
        plot_warn(p, "cannot write plots/%s.dat", p->name);
        nblocks = 0;
    }
    if (nblocks == 0) {
        if (!p->warning[0])
            plot_warn(p, "no segment to plot");
        free(blocks);
        return;
    }

    FILE *f = plot_file(run, p, "gp");
    if (!f) {
        plot_warn(p, "cannot write plots/%s.gp: %s", p->name, strerror(errno));
        free(blocks);
        return;
    }
    preamble(f, p, overlay ? "stage overlay of sigma/sigma0" : "normalised stress relaxation");
    fputs("set logscale x\nset format x '10^{%T}'\n"
          "set xlabel 'time since the strain step, t (s)'\n",
          f);
    if (offset != 0)
        fprintf(f, "set ylabel 'σ/σ_0  (shifted by −%g per %s)'\n", offset,
                sweep ? "temperature" : "curve");
    else
        fputs("set ylabel 'σ/σ_0'\n", f);
    fputs("set key outside right top vertical\n", f); /* never over a curve */
    fputs("# Column 3 is shifted by the offset; use 1:2 for the unshifted curves.\n"
          "plot \\\n",
          f);
    for (size_t b = 0; b < nblocks; b++) {
        const rr_report_segment *s = &run->seg[blocks[b]];
        char colour[8], legend[300];
        if (sweep)
            ramp_colour((s->temp_K - tmin) / (tmax - tmin), colour);
        else
            snprintf(colour, sizeof colour, "%s",
                     distinct[b % (sizeof distinct / sizeof distinct[0])]);
        legend_text(s, legend, sizeof legend);
        if (b == 0) /* the file name once; '' repeats it */
            fprintf(f, "  '%s.dat'", p->name);
        else
            fputs("  ''", f);
        fprintf(f, " index %zu using 1:3 with lines lw 2 lc rgb '%s' title ",
                b, colour);
        gp_str(f, legend);
        fputs(b + 1 < nblocks ? " noenhanced, \\\n" : " noenhanced\n", f);
    }
    epilogue(f, p);
    if (close_ok(f))
        p->scripted = true;
    else
        plot_warn(p, "cannot write plots/%s.gp", p->name);
    char shifts[160] = "";
    if (offset != 0)
        snprintf(shifts, sizeof shifts,
                 sweep ? "; the k-th temperature shifted down by k × %g"
                       : "; curve i shifted down by i × %g",
                 offset);
    if (!p->note[0])
        snprintf(p->note, sizeof p->note,
                 "%zu segment%s; σ0 = first recorded stress of each segment; "
                 "log-binned means, %g bins per decade%s",
                 nblocks, nblocks == 1 ? "" : "s", BINS_PER_DECADE, shifts);
    free(blocks);
}

/* --- derivative -------------------------------------------------------- */

/* -d(sigma/sigma0)/d ln t of one segment, with tau_s (if finite) marked. */
static void script_derivative(rr_report_run *run, rr_report_plot *p,
                              const rr_report_segment *s, double tau_s,
                              double window)
{
    char why[600];
    const curve *c = curve_get(run, s, why, sizeof why);
    if (!c) {
        plot_warn(p, "%s", why);
        return;
    }
    double *t = NULL, *d = NULL;
    size_t m = 0;
    rr_status st = rr_report_logderiv(c->t, c->y, c->n, window, DERIV_STEP_DECADES,
                                      &t, &d, &m);
    if (st != RR_OK || m < 2) {
        plot_warn(p, "segment '%s': too short for a derivative over %g decades",
                  s->label, window);
        free(t);
        free(d);
        return;
    }
    size_t top = 0;
    for (size_t k = 1; k < m; k++)
        if (d[k] > d[top])
            top = k;

    FILE *dat = plot_file(run, p, "dat");
    if (!dat) {
        plot_warn(p, "cannot write plots/%s.dat: %s", p->name, strerror(errno));
        free(t);
        free(d);
        return;
    }
    fputs("# relaxrun report: -d(sigma/sigma0)/d ln t of segment '", dat);
    comment_str(dat, s->label);
    fprintf(dat, "' (%s)\n# local linear regression of sigma/sigma0 on ln t over "
                 "%g decades, every %g decades\n# columns: step_time_s  "
                 "minus_dsigma_over_sigma0_dlnt\n",
            s->file, window, DERIV_STEP_DECADES);
    for (size_t k = 0; k < m; k++)
        fprintf(dat, "%.7g %.7g\n", t[k], d[k]);
    bool dat_ok = close_ok(dat);
    double t_top = t[top], d_top = d[top];
    free(t);
    free(d);
    if (!dat_ok) {
        plot_warn(p, "cannot write plots/%s.dat", p->name);
        return;
    }

    FILE *f = plot_file(run, p, "gp");
    if (!f) {
        plot_warn(p, "cannot write plots/%s.gp: %s", p->name, strerror(errno));
        return;
    }
    preamble(f, p, "log-time derivative of sigma/sigma0");
    fputs("set logscale x\nset format x '10^{%T}'\n"
          "set xlabel 'time since the strain step, t (s)'\n"
          "set ylabel '−d(σ/σ_0)/d ln t'\n"
          "set key outside right top\n",
          f);
    if (isfinite(tau_s) && tau_s > 0) {
        fprintf(f, "tau_1 = %.9g  # s\n", tau_s);
        fputs("set arrow 1 from tau_1, graph 0 to tau_1, graph 1 nohead dt 2 lw 1.5 "
              "lc rgb '#d62728'\n",
              f);
        fprintf(f, "set label 1 'τ_1 = %.3g s' at tau_1, graph 0.94 offset char 0.7,0 "
                   "tc rgb '#d62728'\n",
                tau_s);
    }
    char legend[300];
    legend_text(s, legend, sizeof legend);
    fprintf(f, "plot '%s.dat' using 1:2 with lines lw 2 lc rgb '%s' title ",
            p->name, distinct[0]);
    gp_str(f, legend);
    fputs(" noenhanced\n", f);
    epilogue(f, p);
    if (close_ok(f))
        p->scripted = true;
    else
        plot_warn(p, "cannot write plots/%s.gp", p->name);
    snprintf(p->note, sizeof p->note,
             "local linear regression of σ/σ0 on ln t over %g decades; "
             "largest value %.3g at t = %.3g s%s",
             window, d_top, t_top,
             isfinite(tau_s) && tau_s > 0 ? "; dashed line: τ1 as given" : "");
}

/* --- tables: arrhenius and xy ------------------------------------------ */

static const rr_report_table *find_table(const rr_report_run *run,
                                         const char *name)
{
    for (size_t i = 0; i < run->ntab; i++)
        if (name && strcmp(run->tab[i].name, name) == 0)
            return &run->tab[i];
    return NULL;
}

/* Loads table name; on failure warns and returns NULL. */
static rr_report_csv *load_table(const rr_report_run *run, rr_report_plot *p,
                                 const char *name, const rr_report_table **tp)
{
    const rr_report_table *t = find_table(run, name);
    *tp = t;
    if (!name) {
        plot_warn(p, "no table given (table: NAME)");
        return NULL;
    }
    if (!t) {
        plot_warn(p, "no table '%s' in the manifest", name);
        return NULL;
    }
    if (!rr_report_safe_relpath(t->file)) {
        plot_warn(p, "table '%s': unsafe file name in the manifest", name);
        return NULL;
    }
    char path[1200], err[600];
    snprintf(path, sizeof path, "%s/%s", run->dir, t->file);
    rr_report_csv *csv;
    if (rr_report_csv_read(path, &csv, err, sizeof err) != RR_OK) {
        plot_warn(p, "%s", err);
        return NULL;
    }
    if (csv->nrows == 0) {
        plot_warn(p, "table '%s' has no rows", name);
        rr_report_csv_free(csv);
        return NULL;
    }
    return csv;
}

static int need_col(rr_report_plot *p, const rr_report_csv *csv,
                    const char *table, const char *col)
{
    int j = col ? rr_report_csv_col(csv, col) : -1;
    if (j < 0)
        plot_warn(p, "table '%s' has no column '%s'", table, col ? col : "(none)");
    return j;
}

static void script_arrhenius(rr_report_run *run, rr_report_plot *p,
                             const char *table, const char *xcol,
                             const char *ycol)
{
    const rr_report_table *t;
    rr_report_csv *csv = load_table(run, p, table, &t);
    if (!csv)
        return;
    int jx = need_col(p, csv, table, xcol), jy = need_col(p, csv, table, ycol);
    if (jx < 0 || jy < 0) {
        rr_report_csv_free(csv);
        return;
    }
    double *x = malloc(csv->nrows * sizeof *x), *y = malloc(csv->nrows * sizeof *y);
    if (!x || !y) {
        plot_warn(p, "out of memory");
        free(x);
        free(y);
        rr_report_csv_free(csv);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < csv->nrows; i++) {
        double T = rr_report_csv_at(csv, i, (size_t)jx);
        double tau = rr_report_csv_at(csv, i, (size_t)jy);
        if (T > 0 && tau > 0 && isfinite(T) && isfinite(tau)) {
            x[n] = 1000 / T;
            y[n] = log(tau);
            n++;
        }
    }
    rr_report_csv_free(csv);
    double a = NAN, b = NAN, se_b = NAN;
    bool fitted = rr_report_linefit(x, y, n, &a, &b, &se_b) == RR_OK;
    free(x);
    free(y);
    if (n == 0) {
        plot_warn(p, "table '%s': no row with %s > 0 and %s > 0", table, xcol, ycol);
        return;
    }

    FILE *f = plot_file(run, p, "gp");
    if (!f) {
        plot_warn(p, "cannot write plots/%s.gp: %s", p->name, strerror(errno));
        return;
    }
    preamble(f, p, "Arrhenius plot");
    char qty[256], unit[32];
    rr_report_split_unit(ycol, qty, sizeof qty, unit, sizeof unit);
    fprintf(f, "# Data: the run's table '%s', column %d (%s) against column %d (%s).\n",
            t->name, jy + 1, ycol, jx + 1, xcol);
    fputs("set datafile separator ','\n"
          "set xlabel '1000/T (1/K)'\n"
          "set ylabel ",
          f);
    char ylabel[400];
    snprintf(ylabel, sizeof ylabel, "ln(%s / %s)", qty, unit[0] ? unit : "1");
    gp_str(f, ylabel);
    fputs(" noenhanced\n"
          "set offsets graph 0.05, graph 0.05, graph 0.08, graph 0.08\n"
          "set key left top\n",
          f);
    char fitlabel[200] = "";
    if (fitted) {
        double e_kJ = b * GAS_CONSTANT, se_kJ = se_b * GAS_CONSTANT;
        fprintf(f, "# Least-squares line ln(tau/s) = a + b * 1000/T; "
                   "E = b * R, R = %.10g J/(mol K)\n",
                GAS_CONSTANT);
        fprintf(f, "a = %.12g\nb = %.12g\nline(x) = a + b * x\n", a, b);
        if (isfinite(se_kJ))
            snprintf(fitlabel, sizeof fitlabel, "fit: E = %.1f ± %.1f kJ/mol", e_kJ,
                     se_kJ);
        else
            snprintf(fitlabel, sizeof fitlabel, "fit: E = %.1f kJ/mol", e_kJ);
        snprintf(p->note, sizeof p->note,
                 "E = %s from the least-squares slope of ln τ against 1/T "
                 "(E = slope × R, R = 8.314462618 J/(mol K)); %zu points; "
                 "ln(τ0/s) = %.3f",
                 fitlabel + 8, n, a);
    } else {
        snprintf(p->note, sizeof p->note, "%zu point%s: no line fitted", n,
                 n == 1 ? "" : "s");
    }
    char xs[600];
    snprintf(xs, sizeof xs, "../%s", t->file);
    fputs("plot ", f);
    gp_str(f, xs);
    fprintf(f, " skip 1 using (1000/$%d):(log($%d)) with points pt 7 ps 1.4 "
               "lc rgb '%s' title ",
            jx + 1, jy + 1, distinct[0]);
    gp_str(f, ycol);
    fputs(" noenhanced", f);
    if (fitted)
        fprintf(f, ", \\\n  line(x) with lines lw 2 lc rgb '%s' title '%s'", distinct[3],
                fitlabel);
    fputc('\n', f);
    epilogue(f, p);
    if (close_ok(f))
        p->scripted = true;
    else
        plot_warn(p, "cannot write plots/%s.gp", p->name);
}

static void script_xy(rr_report_run *run, rr_report_plot *p, const char *table,
                      const char *xcol, const char *const *ycols, size_t ny,
                      bool logx, bool logy, const char *xlabel,
                      const char *ylabel)
{
    const rr_report_table *t;
    rr_report_csv *csv = load_table(run, p, table, &t);
    if (!csv)
        return;
    int jx = need_col(p, csv, table, xcol);
    int jy[16];
    bool ok = jx >= 0 && ny > 0;
    if (ny == 0)
        plot_warn(p, "no y column given (y: COLUMN or [COLUMNS])");
    for (size_t i = 0; i < ny && ok; i++) {
        jy[i] = need_col(p, csv, table, ycols[i]);
        ok = jy[i] >= 0;
    }
    rr_report_csv_free(csv);
    if (!ok)
        return;

    FILE *f = plot_file(run, p, "gp");
    if (!f) {
        plot_warn(p, "cannot write plots/%s.gp: %s", p->name, strerror(errno));
        return;
    }
    preamble(f, p, "table plot");
    fprintf(f, "# Data: the run's table '%s'.\nset datafile separator ','\n", t->name);
    if (logx)
        fputs("set logscale x\nset format x '10^{%T}'\n", f);
    if (logy)
        fputs("set logscale y\nset format y '10^{%T}'\n", f);
    char label[300];
    if (!xlabel) {
        rr_report_axis_label(xcol, label, sizeof label);
        xlabel = label;
    }
    fputs("set xlabel ", f);
    gp_str(f, xlabel);
    fputs(" noenhanced\n", f);
    char ylab[300];
    if (!ylabel) {
        /* "a, b (MPa)" when the columns share a unit, else "a (s), b (K)". */
        char qty[256], unit[32], unit0[32];
        bool same = true;
        size_t k = 0;
        rr_report_split_unit(ycols[0], qty, sizeof qty, unit0, sizeof unit0);
        for (size_t i = 1; i < ny; i++) {
            rr_report_split_unit(ycols[i], qty, sizeof qty, unit, sizeof unit);
            same = same && strcmp(unit, unit0) == 0;
        }
        ylab[0] = 0;
        for (size_t i = 0; i < ny && k + 1 < sizeof ylab; i++) {
            char one[300];
            if (same)
                rr_report_split_unit(ycols[i], one, sizeof one, unit, sizeof unit);
            else
                rr_report_axis_label(ycols[i], one, sizeof one);
            k += (size_t)snprintf(ylab + k, sizeof ylab - k, "%s%s", i ? ", " : "", one);
        }
        if (same && unit0[0] && k + 1 < sizeof ylab)
            snprintf(ylab + k, sizeof ylab - k, " (%s)", unit0);
        ylabel = ylab;
    }
    fputs("set ylabel ", f);
    gp_str(f, ylabel);
    fputs(" noenhanced\nset key outside right top\n"
          "set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05\n",
          f);
    char xs[600];
    snprintf(xs, sizeof xs, "../%s", t->file);
    fputs("plot \\\n", f);
    for (size_t i = 0; i < ny; i++) {
        fputs("  ", f);
        if (i == 0)
            gp_str(f, xs);
        else
            fputs("''", f);
        fprintf(f, " skip 1 using %d:%d with linespoints lw 2 pt 7 ps 0.9 lc rgb '%s' title ",
                jx + 1, jy[i] + 1, distinct[i % (sizeof distinct / sizeof distinct[0])]);
        gp_str(f, ycols[i]);
        fputs(i + 1 < ny ? " noenhanced, \\\n" : " noenhanced\n", f);
    }
    epilogue(f, p);
    if (close_ok(f))
        p->scripted = true;
    else
        plot_warn(p, "cannot write plots/%s.gp", p->name);
}

/* --- the requests ------------------------------------------------------ */

static const char *spec_str(rr_report_run *run, yaml_node_t *spec, const char *key)
{
    return rr_yaml_str(rr_yaml_get(run->y, spec, key));
}

static double spec_num(rr_report_run *run, rr_report_plot *p, yaml_node_t *spec,
                       const char *key)
{
    const char *s = spec_str(run, spec, key);
    double v;
    if (!s)
        return NAN;
    if (rr_parse_number(s, &v) != RR_OK) {
        plot_warn(p, "%s: '%s' is not a number (ignored)", key, s);
        return NAN;
    }
    return v;
}

static bool spec_bool(rr_report_run *run, yaml_node_t *spec, const char *key)
{
    const char *s = spec_str(run, spec, key);
    return s && (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 ||
                 strcmp(s, "1") == 0);
}

/* A key holding one string or a list of them; returns how many (<= max). */
static size_t spec_list(rr_report_run *run, yaml_node_t *spec, const char *key,
                        const char **out, size_t max)
{
    yaml_node_t *n = rr_yaml_get(run->y, spec, key);
    if (!n)
        return 0;
    if (n->type == YAML_SCALAR_NODE) {
        out[0] = rr_yaml_str(n);
        return 1;
    }
    size_t k = 0;
    yaml_node_t *it;
    for (size_t i = 0; k < max && (it = rr_yaml_item(run->y, n, i)); i++)
        if (rr_yaml_str(it))
            out[k++] = rr_yaml_str(it);
    return k;
}

/* Segments chosen by label (all relaxation segments when labels is empty).
 * Unknown labels become a warning. */
static size_t pick_segments(const rr_report_run *run, rr_report_plot *p,
                            const char *const *labels, size_t nlabels,
                            size_t *idx)
{
    size_t n = 0;
    if (nlabels == 0) {
        for (size_t i = 0; i < run->nseg; i++)
            if (strcmp(run->seg[i].kind, "relaxation") == 0)
                idx[n++] = i;
        return n;
    }
    for (size_t l = 0; l < nlabels; l++) {
        bool found = false;
        for (size_t i = 0; i < run->nseg; i++) {
            if (strcmp(run->seg[i].label, labels[l]) == 0) {
                idx[n++] = i;
                found = true;
                break;
            }
        }
        if (!found)
            plot_warn(p, "no segment labelled '%s'", labels[l]);
    }
    return n;
}

static void unique_name(const rr_report_run *run, rr_report_plot *p)
{
    char base[64];
    snprintf(base, sizeof base, "%s", p->name);
    for (int k = 2;; k++) {
        bool clash = false;
        for (size_t i = 0; i < run->nplots; i++)
            if (&run->plots[i] != p && strcmp(run->plots[i].name, p->name) == 0)
                clash = true;
        if (!clash)
            return;
        snprintf(p->name, sizeof p->name, "%.50s-%d", base, k);
    }
}

static void script_request(rr_report_run *run, yaml_node_t *spec, size_t number)
{
    const char *kind = spec ? spec_str(run, spec, "kind") : NULL;
    const char *title = spec ? spec_str(run, spec, "title") : NULL;
    const char *name = spec ? spec_str(run, spec, "name") : NULL;
    char stem[64], deftitle[200];
    snprintf(stem, sizeof stem, "plot%zu-%.40s", number, kind ? kind : "unknown");
    snprintf(deftitle, sizeof deftitle, "Plot %zu (%.40s)", number, kind ? kind : "?");
    rr_report_plot *p = plot_add(run, name ? name : stem, kind ? kind : "?",
                                 title ? title : deftitle);
    if (!p)
        return;
    unique_name(run, p);
    if (!spec || spec->type != YAML_MAPPING_NODE || !kind) {
        plot_warn(p, "plot request %zu is not a mapping with a kind", number);
        return;
    }
    const size_t maxsel = 64;
    const char *list[64];
    if (strcmp(kind, "relaxation") == 0 || strcmp(kind, "overlay") == 0) {
        size_t nl = spec_list(run, spec, "segments", list, maxsel);
        size_t *idx = malloc((run->nseg + nl + 1) * sizeof *idx);
        if (!idx)
            return;
        size_t n = pick_segments(run, p, list, nl, idx);
        bool overlay = kind[0] == 'o';
        if (n)
            script_relaxation(run, p, idx, n, spec_num(run, p, spec, "offset"), overlay);
        else
            plot_warn(p, "no relaxation segment to plot");
        free(idx);
    } else if (strcmp(kind, "derivative") == 0) {
        const char *label = spec_str(run, spec, "segment");
        size_t idx[1];
        size_t n = label ? pick_segments(run, p, &label, 1, idx) : 0;
        double w = spec_num(run, p, spec, "window_decades");
        if (!(w > 0 && w <= 2))
            w = DERIV_WINDOW_DECADES;
        if (!label)
            plot_warn(p, "no segment given (segment: LABEL)");
        else if (n)
            script_derivative(run, p, &run->seg[idx[0]],
                              spec_num(run, p, spec, "tau_s"), w);
    } else if (strcmp(kind, "arrhenius") == 0) {
        const char *x = spec_str(run, spec, "x"), *y = spec_str(run, spec, "y");
        script_arrhenius(run, p, spec_str(run, spec, "table"),
                         x ? x : "temperature_K", y ? y : "tau_1_s");
    } else if (strcmp(kind, "xy") == 0) {
        size_t ny = spec_list(run, spec, "y", list, 16);
        script_xy(run, p, spec_str(run, spec, "table"), spec_str(run, spec, "x"),
                  list, ny, spec_bool(run, spec, "logx"), spec_bool(run, spec, "logy"),
                  spec_str(run, spec, "xlabel"), spec_str(run, spec, "ylabel"));
    } else {
        plot_warn(p, "unknown plot kind '%s' (known: relaxation, overlay, "
                     "derivative, arrhenius, xy)",
                  kind);
    }
}

rr_status rr_report_plots_script(rr_report_run *run, char *err, size_t errlen)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/plots", run->dir);
    if (mkdir(dir, 0775) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create: %s", dir, strerror(errno));
        return RR_ERR_IO;
    }
    /* The automatic plot: every relaxation segment. */
    size_t *idx = malloc((run->nseg + 1) * sizeof *idx);
    run->curves = calloc(run->nseg + 1, sizeof *run->curves);
    if (!idx || !run->curves) {
        free(idx);
        free(run->curves);
        run->curves = NULL;
        return RR_ERR_NOMEM;
    }
    size_t n = pick_segments(run, NULL, NULL, 0, idx);
    if (n) {
        rr_report_plot *p = plot_add(run, "relaxation", "relaxation",
                                     "Stress relaxation: normalised stress against log time");
        if (p)
            script_relaxation(run, p, idx, n, NAN, false);
    }
    free(idx);
    yaml_node_t *req = rr_yaml_get(run->y, run->root, "plots");
    yaml_node_t *spec;
    for (size_t i = 0; (spec = rr_yaml_item(run->y, req, i)); i++)
        script_request(run, spec, i + 1);
    for (size_t i = 0; i < run->nseg; i++)
        curve_clear(&run->curves[i]);
    free(run->curves);
    run->curves = NULL;
    return RR_OK;
}

/* --- drawing ----------------------------------------------------------- */

static double timeout_s(void)
{
    double v;
    const char *s = getenv("RELAXRUN_GNUPLOT_TIMEOUT_S");
    if (s && rr_parse_number(s, &v) == RR_OK && v > 0)
        return v;
    return 30;
}

void rr_report_plots_draw(rr_report_run *run, int verbosity)
{
    char dir[1100], path[1200];
    snprintf(dir, sizeof dir, "%s/plots", run->dir);
    /* Old pictures would not match the new scripts. */
    for (size_t i = 0; i < run->nplots; i++) {
        snprintf(path, sizeof path, "%s/%s.svg", dir, run->plots[i].name);
        unlink(path);
        snprintf(path, sizeof path, "%s/%s.png", dir, run->plots[i].name);
        unlink(path);
    }
    run->gnuplot_found = rr_report_gnuplot_find(run->gnuplot, sizeof run->gnuplot);
    double limit = timeout_s();
    /* A few gnuplots at a time, each a short single-threaded process that
     * draws a share of the plots.  A gnuplot stops at a script that fails;
     * the scripts after it go to the next round. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t par = cpus < 1 ? 1 : cpus > 4 ? 4 : (size_t)cpus;
    size_t *todo = calloc(run->nplots ? run->nplots : 1, sizeof *todo);
    char(*script)[80] = calloc(run->nplots ? run->nplots : 1, sizeof *script);
    const char **names = calloc(run->nplots ? run->nplots : 1, sizeof *names);
    size_t ntodo = 0;
    for (size_t k = 0; names && script && k < run->nplots; k++)
        names[k] = script[k]; /* script[k]: "NAME.gp" of todo[k] */
    for (size_t i = 0; i < run->nplots; i++) {
        rr_report_plot *p = &run->plots[i];
        if (!p->scripted || !run->gnuplot_found)
            continue;
        if (!todo || !script || !names)
            plot_warn(p, "not drawn: out of memory");
        else
            todo[ntodo++] = i;
    }
    char msg[700];
    while (ntodo > 0) {
        size_t njobs = ntodo < par ? ntodo : par;
        rr_report_gnuplot_job jobs[4];
        rr_status started[4];
        size_t from[5];
        for (size_t j = 0; j <= njobs; j++)
            from[j] = j * ntodo / njobs; /* job j: todo[from[j] .. from[j+1]) */
        for (size_t j = 0; j < njobs; j++) {
            for (size_t k = from[j]; k < from[j + 1]; k++)
                snprintf(script[k], sizeof script[k], "%s.gp", run->plots[todo[k]].name);
            started[j] = rr_report_gnuplot_start(run->gnuplot, dir, names + from[j],
                                                 from[j + 1] - from[j], limit,
                                                 &jobs[j], msg, sizeof msg);
            if (started[j] != RR_OK)
                for (size_t k = from[j]; k < from[j + 1]; k++)
                    plot_warn(&run->plots[todo[k]], "%s", msg);
        }
        size_t next = 0; /* rebuilt in place: next never passes k */
        for (size_t j = 0; j < njobs; j++) {
            if (started[j] != RR_OK)
                continue;
            rr_report_gnuplot_finish(&jobs[j]);
            for (size_t k = from[j]; k < from[j + 1]; k++) {
                const rr_report_gnuplot_script *g = &jobs[j].script[k - from[j]];
                rr_report_plot *p = &run->plots[todo[k]];
                if (g->st == RR_ERR_NOT_READY) {
                    todo[next++] = todo[k];
                    continue;
                }
                struct stat sb;
                snprintf(path, sizeof path, "%s/%s.svg", dir, p->name);
                if (g->st == RR_OK && stat(path, &sb) == 0 && sb.st_size > 0)
                    p->drawn = true;
                else if (g->st == RR_OK)
                    plot_warn(p, "gnuplot wrote no %s.svg: %s", p->name, g->msg);
                else
                    plot_warn(p, "%s", g->msg);
                if (g->st == RR_OK && g->msg[0] && verbosity > 0)
                    printf("relaxrun: plot %s: gnuplot says: %s\n", p->name, g->msg);
            }
            rr_report_gnuplot_job_free(&jobs[j]);
        }
        ntodo = next;
    }
    free(todo);
    free(script);
    free(names);
    if (verbosity <= 0)
        return;
    for (size_t i = 0; i < run->nplots; i++) {
        const rr_report_plot *p = &run->plots[i];
        if (p->drawn)
            printf("relaxrun: plot %s: plots/%s.svg, .png%s%s\n", p->name,
                   p->name, p->warning[0] ? "; warning: " : "", p->warning);
        else if (p->scripted)
            printf("relaxrun: plot %s: plots/%s.gp written, not drawn%s%s\n",
                   p->name, p->name, p->warning[0] ? ": " : "", p->warning);
        else
            printf("relaxrun: plot %s: not drawn: %s\n", p->name, p->warning);
    }
}
