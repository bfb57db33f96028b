/* nlls.c - bounded nonlinear least squares (see nlls.h).
 *
 * GSL sees only the free parameters, in transformed coordinates u.  Its
 * callbacks map u to the full external vector x, call the user's
 * functions, and turn any failure into a GSL error code (never a longjmp
 * through GSL); a trial step whose residuals are not finite gets huge
 * finite residuals instead, so the trust region rejects it and shrinks.
 */
#include "nlls.h"

#include <float.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "series_ops.h"

enum bound_kind { B_NONE, B_BOTH, B_LOWER, B_UPPER };

typedef struct nlls_ctx {
    const rr_nlls_problem *pb;
    size_t pf;             /* free parameters */
    size_t *idx;           /* pf: index in x of each free parameter */
    enum bound_kind *kind; /* pf */
    double *lo, *hi;       /* pf */
    double *x;             /* p: current external vector */
    double *typ;           /* p: typical magnitude, for difference steps */
    double *jx;            /* n*p: Jacobian in x */
    double *r1, *r2;       /* n: work for differences */
    int failed;            /* a user callback returned non-zero */
    size_t bad_param;      /* 1-based: the parameter whose Jacobian column
                              is not finite (0: none) */
    int nfev, njev;
} nlls_ctx;

static double to_x(const nlls_ctx *c, size_t j, double u)
{
    switch (c->kind[j]) {
    case B_BOTH: return c->lo[j] + (c->hi[j] - c->lo[j]) * 0.5 * (1 + sin(u));
    case B_LOWER: return c->lo[j] + exp(u);
    case B_UPPER: return c->hi[j] - exp(u);
    default: return u;
    }
}

static double dx_du(const nlls_ctx *c, size_t j, double u)
{
    switch (c->kind[j]) {
    case B_BOTH: return (c->hi[j] - c->lo[j]) * 0.5 * cos(u);
    case B_LOWER: return exp(u);
    case B_UPPER: return -exp(u);
    default: return 1;
    }
}

static double to_u(const nlls_ctx *c, size_t j, double x)
{
    switch (c->kind[j]) {
    case B_BOTH: {
        double s = 2 * (x - c->lo[j]) / (c->hi[j] - c->lo[j]) - 1;
        return asin(fmax(-1, fmin(1, s)));
    }
    case B_LOWER: return log(x - c->lo[j]);
    case B_UPPER: return log(c->hi[j] - x);
    default: return x;
    }
}

static void set_x(nlls_ctx *c, const gsl_vector *u)
{
    for (size_t j = 0; j < c->pf; j++)
        c->x[c->idx[j]] = to_x(c, j, gsl_vector_get(u, j));
}

static int all_finite(const double *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(r[i]))
            return 0;
    return 1;
}

static int eval_f(nlls_ctx *c, const double *x, double *r)
{
    c->nfev++;
    if (c->pb->f(x, r, c->pb->user) != 0) {
        c->failed = 1;
        return GSL_EBADFUNC;
    }
    return GSL_SUCCESS;
}

static int gsl_f(const gsl_vector *u, void *params, gsl_vector *f)
{
    nlls_ctx *c = params;
    set_x(c, u);
    int st = eval_f(c, c->x, f->data);
    if (st == GSL_SUCCESS && !all_finite(f->data, f->size)) {
        /* A bad trial step: make it look very bad rather than abort. */
        double big = 1e150 / sqrt((double)f->size);
        gsl_vector_set_all(f, big);
    }
    return st;
}

/* Jacobian in external units at c->x into c->jx (free columns only when
 * differencing): see jac_fd. */
static int jac_fd(nlls_ctx *c);

/* Records the first free column of c->jx that is not finite. */
static int bad_column(nlls_ctx *c)
{
    size_t n = c->pb->n, p = c->pb->p;
    for (size_t k = 0; k < c->pf; k++)
        for (size_t i = 0; i < n; i++)
            if (!isfinite(c->jx[i * p + c->idx[k]])) {
                c->bad_param = c->idx[k] + 1;
                return GSL_EDOM;
            }
    return GSL_SUCCESS;
}

