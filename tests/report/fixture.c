/* fixture.c - fake run directories for the report tests (see fixture.h). */
#include "fixture.h"

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "yamlconf.h"

double fx_tau_beta_s(double temp_K)
{
    return FX_TAU_B0_S * exp(FX_E_BETA_J_PER_MOL / (FX_GAS_CONSTANT * temp_K));
}

double fx_stress_MPa(const fx_seg *s, double t_s)
{
    double tau = fx_tau_beta_s(s->temp_K);
    return s->sigma0_MPa *
           (1 - 0.05 * (1 - exp(-t_s / tau)) - 0.01 * log10(1 + t_s / 100));
}

static int mkdir_p(const char *path)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0775) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(tmp, 0775) != 0 && errno != EEXIST ? -1 : 0;
}

int fx_write_file(const char *dir, const char *rel, const char *text)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *slash = strrchr(path, '/');
    *slash = 0;
    if (mkdir_p(path) != 0)
        return -1;
    *slash = '/';
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -1;
}

static void kv(FILE *f, const char *indent, const char *key, const char *value)
{
    fprintf(f, "%s%s: ", indent, key);
    rr_yaml_write_str(f, value);
    fputc('\n', f);
}

int fx_write_run(const char *dir, fx_run *r)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/segments", dir);
    if (mkdir_p(path) != 0)
        return -1;
    unsigned long lcg = 12345; /* deterministic noise */
    for (size_t i = 0; i < r->nseg; i++) {
        fx_seg *s = &r->seg[i];
        /* The recorder's file name: NNN-LABEL with unsafe characters as _. */
        char safe[80];
        size_t k = 0;
        for (const char *c = s->label; *c && k + 1 < sizeof safe; c++) {
            int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                     (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.';
            safe[k++] = ok ? *c : '_';
        }
        safe[k] = 0;
        snprintf(s->file, sizeof s->file, "segments/%03zu-%s.csv", i + 1, safe);
        snprintf(path, sizeof path, "%s/%s", dir, s->file);
        FILE *f = fopen(path, "w");
        if (!f)
            return -1;
        fputs("time_s,step_time_s,temperature_K,strain_m_per_m,stress_MPa\n", f);
        double t0 = 1000.0 * (double)(i + 1);
        long n = (long)(s->duration_s * 10);
        for (long j = 0; j < n; j++) {
            double t = 0.5 + 0.1 * (double)j;
            lcg = lcg * 6364136223846793005UL + 1442695040888963407UL;
            double noise = 0.002 * ((double)(lcg >> 11) / 9007199254740992.0 - 0.5);
            fprintf(f, "%.6f,%.6f,%.4f,%.9g,%.9g\n", t0 + t, t, s->temp_K, s->strain,
                    fx_stress_MPa(s, t) + noise);
        }
        if (fclose(f) != 0)
            return -1;
    }
    snprintf(path, sizeof path, "%s/manifest.yaml", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("# relaxrun run manifest (replaced atomically as the run goes)\n", f);
    kv(f, "", "relaxrun_version", "0.1.0");
    kv(f, "", "status", r->status ? r->status : "complete");
    if (r->message)
        kv(f, "", "message", r->message);
    fputs("pid: 4242\n", f);
    kv(f, "", "started", "2026-11-25T13:21:59Z");
    kv(f, "", "ended", "2026-11-25T13:22:00Z");
    kv(f, "", "command_line", "relaxrun -o r protocols/sweep.lua");
    fputs("protocol:\n", f);
    kv(f, "  ", "path", "protocols/sweep.lua");
    kv(f, "  ", "sha256", "f76b723d9586f230f0296f64471ac027a0ff3f25fa2ae9137fe1e00735ff067f");
    fputs("seed: 1\ninstrument:\n", f);
    kv(f, "  ", "spec", "sim:La60Ni15Al25");
    kv(f, "  ", "identity", "relaxrun,SIM-DMA,La60Ni15Al25,0.1.0");
    fputs("  limits: {temperature_min_K: 123, temperature_max_K: 873, strain_max: 0.02, "
          "rate_max_K_per_min: 20, frequency_min_Hz: 0.01, frequency_max_Hz: 200}\n",
          f);
    if (r->params_yaml)
        fprintf(f, "parameters:\n%s", r->params_yaml);
    else
        fputs("parameters: {}\n", f);
    fputs(r->nseg ? "segments:\n" : "segments: []\n", f);
    for (size_t i = 0; i < r->nseg; i++) {
        fx_seg *s = &r->seg[i];
        kv(f, "  - ", "file", s->file);
        kv(f, "    ", "label", s->label);
        kv(f, "    ", "kind", s->kind ? s->kind : "relaxation");
        fprintf(f, "    t0_s: %.6f\n    strain_m_per_m: %.10g\n"
                   "    temperature_K: %.6g\n    samples: %ld\n    complete: true\n",
                1000.0 * (double)(i + 1), s->strain, s->temp_K,
                (long)(s->duration_s * 10));
    }
    if (!r->no_results_key) {
        if (r->results_yaml)
            fprintf(f, "results:\n%s", r->results_yaml);
        else
            fputs("results: []\n", f);
    }
    if (r->tables_yaml)
        fprintf(f, "tables:\n%s", r->tables_yaml);
    else
        fputs("tables: []\n", f);
    if (r->plots_yaml)
        fprintf(f, "plots:\n%s", r->plots_yaml);
    else
        fputs("plots: []\n", f);
    fputs("files:\n  events: events.log\n  results: results.csv\n  copies:\n"
          "    - path: \"source/sweep.lua\"\n",
          f);
    return fclose(f) == 0 ? 0 : -1;
}

int fx_write_sweep(const char *dir, size_t nseg)
{
    static char labels[32][32];
    fx_run r = {.status = "complete"};
    if (nseg > 20)
        nseg = 20;
    for (size_t i = 0; i < nseg; i++) {
        double T = 315 + 5.0 * (double)i;
        snprintf(labels[i], sizeof labels[i], "T%.0f", T);
        r.seg[i] = (fx_seg){.label = labels[i], .temp_K = T, .strain = 0.006,
                            .duration_s = 1800, .sigma0_MPa = 240};
    }
    r.nseg = nseg;
    r.params_yaml =
        "  temperature_start: {value: 315, unit: \"K\", description: \"First temperature\", from_command_line: false}\n"
        "  step: {value: 5, unit: \"K\", description: \"Temperature step\", from_command_line: true}\n";
    r.results_yaml =
        "  - name: \"activation_energy\"\n    value: 83.0\n    unit: \"kJ/mol\"\n"
        "    description: \"Arrhenius energy of tau_1\"\n"
        "  - name: \"tau_1_315K\"\n    value: 21.7\n    unit: \"s\"\n"
        "    description: \"Beta relaxation time at 315 K\"\n";
    r.tables_yaml =
        "  - name: \"tau\"\n    file: \"tables/tau.csv\"\n"
        "    columns: [\"temperature_K\", \"tau_1_s\"]\n    rows: 6\n"
        "  - name: \"loss\"\n    file: \"tables/loss.csv\"\n"
        "    columns: [\"frequency_Hz\", \"loss_modulus_MPa\", \"storage_modulus_MPa\"]\n"
        "    rows: 9\n";
    r.plots_yaml =
        "  - {kind: \"relaxation\", segments: [\"T315\", \"T330\", \"T345\", \"T360\"], offset: 0.02, title: \"Four temperatures\"}\n"
        "  - {kind: \"overlay\", segments: [\"T315\", \"T320\"], title: \"Overlay\"}\n"
        "  - {kind: \"derivative\", segment: \"T315\", tau_s: 21.7, title: \"Log-time derivative at 315 K\"}\n"
        "  - {kind: \"arrhenius\", table: \"tau\", x: \"temperature_K\", y: \"tau_1_s\", title: \"tau_1\"}\n"
        "  - {kind: \"xy\", table: \"loss\", x: \"frequency_Hz\", y: [\"loss_modulus_MPa\", \"storage_modulus_MPa\"], logx: true, logy: true, title: \"Moduli\"}\n";
    if (fx_write_run(dir, &r) != 0)
        return -1;
    /* Exact Arrhenius data: the fit must give E = 83 kJ/mol. */
    char text[4096];
    size_t k = (size_t)snprintf(text, sizeof text, "temperature_K,tau_1_s\n");
    for (int i = 0; i < 6; i++) {
        double T = 300 + 10.0 * i;
        k += (size_t)snprintf(text + k, sizeof text - k, "%.10g,%.10g\n", T,
                              fx_tau_beta_s(T));
    }
    if (fx_write_file(dir, "tables/tau.csv", text) != 0)
        return -1;
    k = (size_t)snprintf(text, sizeof text,
                         "frequency_Hz,loss_modulus_MPa,storage_modulus_MPa\n");
    for (int i = 0; i < 9; i++) {
        double fHz = pow(10, -2 + 0.5 * i), w = 2 * M_PI * fHz * 0.2;
        k += (size_t)snprintf(text + k, sizeof text - k, "%.10g,%.10g,%.10g\n", fHz,
                              1000 * w / (1 + w * w), 40000 - 1000 / (1 + w * w));
    }
    return fx_write_file(dir, "tables/loss.csv", text);
}

int fx_tempdir(char *out, size_t len, const char *tag)
{
    const char *base = getenv("TMPDIR");
    snprintf(out, len, "%s/rr-report-%s-XXXXXX", base && *base ? base : "/tmp", tag);
    return mkdtemp(out) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void fx_remove_tree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *fx_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = 0;
    if (len)
        *len = n;
    return buf;
}

size_t fx_count(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = hay; (p = strstr(p, needle)); p += len)
        n++;
    return n;
}
