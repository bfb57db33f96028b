/* test_pty.c - the driver through libserialport itself, on a pseudo-terminal
 * served by the emulator (backed by the test fake): the vtable walk, a busy
 * port, a disconnection (the pty vanishes; reset reaches the safe state on
 * the new one), and the port listing.  Runs with the test-only ptyshim
 * preloaded; the port name /dev/../../../..<link> resolves to the emulator's
 * symlink, which gets libserialport 0.1.1 past its /sys/class/tty lookup. */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emuthread.h"
#include "fakedev.h"
#include "harness.h"
#include "linedma/lineproto.h"
#include "linedma/transport.h"
#include "walk.h"

#define TIMEOUT_S 0.5

static char tmpdir[256], link_path[512], spec[700];
static walk_result w;

static char log_path[512];

static int start_opts(emuthread *t, rr_emu_options *o, const char *const *faults)
{
    rr_instrument *f = NULL;
    snprintf(log_path, sizeof log_path, "%s/emu.log", tmpdir);
    o->log_path = log_path;
    if (fakedev_open(&f) != RR_OK)
        return -1;
    if (emuthread_start_opts(t, f, o, faults, link_path) != 0)
        return -1;
    snprintf(spec, sizeof spec, "serial:/dev/../../../..%s:115200:none:1:none", link_path);
    return 0;
}

static int start(emuthread *t, double speed, const char *const *faults)
{
    rr_emu_options o = {.speed = speed};
    return start_opts(t, &o, faults);
}

/* Leaves "STRN:SET 0.01" without its line end in the device's input, as a
 * program that died half-way through "STRN:SET 0.012" would, after a
 * "*IDN?" whose answer nobody reads: once the emulator has logged the
 * *IDN?, it has read both.  The line "#" relaxrun sends on connect ends the
 * stray line, which the device then refuses ("STRN:SET 0.01#": -102) where
 * an empty line would have made it a strain step: one ERR answer. */
static void stray_bytes(const emuthread *t)
{
    const char *bytes = "*IDN?\nSTRN:SET 0.01";
    int before = emuthread_count(t, "*IDN?");
    int fd = open(link_path, O_WRONLY | O_NOCTTY | O_NONBLOCK);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK(write(fd, bytes, strlen(bytes)) == (ssize_t)strlen(bytes));
    close(fd);
    for (int i = 0; i < 500 && emuthread_count(t, "*IDN?") == before; i++)
        rr_sleep_s(0.01);
    CHECK(emuthread_count(t, "*IDN?") == before + 1);
    rr_sleep_s(0.05); /* its answer written, unread */
}

static rr_instrument *open_dma(void)
{
    rr_open_options o = {.timeout_s = TIMEOUT_S};
    rr_instrument *in = NULL;
    char err[1200];
    if (rr_linedma_open(spec, &o, &in, err, sizeof err) != RR_OK)
        fprintf(stderr, "open %s: %s\n", spec, err);
    return in;
}

TEST(walk_over_pty)
{
    emuthread t;
    CHECK(start(&t, 20, NULL) == 0);
    CHECK(strncmp(t.addr, "serial:", 7) == 0);
    rr_instrument *in = open_dma();
    CHECK(in != NULL);
    if (in) {
        walk(in, &w, 10.0);
        CHECK(w.n >= 95 && w.n <= 130);
        size_t checked = 0, bad = fakedev_count_off(w.s, w.n, 0.006, w.t0_s, &checked);
        CHECK(checked >= 95 && bad == 0);
        /* a second program on the same port is refused (record locks are
         * per process, so the second program is a child) */
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            rr_instrument *in2 = NULL;
            char err[1200];
            rr_open_options o = {.timeout_s = TIMEOUT_S};
            rr_status st = rr_linedma_open(spec, &o, &in2, err, sizeof err);
            printf("     child: %s\n", st == RR_OK ? "opened!" : err);
            fflush(stdout);
            _exit(st == RR_ERR_BUSY && strstr(err, "busy") ? 0 : 1);
        }
        int status = -1;
        CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    rr_instrument_close(in);
    emuthread_stop(&t);
    CHECK(access(link_path, F_OK) != 0); /* the link is removed on exit */
}

