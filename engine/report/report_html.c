/* report_html.c - RUNDIR/report.html: one self-contained page (inline CSS,
 * plots as inline SVG, no script, no network) with the run's results,
 * plots, parameters, instrument, segments, tables and how it ended.
 *
 * Every piece of text from the manifest or the CSV files goes through
 * html_text(); links are written only for paths that rr_report_safe_relpath
 * accepts, so a hostile label or file name stays text.
 */
#include "report_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_TABLE_ROWS 500          /* rows shown per table */
#define MAX_SVG_BYTES (8u << 20)    /* larger SVGs are linked, not inlined */

static const char css[] =
    ":root{color-scheme:light}\n"
    "body{margin:0;background:#f3f5f8;color:#1c2330;"
    "font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}\n"
    "main{max-width:1080px;margin:0 auto;padding:22px 24px 40px}\n"
    "header,section{background:#fff;border-radius:10px;padding:16px 24px;"
    "margin-top:16px;box-shadow:0 1px 3px rgba(20,30,50,.09)}\n"
    "h1{font-size:23px;margin:0 0 4px}h2{font-size:18px;margin:0 0 10px;"
    "padding-bottom:6px;border-bottom:1px solid #e5e8ee}h3{font-size:16px;margin:18px 0 6px}\n"
    ".sub{color:#5b6475;margin:0}\n"
    ".badge{display:inline-block;padding:1px 10px;border-radius:999px;font-size:13px;"
    "font-weight:600;vertical-align:middle;margin-left:8px}\n"
    ".ok{background:#e2f3e7;color:#16683a}.bad{background:#fde7e7;color:#a11a1a}"
    ".run{background:#e7effc;color:#1f4fa0}\n"
    ".note{background:#fff7df;border:1px solid #eed48c;border-radius:6px;padding:8px 12px;margin:8px 0}\n"
    ".fail{background:#fdeeee;border:1px solid #eeb4b4}\n"
    "table{border-collapse:collapse;width:100%;font-size:14px}\n"
    "th,td{text-align:left;padding:4px 10px;border-bottom:1px solid #edf0f4;vertical-align:top}\n"
    "th{background:#f6f7fa;font-weight:600}th.n{text-align:right}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "table.kv th{width:13em;background:none;color:#4a5366;font-weight:500}\n"
    ".scroll{overflow:auto;max-height:460px}\n"
    "code{font:13px ui-monospace,'DejaVu Sans Mono',monospace;background:#f1f3f6;"
    "padding:1px 4px;border-radius:4px;word-break:break-all}\n"
    "figure{margin:10px 0 26px}figure svg{display:block;width:100%;height:auto;"
    "border:1px solid #e5e8ee;border-radius:6px}\n"
    "figcaption{font-size:13px;color:#4f586a;margin-top:6px}\n"
    "nav a{margin-right:14px}a{color:#1f5fbf}\n"
    "footer{color:#6b7385;font-size:12px;margin-top:18px;text-align:center}\n";

/* --- escaping ---------------------------------------------------------- */

static void html_text(FILE *f, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
        switch (*c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            /* Control characters (other than newline and tab) are dropped. */
            if (*c >= 0x20 || *c == '\n' || *c == '\t')
                fputc(*c, f);
        }
    }
}

/* <a href="REL">TEXT</a> when rel is a safe relative path, else the text. */
static void html_link(FILE *f, const char *rel, const char *text)
{
    if (rr_report_safe_relpath(rel)) {
        fputs("<a href=\"", f);
        /* Percent-encode what is not plainly safe in a URL path. */
        for (const unsigned char *c = (const unsigned char *)rel; *c; c++) {
            if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                (*c >= '0' && *c <= '9') || strchr("/._-", *c))
                fputc(*c, f);
            else
                fprintf(f, "%%%02X", *c);
        }
        fputs("\">", f);
        html_text(f, text);
        fputs("</a>", f);
    } else {
        html_text(f, text);
    }
}

static void td(FILE *f, const char *cls, const char *s)
{
    fputs(cls ? "<td class=\"n\">" : "<td>", f);
    html_text(f, s);
    fputs("</td>", f);
}

