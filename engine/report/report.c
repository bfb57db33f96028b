/* report.c - rr_report_write and the `relaxrun report` subcommand: read the
 * manifest, script and draw the plots, write report.html, say one line. */
#include "report.h"
#include "report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double num_or_nan(rr_report_run *run, yaml_node_t *map, const char *key)
{
    double v;
    if (rr_parse_number(rr_yaml_str(rr_yaml_get(run->y, map, key)), &v) == RR_OK)
        return v;
    return NAN;
}

static const char *str_or(rr_report_run *run, yaml_node_t *map, const char *key,
                          const char *dflt)
{
    const char *s = rr_yaml_str(rr_yaml_get(run->y, map, key));
    return s ? s : dflt;
}

/* Loads the manifest and lists its segments and tables. */
static rr_status run_load(rr_report_run *run, const char *rundir, char *err,
                          size_t errlen)
{
    memset(run, 0, sizeof *run);
    snprintf(run->dir, sizeof run->dir, "%s", rundir);
    char path[1100];
    snprintf(path, sizeof path, "%s/manifest.yaml", rundir);
    rr_status st = rr_yaml_load_file(path, &run->y, err, errlen);
    if (st != RR_OK)
        return st;
    run->root = rr_yaml_root(run->y);
    if (run->root->type != YAML_MAPPING_NODE) {
        snprintf(err, errlen, "%s:1: not a run manifest (expected a mapping)", path);
        return RR_ERR_PARSE;
    }
    yaml_node_t *segs = rr_yaml_get(run->y, run->root, "segments"), *it;
    size_t n = 0;
    while (rr_yaml_item(run->y, segs, n))
        n++;
    run->seg = calloc(n + 1, sizeof *run->seg);
    if (!run->seg)
        return RR_ERR_NOMEM;
    for (size_t i = 0; (it = rr_yaml_item(run->y, segs, i)); i++) {
        if (it->type != YAML_MAPPING_NODE)
            continue;
        rr_report_segment *s = &run->seg[run->nseg++];
        s->file = str_or(run, it, "file", "");
        s->label = str_or(run, it, "label", "");
        s->kind = str_or(run, it, "kind", "");
        s->t0_s = num_or_nan(run, it, "t0_s");
        s->strain = num_or_nan(run, it, "strain_m_per_m");
        s->temp_K = num_or_nan(run, it, "temperature_K");
        double samples = num_or_nan(run, it, "samples");
        s->samples = isfinite(samples) ? (long)samples : -1;
        s->complete = strcmp(str_or(run, it, "complete", "false"), "true") == 0;
    }
    yaml_node_t *tabs = rr_yaml_get(run->y, run->root, "tables");
    n = 0;
    while (rr_yaml_item(run->y, tabs, n))
        n++;
    run->tab = calloc(n + 1, sizeof *run->tab);
    if (!run->tab)
        return RR_ERR_NOMEM;
    for (size_t i = 0; (it = rr_yaml_item(run->y, tabs, i)); i++) {
        const char *name = rr_yaml_str(rr_yaml_get(run->y, it, "name"));
        const char *file = rr_yaml_str(rr_yaml_get(run->y, it, "file"));
        if (name && file) {
            run->tab[run->ntab].name = name;
            run->tab[run->ntab].file = file;
            run->ntab++;
        }
    }
    return RR_OK;
}

static void run_clear(rr_report_run *run)
{
    rr_yaml_free(run->y);
    free(run->seg);
    free(run->tab);
    free(run->plots);
    memset(run, 0, sizeof *run);
}

/* The one line: where the report is, and what to do if plots are missing. */
static void summary_line(const rr_report_run *run)
{
    size_t scripted = 0, drawn = 0, warned = 0;
    const rr_report_plot *first = NULL;
    for (size_t i = 0; i < run->nplots; i++) {
        const rr_report_plot *p = &run->plots[i];
        scripted += p->scripted;
        drawn += p->drawn;
        if (p->warning[0]) {
            warned++;
            if (!first)
                first = p;
        }
    }
    printf("relaxrun: report %s/report.html", run->dir);
    if (scripted && !run->gnuplot_found)
        printf(" without plots: gnuplot is not on PATH; to draw them later, install "
               "gnuplot and run `relaxrun report %s` (or `cd %s/plots && gnuplot "
               "*.gp`)\n",
               run->dir, run->dir);
    else if (warned)
        printf(" (%zu of %zu plots drawn; plot %s: %s%s)\n", drawn, run->nplots,
               first->name, first->warning, warned > 1 ? "; more in the report" : "");
    else
        printf(" (%zu plot%s, %.2f s)\n", drawn, drawn == 1 ? "" : "s", run->draw_s);
}

rr_status rr_report_write(const char *rundir, int verbosity, char *err,
                          size_t errlen)
{
    char dummy[8];
    if (!err) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = 0;
    rr_report_run run;
    rr_status st = run_load(&run, rundir, err, errlen);
    if (st == RR_OK) {
        double t0 = now_s();
        st = rr_report_plots_script(&run, err, errlen);
        if (st == RR_OK)
            rr_report_plots_draw(&run, verbosity);
        run.draw_s = now_s() - t0;
        /* Without plots the rest of the report still matters. */
        rr_status h = rr_report_html_write(&run, st == RR_OK ? err : dummy,
                                           st == RR_OK ? errlen : sizeof dummy);
        if (st == RR_OK)
            st = h;
    }
    if (st == RR_OK && verbosity >= 0)
        summary_line(&run);
    fflush(stdout);
    run_clear(&run);
    return st;
}

static const char report_usage[] =
    "usage: relaxrun report [-q|-v] RUNDIR\n"
    "  (Re)draws the plots (RUNDIR/plots: NAME.gp, NAME.svg, NAME.png) and writes\n"
    "  RUNDIR/report.html from RUNDIR/manifest.yaml.  Plots need gnuplot on PATH.\n"
    "  -q, --quiet    print only errors\n"
    "  -v, --verbose  one line per plot\n";

int rr_report_main(int argc, char **argv)
{
    int verbosity = 0;
    const char *dir = NULL;
    bool opts_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            fputs(report_usage, stdout);
            return RR_EXIT_OK;
        } else if (!opts_done && (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)) {
            verbosity = -1;
        } else if (!opts_done && (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)) {
            verbosity = 1;
        } else if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = true;
        } else if (!opts_done && a[0] == '-') {
            fprintf(stderr, "relaxrun report: unknown option '%s'\n%s", a, report_usage);
            return RR_EXIT_USAGE;
        } else if (dir) {
            fprintf(stderr, "relaxrun report: one run directory only ('%s' and '%s')\n%s",
                    dir, a, report_usage);
            return RR_EXIT_USAGE;
        } else {
            dir = a;
        }
    }
    if (!dir) {
        fprintf(stderr, "relaxrun report: no run directory given\n%s", report_usage);
        return RR_EXIT_USAGE;
    }
    char err[1200];
    rr_status st = rr_report_write(dir, verbosity, err, sizeof err);
    if (st == RR_OK)
        return RR_EXIT_OK;
    fprintf(stderr, "relaxrun report: %s\n", err[0] ? err : rr_strerror(st));
    /* No or malformed manifest: not a run directory, the user's input. */
    if (st == RR_ERR_PARSE || (st == RR_ERR_IO && strstr(err, "manifest.yaml")))
        return RR_EXIT_USAGE;
    return RR_EXIT_INTERNAL;
}
