/* test_sim_accuracy.c - the simulator's stress against an independent
 * oracle (oracle.h: O(N^2) product integration with the exact integral of
 * J), to 1e-5 of sigma0:
 *  - through the instrument (its own graded mesh and Prony modes) for
 *    load / unload / reload at several temperatures, both presets,
 *    including just after each jump;
 *  - through the instrument during a furnace ramp, with a jump on the way,
 *    against the oracle on reduced times of the sample's temperature;
 *  - through the material solver on the oracle's own nodes for a ramp and a
 *    sinusoid (same discrete problem: this isolates the Prony series and the
 *    mode algebra). */
#include <string.h>

#include "harness.h"
#include "oracle.h"
#include "sim_internal.h"
#include "simtest.h"

#define EPS1 0.006
#define SIGMA0 (40000.0 * EPS1)

static oracle_J la_at(double T)
{
    return oracle_params(40000, 0.05263, 1.5, 0.44, 83e3, 461, 1e-3, 25, T);
}

/* Offsets after each jump at which the instrument is read. */
static const double probes[] = {0,   1e-6, 1e-4, 1e-3, 0.01, 0.1, 0.5, 1,
                                2,   5,    10,   20,   50,   100, 149.9};
#define NPROBE (sizeof probes / sizeof probes[0])

static oracle_J zr_at(double T)
{
    return oracle_params(88000, 0.01, 1.5, 0.5, 124.9e3, 692, 2.5, 25, T);
}

static double max_err_load_unload(const char *preset, oracle_J o, double T)
{
    /* the instrument: hold at T until settled, then 0 -> eps1 -> 0 -> eps1 */
    const double sigma0 = EPS1 / o.J0;
    rr_instrument *in = simtest_open(preset, false, 1);
    SIM_CALL(in, sim_set, "aging.amplitude", 0.0);
    SIM_CALL(in, set_temp_rate, 20.0);
    SIM_CALL(in, set_temp, T);
    double t0 = simtest_wait_stable(in, 7200) + 1800, now, Tr;
    SIM_CALL(in, advance, t0, &now);
    SIM_CALL(in, read_temp, &Tr);
    CHECK(Tr == T); /* settled exactly: the oracle's temperature */
    const double jumps[3] = {0, 150, 300}, levels[3] = {EPS1, 0, EPS1};
    double got[3][NPROBE];
    for (int j = 0; j < 3; j++) {
        for (size_t p = 0; p < NPROBE; p++) {
            SIM_CALL(in, advance, t0 + jumps[j] + probes[p], &now);
            if (p == 0)
                SIM_CALL(in, set_strain, levels[j]);
            SIM_CALL(in, read_stress, &got[j][p]);
        }
    }
    rr_instrument_close(in);

    /* the oracle on graded meshes g and 2 g through the same probe times,
     * Richardson-extrapolated (its error is second order in g: about
     * 1e-2 g^2 sigma0 at 461 K) */
    double want_sig[2][3][NPROBE];
    size_t nodes[2] = {0, 0};
    for (int r = 0; r < 2; r++) {
        enum { CAP = 8000 };
        static double t[CAP], e[CAP], s[CAP];
        size_t n = 0, idx[3][NPROBE];
        for (int j = 0; j < 3; j++) {
            double want[NPROBE];
            for (size_t p = 0; p < NPROBE; p++)
                want[p] = jumps[j] + probes[p];
            size_t start = n;
            double end = j < 2 ? jumps[j + 1] : jumps[j] + 150;
            n = oracle_mesh(t, n, CAP, jumps[j], end, 1e-8, r == 0 ? 0.02 : 0.04, want + 1,
                            NPROBE - 1);
            for (size_t i = start; i < n; i++)
                e[i] = levels[j];
            idx[j][0] = start; /* just after the jump */
            for (size_t p = 1; p < NPROBE; p++)
                for (size_t i = start + 1; i < n; i++)
                    if (t[i] == want[p]) {
                        idx[j][p] = i;
                        break;
                    }
        }
        CHECK(n < CAP);
        oracle_solve(&o, t, e, s, n);
        for (int j = 0; j < 3; j++)
            for (size_t p = 0; p < NPROBE; p++)
                want_sig[r][j][p] = s[idx[j][p]];
        nodes[r] = n;
    }
    double maxe = 0;
    for (int j = 0; j < 3; j++)
        for (size_t p = 0; p < NPROBE; p++) {
            double ref = want_sig[0][j][p] + (want_sig[0][j][p] - want_sig[1][j][p]) / 3;
            double d = fabs(got[j][p] - ref) / sigma0;
            if (d > maxe)
                maxe = d;
            if (d > 1e-5)
                printf("  T %g jump %d +%g s: sim %.9g oracle %.9g (%.2e)\n", T, j,
                       probes[p], got[j][p], ref, d);
        }
    printf("  %s %g K: load/unload/reload, oracle on %zu and %zu nodes: max |err| = %.2e "
           "sigma0\n", preset ? preset : "La60Ni15Al25", T, nodes[0], nodes[1], maxe);
    return maxe;
}

