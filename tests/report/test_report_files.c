/* test_report_files.c - plots and report.html from fake run directories:
 * every plot kind drawn, the page's content, hostile text, a missing,
 * hanging or failing gnuplot, one gnuplot running several scripts, bad plot
 * requests, and the subcommand's exit codes.  Needs gnuplot on PATH (fails without it: a test dependency). */
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "report.h"
#include "report_internal.h"

static char tmp_root[512];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static bool exists(const char *dir, const char *rel)
{
    char path[1200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return stat(path, &sb) == 0 && sb.st_size > 0;
}

static char *read_rel(const char *dir, const char *rel)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return fx_read(path, NULL);
}

/* A fresh run directory under tmp_root. */
static void new_dir(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", tmp_root, name);
}

/* Captures what rr_report_write prints on stdout. */
static int capture_fd = -1;
static char capture_path[600];
static void capture_begin(void)
{
    fflush(stdout);
    snprintf(capture_path, sizeof capture_path, "%s/stdout.txt", tmp_root);
    capture_fd = dup(1);
    int fd = open(capture_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    close(fd);
}
static char *capture_end(void)
{
    fflush(stdout);
    dup2(capture_fd, 1);
    close(capture_fd);
    return fx_read(capture_path, NULL);
}

/* --- whole reports ----------------------------------------------------- */

static const char *const sweep_plots[] = {"relaxation", "plot1-relaxation",
                                          "plot2-overlay", "plot3-derivative",
                                          "plot4-arrhenius", "plot5-xy"};
#define NSWEEP_PLOTS (sizeof sweep_plots / sizeof sweep_plots[0])

TEST(sweep_report_draws_every_plot)
{
    char dir[600];
    new_dir(dir, sizeof dir, "sweep");
    CHECK(fx_write_sweep(dir, 20) == 0);
    char err[1200] = "";
    capture_begin();
    double t0 = now_s();
    rr_status st = rr_report_write(dir, 0, err, sizeof err);
    double dt = now_s() - t0;
    char *out = capture_end();
    printf("     20-segment sweep: %zu plots scripted and drawn in %.3f s\n",
           NSWEEP_PLOTS, dt);
    CHECK(st == RR_OK);
    if (st != RR_OK)
        fprintf(stderr, "err: %s\n", err);
    CHECK(out && fx_count(out, "\n") == 1 && strstr(out, "report.html (6 plots"));
    free(out);

    for (size_t i = 0; i < NSWEEP_PLOTS; i++) {
        char rel[200];
        for (int e = 0; e < 3; e++) {
            snprintf(rel, sizeof rel, "plots/%s.%s", sweep_plots[i],
                     (const char *[]){"gp", "svg", "png"}[e]);
            CHECK(exists(dir, rel));
        }
        snprintf(rel, sizeof rel, "plots/%s.svg", sweep_plots[i]);
        size_t len = 0;
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, rel);
        char *svg = fx_read(path, &len);
        CHECK(svg && strstr(svg, "<svg"));
        /* Plotted data are long paths ("M x,y L x,y ..."): count the
         * coordinate pairs of the longest path. */
        size_t longest = 0;
        for (const char *p = svg; p && (p = strstr(p, "<path")); p++) {
            const char *end = strchr(p, '>');
            size_t pairs = 0;
            for (const char *c = p; end && c < end; c++)
                pairs += *c == 'L';
            if (pairs > longest)
                longest = pairs;
        }
        size_t want = strstr(rel, "arrhenius") ? 1 : strstr(rel, "xy") ? 7 : 50;
        if (longest < want)
            fprintf(stderr, "%s: longest path has %zu segments\n", rel, longest);
        CHECK(longest >= want);
        CHECK(len < 300 * 1024);
        free(svg);
        snprintf(path, sizeof path, "%s/plots/%s.png", dir, sweep_plots[i]);
        char *png = fx_read(path, &len);
        CHECK(png && len > 8 && memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0);
        free(png);
    }
    /* Segment plots read their data by relative path, beside the script. */
    char *gp = read_rel(dir, "plots/relaxation.gp");
    CHECK(gp && strstr(gp, "plot \\\n  'relaxation.dat' index 0 using 1:3"));
    CHECK(gp && fx_count(gp, " index ") == 20);
    free(gp);
    /* A sweep: the k-th temperature shifted down by k x 0.02. */
    char *dat = read_rel(dir, "plots/relaxation.dat");
    CHECK(dat && strstr(dat, "# block 19: segment 'T410' (segments/020-T410.csv), "
                             "410 K, sigma0 = "));
    CHECK(dat && strstr(dat, "MPa, shift -0.38\n"));
    free(dat);
    gp = read_rel(dir, "plots/plot5-xy.gp");
    CHECK(gp && strstr(gp, "set ylabel 'loss_modulus, storage_modulus (MPa)' noenhanced"));
    CHECK(gp && strstr(gp, "set xlabel 'frequency (Hz)' noenhanced"));
    CHECK(gp && strstr(gp, "skip 1 using 1:3 with linespoints"));
    free(gp);
    gp = read_rel(dir, "plots/plot4-arrhenius.gp");
    CHECK(gp && strstr(gp, "'../tables/tau.csv' skip 1 using (1000/$1):(log($2))"));
    free(gp);

    char *html = read_rel(dir, "report.html");
    CHECK(html != NULL);
    if (!html)
        return;
    /* Results with units, parameters with units and descriptions. */
    CHECK(strstr(html, "<td>activation_energy</td><td class=\"n\">83.0</td>"
                       "<td>kJ/mol</td>"));
    CHECK(strstr(html, "<td>tau_1_315K</td><td class=\"n\">21.7</td><td>s</td>"));
    CHECK(strstr(html, "<td>temperature_start</td><td class=\"n\">315</td><td>K</td>"
                       "<td>First temperature</td><td>no</td>"));
    CHECK(strstr(html, "<td>Temperature step</td><td>yes</td>"));
    /* Instrument, limits with units, segments, tables, ending. */
    CHECK(strstr(html, "relaxrun,SIM-DMA,La60Ni15Al25,0.1.0"));
    CHECK(strstr(html, "<td>temperature_max</td><td class=\"n\">873</td><td>K</td>"));
    CHECK(strstr(html, "<td>rate_max</td><td class=\"n\">20</td><td>K/min</td>"));
    CHECK(strstr(html, "<td>T410</td>"));
    CHECK(strstr(html, "<a href=\"segments/020-T410.csv\">"));
    CHECK(strstr(html, "<th class=\"n\">tau_1 (s)</th>"));
    CHECK(strstr(html, "<th class=\"n\">frequency (Hz)</th>"));
    CHECK(strstr(html, "badge ok\">complete<"));
    /* Every plot inline, ids made unique, no XML prolog inside HTML. */
    CHECK(fx_count(html, "<svg role=\"img\"") == NSWEEP_PLOTS);
    CHECK(strstr(html, "id=\"p1-gnuplot_canvas\""));
    CHECK(strstr(html, "id=\"p6-gnuplot_canvas\""));
    CHECK(!strstr(html, "id=\"gnuplot_canvas\""));
    CHECK(!strstr(html, "<?xml"));
    CHECK(!strstr(html, "<script"));
    /* The activation energy of exact Arrhenius data, E = 83 kJ/mol. */
    CHECK(strstr(html, "E = 83.0 ± 0.0 kJ/mol"));
    /* The derivative marks tau_1. */
    CHECK(strstr(html, "τ<tspan") || strstr(html, "τ_1") || strstr(html, "21.7 s"));
    free(html);
}

