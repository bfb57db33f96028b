/* analyze.c - running an analysis script on recorded data.
 *
 *   relaxrun analyze [-o DIR] [SCRIPT.lua] FILE ... [name=value ...]
 *
 * The script gets its arguments as `...` (strings) and the same Lua library
 * as a protocol (relax.report, relax.table, relax.plot, relax.analysis), but
 * no instrument: its results go to a run directory like a protocol's.
 * Without a script, scripts/analyze.lua (the two-step fit of each file and
 * the Arrhenius fit of tau_1) runs.
 */
#include "analyze.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "host.h"
#include "paths.h"
#include "recorder.h"
#include "run.h"

static const char *no_instrument(void *ctx)
{
    (void)ctx;
    return "no instrument: relaxrun analyze works on recorded data";
}

/* An instrument with no callbacks: every call answers "not supported". */
static const rr_instrument_ops none_ops = {.name = "none", .last_error = no_instrument};

int rr_analyze_main(int argc, char **argv)
{
    const char *outdir = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt(argc, argv, "+o:h")) != -1) {
        if (c == 'o') {
            outdir = optarg;
        } else {
            fputs("usage: relaxrun analyze [-o DIR] [SCRIPT.lua] FILE ... [name=value ...]\n",
                  c == 'h' ? stdout : stderr);
            return c == 'h' ? RR_EXIT_OK : RR_EXIT_USAGE;
        }
    }
    rr_paths paths;
    if (rr_paths_resolve(&paths) != RR_OK) {
        fputs("relaxrun: cannot find relaxrun's Lua library\n", stderr);
        return RR_EXIT_INTERNAL;
    }
    char script[2048];
    const char *first = optind < argc ? argv[optind] : "";
    size_t len = strlen(first);
    if (len > 4 && strcmp(first + len - 4, ".lua") == 0) {
        if (rr_paths_find_protocol(&paths, first, script, sizeof script) != RR_OK) {
            fprintf(stderr, "relaxrun: %s: no such script\n", first);
            return RR_EXIT_USAGE;
        }
        optind++;
    } else {
        snprintf(script, sizeof script, "%s/analyze.lua", paths.scripts_dir);
    }
    if (optind >= argc) {
        fputs("relaxrun analyze: no data files given\n", stderr);
        return RR_EXIT_USAGE;
    }

    char err[1024];
    rr_recorder *rec = NULL;
    rr_status open_st = rr_recorder_open(outdir, "analyze", &rec, err, sizeof err);
    if (open_st != RR_OK) {
        fprintf(stderr, "relaxrun: %s\n", err);
        return rr_recorder_open_exit_code(open_st);
    }
    rr_recorder_set_protocol(rec, script, "");
    rr_recorder_set_command_line(rec, argc, argv);
    rr_recorder_copy(rec, script, "source");
    rr_instrument none = {.ops = &none_ops, .ctx = NULL, .virtual_time = true, .spec = "none"};
    rr_run run;
    memset(&run, 0, sizeof run);
    run.in = &none;
    run.rec = rec;
    rr_abort_install_handlers();
    rr_host_options ho = {.protocol_path = script, .scripts_dir = paths.scripts_dir,
                          .memory_limit_bytes = (size_t)2048 * 1048576, .watchdog_s = 0,
                          .args = argv + optind, .nargs = argc - optind};
    rr_host_run(&run, &ho);
    rr_end end = run.failure == RR_END_RUNNING ? RR_END_COMPLETE : run.failure;
    rr_recorder_finish(rec, end, end == RR_END_COMPLETE ? NULL : run.message);
    if (end != RR_END_COMPLETE)
        fprintf(stderr, "relaxrun: %s\n", run.message);
    fprintf(stderr, "relaxrun: results in %s\n", rr_recorder_dir(rec));
    rr_run_release(&run);
    rr_recorder_free(rec);
    return rr_end_exit_code(end);
}
