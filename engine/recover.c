/* recover.c - `relaxrun resume RUNDIR` after a crash or a power loss.
 *
 * The run's process is gone but the instrument may still be where the run
 * left it.  relaxrun reconnects without resetting it, checks it against the
 * journal (identity, temperature, strain, faults), and runs the protocol
 * again from its copy in the run directory with the same parameters and
 * seed: the actions the journal says ended are skipped (their recordings
 * are read back from disk), the interrupted one continues on the
 * instrument's clock, and the rest runs as usual, appending to the same run
 * directory.  When the instrument no longer matches, it refuses and says why.
 */
#include "recover.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "journal.h"
#include "paths.h"
#include "recorder.h"
#include "report/report.h"
#include "run.h"
#include "sha256.h"
#include "yamlconf.h"

static const char *str_at(rr_yaml *y, yaml_node_t *map, const char *key)
{
    const char *s = rr_yaml_str(rr_yaml_get(y, map, key));
    return s ? s : "";
}

/* The original run's settings that its manifest does not hold as fields:
 * read back from its command line (the manifest's command_line, the
 * arguments joined by spaces), with the defaults of `relaxrun --help`. */
typedef struct settings {
    bool noise;
    double watchdog_s, memory_limit_MB, pace;
    int pause_policy; /* RR_PAUSE_*, -1: not given */
} settings;

/* Splits a command line at spaces into at most max words (in place). */
static int split_words(char *line, char **words, int max)
{
    int n = 0;
    for (char *p = strtok(line, " "); p && n < max; p = strtok(NULL, " "))
        words[n++] = p;
    return n;
}

static void setting(settings *o, const char *name, const char *value)
{
    double v;
    if (!value)
        return;
    bool num = rr_parse_number(value, &v) == RR_OK;
    if (strcmp(name, "watchdog") == 0 && num && v >= 0)
        o->watchdog_s = v;
    else if (strcmp(name, "memory-limit") == 0 && num && v > 0)
        o->memory_limit_MB = v;
    else if (strcmp(name, "pace") == 0 && num && v >= 0)
        o->pace = v;
    else if (strcmp(name, "pause") == 0)
        o->pause_policy = strcmp(value, "hold") == 0     ? RR_PAUSE_HOLD
                          : strcmp(value, "unload") == 0 ? RR_PAUSE_UNLOAD
                          : strcmp(value, "none") == 0   ? RR_PAUSE_NONE
                                                         : o->pause_policy;
}

/* The options before the protocol (main.c's parse_args stops there too).
 * A value with a space in it (an -o folder) ends the reading early: what
 * follows it then keeps its default. */
static settings read_settings(const char *command_line)
{
    settings o = {.noise = true, .watchdog_s = 60, .memory_limit_MB = 2048, .pace = 0,
                  .pause_policy = -1};
    static const char *const with_value[] = {"instrument", "output", "seed", "pause",
                                             "specimen", "pace", "watchdog", "memory-limit",
                                             NULL};
    char line[4096], *w[256];
    snprintf(line, sizeof line, "%s", command_line ? command_line : "");
    int n = split_words(line, w, 256);
    for (int i = 1; i < n && w[i][0] == '-' && strcmp(w[i], "--") != 0; i++) {
        if (w[i][1] != '-') { /* -q, -v, -I SPEC, -ISPEC, -qo DIR */
            const char *c = w[i] + 1;
            while (*c && *c != 'I' && *c != 'o')
                c++;
            if (*c && !c[1])
                i++; /* the value is the next word */
            continue;
        }
        char name[64];
        const char *eq = strchr(w[i], '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq ? eq - w[i] - 2 : (long)strlen(w[i] + 2)),
                 w[i] + 2);
        if (strcmp(name, "no-noise") == 0)
            o.noise = false;
        bool takes = false;
        for (const char *const *k = with_value; *k; k++)
            takes = takes || strcmp(name, *k) == 0;
        if (!takes)
            continue;
        const char *value = eq ? eq + 1 : i + 1 < n ? w[++i] : NULL;
        setting(&o, name, value);
    }
    return o;
}

/* Data rows of a segment file (its header aside). */
static size_t rows_on_disk(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t lines = 0;
    int c;
    while ((c = getc(f)) != EOF)
        lines += c == '\n';
    fclose(f);
    return lines ? lines - 1 : 0;
}