TEST(disconnect_over_pty)
{
    emuthread t;
    const char *f[] = {"disconnect@2", NULL};
    CHECK(start(&t, 5, f) == 0);
    rr_instrument *in = open_dma();
    CHECK(in != NULL);
    if (!in) {
        emuthread_stop(&t);
        return;
    }
    CHECK(RR_CALL0(in, reset) == RR_OK);
    CHECK(RR_CALL(in, acq_set_rate, 10.0) == RR_OK);
    CHECK(RR_CALL0(in, acq_start) == RR_OK);
    CHECK(RR_CALL(in, set_strain, 0.006) == RR_OK);
    double now = 0;
    rr_status st = RR_OK;
    size_t total = 0, n;
    rr_sample buf[1024];
    for (int i = 0; i < 1000 && st == RR_OK; i++) {
        st = RR_CALL(in, advance, 100.0, &now);
        while (RR_CALL(in, acq_read, buf, 1024, &n) == RR_OK && n)
            total += n;
    }
    CHECK(st == RR_ERR_LINK);
    CHECK(total >= 10);
    printf("     %s\n", in->ops->last_error(in->ctx));
    CHECK(RR_CALL0(in, reset) == RR_OK); /* reopened the port, sent *RST */
    CHECK(strcmp(emuthread_last(&t), "*RST") == 0);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

/* Stray bytes at connect (and a stale answer): the resync line ends them,
 * and the line they make gets an ERR (within the protocol's 200 ms here,
 * later than that in the second case): it is not taken for the answer to
 * *IDN?, and the stray step is never made. */
TEST(stray_bytes_at_connect)
{
    const double late[] = {0.15, 0.6};
    for (int i = 0; i < 2; i++) {
        emuthread t;
        const char *f[] = {"late/STRN:SET", NULL}; /* the stray line's answer */
        rr_emu_options o = {.speed = 5, .late_s = late[i]};
        CHECK(start_opts(&t, &o, f) == 0);
        stray_bytes(&t);
        rr_instrument *in = open_dma();
        CHECK(in != NULL);
        if (in) {
            char idn[160];
            CHECK(RR_CALL(in, identify, idn, sizeof idn) == RR_OK &&
                  strcmp(idn, "FAKE,DMA-0,SN1,0.1") == 0);
            double e = -1;
            CHECK(RR_CALL(in, read_strain, &e) == RR_OK && e == 0); /* no stray step */
            CHECK(RR_CALL0(in, reset) == RR_OK);
        }
        CHECK(emuthread_count(&t, "STRN:SET 0.01#") == 1);
        CHECK(emuthread_count(&t, "STRN:SET 0.01") == 0);
        rr_instrument_close(in);
        emuthread_stop(&t);
    }
}

/* The same after a reconnection (the pty replaced, with stray bytes in the
 * new one): reset resynchronises before *RST. */
TEST(stray_bytes_at_reconnect)
{
    emuthread t;
    const char *f[] = {"disconnect@2", "late/STRN:SET", NULL};
    rr_emu_options o = {.speed = 5, .late_s = 0.6};
    CHECK(start_opts(&t, &o, f) == 0);
    rr_instrument *in = open_dma();
    if (!in) {
        emuthread_stop(&t);
        return;
    }
    CHECK(RR_CALL0(in, reset) == RR_OK);
    CHECK(RR_CALL(in, acq_set_rate, 10.0) == RR_OK);
    CHECK(RR_CALL0(in, acq_start) == RR_OK);
    double now = 0;
    rr_status st = RR_OK;
    for (int i = 0; i < 1000 && st == RR_OK; i++)
        st = RR_CALL(in, advance, 100.0, &now);
    CHECK(st == RR_ERR_LINK);
    rr_sleep_s(0.2); /* the new pty */
    stray_bytes(&t);
    CHECK(RR_CALL0(in, reset) == RR_OK);
    printf("     %s\n", in->ops->last_error(in->ctx));
    CHECK(strcmp(emuthread_last(&t), "*RST") == 0);
    CHECK(emuthread_count(&t, "STRN:SET 0.01#") == 1);
    CHECK(emuthread_count(&t, "STRN:SET 0.01") == 0);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

/* Reconnecting closes the old port first: closing it after opening the new
 * one would drop the new one's lock (record locks are per process and
 * file), and a second program could then open the port. */
TEST(lock_kept_after_reconnect)
{
    emuthread t;
    const char *f[] = {"silence@2", NULL};
    CHECK(start(&t, 5, f) == 0);
    rr_instrument *in = open_dma();
    if (!in) {
        emuthread_stop(&t);
        return;
    }
    double now = 0;
    rr_status st = RR_OK;
    for (int i = 0; i < 1000 && st == RR_OK; i++)
        st = RR_CALL(in, advance, 100.0, &now);
    CHECK(st == RR_ERR_TIMEOUT);
    CHECK(RR_CALL0(in, reset) == RR_ERR_TIMEOUT); /* reconnected, still silent */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        rr_instrument *in2 = NULL;
        char err[1200];
        rr_open_options oo = {.timeout_s = TIMEOUT_S};
        rr_status s2 = rr_linedma_open(spec, &oo, &in2, err, sizeof err);
        printf("     child: %s\n", s2 == RR_OK ? "opened!" : err);
        fflush(stdout);
        _exit(s2 == RR_ERR_BUSY ? 0 : 1);
    }
    int status = -1;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

/* Reads one line (up to '\n') into buf within wait_s of silence; its
 * length, or -1 when none came. */
static long read_line(int fd, char *buf, size_t cap, double wait_s)
{
    size_t n = 0;
    while (n < cap) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)(1000 * wait_s)) <= 0)
            return -1;
        ssize_t r = read(fd, buf + n, 1);
        if (r <= 0)
            return -1;
        if (buf[n] == '\n')
            return (long)n;
        n++;
    }
    return -1;
}

