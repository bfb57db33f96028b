/* main.c - the relaxrun command line.
 *
 *   relaxrun [options] PROTOCOL.lua [name=value ...]
 *   relaxrun emulate ... | ports
 *
 * A run: resolve files, open the instrument, create the run directory, run
 * the protocol in a fresh Lua state, drive the instrument to its safe state
 * whatever happened, close the run directory and exit with a code saying how
 * the run ended (enum rr_exit).
 */
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "console.h"
#include "host.h"
#include "instrument.h"
#include "linedma/instrconf.h"
#include "linedma/linedma_cli.h"
#include "params.h"
#include "paths.h"
#include "recorder.h"
#include "report/report.h"
#include "run.h"
#include "runinfo.h"
#include "sha256.h"
#include "specimen.h"
#include "yamlconf.h"

#ifndef RELAXRUN_VERSION
#define RELAXRUN_VERSION "0"
#endif

static const char usage_text[] =
    "usage: relaxrun [options] PROTOCOL.lua [name=value ...]\n"
    "       relaxrun emulate (--tcp HOST:PORT | --pty LINK) [--speed X] [--seed N] [-I sim:PRESET]\n"
    "                        [--no-noise] [--fault KIND[@T]] [--late-s S] [--log FILE]\n"
    "       relaxrun ports\n"
    "       relaxrun status RUNDIR    how a run ended, or that it was interrupted\n"
    "       relaxrun pause RUNDIR | resume RUNDIR   pause or resume a run in progress\n"
    "       relaxrun sample ID        a specimen's history across runs\n"
    "       relaxrun analyze [SCRIPT.lua] FILE.csv ...   analysis of recorded data\n"
    "       relaxrun report RUNDIR    (re)draws a run's plots and its HTML report\n"
    "       relaxrun console [-I SPEC]  an interactive Lua prompt on the instrument\n"
    "\n"
    "Runs a stress-relaxation protocol (a Lua script) on an instrument.\n"
    "\n"
    "options:\n"
    "  -I, --instrument SPEC  sim (the default) or sim:PRESET (a preset name or a\n"
    "                         YAML file); tcp:HOST:PORT; serial:PORT[:BAUD];\n"
    "                         replay:TRANSCRIPT\n"
    "  -o, --output DIR       the run directory (default: a new one under runs/)\n"
    "      --dry-run          run on the simulator under the instrument's limits;\n"
    "                         report the timeline, the duration and every limit\n"
    "                         the protocol would break (exit 3 if any)\n"
    "      --describe         print what the protocol does, its parameters and its\n"
    "                         expected duration, then exit\n"
    "      --seed N           simulator noise seed (default 1)\n"
    "      --no-noise         simulator without load-cell noise and drift\n"
    "      --pace X           simulator: run X instrument seconds per wall second\n"
    "                         (default: as fast as possible)\n"
    "      --pause POLICY     the first Ctrl-C pauses instead of aborting: hold\n"
    "                         (temperature and strain held) or unload (strain 0,\n"
    "                         temperature held); a second Ctrl-C aborts\n"
    "      --no-report        no plots and HTML report at the end (relaxrun report\n"
    "                         RUNDIR draws them later)\n"
    "      --specimen ID      the specimen: its history is kept across runs\n"
    "                         (relaxrun sample ID)\n"
    "      --watchdog S       stop a protocol that runs Lua for S s without calling\n"
    "                         the instrument (default 60; 0 = off)\n"
    "      --memory-limit MB  cap on the protocol's Lua memory (default 2048)\n"
    "  -q, --quiet            print only errors\n"
    "  -v, --verbose          print every event as it happens\n"
    "  -h, --help             this text\n"
    "      --version          the version\n"
    "\n"
    "name=value sets a parameter the protocol declares (a decimal number).\n"
    "\n"
    "exit status:\n"
    "  0  done\n"
    "  1  internal or output error (disk full)\n"
    "  2  usage: bad option, unknown parameter, value that is not a number,\n"
    "     missing protocol file, an -o directory that already holds a run\n"
    "  3  protocol error: Lua syntax or runtime error, a limit the protocol asked\n"
    "     to break\n"
    "  4  instrument failure: fault, lost link, missing or busy port\n"
    "  5  aborted (SIGINT, SIGTERM, SIGHUP, SIGQUIT)\n";

