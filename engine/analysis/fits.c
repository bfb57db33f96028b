/* fits.c - Arrhenius, KWW, loss-peak, Eq. (1) and Eq. (2) fits. */
#include "fits.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nlls.h"
#include "series_ops.h"

/* Weighted straight line y = a + b (x - xbar); fills the centred fit. */
typedef struct line {
    double a, b, xbar, var_a, var_b, rss;
    size_t n;
} line;

static rr_status fit_line(const double *x, const double *y, const double *w,
                          size_t n, int absolute, line *L, char *err)
{
    double sw = 0, swx = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1;
        sw += wi;
        swx += wi * x[i];
    }
    double xbar = swx / sw, sxx = 0, sxy = 0, swy = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1, u = x[i] - xbar;
        sxx += wi * u * u;
        sxy += wi * u * y[i];
        swy += wi * y[i];
    }
    if (!(sxx > 0))
        return rr_an_fail(err, RR_ERR_ARG, "fit: the abscissae are all equal");
    L->xbar = xbar;
    L->a = swy / sw;
    L->b = sxy / sxx;
    L->rss = 0;
    for (size_t i = 0; i < n; i++) {
        double r = y[i] - L->a - L->b * (x[i] - xbar);
        L->rss += (w ? w[i] : 1) * r * r;
    }
    double s2 = (w && absolute) ? 1 : L->rss / (double)(n - 2);
    L->var_a = s2 / sw;
    L->var_b = s2 / sxx;
    L->n = n;
    return RR_OK;
}

rr_status rr_arrhenius_fit(const double *T_K, const double *tau_s,
                           const double *se_tau_s, size_t n, int absolute,
                           rr_arrhenius *out, char *err)
{
    memset(out, 0, sizeof *out);
    if (n < 3)
        return rr_an_fail(err, RR_ERR_ARG,
                          "arrhenius: %zu points for 2 parameters (need >= 3)", n);
    double *buf = malloc(3 * n * sizeof *buf);
    if (!buf)
        return rr_an_fail(err, RR_ERR_NOMEM, "arrhenius: out of memory");
    double *x = buf, *y = buf + n, *w = se_tau_s ? buf + 2 * n : NULL;
    for (size_t i = 0; i < n; i++) {
        if (!(T_K[i] > 0) || !isfinite(T_K[i]) || !(tau_s[i] > 0) ||
            !isfinite(tau_s[i]) ||
            (se_tau_s && (!(se_tau_s[i] > 0) || !isfinite(se_tau_s[i])))) {
            free(buf);
            return rr_an_fail(err, RR_ERR_ARG,
                              "arrhenius: point %zu (T_K = %g, tau_s = %g%s) must "
                              "be finite and > 0", i + 1, T_K[i], tau_s[i],
                              se_tau_s ? ", with its se" : "");
        }
        x[i] = 1 / T_K[i];
        y[i] = log(tau_s[i]);
        if (w) {
            double rel = se_tau_s[i] / tau_s[i];
            w[i] = 1 / (rel * rel);
        }
    }
    line L;
    rr_status st = fit_line(x, y, w, n, absolute, &L, err);
    free(buf);
    if (st != RR_OK)
        return st;
    const double R = RR_GAS_CONSTANT / 1000; /* kJ/(mol K) */
    out->a = L.a;
    out->b_K = L.b;
    out->xbar_per_K = L.xbar;
    out->se_a = sqrt(L.var_a);
    out->se_b_K = sqrt(L.var_b);
    out->E_kJ_per_mol = R * L.b;
    out->se_E_kJ_per_mol = R * out->se_b_K;
    out->ln_tau0 = L.a - L.b * L.xbar;
    out->tau0_s = exp(out->ln_tau0);
    double var_l0 = L.var_a + L.xbar * L.xbar * L.var_b;
    out->se_ln_tau0 = sqrt(var_l0);
    out->cov[0] = var_l0;
    out->cov[1] = out->cov[2] = -L.xbar * R * L.var_b;
    out->cov[3] = R * R * L.var_b;
    out->corr = out->cov[1] / sqrt(out->cov[0] * out->cov[3]);
    out->rss = L.rss;
    out->n = n;
    out->dof = n - 2;
    return RR_OK;
}