static void td_num(FILE *f, double v, const char *fmt)
{
    char buf[64];
    if (isfinite(v))
        snprintf(buf, sizeof buf, fmt, v);
    else
        snprintf(buf, sizeof buf, "–");
    td(f, "n", buf);
}

static void kv_row(FILE *f, const char *key, const char *value, bool code)
{
    if (!value)
        return;
    fputs("<tr><th>", f);
    html_text(f, key);
    fputs(code ? "</th><td><code>" : "</th><td>", f);
    html_text(f, value);
    fputs(code ? "</code></td></tr>\n" : "</td></tr>\n", f);
}

static const char *get(const rr_report_run *run, yaml_node_t *map, const char *key)
{
    return rr_yaml_str(rr_yaml_get(run->y, map, key));
}

/* --- sections ---------------------------------------------------------- */

static void section_header(FILE *f, const rr_report_run *run)
{
    yaml_node_t *root = run->root;
    const char *status = get(run, root, "status");
    const char *message = get(run, root, "message");
    const char *proto = get(run, rr_yaml_get(run->y, root, "protocol"), "path");
    const char *base = proto ? strrchr(proto, '/') : NULL;
    base = base ? base + 1 : proto;
    const char *cls = !status ? "bad"
                      : strcmp(status, "complete") == 0 ? "ok"
                      : strcmp(status, "running") == 0 ? "run" : "bad";
    fputs("<header>\n<h1>", f);
    html_text(f, base ? base : "relaxrun run");
    fprintf(f, "<span class=\"badge %s\">", cls);
    html_text(f, status ? status : "unknown");
    fputs("</span></h1>\n<p class=\"sub\">relaxrun run ", f);
    html_text(f, run->dir);
    fputs(" &middot; started ", f);
    html_text(f, get(run, root, "started"));
    const char *ended = get(run, root, "ended");
    if (ended) {
        fputs(", ended ", f);
        html_text(f, ended);
    }
    fputs(" &middot; instrument ", f);
    html_text(f, get(run, rr_yaml_get(run->y, root, "instrument"), "spec"));
    fputs("</p>\n", f);
    const char *description = get(run, root, "description");
    if (description) {
        fputs("<p>", f);
        html_text(f, description);
        fputs("</p>\n", f);
    }
    if (message) {
        fputs("<p class=\"note fail\"><b>How the run ended:</b> ", f);
        html_text(f, message);
        fputs("</p>\n", f);
    }
    /* Samples the instrument lost (an overflow, a lost answer): the data
     * has a hole, said once per loss. */
    yaml_node_t *lost = rr_yaml_get(run->y, root, "data_lost"), *it;
    for (size_t i = 0; (it = rr_yaml_item(run->y, lost, i)); i++) {
        fputs("<p class=\"note fail\"><b>Data lost:</b> ", f);
        html_text(f, rr_yaml_str(it));
        fputs("</p>\n", f);
    }
    if (status && strcmp(status, "running") == 0)
        fputs("<p class=\"note\">The manifest says the run is still going (or its "
              "process died without ending it): this report shows the data so far.</p>\n",
              f);
    fputs("<nav><a href=\"#results\">Results</a><a href=\"#plots\">Plots</a>"
          "<a href=\"#parameters\">Parameters</a><a href=\"#instrument\">Instrument</a>"
          "<a href=\"#segments\">Segments</a><a href=\"#tables\">Tables</a>"
          "<a href=\"#run\">Run</a></nav>\n</header>\n",
          f);
}

