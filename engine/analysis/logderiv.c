/* logderiv.c - smoothed d y / d ln t by local quadratics on log bins. */
#include "logderiv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "series_ops.h"

void rr_logderiv_clear(rr_logderiv *d)
{
    if (!d)
        return;
    free(d->t_s);
    free(d->d);
    free(d->se);
    free(d->count);
    free(d->peaks);
    memset(d, 0, sizeof *d);
}

/* Per-bin means, updated incrementally to keep precision. */
typedef struct bin {
    double n, x, y; /* count, mean ln t, mean y */
} bin;

/* Noise of y from pseudo-residuals (Gasser, Sroka and Jennen-Steinmetz,
 * Biometrika 1986): each sample against the line through its neighbours,
 * r_i / sqrt(1 + w^2 + (1 - w)^2) has the noise variance; a smooth trend
 * contributes only through its curvature over two sampling steps. */
static double noise_sigma(const double *t, const double *y, size_t first,
                          size_t n)
{
    double s = 0;
    size_t m = 0;
    for (size_t i = first + 1; i + 1 < n; i++) {
        double w = (t[i] - t[i - 1]) / (t[i + 1] - t[i - 1]);
        double r = y[i] - ((1 - w) * y[i - 1] + w * y[i + 1]);
        s += r * r / (1 + w * w + (1 - w) * (1 - w));
        m++;
    }
    return m ? sqrt(s / (double)m) : NAN;
}

/* Solves the 3x3 symmetric system A c = b by Cholesky-free Gaussian
 * elimination with partial pivoting; returns 0 if singular.  Also gives
 * (A^-1)[1][1] in *inv11 (the variance factor of the slope). */
static int solve3(double A[3][3], double b[3], double c[3], double *inv11,
                  int k)
{
    double M[3][7];
    for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++)
            M[i][j] = A[i][j];
        for (int j = 0; j < k; j++)
            M[i][k + j] = i == j;
        M[i][2 * k] = b[i];
    }
    int w = 2 * k + 1;
    for (int col = 0; col < k; col++) {
        int piv = col;
        for (int i = col + 1; i < k; i++)
            if (fabs(M[i][col]) > fabs(M[piv][col]))
                piv = i;
        if (!(fabs(M[piv][col]) > 1e-300))
            return 0;
        for (int j = 0; j < w; j++) {
            double tmp = M[col][j];
            M[col][j] = M[piv][j];
            M[piv][j] = tmp;
        }
        for (int i = 0; i < k; i++) {
            if (i == col)
                continue;
            double f = M[i][col] / M[col][col];
            for (int j = 0; j < w; j++)
                M[i][j] -= f * M[col][j];
        }
    }
    for (int i = 0; i < k; i++)
        c[i] = M[i][2 * k] / M[i][i];
    *inv11 = M[1][k + 1] / M[1][1];
    return 1;
}