TEST(instrument_vs_oracle)
{
    const double temps[] = {315, 420, 461};
    for (size_t i = 0; i < sizeof temps / sizeof temps[0]; i++)
        CHECK(max_err_load_unload(NULL, la_at(temps[i]), temps[i]) < 1e-5);
    /* the second preset: chi 0.5, its own Prony series, a weak beta */
    const double zr_temps[] = {550, 692};
    for (size_t i = 0; i < sizeof zr_temps / sizeof zr_temps[0]; i++)
        CHECK(max_err_load_unload("Zr50Cu40Al10", zr_at(zr_temps[i]), zr_temps[i]) < 1e-5);
}

/* The sample temperature between the instrument's samples (noise off):
 * cubic Hermite with centred slopes; the settled temperature before the
 * first sample. */
typedef struct T_record {
    const rr_sample *s;
    size_t n;
    double t0_s, T_before_K; /* sample times are t_s - t0_s */
} T_record;

static double T_of(double t, void *ctx)
{
    const T_record *r = ctx;
    const rr_sample *s = r->s;
#define TR(i) (s[i].t_s - r->t0_s)
    if (r->n < 3 || t <= TR(0))
        return t <= TR(0) ? r->T_before_K : s[0].temp_K;
    if (t >= TR(r->n - 1))
        return s[r->n - 1].temp_K;
    size_t lo = 0, hi = r->n - 1;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (TR(mid) <= t)
            lo = mid;
        else
            hi = mid;
    }
    double h = TR(hi) - TR(lo), u = (t - TR(lo)) / h;
    double m0 = lo > 0 ? (s[hi].temp_K - s[lo - 1].temp_K) / (TR(hi) - TR(lo - 1))
                       : (s[hi].temp_K - s[lo].temp_K) / h;
    double m1 = hi + 1 < r->n ? (s[hi + 1].temp_K - s[lo].temp_K) / (TR(hi + 1) - TR(lo))
                              : (s[hi].temp_K - s[lo].temp_K) / h;
    double u2 = u * u, u3 = u2 * u;
    return (2 * u3 - 3 * u2 + 1) * s[lo].temp_K + (u3 - 2 * u2 + u) * h * m0 +
           (-2 * u3 + 3 * u2) * s[hi].temp_K + (u3 - u2) * h * m1;
#undef TR
}

/* The oracle on reduced times agrees with the constant-temperature oracle
 * where the temperature does not change. */
static double const_T(double t, void *ctx) { (void)t; return *(const double *)ctx; }