static double num_at(rr_yaml *y, yaml_node_t *map, const char *key)
{
    double v = 0;
    rr_parse_number(str_at(y, map, key), &v);
    return v;
}

/* The manifest's segments, in the order they were created; NULL when it
 * lists none.  *n gets how many. */
static rr_resume_segment *read_segments(rr_yaml *y, yaml_node_t *root, const char *dir,
                                        size_t *n)
{
    yaml_node_t *list = rr_yaml_get(y, root, "segments"), *item;
    *n = 0;
    size_t count = 0;
    while (rr_yaml_item(y, list, count))
        count++;
    if (!count)
        return NULL;
    rr_resume_segment *segs = calloc(count, sizeof *segs);
    if (!segs)
        return NULL;
    for (size_t i = 0; (item = rr_yaml_item(y, list, i)); i++) {
        rr_resume_segment *g = &segs[i];
        snprintf(g->file, sizeof g->file, "%s", str_at(y, item, "file"));
        snprintf(g->label, sizeof g->label, "%s", str_at(y, item, "label"));
        g->t0_s = num_at(y, item, "t0_s");
        g->strain = num_at(y, item, "strain_m_per_m");
        g->temp_K = num_at(y, item, "temperature_K");
        g->complete = strcmp(str_at(y, item, "complete"), "true") == 0;
        g->interrupted = strcmp(str_at(y, item, "interrupted_by_pause"), "true") == 0;
        yaml_node_t *paused = rr_yaml_get(y, item, "paused_s"), *pair;
        for (size_t k = 0; k < RR_RESUME_MAX_PAUSES && (pair = rr_yaml_item(y, paused, k)); k++) {
            rr_parse_number(rr_yaml_str(rr_yaml_item(y, pair, 0)), &g->paused_s[k][0]);
            rr_parse_number(rr_yaml_str(rr_yaml_item(y, pair, 1)), &g->paused_s[k][1]);
            g->npaused = k + 1;
        }
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, g->file);
        g->samples = rows_on_disk(path);
    }
    *n = count;
    return segs;
}

/* Does the instrument still match the journal?  0 or a refusal in why. */
static int check_state(rr_instrument *in, const char *identity, const rr_action *a, size_t n,
                       char *why, size_t len)
{
    char id[256] = "";
    RR_CALL(in, identify, id, sizeof id);
    if (strcmp(id, identity) != 0) {
        snprintf(why, len, "the instrument is '%s', the run was on '%s'", id, identity);
        return -1;
    }
    unsigned bits = 0;
    if (RR_CALL(in, get_status, &bits) != RR_OK || (bits & RR_STAT_FAULTS)) {
        snprintf(why, len, "the instrument reports a fault (status %u)", bits);
        return -1;
    }
    double T_set = NAN, e_set = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(a[i].kind, "temperature") == 0)
            T_set = a[i].T_K;
        if (strcmp(a[i].kind, "strain") == 0 || strcmp(a[i].kind, "record") == 0)
            e_set = a[i].strain;
    }
    double T = NAN, e = NAN;
    RR_CALL(in, read_temp, &T);
    RR_CALL(in, read_strain, &e);
    if (!isnan(T_set) && !(fabs(T - T_set) <= 2.0)) {
        snprintf(why, len, "the sample is at %.2f K, the journal's setpoint is %.6g K", T, T_set);
        return -1;
    }
    if (!(fabs(e - e_set) <= 1e-4)) {
        snprintf(why, len, "the strain is %.6g, the journal's is %.6g", e, e_set);
        return -1;
    }
    return 0;
}

