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
    char spec[256], identity[256], started[64], protocol[1400], ppath[1024];
    snprintf(spec, sizeof spec, "%s", str_at(y, inst, "spec"));
    snprintf(identity, sizeof identity, "%s", str_at(y, inst, "identity"));
    snprintf(started, sizeof started, "%s", str_at(y, root, "started"));
    snprintf(ppath, sizeof ppath, "%s", str_at(y, proto, "path"));
    const char *base = strrchr(ppath, '/');
    snprintf(protocol, sizeof protocol, "%s/source/%s", dir, base ? base + 1 : ppath);
    double seed = 1;
    rr_parse_number(str_at(y, root, "seed"), &seed);

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
    rr_open_options oo = {.seed = (unsigned long)seed, .noise = true,
                          .presets_dir = paths.presets_dir,
                          .transcript_path = strncmp(spec, "sim", 3) ? transcript : NULL};
    if (rr_instrument_open(spec, &oo, &in, err, sizeof err) != RR_OK) {
        fprintf(stderr, "relaxrun: cannot resume %s: %s\n", dir, err);
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

    rr_abort_install_handlers();
    rr_run run;
    memset(&run, 0, sizeof run);
    run.in = in;
    run.rec = rec;
    run.limits = lim;
    run.overrides = ov;
    run.noverrides = np;
    run.verbosity = verbosity;
    run.stable_timeout_s = 4 * 3600;
    run.journal.replay = acts;
    run.journal.nreplay = nacts;
    acts = NULL; /* owned by the journal now */
    rr_recorder_set_durable(rec, !in->virtual_time);
    run.journal.durable = !in->virtual_time;
    rr_journal_open(&run.journal, dir);
    rr_run_event(&run, "INFO", "resuming after an interruption: %zu actions in the journal",
                 run.journal.nreplay);
    if (verbosity >= 0)
        fprintf(stderr, "relaxrun: resuming %s (%zu actions done or under way)\n", dir,
                run.journal.nreplay);
    rr_host_options ho = {.protocol_path = protocol, .scripts_dir = paths.scripts_dir,
                          .memory_limit_bytes = (size_t)2048 * 1048576, .watchdog_s = 60};
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
    rr_recorder_free(rec);
    rr_instrument_close(in);
    for (size_t i = 0; ov && i < np; i++)
        free((char *)ov[i].name);
    free(ov);
    return code;
}