TEST(oracle_xi_matches_oracle_at_constant_T)
{
    enum { CAP = 1200 };
    static double t[CAP], xb[CAP], xa[CAP], e[CAP], s1[CAP], s2[CAP];
    const double T = 380, want[2] = {50, 100};
    size_t n = oracle_mesh(t, 0, CAP, 0, 50, 1e-8, 0.05, want, 1);
    size_t j = n;
    n = oracle_mesh(t, n, CAP, 50, 100, 1e-8, 0.05, want + 1, 1);
    for (size_t i = 0; i < n; i++)
        e[i] = i < j ? EPS1 : EPS1 / 2;
    oracle_J o = la_at(T);
    oracle_solve(&o, t, e, s1, n);
    double Tc = T;
    oracle_reduced_times(&o, const_T, &Tc, t, n, xb, xa);
    oracle_solve_xi(&o, t, xb, xa, e, s2, n);
    double worst = 0;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs(s1[i] - s2[i]) / SIGMA0);
    printf("  %zu nodes at %g K: |oracle_xi - oracle| <= %.1e sigma0\n", n, T, worst);
    CHECK(worst < 1e-10);
}

TEST(instrument_vs_oracle_during_a_ramp)
{
    /* settled at 380 K; a 0.6 % step; 20 s later the furnace ramps at
     * 10 K/min to 400 K; at 80 s, mid-ramp, the strain drops to 0.3 %;
     * sampled at 1 Hz (the instrument then steps 1 s at a time, its
     * furnace substep); probes just after each jump */
    const double T1 = 380, T2 = 400, r2 = 80, r_end = 160;
    const double after[] = {1e-6, 1e-3, 0.1};
    enum { NA = 3, SCAP = 400 };
    rr_instrument *in = simtest_open(NULL, false, 1);
    SIM_CALL(in, sim_set, "aging.amplitude", 0.0);
    SIM_CALL(in, set_temp_rate, 20.0);
    SIM_CALL(in, set_temp, T1);
    double t = simtest_wait_stable(in, 7200) + 600, now, Tr, tj = 0, tj2 = 0;
    SIM_CALL(in, advance, t, &now);
    SIM_CALL(in, read_temp, &Tr);
    CHECK(Tr == T1);
    static rr_sample smp[SCAP];
    size_t ns = 0;
    double probe_sig[2][NA];
    SIM_CALL(in, acq_set_rate, 1.0);
    SIM_CALL0(in, acq_start);
    SIM_CALL(in, set_strain, EPS1);
    SIM_CALL(in, strain_t0, &tj);
    for (int a = 0; a < NA; a++) {
        ns += simtest_run(in, tj + after[a], smp + ns, SCAP - ns);
        SIM_CALL(in, read_stress, &probe_sig[0][a]);
    }
    ns += simtest_run(in, tj + 20, smp + ns, SCAP - ns);
    SIM_CALL(in, set_temp_rate, 10.0);
    SIM_CALL(in, set_temp, T2);
    ns += simtest_run(in, tj + r2, smp + ns, SCAP - ns);
    SIM_CALL(in, set_strain, EPS1 / 2);
    SIM_CALL(in, strain_t0, &tj2);
    CHECK_ABS(tj2 - tj, r2, 1e-9);
    for (int a = 0; a < NA; a++) {
        ns += simtest_run(in, tj2 + after[a], smp + ns, SCAP - ns);
        SIM_CALL(in, read_stress, &probe_sig[1][a]);
    }
    ns += simtest_run(in, tj + r_end, smp + ns, SCAP - ns);
    rr_instrument_close(in);
    CHECK(ns >= 155 && ns < SCAP);
    double T_mid = 0;
    for (size_t i = 0; i < ns; i++)
        if (fabs(smp[i].t_s - tj - r2) < 0.6)
            T_mid = smp[i].temp_K;
    printf("  ramp: %zu samples, T %.2f K at the second jump, %.2f K at the end\n", ns,
           T_mid, smp[ns - 1].temp_K);
    CHECK(T_mid > T1 + 2 && T_mid < T2 - 2); /* the jump lands mid-ramp */

    /* the oracle on meshes (g, h_max) and (2 g, 2 h_max) through every
     * sample and probe time, Richardson-extrapolated */
    T_record rec = {smp, ns, tj, T1};
    enum { CAP = 6000 };
    static double want[2][SCAP], tt[CAP], xb[CAP], xa[CAP], e[CAP], sg[CAP];
    size_t nw[2] = {0, 0};
    for (int j = 0; j < 2; j++)
        for (int a = 0; a < NA; a++)
            want[j][nw[j]++] = (j ? r2 : 0) + after[a];
    for (size_t i = 0; i < ns; i++) {
        double r = smp[i].t_s - tj;
        int j = r > r2;
        if (nw[j] == 0 || r > want[j][nw[j] - 1] + 1e-12)
            want[j][nw[j]++] = r;
    }
    static double ref[2][SCAP + 2 * NA];
    size_t nodes[2] = {0, 0};
    for (int g = 0; g < 2; g++) {
        double gr = g ? 0.08 : 0.04, hmax = g ? 0.2 : 0.1;
        size_t n = oracle_mesh_capped(tt, 0, CAP, 0, r2, 1e-8, gr, hmax, want[0], nw[0]);
        size_t n1 = n;
        n = oracle_mesh_capped(tt, n, CAP, r2, r_end, 1e-8, gr, hmax, want[1], nw[1]);
        CHECK(n < CAP);
        for (size_t i = 0; i < n; i++)
            e[i] = i < n1 ? EPS1 : EPS1 / 2;
        oracle_J o = la_at(T1);
        oracle_reduced_times(&o, T_of, &rec, tt, n, xb, xa);
        oracle_solve_xi(&o, tt, xb, xa, e, sg, n);
        /* pick the wanted times (each appears once, after its jump) */
        size_t k = 0;
        for (int j = 0; j < 2; j++)
            for (size_t w = 0; w < nw[j]; w++) {
                size_t lo = j ? n1 + 1 : 1;
                size_t hi = j ? n : n1;
                for (size_t i = lo; i < hi; i++)
                    if (tt[i] == want[j][w]) {
                        ref[g][k] = sg[i];
                        break;
                    }
                k++;
            }
        nodes[g] = n;
    }
    /* the instrument's values in the same order: probes, then samples */
    double maxe = 0;
    size_t k = 0, si = 0;
    for (int j = 0; j < 2; j++)
        for (size_t w = 0; w < nw[j]; w++, k++) {
            double got;
            if (w < NA) {
                got = probe_sig[j][w];
            } else {
                while (si < ns && fabs(smp[si].t_s - tj - want[j][w]) > 1e-9)
                    si++;
                CHECK(si < ns);
                if (si >= ns)
                    return;
                got = smp[si].stress_MPa;
            }
            double r = ref[0][k] + (ref[0][k] - ref[1][k]) / 3;
            double d = fabs(got - r) / SIGMA0;
            if (d > 1e-5)
                printf("  jump %d +%g s: sim %.9g oracle %.9g (%.2e)\n", j + 1,
                       want[j][w] - (j ? r2 : 0), got, r, d);
            maxe = fmax(maxe, d);
        }
    printf("  ramp 380 -> 400 K at 10 K/min, jump mid-ramp, oracle on %zu and %zu nodes: "
           "max |err| = %.2e sigma0 over %zu times\n",
           nodes[0], nodes[1], maxe, k);
    CHECK(maxe < 1e-5);
}

