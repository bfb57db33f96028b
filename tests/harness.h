/* harness.h - a tiny test harness for relaxrun's C tests.
 *
 *   TEST(name) { CHECK(x == 1); CHECK_REL(got, want, 1e-9); }
 *   int main(void) { RUN(name); return rr_test_summary(); }
 *
 * Failures print file:line and the values; the summary line reads
 * "N passed, M failed" and the exit status is non-zero on any failure.
 */
#ifndef RR_TEST_HARNESS_H
#define RR_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>

static int rr_test_failures_ __attribute__((unused));
static int rr_test_passed_ __attribute__((unused));
static int rr_test_failed_ __attribute__((unused));

#define TEST(name) static void test_##name(void)

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                      \
            rr_test_failures_++;                                           \
        }                                                                  \
    } while (0)

/* |got - want| <= rel * |want| (or <= rel when want is 0). */
#define CHECK_REL(got, want, rel)                                          \
    do {                                                                   \
        double g_ = (got), w_ = (want), r_ = (rel);                        \
        double tol_ = (w_ != 0 ? fabs(w_) * r_ : r_);                      \
        if (!(fabs(g_ - w_) <= tol_)) {                                    \
            fprintf(stderr, "%s:%d: %s = %.12g, want %.12g (rel %.3g)\n",  \
                    __FILE__, __LINE__, #got, g_, w_, r_);                 \
            rr_test_failures_++;                                           \
        }                                                                  \
    } while (0)

#define CHECK_ABS(got, want, tol)                                          \
    do {                                                                   \
        double g_ = (got), w_ = (want), t_ = (tol);                        \
        if (!(fabs(g_ - w_) <= t_)) {                                      \
            fprintf(stderr, "%s:%d: %s = %.12g, want %.12g +- %.3g\n",     \
                    __FILE__, __LINE__, #got, g_, w_, t_);                 \
            rr_test_failures_++;                                           \
        }                                                                  \
    } while (0)

#define RUN(name)                                                          \
    do {                                                                   \
        int before_ = rr_test_failures_;                                   \
        test_##name();                                                     \
        if (rr_test_failures_ == before_) {                                \
            rr_test_passed_++;                                             \
            printf("ok   %s\n", #name);                                    \
        } else {                                                           \
            rr_test_failed_++;                                             \
            printf("FAIL %s\n", #name);                                    \
        }                                                                  \
    } while (0)

static inline int rr_test_summary(void)
{
    printf("%d passed, %d failed\n", rr_test_passed_, rr_test_failed_);
    return rr_test_failed_ ? 1 : 0;
}

#endif
