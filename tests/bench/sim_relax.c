/* sim_relax.c - benchmark: one relaxation of 10^6 samples (27.8 hours at
 * 10 points/s) kept in memory.  Prints wall time and peak RSS; asserts only
 * the sample count and that the stress decays. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "instrument.h"

/* Direct calls: the simulator fills every slot of the vtable (RR_CALL's
 * NULL check would leave clang thinking out-parameters may stay unset). */
#define SIM_CALL(in, fn, ...) ((in)->ops->fn((in)->ctx, __VA_ARGS__))
#define SIM_CALL0(in, fn) ((in)->ops->fn((in)->ctx))

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void)
{
    const size_t N = 1000000;
    const char *src = getenv("RELAXRUN_SOURCE_DIR");
    char presets[1024];
    snprintf(presets, sizeof presets, "%s/drivers/sim/presets", src ? src : ".");
    rr_open_options o = {.seed = 42, .noise = true, .presets_dir = src ? presets : NULL};
    rr_sample *all = malloc(N * sizeof *all);
    if (!all)
        return 1;
    double w0 = wall();
    rr_instrument *in = NULL;
    char err[512];
    if (rr_sim_open(NULL, &o, &in, err, sizeof err) != RR_OK) {
        fprintf(stderr, "sim_relax: %s\n", err);
        return 1;
    }
    SIM_CALL(in, set_temp, 400.0);
    double now = 0;
    SIM_CALL(in, advance, 3600.0, &now);
    double w1 = wall();
    clock_t c1 = clock();
    SIM_CALL0(in, acq_start);
    SIM_CALL(in, set_strain, 0.006);
    double t_end = now + 0.5 + (double)(N - 1) / 10 + 1e-6;
    size_t n = 0;
    while (now < t_end && n < N) {
        SIM_CALL(in, advance, t_end, &now);
        size_t k = 0;
        SIM_CALL(in, acq_read, all + n, N - n, &k);
        n += k;
    }
    double w = wall() - w1, wall_all = wall() - w0;
    double cpu = (double)(clock() - c1) / CLOCKS_PER_SEC;
    rr_instrument_close(in);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("10^6-sample relaxation at 400 K: %zu samples (%.1f h) in %.3f s wall, "
           "%.3f s CPU (%.3f s wall with open and 1 h of heating); peak RSS %.1f MB "
           "(samples alone: %.1f MB)\n",
           n, (all[n - 1].t_s - all[0].t_s) / 3600, w, cpu, wall_all, ru.ru_maxrss / 1024.0,
           (double)(N * sizeof *all) / 1e6);
    int ok = n == N && all[N - 1].stress_MPa < all[0].stress_MPa;
    free(all);
    return ok ? 0 : 1;
}