/* Results from the manifest; from results.csv if the manifest has none. */
static void section_results(FILE *f, const rr_report_run *run)
{
    fputs("<section id=\"results\">\n<h2>Results</h2>\n", f);
    yaml_node_t *res = rr_yaml_get(run->y, run->root, "results"), *it;
    size_t shown = 0;
    const char *head = "<table><tr><th>name</th><th class=\"n\">value</th><th>unit</th>"
                       "<th>description</th></tr>\n";
    for (size_t i = 0; (it = rr_yaml_item(run->y, res, i)); i++) {
        if (!shown++)
            fputs(head, f);
        fputs("<tr>", f);
        td(f, NULL, get(run, it, "name"));
        td(f, "n", get(run, it, "value"));
        td(f, NULL, get(run, it, "unit"));
        td(f, NULL, get(run, it, "description"));
        fputs("</tr>\n", f);
    }
    if (!res) {
        char path[1100];
        snprintf(path, sizeof path, "%s/results.csv", run->dir);
        FILE *in = fopen(path, "r");
        char *text = NULL;
        size_t len = 0;
        if (in) {
            text = malloc(1 << 20);
            if (text)
                len = fread(text, 1, (1 << 20) - 1, in);
            fclose(in);
        }
        if (text) {
            text[len] = 0;
            const char *p = text;
            char buf[4096], *fl[4];
            size_t nf;
            bool header = true;
            while ((nf = rr_report_csv_record(&p, buf, sizeof buf, fl, 4)) > 0) {
                if (header) {
                    header = false;
                    continue;
                }
                if (!shown++)
                    fputs(head, f);
                fputs("<tr>", f);
                for (size_t j = 0; j < 4; j++)
                    td(f, j == 1 ? "n" : NULL, j < nf ? fl[j] : "");
                fputs("</tr>\n", f);
            }
            free(text);
        }
    }
    fputs(shown ? "</table>\n" : "<p>The protocol reported no results.</p>\n", f);
    fputs("<p class=\"sub\">Also in ", f);
    html_link(f, "results.csv", "results.csv");
    fputs(" (name, value, unit, description).</p>\n</section>\n", f);
}

/* Copies an SVG file into the page, from its <svg> tag on, giving its ids a
 * per-plot prefix so that several SVGs can share one document. */
static bool inline_svg(FILE *f, const rr_report_run *run, const rr_report_plot *p,
                       size_t number)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/plots/%s.svg", run->dir, p->name);
    FILE *in = fopen(path, "rb");
    if (!in)
        return false;
    char *text = malloc(MAX_SVG_BYTES + 1);
    size_t n = text ? fread(text, 1, MAX_SVG_BYTES + 1, in) : 0;
    fclose(in);
    if (!text || n > MAX_SVG_BYTES) {
        free(text);
        return false;
    }
    text[n] = 0;
    char *start = strstr(text, "<svg");
    /* gnuplot's SVG has no script; refuse to inline one that does. */
    bool unsafe = false;
    for (char *c = text; *c && !unsafe; c++)
        if (*c == '<' && (strncasecmp(c, "<script", 7) == 0 ||
                          strncasecmp(c, "<foreignobject", 14) == 0))
            unsafe = true;
    if (!start || unsafe) {
        free(text);
        return false;
    }
    char prefix[32];
    snprintf(prefix, sizeof prefix, "p%zu-", number);
    static const char *const refs[] = {"id=\"", "id='", "href=\"#", "href='#", "url(#"};
    fputs("<svg role=\"img\" aria-label=\"", f);
    html_text(f, p->title);
    fputc('"', f);
    for (char *c = start + 4; *c; c++) {
        bool hit = false;
        for (size_t r = 0; r < sizeof refs / sizeof refs[0] && !hit; r++) {
            size_t len = strlen(refs[r]);
            /* Only attribute names that start a word: not "grid=" etc. */
            if (strncmp(c, refs[r], len) == 0 &&
                (refs[r][0] == 'u' || c == start || c[-1] == ' ' || c[-1] == '\t' ||
                 c[-1] == '\n' || c[-1] == ':')) {
                fwrite(c, 1, len, f);
                fputs(prefix, f);
                c += len - 1;
                hit = true;
            }
        }
        if (!hit)
            fputc(*c, f);
    }
    fputc('\n', f);
    free(text);
    return true;
}