static int jac_x(nlls_ctx *c)
{
    const rr_nlls_problem *pb = c->pb;
    c->njev++;
    c->bad_param = 0;
    if (pb->df) {
        if (pb->df(c->x, c->jx, pb->user) != 0) {
            c->failed = 1;
            return GSL_EBADFUNC;
        }
        return bad_column(c);
    }
    return jac_fd(c);
}

/* f at c->x with parameter j moved to v, into r. */
static int eval_moved(nlls_ctx *c, size_t j, double v, double *r)
{
    double xj = c->x[j];
    c->x[j] = v;
    int st = eval_f(c, c->x, r);
    c->x[j] = xj;
    return st;
}

/* Differences with a step of cbrt(eps) times the parameter's magnitude:
 * central where the step stays inside the bounds, else one-sided towards
 * the side with more room (the step cut to that room when the range is
 * narrower than it).  A column that is not finite (the model undefined at
 * a difference point) is retried with the one-sided differences on
 * either side; if none is finite, bad_param names the parameter. */
static int jac_fd(nlls_ctx *c)
{
    const rr_nlls_problem *pb = c->pb;
    size_t n = pb->n, p = pb->p;
    const double eps3 = 6.055454452393343e-06; /* cbrt(DBL_EPSILON) */
    for (size_t k = 0; k < c->pf; k++) {
        size_t j = c->idx[k];
        double xj = c->x[j];
        double h = eps3 * fmax(fabs(xj), c->typ[j]);
        double up = INFINITY, dn = INFINITY; /* room to the bounds */
        if (c->kind[k] == B_BOTH || c->kind[k] == B_UPPER)
            up = c->hi[k] - xj;
        if (c->kind[k] == B_BOTH || c->kind[k] == B_LOWER)
            dn = xj - c->lo[k];
        /* Pairs of points (upper, lower): the first choice, then the
         * one-sided fallbacks it does not already use. */
        double xu[3], xl[3];
        int ns = 0;
        if (h <= up && h <= dn) {
            xu[ns] = xj + h;
            xl[ns++] = xj - h;
        } else if (up >= dn) {
            xu[ns] = xj + fmin(h, up);
            xl[ns++] = xj;
        } else {
            xu[ns] = xj;
            xl[ns++] = xj - fmin(h, dn);
        }
        if (up > 0 && xl[0] != xj) {
            xu[ns] = xj + fmin(h, up);
            xl[ns++] = xj;
        }
        if (dn > 0 && xu[0] != xj) {
            xu[ns] = xj;
            xl[ns++] = xj - fmin(h, dn);
        }
        int ok = 0;
        for (int s = 0; s < ns && !ok; s++) {
            double dh = xu[s] - xl[s];
            if (!(dh > 0))
                continue; /* no room at this magnitude */
            int st = eval_moved(c, j, xu[s], c->r1);
            if (st == GSL_SUCCESS)
                st = eval_moved(c, j, xl[s], c->r2);
            if (st != GSL_SUCCESS)
                return st;
            ok = 1;
            for (size_t i = 0; i < n; i++) {
                c->jx[i * p + j] = (c->r1[i] - c->r2[i]) / dh;
                ok = ok && isfinite(c->jx[i * p + j]);
            }
        }
        if (!ok) {
            c->bad_param = j + 1;
            return GSL_EDOM;
        }
    }
    return GSL_SUCCESS;
}

/* Writes "fit: <what>" into err, with the parameter whose Jacobian column
 * could not be computed when that was the cause. */
static rr_status fail_jacobian(const nlls_ctx *c, char *err, const char *what,
                               int gsl_st)
{
    if (c->bad_param == 0)
        return rr_an_fail(err, RR_ERR_NUMERIC, "fit: %s: %s", what,
                          gsl_strerror(gsl_st));
    size_t j = c->bad_param - 1;
    if (c->pb->df)
        return rr_an_fail(err, RR_ERR_NUMERIC,
                          "fit: %s: the Jacobian's column for parameter %zu is "
                          "not finite at parameter %zu = %.17g", what, j + 1,
                          j + 1, c->x[j]);
    return rr_an_fail(err, RR_ERR_NUMERIC,
                      "fit: %s: the model's derivative with respect to "
                      "parameter %zu is not finite at parameter %zu = %.17g "
                      "(central and one-sided differences tried)", what, j + 1,
                      j + 1, c->x[j]);
}

