/* twostep.c - variable-projection two-step fit (see twostep.h). */
#include "twostep.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlls.h"
#include "series_ops.h"

/* Data of one projection problem: samples with optional weights. */
typedef struct vp_data {
    size_t n;
    const double *t, *y, *w; /* w: weights (sample counts) or NULL */
    const double *lt;        /* ln t (pow is the costly part otherwise) */
    double *phi;             /* 3n work: the columns, then Q */
    double *v;               /* 3n work for the Jacobian */
    double a[3];             /* linear coefficients of the last call */
    int ok[3];               /* columns of Q that are independent */
} vp_data;

/* Columns at theta = (ln tau1, ln(tau2/tau1), b). */
static void columns(const vp_data *d, const double *th, double *c1,
                    double *c2)
{
    double rate1 = exp(-th[0]), lt2 = th[0] + th[1], b = th[2];
    for (size_t i = 0; i < d->n; i++) {
        c1[i] = exp(-d->t[i] * rate1);
        c2[i] = exp(-exp(b * (d->lt[i] - lt2)));
    }
}

/* Weighted linear least squares for a (3 columns: c1, c2, 1) by
 * Gram-Schmidt applied twice; writes residuals sqrt(w)(f - y) into r.
 * A column that is (numerically) a combination of the others gets a = 0. */
static void project(vp_data *d, const double *th, double *r)
{
    size_t n = d->n;
    double *q[3] = {d->phi, d->phi + n, d->phi + 2 * n};
    columns(d, th, q[0], q[1]);
    for (size_t i = 0; i < n; i++)
        q[2][i] = 1;
    double R[3][3] = {{0}}, qy[3] = {0};
    int ok[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
        double norm0 = 0;
        for (size_t i = 0; i < n; i++) {
            double sw = d->w ? sqrt(d->w[i]) : 1;
            q[k][i] *= sw;
            norm0 += q[k][i] * q[k][i];
        }
        for (int pass = 0; pass < 2; pass++)
            for (int j = 0; j < k; j++) {
                if (!ok[j])
                    continue;
                double dot = 0;
                for (size_t i = 0; i < n; i++)
                    dot += q[j][i] * q[k][i];
                R[j][k] += dot;
                for (size_t i = 0; i < n; i++)
                    q[k][i] -= dot * q[j][i];
            }
        double norm = 0;
        for (size_t i = 0; i < n; i++)
            norm += q[k][i] * q[k][i];
        ok[k] = norm > 1e-24 * norm0 && norm > 0;
        R[k][k] = sqrt(norm);
        if (ok[k])
            for (size_t i = 0; i < n; i++)
                q[k][i] /= R[k][k];
    }
    for (int k = 0; k < 3; k++) {
        d->ok[k] = ok[k];
        if (!ok[k])
            continue;
        for (size_t i = 0; i < n; i++)
            qy[k] += q[k][i] * (d->y[i] * (d->w ? sqrt(d->w[i]) : 1));
    }
    /* Back substitution R a = Q^T y over the independent columns. */
    for (int k = 2; k >= 0; k--) {
        if (!ok[k]) {
            d->a[k] = 0;
            continue;
        }
        double s = qy[k];
        for (int j = k + 1; j < 3; j++)
            s -= R[k][j] * d->a[j];
        d->a[k] = s / R[k][k];
    }
    /* r = Q Q^T (sqrt(w) y) - sqrt(w) y. */
    for (size_t i = 0; i < n; i++) {
        double sw = d->w ? sqrt(d->w[i]) : 1, f = 0;
        for (int k = 0; k < 3; k++)
            if (ok[k])
                f += q[k][i] * qy[k];
        r[i] = f - sw * d->y[i];
    }
}

static int vp_f(const double *th, double *r, void *user)
{
    project(user, th, r);
    return 0;
}

/* Kaufman's Jacobian of the projected residual: J_k = P (dPhi/dth_k) a
 * with P the projector orthogonal to the columns.  It drops a term that
 * is orthogonal to the residual, so J^T r (and the answer) is exact. */