static void section_plots(FILE *f, const rr_report_run *run)
{
    fputs("<section id=\"plots\">\n<h2>Plots</h2>\n", f);
    size_t scripted = 0;
    for (size_t i = 0; i < run->nplots; i++)
        scripted += run->plots[i].scripted;
    if (run->nplots == 0)
        fputs("<p>No plots: the run has no relaxation segments and the protocol "
              "asked for none.</p>\n",
              f);
    if (scripted && !run->gnuplot_found) {
        fputs("<p class=\"note\"><b>The plots are not drawn:</b> gnuplot was not on "
              "PATH when this report was written.  Their gnuplot scripts are in "
              "<code>plots/</code>.  Install gnuplot (Debian: <code>apt-get install "
              "gnuplot-nox</code>) and run <code>relaxrun report ",
              f);
        html_text(f, run->dir);
        fputs("</code> to draw them and rewrite this page, or draw them alone with "
              "<code>cd ",
              f);
        html_text(f, run->dir);
        fputs("/plots &amp;&amp; gnuplot *.gp</code>.</p>\n", f);
    }
    for (size_t i = 0; i < run->nplots; i++) {
        const rr_report_plot *p = &run->plots[i];
        char rel[200];
        fprintf(f, "<figure id=\"plot-%s\">\n<h3>", p->name);
        html_text(f, p->title);
        fputs("</h3>\n", f);
        if (!(p->drawn && inline_svg(f, run, p, i + 1))) {
            fputs("<p class=\"note\">Not drawn", f);
            if (p->scripted && !run->gnuplot_found) {
                fputs(" (gnuplot was not on PATH)", f);
            } else if (p->warning[0]) {
                fputs(": ", f);
                html_text(f, p->warning);
            }
            fputs(".</p>\n", f);
        }
        fputs("<figcaption>", f);
        if (p->note[0]) {
            html_text(f, p->note);
            fputs(". ", f);
        }
        if (p->drawn && p->warning[0]) {
            fputs("<b>Warning:</b> ", f);
            html_text(f, p->warning);
            fputs(". ", f);
        }
        if (p->scripted) {
            const char *ext[] = {"png", "svg", "gp"};
            fputs("Files: ", f);
            for (size_t e = 0; e < 3; e++) {
                if (e < 2 && !p->drawn)
                    continue;
                snprintf(rel, sizeof rel, "plots/%s.%s", p->name, ext[e]);
                html_link(f, rel, rel);
                fputs(" ", f);
            }
            fputs("(restyle the script and run <code>gnuplot ", f);
            html_text(f, p->name);
            fputs(".gp</code> inside <code>plots/</code>).", f);
        }
        fputs("</figcaption>\n</figure>\n", f);
    }
    fputs("</section>\n", f);
}

static void section_parameters(FILE *f, const rr_report_run *run)
{
    fputs("<section id=\"parameters\">\n<h2>Parameters</h2>\n", f);
    yaml_node_t *params = rr_yaml_get(run->y, run->root, "parameters"), *k, *v;
    size_t i = 0;
    for (; rr_yaml_pair(run->y, params, i, &k, &v); i++) {
        if (i == 0)
            fputs("<table><tr><th>name</th><th class=\"n\">value</th><th>unit</th>"
                  "<th>description</th><th>set on the command line</th></tr>\n",
                  f);
        fputs("<tr>", f);
        td(f, NULL, rr_yaml_str(k));
        td(f, "n", get(run, v, "value"));
        td(f, NULL, get(run, v, "unit"));
        td(f, NULL, get(run, v, "description"));
        const char *cl = get(run, v, "from_command_line");
        td(f, NULL, cl && strcmp(cl, "true") == 0 ? "yes" : "no");
        fputs("</tr>\n", f);
    }
    fputs(i ? "</table>\n" : "<p>The protocol declared no parameters.</p>\n", f);
    fputs("</section>\n", f);
}

