/* test_lineproto.c - the pure protocol parsers: numbers, responses, commands
 * and the v1.1 error precedence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "linedma/lineproto.h"
#include "linedma/transcript.h"

static int cmd(const char *s)
{
    rr_lp_command c;
    return rr_lp_parse_command(s, strlen(s), &c);
}

static rr_status resp(const char *s, rr_lp_expect ex, size_t nv, rr_lp_response *r)
{
    static rr_sample buf[8];
    return rr_lp_parse_response(s, strlen(s), ex, nv, buf, 8, r);
}

TEST(numbers)
{
    double v;
    CHECK(rr_lp_number("6e-3", 4, &v) && v == 6e-3);
    CHECK(rr_lp_number(" -0.5 ", 6, &v) && v == -0.5);
    CHECK(rr_lp_number(".5", 2, &v) && v == 0.5);
    CHECK(rr_lp_number("5.", 2, &v) && v == 5.0);
    CHECK(!rr_lp_number("nan", 3, &v));
    CHECK(!rr_lp_number("inf", 3, &v));
    CHECK(!rr_lp_number("0x10", 4, &v));
    CHECK(!rr_lp_number("1e", 2, &v));
    CHECK(!rr_lp_number("", 0, &v));
    CHECK(!rr_lp_number("1,5", 3, &v));
    CHECK(!rr_lp_number("1e999", 5, &v));
    CHECK(!rr_lp_number(".", 1, &v));
    /* a valid decimal beyond a double is told apart from a non-number */
    CHECK(rr_lp_scan_number("1e400", 5, &v) == RR_LP_NUM_RANGE && v > 0);
    CHECK(rr_lp_scan_number("-1e400", 6, &v) == RR_LP_NUM_RANGE && v < 0);
    CHECK(rr_lp_scan_number("1e-400", 6, &v) == RR_LP_NUM_OK && v == 0);
    CHECK(rr_lp_scan_number("inf", 3, &v) == RR_LP_NUM_SYNTAX);
    CHECK(rr_lp_scan_number("0.25", 4, &v) == RR_LP_NUM_OK && v == 0.25);
}

TEST(responses)
{
    rr_lp_response r;
    CHECK(resp("OK", RR_LP_EXPECT_OK, 0, &r) == RR_OK && r.kind == RR_LP_OK);
    CHECK(resp("OK\r", RR_LP_EXPECT_OK, 0, &r) == RR_OK);
    CHECK(resp("ok", RR_LP_EXPECT_OK, 0, &r) == RR_ERR_PARSE);
    CHECK(resp("OKAY", RR_LP_EXPECT_OK, 0, &r) == RR_ERR_PARSE);
    CHECK(resp("ERR -222,\"Data out of range\"", RR_LP_EXPECT_OK, 0, &r) == RR_OK &&
          r.kind == RR_LP_ERR && r.err_code == -222 && strcmp(r.text, "Data out of range") == 0);
    CHECK(resp("ERR -222,Data", RR_LP_EXPECT_OK, 0, &r) == RR_ERR_PARSE);
    CHECK(resp("ERR 0,\"x\"", RR_LP_EXPECT_OK, 0, &r) == RR_ERR_PARSE);
    CHECK(resp("280,600,0.02,20,0.01,100", RR_LP_EXPECT_NUMBERS, 6, &r) == RR_OK &&
          r.values[2] == 0.02 && r.values[5] == 100);
    CHECK(resp("280,600,0.02,20,0.01", RR_LP_EXPECT_NUMBERS, 6, &r) == RR_ERR_PARSE);
    CHECK(resp("280,600,0.02,20,0.01,100,1", RR_LP_EXPECT_NUMBERS, 6, &r) == RR_ERR_PARSE);
    CHECK(resp("315.2", RR_LP_EXPECT_NUMBERS, 1, &r) == RR_OK && r.values[0] == 315.2);
    CHECK(resp("", RR_LP_EXPECT_NUMBERS, 1, &r) == RR_ERR_PARSE);
    CHECK(resp("0,\"No error\"", RR_LP_EXPECT_ERRQ, 0, &r) == RR_OK && r.err_code == 0);
    CHECK(resp("350,\"Sample buffer overflow; 12 samples lost\"", RR_LP_EXPECT_ERRQ, 0, &r) ==
              RR_OK && r.err_code == 350);
    CHECK(resp("ACME,DMA-850S,SN0042,1.3.0", RR_LP_EXPECT_TEXT, 0, &r) == RR_OK &&
          strcmp(r.text, "ACME,DMA-850S,SN0042,1.3.0") == 0);
    CHECK(resp("\x01\x02", RR_LP_EXPECT_TEXT, 0, &r) == RR_ERR_PARSE);
    /* the protocol sets no length: a long *IDN? is taken, cut for display */
    char idn[600];
    memset(idn, 'x', sizeof idn - 1);
    idn[sizeof idn - 1] = '\0';
    memcpy(idn, "ACME,DMA,SN1,", 13);
    CHECK(resp(idn, RR_LP_EXPECT_TEXT, 0, &r) == RR_OK && strlen(r.text) == sizeof r.text - 1 &&
          strncmp(r.text, "ACME,DMA,SN1,xx", 15) == 0 &&
          strcmp(r.text + sizeof r.text - 4, "...") == 0);
    idn[300] = '\x01';
    CHECK(resp(idn, RR_LP_EXPECT_TEXT, 0, &r) == RR_ERR_PARSE); /* all of it is checked */
}