static int vp_df(const double *th, double *J, void *user)
{
    vp_data *d = user;
    size_t n = d->n;
    project(d, th, d->v); /* Q, ok and a at th (residuals discarded) */
    double tau1 = exp(th[0]), lt2 = th[0] + th[1], b = th[2];
    const double *q[3] = {d->phi, d->phi + n, d->phi + 2 * n};
    double *v[3] = {d->v, d->v + n, d->v + 2 * n};
    for (size_t i = 0; i < n; i++) {
        double c1 = exp(-d->t[i] / tau1);
        double z = exp(b * (d->lt[i] - lt2)), c2z = exp(-z) * z;
        double sw = d->w ? sqrt(d->w[i]) : 1;
        v[1][i] = sw * d->a[1] * c2z * b;
        v[0][i] = sw * d->a[0] * c1 * d->t[i] / tau1 + v[1][i];
        v[2][i] = -sw * d->a[1] * c2z * (d->lt[i] - lt2);
    }
    for (int k = 0; k < 3; k++) {
        for (int j = 0; j < 3; j++) {
            if (!d->ok[j])
                continue;
            double dot = 0;
            for (size_t i = 0; i < n; i++)
                dot += q[j][i] * v[k][i];
            for (size_t i = 0; i < n; i++)
                v[k][i] -= dot * q[j][i];
        }
        for (size_t i = 0; i < n; i++)
            J[i * 3 + k] = v[k][i];
    }
    return 0;
}

/* One bounded variable-projection fit from th0; returns rss (INF on
 * failure) and the answer in th. */
static double vp_fit(vp_data *d, const double *th0, const double *lo,
                     const double *hi, double *th, int *converged, int *niter)
{
    rr_nlls_problem pb = {
        .n = d->n, .p = 3, .f = vp_f, .df = vp_df, .no_jacobian_check = 1,
        .user = d, .x0 = th0, .lower = lo,
        .upper = hi, .method = RR_NLLS_LM, .max_iter = 200, .xtol = 1e-10,
        .gtol = 1e-12};
    rr_nlls_result res;
    if (rr_nlls_solve(&pb, &res, NULL) != RR_OK)
        return INFINITY;
    memcpy(th, res.x, 3 * sizeof *th);
    double rss = res.rss;
    *converged = res.converged;
    *niter += res.niter;
    rr_nlls_result_clear(&res);
    return rss;
}

/* Standard errors of (a1, tau1, a2, tau2, b, c) from the full Jacobian. */
static void covariance(const double *t, size_t n, rr_twostep *o)
{
    gsl_matrix *J = gsl_matrix_alloc(n, 6), *C = gsl_matrix_alloc(6, 6);
    for (int k = 0; k < 36; k++)
        o->cov[k] = NAN;
    for (int k = 0; k < 6; k++)
        o->se[k] = NAN;
    if (!J || !C || o->dof == 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        double e1 = exp(-t[i] / o->tau1_s);
        double z = pow(t[i] / o->tau2_s, o->beta), K = exp(-z);
        double row[6] = {e1,
                         o->a1 * e1 * t[i] / (o->tau1_s * o->tau1_s),
                         K,
                         o->a2 * K * z * o->beta / o->tau2_s,
                         -o->a2 * K * z * log(t[i] / o->tau2_s),
                         1};
        for (int k = 0; k < 6; k++)
            gsl_matrix_set(J, i, k, row[k]);
    }
    if (gsl_multifit_nlinear_covar(J, 0.0, C) != GSL_SUCCESS)
        goto done;
    double s2 = o->rss / (double)o->dof;
    for (int a = 0; a < 6; a++)
        for (int b = 0; b < 6; b++)
            o->cov[a * 6 + b] = s2 * gsl_matrix_get(C, a, b);
    for (int k = 0; k < 6; k++)
        o->se[k] = o->cov[k * 7] >= 0 ? sqrt(o->cov[k * 7]) : NAN;
done:
    gsl_matrix_free(J);
    gsl_matrix_free(C);
}

/* Log-binned copy of the data (mean t, mean y, counts as weights). */
static size_t bin_data(const double *t, const double *y, size_t n,
                       double per_dec, double *bt, double *by, double *bw)
{
    double l0 = log(t[0]), h = log(10) / per_dec;
    size_t m = 0;
    long cur = -1;
    for (size_t i = 0; i < n; i++) {
        long k = (long)((log(t[i]) - l0) / h);
        if (k != cur) {
            cur = k;
            bt[m] = by[m] = bw[m] = 0;
            m++;
        }
        bt[m - 1] += t[i];
        by[m - 1] += y[i];
        bw[m - 1] += 1;
    }
    for (size_t k = 0; k < m; k++) {
        bt[k] /= bw[k];
        by[k] /= bw[k];
    }
    return m;
}

/* Appends to buf the parameters at a bound, as "; at a bound: beta
 * (upper)" (nothing if none). */
static void bound_note(const rr_twostep *r, char *buf, size_t size)
{
    static const char *const names[3] = {"tau_1", "tau_2/tau_1", "beta"};
    size_t len = 0;
    buf[0] = 0;
    for (int k = 0; k < 3; k++) {
        if (!r->at_bound[k] || len >= size)
            continue;
        int w = snprintf(buf + len, size - len, "%s%s (%s)",
                         len ? ", " : "; at a bound: ", names[k],
                         r->at_bound[k] < 0 ? "lower" : "upper");
        len += w > 0 ? (size_t)w : 0;
    }
}

