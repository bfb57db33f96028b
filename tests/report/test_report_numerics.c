/* test_report_numerics.c - the report's own numerics against analytic
 * cases (log-time derivative, log binning, line fit), quoted CSV, safe
 * paths and axis labels.  Needs no gnuplot. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "report_deriv.h"
#include "report_internal.h"

/* --- numerics ---------------------------------------------------------- */

TEST(logderiv_of_a_logarithm_is_its_slope)
{
    /* y = 1 - 0.03 ln t: -dy/dln t = 0.03 exactly, at every grid point. */
    size_t n = 20000;
    double *t = malloc(n * sizeof *t), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        t[i] = 0.5 + 0.1 * (double)i;
        y[i] = 1 - 0.03 * log(t[i]);
    }
    double *gt, *gd;
    size_t m;
    CHECK(rr_report_logderiv(t, y, n, 0.2, 0.02, &gt, &gd, &m) == RR_OK);
    /* 0.5 .. 2000 s is 3.6 decades: (3.6 - 0.2) / 0.02 + 1 = 171 points. */
    CHECK(m >= 165 && m <= 172);
    for (size_t k = 0; k < m; k++)
        CHECK_REL(gd[k], 0.03, 1e-9);
    CHECK_REL(gt[0], 0.5 * pow(10, 0.1), 1e-9);
    free(gt);
    free(gd);
    free(t);
    free(y);
}

TEST(logderiv_of_a_debye_step_peaks_at_tau)
{
    /* y = 1 - f (1 - exp(-t/tau)): exact -dy/dln t = f (t/tau) exp(-t/tau),
     * peak at t = tau, height f/e. */
    const double f = 0.05, tau = 21.7;
    size_t n = 18000;
    double *t = malloc(n * sizeof *t), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        t[i] = 0.5 + 0.1 * (double)i;
        y[i] = 1 - f * (1 - exp(-t[i] / tau));
    }
    double *gt, *gd;
    size_t m, top = 0;
    CHECK(rr_report_logderiv(t, y, n, 0.2, 0.02, &gt, &gd, &m) == RR_OK);
    for (size_t k = 1; k < m; k++)
        if (gd[k] > gd[top])
            top = k;
    printf("     debye: peak %.4g s (tau %.4g s), height %.5g (f/e %.5g, %.2f %%)\n",
           gt[top], tau, gd[top], f / M_E, 100 * (gd[top] / (f / M_E) - 1));
    CHECK_REL(gt[top], tau, 0.025);       /* one grid step is 4.7 % */
    CHECK_REL(gd[top], f / M_E, 0.015);   /* the window flattens it ~1 % */
    CHECK(gd[top] <= f / M_E);
    /* Away from the peak the smoothed value follows the exact one. */
    for (size_t k = 0; k < m; k++) {
        double exact = f * gt[k] / tau * exp(-gt[k] / tau);
        CHECK_ABS(gd[k], exact, 0.02 * f / M_E);
    }
    free(gt);
    free(gd);
    free(t);
    free(y);
}

TEST(logderiv_rejects_bad_input)
{
    double t[] = {1, 2, 1.5, 3}, y[] = {1, 1, 1, 1}, *gt, *gd;
    size_t m;
    CHECK(rr_report_logderiv(t, y, 4, 0.2, 0.02, &gt, &gd, &m) == RR_ERR_ARG);
    CHECK(gt == NULL && gd == NULL && m == 0);
    double t2[] = {1, 1.01, 1.02, 1.03};
    CHECK(rr_report_logderiv(t2, y, 4, 0.2, 0.02, &gt, &gd, &m) == RR_OK);
    CHECK(m == 0); /* shorter than one window */
    free(gt);
    free(gd);
    CHECK(rr_report_logderiv(t2, y, 4, 0, 0.02, &gt, &gd, &m) == RR_ERR_ARG);
}

TEST(logbin_means_per_bin)
{
    /* t = 1..1000 s, 1 per second, 10 bins a decade: bin [10^0.1k, ..). */
    double t[1000], y[1000], bt[100], by[100];
    for (int i = 0; i < 1000; i++) {
        t[i] = i + 1;
        y[i] = 2 * t[i];
    }
    size_t m = rr_report_logbin(t, y, 1000, 10, bt, by, 100);
    CHECK(m <= 31 && m >= 25);
    CHECK(bt[0] == 1); /* [1, 1.26): only t = 1 */
    for (size_t k = 0; k < m; k++) {
        CHECK_REL(by[k], 2 * bt[k], 1e-12);
        if (k)
            CHECK(bt[k] > bt[k - 1]);
    }
    /* The bin [10^2.9, 10^3) holds 795..999 s (mean 897 s); 1000 s opens
     * the next one alone. */
    CHECK_REL(bt[m - 2], 897, 1e-12);
    CHECK_REL(bt[m - 1], 1000, 1e-12);
    CHECK(rr_report_logbin(t, y, 1000, 10, bt, by, 3) == 3); /* capped */
}