static int gsl_df(const gsl_vector *u, void *params, gsl_matrix *J)
{
    nlls_ctx *c = params;
    set_x(c, u);
    int st = jac_x(c);
    if (st != GSL_SUCCESS)
        return st;
    size_t p = c->pb->p;
    for (size_t i = 0; i < c->pb->n; i++)
        for (size_t k = 0; k < c->pf; k++)
            gsl_matrix_set(J, i, k,
                           c->jx[i * p + c->idx[k]] *
                               dx_du(c, k, gsl_vector_get(u, k)));
    return GSL_SUCCESS;
}

void rr_nlls_result_clear(rr_nlls_result *res)
{
    if (!res)
        return;
    free(res->x);
    free(res->se);
    free(res->cov);
    free(res->at_bound);
    memset(res, 0, sizeof *res);
}

static void ctx_free(nlls_ctx *c)
{
    free(c->idx);
    free(c->kind);
    free(c->lo);
    free(c->hi);
    free(c->x);
    free(c->typ);
    free(c->jx);
    free(c->r1);
    free(c->r2);
}

/* Checks the problem and fills the free-parameter maps of c. */
static rr_status ctx_init(nlls_ctx *c, const rr_nlls_problem *pb, char *err)
{
    size_t p = pb->p, n = pb->n;
    memset(c, 0, sizeof *c);
    c->pb = pb;
    if (p == 0 || !pb->f || !pb->x0)
        return rr_an_fail(err, RR_ERR_ARG, "fit: no parameters or no model");
    c->idx = malloc(p * sizeof *c->idx);
    c->kind = malloc(p * sizeof *c->kind);
    c->lo = malloc(p * sizeof *c->lo);
    c->hi = malloc(p * sizeof *c->hi);
    c->x = malloc(p * sizeof *c->x);
    c->typ = malloc(p * sizeof *c->typ);
    c->jx = calloc(n * p + 1, sizeof *c->jx);
    c->r1 = malloc((n + 1) * sizeof *c->r1);
    c->r2 = malloc((n + 1) * sizeof *c->r2);
    if (!c->idx || !c->kind || !c->lo || !c->hi || !c->x || !c->typ ||
        !c->jx || !c->r1 || !c->r2)
        return rr_an_fail(err, RR_ERR_NOMEM, "fit: out of memory");
    for (size_t j = 0; j < p; j++) {
        double x = pb->x0[j];
        double lo = pb->lower ? pb->lower[j] : -INFINITY;
        double hi = pb->upper ? pb->upper[j] : INFINITY;
        if (!isfinite(x))
            return rr_an_fail(err, RR_ERR_ARG,
                              "fit: start value of parameter %zu is not finite",
                              j + 1);
        if (isnan(lo) || isnan(hi) || lo > hi || lo == INFINITY || hi == -INFINITY)
            return rr_an_fail(err, RR_ERR_ARG,
                              "fit: bounds of parameter %zu are invalid (%g, %g)",
                              j + 1, lo, hi);
        c->x[j] = x;
        c->typ[j] = x != 0 ? fabs(x) : 1;
        if (pb->fixed && pb->fixed[j])
            continue;
        if (x < lo || x > hi)
            return rr_an_fail(err, RR_ERR_ARG,
                              "fit: start value %g of parameter %zu is outside "
                              "its bounds [%g, %g]", x, j + 1, lo, hi);
        size_t k = c->pf++;
        c->idx[k] = j;
        c->lo[k] = lo;
        c->hi[k] = hi;
        if (lo > -INFINITY && hi < INFINITY) {
            if (lo == hi)
                return rr_an_fail(err, RR_ERR_ARG,
                                  "fit: parameter %zu has lower == upper; fix it "
                                  "instead", j + 1);
            c->kind[k] = B_BOTH;
            double d = 1e-6 * (hi - lo);
            c->x[j] = fmin(fmax(x, lo + d), hi - d);
        } else if (lo > -INFINITY) {
            c->kind[k] = B_LOWER;
            c->x[j] = fmax(x, lo + 1e-6 * fmax(1, fabs(lo)));
        } else if (hi < INFINITY) {
            c->kind[k] = B_UPPER;
            c->x[j] = fmin(x, hi - 1e-6 * fmax(1, fabs(hi)));
        } else {
            c->kind[k] = B_NONE;
        }
    }
    if (c->pf == 0)
        return rr_an_fail(err, RR_ERR_ARG, "fit: every parameter is fixed");
    if (n < c->pf)
        return rr_an_fail(err, RR_ERR_ARG,
                          "fit: %zu data points for %zu free parameters", n,
                          c->pf);
    if (pb->n_zero_weight > n - c->pf)
        return rr_an_fail(err, RR_ERR_ARG,
                          "fit: %zu data points with weight > 0 for %zu free "
                          "parameters",
                          pb->n_zero_weight < n ? n - pb->n_zero_weight : 0,
                          c->pf);
    return RR_OK;
}