rr_status rr_eq1_fit(const double *tau_alpha_s, const double *tau_beta_s,
                     size_t n, rr_eq1fit *out, char *err)
{
    memset(out, 0, sizeof *out);
    if (n < 3)
        return rr_an_fail(err, RR_ERR_ARG, "eq1_fit: need >= 3 points, got %zu", n);
    double *x = malloc(2 * n * sizeof *x);
    if (!x)
        return rr_an_fail(err, RR_ERR_NOMEM, "eq1_fit: out of memory");
    double *y = x + n;
    for (size_t i = 0; i < n; i++) {
        if (!(tau_alpha_s[i] > 0) || !(tau_beta_s[i] > 0) ||
            !isfinite(tau_alpha_s[i]) || !isfinite(tau_beta_s[i])) {
            free(x);
            return rr_an_fail(err, RR_ERR_ARG,
                              "eq1_fit: point %zu: taus must be finite and > 0",
                              i + 1);
        }
        x[i] = log(tau_alpha_s[i]);
        y[i] = log(tau_beta_s[i]);
    }
    line L;
    rr_status st = fit_line(x, y, NULL, n, 0, &L, err);
    free(x);
    if (st != RR_OK)
        return st;
    /* ln tau_b = chi ln tau_a + (1 - chi) ln t0: intercept at ln tau_a = 0
     * is i0 = a - b xbar = (1 - chi) ln t0. */
    double chi = L.b, i0 = L.a - L.b * L.xbar;
    double var_i0 = L.var_a + L.xbar * L.xbar * L.var_b;
    double cov_i0_b = -L.xbar * L.var_b;
    out->chi = chi;
    out->se_chi = sqrt(L.var_b);
    double lt0 = i0 / (1 - chi);
    /* Delta method for ln t0 = i0 / (1 - chi). */
    double g0 = 1 / (1 - chi), g1 = i0 / ((1 - chi) * (1 - chi));
    out->se_ln_t0 = sqrt(g0 * g0 * var_i0 + g1 * g1 * L.var_b + 2 * g0 * g1 * cov_i0_b);
    out->t0_s = exp(lt0);
    if (!(out->t0_s > 0) || !isfinite(out->t0_s)) /* chi = 1: no t0 */
        out->t0_s = out->se_ln_t0 = NAN;
    out->rss = L.rss;
    out->n = n;
    return RR_OK;
}

/* ---- KWW ---------------------------------------------------------- */

typedef struct kww_data {
    const double *t, *y;
    size_t n;
    int no_offset;
    double A, c; /* linear coefficients of the last evaluation */
} kww_data;

/* Residuals at th = (ln tau, beta) with A (and c) solved exactly. */
static int kww_f(const double *th, double *r, void *user)
{
    kww_data *d = user;
    double tau = exp(th[0]), b = th[1];
    double sk = 0, sy = 0, skk = 0, sky = 0, nn = (double)d->n;
    for (size_t i = 0; i < d->n; i++) {
        double k = exp(-pow(d->t[i] / tau, b));
        r[i] = k;
        sk += k;
        sy += d->y[i];
        skk += k * k;
        sky += k * d->y[i];
    }
    if (d->no_offset) {
        d->A = skk > 0 ? sky / skk : 0;
        d->c = 0;
    } else {
        double vk = skk - sk * sk / nn, cky = sky - sk * sy / nn;
        d->A = vk > 1e-300 ? cky / vk : 0;
        d->c = (sy - d->A * sk) / nn;
    }
    for (size_t i = 0; i < d->n; i++)
        r[i] = d->A * r[i] + d->c - d->y[i];
    return 0;
}

/* Standard errors from the full Jacobian of y = A K + c in (A, tau, b, c). */
static void full_covariance(const double *J, size_t n, size_t p, double rss,
                            double *cov, double *se)
{
    gsl_matrix *M = gsl_matrix_alloc(n, p), *C = gsl_matrix_alloc(p, p);
    for (size_t k = 0; k < p * p; k++)
        cov[k] = NAN;
    for (size_t k = 0; k < p; k++)
        se[k] = NAN;
    if (M && C && n > p) {
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < p; k++)
                gsl_matrix_set(M, i, k, J[i * p + k]);
        if (gsl_multifit_nlinear_covar(M, 0.0, C) == GSL_SUCCESS) {
            double s2 = rss / (double)(n - p);
            for (size_t a = 0; a < p; a++)
                for (size_t b = 0; b < p; b++)
                    cov[a * p + b] = s2 * gsl_matrix_get(C, a, b);
            for (size_t k = 0; k < p; k++)
                se[k] = cov[k * p + k] >= 0 ? sqrt(cov[k * p + k]) : NAN;
        }
    }
    gsl_matrix_free(M);
    gsl_matrix_free(C);
}

