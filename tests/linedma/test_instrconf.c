/* test_instrconf.c - the instrument config file: the shipped example, every
 * field, messages naming file, line and key, and the lab-within-device
 * limits rule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "linedma/instrconf.h"

static char path[256];

static rr_status load_text(const char *text, rr_instrconf **c, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return RR_ERR_IO;
    fputs(text, f);
    fclose(f);
    return rr_instrconf_load(path, c, err, errlen);
}

TEST(example)
{
    const char *src = getenv("RELAXRUN_SOURCE_DIR");
    char p[512];
    snprintf(p, sizeof p, "%s/drivers/linedma/lab-dma.example.yaml", src ? src : "../../..");
    rr_instrconf *c = NULL;
    char err[600] = "";
    CHECK(rr_instrconf_load(p, &c, err, sizeof err) == RR_OK);
    if (!c) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK(strcmp(c->connection, "serial:/dev/ttyUSB0:115200:none:1:none:8") == 0);
    CHECK(c->timeout_s == 2 && c->transcript);
    CHECK(c->limits.temp_max_K == 480 && c->limits.strain_max == 0.01);
    CHECK(isnan(c->limits.freq_min_Hz) && !(c->limits_set & RR_LIM_FREQ_MAX));
    CHECK(c->has_clamp && c->clamp == RR_CLAMP_TENSION);
    CHECK(c->has_geometry && c->geometry.thickness_mm == 1);
    rr_limits dev = {280, 600, 0.02, 20, 0.01, 100}, eff;
    CHECK(rr_limits_check_within(&c->limits, &dev, err, sizeof err) == RR_OK);
    rr_instrconf_effective_limits(c, &dev, &eff);
    CHECK(eff.temp_min_K == 290 && eff.temp_max_K == 480 && eff.freq_max_Hz == 100);
    rr_instrconf_free(c);
    rr_instrconf_free(NULL);
}

TEST(fields)
{
    rr_instrconf *c = NULL;
    char err[600];
    CHECK(load_text("connection: serial:/dev/ttyS0:9600\nserial: {parity: even, flow: rtscts}\n"
                    "transcript: off\n", &c, err, sizeof err) == RR_OK);
    if (c) {
        CHECK(strcmp(c->connection, "serial:/dev/ttyS0:9600:even:1:rtscts:8") == 0);
        CHECK(!c->transcript && c->timeout_s == 0 && c->limits_set == 0);
        rr_instrconf_free(c);
    }
    CHECK(load_text("connection: replay:run/transcript.log\nlimits: {temp_max_K: 400}\n", &c, err,
                    sizeof err) == RR_OK);
    if (c) {
        CHECK(strcmp(c->connection, "replay:run/transcript.log") == 0 && c->replay);
        rr_instrconf_free(c);
    }
    CHECK(load_text("connection: tcp:10.0.0.5\nsample: {clamp: SCANT}\n", &c, err, sizeof err) ==
          RR_OK);
    if (c) {
        CHECK(strcmp(c->connection, "tcp:10.0.0.5:5025") == 0 && c->clamp ==
              RR_CLAMP_SINGLE_CANTILEVER && !c->has_geometry);
        rr_instrconf_free(c);
    }
}

static void refused(const char *text, int line, const char *key)
{
    rr_instrconf *c = NULL;
    char err[600] = "", want[300];
    CHECK(load_text(text, &c, err, sizeof err) != RR_OK && c == NULL);
    snprintf(want, sizeof want, "%s:%d: key '%s'", path, line, key);
    if (!strstr(err, want)) {
        fprintf(stderr, "  got '%s', want '%s'\n", err, want);
        CHECK(strstr(err, want) != NULL);
    }
}

TEST(errors)
{
    refused("connection: tcp:h\nlimts: {}\n", 2, "limts");
    refused("connection: tcp:h\nlimits:\n  temp_max_K: hot\n", 3, "temp_max_K");
    refused("connection: tcp:h\nlimits:\n  strain_max: 0.01\n  strain: 1\n", 4, "strain");
    refused("connection: tcp:h\nlimits:\n  temp_min_K: 500\n  temp_max_K: 400\n", 3, "limits");
    refused("connection: usb:x\n", 1, "connection");
    refused("transcript: true\n", 1, "connection");
    refused("connection: serial:/dev/x\nserial:\n  parity: maybe\n", 3, "serial.parity");
    refused("connection: serial:/dev/x\nserial:\n  baud: 9600.5\n", 3, "serial.baud");
    refused("connection: tcp:h\nserial: {baud: 9600}\n", 2, "serial");
    refused("connection: tcp:h\ntimeouts: {answer_s: 0}\n", 2, "timeouts.answer_s");
    refused("connection: tcp:h\ntimeouts: {answer_s: 0.001}\n", 2, "timeouts.answer_s");
    refused("connection: tcp:h\ntimeouts: {answer_s: 0.01}\n", 2, "timeouts.answer_s");
    refused("connection: tcp:h\ntimeouts: {answer_s: 601}\n", 2, "timeouts.answer_s");
    refused("connection: tcp:h\nsample: {length_mm: 20}\n", 2, "sample");
    refused("connection: tcp:h\nsample: {clamp: glue}\n", 2, "sample.clamp");
    refused("connection: tcp:h\nsample:\n  width_mm: -5\n", 3, "width_mm");
    rr_instrconf *c = NULL;
    char err[600];
    CHECK(rr_instrconf_load("/nonexistent.yaml", &c, err, sizeof err) != RR_OK &&
          strstr(err, "/nonexistent.yaml"));
}

/* The answer timeout may not be shorter than a conforming device may take:
 * 200 ms, plus the command's time on the wire at the port's speed. */
