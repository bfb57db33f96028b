/* test_engine.c - unit tests of the engine's parts: numbers, YAML, SHA-256,
 * the recorder, and the run loop against a scripted fake instrument (the
 * test that pulls the plug). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "recorder.h"
#include "run.h"
#include "sha256.h"
#include "yamlconf.h"

/* ---- a fake instrument: 10 Hz samples of a constant stress; can lose the
 * link at a given time or raise a status fault ------------------------- */

typedef struct fake {
    double t, strain, rate, next_sample, fail_at, fault_at;
    int acquiring, resets, stray_after_fail;
    rr_sample buf[64];
    size_t n;
} fake;

static rr_status f_limits(void *c, rr_limits *l)
{
    (void)c;
    *l = (rr_limits){200, 600, 0.02, 20, 0.01, 100};
    return RR_OK;
}
static rr_status f_reset(void *c)
{
    fake *f = c;
    f->resets++;
    f->strain = 0;
    f->acquiring = 0;
    f->n = 0;
    return RR_OK;
}
static rr_status f_now(void *c, double *t) { *t = ((fake *)c)->t; return RR_OK; }
static rr_status f_advance(void *c, double t, double *now)
{
    fake *f = c;
    if (f->fail_at > 0 && f->t >= f->fail_at)
        return RR_ERR_LINK;
    while (f->t < t) {
        double next = f->acquiring ? f->next_sample : t;
        if (next > t)
            next = t;
        if (f->fail_at > 0 && next > f->fail_at)
            next = f->fail_at;
        if (f->n == 64 && f->acquiring && next >= f->next_sample)
            break; /* buffer full: return early, as the vtable allows */
        f->t = next;
        if (f->acquiring && f->t >= f->next_sample - 1e-12) {
            f->buf[f->n++] = (rr_sample){f->t, 315, f->strain, 40000 * f->strain};
            f->next_sample += 1 / f->rate;
        }
        if (f->fail_at > 0 && f->t >= f->fail_at)
            break;
    }
    *now = f->t;
    return RR_OK;
}
static rr_status f_status(void *c, unsigned *bits)
{
    fake *f = c;
    *bits = RR_STAT_TEMP_STABLE;
    if (f->fault_at > 0 && f->t >= f->fault_at)
        *bits |= RR_STAT_BROKEN;
    return RR_OK;
}
static rr_status f_next_error(void *c, int *code, char *msg, size_t len)
{
    (void)c;
    *code = 311;
    snprintf(msg, len, "Sample broken");
    return RR_OK;
}
static rr_status f_set_strain(void *c, double e)
{
    fake *f = c;
    f->strain = e;
    f->next_sample = f->t + 0.5; /* first sample 0.5 s after the step */
    return RR_OK;
}
static rr_status f_t0(void *c, double *t) { *t = ((fake *)c)->t; return RR_OK; }
static rr_status f_rate(void *c, double r) { ((fake *)c)->rate = r; return RR_OK; }
static rr_status f_start(void *c)
{
    fake *f = c;
    f->acquiring = 1;
    f->n = 0;
    f->next_sample = f->t + 1 / f->rate;
    return RR_OK;
}
static rr_status f_stop(void *c) { ((fake *)c)->acquiring = 0; return RR_OK; }
static rr_status f_read(void *c, rr_sample *buf, size_t max, size_t *n)
{
    fake *f = c;
    size_t k = f->n < max ? f->n : max;
    memcpy(buf, f->buf, k * sizeof *buf);
    memmove(f->buf, f->buf + k, (f->n - k) * sizeof *buf);
    f->n -= k;
    *n = k;
    return RR_OK;
}
static rr_status f_temp(void *c, double *T) { (void)c; *T = 315; return RR_OK; }
static const char *f_last_error(void *c) { (void)c; return "link down"; }

static const rr_instrument_ops fake_ops = {
    .name = "fake",
    .get_limits = f_limits,
    .reset = f_reset,
    .now = f_now,
    .advance = f_advance,
    .get_status = f_status,
    .next_error = f_next_error,
    .set_strain = f_set_strain,
    .strain_t0 = f_t0,
    .read_temp = f_temp,
    .acq_set_rate = f_rate,
    .acq_start = f_start,
    .acq_stop = f_stop,
    .acq_read = f_read,
    .last_error = f_last_error,
};

