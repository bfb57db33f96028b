/* loadcell.c - the load cell: stress from force and geometry (its range),
 * white noise and slow zero drift from the simulator's own seeded generator
 * (xoshiro256** seeded by splitmix64, so a seed gives the same data on
 * every platform), and the thermocouple's noise. */
#include <math.h>
#include <stdint.h>

#include "sim_internal.h"

/* splitmix64 seeds xoshiro256**; our own so runs repeat on every libc. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t xoshiro(sim_rng *g)
{
    uint64_t *r = g->r;
    uint64_t res = rotl(r[1] * 5, 7) * 9, t = r[1] << 17;
    r[2] ^= r[0];
    r[3] ^= r[1];
    r[1] ^= r[2];
    r[0] ^= r[3];
    r[2] ^= t;
    r[3] = rotl(r[3], 45);
    return res;
}

static double uniform(sim_rng *g) { return (double)(xoshiro(g) >> 11) * 0x1.0p-53; }

/* Standard normal deviate (Marsaglia polar method). */
static double gauss(sim_rng *g)
{
    if (g->have_spare) {
        g->have_spare = false;
        return g->spare;
    }
    double u, v, r;
    do {
        u = 2 * uniform(g) - 1;
        v = 2 * uniform(g) - 1;
        r = u * u + v * v;
    } while (r >= 1 || r == 0);
    double f = sqrt(-2 * log(r) / r);
    g->spare = v * f;
    g->have_spare = true;
    return u * f;
}

void sim_noise_seed(sim *s, unsigned long seed)
{
    uint64_t x = seed;
    s->seed = seed;
    for (int i = 0; i < 4; i++)
        s->rng_queries.r[i] = splitmix64(&x);
    s->rng_queries.have_spare = false;
}

/* A standard normal deviate that is a function of its key alone (Box-Muller
 * on two splitmix64 hashes): the noise of sample k after strain step e. */
static double keyed_gauss(const sim *s, unsigned which)
{
    uint64_t x = s->seed ^ ((uint64_t)s->grid_epoch * 0x9E3779B97F4A7C15ull) ^
                 ((uint64_t)s->grid_k * 0xD1B54A32D192ED03ull) ^ ((uint64_t)which << 58);
    double u1 = ((double)(splitmix64(&x) >> 11) + 1) * 0x1.0p-53; /* (0, 1] */
    double u2 = (double)(splitmix64(&x) >> 11) * 0x1.0p-53;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* The noise deviate number `which` of the present reading. */
static double deviate(sim *s, bool sample, unsigned which)
{
    return sample ? keyed_gauss(s, which) : gauss(&s->rng_queries);
}

/* True stress in the sample (0 once broken). */
static double true_stress(const sim *s) { return s->broken ? 0 : sim_material_sigma(s); }

/* Stress per newton of force for the clamp and geometry (MPa/N): the
 * surface stress of the beam for the cantilevers (L the free length, or
 * the span between the outer clamps), the mean stress over the section for
 * tension and compression. */
static double MPa_per_N(const sim *s)
{
    const rr_geometry *g = &s->geom;
    double wt2 = g->width_mm * g->thickness_mm * g->thickness_mm;
    switch (s->clamp) {
    case RR_CLAMP_SINGLE_CANTILEVER: /* clamped-free: sigma = 6 F L / (w t^2) */
        return 6 * g->length_mm / wt2;
    case RR_CLAMP_DUAL_CANTILEVER: /* two clamped-guided halves of L/2, F/2 each */
        return 0.75 * g->length_mm / wt2;
    case RR_CLAMP_TENSION:
    case RR_CLAMP_COMPRESSION:
        break;
    }
    return 1 / (g->width_mm * g->thickness_mm); /* F / A */
}

double sim_overload_limit_MPa(const sim *s)
{
    if (s->overload_MPa > 0)
        return s->overload_MPa;
    return s->p.load_cell_max_N * MPa_per_N(s);
}

/* Load cell reading: true stress + white noise + slow drift (an
 * Ornstein-Uhlenbeck process, advanced exactly to time t by the samples;
 * a query reads the drift as it stands). */
double sim_measured_stress(sim *s, bool sample)
{
    double v = true_stress(s);
    if (!s->noise_on)
        return v;
    double dt = s->t - s->drift_t;
    if (sample && dt > 0) {
        double a = exp(-dt / s->p.drift_tau_s);
        s->drift = s->drift * a + s->p.drift_MPa * sqrt(1 - a * a) * deviate(s, true, 1);
        s->drift_t = s->t;
    }
    return v + s->drift + s->p.noise_MPa * deviate(s, sample, 2);
}

double sim_measured_temp(sim *s, bool sample)
{
    double T = s->fur.T_s;
    return s->noise_on ? T + s->p.temp_noise_K * deviate(s, sample, 3) : T;
}