rr_status rr_logderiv_compute(const double *t_s, const double *y, size_t n,
                              const rr_logderiv_opts *opts, rr_logderiv *out,
                              char *err)
{
    memset(out, 0, sizeof *out);
    double per_dec = opts && opts->per_decade > 0 ? opts->per_decade : 20;
    double win = opts && opts->window_decades > 0 ? opts->window_decades : 0.15;
    double min_snr = opts && opts->min_snr > 0 ? opts->min_snr : 5;
    double min_rel = opts && opts->min_rel_height > 0 ? opts->min_rel_height : 0.01;
    double min_abs = opts && opts->min_abs_height > 0 ? opts->min_abs_height : 1e-6;
    if (!(per_dec <= 1e4) || !(win <= 10))
        return rr_an_fail(err, RR_ERR_ARG,
                          "logderiv: per_decade must be in (0, 1e4], "
                          "window_decades in (0, 10]");
    size_t first = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(t_s[i]) || !isfinite(y[i]))
            return rr_an_fail(err, RR_ERR_ARG,
                              "logderiv: sample %zu is not finite", i + 1);
        if (i > 0 && !(t_s[i] > t_s[i - 1]))
            return rr_an_fail(err, RR_ERR_ARG,
                              "logderiv: times not strictly increasing at "
                              "sample %zu", i + 1);
        if (t_s[i] <= 0)
            first = i + 1;
    }
    if (n - first < 3)
        return rr_an_fail(err, RR_ERR_ARG,
                          "logderiv: fewer than 3 samples with t_s > 0");
    double l0 = log(t_s[first]), l1 = log(t_s[n - 1]);
    double h = log(10) / per_dec;
    size_t nb = (size_t)floor((l1 - l0) / h) + 1;
    bin *b = calloc(nb, sizeof *b);
    if (!b)
        return rr_an_fail(err, RR_ERR_NOMEM, "logderiv: out of memory");
    double sigma = noise_sigma(t_s, y, first, n), yscale = 0;
    for (size_t i = first; i < n; i++)
        yscale = fmax(yscale, fabs(y[i]));
    /* Running means of each bin in one pass. */
    for (size_t i = first; i < n; i++) {
        double x = log(t_s[i]);
        size_t k = (size_t)((x - l0) / h);
        if (k >= nb)
            k = nb - 1;
        bin *q = &b[k];
        q->n += 1;
        q->x += (x - q->x) / q->n;
        q->y += (y[i] - q->y) / q->n;
    }
    /* Compact the non-empty bins. */
    size_t m = 0;
    for (size_t k = 0; k < nb; k++)
        if (b[k].n > 0)
            b[m++] = b[k];
    if (m < 3) {
        free(b);
        return rr_an_fail(err, RR_ERR_ARG,
                          "logderiv: fewer than 3 log bins hold data (record "
                          "too short for per_decade = %g)", per_dec);
    }
    out->m = m;
    out->t_s = malloc(m * sizeof *out->t_s);
    out->d = malloc(m * sizeof *out->d);
    out->se = malloc(m * sizeof *out->se);
    out->count = malloc(m * sizeof *out->count);
    if (!out->t_s || !out->d || !out->se || !out->count) {
        free(b);
        rr_logderiv_clear(out);
        return rr_an_fail(err, RR_ERR_NOMEM, "logderiv: out of memory");
    }
    out->t_first_s = t_s[first];
    out->noise = sigma;
    out->t_last_s = t_s[n - 1];
    double W = win * log(10);
    size_t lo = 0, hi = 0; /* window [lo, hi) */
    for (size_t i = 0; i < m; i++) {
        double xc = b[i].x;
        while (b[lo].x < xc - W - 1e-12)
            lo++;
        while (hi < m && b[hi].x <= xc + W + 1e-12)
            hi++;
        /* Weighted normal equations in u = x - xc. */
        double A[3][3] = {{0}}, r[3] = {0}, c[3] = {0};
        for (size_t j = lo; j < hi; j++) {
            double u = b[j].x - xc, w = b[j].n;
            double pw[5] = {w, w * u, w * u * u, w * u * u * u, w * u * u * u * u};
            for (int a = 0; a < 3; a++) {
                for (int bb = 0; bb < 3; bb++)
                    A[a][bb] += pw[a + bb];
                r[a] += pw[a] * b[j].y;
            }
        }
        int k = hi - lo >= 3 ? 3 : 2; /* quadratic, or a line near the ends */
        double inv11 = NAN;
        if (!solve3(A, r, c, &inv11, k)) {
            k = 2;
            if (!solve3(A, r, c, &inv11, k))
                c[1] = NAN;
        }
        /* A bin mean has variance sigma^2 / count: the weights. */
        out->t_s[i] = exp(xc);
        out->d[i] = c[1];
        out->se[i] = inv11 >= 0 ? sigma * sqrt(inv11) : NAN;
        out->count[i] = (size_t)b[i].n;
        if (!isfinite(c[1])) {
            out->d[i] = out->se[i] = NAN;
            out->undetermined++;
        }
    }
    free(b);
    if (out->undetermined == m) {
        rr_logderiv_clear(out);
        return rr_an_fail(err, RR_ERR_ARG,
                          "logderiv: no log bin has another within +-%g "
                          "decade (record too sparse: widen window_decades)",
                          win);
    }

    /* Peaks of g = -d: local maxima kept if they stand out of the noise. */
    out->peaks = malloc(m * sizeof *out->peaks);
    if (!out->peaks) {
        rr_logderiv_clear(out);
        return rr_an_fail(err, RR_ERR_NOMEM, "logderiv: out of memory");
    }
    const double *d = out->d;
    double gmax = 0;
    for (size_t i = 0; i < m; i++)
        if (isfinite(d[i]))
            gmax = fmax(gmax, -d[i]);
    for (size_t i = 0; i < m; i++) {
        double g = -d[i];
        if (!isfinite(g) || (i > 0 && -d[i - 1] >= g) || (i + 1 < m && -d[i + 1] > g))
            continue;
        /* Bases: lowest g on each side before a higher point (or the end). */
        double left = g, right = g;
        for (size_t j = i; j-- > 0 && -d[j] <= g;)
            left = fmin(left, -d[j]);
        for (size_t j = i + 1; j < m && -d[j] <= g; j++)
            right = fmin(right, -d[j]);
        double base = fmax(left, right);
        if (i == 0 || i + 1 == m) /* a maximum at the end: one base only */
            base = i == 0 ? right : left;
        double prom = g - base, se = out->se[i], hmin = min_abs * yscale;
        if (!(g > min_snr * se) || !(prom > min_snr * se) ||
            !(g >= min_rel * gmax) || !(g > hmin) || !(prom > hmin))
            continue;
        rr_logpeak *pk = &out->peaks[out->npeaks++];
        pk->index = i;
        pk->height = g;
        pk->prominence = prom;
        pk->se = se;
        pk->t_s = out->t_s[i];
        if (i > 0 && i + 1 < m) { /* vertex of the parabola in ln t */
            double x0 = log(out->t_s[i - 1]), x1 = log(out->t_s[i]),
                   x2 = log(out->t_s[i + 1]);
            double y0 = -d[i - 1], y1 = g, y2 = -d[i + 1];
            double den = (x0 - x1) * (x0 - x2) * (x1 - x2);
            double A2 = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / den;
            double B2 = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) +
                         x0 * x0 * (y1 - y2)) / den;
            if (A2 < 0) {
                double xv = -B2 / (2 * A2);
                if (xv >= x0 && xv <= x2) {
                    pk->t_s = exp(xv);
                    pk->height = A2 * xv * xv + B2 * xv +
                                 (y1 - A2 * x1 * x1 - B2 * x1);
                }
            }
        }
        pk->near_edge = pk->t_s < 10 * out->t_first_s || pk->t_s > out->t_last_s / 10;
    }
    for (size_t k = 0; k < out->npeaks; k++) {
        size_t from = out->peaks[k].index;
        size_t to = k + 1 < out->npeaks ? out->peaks[k + 1].index : m - 1;
        double mn = INFINITY;
        for (size_t j = from; j <= to; j++)
            mn = fmin(mn, -d[j]);
        out->peaks[k].min_after = mn;
    }
    return RR_OK;
}

double rr_logderiv_at(const rr_logderiv *d, double t_s)
{
    if (d->m == 0 || !(t_s >= d->t_s[0]) || !(t_s <= d->t_s[d->m - 1]))
        return NAN;
    size_t j = 1;
    while (j < d->m - 1 && d->t_s[j] < t_s)
        j++;
    double x0 = log(d->t_s[j - 1]), x1 = log(d->t_s[j]);
    double w = x1 > x0 ? (log(t_s) - x0) / (x1 - x0) : 0;
    return -(d->d[j - 1] + w * (d->d[j] - d->d[j - 1]));
}
