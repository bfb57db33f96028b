/* preset_fuzz.c - libFuzzer harness for the simulator's preset loader
 * (drivers/sim): the input is a preset file, opened through the public
 * path rr_sim_open("DIR/preset.yaml"), as `relaxrun -I sim:FILE.yaml` does.
 * The file is a memfd behind a symlink (fuzzfile.h), so no disk write.
 *
 * A preset that opens is then driven briefly (heat, strain step, sampling,
 * 20 s of instrument time, safe state): a preset the loader accepts must
 * give a working simulator, never a crash, a hang or a NaN sample.
 * Beyond memory safety, a refused preset must leave *out NULL and say why
 * with the file's name (the promise of "FILE:LINE: key 'K': why").
 *
 * Build: -DRELAXRUN_FUZZ=ON with clang; run: tests/fuzz/run-all.sh. */
#define _GNU_SOURCE
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzfile.h"
#include "instrument.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Drives an opened simulator a little; aborts on nonsense. */
static void exercise(rr_instrument *in)
{
    rr_limits lim;
    if (RR_CALL(in, get_limits, &lim) != RR_OK)
        abort();
    if (!(lim.temp_min_K < lim.temp_max_K) || !(lim.strain_max > 0))
        abort();
    double T = fmin(fmax(300.0, lim.temp_min_K), lim.temp_max_K);
    double strain = fmin(0.001, lim.strain_max / 2);
    double now = 0;
    RR_CALL(in, set_temp, T);
    RR_CALL(in, acq_set_rate, 10.0);
    RR_CALL0(in, acq_start);
    RR_CALL(in, set_strain, strain);
    static rr_sample buf[512];
    for (int i = 1; i <= 20; i++) {
        if (RR_CALL(in, advance, (double)i, &now) != RR_OK)
            break;
        size_t n = 0;
        if (RR_CALL(in, acq_read, buf, sizeof buf / sizeof buf[0], &n) != RR_OK)
            break;
        for (size_t k = 0; k < n; k++) {
            /* Stress may legitimately be anything finite; NaN is a bug
             * (this found presets with extreme time constants: see
             * corpus/preset/regress-*). */
            if (!isfinite(buf[k].t_s) || !isfinite(buf[k].stress_MPa) ||
                !isfinite(buf[k].temp_K) || !isfinite(buf[k].strain)) {
                fprintf(stderr, "non-finite sample at t=%g: T=%g strain=%g stress=%g\n",
                        buf[k].t_s, buf[k].temp_K, buf[k].strain, buf[k].stress_MPa);
                abort();
            }
        }
    }
    if (RR_CALL0(in, reset) != RR_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzzfile_write("preset.yaml", data, size);
    rr_open_options opt = {.seed = 1, .noise = true};
    rr_instrument *in = (rr_instrument *)(uintptr_t)1;
    char err[2048] = "";
    rr_status st = rr_sim_open(path, &opt, &in, err, sizeof err);
    if (st == RR_OK) {
        if (!in)
            abort();
        exercise(in);
        rr_instrument_close(in);
    } else if (in || !err[0]) {
        abort();
    } else if (getenv("RR_FUZZ_STRICT") && st != RR_ERR_NOMEM && !strstr(err, path)) {
        fprintf(stderr, "message does not name the file: %s\n", err);
        abort();
    }
    return 0;
}
