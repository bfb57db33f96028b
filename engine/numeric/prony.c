/* prony.c - Lawson-Hanson NNLS and the KWW Prony fit (see prony.h). */
#include "prony.h"

#include <float.h>
#include <stdbool.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

double rr_kww_decay(double u, double chi)
{
    if (u <= 0)
        return 1.0;
    return exp(-pow(u, chi) / chi);
}

/* Unconstrained least squares on the columns listed in idx[0..p): z gets p
 * values.  GSL's QR; its error handler is off, so we check returns. */
static rr_status ls_subset(const double *A, size_t m, size_t n, const double *b,
                           const size_t *idx, size_t p, double *z)
{
    gsl_matrix *Q = gsl_matrix_alloc(m, p);
    gsl_vector *tau = gsl_vector_alloc(p < m ? p : m);
    gsl_vector *bv = gsl_vector_alloc(m);
    gsl_vector *xv = gsl_vector_alloc(p);
    gsl_vector *res = gsl_vector_alloc(m);
    rr_status st = RR_ERR_NOMEM;
    if (!Q || !tau || !bv || !xv || !res)
        goto out;
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(Q, i, j, A[i * n + idx[j]]);
        gsl_vector_set(bv, i, b[i]);
    }
    st = RR_ERR_NUMERIC;
    if (gsl_linalg_QR_decomp(Q, tau) != GSL_SUCCESS)
        goto out;
    if (gsl_linalg_QR_lssolve(Q, tau, bv, xv, res) != GSL_SUCCESS)
        goto out;
    for (size_t j = 0; j < p; j++)
        z[j] = gsl_vector_get(xv, j);
    st = RR_OK;
out:
    gsl_matrix_free(Q);
    gsl_vector_free(tau);
    gsl_vector_free(bv);
    gsl_vector_free(xv);
    gsl_vector_free(res);
    return st;
}

/* w = A^T (b - A x) */
static void gradient(const double *A, size_t m, size_t n, const double *b,
                     const double *x, double *r, double *w)
{
    for (size_t i = 0; i < m; i++) {
        double s = b[i];
        for (size_t j = 0; j < n; j++)
            s -= A[i * n + j] * x[j];
        r[i] = s;
    }
    for (size_t j = 0; j < n; j++) {
        double s = 0;
        for (size_t i = 0; i < m; i++)
            s += A[i * n + j] * r[i];
        w[j] = s;
    }
}

rr_status rr_nnls(const double *A, size_t m, size_t n, const double *b,
                  double *x)
{
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    rr_status st = RR_ERR_NOMEM;
    unsigned char *passive = calloc(n, 1);
    size_t *idx = malloc(n * sizeof *idx);
    double *z = malloc(n * sizeof *z);
    double *w = malloc(n * sizeof *w);
    double *r = malloc(m * sizeof *r);
    if (!passive || !idx || !z || !w || !r)
        goto out;
    memset(x, 0, n * sizeof *x);
    double anorm = 0;
    for (size_t i = 0; i < m * n; i++)
        anorm = fmax(anorm, fabs(A[i]));
    const double tol = 10 * DBL_EPSILON * anorm * (double)(m > n ? m : n);

    /* Warm start: the unconstrained solution, dropping the columns that
     * come out non-positive until the rest are all positive.  That is a
     * feasible point with a consistent passive set, from which the
     * Lawson-Hanson iterations below proceed as usual; for a Prony fit it
     * saves most of them (most columns end up passive). */
    for (size_t j = 0; j < n; j++)
        passive[j] = 1;
    bool warm = false;
    for (size_t pass = 0; pass < n && !warm; pass++) {
        size_t p = 0;
        for (size_t j = 0; j < n; j++)
            if (passive[j])
                idx[p++] = j;
        if (p == 0)
            break;
        rr_status s2 = ls_subset(A, m, n, b, idx, p, z);
        if (s2 != RR_OK) {
            st = s2;
            goto out;
        }
        bool all_pos = true;
        for (size_t k = 0; k < p; k++)
            if (!(z[k] > tol)) {
                passive[idx[k]] = 0;
                all_pos = false;
            }
        if (all_pos) {
            for (size_t k = 0; k < p; k++)
                x[idx[k]] = z[k];
            warm = true;
        }
    }
    if (!warm) /* no such point: start from x = 0 */
        memset(passive, 0, n);

    st = RR_ERR_NUMERIC;
    for (size_t outer = 0; outer < 3 * n + 10; outer++) {
        gradient(A, m, n, b, x, r, w);
        size_t t = n;
        double wmax = tol;
        for (size_t j = 0; j < n; j++)
            if (!passive[j] && w[j] > wmax) {
                wmax = w[j];
                t = j;
            }
        if (t == n) {
            st = RR_OK;
            goto out;
        }
        passive[t] = 1;
        for (size_t inner = 0; inner < 3 * n + 10; inner++) {
            size_t p = 0;
            for (size_t j = 0; j < n; j++)
                if (passive[j])
                    idx[p++] = j;
            rr_status s2 = ls_subset(A, m, n, b, idx, p, z);
            if (s2 != RR_OK) {
                st = s2;
                goto out;
            }
            double alpha = 2;
            for (size_t k = 0; k < p; k++)
                if (z[k] <= 0) {
                    double xj = x[idx[k]];
                    double a = xj / (xj - z[k]);
                    if (a < alpha)
                        alpha = a;
                }
            if (alpha > 1) { /* all positive: accept */
                for (size_t k = 0; k < p; k++)
                    x[idx[k]] = z[k];
                break;
            }
            /* Step back to the feasible boundary and drop the columns that
             * reached zero. */
            for (size_t k = 0; k < p; k++) {
                size_t j = idx[k];
                x[j] += alpha * (z[k] - x[j]);
                if (x[j] <= tol) {
                    x[j] = 0;
                    passive[j] = 0;
                }
            }
            if (inner == 3 * n + 9)
                goto out;
        }
    }
out:
    free(passive);
    free(idx);
    free(z);
    free(w);
    free(r);
    gsl_set_error_handler(old);
    return st;
}

