/* test_sim_accuracy.c - the simulator's stress against an independent
 * oracle (oracle.h: O(N^2) product integration with the exact integral of
 * J), to 1e-5 of sigma0:
 *  - through the instrument (its own graded mesh and Prony modes) for
 *    load / unload / reload at several temperatures, including just after
 *    each jump;
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

static double max_err_load_unload(double T)
{
    /* the instrument: hold at T until settled, then 0 -> eps1 -> 0 -> eps1 */
    rr_instrument *in = simtest_open(NULL, false, 1);
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
    oracle_J o = la_at(T);
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
            double d = fabs(got[j][p] - ref) / SIGMA0;
            if (d > maxe)
                maxe = d;
            if (d > 1e-5)
                printf("  T %g jump %d +%g s: sim %.9g oracle %.9g (%.2e)\n", T, j,
                       probes[p], got[j][p], ref, d);
        }
    printf("  %g K: load/unload/reload, oracle on %zu and %zu nodes: max |err| = %.2e sigma0\n",
           T, nodes[0], nodes[1], maxe);
    return maxe;
}

TEST(instrument_vs_oracle)
{
    const double temps[] = {315, 420, 461};
    for (size_t i = 0; i < sizeof temps / sizeof temps[0]; i++)
        CHECK(max_err_load_unload(temps[i]) < 1e-5);
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
    return rr_test_summary();
}