int rr_recover(const char *dir, int verbosity)
{
    /* Before anything that may block (connecting, the instrument's first
     * answers): from here SIGINT, SIGTERM and SIGHUP end the run through the
     * safe state, and SIGUSR1/SIGUSR2 cannot kill it. */
    rr_abort_install_handlers();
    char path[1200], err[1024], why[512];
    snprintf(path, sizeof path, "%s/manifest.yaml", dir);
    rr_yaml *y = NULL;
    if (rr_yaml_load_file(path, &y, err, sizeof err) != RR_OK) {
        fprintf(stderr, "relaxrun: %s\n", err);
        return RR_EXIT_USAGE;
    }
    yaml_node_t *root = rr_yaml_root(y);
    yaml_node_t *inst = rr_yaml_get(y, root, "instrument");
    yaml_node_t *proto = rr_yaml_get(y, root, "protocol");
    char spec[256], identity[256], started[64], protocol[1400], ppath[1024], cmdline[4096];
    snprintf(spec, sizeof spec, "%s", str_at(y, inst, "spec"));
    snprintf(identity, sizeof identity, "%s", str_at(y, inst, "identity"));
    snprintf(started, sizeof started, "%s", str_at(y, root, "started"));
    snprintf(ppath, sizeof ppath, "%s", str_at(y, proto, "path"));
    snprintf(cmdline, sizeof cmdline, "%s", str_at(y, root, "command_line"));
    const char *base = strrchr(ppath, '/');
    snprintf(protocol, sizeof protocol, "%s/source/%s", dir, base ? base + 1 : ppath);
    double seed = 1;
    rr_parse_number(str_at(y, root, "seed"), &seed);
    /* Noise, the watchdog, the memory cap, the pace and the pause policy as
     * the run had them, not the defaults. */
    settings set = read_settings(cmdline);

    /* The parameters as the run had them. */
    yaml_node_t *params = rr_yaml_get(y, root, "parameters"), *k, *v;
    size_t np = 0;
    for (size_t i = 0; rr_yaml_pair(y, params, i, &k, &v); i++)
        np++;
    rr_override *ov = calloc(np + 1, sizeof *ov);
    for (size_t i = 0; ov && rr_yaml_pair(y, params, i, &k, &v); i++) {
        ov[i].name = strdup(rr_yaml_str(k) ? rr_yaml_str(k) : "");
        rr_parse_number(str_at(y, v, "value"), &ov[i].value);
    }
    rr_limits lim = {0};
    yaml_node_t *l = rr_yaml_get(y, inst, "limits");
    rr_parse_number(str_at(y, l, "temperature_min_K"), &lim.temp_min_K);
    rr_parse_number(str_at(y, l, "temperature_max_K"), &lim.temp_max_K);
    rr_parse_number(str_at(y, l, "strain_max"), &lim.strain_max);
    rr_parse_number(str_at(y, l, "rate_max_K_per_min"), &lim.rate_max_K_per_min);
    rr_parse_number(str_at(y, l, "frequency_min_Hz"), &lim.freq_min_Hz);
    rr_parse_number(str_at(y, l, "frequency_max_Hz"), &lim.freq_max_Hz);
    /* Its segment files: one per attempt of each recording. */
    size_t nsegs = 0;
    rr_resume_segment *segs = read_segments(y, root, dir, &nsegs);
    rr_yaml_free(y);

    int code = RR_EXIT_INSTRUMENT;
    rr_action *acts = NULL;
    size_t nacts = 0;
    rr_instrument *in = NULL;
    rr_recorder *rec = NULL;
    rr_paths paths;
    if (rr_journal_load(dir, &acts, &nacts, err, sizeof err) != RR_OK) {
        fprintf(stderr, "relaxrun: cannot resume %s: %s\n", dir, err);
        code = RR_EXIT_USAGE;
        goto out;
    }
    if (rr_paths_resolve(&paths) != RR_OK) {
        fputs("relaxrun: cannot find relaxrun's Lua library\n", stderr);
        code = RR_EXIT_INTERNAL;
        goto out;
    }
    char transcript[1300];
    snprintf(transcript, sizeof transcript, "%s/transcript.log", dir);
    rr_open_options oo = {.seed = (unsigned long)seed, .noise = set.noise,
                          .presets_dir = paths.presets_dir,
                          .transcript_path = strncmp(spec, "sim", 3) ? transcript : NULL,
                          .interrupted = rr_abort_requested};
    if (rr_instrument_open(spec, &oo, &in, err, sizeof err) != RR_OK) {
        int sig = rr_abort_requested();
        if (sig) { /* the signal cut the connection short */
            fprintf(stderr, "relaxrun: resuming %s: aborted by %s while connecting (%s)\n", dir,
                    rr_abort_signal_name(sig), err);
            code = RR_EXIT_ABORTED;
        } else {
            fprintf(stderr, "relaxrun: cannot resume %s: %s\n", dir, err);
        }
        goto out;
    }
    if (check_state(in, identity, acts, nacts, why, sizeof why) != 0) {
        fprintf(stderr, "relaxrun: refusing to resume %s: %s\n", dir, why);
        FILE *ev;
        snprintf(path, sizeof path, "%s/events.log", dir);
        if ((ev = fopen(path, "a"))) {
            fprintf(ev, "resume refused: %s\n", why);
            fclose(ev);
        }
        goto out;
    }
    if (rr_recorder_reopen(dir, started, &rec, err, sizeof err) != RR_OK) {
        fprintf(stderr, "relaxrun: %s\n", err);
        code = RR_EXIT_INTERNAL;
        goto out;
    }
    char sha[65] = "";
    rr_sha256_file(protocol, sha);
    rr_recorder_set_protocol(rec, ppath, sha);
    rr_recorder_set_seed(rec, (unsigned long)seed);
    rr_recorder_set_instrument(rec, spec, identity, &lim);
    {
        /* Kept, so that a second resume reads the same settings back. */
        char line[4096], *w[256];
        snprintf(line, sizeof line, "%s", cmdline);
        int nw = split_words(line, w, 256);
        if (nw)
            rr_recorder_set_command_line(rec, nw, w);
    }

    rr_run run;
    memset(&run, 0, sizeof run);
    run.in = in;
    run.rec = rec;
    run.limits = lim;
    run.overrides = ov;
    run.noverrides = np;
    run.verbosity = verbosity;
    run.pace = set.pace;
    run.stable_timeout_s = 4 * 3600;
    run.last_temp_K = NAN;
    run.last_stress_MPa = NAN;
    if (set.pause_policy >= 0) {
        rr_run_set_pause_policy(&run, set.pause_policy);
        run.pause_policy_from_user = true;
    }
    run.journal.replay = acts;
    run.journal.nreplay = nacts;
    acts = NULL; /* owned by the journal now */
    rr_recorder_set_durable(rec, !in->virtual_time);
    run.journal.durable = !in->virtual_time;
    rr_journal_open(&run.journal, dir);
    rr_run_event(&run, "INFO", "resuming after an interruption: %zu actions in the journal",
                 run.journal.nreplay);
    rr_run_event(&run, "INFO", "the run's settings: noise %s, watchdog %.6g s, memory cap "
                 "%.6g MB, pace %.6g, pause %s", set.noise ? "on" : "off", set.watchdog_s,
                 set.memory_limit_MB, set.pace,
                 set.pause_policy == RR_PAUSE_HOLD     ? "hold"
                 : set.pause_policy == RR_PAUSE_UNLOAD ? "unload"
                 : set.pause_policy == RR_PAUSE_NONE   ? "none"
                                                       : "as the protocol says");
    /* Every segment file the run made, in its order, so that the recorder
     * numbers the next ones on from them; the one under way when it stopped
     * is adopted when the replay reaches its recording, to go on in it. */
    run.resume_segments = segs;
    run.nresume_segments = nsegs;
    for (size_t i = 0; i < nsegs; i++) {
        if (i + 1 == nsegs && !segs[i].complete)
            break;
        rr_status st = rr_run_adopt_segment(&run, &segs[i], false, path, sizeof path);
        if (st != RR_OK) {
            rr_run_fail(&run, st == RR_ERR_PARSE ? RR_END_PROTOCOL_ERROR : RR_END_OUTPUT_ERROR,
                        "resuming: cannot take %s back as segment %zu (the recorder has %s)",
                        segs[i].file, i + 1, path);
            break;
        }
    }
    if (verbosity >= 0)
        fprintf(stderr, "relaxrun: resuming %s (%zu actions done or under way)\n", dir,
                run.journal.nreplay);
    rr_host_options ho = {.protocol_path = protocol, .scripts_dir = paths.scripts_dir,
                          .memory_limit_bytes = (size_t)(set.memory_limit_MB * 1048576.0),
                          .watchdog_s = set.watchdog_s};
    if (run.failure == RR_END_RUNNING)
        rr_host_run(&run, &ho);
    /* Whatever happened: the instrument to its safe state, then the data. */
    rr_end end = rr_run_close(&run);
    if (rr_report_write(dir, verbosity, err, sizeof err) != RR_OK)
        fprintf(stderr, "relaxrun: report: %s\n", err);
    if (verbosity >= 0)
        printf("relaxrun: resumed run %s: %s\n", dir, rr_end_word(end));
    code = rr_end_exit_code(end);
    rr_run_release(&run);
out:
    free(acts);
    free(segs);
    rr_recorder_free(rec);
    rr_instrument_close(in);
    for (size_t i = 0; ov && i < np; i++)
        free((char *)ov[i].name);
    free(ov);
    return code;
}