/* A supplied Jacobian is compared once, at the start values, with central
 * differences: a wrong derivative would otherwise stop the solver at once
 * with a "small gradient" and a silently wrong answer. */
static rr_status check_jacobian(nlls_ctx *c, char *err)
{
    size_t n = c->pb->n, p = c->pb->p;
    double *user = malloc(n * p * sizeof *user);
    if (!user)
        return rr_an_fail(err, RR_ERR_NOMEM, "fit: out of memory");
    int st = jac_x(c);
    if (st == GSL_SUCCESS)
        memcpy(user, c->jx, n * p * sizeof *user);
    if (st == GSL_SUCCESS)
        st = jac_fd(c);
    rr_status rst = RR_OK;
    if (st == GSL_EBADFUNC || c->failed)
        rst = RR_ERR_ABORTED;
    else if (st != GSL_SUCCESS)
        rst = fail_jacobian(c, err, "Jacobian not finite at the start values", st);
    for (size_t k = 0; rst == RR_OK && k < c->pf; k++) {
        size_t j = c->idx[k];
        double dd = 0, ff = 0;
        for (size_t i = 0; i < n; i++) {
            double d = user[i * p + j] - c->jx[i * p + j];
            dd += d * d;
            ff += c->jx[i * p + j] * c->jx[i * p + j];
        }
        if (sqrt(dd) > 0.01 * sqrt(ff) + 1e-10 * sqrt(ff + dd) && sqrt(dd) > 1e-300)
            rst = rr_an_fail(err, RR_ERR_ARG,
                             "fit: the Jacobian disagrees with central differences "
                             "of the model at the start values (parameter %zu: "
                             "relative difference %.2g)", j + 1,
                             ff > 0 ? sqrt(dd / ff) : INFINITY);
    }
    free(user);
    return rst;
}

static double sumsq(const double *r, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += r[i] * r[i];
    return s;
}

/* Standard errors and covariance at res->x from the Jacobian in x. */
static rr_status covariance(nlls_ctx *c, rr_nlls_result *res, char *err)
{
    const rr_nlls_problem *pb = c->pb;
    size_t n = pb->n, p = pb->p, pf = c->pf;
    memcpy(c->x, res->x, p * sizeof *c->x);
    int st = jac_x(c);
    if (st == GSL_EBADFUNC)
        return RR_ERR_ABORTED;
    if (st != GSL_SUCCESS)
        return fail_jacobian(c, err, "Jacobian not finite at the answer", st);
    gsl_matrix *J = gsl_matrix_alloc(n, pf), *C = gsl_matrix_alloc(pf, pf);
    if (!J || !C) {
        gsl_matrix_free(J);
        gsl_matrix_free(C);
        return rr_an_fail(err, RR_ERR_NOMEM, "fit: out of memory");
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < pf; k++)
            gsl_matrix_set(J, i, k, c->jx[i * p + c->idx[k]]);
    st = gsl_multifit_nlinear_covar(J, 0.0, C);
    double s2 = res->dof > 0 ? res->rss / (double)res->dof : NAN;
    if (pb->absolute_sigma)
        s2 = 1;
    for (size_t a = 0; a < pf; a++)
        for (size_t b = 0; b < pf; b++) {
            double v = st == GSL_SUCCESS ? s2 * gsl_matrix_get(C, a, b) : NAN;
            res->cov[c->idx[a] * p + c->idx[b]] = v;
        }
    for (size_t k = 0; k < pf; k++) {
        size_t j = c->idx[k];
        double v = res->cov[j * p + j];
        res->se[j] = v >= 0 ? sqrt(v) : NAN;
    }
    gsl_matrix_free(J);
    gsl_matrix_free(C);
    return RR_OK;
}