TEST(answer_floor)
{
    rr_instrconf *c = NULL;
    char err[600] = "";
    CHECK(load_text("connection: tcp:h\ntimeouts:\n  answer_s: 0.1\n", &c, err, sizeof err) ==
          RR_ERR_PARSE && !c);
    printf("     %s\n", err);
    CHECK(strstr(err, ":3: key 'timeouts.answer_s'") && strstr(err, "200 ms") &&
          strstr(err, "at least 0.25 s"));
    CHECK(load_text("connection: tcp:h\ntimeouts: {answer_s: 0.25}\n", &c, err, sizeof err) ==
          RR_OK && c && c->timeout_s == 0.25);
    rr_instrconf_free(c);
    /* 9600 baud: 257 bytes take 0.27 s more; the serial section may come
     * after the timeout, and its speed counts */
    c = NULL;
    CHECK(load_text("connection: serial:/dev/x\ntimeouts: {answer_s: 0.4}\nserial: {baud: 9600}\n",
                    &c, err, sizeof err) == RR_ERR_PARSE && !c);
    printf("     %s\n", err);
    CHECK(strstr(err, ":2: key 'timeouts.answer_s'") && strstr(err, "9600 baud") &&
          strstr(err, "at least 0.52 s"));
    CHECK(load_text("connection: serial:/dev/x:9600\ntimeouts: {answer_s: 0.6}\n", &c, err,
                    sizeof err) == RR_OK && c);
    rr_instrconf_free(c);
    rr_conn tcp = {.kind = RR_CONN_TCP};
    CHECK_ABS(rr_conn_answer_min_s(&tcp), 0.25, 1e-12);
}

TEST(limits_within)
{
    rr_limits dev = {280, 600, 0.02, 20, 0.01, 100};
    rr_limits lab = {NAN, NAN, NAN, NAN, NAN, NAN};
    char err[300];
    CHECK(rr_limits_check_within(&lab, &dev, err, sizeof err) == RR_OK);
    CHECK(rr_limits_check_within(&dev, &dev, err, sizeof err) == RR_OK);
    lab.temp_max_K = 650;
    CHECK(rr_limits_check_within(&lab, &dev, err, sizeof err) == RR_ERR_LIMIT);
    CHECK(strstr(err, "temp_max_K = 650 K") && strstr(err, "600 K"));
    lab.temp_max_K = NAN;
    lab.temp_min_K = 270;
    CHECK(rr_limits_check_within(&lab, &dev, err, sizeof err) == RR_ERR_LIMIT);
    lab.temp_min_K = NAN;
    lab.strain_max = 0.03;
    CHECK(rr_limits_check_within(&lab, &dev, err, sizeof err) == RR_ERR_LIMIT &&
          strstr(err, "strain_max"));
    lab.strain_max = NAN;
    lab.freq_min_Hz = 0.001;
    CHECK(rr_limits_check_within(&lab, &dev, err, sizeof err) == RR_ERR_LIMIT);
    lab.freq_min_Hz = NAN;
    lab.rate_max_K_per_min = 25;
    CHECK(rr_limits_check_within(&lab, &dev, err, sizeof err) == RR_ERR_LIMIT &&
          strstr(err, "K/min"));
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/rr-instrconf-%ld.yaml", (long)getpid());
    RUN(example);
    RUN(fields);
    RUN(errors);
    RUN(answer_floor);
    RUN(limits_within);
    unlink(path);
    return rr_test_summary();
}
