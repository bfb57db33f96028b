/* test_emulator.c - the emulator as a protocol v1.1 device, command by
 * command (no sockets): framing, error precedence, state rules, *RST,
 * status bits, the 20000-sample buffer with overflow and the 350 entry,
 * and the heater-fault lock.  Backed by the test fake (fakedev.c). */
#include <stdlib.h>
#include <string.h>

#include "fakedev.h"
#include "harness.h"
#include "linedma/emulator.h"
#include "linedma/lineproto.h"
#include "linedma/transport.h"

static rr_instrument *last_fake; /* borrowed: owned by the emulator */

static rr_emu *emu_new_o(const rr_emu_options *o)
{
    rr_instrument *f = NULL;
    rr_emu *e = NULL;
    if (fakedev_open(&f) != RR_OK)
        return NULL;
    last_fake = f;
    if (rr_emu_new(f, o, &e, NULL, 0) != RR_OK)
        return NULL;
    return e;
}

static rr_emu *emu_new(double speed)
{
    rr_emu_options o = {.speed = speed};
    return emu_new_o(&o);
}

/* The answer without its '\n', or "<none>". */
static const char *ask(rr_emu *e, const char *line)
{
    static char buf[1 << 20];
    const char *a;
    size_t n;
    double delay;
    if (rr_emu_handle(e, line, strlen(line), &a, &n, &delay) != RR_EMU_REPLY)
        return "<none>";
    if (n == 0 || a[n - 1] != '\n')
        return "<no newline>";
    memcpy(buf, a, n - 1);
    buf[n - 1] = '\0';
    return buf;
}

#define ASK(e, cmd, want) CHECK(strcmp(ask(e, cmd), want) == 0)
#define ASKERR(e, cmd, code) CHECK(strncmp(ask(e, cmd), "ERR " #code ",", strlen("ERR " #code ",")) == 0)

TEST(framing_and_errors)
{
    rr_emu *e = emu_new(1);
    CHECK(e != NULL);
    if (!e)
        return;
    ASK(e, "*IDN?", "FAKE,DMA-0,SN1,0.1");
    ASK(e, "*idn?", "FAKE,DMA-0,SN1,0.1");
    ASK(e, "", "<none>");
    ASK(e, "   \t", "<none>");
    ASK(e, "FOO", "ERR -113,\"Undefined header\"");
    ASKERR(e, "OSC:FREQ?", -113);
    ASKERR(e, "ACQ:RATE?", -113);
    ASKERR(e, "TEMP:SET", -109);
    ASKERR(e, "TEMP:SET 300,1", -108);
    ASKERR(e, "TEMP:SET nan", -102);
    ASKERR(e, "TEMP:SET 0x10", -102);
    ASKERR(e, "TEMP:SET 1000", -222);
    ASK(e, "TEMP:SET 315", "OK");
    ASK(e, "temp:set?", "315");
    ASKERR(e, "CONF:MODE FOO", -224);
    ASK(e, "conf:mode scant", "OK");
    ASK(e, "CONF:MODE?", "SCANT");
    ASKERR(e, "CONF:GEOM 0,5,1", -222);
    ASK(e, "CONF:GEOM 20,5,1", "OK");
    ASK(e, "CONF:GEOM?", "20,5,1");
    ASKERR(e, "ACQ:RATE 0.05", -222);
    ASKERR(e, "ACQ:RATE 101", -222);
    ASK(e, "ACQ:RATE 0.1", "OK");
    ASKERR(e, "OSC:AMPL 0", -222);
    ASKERR(e, "TEMP:RATE 0", -222);
    ASKERR(e, "TEMP:RATE 21", -222);
    ASKERR(e, "OSC:FREQ 1000", -222);
    ASKERR(e, "STRN:SET 0.03", -222);
    ASKERR(e, "STRN:SET 1e400", -222); /* a valid decimal, out of range */
    ASKERR(e, "STRN:SET -1e400", -222);
    ASKERR(e, "STRN:SET 1e400x", -102);
    ASK(e, "STRN:SET -0.006", "OK");
    ASK(e, "STRN:SET 0.006", "OK");
    /* state conflicts lose against errors about the line itself */
    ASKERR(e, "CONF:MODE TENS", -221);
    ASKERR(e, "CONF:MODE FOO", -224);
    ASKERR(e, "CONF:GEOM 1,1", -109);
    ASKERR(e, "CONF:GEOM 0,1,1", -222);
    ASKERR(e, "CONF:GEOM 10,1,1", -221);
    /* amplitude: accepted while off, checked at OSC:ON */
    ASK(e, "OSC:AMPL 0.019", "OK");
    ASKERR(e, "OSC:ON", -222);
    ASK(e, "OSC:AMPL 0.001", "OK");
    ASKERR(e, "OSC:MEAS?", -230);
    ASK(e, "OSC:ON", "OK");
    ASKERR(e, "OSC:MEAS?", -230); /* fewer than 3 cycles */
    ASKERR(e, "OSC:AMPL 0.015", -222);
    ASKERR(e, "STRN:SET 0.0195", -222);
    ASK(e, "STRN:SET 0", "OK");
    ASKERR(e, "CONF:MODE TENS", -221); /* oscillating */
    ASK(e, "OSC:OFF", "OK");
    ASK(e, "CONF:MODE TENS", "OK");
    char longl[300];
    memset(longl, 'A', 257);
    longl[257] = '\0';
    ASKERR(e, longl, -100);
    ASKERR(e, "ACQ:DATA? 2.5", -102);
    ASKERR(e, "ACQ:DATA? -1", -222);
    ASK(e, "ACQ:DATA? 0", "0");
    ASK(e, "SYST:ERR?", "0,\"No error\"");
    ASK(e, "SYST:LIM?", "280,600,0.02,20,0.01,100");
    rr_emu_free(e);
}