/* An answer larger than the pty holds, and a reader that stops reading
 * for longer than the emulator keeps an answer nobody reads (3 s): once
 * begun, the answer still comes whole, and the next on its own line. */
TEST(slow_reader_gets_whole_answers)
{
    emuthread t;
    rr_emu_options o = {.speed = 1000};
    CHECK(start_opts(&t, &o, NULL) == 0);
    int fd = open(link_path, O_RDWR | O_NOCTTY);
    CHECK(fd >= 0);
    if (fd < 0) {
        emuthread_stop(&t);
        return;
    }
    static char line[2 << 20];
    const char *setup = "ACQ:RATE 100\nACQ:START\n";
    CHECK(write(fd, setup, strlen(setup)) == (ssize_t)strlen(setup));
    CHECK(read_line(fd, line, sizeof line, 2) == 2 && read_line(fd, line, sizeof line, 2) == 2);
    rr_sleep_s(0.3); /* 300 device s at 100 Hz: a full buffer, ~0.9 MB to send */
    const char *ask = "ACQ:STOP\nACQ:DATA? 20000\n*IDN?\n";
    CHECK(write(fd, ask, strlen(ask)) == (ssize_t)strlen(ask));
    CHECK(read_line(fd, line, sizeof line, 2) == 2);
    rr_sleep_s(3.5); /* reading nothing: the pty fills, the emulator waits */
    long n = read_line(fd, line, sizeof line, 2);
    static rr_sample s[RR_LP_DEVICE_BUFFER];
    rr_lp_response r;
    CHECK(n > 0 && rr_lp_parse_response(line, (size_t)n, RR_LP_EXPECT_SAMPLES, 0, s,
                                         RR_LP_DEVICE_BUFFER, &r) == RR_OK &&
          r.nsamples == RR_LP_DEVICE_BUFFER);
    printf("     %ld bytes in one answer\n", n);
    n = read_line(fd, line, sizeof line, 2);
    CHECK(n == 18 && strncmp(line, "FAKE,DMA-0,SN1,0.1", 18) == 0);
    close(fd);
    emuthread_stop(&t);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rr-linedma-pty-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    snprintf(link_path, sizeof link_path, "%s/pty", tmpdir);
    RUN(walk_over_pty);
    RUN(disconnect_over_pty);
    RUN(stray_bytes_at_connect);
    RUN(stray_bytes_at_reconnect);
    RUN(lock_kept_after_reconnect);
    RUN(slow_reader_gets_whole_answers);
    int rc = rr_test_summary();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        return 1;
    return rc;
}