/* One run of the trust-region solver from u; returns a GSL status. */
static int run_once(nlls_ctx *c, gsl_multifit_nlinear_workspace *w,
                    gsl_multifit_nlinear_fdf *fdf, gsl_vector *u,
                    rr_nlls_result *res, int *info)
{
    const rr_nlls_problem *pb = c->pb;
    int max_iter = pb->max_iter > 0 ? pb->max_iter : 1000;
    double xtol = pb->xtol > 0 ? pb->xtol : 1e-12;
    double gtol = pb->gtol > 0 ? pb->gtol : 1e-13;
    int st = gsl_multifit_nlinear_init(u, fdf, w);
    if (st != GSL_SUCCESS)
        return st;
    *info = 0;
    for (int it = 0; it < max_iter; it++) {
        st = gsl_multifit_nlinear_iterate(w);
        if (c->failed)
            return GSL_EBADFUNC;
        res->niter++;
        if (st == GSL_ENOPROG) {
            /* No step lowered the cost: we sit at a (numerical) minimum. */
            *info = 4;
            return GSL_SUCCESS;
        }
        if (st != GSL_SUCCESS)
            return st;
        st = gsl_multifit_nlinear_test(xtol, gtol, 0.0, info, w);
        if (st == GSL_SUCCESS)
            return GSL_SUCCESS;
    }
    *info = 0;
    return GSL_EMAXITER;
}

/* Runs the trust-region solver (LM, with geodesic acceleration if accel)
 * from u, restarting from its own answer until the sum of squares stops
 * falling: a fresh trust region often moves on where the last one had
 * shrunk.  On RR_OK, u holds the best point, *rss its sum of squares. */
static rr_status solve_with(nlls_ctx *c, int accel, gsl_vector *u,
                            rr_nlls_result *res, double *rss, int *info_out,
                            int *st_out, char *err)
{
    size_t n = c->pb->n, pf = c->pf;
    gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
    par.trs = accel ? gsl_multifit_nlinear_trs_lmaccel : gsl_multifit_nlinear_trs_lm;
    par.scale = gsl_multifit_nlinear_scale_more;
    par.solver = gsl_multifit_nlinear_solver_qr;
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, n, pf);
    if (!w)
        return rr_an_fail(err, RR_ERR_NOMEM, "fit: out of memory");
    gsl_multifit_nlinear_fdf fdf = {
        .f = gsl_f, .df = gsl_df, .fvv = NULL, .n = n, .p = pf, .params = c};
    double best = INFINITY;
    int info = 0, st = GSL_SUCCESS;
    rr_status rst = RR_OK;
    *info_out = 0;
    *st_out = GSL_SUCCESS;
    for (int run = 0; run < 6; run++) {
        st = run_once(c, w, &fdf, u, res, &info);
        if (st == GSL_EBADFUNC || c->failed) {
            rst = RR_ERR_ABORTED;
            break;
        }
        if (st != GSL_SUCCESS && st != GSL_EMAXITER) {
            if (run == 0)
                rst = fail_jacobian(c, err, "solver failed", st);
            break; /* else keep the previous run's answer (already in u) */
        }
        double s = pow(gsl_blas_dnrm2(gsl_multifit_nlinear_residual(w)), 2);
        int better = s < best * (1 - 1e-13);
        if (s <= best) {
            best = s;
            *info_out = info;
            *st_out = st;
            gsl_vector_memcpy(u, gsl_multifit_nlinear_position(w));
        }
        res->restarts += run > 0;
        if (!better)
            break;
    }
    *rss = best;
    gsl_multifit_nlinear_free(w);
    return rst;
}