static double num(const char *s) { return strtod(s, NULL); }

TEST(reset_and_clock)
{
    rr_emu *e = emu_new(50); /* 50 device s per wall s */
    if (!e)
        return;
    ASK(e, "CONF:MODE COMP", "OK");
    ASK(e, "TEMP:SET 320", "OK");
    ASK(e, "ACQ:RATE 10", "OK");
    ASK(e, "ACQ:START", "OK");
    ASK(e, "STRN:SET 0.006", "OK");
    rr_sleep_s(0.1);
    double t = num(ask(e, "SYST:TIME?"));
    CHECK(t > 4 && t < 20);
    double t0 = num(ask(e, "STRN:T0?"));
    CHECK(t0 > 0 && t0 < t);
    CHECK((atoi(ask(e, "STAT?")) & 4) != 0);
    /* samples: 10 Hz on the device clock, strain and stress of the fake */
    const char *d = ask(e, "ACQ:DATA? 5");
    CHECK(strncmp(d, "5;", 2) == 0);
    rr_sample s[5];
    rr_lp_response r;
    CHECK(rr_lp_parse_response(d, strlen(d), RR_LP_EXPECT_SAMPLES, 0, s, 5, &r) == RR_OK);
    CHECK_REL(s[1].t_s - s[0].t_s, 0.1, 1e-6);
    ASK(e, "*RST", "OK");
    double t2 = num(ask(e, "SYST:TIME?"));
    CHECK(t2 >= 0 && t2 < 2); /* the clock restarted */
    ASK(e, "STRN:T0?", "0.000000");
    CHECK((atoi(ask(e, "STAT?")) & (4 | 8 | 128)) == 0);
    ASK(e, "ACQ:DATA?", "0");
    ASK(e, "STRN?", "0");
    ASK(e, "CONF:MODE?", "COMP"); /* settings kept */
    ASK(e, "TEMP:SET?", "320");
    rr_emu_free(e);
}