size_t rr_prony_kww_modes(double chi, double u_min, double u_max,
                          double modes_per_decade)
{
    if (chi == 1)
        return 1;
    return (size_t)ceil((log10(u_max) - log10(u_min)) * modes_per_decade) + 1;
}

void rr_prony_kww_range(double chi, double A, double tol, double *u_min,
                        double *u_max)
{
    /* A (1/chi) u^chi = tol at u_min; (1/chi) u^chi = 40 at u_max. */
    *u_min = pow(tol * chi / (A > 0 ? A : 1), 1 / chi);
    *u_max = pow(40 * chi, 1 / chi);
    if (*u_min > 1e-6) /* a weak alpha term still gets a few decades */
        *u_min = 1e-6;
}

rr_status rr_prony_fit_kww(double chi, double u_min, double u_max,
                           double modes_per_decade, rr_prony *out)
{
    memset(out, 0, sizeof *out);
    if (!(chi > 0 && chi <= 1) || !(u_min > 0 && u_max > u_min) ||
        !(modes_per_decade > 0))
        return RR_ERR_ARG;
    out->u_min = u_min;
    out->u_max = u_max;
    if (chi == 1) { /* a plain exponential: one exact mode */
        out->n = 1;
        out->lambda[0] = 1;
        out->g[0] = 1;
        return RR_OK;
    }
    double lo = log10(u_min), hi = log10(u_max);
    size_t n = rr_prony_kww_modes(chi, u_min, u_max, modes_per_decade);
    if (n > RR_PRONY_MAX)
        return RR_ERR_RANGE;
    /* Fit points: 4 per mode spacing, one extra decade on each side, and
     * u = 0 (weighted) to pin the sum of the weights to 1. */
    size_t per_dec = (size_t)ceil(4 * modes_per_decade);
    size_t m = (size_t)ceil((hi - lo + 2) * (double)per_dec) + 2;
    double *A = malloc(m * n * sizeof *A);
    double *b = malloc(m * sizeof *b);
    if (!A || !b) {
        free(A);
        free(b);
        return RR_ERR_NOMEM;
    }
    for (size_t k = 0; k < n; k++)
        out->lambda[k] = pow(10, lo + (hi - lo) * (double)k / (double)(n - 1));
    for (size_t i = 0; i < m; i++) {
        double u = 0, wgt = 10;
        if (i > 0)
            u = pow(10, lo - 1 + (hi - lo + 2) * (double)(i - 1) / (double)(m - 2)), wgt = 1;
        for (size_t k = 0; k < n; k++)
            A[i * n + k] = wgt * exp(-u / out->lambda[k]);
        b[i] = wgt * rr_kww_decay(u, chi);
    }
    rr_status st = rr_nnls(A, m, n, b, out->g);
    free(A);
    free(b);
    if (st != RR_OK)
        return st;
    double sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += out->g[k];
    if (!(sum > 0))
        return RR_ERR_NUMERIC;
    /* Keep only modes that carry weight, normalised to sum 1. */
    size_t kept = 0;
    for (size_t k = 0; k < n; k++) {
        if (out->g[k] > 0) {
            out->lambda[kept] = out->lambda[k];
            out->g[kept] = out->g[k] / sum;
            kept++;
        }
    }
    out->n = kept;
    double err = 0;
    for (double e = lo - 1; e <= hi + 1; e += 0.01) {
        double u = pow(10, e), f = 0;
        for (size_t k = 0; k < kept; k++)
            f += out->g[k] * exp(-u / out->lambda[k]);
        err = fmax(err, fabs(f - rr_kww_decay(u, chi)));
    }
    out->max_abs_err = err;
    return RR_OK;
}