static char tmpdir[] = "/tmp/relaxrun-unit.XXXXXX";

static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int c;
    if (!f)
        return 0;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static int file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return strstr(buf, needle) != NULL;
}

TEST(parse_number)
{
    double v = 0;
    CHECK(rr_parse_number("6e-3", &v) == RR_OK && v == 6e-3);
    CHECK(rr_parse_number(" 315 ", &v) == RR_OK && v == 315);
    CHECK(rr_parse_number("-0.5", &v) == RR_OK && v == -0.5);
    CHECK(rr_parse_number("nan", &v) != RR_OK);
    CHECK(rr_parse_number("inf", &v) != RR_OK);
    CHECK(rr_parse_number("0x10", &v) != RR_OK);
    CHECK(rr_parse_number("1e999", &v) != RR_OK);
    CHECK(rr_parse_number("", &v) != RR_OK);
    CHECK(rr_parse_number("3 K", &v) != RR_OK);
    CHECK(rr_parse_number("1.2.3", &v) != RR_OK);
}

TEST(yaml_errors_name_line)
{
    rr_yaml *y = NULL;
    char err[256] = "";
    const char *bad = "a: 1\nb: [1, 2\nc: 3\n";
    CHECK(rr_yaml_load_string(bad, strlen(bad), "bad.yaml", &y, err, sizeof err) == RR_ERR_PARSE);
    CHECK(y == NULL);
    CHECK(strncmp(err, "bad.yaml:", 9) == 0);
    const char *good = "tau_s: 12.5\nname: x\nlist: [1, 2]\nword: twelve\n";
    CHECK(rr_yaml_load_string(good, strlen(good), "good.yaml", &y, err, sizeof err) == RR_OK);
    double v = 0;
    yaml_node_t *root = rr_yaml_root(y);
    CHECK(rr_yaml_number(y, rr_yaml_get(y, root, "tau_s"), "tau_s", &v, err, sizeof err) == RR_OK);
    CHECK(v == 12.5);
    CHECK(rr_yaml_number(y, rr_yaml_get(y, root, "word"), "word", &v, err, sizeof err) != RR_OK);
    CHECK(strcmp(err, "good.yaml:4: key 'word': 'twelve' is not a number") == 0);
    CHECK(rr_yaml_item(y, rr_yaml_get(y, root, "list"), 1) != NULL);
    CHECK(rr_yaml_item(y, rr_yaml_get(y, root, "list"), 2) == NULL);
    rr_yaml_free(y);
    rr_yaml_free(NULL);
}

/* What rr_yaml_write_str writes loads back as the same string. */
static int yaml_roundtrip(const char *in, const char *want)
{
    char buf[512];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    if (!f)
        return 0;
    fputs("k: ", f);
    rr_yaml_write_str(f, in);
    fputc('\n', f);
    long len = ftell(f);
    fclose(f);
    rr_yaml *y = NULL;
    char err[256];
    if (rr_yaml_load_string(buf, (size_t)len, "rt", &y, err, sizeof err) != RR_OK) {
        fprintf(stderr, "roundtrip: %s\n", err);
        return 0;
    }
    const char *got = rr_yaml_str(rr_yaml_get(y, rr_yaml_root(y), "k"));
    int ok = got && strcmp(got, want) == 0;
    rr_yaml_free(y);
    return ok;
}