TEST(overflow)
{
    rr_emu *e = emu_new(1000);
    if (!e)
        return;
    ASK(e, "ACQ:RATE 100", "OK");
    ASK(e, "ACQ:START", "OK");
    rr_sleep_s(0.25); /* >= 250 device s: >= 25000 samples into a 20000 buffer */
    ASK(e, "ACQ:STOP", "OK"); /* no more samples, so no more losses */
    double t = num(ask(e, "SYST:TIME?"));
    unsigned bits = (unsigned)atoi(ask(e, "STAT?"));
    CHECK(bits & 128);
    const char *q = ask(e, "SYST:ERR?");
    unsigned long lost = 0;
    CHECK(sscanf(q, "350,\"Sample buffer overflow; %lu samples lost\"", &lost) == 1);
    long expect = (long)(t * 100) - 20000;
    CHECK(lost > 0 && labs((long)lost - expect) < 5000);
    ASK(e, "SYST:ERR?", "0,\"No error\"");
    /* the buffer holds exactly 20000; the oldest were dropped */
    size_t total = 0;
    double first = -1;
    for (int i = 0; i < 25; i++) {
        const char *d = ask(e, "ACQ:DATA? 1000");
        unsigned long k = strtoul(d, NULL, 10);
        if (i == 0)
            first = strtod(strchr(d, ';') + 1, NULL);
        total += k;
        if (k < 1000)
            break;
    }
    CHECK(total >= 20000);
    CHECK(first > 1.0); /* early samples are gone */
    CHECK((atoi(ask(e, "STAT?")) & 128) == 0); /* cleared by ACQ:DATA? */
    rr_emu_free(e);
}

TEST(initial_settings)
{
    /* before a host sets them: the served instrument's (options), kept
     * within SYST:LIM? (the fake: 280-600 K, 20 K/min at most) */
    rr_emu_options o = {.speed = 1, .temp_set_K = 300, .temp_rate_K_per_min = 7};
    rr_emu *e = emu_new_o(&o);
    if (!e)
        return;
    ASK(e, "TEMP:SET?", "300");
    ASK(e, "TEMP:RATE?", "7");
    rr_emu_free(e);
    e = emu_new(1); /* the defaults: the simulator's ambient and rate */
    if (!e)
        return;
    ASK(e, "TEMP:SET?", "295");
    ASK(e, "TEMP:RATE?", "10");
    rr_emu_free(e);
    o = (rr_emu_options){.temp_set_K = 100, .temp_rate_K_per_min = 50};
    if (!(e = emu_new_o(&o)))
        return;
    ASK(e, "TEMP:SET?", "280"); /* an answer TEMP:SET would take */
    ASK(e, "TEMP:RATE?", "20");
    rr_emu_free(e);
}

TEST(unsupported_setting)
{
    rr_emu *e = emu_new(1);
    if (!e)
        return;
    RR_CALL(last_fake, sim_set, "fake.unsupported", 1.0);
    ASK(e, "CONF:MODE SCANT", "OK");
    ASKERR(e, "CONF:MODE DCANT", -224); /* a clamp it does not have */
    ASKERR(e, "OSC:FREQ 1", -222);      /* a value it cannot take */
    ASK(e, "CONF:MODE?", "SCANT");
    rr_emu_free(e);
}

TEST(aimed_faults)
{
    rr_emu *e = emu_new(1);
    if (!e)
        return;
    char err[300];
    CHECK(rr_emu_add_fault(e, "garbage/STAT?", err, sizeof err) == RR_OK);
    CHECK(rr_emu_add_fault(e, "late/acq:data?@0", err, sizeof err) == RR_OK);
    CHECK(rr_emu_add_fault(e, "garbage/FOO?", err, sizeof err) == RR_ERR_ARG);
    CHECK(strstr(err, "KIND[/HEADER]") != NULL);
    CHECK(rr_emu_add_fault(e, "overload/STAT?", err, sizeof err) == RR_ERR_ARG);
    CHECK(rr_emu_add_fault(e, "garbage/", err, sizeof err) == RR_ERR_ARG);
    ASK(e, "*IDN?", "FAKE,DMA-0,SN1,0.1"); /* not aimed at */
    CHECK(strncmp(ask(e, "STAT?"), "\x01", 1) == 0);
    CHECK(atoi(ask(e, "STAT?")) >= 0); /* once */
    const char *a;
    size_t n;
    double delay = 0;
    CHECK(rr_emu_handle(e, "ACQ:DATA?", 9, &a, &n, &delay) == RR_EMU_REPLY && delay == 3.0);
    CHECK(rr_emu_handle(e, "ACQ:DATA?", 9, &a, &n, &delay) == RR_EMU_REPLY && delay == 0);
    rr_emu_free(e);
}

