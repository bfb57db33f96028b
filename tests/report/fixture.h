/* fixture.h - fake run directories for the report tests, written in the
 * recorder's formats (engine/recorder.c): manifest.yaml, segment CSVs,
 * tables and results.csv. */
#ifndef RR_REPORT_FIXTURE_H
#define RR_REPORT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#define FX_GAS_CONSTANT 8.314462618
#define FX_E_BETA_J_PER_MOL 83000.0
#define FX_TAU_B0_S 3.942e-13 /* design.md: tau_b(Tg = 461 K) = 1e-3 s */

typedef struct fx_seg {
    const char *label;
    const char *kind;   /* "relaxation" */
    double temp_K;
    double strain;
    double duration_s;  /* recorded at 10 points/s from 0.5 s */
    double sigma0_MPa;  /* stress scale; negative for an unloading */
    char file[160];     /* filled by fx_write_run */
} fx_seg;

typedef struct fx_run {
    const char *status;        /* "complete", "protocol_error", ... */
    const char *message;       /* NULL: no message line */
    fx_seg seg[32];
    size_t nseg;
    const char *params_yaml;   /* lines under "parameters:", or NULL */
    const char *results_yaml;  /* lines under "results:", or NULL */
    const char *tables_yaml;   /* lines under "tables:", or NULL */
    const char *plots_yaml;    /* lines under "plots:", or NULL */
    bool no_results_key;       /* leave "results:" out of the manifest */
} fx_run;

/* tau_b(T) of the design's beta relaxation, s. */
double fx_tau_beta_s(double temp_K);
/* The model stress of a fixture segment at time t since the step:
 * sigma0 * (1 - 0.05 (1 - exp(-t/tau_b)) - 0.01 log10(1 + t/100)). */
double fx_stress_MPa(const fx_seg *s, double t_s);

/* Makes dir (and parents) and writes the run: segment CSVs, manifest.yaml
 * and, from the tables given, nothing else (write tables with
 * fx_write_file).  Returns 0 on success. */
int fx_write_run(const char *dir, fx_run *r);
/* Writes text to dir/rel (creating dir/tables etc. as needed). */
int fx_write_file(const char *dir, const char *rel, const char *text);
/* A 20-temperature sweep (315..410 K) with tables "tau" (exact Arrhenius,
 * E = 83 kJ/mol) and "loss", and one request of each plot kind. */
int fx_write_sweep(const char *dir, size_t nseg);
/* A temporary directory (mkdtemp) under TMPDIR or /tmp. */
int fx_tempdir(char *out, size_t len, const char *tag);
/* rm -r without a shell. */
void fx_remove_tree(const char *dir);
/* Reads a whole file (caller frees); NULL if missing. */
char *fx_read(const char *path, size_t *len);
/* Counts non-overlapping occurrences of needle in hay. */
size_t fx_count(const char *hay, const char *needle);

#endif
