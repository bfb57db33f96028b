/* series.c - growable column storage for recorded samples. */
#include "series.h"

#include <stdio.h>
#include <stdlib.h>

rr_status rr_series_new(double t0_s, const char *label, rr_series **out)
{
    rr_series *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return RR_ERR_NOMEM;
    s->t0_s = t0_s;
    snprintf(s->label, sizeof s->label, "%s", label ? label : "");
    *out = s;
    return RR_OK;
}

void rr_series_free(rr_series *s)
{
    if (!s)
        return;
    free(s->t_s);
    free(s->temp_K);
    free(s->strain);
    free(s->stress_MPa);
    free(s);
}

static rr_status grow(double **col, size_t cap)
{
    double *p = realloc(*col, cap * sizeof *p);
    if (!p)
        return RR_ERR_NOMEM;
    *col = p;
    return RR_OK;
}

rr_status rr_series_append(rr_series *s, const rr_sample *x)
{
    return rr_series_append_rel(s, x->t_s - s->t0_s, x->temp_K, x->strain,
                                x->stress_MPa);
}

rr_status rr_series_append_rel(rr_series *s, double t_s, double temp_K,
                               double strain, double stress_MPa)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 1024;
        if (grow(&s->t_s, cap) || grow(&s->temp_K, cap) ||
            grow(&s->strain, cap) || grow(&s->stress_MPa, cap))
            return RR_ERR_NOMEM;
        s->cap = cap;
    }
    s->t_s[s->n] = t_s;
    s->temp_K[s->n] = temp_K;
    s->strain[s->n] = strain;
    s->stress_MPa[s->n] = stress_MPa;
    s->n++;
    return RR_OK;
}