TEST(heater_fault_locks)
{
    rr_emu *e = emu_new(1);
    if (!e)
        return;
    char err[200];
    CHECK(rr_emu_add_fault(e, "heater@0", err, sizeof err) == RR_OK);
    CHECK(rr_emu_add_fault(e, "bogus", err, sizeof err) == RR_ERR_ARG);
    rr_emu_tick(e);
    ASKERR(e, "STAT?", 320);
    ASKERR(e, "*RST", 320);
    ASKERR(e, "*IDN?", 320);
    ASKERR(e, "FOO", -113); /* not a command at all */
    rr_emu_free(e);
}

TEST(line_faults)
{
    rr_emu *e = emu_new(1);
    if (!e)
        return;
    rr_emu_add_fault(e, "err", NULL, 0);
    rr_emu_add_fault(e, "garbage@0", NULL, 0);
    ask(e, "*IDN?"); /* garbage */
    ASK(e, "*IDN?", "FAKE,DMA-0,SN1,0.1");
    ASKERR(e, "TEMP:SET 300", -100); /* err: the next set command */
    ASK(e, "TEMP:SET 300", "OK");
    rr_emu_add_fault(e, "silence@0", NULL, 0);
    ASK(e, "*IDN?", "<none>");
    rr_emu_free(e);
}

TEST(error_queue_of_16)
{
    rr_emu *e = emu_new(2000);
    if (!e)
        return;
    /* 20 asynchronous faults: the queue keeps the first 16, drops the rest */
    RR_CALL(last_fake, sim_set, "fake.queue_errors", 20.0);
    rr_emu_tick(e);
    /* a full queue has no room for a 350 entry either */
    ASK(e, "ACQ:RATE 100", "OK");
    ASK(e, "ACQ:START", "OK");
    rr_sleep_s(0.15); /* 300 device s at 100 Hz: overflow */
    ASK(e, "ACQ:STOP", "OK");
    CHECK(atoi(ask(e, "STAT?")) & 128);
    int n301 = 0;
    for (int i = 0; i < 16; i++)
        n301 += strcmp(ask(e, "SYST:ERR?"), "301,\"Temperature limit\"") == 0;
    CHECK(n301 == 16);
    ASK(e, "SYST:ERR?", "0,\"No error\"");
    /* *RST keeps the queue: a new entry survives it */
    RR_CALL(last_fake, sim_set, "fake.queue_errors", 1.0);
    rr_emu_tick(e);
    ASK(e, "*RST", "OK");
    ASK(e, "SYST:ERR?", "301,\"Temperature limit\"");
    /* one 350 entry counts every loss until it is read */
    ASK(e, "ACQ:START", "OK");
    rr_sleep_s(0.15);
    ask(e, "STAT?");
    rr_sleep_s(0.05);
    ASK(e, "ACQ:STOP", "OK");
    unsigned long lost = 0;
    CHECK(sscanf(ask(e, "SYST:ERR?"), "350,\"Sample buffer overflow; %lu samples lost\"",
                 &lost) == 1 && lost > 10000);
    ASK(e, "SYST:ERR?", "0,\"No error\"");
    rr_emu_free(e);
}

int main(void)
{
    RUN(framing_and_errors);
    RUN(reset_and_clock);
    RUN(overflow);
    RUN(initial_settings);
    RUN(unsupported_setting);
    RUN(aimed_faults);
    RUN(heater_fault_locks);
    RUN(line_faults);
    RUN(error_queue_of_16);
    return rr_test_summary();
}