static void section_instrument(FILE *f, const rr_report_run *run)
{
    yaml_node_t *ins = rr_yaml_get(run->y, run->root, "instrument");
    fputs("<section id=\"instrument\">\n<h2>Instrument</h2>\n<table class=\"kv\">\n", f);
    kv_row(f, "spec", get(run, ins, "spec"), true);
    kv_row(f, "identity", get(run, ins, "identity"), true);
    fputs("</table>\n", f);
    yaml_node_t *lim = rr_yaml_get(run->y, ins, "limits"), *k, *v;
    size_t i = 0;
    for (; rr_yaml_pair(run->y, lim, i, &k, &v); i++) {
        if (i == 0)
            fputs("<h3>Limits</h3>\n<table><tr><th>limit</th><th class=\"n\">value</th>"
                  "<th>unit</th></tr>\n",
                  f);
        char qty[200], unit[32];
        const char *key = rr_yaml_str(k);
        rr_report_split_unit(key ? key : "", qty, sizeof qty, unit, sizeof unit);
        /* strain_max carries no unit suffix: it is a ratio. */
        fputs("<tr>", f);
        td(f, NULL, qty);
        td(f, "n", rr_yaml_str(v));
        td(f, NULL, unit[0] ? unit : "1");
        fputs("</tr>\n", f);
    }
    if (i)
        fputs("</table>\n", f);
    fputs("</section>\n", f);
}

static void section_segments(FILE *f, const rr_report_run *run)
{
    fputs("<section id=\"segments\">\n<h2>Segments</h2>\n", f);
    if (run->nseg == 0) {
        fputs("<p>No segments were recorded.</p>\n</section>\n", f);
        return;
    }
    fputs("<div class=\"scroll\"><table><tr><th>#</th><th>label</th><th>kind</th>"
          "<th class=\"n\">temperature (K)</th><th class=\"n\">strain (m/m)</th>"
          "<th class=\"n\">t0 (s)</th><th class=\"n\">samples</th><th>complete</th><th>file</th></tr>\n",
          f);
    for (size_t i = 0; i < run->nseg; i++) {
        const rr_report_segment *s = &run->seg[i];
        fprintf(f, "<tr><td class=\"n\">%zu</td>", i + 1);
        td(f, NULL, s->label);
        td(f, NULL, s->kind);
        td_num(f, s->temp_K, "%.2f");
        td_num(f, s->strain, "%.6g");
        td_num(f, s->t0_s, "%.1f");
        td_num(f, s->samples >= 0 ? (double)s->samples : NAN, "%.0f");
        td(f, NULL, s->complete ? "yes" : "no");
        fputs("<td>", f);
        html_link(f, s->file, s->file);
        fputs("</td></tr>\n", f);
    }
    fputs("</table></div>\n<p class=\"sub\">Each CSV: " /* recorder.h */
          "<code>time_s,step_time_s,temperature_K,strain_m_per_m,stress_MPa</code>."
          "</p>\n</section>\n",
          f);
}

static void section_tables(FILE *f, const rr_report_run *run)
{
    fputs("<section id=\"tables\">\n<h2>Tables</h2>\n", f);
    if (run->ntab == 0)
        fputs("<p>The protocol reported no tables.</p>\n", f);
    for (size_t i = 0; i < run->ntab; i++) {
        const rr_report_table *t = &run->tab[i];
        fputs("<h3>", f);
        html_text(f, t->name);
        fputs("</h3>\n<p class=\"sub\">", f);
        html_link(f, t->file, t->file);
        fputs("</p>\n", f);
        rr_report_csv *csv = NULL;
        char path[1200], err[600];
        snprintf(path, sizeof path, "%s/%s", run->dir, t->file);
        if (!rr_report_safe_relpath(t->file) ||
            rr_report_csv_read(path, &csv, err, sizeof err) != RR_OK) {
            fputs("<p class=\"note\">Cannot read this table", f);
            if (csv == NULL && rr_report_safe_relpath(t->file)) {
                fputs(": ", f);
                html_text(f, err);
            }
            fputs(".</p>\n", f);
            continue;
        }
        fputs("<div class=\"scroll\"><table><tr>", f);
        for (size_t j = 0; j < csv->ncols; j++) {
            char label[300];
            rr_report_axis_label(csv->names[j], label, sizeof label);
            fputs("<th class=\"n\">", f);
            html_text(f, label);
            fputs("</th>", f);
        }
        fputs("</tr>\n", f);
        for (size_t r = 0; r < csv->nrows && r < MAX_TABLE_ROWS; r++) {
            fputs("<tr>", f);
            for (size_t j = 0; j < csv->ncols; j++)
                td_num(f, rr_report_csv_at(csv, r, j), "%.6g");
            fputs("</tr>\n", f);
        }
        fputs("</table></div>\n", f);
        if (csv->nrows > MAX_TABLE_ROWS)
            fprintf(f, "<p class=\"sub\">First %d of %zu rows; all in the CSV.</p>\n",
                    MAX_TABLE_ROWS, csv->nrows);
        rr_report_csv_free(csv);
    }
    fputs("</section>\n", f);
}

