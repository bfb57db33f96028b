/* test_pty.c - the driver through libserialport itself, on a pseudo-terminal
 * served by the emulator (backed by the test fake): the vtable walk, a busy
 * port, a disconnection (the pty vanishes; reset reaches the safe state on
 * the new one), and the port listing.  Runs with the test-only ptyshim
 * preloaded; the port name /dev/../../../..<link> resolves to the emulator's
 * symlink, which gets libserialport 0.1.1 past its /sys/class/tty lookup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emuthread.h"
#include "fakedev.h"
#include "harness.h"
#include "linedma/transport.h"
#include "walk.h"

#define TIMEOUT_S 0.5

static char tmpdir[256], link_path[512], spec[700];
static walk_result w;

static int start(emuthread *t, double speed, const char *const *faults)
{
    rr_instrument *f = NULL;
    char log[512];
    snprintf(log, sizeof log, "%s/emu.log", tmpdir);
    if (fakedev_open(&f) != RR_OK)
        return -1;
    if (emuthread_start(t, f, speed, 0, faults, link_path, log) != 0)
        return -1;
    snprintf(spec, sizeof spec, "serial:/dev/../../../..%s:115200:none:1:none", link_path);
    return 0;
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

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rr-linedma-pty-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    snprintf(link_path, sizeof link_path, "%s/pty", tmpdir);
    RUN(walk_over_pty);
    RUN(disconnect_over_pty);
    int rc = rr_test_summary();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        return 1;
    return rc;
}