/* -1 if x is within 1e-4 of lo, +1 if within 1e-4 of hi, else 0 (x in
 * the fit's own coordinates: ln tau, beta). */
static int bound_side(double x, double lo, double hi)
{
    return x <= lo + 1e-4 ? -1 : x >= hi - 1e-4 ? 1 : 0;
}

/* Checks t (strictly increasing, > 0) and y (finite); names the sample. */
static rr_status check_ty(const char *who, const double *t, const double *y,
                          size_t n, size_t need, char *err)
{
    if (n < need)
        return rr_an_fail(err, RR_ERR_ARG, "%s: %zu samples, need >= %zu", who,
                          n, need);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(t[i]) || !isfinite(y[i]))
            return rr_an_fail(err, RR_ERR_ARG, "%s: sample %zu is not finite",
                              who, i + 1);
        if (!(t[i] > 0))
            return rr_an_fail(err, RR_ERR_ARG, "%s: t_s[%zu] = %g must be > 0",
                              who, i + 1, t[i]);
        if (i > 0 && !(t[i] > t[i - 1]))
            return rr_an_fail(err, RR_ERR_ARG,
                              "%s: times not strictly increasing at sample %zu",
                              who, i + 1);
    }
    return RR_OK;
}

rr_status rr_kww_fit(const double *t_s, const double *y, size_t n,
                     int no_offset, rr_kww *out, char *err)
{
    rr_an_gsl_init();
    memset(out, 0, sizeof *out);
    size_t p = no_offset ? 3 : 4;
    rr_status st = check_ty("kww", t_s, y, n, p + 1, err);
    if (st != RR_OK)
        return st;
    kww_data d = {.t = t_s, .y = y, .n = n, .no_offset = no_offset};
    double lo[2] = {log(t_s[0] / 1e3), 0.05}, hi[2] = {log(t_s[n - 1] * 1e6), 1};
    double best = INFINITY, thb[2] = {0, 0};
    const double starts[3] = {sqrt(t_s[0] * t_s[n - 1]), t_s[0] * 3, t_s[n - 1]};
    int conv = 0;
    for (int k = 0; k < 3; k++) {
        double th0[2] = {log(starts[k]), 0.6};
        rr_nlls_problem pb = {.n = n, .p = 2, .f = kww_f, .user = &d, .x0 = th0,
                              .lower = lo, .upper = hi, .method = RR_NLLS_LM};
        rr_nlls_result res;
        if (rr_nlls_solve(&pb, &res, NULL) != RR_OK)
            continue;
        if (res.rss < best) {
            best = res.rss;
            thb[0] = res.x[0];
            thb[1] = res.x[1];
            conv = res.converged;
        }
        rr_nlls_result_clear(&res);
    }
    if (!isfinite(best))
        return rr_an_fail(err, RR_ERR_NUMERIC, "kww: the fit failed");
    double *J = malloc(n * (p + 1) * sizeof *J);
    if (!J)
        return rr_an_fail(err, RR_ERR_NOMEM, "kww: out of memory");
    double *r = J + n * p;
    kww_f(thb, r, &d);
    out->A = d.A;
    out->c = d.c;
    out->tau_s = exp(thb[0]);
    out->beta = thb[1];
    out->rss = 0;
    for (size_t i = 0; i < n; i++) {
        out->rss += r[i] * r[i];
        double z = pow(t_s[i] / out->tau_s, out->beta), K = exp(-z);
        double row[4] = {K, out->A * K * z * out->beta / out->tau_s,
                         -out->A * K * z * log(t_s[i] / out->tau_s), 1};
        for (size_t k = 0; k < p; k++)
            J[i * p + k] = row[k];
    }
    double cov[16], se[4];
    full_covariance(J, n, p, out->rss, cov, se);
    free(J);
    for (int k = 0; k < 16; k++)
        out->cov[k] = 0;
    for (size_t a = 0; a < p; a++) {
        out->se[a] = se[a];
        for (size_t b = 0; b < p; b++)
            out->cov[a * 4 + b] = cov[a * p + b];
    }
    out->n = n;
    out->dof = n - p;
    out->noise_rms = sqrt(out->rss / (double)out->dof);
    out->converged = conv;
    for (int k = 0; k < 2; k++)
        out->at_bound[k] = bound_side(thb[k], lo[k], hi[k]);
    return RR_OK;
}