static void section_run(FILE *f, const rr_report_run *run)
{
    yaml_node_t *root = run->root;
    yaml_node_t *proto = rr_yaml_get(run->y, root, "protocol");
    fputs("<section id=\"run\">\n<h2>How the run went</h2>\n<table class=\"kv\">\n", f);
    kv_row(f, "status", get(run, root, "status"), false);
    kv_row(f, "message", get(run, root, "message"), false);
    kv_row(f, "started", get(run, root, "started"), false);
    kv_row(f, "ended", get(run, root, "ended"), false);
    kv_row(f, "command line", get(run, root, "command_line"), true);
    kv_row(f, "protocol", get(run, proto, "path"), true);
    kv_row(f, "protocol sha256", get(run, proto, "sha256"), true);
    kv_row(f, "seed", get(run, root, "seed"), false);
    kv_row(f, "process id", get(run, root, "pid"), false);
    kv_row(f, "relaxrun version", get(run, root, "relaxrun_version"), false);
    fputs("</table>\n<h3>Files</h3>\n<p>", f);
    html_link(f, "manifest.yaml", "manifest.yaml");
    fputs(" &middot; ", f);
    yaml_node_t *files = rr_yaml_get(run->y, root, "files");
    const char *ev = get(run, files, "events"), *rs = get(run, files, "results");
    html_link(f, ev ? ev : "events.log", ev ? ev : "events.log");
    fputs(" &middot; ", f);
    html_link(f, rs ? rs : "results.csv", rs ? rs : "results.csv");
    yaml_node_t *copies = rr_yaml_get(run->y, files, "copies"), *it;
    for (size_t i = 0; (it = rr_yaml_item(run->y, copies, i)); i++) {
        const char *p = it->type == YAML_SCALAR_NODE ? rr_yaml_str(it) : get(run, it, "path");
        if (p) {
            fputs(" &middot; ", f);
            html_link(f, p, p);
        }
    }
    fputs("</p>\n</section>\n", f);
}

rr_status rr_report_html_write(const rr_report_run *run, char *err, size_t errlen)
{
    char tmp[1100], dst[1100];
    snprintf(tmp, sizeof tmp, "%s/.report.html.tmp", run->dir);
    snprintf(dst, sizeof dst, "%s/report.html", run->dir);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write: %s", dst, strerror(errno));
        return RR_ERR_IO;
    }
    const char *proto = get(run, rr_yaml_get(run->y, run->root, "protocol"), "path");
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"relaxrun report\">\n<title>relaxrun: ",
          f);
    html_text(f, proto ? proto : run->dir);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", css);
    section_header(f, run);
    section_results(f, run);
    section_plots(f, run);
    section_parameters(f, run);
    section_instrument(f, run);
    section_segments(f, run);
    section_tables(f, run);
    section_run(f, run);
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(f, "<footer>Written by <code>relaxrun report</code> at %s.  One "
               "self-contained file: the plots are inline SVG; their PNG and gnuplot "
               "scripts are in <code>plots/</code>.</footer>\n</main>\n</body>\n</html>\n",
            stamp);
    bool bad = fflush(f) != 0 || ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, dst) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", dst, strerror(errno));
        unlink(tmp);
        return RR_ERR_IO;
    }
    return RR_OK;
}