static void verdict(const rr_logderiv *ld, const rr_twostep_opts *o,
                    rr_twostep *r)
{
    double t0 = r->t_first_s, t1 = r->t_last_s;
    r->beta_visible = r->a1 * (exp(-t0 / r->tau1_s) - exp(-t1 / r->tau1_s));
    r->alpha_visible = r->a2 * (exp(-pow(t0 / r->tau2_s, r->beta)) -
                                exp(-pow(t1 / r->tau2_s, r->beta)));
    r->tau1_near_edge = r->tau1_s < 10 * t0 || r->tau1_s > t1 / 10;
    /* Rule 4 on the smoothed derivative. */
    size_t ipk = 0;
    r->beta_peak = -INFINITY;
    for (size_t i = 0; i < ld->m; i++)
        if (ld->t_s[i] <= 3 * r->tau1_s && -ld->d[i] > r->beta_peak) {
            r->beta_peak = -ld->d[i];
            ipk = i;
        }
    r->dip = INFINITY;
    for (size_t i = ipk; i < ld->m; i++)
        r->dip = fmin(r->dip, -ld->d[i]);
    /* A slow step too small to see leaves tau_2 undetermined: rule 3 then
     * has nothing to test (at 315 K only ~0.1 % of alpha decay shows). */
    int slow_resolved = fabs(r->alpha_visible) >= o->min_beta_snr * r->noise_rms;
    r->two_step = 0;
    if (!(r->beta_visible >= o->min_beta_snr * r->noise_rms))
        snprintf(r->verdict, sizeof r->verdict,
                 "single-step: beta decay in the window %.3g is below %g x "
                 "noise (%.3g)", r->beta_visible, o->min_beta_snr, r->noise_rms);
    else if (!(r->tau1_s >= t0 / 2 && r->tau1_s <= t1 / 10))
        snprintf(r->verdict, sizeof r->verdict,
                 "single-step: tau_1 = %.3g s is outside [t_first/2, "
                 "t_last/10] = [%.3g, %.3g] s%s", r->tau1_s, t0 / 2, t1 / 10,
                 r->at_bound[0] < 0   ? " (at its lower bound t_first/100)"
                 : r->at_bound[0] > 0 ? " (at its upper bound 100 t_last)"
                                      : "");
    else if (slow_resolved && r->at_bound[1] < 0) /* whatever min_tau_ratio */
        snprintf(r->verdict, sizeof r->verdict,
                 "single-step: tau_2/tau_1 is at its lower bound 1.5: the fit "
                 "merges its two terms into one step");
    else if (slow_resolved && !(r->tau2_s >= o->min_tau_ratio * r->tau1_s))
        snprintf(r->verdict, sizeof r->verdict,
                 "single-step: tau_2/tau_1 = %.3g is below %g",
                 r->tau2_s / r->tau1_s, o->min_tau_ratio);
    else if (!(r->beta_peak > 0) || !(r->dip <= o->max_dip_ratio * r->beta_peak))
        snprintf(r->verdict, sizeof r->verdict,
                 "single-step: -dy/dln t only falls to %.3g of the beta peak "
                 "after it (needs <= %g)", r->dip / r->beta_peak,
                 o->max_dip_ratio);
    else {
        char note[96];
        bound_note(r, note, sizeof note);
        r->two_step = 1;
        snprintf(r->verdict, sizeof r->verdict,
                 "two-step: beta decay %.3g (%.0f x noise), tau_2/tau_1 = %.3g%s, "
                 "dip to %.2f of the beta peak%s", r->beta_visible,
                 r->beta_visible / r->noise_rms, r->tau2_s / r->tau1_s,
                 slow_resolved ? "" : " (slow step unresolved)",
                 r->dip / r->beta_peak, note);
    }
}