TEST(yaml_strings_round_trip)
{
    const char *same[] = {"plain", "quote \" and \\ back", "tab\tnew\nline", "del \x7f",
                          "nel \xc2\x85 here", "blank \xe2\x80\xa9 ps", "ls\xe2\x80\xa8",
                          "c1 \xc2\x9f", "nonchar \xef\xbf\xbe", "utf8 \xc3\xa9 \xe2\x82\xac"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        CHECK(yaml_roundtrip(same[i], same[i]));
    /* Bytes that are not UTF-8 come back as the code points U+00XX. */
    CHECK(yaml_roundtrip("bad \xff\xc0", "bad \xc3\xbf\xc3\x80"));
}

TEST(sha256_vectors)
{
    /* FIPS 180-4 examples. */
    struct { const char *in, *hex; } v[] = {
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"}};
    for (size_t i = 0; i < 3; i++) {
        char path[256], hex[65];
        snprintf(path, sizeof path, "%s/sha%zu", tmpdir, i);
        FILE *f = fopen(path, "w");
        fputs(v[i].in, f);
        fclose(f);
        CHECK(rr_sha256_file(path, hex) == RR_OK);
        CHECK(strcmp(hex, v[i].hex) == 0);
    }
}

/* The oracle of the recorder's fixed point: the same rounding (|v| 10^d +
 * 0.5, truncated) printed by printf's %llu, the point put in by hand; from
 * 9e15 on, where 64-bit fixed point ends, printf's %.*f. */
static void fixed_oracle(char *out, size_t len, double v, int decimals)
{
    double a = fabs(v) * pow(10, decimals);
    if (!(a < 9e15)) {
        snprintf(out, len, "%.*f", decimals, v);
        return;
    }
    unsigned long long q = (unsigned long long)(a + 0.5);
    char digits[40];
    int n = snprintf(digits, sizeof digits, "%0*llu", decimals + 1, q);
    snprintf(out, len, "%s%.*s%s%s", v < 0 && q ? "-" : "", n - decimals, digits,
             decimals ? "." : "", digits + n - decimals);
}

TEST(recorder_fixed_point_matches_its_oracle)
{
    char dir[256], path[512], err[256];
    snprintf(dir, sizeof dir, "%s/fixed", tmpdir);
    rr_recorder *r = NULL;
    CHECK(rr_recorder_open(dir, "x", &r, err, sizeof err) == RR_OK);
    if (!r)
        return;
    CHECK(rr_recorder_segment_begin(r, "fixed", "relaxation", 0, 0.006, 315) == RR_OK);
    enum { N = 20000 };
    static rr_sample x[N];
    unsigned long long z = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < N; i++) {
        double u[4];
        for (int k = 0; k < 4; k++) {
            z ^= z << 13;
            z ^= z >> 7;
            z ^= z << 17;
            /* magnitudes 1e-12 .. 1e8, both signs, and round values */
            double m = (double)(z >> 11) * 0x1.0p-53;
            u[k] = (z & 1 ? -1 : 1) * pow(10, -12 + 20 * m) * (z & 2 ? 1 : 0);
            if ((z & 12) == 12)
                u[k] = round(u[k] * 1e4) / 1e4;
        }
        x[i] = (rr_sample){.t_s = 1e3 * (double)i + fabs(u[0]), .temp_K = u[1],
                           .strain = u[2], .stress_MPa = u[3]};
    }
    CHECK(rr_recorder_samples(r, x, N) == RR_OK);
    CHECK(rr_recorder_segment_end(r) == RR_OK);
    snprintf(path, sizeof path, "%s/segments/001-fixed.csv", dir);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    char line[512];
    int rows = 0, bad = 0;
    if (f && fgets(line, sizeof line, f)) { /* the header */
        while (rows < N && fgets(line, sizeof line, f)) {
            const rr_sample *s = &x[rows++];
            char want[512], a[5][64];
            fixed_oracle(a[0], sizeof a[0], s->t_s, 6);
            fixed_oracle(a[1], sizeof a[1], s->t_s - 0, 6);
            fixed_oracle(a[2], sizeof a[2], s->temp_K, 4);
            fixed_oracle(a[3], sizeof a[3], s->strain, 10);
            fixed_oracle(a[4], sizeof a[4], s->stress_MPa, 7);
            snprintf(want, sizeof want, "%s,%s,%s,%s,%s\n", a[0], a[1], a[2], a[3], a[4]);
            if (strcmp(line, want) != 0 && bad++ < 3)
                printf("     got  %s     want %s", line, want);
        }
        fclose(f);
    }
    printf("     %d rows of fixed point, %d differ from the oracle\n", rows, bad);
    CHECK(rows == N);
    CHECK(bad == 0);
    rr_recorder_free(r);
}

TEST(recorder_writes_run_directory)
{
    char dir[256], path[512], err[256];
    snprintf(dir, sizeof dir, "%s/rec", tmpdir);
    rr_recorder *r = NULL;
    CHECK(rr_recorder_open(dir, "x", &r, err, sizeof err) == RR_OK);
    if (!r)
        return;
    snprintf(path, sizeof path, "%s/manifest.yaml", dir);
    CHECK(file_has(path, "status: \"running\""));
    CHECK(rr_recorder_segment_begin(r, "stage 1", "relaxation", 100, 0.006, 315) == RR_OK);
    rr_sample s[2] = {{100.5, 315, 0.006, 239.9}, {100.6, 315, 0.006, 239.8}};
    CHECK(rr_recorder_samples(r, s, 2) == RR_OK);
    /* Written as they arrive: on disk before the segment ends. */
    snprintf(path, sizeof path, "%s/segments/001-stage_1.csv", dir);
    CHECK(count_lines(path) == 3);
    CHECK(file_has(path, "100.500000,0.500000,315.0000,0.0060000000,239.9000000\n"));
    /* Fixed-point formatting: signs, rounding, a zero that is not negative. */
    rr_sample odd[3] = {{101.25, 295.00004, -0.006, -240.00000005},
                        {101.3, 1e20, 0, -0.00000004},
                        {101.35, 315, 1e-12, 0.99999996}};
    CHECK(rr_recorder_samples(r, odd, 3) == RR_OK);
    snprintf(path, sizeof path, "%s/segments/001-stage_1.csv", dir);
    CHECK(file_has(path, "101.250000,1.250000,295.0000,-0.0060000000,-240.0000001\n"));
    CHECK(file_has(path, "101.300000,1.300000,100000000000000000000.0000,0.0000000000,0.0000000\n"));
    CHECK(file_has(path, "101.350000,1.350000,315.0000,0.0000000000,1.0000000\n"));
    CHECK(rr_recorder_result_number(r, "tau_1", 21.5, "s", "with, a comma") == RR_OK);
    CHECK(rr_recorder_result_text(r, "verdict", "two-step", "shape") == RR_OK);
    CHECK(rr_recorder_finish(r, RR_END_INSTRUMENT_FAILURE, "link \"lost\"") == RR_OK);
    CHECK(rr_recorder_finish(r, RR_END_COMPLETE, NULL) == RR_OK); /* first end sticks */
    snprintf(path, sizeof path, "%s/manifest.yaml", dir);
    CHECK(file_has(path, "status: \"instrument_failure\""));
    CHECK(file_has(path, "message: \"link \\\"lost\\\"\""));
    CHECK(file_has(path, "samples: 5\n    complete: false")); /* cut short by the failure */
    snprintf(path, sizeof path, "%s/results.csv", dir);
    CHECK(file_has(path, "tau_1,21.5,s,\"with, a comma\"\n"));
    /* The manifest is valid YAML. */
    rr_yaml *y = NULL;
    snprintf(path, sizeof path, "%s/manifest.yaml", dir);
    CHECK(rr_yaml_load_file(path, &y, err, sizeof err) == RR_OK);
    rr_yaml_free(y);
    rr_recorder_free(r);
}

/* A run on the fake instrument; fail_at / fault_at in instrument s. */
static void run_fake(const char *name, double fail_at, double fault_at, rr_run *run,
                     fake *f, rr_recorder **rec, rr_status *st, rr_series **s)
{
    char dir[256], err[256];
    snprintf(dir, sizeof dir, "%s/%s", tmpdir, name);
    memset(f, 0, sizeof *f);
    f->rate = 10;
    f->fail_at = fail_at;
    f->fault_at = fault_at;
    static rr_instrument in;
    in = (rr_instrument){.ops = &fake_ops, .ctx = f, .virtual_time = true};
    CHECK(rr_recorder_open(dir, name, rec, err, sizeof err) == RR_OK);
    CHECK(rr_run_init(run, &in, *rec) == RR_OK);
    *st = rr_run_relaxation(run, 0.006, 100, 10, "step", s);
    rr_run_safe_state(run);
    rr_recorder_finish(*rec, run->failure == RR_END_RUNNING ? RR_END_COMPLETE : run->failure,
                       run->message);
}

TEST(run_records_a_relaxation)
{
    rr_run run;
    fake f;
    rr_recorder *rec = NULL;
    rr_series *s = NULL;
    rr_status st;
    run_fake("ok", 0, 0, &run, &f, &rec, &st, &s);
    CHECK(st == RR_OK);
    CHECK(s && s->n == 996); /* 0.5 .. 100 s at 10 Hz */
    if (s && s->n) {
        CHECK_ABS(s->t_s[0], 0.5, 1e-9);
        CHECK_ABS(s->stress_MPa[0], 240, 1e-9);
    }
    CHECK(f.resets == 2); /* at the start and at the end */
    rr_series_free(s);
    rr_run_release(&run);
    rr_recorder_free(rec);
}

TEST(pulled_plug_keeps_data_and_reaches_safe_state)
{
    rr_run run;
    fake f;
    rr_recorder *rec = NULL;
    rr_series *s = NULL;
    rr_status st;
    run_fake("plug", 40.05, 0, &run, &f, &rec, &st, &s);
    CHECK(st == RR_ERR_INSTRUMENT);
    CHECK(run.failure == RR_END_INSTRUMENT_FAILURE);
    CHECK(strstr(run.message, "link down") != NULL);
    CHECK(f.resets == 2);
    CHECK(f.strain == 0);
    /* Samples up to the moment the link went: 0.5 .. 40.0 s. */
    char path[512];
    snprintf(path, sizeof path, "%s/plug/segments/001-step.csv", tmpdir);
    CHECK(count_lines(path) == 1 + 396);
    snprintf(path, sizeof path, "%s/plug/manifest.yaml", tmpdir);
    CHECK(file_has(path, "status: \"instrument_failure\""));
    CHECK(file_has(path, "samples: 396"));
    rr_series_free(s);
    rr_run_release(&run);
    rr_recorder_free(rec);
}

TEST(status_fault_ends_run)
{
    rr_run run;
    fake f;
    rr_recorder *rec = NULL;
    rr_series *s = NULL;
    rr_status st;
    run_fake("fault", 0, 20, &run, &f, &rec, &st, &s);
    CHECK(st == RR_ERR_INSTRUMENT);
    CHECK(strstr(run.message, "sample broken") != NULL);
    CHECK(strstr(run.message, "Sample broken") != NULL);
    CHECK(f.strain == 0);
    rr_series_free(s);
    rr_run_release(&run);
    rr_recorder_free(rec);
}

TEST(abort_flag_stops_the_loop)
{
    rr_run run;
    fake f;
    rr_recorder *rec = NULL;
    rr_series *s = NULL;
    rr_status st;
    rr_abort_request(SIGINT);
    run_fake("abort", 0, 0, &run, &f, &rec, &st, &s);
    rr_abort_request(0);
    CHECK(st == RR_ERR_ABORTED);
    CHECK(run.failure == RR_END_ABORTED);
    CHECK(strcmp(run.message, "aborted by SIGINT") == 0);
    CHECK(f.strain == 0 && f.resets == 2);
    rr_series_free(s);
    rr_run_release(&run);
    rr_recorder_free(rec);
}

TEST(limits_refused_before_the_instrument)
{
    rr_run run;
    fake f;
    rr_recorder *rec = NULL;
    rr_series *s = NULL;
    rr_status st;
    run_fake("limits", 0, 0, &run, &f, &rec, &st, &s);
    rr_series_free(s);
    run.failure = RR_END_RUNNING;
    CHECK(rr_run_set_strain(&run, 0.05) == RR_ERR_LIMIT);
    CHECK(run.failure == RR_END_PROTOCOL_ERROR);
    CHECK(f.strain == 0);
    rr_run_release(&run);
    rr_recorder_free(rec);
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(parse_number);
    RUN(yaml_errors_name_line);
    RUN(yaml_strings_round_trip);
    RUN(sha256_vectors);
    RUN(recorder_writes_run_directory);
    RUN(recorder_fixed_point_matches_its_oracle);
    RUN(run_records_a_relaxation);
    RUN(pulled_plug_keeps_data_and_reaches_safe_state);
    RUN(status_fault_ends_run);
    RUN(abort_flag_stops_the_loop);
    RUN(limits_refused_before_the_instrument);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return rr_test_summary();
}