static void la_params(sim_params *p)
{
    sim_params_defaults(p);
    p->E_MPa = 40000;
    p->A_beta = 0.05263;
    p->A_alpha = 1.5;
    p->chi = 0.44;
    p->E_beta_kJ_per_mol = 83;
    p->Tg_K = 461;
    p->tau_alpha_Tg_s = 25;
    p->tau_beta_Tg_s = 1e-3;
}

/* Material solver and oracle on the same nodes, strain given by f. */
static double same_nodes(double T, double (*f)(double), double t_end, double h)
{
    sim_params p;
    la_params(&p);
    static sim_material m;
    CHECK(sim_material_init(&m, &p, false) == RR_OK);
    enum { CAP = 6000 };
    static double t[CAP], e[CAP], s[CAP], sm[CAP];
    size_t n = 0;
    /* graded start, then uniform steps of h */
    n = oracle_mesh(t, 0, CAP, 0, h, 1e-8, 0.05, NULL, 0);
    while (t[n - 1] < t_end && n < CAP) {
        t[n] = t[n - 1] + h;
        n++;
    }
    for (size_t i = 0; i < n; i++)
        e[i] = f(t[i]);
    oracle_J o = la_at(T);
    oracle_solve(&o, t, e, s, n);
    sm[0] = sim_material_step(&m, 0, T, e[0]);
    for (size_t i = 1; i < n; i++)
        sm[i] = sim_material_step(&m, t[i] - t[i - 1], T, e[i]);
    double maxe = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        maxe = fmax(maxe, fabs(sm[i] - s[i]));
        scale = fmax(scale, fabs(s[i]));
    }
    return maxe / scale;
}