rr_status rr_twostep_fit(const double *t_s, const double *y, size_t n,
                         const rr_twostep_opts *opts, rr_twostep *out,
                         char *err)
{
    rr_an_gsl_init();
    rr_twostep_opts o = {.min_beta_snr = 10, .min_tau_ratio = 100, .max_dip_ratio = 0.5};
    if (opts) {
        if (opts->min_beta_snr > 0)
            o.min_beta_snr = opts->min_beta_snr;
        if (opts->min_tau_ratio > 0)
            o.min_tau_ratio = opts->min_tau_ratio;
        if (opts->max_dip_ratio > 0)
            o.max_dip_ratio = opts->max_dip_ratio;
        o.deriv = opts->deriv;
    }
    memset(out, 0, sizeof *out);
    if (n < 7)
        return rr_an_fail(err, RR_ERR_ARG,
                          "twostep: %zu samples for 6 parameters (need >= 7)", n);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(t_s[i]) || !isfinite(y[i]))
            return rr_an_fail(err, RR_ERR_ARG, "twostep: sample %zu is not "
                                               "finite", i + 1);
        if (!(t_s[i] > 0))
            return rr_an_fail(err, RR_ERR_ARG, "twostep: t_s[%zu] = %g; times "
                                               "must be > 0", i + 1, t_s[i]);
        if (i > 0 && !(t_s[i] > t_s[i - 1]))
            return rr_an_fail(err, RR_ERR_ARG,
                              "twostep: times not strictly increasing at "
                              "sample %zu", i + 1);
    }
    if (!(t_s[n - 1] > 10 * t_s[0]))
        return rr_an_fail(err, RR_ERR_ARG,
                          "twostep: the window spans less than a decade");
    rr_logderiv ld;
    char lerr[RR_AN_ERRLEN];
    rr_status st = rr_logderiv_compute(t_s, y, n, &o.deriv, &ld, lerr);
    if (st != RR_OK)
        return rr_an_fail(err, st, "twostep: %s", lerr);
    double *work = malloc((3 * n + 3 * n + 5 * n) * sizeof *work);
    if (!work) {
        rr_logderiv_clear(&ld);
        return rr_an_fail(err, RR_ERR_NOMEM, "twostep: out of memory");
    }
    double *bt = work + 3 * n, *by = bt + n, *bw = by + n;
    double *lt = bw + n, *blt = lt + n, *vwork = blt + n;
    size_t m = bin_data(t_s, y, n, 30, bt, by, bw);
    for (size_t i = 0; i < n; i++)
        lt[i] = log(t_s[i]);
    for (size_t k = 0; k < m; k++)
        blt[k] = log(bt[k]);
    double t0 = t_s[0], t1 = t_s[n - 1];
    double lo[3] = {log(t0 / 100), log(1.5), 0.1};
    double hi[3] = {log(t1 * 100), log(1e12), 1};

    /* Multi-start on the binned data (when there are enough bins). */
    double best = INFINITY, th[3], thb[3] = {0, 0, 0};
    int conv = 0, niter = 0;
    double tau_starts[3] = {sqrt(t0 * t1), 2 * t0, t1 / 5};
    if (ld.npeaks > 0)
        tau_starts[0] = ld.peaks[0].t_s;
    const double ratios[2] = {30, 1e4};
    vp_data bd = {.n = m, .t = bt, .y = by, .w = bw, .lt = blt, .phi = work, .v = vwork};
    vp_data fd = {.n = n, .t = t_s, .y = y, .w = NULL, .lt = lt, .phi = work, .v = vwork};
    vp_data *sd = m >= 12 ? &bd : &fd;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 2; b++) {
            double th0[3] = {log(tau_starts[a]), log(ratios[b]), 0.5};
            th0[0] = fmin(fmax(th0[0], lo[0]), hi[0]);
            double s = vp_fit(sd, th0, lo, hi, th, &conv, &niter);
            if (s < best) {
                best = s;
                memcpy(thb, th, sizeof th);
            }
        }
    if (!isfinite(best)) {
        free(work);
        rr_logderiv_clear(&ld);
        return rr_an_fail(err, RR_ERR_NUMERIC, "twostep: no start could be fitted");
    }
    /* Polish on every sample. */
    if (sd != &fd) {
        best = vp_fit(&fd, thb, lo, hi, th, &conv, &niter);
        if (isfinite(best))
            memcpy(thb, th, sizeof th);
    }
    /* Final linear coefficients at the answer. */
    double *r = work + 3 * n; /* reuse the bin space as residuals */
    project(&fd, thb, r);
    double rss = 0;
    for (size_t i = 0; i < n; i++)
        rss += r[i] * r[i];
    out->a1 = fd.a[0];
    out->a2 = fd.a[1];
    out->c = fd.a[2];
    out->tau1_s = exp(thb[0]);
    out->tau2_s = exp(thb[0] + thb[1]);
    out->beta = thb[2];
    out->rss = rss;
    out->n = n;
    out->dof = n - 6;
    out->noise_rms = sqrt(rss / (double)out->dof);
    out->converged = conv;
    out->niter = niter;
    for (int k = 0; k < 3; k++)
        out->at_bound[k] = thb[k] <= lo[k] + 1e-4   ? -1
                           : thb[k] >= hi[k] - 1e-4 ? 1
                                                    : 0;
    out->tau2_at_bound = out->at_bound[1] > 0;
    out->t_first_s = t0;
    out->t_last_s = t1;
    free(work);
    covariance(t_s, n, out);
    verdict(&ld, &o, out);
    rr_logderiv_clear(&ld);
    return RR_OK;
}
