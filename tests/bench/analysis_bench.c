/* analysis_bench.c - figures for the analysis kernels (printed, never
 * asserted): a two-step fit of 20,000 points and the smoothed log-time
 * derivative of 10^6 points.  Correctness is asserted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "harness.h"
#include "la60.h"
#include "logderiv.h"
#include "twostep.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long max_rss_kB(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

TEST(twostep_20000_points)
{
    enum { N = 20000, REPS = 5 };
    double *t = malloc(N * sizeof *t), *y = malloc(N * sizeof *y);
    CHECK(t && y && la60_relaxation(330, N, 2e-4, 3, t, y) == 0);
    double best = INFINITY, sum = 0;
    rr_twostep r;
    for (int k = 0; k < REPS; k++) {
        double t0 = now_s();
        CHECK(rr_twostep_fit(t, y, N, NULL, &r, NULL) == RR_OK);
        double dt = now_s() - t0;
        best = fmin(best, dt);
        sum += dt;
    }
    double tb = la60_params(330).tau_beta_s;
    printf("  two-step fit, %d points (330 K): best %.1f ms, mean %.1f ms over %d runs; "
           "tau_1 = %.4g s = %.3f tau_b, %s\n", N, 1e3 * best, 1e3 * sum / REPS, REPS,
           r.tau1_s, r.tau1_s / tb, r.two_step ? "two-step" : "single-step");
    CHECK(r.two_step);
    CHECK_REL(r.tau1_s / tb, 0.95, 0.03);
    free(t);
    free(y);
}

TEST(logderiv_1e6_points)
{
    enum { N = 1000000 };
    double *t = malloc(N * sizeof *t), *y = malloc(N * sizeof *y);
    CHECK(t && y && la60_relaxation(330, N, 2e-4, 4, t, y) == 0); /* 0.5 s .. 1e5 s */
    rr_logderiv d;
    double t0 = now_s();
    CHECK(rr_logderiv_compute(t, y, N, NULL, &d, NULL) == RR_OK);
    double dt = now_s() - t0;
    printf("  smoothed d(sigma/sigma0)/d ln t, %d points: %.1f ms (%.1f M points/s), "
           "%zu grid points, %zu peaks, max RSS %ld kB\n", N, 1e3 * dt, N / dt / 1e6, d.m,
           d.npeaks, max_rss_kB());
    CHECK(d.npeaks >= 1);
    if (d.npeaks >= 1)
        CHECK_REL(d.peaks[0].t_s, la60_params(330).tau_beta_s, 0.1);
    rr_logderiv_clear(&d);
    free(t);
    free(y);
}

int main(void)
{
    RUN(twostep_20000_points);
    RUN(logderiv_1e6_points);
    return rr_test_summary();
}