static double ramp(double t)
{
    /* a jump to 0.1 %, a ramp to 0.6 % over 60 s, hold, ramp back down */
    if (t < 60)
        return 0.001 + 0.005 * t / 60;
    if (t < 200)
        return 0.006;
    if (t < 260)
        return 0.006 * (260 - t) / 60;
    return 0;
}

static double sinus(double t) { return 0.003 + 0.001 * sin(2 * M_PI * 0.05 * t); }

TEST(material_vs_oracle_ramp_sinusoid)
{
    const double temps[] = {315, 380, 461};
    for (size_t i = 0; i < 3; i++) {
        double er = same_nodes(temps[i], ramp, 400, 0.25);
        double es = same_nodes(temps[i], sinus, 200, 0.125);
        printf("  %g K: ramp max |err| = %.2e, sinusoid max |err| = %.2e (of max |sigma|)\n",
               temps[i], er, es);
        CHECK(er < 1e-5);
        CHECK(es < 1e-5);
    }
}

TEST(nnls_small_cases)
{
    /* unconstrained: x = (1/3)(1, -1)... constrained: x2 = 0, x1 = 1/2 */
    const double A[6] = {1, 0, 0, 1, 1, 1}, b[3] = {1, -1, 0};
    double x[2];
    CHECK(rr_nnls(A, 3, 2, b, x) == RR_OK);
    CHECK_ABS(x[0], 0.5, 1e-12);
    CHECK(x[1] == 0);
    /* all positive: the unconstrained solution */
    const double b2[3] = {1, 2, 3};
    CHECK(rr_nnls(A, 3, 2, b2, x) == RR_OK);
    CHECK_ABS(x[0], 1, 1e-12);
    CHECK_ABS(x[1], 2, 1e-12);
    /* all negative: zero */
    const double b3[3] = {-1, -2, -3};
    CHECK(rr_nnls(A, 3, 2, b3, x) == RR_OK);
    CHECK(x[0] == 0 && x[1] == 0);
}

TEST(prony_fit_quality)
{
    sim_params p;
    la_params(&p);
    static sim_material m;
    CHECK(sim_material_init(&m, &p, false) == RR_OK);
    printf("  KWW chi 0.44: %zu modes over u = %.1e .. %.1e, max |err| %.1e\n",
           m.prony.n, m.prony.u_min, m.prony.u_max, m.prony.max_abs_err);
    CHECK(m.prony.max_abs_err < 1e-5);
    /* J(t) from the modes against Eq. (2), over the times a run sees */
    double worst = 0;
    for (double T = 300; T <= 480; T += 30)
        for (double lt = -4; lt <= 5; lt += 0.05) {
            double tt = pow(10, lt);
            double a = sim_material_J_modes(&m, tt, T), b = sim_material_J_exact(&p, tt, T);
            worst = fmax(worst, fabs(a - b) * p.E_MPa);
        }
    printf("  |J_modes - J_exact| * E <= %.1e over 1e-4..1e5 s, 300..480 K\n", worst);
    CHECK(worst < 1e-5);
}

int main(void)
{
    RUN(nnls_small_cases);
    RUN(prony_fit_quality);
    RUN(material_vs_oracle_ramp_sinusoid);
    RUN(instrument_vs_oracle);
    RUN(oracle_xi_matches_oracle_at_constant_T);
    RUN(instrument_vs_oracle_during_a_ramp);
    return rr_test_summary();
}