/* ---- loss peaks ---------------------------------------------------- */

rr_status rr_losspeak_find(const double *x, const double *y, size_t n,
                           int log_x, double half_width, rr_losspeak *out,
                           char *err)
{
    rr_an_gsl_init();
    memset(out, 0, sizeof *out);
    if (n < 3)
        return rr_an_fail(err, RR_ERR_ARG, "loss_peak: %zu points, need >= 3", n);
    if (!(half_width > 0) || !isfinite(half_width))
        return rr_an_fail(err, RR_ERR_ARG,
                          "loss_peak: half_width must be finite and > 0, got %g",
                          half_width);
    size_t im = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]) || (log_x && !(x[i] > 0)))
            return rr_an_fail(err, RR_ERR_ARG,
                              "loss_peak: point %zu is not finite%s", i + 1,
                              log_x ? " or not > 0" : "");
        if (i > 0 && !(x[i] > x[i - 1]))
            return rr_an_fail(err, RR_ERR_ARG,
                              "loss_peak: scan not strictly increasing at point %zu",
                              i + 1);
        if (y[i] > y[im])
            im = i;
    }
    out->index = im;
    out->x_peak = x[im];
    out->y_peak = y[im];
    out->se_x_peak = NAN;
    out->used = 1; /* until the parabola locates the peak */
    if (im == 0 || im == n - 1) {
        out->edge = 1;
        return RR_OK;
    }
    /* Points within half_width (in u = ln x or x) of the top, >= 3. */
    double uc = log_x ? log(x[im]) : x[im];
    size_t a = im - 1, b = im + 1;
    while (a > 0 && fabs((log_x ? log(x[a - 1]) : x[a - 1]) - uc) <= half_width)
        a--;
    while (b + 1 < n && fabs((log_x ? log(x[b + 1]) : x[b + 1]) - uc) <= half_width)
        b++;
    /* Least-squares parabola in ln y (a Gaussian top, closer to a Debye
     * or Cole-Cole peak than a parabola in y) when all y > 0, else in y:
     * Y = c0 + c1 v + c2 v^2, v = u - uc. */
    int lny = 1;
    for (size_t i = a; i <= b; i++)
        lny = lny && y[i] > 0;
    double S[5] = {0}, T[3] = {0};
    for (size_t i = a; i <= b; i++) {
        double v = (log_x ? log(x[i]) : x[i]) - uc, vp = 1;
        double Y = lny ? log(y[i]) : y[i];
        for (int k = 0; k < 5; k++) {
            S[k] += vp;
            if (k < 3)
                T[k] += vp * Y;
            vp *= v;
        }
    }
    gsl_matrix *M = gsl_matrix_alloc(3, 3);
    gsl_vector *rhs = gsl_vector_alloc(3), *c = gsl_vector_alloc(3);
    gsl_permutation *perm = gsl_permutation_alloc(3);
    gsl_matrix *inv = gsl_matrix_alloc(3, 3);
    int sgn, ok = M && rhs && c && perm && inv;
    if (ok) {
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++)
                gsl_matrix_set(M, i, j, S[i + j]);
            gsl_vector_set(rhs, i, T[i]);
        }
        ok = gsl_linalg_LU_decomp(M, perm, &sgn) == GSL_SUCCESS &&
             gsl_linalg_LU_solve(M, perm, rhs, c) == GSL_SUCCESS &&
             gsl_linalg_LU_invert(M, perm, inv) == GSL_SUCCESS;
    }
    if (ok) {
        double c1 = gsl_vector_get(c, 1), c2 = gsl_vector_get(c, 2);
        double v = -c1 / (2 * c2);
        double umin = (log_x ? log(x[a]) : x[a]) - uc;
        double umax = (log_x ? log(x[b]) : x[b]) - uc;
        if (c2 < 0 && v >= umin && v <= umax) {
            double ss = 0;
            for (size_t i = a; i <= b; i++) {
                double w = (log_x ? log(x[i]) : x[i]) - uc;
                double f = gsl_vector_get(c, 0) + c1 * w + c2 * w * w;
                double Y = lny ? log(y[i]) : y[i];
                ss += (Y - f) * (Y - f);
            }
            size_t m = b - a + 1;
            /* Delta method: v = -c1/(2 c2). */
            double s2 = m > 3 ? ss / (double)(m - 3) : NAN;
            double g1 = -1 / (2 * c2), g2 = c1 / (2 * c2 * c2);
            double var = s2 * (g1 * g1 * gsl_matrix_get(inv, 1, 1) +
                               g2 * g2 * gsl_matrix_get(inv, 2, 2) +
                               2 * g1 * g2 * gsl_matrix_get(inv, 1, 2));
            out->x_peak = log_x ? exp(uc + v) : uc + v;
            out->y_peak = gsl_vector_get(c, 0) + c1 * v + c2 * v * v;
            if (lny)
                out->y_peak = exp(out->y_peak);
            out->se_x_peak = var >= 0 ? sqrt(var) * (log_x ? out->x_peak : 1) : NAN;
            out->used = m;
            out->refined = 1;
        }
    }
    gsl_matrix_free(M);
    gsl_matrix_free(inv);
    gsl_vector_free(rhs);
    gsl_vector_free(c);
    gsl_permutation_free(perm);
    if (!ok)
        return rr_an_fail(err, RR_ERR_NUMERIC, "loss_peak: parabola failed");
    return RR_OK;
}