TEST(hostile_text_is_escaped_everywhere)
{
    char dir[600];
    new_dir(dir, sizeof dir, "hostile");
    fx_run r = {.status = "protocol_error",
                .message = "protocols/x.lua:3: </p><script>alert(1)</script> & more"};
    r.seg[0] = (fx_seg){.label = "<script>alert('x')</script>", .temp_K = 315,
                        .strain = 0.006, .duration_s = 200, .sigma0_MPa = 240};
    r.seg[1] = (fx_seg){.label = "' ; system('touch PWNED_gp') ; '", .temp_K = 315,
                        .strain = 0.006, .duration_s = 200, .sigma0_MPa = 240};
    r.seg[2] = (fx_seg){.label = "`touch PWNED_bq` @x {/Symbol a}^2_3 \"q\"",
                        .temp_K = 315, .strain = 0.006, .duration_s = 200,
                        .sigma0_MPa = 240};
    r.seg[3] = (fx_seg){.label = "bad file", .temp_K = 315, .strain = 0.006,
                        .duration_s = 20, .sigma0_MPa = 240};
    r.nseg = 4;
    r.params_yaml = "  p: {value: 1, unit: \"<b>K</b>\", description: \"</table><img src=x "
                    "onerror=alert(1)>\", from_command_line: false}\n";
    r.results_yaml = "  - name: \"<img src=x onerror=alert(1)>\"\n    value: 1\n"
                     "    unit: \"s & co\"\n    description: \"\\\"quoted\\\"\"\n";
    r.plots_yaml = "  - {kind: \"overlay\", title: \"<script>t()</script>\"}\n";
    CHECK(fx_write_run(dir, &r) == 0);
    /* A manifest pointing a segment outside the run, and at a URL. */
    char *man = read_rel(dir, "manifest.yaml");
    CHECK(man != NULL);
    if (!man)
        return;
    char *p = strstr(man, "segments/004-bad_file.csv");
    CHECK(p != NULL);
    if (p) {
        size_t len = strlen(man) + 64;
        char *edited = malloc(len);
        snprintf(edited, len, "%.*sjavascript:alert(1)%s", (int)(p - man), man,
                 p + strlen("segments/004-bad_file.csv"));
        fx_write_file(dir, "manifest.yaml", edited);
        free(edited);
    }
    free(man);

    char err[1200] = "";
    capture_begin();
    rr_status st = rr_report_write(dir, 0, err, sizeof err);
    free(capture_end());
    CHECK(st == RR_OK);
    char *html = read_rel(dir, "report.html");
    CHECK(html != NULL);
    if (!html)
        return;
    CHECK(!strstr(html, "<script"));
    CHECK(!strstr(html, "<img"));
    CHECK(!strstr(html, "<b>K"));
    CHECK(!strstr(html, "href=\"javascript"));
    CHECK(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    CHECK(strstr(html, "&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
    CHECK(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
    CHECK(strstr(html, "&quot;quoted&quot;"));
    CHECK(strstr(html, "badge bad\">protocol_error<"));
    /* The plots were drawn from the three good segments; the labels went
     * through gnuplot as text (escaped in the SVG), nothing ran. */
    CHECK(fx_count(html, "<svg role=\"img\"") == 2);
    CHECK(strstr(html, "&lt;script>alert(’x’)&lt;/script>, 315.0 K"));
    CHECK(strstr(html, "unsafe file name in the manifest"));
    char path[1200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/plots/PWNED_gp", dir);
    CHECK(stat(path, &sb) != 0);
    snprintf(path, sizeof path, "%s/plots/PWNED_bq", dir);
    CHECK(stat(path, &sb) != 0);
    CHECK(stat("PWNED_gp", &sb) != 0 && stat("PWNED_bq", &sb) != 0);
    char *gp = read_rel(dir, "plots/relaxation.gp");
    CHECK(gp && strstr(gp, "title '’ ; system(’touch PWNED_gp’) ; ’, 315.0 K' noenhanced"));
    free(gp);
    free(html);
}

TEST(without_gnuplot_the_report_says_how_to_draw_later)
{
    char dir[600];
    new_dir(dir, sizeof dir, "nognuplot");
    CHECK(fx_write_sweep(dir, 3) == 0);
    char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", "/nonexistent-relaxrun-test", 1);
    char err[1200] = "";
    capture_begin();
    rr_status st = rr_report_write(dir, 0, err, sizeof err);
    char *out = capture_end();
    if (path) {
        setenv("PATH", path, 1);
        free(path);
    }
    CHECK(st == RR_OK);
    CHECK(out && fx_count(out, "\n") == 1);
    CHECK(out && strstr(out, "gnuplot is not on PATH"));
    CHECK(out && strstr(out, "relaxrun report "));
    CHECK(out && strstr(out, "/plots && gnuplot *.gp"));
    if (out)
        printf("     says: %s", out);
    free(out);
    CHECK(exists(dir, "plots/relaxation.gp"));
    CHECK(exists(dir, "plots/relaxation.dat"));
    CHECK(exists(dir, "plots/plot4-arrhenius.gp"));
    CHECK(!exists(dir, "plots/relaxation.svg"));
    char *html = read_rel(dir, "report.html");
    CHECK(html && strstr(html, "gnuplot was not on PATH"));
    CHECK(html && strstr(html, "gnuplot *.gp"));
    CHECK(html && !strstr(html, "<svg"));
    CHECK(html && strstr(html, "activation_energy"));
    free(html);

    /* Drawing later, as the message says, makes the pictures. */
    capture_begin();
    char *args[] = {(char *)"report", (char *)"-q", dir};
    int code = rr_report_main(3, args);
    out = capture_end();
    CHECK(code == RR_EXIT_OK);
    CHECK(out && out[0] == 0); /* -q: silent */
    free(out);
    CHECK(exists(dir, "plots/relaxation.svg"));
    html = read_rel(dir, "report.html");
    CHECK(html && fx_count(html, "<svg role=\"img\"") == NSWEEP_PLOTS);
    free(html);
}

/* rr_report_write(dir, verbosity) with a fake gnuplot (a shell script of
 * script_body) first on PATH; returns what it printed, *st its status. */
static char *report_with_fake_gnuplot(const char *dir, const char *script_body,
                                      int verbosity, rr_status *st)
{
    char bindir[600], exe[700];
    snprintf(bindir, sizeof bindir, "%s/fakebin", tmp_root);
    mkdir(bindir, 0775);
    snprintf(exe, sizeof exe, "%s/gnuplot", bindir);
    FILE *f = fopen(exe, "w");
    fprintf(f, "#!/bin/sh\n%s\n", script_body);
    fclose(f);
    chmod(exe, 0755);
    char saved[4096], newpath[4800], err[1200] = "";
    snprintf(saved, sizeof saved, "%s", getenv("PATH") ? getenv("PATH") : "");
    snprintf(newpath, sizeof newpath, "%s:%s", bindir, saved);
    setenv("PATH", newpath, 1);
    capture_begin();
    *st = rr_report_write(dir, verbosity, err, sizeof err);
    char *out = capture_end();
    setenv("PATH", saved, 1);
    return out;
}

TEST(a_hanging_gnuplot_is_killed_and_only_warned_about)
{
    char dir[600];
    new_dir(dir, sizeof dir, "hang");
    fx_run r = {.status = "complete"};
    r.seg[0] = (fx_seg){.label = "stage 1", .temp_K = 315, .strain = 0.006,
                        .duration_s = 100, .sigma0_MPa = 240};
    r.nseg = 1;
    CHECK(fx_write_run(dir, &r) == 0);
    setenv("RELAXRUN_GNUPLOT_TIMEOUT_S", "0.3", 1);
    rr_status st;
    double t0 = now_s();
    char *out = report_with_fake_gnuplot(dir, "exec sleep 30", 0, &st);
    double dt = now_s() - t0;
    unsetenv("RELAXRUN_GNUPLOT_TIMEOUT_S");
    printf("     killed after %.2f s; says: %s", dt, out ? out : "");
    CHECK(st == RR_OK);
    CHECK(dt < 5);
    CHECK(out && strstr(out, "0 of 1 plots drawn") && strstr(out, "did not finish"));
    free(out);
    char *html = read_rel(dir, "report.html");
    CHECK(html && strstr(html, "did not finish within 0.3 s"));
    free(html);
}

TEST(a_failing_gnuplot_is_a_warning_with_its_message)
{
    char dir[600];
    new_dir(dir, sizeof dir, "fail");
    fx_run r = {.status = "complete"};
    r.seg[0] = (fx_seg){.label = "stage 1", .temp_K = 315, .strain = 0.006,
                        .duration_s = 100, .sigma0_MPa = 240};
    r.nseg = 1;
    CHECK(fx_write_run(dir, &r) == 0);
    rr_status st;
    char *out = report_with_fake_gnuplot(dir, "echo \"line 7: boom <here>\" >&2; exit 1", 1, &st);
    CHECK(st == RR_OK);
    CHECK(out && strstr(out, "line 7: boom <here>"));
    free(out);
    char *html = read_rel(dir, "report.html");
    CHECK(html && strstr(html, "failed (exit 1): line 7: boom &lt;here&gt;"));
    free(html);
}

/* --- one gnuplot for several scripts ---------------------------------- */

static void write_script(const char *dir, const char *name, const char *body)
{
    char path[800];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(body, f);
        fclose(f);
    }
}

/* The real gnuplot runs scripts in turn: a failure names its script and
 * stops the job (the scripts after it are left to run again), a hang is
 * killed after that script's own timeout, the timeout counts afresh per
 * script, and nothing one script defines reaches the next. */
TEST(one_gnuplot_runs_scripts_in_turn)
{
    char dir[600], exe[1024], msg[700];
    new_dir(dir, sizeof dir, "batch");
    mkdir(dir, 0775);
    CHECK(rr_report_gnuplot_find(exe, sizeof exe));
    write_script(dir, "a.gp", "x_from_a = 1\nset terminal svg\nset output 'a.svg'\nplot x\nunset output\n");
    write_script(dir, "bad.gp", "print 'before'\nplot sin(x) with nonsense\n");
    write_script(dir, "leak.gp", "print exists('x_from_a') ? 'leaked' : 'clean'\n");
    write_script(dir, "slow.gp", "pause 0.4\n");
    write_script(dir, "hang.gp", "pause 30\n");

    const char *ok[] = {"a.gp", "leak.gp"};
    rr_report_gnuplot_job job;
    CHECK(rr_report_gnuplot_start(exe, dir, ok, 2, 5, &job, msg, sizeof msg) == RR_OK);
    CHECK(rr_report_gnuplot_finish(&job) == RR_OK);
    CHECK(job.script[0].st == RR_OK && job.script[1].st == RR_OK);
    CHECK(exists(dir, "a.svg"));
    CHECK(strstr(job.script[1].msg, "clean") && !strstr(job.script[0].msg, "clean"));
    rr_report_gnuplot_job_free(&job);

    const char *failing[] = {"a.gp", "bad.gp", "leak.gp"};
    CHECK(rr_report_gnuplot_start(exe, dir, failing, 3, 5, &job, msg, sizeof msg) == RR_OK);
    CHECK(rr_report_gnuplot_finish(&job) == RR_ERR_IO);
    CHECK(job.script[0].st == RR_OK);
    CHECK(job.script[1].st == RR_ERR_IO);
    printf("     failing script: %s\n", job.script[1].msg);
    CHECK(strstr(job.script[1].msg, "gnuplot bad.gp failed (exit 1)"));
    CHECK(strstr(job.script[1].msg, "before") && strstr(job.script[1].msg, "line 2"));
    CHECK(job.script[2].st == RR_ERR_NOT_READY);
    rr_report_gnuplot_job_free(&job);

    /* Three scripts of 0.4 s under a 0.7 s timeout each: all finish. */
    const char *slow[] = {"slow.gp", "slow.gp", "slow.gp"};
    double t0 = now_s();
    CHECK(rr_report_gnuplot_start(exe, dir, slow, 3, 0.7, &job, msg, sizeof msg) == RR_OK);
    CHECK(rr_report_gnuplot_finish(&job) == RR_OK);
    double dt = now_s() - t0;
    CHECK(dt > 1.2);
    for (int i = 0; i < 3; i++)
        CHECK(job.script[i].st == RR_OK);
    rr_report_gnuplot_job_free(&job);

    const char *hanging[] = {"a.gp", "hang.gp", "leak.gp"};
    t0 = now_s();
    CHECK(rr_report_gnuplot_start(exe, dir, hanging, 3, 0.5, &job, msg, sizeof msg) == RR_OK);
    CHECK(rr_report_gnuplot_finish(&job) == RR_ERR_TIMEOUT);
    dt = now_s() - t0;
    printf("     hanging script: %s (after %.2f s)\n", job.script[1].msg, dt);
    CHECK(dt < 5);
    CHECK(job.script[0].st == RR_OK);
    CHECK(job.script[1].st == RR_ERR_TIMEOUT && strstr(job.script[1].msg, "hang.gp did not finish"));
    CHECK(job.script[2].st == RR_ERR_NOT_READY);
    rr_report_gnuplot_job_free(&job);
}

/* In a report, a script that fails in the middle of a gnuplot's share is
 * the only plot not drawn: the plots after it run again. */
TEST(a_failing_plot_spares_the_others)
{
    char dir[600];
    new_dir(dir, sizeof dir, "onefails");
    CHECK(fx_write_sweep(dir, 3) == 0);
    /* A stand-in gnuplot that behaves as gnuplot does with its arguments:
     * runs each script in turn (drawing NAME.svg and NAME.png), prints
     * what a -e print command prints, and stops at plot3-derivative.gp. */
    rr_status st;
    char *out = report_with_fake_gnuplot(dir,
        "for a in \"$@\"; do\n"
        "  case \"$a\" in\n"
        "    -e) ;;\n"
        "    plot3-derivative.gp) echo \"\\\"$a\\\" line 9: boom\" >&2; exit 1 ;;\n"
        "    *.gp) echo x > \"${a%.gp}.svg\"; echo x > \"${a%.gp}.png\"; echo \"$a\" >> ../calls.log ;;\n"
        "    *) printf '%s\\n' \"$a\" | sed -n \"s/.*print '\\([^']*\\)'.*/\\1/p\" >&2 ;;\n"
        "  esac\n"
        "done",
        1, &st);
    CHECK(st == RR_OK);
    CHECK(out && strstr(out, "5 of 6 plots drawn"));
    CHECK(out && strstr(out, "plot3-derivative.gp failed (exit 1): \"plot3-derivative.gp\" line 9: boom"));
    free(out);
    for (size_t i = 0; i < NSWEEP_PLOTS; i++) {
        char rel[200];
        snprintf(rel, sizeof rel, "plots/%s.svg", sweep_plots[i]);
        CHECK(exists(dir, rel) == (strcmp(sweep_plots[i], "plot3-derivative") != 0));
    }
    /* Each of the other five ran exactly once. */
    char *calls = read_rel(dir, "calls.log");
    CHECK(calls && fx_count(calls, "\n") == NSWEEP_PLOTS - 1);
    free(calls);
}

TEST(bad_plot_requests_are_warnings)
{
    char dir[600];
    new_dir(dir, sizeof dir, "badreq");
    fx_run r = {.status = "complete"};
    r.seg[0] = (fx_seg){.label = "stage 1", .temp_K = 315, .strain = 0.006,
                        .duration_s = 100, .sigma0_MPa = 240};
    /* An unloading: negative stress, still starts at sigma/sigma0 = 1. */
    r.seg[1] = (fx_seg){.label = "stage 2", .temp_K = 315, .strain = 0,
                        .duration_s = 100, .sigma0_MPa = -12};
    /* A third at another temperature makes a sweep: stages 1 and 2 share
     * a shift, stage 3 is shifted by one offset. */
    r.seg[2] = (fx_seg){.label = "stage 3", .temp_K = 330, .strain = 0.006,
                        .duration_s = 100, .sigma0_MPa = 240};
    r.nseg = 3;
    r.tables_yaml = "  - name: \"t\"\n    file: \"tables/t.csv\"\n"
                    "    columns: [\"a_s\"]\n    rows: 1\n";
    r.plots_yaml = "  - {kind: \"pie\"}\n"
                   "  - {kind: \"arrhenius\", table: \"nope\"}\n"
                   "  - {kind: \"xy\", table: \"t\", x: \"a_s\", y: \"zzz\"}\n"
                   "  - {kind: \"overlay\", segments: [\"stage 9\"]}\n"
                   "  - {kind: \"derivative\"}\n"
                   "  - \"just text\"\n"
                   "  - {kind: \"overlay\", segments: [\"stage 1\", \"stage 2\", \"stage 7\"]}\n";
    CHECK(fx_write_run(dir, &r) == 0);
    fx_write_file(dir, "tables/t.csv", "a_s\n1\n");
    char err[1200] = "";
    capture_begin();
    rr_status st = rr_report_write(dir, 0, err, sizeof err);
    char *out = capture_end();
    CHECK(st == RR_OK);
    CHECK(out && strstr(out, "2 of 8 plots drawn"));
    free(out);
    char *html = read_rel(dir, "report.html");
    CHECK(html != NULL);
    if (!html)
        return;
    CHECK(strstr(html, "unknown plot kind &#39;pie&#39;"));
    CHECK(strstr(html, "no table &#39;nope&#39; in the manifest"));
    CHECK(strstr(html, "table &#39;t&#39; has no column &#39;zzz&#39;"));
    CHECK(strstr(html, "no segment labelled &#39;stage 9&#39;"));
    CHECK(strstr(html, "no segment given (segment: LABEL)"));
    CHECK(strstr(html, "not a mapping with a kind"));
    CHECK(strstr(html, "no segment labelled &#39;stage 7&#39;"));
    CHECK(fx_count(html, "<svg role=\"img\"") == 2);
    free(html);
    /* Normalised by the first recorded stress, both start at 1. */
    char *dat = read_rel(dir, "plots/relaxation.dat");
    CHECK(dat != NULL);
    if (dat) {
        double t, y1, y2;
        const char *b1 = strstr(dat, "# block 1");
        const char *l0 = strstr(dat, "\n0.5 ");
        CHECK(l0 && sscanf(l0, "%lf %lf", &t, &y1) == 2 && fabs(y1 - 1) < 1e-3);
        const char *l1 = b1 ? strstr(b1, "\n0.5 ") : NULL;
        CHECK(l1 && sscanf(l1, "%lf %lf %lf", &t, &y1, &y2) == 3 && fabs(y1 - 1) < 1e-3);
        CHECK(l1 && fabs(y2 - 1) < 1e-3); /* same temperature: no shift */
        CHECK(b1 && strstr(b1, "shift 0\n"));
        const char *b2 = strstr(dat, "# block 2");
        CHECK(b2 && strstr(b2, "330 K, sigma0 = 23") && strstr(b2, "shift -0.02\n"));
    }
    free(dat);
}

TEST(failed_run_cut_short_and_results_from_csv)
{
    char dir[600];
    new_dir(dir, sizeof dir, "cut");
    fx_run r = {.status = "aborted", .message = "aborted by SIGINT", .no_results_key = true};
    r.seg[0] = (fx_seg){.label = "stage 1", .temp_K = 315, .strain = 0.006,
                        .duration_s = 100, .sigma0_MPa = 240};
    r.nseg = 1;
    CHECK(fx_write_run(dir, &r) == 0);
    /* A killed run: the last row is cut short. */
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, r.seg[0].file);
    FILE *f = fopen(path, "a");
    fputs("1100.6,100.6,315.0", f);
    fclose(f);
    fx_write_file(dir, "results.csv",
                  "name,value,unit,description\n"
                  "decay,0.05,1,\"Drop, in \"\"relative\"\" terms\"\n");
    char err[1200] = "";
    capture_begin();
    rr_status st = rr_report_write(dir, 0, err, sizeof err);
    free(capture_end());
    CHECK(st == RR_OK);
    char *html = read_rel(dir, "report.html");
    CHECK(html && strstr(html, "badge bad\">aborted<"));
    CHECK(html && strstr(html, "aborted by SIGINT"));
    CHECK(html && strstr(html, "<td>Drop, in &quot;relative&quot; terms</td>"));
    CHECK(html && fx_count(html, "<svg role=\"img\"") == 1);
    free(html);
}

TEST(subcommand_exit_codes)
{
    char dir[600];
    new_dir(dir, sizeof dir, "cli");
    char *none[] = {(char *)"report"};
    char *bogus[] = {(char *)"report", (char *)"--bogus", dir};
    char *missing[] = {(char *)"report", (char *)"/nonexistent/relaxrun-run"};
    char *two[] = {(char *)"report", dir, dir};
    char *help[] = {(char *)"report", (char *)"--help"};
    capture_begin();
    CHECK(rr_report_main(1, none) == RR_EXIT_USAGE);
    CHECK(rr_report_main(3, bogus) == RR_EXIT_USAGE);
    CHECK(rr_report_main(2, missing) == RR_EXIT_USAGE);
    CHECK(rr_report_main(3, two) == RR_EXIT_USAGE);
    CHECK(rr_report_main(2, help) == RR_EXIT_OK);
    /* Malformed manifest: not a run directory. */
    mkdir(dir, 0775);
    fx_write_file(dir, "manifest.yaml", "status: [unclosed\n");
    char *bad[] = {(char *)"report", dir};
    CHECK(rr_report_main(2, bad) == RR_EXIT_USAGE);
    fx_write_file(dir, "manifest.yaml", "- a list\n");
    CHECK(rr_report_main(2, bad) == RR_EXIT_USAGE);
    /* A minimal manifest is enough for a report. */
    fx_write_file(dir, "manifest.yaml", "status: \"running\"\n");
    CHECK(rr_report_main(2, bad) == RR_EXIT_OK);
    char *out = capture_end();
    CHECK(out && strstr(out, "usage: relaxrun report"));
    free(out);
    CHECK(exists(dir, "report.html"));
}

int main(void)
{
    char gnuplot[1024];
    if (!rr_report_gnuplot_find(gnuplot, sizeof gnuplot)) {
        /* A dependency of the tests (scripts/bootstrap.sh installs it). */
        printf("FAIL: gnuplot is not on PATH (Debian: gnuplot-nox)\n");
        return 1;
    }
    if (fx_tempdir(tmp_root, sizeof tmp_root, "test") != 0) {
        perror("mkdtemp");
        return 1;
    }
    RUN(sweep_report_draws_every_plot);
    RUN(hostile_text_is_escaped_everywhere);
    RUN(without_gnuplot_the_report_says_how_to_draw_later);
    RUN(a_hanging_gnuplot_is_killed_and_only_warned_about);
    RUN(a_failing_gnuplot_is_a_warning_with_its_message);
    RUN(one_gnuplot_runs_scripts_in_turn);
    RUN(a_failing_plot_spares_the_others);
    RUN(bad_plot_requests_are_warnings);
    RUN(failed_run_cut_short_and_results_from_csv);
    RUN(subcommand_exit_codes);
    int rc = rr_test_summary();
    if (rc == 0 && !getenv("RR_REPORT_KEEP"))
        fx_remove_tree(tmp_root);
    else
        printf("files kept in %s\n", tmp_root);
    return rc;
}