typedef struct options {
    int dry_run, describe;
    int pause_policy; /* RR_PAUSE_*; -1 when not given */
    const char *specimen;
    int no_report;
    const char *instrument;
    const char *output;
    unsigned long seed;
    int noise;
    double pace;
    double watchdog_s;
    double memory_limit_MB;
    int verbosity;
    const char *protocol;
    rr_override *overrides;
    size_t noverrides;
} options;

static int usage_error(const char *fmt, const char *arg)
{
    fputs("relaxrun: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(relaxrun --help lists the options)\n", stderr);
    return RR_EXIT_USAGE;
}

/* Parses the command line; returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, options *o)
{
    enum { OPT_VERSION = 256, OPT_SEED, OPT_NO_NOISE, OPT_PACE, OPT_WATCHDOG, OPT_MEMORY,
           OPT_DRY_RUN, OPT_DESCRIBE, OPT_PAUSE, OPT_SPECIMEN, OPT_NO_REPORT };
    static const struct option longopts[] = {
        {"instrument", required_argument, NULL, 'I'},
        {"output", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, OPT_SEED},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"describe", no_argument, NULL, OPT_DESCRIBE},
        {"pause", required_argument, NULL, OPT_PAUSE},
        {"specimen", required_argument, NULL, OPT_SPECIMEN},
        {"no-report", no_argument, NULL, OPT_NO_REPORT},
        {"no-noise", no_argument, NULL, OPT_NO_NOISE},
        {"pace", required_argument, NULL, OPT_PACE},
        {"watchdog", required_argument, NULL, OPT_WATCHDOG},
        {"memory-limit", required_argument, NULL, OPT_MEMORY},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0}};
    double v;
    int c;
    opterr = 0;
    /* "+": stop at the protocol; name=value pairs follow it. */
    while ((c = getopt_long(argc, argv, "+:I:o:qvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'I': o->instrument = optarg; break;
        case 'o': o->output = optarg; break;
        case 'q': o->verbosity = -1; break;
        case 'v': o->verbosity = 1; break;
        case 'h': fputs(usage_text, stdout); return RR_EXIT_OK;
        case OPT_VERSION: printf("relaxrun %s\n", RELAXRUN_VERSION); return RR_EXIT_OK;
        case OPT_NO_NOISE: o->noise = 0; break;
        case OPT_DRY_RUN: o->dry_run = 1; break;
        case OPT_DESCRIBE: o->describe = 1; break;
        case OPT_SPECIMEN: o->specimen = optarg; break;
        case OPT_NO_REPORT: o->no_report = 1; break;
        case OPT_PAUSE:
            if (strcmp(optarg, "hold") == 0)
                o->pause_policy = RR_PAUSE_HOLD;
            else if (strcmp(optarg, "unload") == 0)
                o->pause_policy = RR_PAUSE_UNLOAD;
            else if (strcmp(optarg, "none") == 0)
                o->pause_policy = RR_PAUSE_NONE;
            else
                return usage_error("--pause takes hold, unload or none, not '%s'", optarg);
            break;
        case OPT_SEED:
            if (rr_parse_number(optarg, &v) != RR_OK || v < 0 || v > 4e9 ||
                v != (double)(unsigned long)v)
                return usage_error("--seed needs a whole number from 0 to 4e9, not '%s'", optarg);
            o->seed = (unsigned long)v;
            break;
        case OPT_PACE:
            if (rr_parse_number(optarg, &v) != RR_OK || v < 0)
                return usage_error("--pace needs a number of instrument s per wall s, 0 or "
                                   "more, not '%s'", optarg);
            o->pace = v;
            break;
        case OPT_WATCHDOG:
            if (rr_parse_number(optarg, &v) != RR_OK || v < 0)
                return usage_error("--watchdog needs a number of s, 0 or more, not '%s'", optarg);
            o->watchdog_s = v;
            break;
        case OPT_MEMORY:
            if (rr_parse_number(optarg, &v) != RR_OK || v <= 0)
                return usage_error("--memory-limit needs a number of MB above 0, not '%s'", optarg);
            o->memory_limit_MB = v;
            break;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage_error("%s", "no protocol given");
    o->protocol = argv[optind++];
    o->noverrides = (size_t)(argc - optind);
    char err[512];
    rr_status st = rr_overrides_parse(o->noverrides, argv + optind, &o->overrides, err, sizeof err);
    if (st == RR_ERR_NOMEM)
        return RR_EXIT_INTERNAL;
    if (st != RR_OK) {
        fprintf(stderr, "relaxrun: %s\n(relaxrun --help lists the options)\n", err);
        return RR_EXIT_USAGE;
    }
    return -1;
}

/* The protocol's name for the run directory: its file name without .lua. */
static void protocol_name(const char *path, char *out, size_t len)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(out, len, "%s", base);
    char *dot = strrchr(out, '.');
    if (dot && strcmp(dot, ".lua") == 0)
        *dot = 0;
}

/* end: how the run ended, as rr_run_close says (a final manifest that could
 * not be written is not a complete run, whatever the recorder holds). */
static void print_summary(rr_end end, rr_recorder *rec, FILE *f)
{
    if (end == RR_END_COMPLETE)
        fputs("relaxrun: run complete\n", f);
    else
        fprintf(f, "relaxrun: run ended: %s\n", rr_end_word(end));
    fprintf(f, "  run directory: %s\n", rr_recorder_dir(rec));
    fprintf(f, "  segments: %zu, samples: %zu\n", rr_recorder_segment_count(rec),
            rr_recorder_total_samples(rec));
    const char *name, *value, *unit;
    for (size_t i = 0; rr_recorder_result_at(rec, i, &name, &value, &unit); i++)
        fprintf(f, "  %s = %s%s%s\n", name, value, *unit ? " " : "", unit);
}

static double dir_bytes;
static int add_size(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)path;
    (void)ftw;
    if (flag == FTW_F)
        dir_bytes += (double)sb->st_size;
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* --describe: what the protocol does, its parameters, its expected duration
 * (from a quiet dry run). */
static void print_description(const rr_run *run, rr_recorder *rec, void *ud)
{
    const char *protocol = ud;
    printf("%s\n", protocol);
    const char *d = rr_recorder_description(rec);
    if (*d)
        printf("  %s\n", d);
    printf("\nparameters (set as name=value):\n");
    const char *name, *unit, *desc;
    double value;
    for (size_t i = 0; rr_recorder_param_at(rec, i, &name, &value, &unit, &desc); i++)
        printf("  %-20s %12.6g %-6s %s\n", name, value, unit, desc);
    printf("\nexpected timeline on the simulator:\n");
    rr_run_print_timeline(run, stdout);
}

/* Keeps a copy of a run's timeline: the plan for the progress display. */
typedef struct plan {
    rr_step *steps;
    size_t n;
} plan;

static void keep_plan(const rr_run *run, rr_recorder *rec, void *ud)
{
    (void)rec;
    plan *p = ud;
    p->steps = malloc((run->nsteps ? run->nsteps : 1) * sizeof *p->steps);
    if (p->steps) {
        memcpy(p->steps, run->timeline, run->nsteps * sizeof *p->steps);
        p->n = run->nsteps;
    }
}

/* The lab's config on connect: its limits (never wider than the device's),
 * the clamp and the sample geometry. */
static rr_status apply_config(rr_run *run, const rr_instrconf *c)
{
    char err[512];
    if (rr_limits_check_within(&c->limits, &run->limits, err, sizeof err) != RR_OK)
        return rr_run_fail(run, RR_END_INSTRUMENT_FAILURE, "%s: %s", c->path, err);
    rr_instrconf_effective_limits(c, &run->limits, &run->limits);
    rr_status st = RR_OK;
    if (c->has_clamp)
        st = rr_run_instrument(run, RR_CALL(run->in, set_clamp, c->clamp), "setting the clamp mode");
    if (st == RR_OK && c->has_geometry)
        st = rr_run_instrument(run, RR_CALL(run->in, set_geometry, &c->geometry),
                               "setting the geometry");
    rr_run_event(run, "INFO", "instrument config %s applied", c->path);
    return st;
}

/* One execution of the protocol. */
typedef struct job {
    const options *o;
    const rr_paths *paths;
    const char *protocol;   /* resolved path */
    const char *spec;       /* instrument */
    const rr_instrconf *conf; /* the lab's instrument config, or NULL */
    const char *outdir;     /* NULL: a new one under runs/ */
    bool dry_run;
    int verbosity;
    const plan *plan;       /* expected timeline, for the progress display */
    bool quiet_plan;        /* a planning or --describe run: no report */
    bool describe;          /* --describe: limits only matter to a dry run */
    /* Called after the run, before its state is released. */
    void (*after)(const rr_run *run, rr_recorder *rec, void *ud);
    void *ud;
} job;

static int execute(const job *j, int argc, char **argv)
{
    const options *o = j->o;
    char err[1024] = "";
    char name[256];
    protocol_name(j->protocol, name, sizeof name);
    if (j->dry_run && strlen(name) < sizeof name - 8)
        strcat(name, "-dryrun");
    rr_recorder *rec = NULL;
    rr_status open_st = rr_recorder_open(j->outdir, name, &rec, err, sizeof err);
    if (open_st != RR_OK) {
        fprintf(stderr, "relaxrun: %s\n", err);
        return rr_recorder_open_exit_code(open_st);
    }

    char transcript[1200];
    snprintf(transcript, sizeof transcript, "%s/transcript.log", rr_recorder_dir(rec));
    rr_open_options oo = {.seed = o->seed, .noise = o->noise != 0,
                          .presets_dir = j->paths->presets_dir,
                          .interrupted = rr_abort_requested};
    if (j->conf) {
        oo.timeout_s = j->conf->timeout_s;
        oo.transcript_path = j->conf->transcript ? transcript : NULL;
        rr_recorder_copy(rec, j->conf->path, "config");
    } else if (strncmp(j->spec, "sim", 3) != 0) {
        oo.transcript_path = transcript;
    }
    rr_instrument *in = NULL;
    if (rr_instrument_open(j->spec, &oo, &in, err, sizeof err) != RR_OK) {
        /* A signal during the connection cuts it short: that is an abort. */
        int sig = rr_abort_requested();
        rr_end why = sig ? RR_END_ABORTED : RR_END_INSTRUMENT_FAILURE;
        char msg[1200];
        if (sig)
            snprintf(msg, sizeof msg, "aborted by %s while connecting (%s)",
                     rr_abort_signal_name(sig), err);
        else
            snprintf(msg, sizeof msg, "%s", err);
        fprintf(stderr, "relaxrun: %s\n", msg);
        rr_recorder_set_instrument(rec, j->spec, "", NULL);
        rr_recorder_finish(rec, why, msg);
        rr_recorder_free(rec);
        return rr_end_exit_code(why);
    }

    char sha[65] = "";
    rr_sha256_file(j->protocol, sha);
    rr_recorder_set_protocol(rec, j->protocol, sha);
    rr_recorder_set_command_line(rec, argc, argv);
    rr_recorder_set_seed(rec, o->seed);
    rr_recorder_set_dry_run(rec, j->dry_run);
    rr_recorder_copy(rec, j->protocol, "source");

    rr_run run;
    rr_status st = rr_run_init(&run, in, rec);
    run.overrides = o->overrides;
    run.noverrides = o->noverrides;
    run.pace = o->pace;
    run.verbosity = j->verbosity;
    run.dry_run = j->dry_run;
    if (o->specimen)
        snprintf(run.specimen, sizeof run.specimen, "%s", o->specimen);
    rr_recorder_set_durable(rec, !in->virtual_time);
    run.journal.durable = !in->virtual_time;
    if (!j->dry_run && rr_journal_open(&run.journal, rr_recorder_dir(rec)) != RR_OK)
        rr_run_fail(&run, RR_END_OUTPUT_ERROR, "cannot write %s/journal.log", rr_recorder_dir(rec));
    if (o->pause_policy >= 0) {
        rr_run_set_pause_policy(&run, o->pause_policy);
        run.pause_policy_from_user = true;
    }
    if (j->plan) {
        run.plan = j->plan->steps;
        run.nplan = j->plan->n;
    }
    if (st == RR_OK && j->conf)
        st = apply_config(&run, j->conf);
    char identity[256] = "";
    RR_CALL(in, identify, identity, sizeof identity);
    rr_recorder_set_instrument(rec, in->spec[0] ? in->spec : j->spec, identity, &run.limits);
    rr_recorder_write_manifest(rec);
    if (strncmp(j->spec, "sim:", 4) == 0 && strstr(j->spec, ".yaml")) {
        rr_recorder_copy(rec, j->spec + 4, "config");
    } else if (strncmp(j->spec, "sim", 3) == 0) {
        char preset[1400];
        snprintf(preset, sizeof preset, "%s/%s.yaml", j->paths->presets_dir,
                 j->spec[3] == ':' ? j->spec + 4 : "La60Ni15Al25");
        rr_recorder_copy(rec, preset, "config");
    }
    rr_run_event(&run, "INFO", "run of %s on %s (%s), seed %lu", j->protocol, j->spec,
                 identity, o->seed);
    if (j->verbosity >= 0)
        fprintf(stderr, "relaxrun: running %s on %s; run directory %s\n", j->protocol,
                j->spec, rr_recorder_dir(rec));

    if (st == RR_OK) {
        rr_host_options ho = {.protocol_path = j->protocol,
                              .scripts_dir = j->paths->scripts_dir,
                              .memory_limit_bytes = (size_t)(o->memory_limit_MB * 1048576.0),
                              .watchdog_s = o->watchdog_s};
        rr_host_run(&run, &ho);
    }

    /* A dry run that would break limits ends as a protocol error (not so
     * --describe, whose dry run only measures the protocol: its Lua errors
     * still end it as one). */
    if (j->dry_run && !j->describe && run.nviolations && run.failure == RR_END_RUNNING)
        rr_run_fail(&run, RR_END_PROTOCOL_ERROR,
                    "the protocol would break %zu limit%s (see the dry-run report)",
                    run.nviolations, run.nviolations == 1 ? "" : "s");
    /* Whatever happened: the instrument to its safe state, then the data. */
    rr_end end = rr_run_close(&run);
    /* Plots and the HTML report: never a reason for the run to fail. */
    if (!j->quiet_plan && !o->no_report &&
        rr_report_write(rr_recorder_dir(rec), j->verbosity, err, sizeof err) != RR_OK)
        fprintf(stderr, "relaxrun: report: %s\n", err);
    if (run.specimen[0] && !j->dry_run &&
        rr_specimen_record(run.specimen, &run, rr_recorder_dir(rec), j->protocol,
                           rr_end_word(end), err, sizeof err) != RR_OK)
        fprintf(stderr, "relaxrun: specimen history not written: %s\n", err);
    int code = rr_end_exit_code(end);
    if (j->dry_run && j->verbosity >= 0) {
        printf("dry run of %s (virtual time, on the simulator)\n", j->protocol);
        rr_run_print_timeline(&run, stdout);
        dir_bytes = 0;
        nftw(rr_recorder_dir(rec), add_size, 16, FTW_PHYS);
        printf("disk space for the run directory: %.1f MB\n", dir_bytes / 1e6);
    }
    if (j->dry_run && j->verbosity < 0 && !j->quiet_plan)
        for (size_t i = 0; i < run.nviolations; i++)
            fprintf(stderr, "LIMIT VIOLATION %s\n", run.violations[i]);
    /* A planning run's directory is gone by now: no summary pointing at it. */
    if (!j->quiet_plan && (j->verbosity >= 0 || end != RR_END_COMPLETE))
        print_summary(end, rec, end == RR_END_COMPLETE ? stdout : stderr);
    if (j->after)
        j->after(&run, rec, j->ud);
    rr_run_release(&run);
    rr_recorder_free(rec);
    rr_instrument_close(in);
    return code;
}

/* A quiet dry run in a temporary directory, removed afterwards. */
static int execute_quietly(job j, int argc, char **argv)
{
    char tmpdir[] = "/tmp/relaxrun-plan.XXXXXX";
    if (!mkdtemp(tmpdir)) {
        perror("relaxrun: mkdtemp");
        return RR_EXIT_INTERNAL;
    }
    j.outdir = tmpdir;
    j.verbosity = -1;
    j.dry_run = true;
    j.quiet_plan = true;
    j.spec = strncmp(j.spec, "sim", 3) == 0 ? j.spec : "sim";
    int code = execute(&j, argc, argv);
    nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return code;
}

static int run_jobs(job *jp, int argc, char **argv, const options *o);

static int run_protocol(int argc, char **argv, options *o)
{
    rr_paths paths;
    if (rr_paths_resolve(&paths) != RR_OK) {
        fputs("relaxrun: cannot find relaxrun's Lua library (scripts/relax.lua); "
              "set RELAXRUN_DATADIR\n", stderr);
        return RR_EXIT_INTERNAL;
    }
    char protocol[2048];
    if (rr_paths_find_protocol(&paths, o->protocol, protocol, sizeof protocol) != RR_OK) {
        fprintf(stderr, "relaxrun: %s: no such protocol file\n", o->protocol);
        return RR_EXIT_USAGE;
    }
    const char *spec = o->instrument ? o->instrument : "sim";
    rr_instrconf *conf = NULL;
    size_t len = strlen(spec);
    if (strncmp(spec, "sim", 3) != 0 && len > 5 &&
        (strcmp(spec + len - 5, ".yaml") == 0 || strcmp(spec + len - 4, ".yml") == 0)) {
        char err[1024];
        if (rr_instrconf_load(spec, &conf, err, sizeof err) != RR_OK) {
            fprintf(stderr, "relaxrun: %s\n", err);
            return RR_EXIT_USAGE;
        }
        spec = conf->connection;
    }
    job j = {.o = o, .paths = &paths, .protocol = protocol, .spec = spec, .conf = conf,
             .outdir = o->output, .dry_run = o->dry_run != 0, .verbosity = o->verbosity};
    int code = run_jobs(&j, argc, argv, o);
    rr_instrconf_free(conf);
    return code;
}

static int run_jobs(job *jp, int argc, char **argv, const options *o)
{
    job j = *jp;
    const char *spec = j.spec;

    if (o->describe) {
        j.after = print_description;
        j.ud = (void *)j.protocol;
        j.describe = true;
        return execute_quietly(j, argc, argv);
    }
    if (o->dry_run) {
        if (strncmp(spec, "sim", 3) != 0)
            j.spec = "sim"; /* a dry run never opens the port */
        return execute(&j, argc, argv);
    }
    /* A run in real time (hardware, or a paced simulation) gets a progress
     * display, planned by a virtual-time run of the same protocol first. */
    plan p = {NULL, 0};
    bool real_time = strncmp(spec, "sim", 3) != 0 || o->pace > 0;
    if (real_time && o->verbosity >= 0) {
        job pj = j;
        pj.after = keep_plan;
        pj.ud = &p;
        execute_quietly(pj, argc, argv);
        j.plan = &p;
    }
    int code = execute(&j, argc, argv);
    free(p.steps);
    return code;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "emulate") == 0) {
        rr_paths paths; /* so that an installed emulator finds its presets */
        if (rr_paths_resolve(&paths) == RR_OK)
            setenv("RELAXRUN_PRESETS_DIR", paths.presets_dir, 0);
        return rr_emulate_main(argc - 1, argv + 1);
    }
    if (argc > 1 && strcmp(argv[1], "ports") == 0)
        return rr_ports_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "status") == 0)
        return rr_status_main(argc - 1, argv + 1);
    if (argc > 1 && (strcmp(argv[1], "pause") == 0 || strcmp(argv[1], "resume") == 0))
        return rr_signal_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "report") == 0)
        return rr_report_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "analyze") == 0)
        return rr_analyze_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "sample") == 0)
        return rr_sample_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "console") == 0)
        return rr_console_main(argc - 1, argv + 1);

    options o = {.seed = 1, .noise = 1, .watchdog_s = 60, .memory_limit_MB = 2048,
                 .pause_policy = -1};
    int code = parse_args(argc, argv, &o);
    if (code < 0) {
        rr_abort_install_handlers();
        code = run_protocol(argc, argv, &o);
    }
    rr_overrides_free(o.overrides, o.noverrides);
    return code;
}