/* ---- Eq. (2) fits ------------------------------------------------- */

typedef struct eq2_data {
    const double *t, *y;
    size_t n;
    int kind;
    double per_decade;
} eq2_data;

static rr_eq2 eq2_from(const double *x)
{
    rr_eq2 p = {.E_el = x[0], .A_beta = x[1], .tau_beta_s = x[2], .A = x[3],
                .tau_alpha_s = x[4], .chi = x[5]};
    return p;
}

static int eq2_f(const double *x, double *r, void *user)
{
    eq2_data *d = user;
    rr_eq2 p = eq2_from(x);
    if (d->kind == 0) {
        for (size_t i = 0; i < d->n; i++)
            r[i] = rr_eq2_creep(&p, d->t[i]) - d->y[i];
    } else {
        if (rr_eq2_relaxation(&p, d->t, d->n, d->per_decade, r, NULL) != RR_OK) {
            for (size_t i = 0; i < d->n; i++)
                r[i] = NAN; /* a bad trial step: rejected by the solver */
            return 0;
        }
        for (size_t i = 0; i < d->n; i++)
            r[i] -= d->y[i];
    }
    return 0;
}

rr_status rr_eq2_fit(const double *t_s, const double *y, size_t n, int kind,
                     const rr_eq2 *p0, const unsigned char fixed[6],
                     double per_decade, rr_eq2fit *out, char *err)
{
    memset(out, 0, sizeof *out);
    rr_status st = rr_eq2_check(p0, err);
    if (st != RR_OK)
        return st;
    size_t nfree = 0;
    for (int k = 0; k < 6; k++)
        nfree += !(fixed && fixed[k]);
    if ((st = check_ty("eq2_fit", t_s, y, n, nfree + 1, err)) != RR_OK)
        return st;
    eq2_data d = {.t = t_s, .y = y, .n = n, .kind = kind,
                  .per_decade = per_decade > 0 ? per_decade : 20};
    double x0[6] = {p0->E_el, p0->A_beta, p0->tau_beta_s, p0->A, p0->tau_alpha_s, p0->chi};
    double lo[6] = {0, 0, 0, 0, 0, 0.05};
    double hi[6] = {INFINITY, INFINITY, INFINITY, INFINITY, INFINITY, 1};
    /* Amplitudes may start at 0 (nudged inside by nlls). */
    rr_nlls_problem pb = {.n = n, .p = 6, .f = eq2_f, .user = &d, .x0 = x0,
                          .lower = lo, .upper = hi, .fixed = fixed,
                          .method = RR_NLLS_LM, .max_iter = 300};
    rr_nlls_result res;
    st = rr_nlls_solve(&pb, &res, err);
    if (st != RR_OK)
        return st;
    out->p = eq2_from(res.x);
    memcpy(out->se, res.se, sizeof out->se);
    memcpy(out->cov, res.cov, sizeof out->cov);
    out->rss = res.rss;
    out->n = n;
    out->dof = res.dof;
    out->converged = res.converged;
    out->niter = res.niter;
    rr_nlls_result_clear(&res);
    return RR_OK;
}