rr_status rr_nlls_solve(const rr_nlls_problem *pb, rr_nlls_result *res,
                        char *err)
{
    rr_an_gsl_init();
    nlls_ctx c;
    memset(res, 0, sizeof *res);
    rr_status rst = ctx_init(&c, pb, err);
    if (rst != RR_OK) {
        ctx_free(&c);
        return rst;
    }
    size_t n = pb->n, p = pb->p, pf = c.pf;
    double best = INFINITY;
    int best_info = 0, best_st = GSL_SUCCESS, ran = 0;
    gsl_vector *u = gsl_vector_alloc(pf);
    res->p = p;
    res->x = malloc(p * sizeof *res->x);
    res->se = calloc(p, sizeof *res->se);
    res->cov = calloc(p * p, sizeof *res->cov);
    res->at_bound = calloc(p, 1);
    if (!u || !res->x || !res->se || !res->cov || !res->at_bound) {
        rst = rr_an_fail(err, RR_ERR_NOMEM, "fit: out of memory");
        goto out;
    }
    /* The start must give finite residuals: say where it does not. */
    if (eval_f(&c, c.x, c.r1) != GSL_SUCCESS) {
        rst = RR_ERR_ABORTED;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(c.r1[i])) {
            rst = rr_an_fail(err, RR_ERR_NUMERIC,
                             "fit: residual %zu is not finite at the start "
                             "values", i + 1);
            goto out;
        }
    for (size_t k = 0; k < pf; k++)
        gsl_vector_set(u, k, to_u(&c, k, c.x[c.idx[k]]));
    if (pb->df && !pb->no_jacobian_check &&
        (rst = check_jacobian(&c, err)) != RR_OK)
        goto out;

    /* One solver run per method asked for; the smaller sum of squares
     * wins (plain LM and LM with geodesic acceleration fail on different
     * problems: BoxBOD vs Rat43 of NIST StRD). */
    gsl_vector *u0 = gsl_vector_alloc(pf), *ubest = gsl_vector_alloc(pf);
    if (!u0 || !ubest) {
        gsl_vector_free(u0);
        gsl_vector_free(ubest);
        rst = rr_an_fail(err, RR_ERR_NOMEM, "fit: out of memory");
        goto out;
    }
    gsl_vector_memcpy(u0, u);
    for (int m = 0; m < 2; m++) {
        int accel = m == 1;
        if ((pb->method == RR_NLLS_LM && accel) ||
            (pb->method == RR_NLLS_LMACCEL && !accel))
            continue;
        double s = INFINITY;
        int info = 0, st = GSL_SUCCESS;
        gsl_vector_memcpy(u, u0);
        rst = solve_with(&c, accel, u, res, &s, &info, &st, err);
        if (rst == RR_ERR_ABORTED || rst == RR_ERR_NOMEM)
            break;
        if (rst != RR_OK)
            continue;
        ran++;
        if (s < best) {
            best = s;
            best_info = info;
            best_st = st;
            gsl_vector_memcpy(ubest, u);
        }
    }
    if (ran > 0) {
        rst = RR_OK;
        gsl_vector_memcpy(u, ubest);
    }
    gsl_vector_free(u0);
    gsl_vector_free(ubest);
    if (rst != RR_OK)
        goto out;
    set_x(&c, u);
    memcpy(res->x, c.x, p * sizeof *res->x);
    if (eval_f(&c, res->x, c.r1) != GSL_SUCCESS) {
        rst = RR_ERR_ABORTED;
        goto out;
    }
    if (!all_finite(c.r1, n)) {
        rst = rr_an_fail(err, RR_ERR_NUMERIC, "fit: residuals not finite at "
                                              "the answer");
        goto out;
    }
    res->rss = sumsq(c.r1, n);
    res->dof = n - pb->n_zero_weight - pf;
    res->converged = best_st == GSL_SUCCESS;
    snprintf(res->reason, sizeof res->reason, "%s",
             best_st != GSL_SUCCESS ? "maximum number of iterations reached"
             : best_info == 1       ? "small step"
             : best_info == 2       ? "small gradient"
                                    : "no further decrease possible");
    for (size_t k = 0; k < pf; k++) {
        size_t j = c.idx[k];
        double tol = 1e-9 * (c.kind[k] == B_BOTH ? c.hi[k] - c.lo[k]
                                                 : fmax(1, fabs(res->x[j])));
        res->at_bound[j] = (c.kind[k] != B_NONE) &&
                           (fabs(res->x[j] - c.lo[k]) <= tol ||
                            fabs(res->x[j] - c.hi[k]) <= tol);
    }
    rst = covariance(&c, res, err);
    res->nfev = c.nfev;
    res->njev = c.njev;
out:
    gsl_vector_free(u);
    ctx_free(&c);
    if (rst != RR_OK)
        rr_nlls_result_clear(res);
    return rst;
}
