/* specimen.c - specimen histories: append after each run, summarise on demand. */
#include "specimen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "yamlconf.h"

static rr_status history_path(const char *id, char *path, size_t len, bool create,
                              char *err, size_t errlen)
{
    if (!id || !*id || strlen(id) > 100) {
        snprintf(err, errlen, "specimen id '%s': 1 to 100 characters", id ? id : "");
        return RR_ERR_ARG;
    }
    for (const char *c = id; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.') || (c == id && *c == '.')) {
            snprintf(err, errlen, "specimen id '%s': letters, digits, '-', '_' and '.' only", id);
            return RR_ERR_ARG;
        }
    }
    char dir[900];
    const char *env = getenv("RELAXRUN_SAMPLES"), *home = getenv("HOME");
    if (env && *env)
        snprintf(dir, sizeof dir, "%s", env);
    else
        snprintf(dir, sizeof dir, "%s/.local/share/relaxrun/samples", home ? home : ".");
    if (create) { /* mkdir -p */
        for (char *p = dir + 1; *p; p++) {
            if (*p == '/') {
                *p = 0;
                mkdir(dir, 0775);
                *p = '/';
            }
        }
        if (mkdir(dir, 0775) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: %s", dir, strerror(errno));
            return RR_ERR_IO;
        }
    }
    snprintf(path, len, "%s/%s.yaml", dir, id);
    return RR_OK;
}

rr_status rr_specimen_summary_read(const char *id, rr_specimen_summary *out, char *err,
                                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    char path[1024];
    rr_status st = history_path(id, path, sizeof path, false, err, errlen);
    if (st != RR_OK)
        return st;
    FILE *f = fopen(path, "r");
    if (!f)
        return RR_OK; /* no history: a fresh specimen */
    fclose(f);
    rr_yaml *y = NULL;
    if ((st = rr_yaml_load_file(path, &y, err, errlen)) != RR_OK)
        return st;
    yaml_node_t *root = rr_yaml_root(y), *e;
    for (size_t i = 0; (e = rr_yaml_item(y, root, i)); i++) {
        double v;
        out->runs++;
        if (rr_parse_number(rr_yaml_str(rr_yaml_get(y, e, "loadings")), &v) == RR_OK)
            out->loadings += (size_t)v;
        if (rr_parse_number(rr_yaml_str(rr_yaml_get(y, e, "heated_s")), &v) == RR_OK)
            out->heated_s += v;
        if (rr_parse_number(rr_yaml_str(rr_yaml_get(y, e, "max_temperature_K")), &v) == RR_OK &&
            v > out->max_temperature_K)
            out->max_temperature_K = v;
        const char *run = rr_yaml_str(rr_yaml_get(y, e, "run"));
        if (run)
            snprintf(out->last_run, sizeof out->last_run, "%s", run);
    }
    rr_yaml_free(y);
    return RR_OK;
}

rr_status rr_specimen_record(const char *id, const rr_run *run, const char *rundir,
                             const char *protocol, const char *status, char *err,
                             size_t errlen)
{
    char path[1024];
    rr_status st = history_path(id, path, sizeof path, true, err, errlen);
    if (st != RR_OK)
        return st;
    double heated = 0, Tmax = 0;
    size_t loadings = 0;
    for (size_t i = 0; i < run->nsteps; i++) {
        const rr_step *s = &run->timeline[i];
        if (s->temp_K > 0)
            heated += s->duration_s;
        if (s->temp_K > Tmax)
            Tmax = s->temp_K;
        if (strncmp(s->what, "record", 6) == 0 && s->strain != 0)
            loadings++;
    }
    FILE *f = fopen(path, "a"); /* append-only */
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return RR_ERR_IO;
    }
    char stamp[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fputs("- run: ", f);
    rr_yaml_write_str(f, rundir);
    fputs("\n  protocol: ", f);
    rr_yaml_write_str(f, protocol);
    fprintf(f, "\n  ended: \"%s\"\n  status: \"%s\"\n  heated_s: %.1f\n"
               "  max_temperature_K: %.6g\n  loadings: %zu\n  steps:\n",
            stamp, status, heated, Tmax, loadings);
    for (size_t i = 0; i < run->nsteps; i++) {
        const rr_step *s = &run->timeline[i];
        fputs("    - {what: ", f);
        rr_yaml_write_str(f, s->what);
        fprintf(f, ", setpoint_K: %.6g, duration_s: %.1f, strain: %.6g}\n", s->temp_K,
                s->duration_s, s->strain);
    }
    if (!run->nsteps)
        fputs("    []\n", f);
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return RR_ERR_IO;
    }
    return RR_OK;
}

int rr_sample_main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: relaxrun sample ID\n", stderr);
        return RR_EXIT_USAGE;
    }
    char err[1024], path[1024];
    rr_specimen_summary s;
    if (rr_specimen_summary_read(argv[1], &s, err, sizeof err) != RR_OK) {
        fprintf(stderr, "relaxrun: %s\n", err);
        return RR_EXIT_USAGE;
    }
    history_path(argv[1], path, sizeof path, false, err, sizeof err);
    printf("specimen %s\n", argv[1]);
    if (!s.runs) {
        printf("  no recorded history: a fresh specimen\n");
        return RR_EXIT_OK;
    }
    printf("  runs: %zu (last: %s)\n", s.runs, s.last_run);
    printf("  time with the furnace at a setpoint: %.0f s (%.2f h)\n", s.heated_s,
           s.heated_s / 3600);
    printf("  highest setpoint: %.6g K\n", s.max_temperature_K);
    printf("  loadings: %zu\n", s.loadings);
    printf("  history: %s\n", path);
    /* The step list, run by run. */
    FILE *f = fopen(path, "r");
    if (f) {
        char line[1024];
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "- run:", 6) == 0 || strstr(line, "{what:"))
                fputs(line, stdout);
        fclose(f);
    }
    return RR_EXIT_OK;
}