TEST(samples)
{
    rr_lp_response r;
    rr_sample s[4];
    const char *ex = "3;1812.000,315.01,0.006000,487.10;1812.100,315.01,0.006000,486.92;"
                     "1812.200,315.00,0.006000,486.81";
    CHECK(rr_lp_parse_response(ex, strlen(ex), RR_LP_EXPECT_SAMPLES, 0, s, 4, &r) == RR_OK);
    CHECK(r.nsamples == 3);
    CHECK_REL(s[2].t_s, 1812.2, 1e-12);
    CHECK_REL(s[0].stress_MPa, 487.10, 1e-12);
    CHECK(rr_lp_parse_response(ex, strlen(ex), RR_LP_EXPECT_SAMPLES, 0, s, 2, &r) ==
          RR_ERR_PARSE); /* more than asked */
    CHECK(rr_lp_parse_response("0", 1, RR_LP_EXPECT_SAMPLES, 0, s, 4, &r) == RR_OK &&
          r.nsamples == 0);
    const char *bad[] = {"2;1,2,3,4", "1;1,2,3", "1;1,2,3,4;", "-1", "1.5;1,2,3,4",
                         "1;1,2,3,4,5", "x", "1;1,2,nan,4", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(rr_lp_parse_response(bad[i], strlen(bad[i]), RR_LP_EXPECT_SAMPLES, 0, s, 4,
                                   &r) == RR_ERR_PARSE);
}

TEST(commands)
{
    rr_lp_command c;
    CHECK(rr_lp_parse_command("strn:set 6e-3", 13, &c) == RR_LP_CMD_VALID &&
          c.id == RR_LP_CMD_STRN_SET && c.args[0] == 6e-3);
    CHECK(rr_lp_parse_command("CONF:GEOM 20, 5 ,1\r", 19, &c) == RR_LP_CMD_VALID &&
          c.args[1] == 5);
    CHECK(rr_lp_parse_command("conf:mode scant", 15, &c) == RR_LP_CMD_VALID &&
          c.mode == RR_CLAMP_SINGLE_CANTILEVER);
    CHECK(cmd("") == RR_LP_CMD_EMPTY);
    CHECK(cmd(" \t ") == RR_LP_CMD_EMPTY);
    CHECK(cmd("FOO") == -113);
    CHECK(cmd("OSC:FREQ?") == -113);
    CHECK(cmd("OSC:AMPL?") == -113);
    CHECK(cmd("ACQ:RATE?") == -113);
    CHECK(cmd("TEMP:SET") == -109);
    CHECK(cmd("CONF:GEOM 1,2") == -109);
    CHECK(cmd("CONF:GEOM 1,,2") == -109);
    CHECK(cmd("TEMP:SET 1,2") == -108);
    CHECK(cmd("*IDN? 1") == -108);
    CHECK(cmd("TEMP:SET nan") == -102);
    CHECK(cmd("TEMP:SET inf") == -102);
    CHECK(cmd("TEMP:SET 0x10") == -102);
    CHECK(cmd("CONF:MODE FOO") == -224);
    CHECK(cmd("CONF:MODE 1") == -224);
    CHECK(cmd("ACQ:DATA? 2.5") == -102);
    CHECK(cmd("ACQ:DATA? -1") == -222);
    CHECK(cmd("ACQ:DATA? -1.5") == -102);
    /* a valid decimal out of range is -222, not a syntax error */
    CHECK(cmd("STRN:SET 1e400") == -222);
    CHECK(cmd("TEMP:SET -1e400") == -222);
    CHECK(cmd("CONF:GEOM 1e400,1,1") == -222);
    CHECK(cmd("CONF:GEOM 1e400,x,1") == -102); /* the line's own error first */
    CHECK(cmd("ACQ:DATA? -1e400") == -222);
    CHECK(rr_lp_parse_command("ACQ:DATA? 1e400", 15, &c) == RR_LP_CMD_VALID && c.n == 4000000000UL);
    CHECK(rr_lp_parse_command("ACQ:DATA? 1e3", 13, &c) == RR_LP_CMD_VALID && c.n == 1000);
    CHECK(rr_lp_parse_command("ACQ:DATA?", 9, &c) == RR_LP_CMD_VALID && c.n == 1000 &&
          !c.has_n);
    char longl[300];
    memset(longl, 'A', sizeof longl);
    CHECK(rr_lp_parse_command(longl, 257, &c) == -100);
    CHECK(rr_lp_parse_command(longl, 256, &c) == -113);
    memcpy(longl, "TEMP:SET 3", 10);
    memset(longl + 10, '0', 246);
    CHECK(rr_lp_parse_command(longl, 256, &c) == RR_LP_CMD_VALID && c.args[0] > 1e245);
}

TEST(transcript_roundtrip)
{
    char path[] = "/tmp/rr-transcript-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    rr_transcript *t = NULL;
    CHECK(rr_transcript_open(path, "tcp:h:1", &t, NULL, 0) == RR_OK);
    const char garbage[] = "\x01\x7f#@!~\\ 3;;\r\n\xff end";
    rr_transcript_record(t, '>', "*IDN?", 5);
    rr_transcript_record(t, '<', garbage, sizeof garbage - 1);
    rr_transcript_record(t, '!', "timeout", 7);
    rr_transcript_record(t, '>', "", 0);
    rr_transcript_close(t);
    rr_transcript_close(NULL);
    FILE *f = fopen(path, "r");
    char line[512], buf[256];
    rr_transcript_rec rec;
    int n = 0, comments = 0;
    while (f && fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\n");
        rr_status st = rr_transcript_parse(line, len, &rec, buf, sizeof buf);
        if (st == RR_ERR_NOT_FOUND) {
            comments++;
            continue;
        }
        CHECK(st == RR_OK && rec.t_s >= 0);
        if (n == 0)
            CHECK(rec.dir == '>' && strcmp(buf, "*IDN?") == 0);
        if (n == 1)
            CHECK(rec.dir == '<' && rec.len == sizeof garbage - 1 &&
                  memcmp(buf, garbage, rec.len) == 0);
        if (n == 2)
            CHECK(rec.dir == '!' && strcmp(buf, "timeout") == 0);
        if (n == 3)
            CHECK(rec.dir == '>' && rec.len == 0);
        n++;
    }
    if (f)
        fclose(f);
    CHECK(n == 4 && comments == 3);
    CHECK(rr_transcript_parse("x > y", 5, &rec, buf, sizeof buf) == RR_ERR_PARSE);
    CHECK(rr_transcript_parse("1.0 ? y", 7, &rec, buf, sizeof buf) == RR_ERR_PARSE);
    CHECK(rr_transcript_parse("1.0 < a\\q", 10, &rec, buf, sizeof buf) == RR_ERR_PARSE);
    unlink(path);
}

int main(void)
{
    RUN(numbers);
    RUN(responses);
    RUN(samples);
    RUN(commands);
    RUN(transcript_roundtrip);
    return rr_test_summary();
}
