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

/* The fast path of the CSV reader against strtod, the oracle: bit for bit
 * on the recorder's fixed-point fields and on random decimals of every
 * length around the fast path's limits; NaN where strtod would not read
 * the whole field. */
static int same_as_strtod(const char *text)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s,", text); /* a field ends at a comma */
    char *end = buf + strlen(text);
    double got = rr_report_parse_number(buf, end);
    if (*end != ',')
        return 0; /* the terminator must be restored */
    char *stop;
    double want = strtod(text, &stop);
    if (stop == text || *stop)
        want = NAN;
    if (isnan(want))
        return isnan(got);
    return memcmp(&got, &want, sizeof got) == 0;
}

TEST(csv_numbers_are_strtods_values)
{
    static const char *const cases[] = {
        "0", "-0", "+0", "0.000000", "-0.0000", "315.0000", "240.1234567",
        "0.0060000000", "9007199254740992", "9007199254740993", "0.9007199254740993",
        "1234567890123456789", "12345678901234567890", "0.1234567890123456789012",
        "1e5", "1.5e-3", "nan", "NaN", "inf", "-inf", "", "-", "+", ".", "1.",
        ".5", "-.5", "1.2.3", "12a", " 12", "0x10", "--1", "1,5",
        "0.00000000000000000000001", "179769313486231570000000000000000000000"};
    size_t bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!same_as_strtod(cases[i])) {
            printf("     differs from strtod: \"%s\"\n", cases[i]);
            bad++;
        }
    CHECK(bad == 0);
    /* Random values written as the recorder writes them (fixed point with
     * 4, 6, 7 and 10 decimals) and as arbitrary digit strings. */
    unsigned long long x = 88172645463325252ULL;
    size_t n = 0;
    bad = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        char text[64];
        if (i % 2) {
            static const int dec[] = {4, 6, 7, 10};
            double v = (double)(x >> 11) / 9007199254740992.0 *
                       pow(10, (double)(x % 9)) - 50;
            snprintf(text, sizeof text, "%.*f", dec[x % 4], v);
        } else {
            int len = 1 + (int)(x % 24), point = (int)((x >> 8) % (unsigned)(len + 1));
            unsigned long long y = x;
            int k = 0;
            if (y & 1)
                text[k++] = '-';
            for (int d = 0; d < len; d++) {
                if (d == point && d > 0)
                    text[k++] = '.';
                y = y * 6364136223846793005ULL + 1442695040888963407ULL;
                text[k++] = (char)('0' + (y >> 33) % 10);
            }
            text[k] = 0;
        }
        n++;
        if (!same_as_strtod(text) && bad++ < 5)
            printf("     differs from strtod: \"%s\"\n", text);
    }
    printf("     %zu random decimals read as strtod reads them, %zu differ\n", n, bad);
    CHECK(bad == 0);
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
    RUN(csv_numbers_are_strtods_values);
    RUN(csv_records_and_paths);
    return rr_test_summary();
}
