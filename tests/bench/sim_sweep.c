/* sim_sweep.c - benchmark: a dry run of the whole sweep of Fig. 1 at the
 * driver level.  20 temperatures, 315 to 410 K in 5 K steps; at each: set
 * the temperature and wait for STAT? bit 0, hold 1800 s, step the strain to
 * 0.6 %, record 2000 s at 10 points/s (written to a CSV file in a temporary
 * directory), unload.  Prints wall time, samples and instrument-seconds
 * simulated per wall-second.  Asserts only correctness (sample count, the
 * first sample 0.5 s after each step). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* Fixed-point formatting without printf's exact binary-to-decimal machinery
 * (which would dominate this benchmark): |x| < 9e12 / 10^dec. */
static char *fmt_fixed(char *p, double x, int dec)
{
    static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7};
    if (x < 0) {
        *p++ = '-';
        x = -x;
    }
    unsigned long long v = (unsigned long long)(x * pow10[dec] + 0.5);
    char tmp[32];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
        if (n == dec)
            tmp[n++] = '.';
    } while (v || n <= dec + 1);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static int fail(const char *what)
{
    fprintf(stderr, "sim_sweep: %s\n", what);
    return 1;
}

int main(void)
{
    char dir[] = "/tmp/rr_sim_sweepXXXXXX", path[128];
    if (!mkdtemp(dir))
        return fail("mkdtemp");
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    const char *src = getenv("RELAXRUN_SOURCE_DIR");
    char presets[1024];
    snprintf(presets, sizeof presets, "%s/drivers/sim/presets", src ? src : ".");
    rr_open_options o = {.seed = 42, .noise = true, .presets_dir = src ? presets : NULL};

    double w0 = wall();
    clock_t c0 = clock();
    rr_instrument *in = NULL;
    char err[512];
    if (rr_sim_open(NULL, &o, &in, err, sizeof err) != RR_OK)
        return fail(err);
    FILE *f = fopen(path, "w");
    if (!f)
        return fail("cannot write the CSV file");
    static char fbuf[1 << 16];
    setvbuf(f, fbuf, _IOFBF, sizeof fbuf);
    fprintf(f, "T_set_K,t_s,step_time_s,temp_K,strain,stress_MPa\n");
    static rr_sample buf[4096];
    size_t total = 0;
    int bad = 0;
    double now = 0;
    SIM_CALL(in, acq_set_rate, 10.0);
    for (int k = 0; k < 20; k++) {
        double T = 315 + 5 * k;
        if (SIM_CALL(in, set_temp, T) != RR_OK)
            return fail("set_temp");
        for (;;) { /* wait for a stable temperature, polling every 10 s */
            unsigned bits = 0;
            SIM_CALL(in, get_status, &bits);
            if (bits & RR_STAT_TEMP_STABLE)
                break;
            SIM_CALL(in, advance, now + 10, &now);
        }
        double t_hold = now + 1800;
        while (now < t_hold)
            SIM_CALL(in, advance, t_hold, &now);
        SIM_CALL0(in, acq_start);
        SIM_CALL(in, set_strain, 0.006);
        double t0 = 0;
        SIM_CALL(in, strain_t0, &t0);
        double t_end = t0 + 2000;
        size_t seg = 0;
        for (;;) {
            SIM_CALL(in, advance, t_end, &now);
            size_t n = 0;
            do {
                SIM_CALL(in, acq_read, buf, sizeof buf / sizeof buf[0], &n);
                for (size_t i = 0; i < n; i++) {
                    if (seg == 0 && i == 0 && !(buf[0].t_s - t0 > 0.499 && buf[0].t_s - t0 < 0.501))
                        bad++;
                    char line[160], *p = line;
                    p = fmt_fixed(p, T, 0);
                    *p++ = ',';
                    p = fmt_fixed(p, buf[i].t_s, 3);
                    *p++ = ',';
                    p = fmt_fixed(p, buf[i].t_s - t0, 3);
                    *p++ = ',';
                    p = fmt_fixed(p, buf[i].temp_K, 3);
                    *p++ = ',';
                    p = fmt_fixed(p, buf[i].strain, 6);
                    *p++ = ',';
                    p = fmt_fixed(p, buf[i].stress_MPa, 4);
                    *p++ = '\n';
                    fwrite(line, 1, (size_t)(p - line), f);
                }
                seg += n;
            } while (n == sizeof buf / sizeof buf[0]);
            if (now >= t_end)
                break;
        }
        SIM_CALL0(in, acq_stop);
        SIM_CALL(in, set_strain, 0.0);
        total += seg;
    }
    fclose(f);
    double w = wall() - w0, cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    rr_instrument_close(in);
    if (getenv("RR_BENCH_KEEP")) { /* for a look at the data */
        printf("kept %s\n", path);
    } else {
        unlink(path);
        rmdir(dir);
    }
    printf("Fig. 1 sweep dry run: 20 temperatures, %zu samples, %.0f instrument-s "
           "(%.1f h) in %.3f s wall (%.3f s CPU): %.3g instrument-s per wall-s\n",
           total, now, now / 3600, w, cpu, now / w);
    if (total != 20 * 19996 || bad)
        return fail("wrong sample count or first-sample time");
    return 0;
}