TEST(linefit_exact_and_noisy)
{
    double x[5] = {1, 2, 3, 4, 5}, y[5], a, b, se;
    for (int i = 0; i < 5; i++)
        y[i] = 3 - 2 * x[i];
    CHECK(rr_report_linefit(x, y, 5, &a, &b, &se) == RR_OK);
    CHECK_REL(a, 3, 1e-12);
    CHECK_REL(b, -2, 1e-12);
    CHECK_ABS(se, 0, 1e-12);
    /* Residuals +-0.1 alternating: slope error by hand. */
    double yn[5] = {1.1, -1.1, -2.9, -5.1, -6.9};
    CHECK(rr_report_linefit(x, yn, 5, &a, &b, &se) == RR_OK);
    /* The slope by the textbook formula, computed here independently. */
    double xm = 3, ym = (1.1 - 1.1 - 2.9 - 5.1 - 6.9) / 5, sxx = 10, sxy = 0;
    for (int i = 0; i < 5; i++)
        sxy += (x[i] - xm) * (yn[i] - ym);
    CHECK_REL(b, sxy / sxx, 1e-12);
    CHECK(se > 0);
    CHECK(rr_report_linefit(x, y, 2, &a, &b, &se) == RR_OK);
    CHECK(isnan(se));
    double same[3] = {1, 1, 1};
    CHECK(rr_report_linefit(same, y, 3, &a, &b, &se) == RR_ERR_ARG);
}

TEST(csv_records_and_paths)
{
    const char *text = "name,value,unit,description\n"
                       "a,1,s,\"with, comma and \"\"quotes\"\"\"\n"
                       "b,2,K,\"two\nlines\"\n";
    const char *p = text;
    char buf[256], *f[4];
    CHECK(rr_report_csv_record(&p, buf, sizeof buf, f, 4) == 4);
    CHECK(strcmp(f[3], "description") == 0);
    CHECK(rr_report_csv_record(&p, buf, sizeof buf, f, 4) == 4);
    CHECK(strcmp(f[3], "with, comma and \"quotes\"") == 0);
    CHECK(rr_report_csv_record(&p, buf, sizeof buf, f, 4) == 4);
    CHECK(strcmp(f[0], "b") == 0 && strcmp(f[3], "two\nlines") == 0);
    CHECK(rr_report_csv_record(&p, buf, sizeof buf, f, 4) == 0);

    CHECK(rr_report_safe_relpath("segments/001-stage_1.csv"));
    CHECK(rr_report_safe_relpath("tables/tau.csv"));
    CHECK(!rr_report_safe_relpath("../etc/passwd"));
    CHECK(!rr_report_safe_relpath("segments/../../x"));
    CHECK(!rr_report_safe_relpath("/etc/passwd"));
    CHECK(!rr_report_safe_relpath("javascript:alert(1)"));
    CHECK(!rr_report_safe_relpath("<rm -rf x"));
    CHECK(!rr_report_safe_relpath(""));
    CHECK(rr_report_safe_relpath("a..b/c"));

    char label[64];
    rr_report_axis_label("tau_1_s", label, sizeof label);
    CHECK(strcmp(label, "tau_1 (s)") == 0);
    rr_report_axis_label("rate_K_per_min", label, sizeof label);
    CHECK(strcmp(label, "rate (K/min)") == 0);
    rr_report_axis_label("loss_modulus_MPa", label, sizeof label);
    CHECK(strcmp(label, "loss_modulus (MPa)") == 0);
    rr_report_axis_label("count", label, sizeof label);
    CHECK(strcmp(label, "count") == 0);
}

int main(void)
{
    RUN(logderiv_of_a_logarithm_is_its_slope);
    RUN(logderiv_of_a_debye_step_peaks_at_tau);
    RUN(logderiv_rejects_bad_input);
    RUN(logbin_means_per_bin);
    RUN(linefit_exact_and_noisy);
    RUN(csv_records_and_paths);
    return rr_test_summary();
}
