/* linedma_bench.c - figures for the line-protocol driver:
 *   1. round-trip time of *IDN? over TCP and over a pty (libserialport),
 *      median and p99;
 *   2. 100 Hz acquisition through the pty for 600 device seconds with the
 *      emulator's clock sped up (RELAXRUN_BENCH_SPEED, default 40; 1 runs
 *      the full 10 minutes in real time), counting lost samples;
 *   3. CPU use of the driver at a true 100 Hz (speed 1) for
 *      RELAXRUN_BENCH_REALTIME_S wall seconds (default 10).
 * The emulator (serving the simulator) runs in a child process, so
 * getrusage(RUSAGE_SELF) is the driver's alone.  Asserts only correctness:
 * no sample lost, no overflow.  Needs the test-only ptyshim preloaded. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "instrument.h"
#include "linedma/emulator.h"
#include "linedma/transport.h"

static volatile sig_atomic_t stop_flag;
static void on_term(int s) { (void)s; stop_flag = 1; }

static int ready_fd;
static void ready(const char *addr, void *arg)
{
    (void)arg;
    if (write(ready_fd, addr, strlen(addr) + 1) < 0)
        _exit(1);
}

/* Forks an emulator serving the simulator; *addr gets its address. */
static pid_t spawn(double speed, const char *pty, char *addr, size_t len)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        ready_fd = p[1];
        signal(SIGTERM, on_term);
        rr_open_options o = {.seed = 1, .noise = true};
        rr_instrument *sim = NULL;
        rr_emu *e = NULL;
        char err[600];
        rr_emu_options eo = {.speed = speed};
        if (rr_sim_open(NULL, &o, &sim, err, sizeof err) != RR_OK ||
            rr_emu_new(sim, &eo, &e, err, sizeof err) != RR_OK) {
            fprintf(stderr, "emulator: %s\n", err);
            _exit(1);
        }
        rr_status st = pty ? rr_emu_serve_pty(e, pty, ready, NULL, &stop_flag, err, sizeof err)
                           : rr_emu_serve_tcp(e, "127.0.0.1", 0, ready, NULL, &stop_flag, err,
                                              sizeof err);
        rr_emu_free(e);
        _exit(st == RR_OK ? 0 : 1);
    }
    close(p[1]);
    ssize_t n = read(p[0], addr, len - 1);
    close(p[0]);
    if (n <= 0)
        return -1;
    addr[n] = '\0';
    return pid;
}

static void finish(pid_t pid, double *cpu_s)
{
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    if (cpu_s)
        *cpu_s = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
                 (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

static double self_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static char pty_spec[1200], pty_link[600];

static rr_instrument *open_dma(const char *addr)
{
    rr_instrument *in = NULL;
    char err[1200];
    rr_open_options o = {.timeout_s = 2.0};
    const char *spec = addr;
    if (strncmp(addr, "serial:", 7) == 0) {
        snprintf(pty_spec, sizeof pty_spec, "serial:/dev/../../../..%s", pty_link);
        spec = pty_spec;
    }
    if (rr_linedma_open(spec, &o, &in, err, sizeof err) != RR_OK)
        fprintf(stderr, "open %s: %s\n", spec, err);
    return in;
}

static int rtt(const char *what, bool use_pty)
{
    char addr[1200];
    pid_t pid = spawn(1, use_pty ? pty_link : NULL, addr, sizeof addr);
    if (pid < 0)
        return 1;
    rr_instrument *in = open_dma(addr);
    if (!in) {
        finish(pid, NULL);
        return 1;
    }
    enum { N = 2000 };
    static double t[N];
    char idn[160];
    for (int i = 0; i < N; i++) {
        double t0 = rr_mono_s();
        if (RR_CALL(in, identify, idn, sizeof idn) != RR_OK) {
            fprintf(stderr, "identify failed\n");
            break;
        }
        t[i] = rr_mono_s() - t0;
    }
    qsort(t, N, sizeof t[0], cmp);
    printf("linedma_bench: *IDN? round trip over %-4s median %7.1f us  p99 %7.1f us  (%d exchanges)\n",
           what, 1e6 * t[N / 2], 1e6 * t[N * 99 / 100], N);
    rr_instrument_close(in);
    finish(pid, NULL);
    return 0;
}

static double first_t, last_t, max_dt;

/* Takes every queued sample, counting gaps in the 100 Hz grid. */
static void count(rr_instrument *in, long *got, long *lost, long *gaps)
{
    static rr_sample buf[25000];
    size_t n;
    while (RR_CALL(in, acq_read, buf, 25000, &n) == RR_OK && n > 0)
        for (size_t i = 0; i < n; i++) {
            if (last_t >= 0) {
                double dt = buf[i].t_s - last_t;
                if (dt > max_dt)
                    max_dt = dt;
                if (dt > 0.015) {
                    (*gaps)++;
                    *lost += (long)(dt / 0.01 + 0.5) - 1;
                }
            } else {
                first_t = buf[i].t_s;
            }
            last_t = buf[i].t_s;
            (*got)++;
        }
}

/* 100 Hz for device_s device seconds at the given speed; returns lost. */
static long acquire(double speed, double device_s, bool report_cpu)
{
    char addr[1200];
    pid_t pid = spawn(speed, pty_link, addr, sizeof addr);
    if (pid < 0)
        return -1;
    rr_instrument *in = open_dma(addr);
    if (!in) {
        finish(pid, NULL);
        return -1;
    }
    long lost = 0, got = 0, gaps = 0;
    bool overflow = false;
    first_t = last_t = -1;
    max_dt = 0;
    double cpu0 = self_cpu_s(), wall0 = rr_mono_s();
    if (RR_CALL0(in, reset) != RR_OK || RR_CALL(in, set_strain, 0.006) != RR_OK ||
        RR_CALL(in, acq_set_rate, 100.0) != RR_OK || RR_CALL0(in, acq_start) != RR_OK) {
        fprintf(stderr, "setup: %s\n", in->ops->last_error(in->ctx));
        lost = -1;
    }
    double now = 0;
    size_t n;
    while (lost >= 0 && now < device_s) {
        rr_status st = RR_CALL(in, advance, device_s, &now);
        count(in, &got, &lost, &gaps);
        if (st != RR_OK) {
            fprintf(stderr, "advance: %s\n", in->ops->last_error(in->ctx));
            lost = -1;
        }
        unsigned bits = 0;
        if (RR_CALL(in, get_status, &bits) == RR_OK && (bits & RR_STAT_OVERFLOW))
            overflow = true;
    }
    (void)n;
    RR_CALL0(in, acq_stop);
    if (lost >= 0)
        count(in, &got, &lost, &gaps);
    double wall = rr_mono_s() - wall0, cpu = self_cpu_s() - cpu0;
    RR_CALL0(in, reset);
    rr_instrument_close(in);
    double emu_cpu = 0;
    finish(pid, &emu_cpu);
    if (overflow)
        lost = lost < 0 ? lost : lost + 1;
    long expect = (long)((last_t - first_t) / 0.01 + 0.5) + 1;
    printf("linedma_bench: 100 Hz through the pty, %.0f device s at speed %g: %ld samples "
           "(%ld expected), %ld lost, %ld gaps, largest step %.4f s, overflow %s, wall %.1f s\n",
           device_s, speed, got, expect, lost, gaps, max_dt, overflow ? "YES" : "no", wall);
    if (report_cpu)
        printf("linedma_bench: CPU at 100 Hz real time: driver %.2f %% of one core "
               "(%.3f s CPU in %.1f s), emulator+simulator %.2f %%\n",
               100 * cpu / wall, cpu, wall, 100 * emu_cpu / wall);
    else
        printf("linedma_bench: driver CPU %.2f s for %ld samples (%.1f us per sample)\n", cpu,
               got, 1e6 * cpu / (double)(got ? got : 1));
    return lost;
}

int main(void)
{
    char dir[] = "/tmp/rr-linedma-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    snprintf(pty_link, sizeof pty_link, "%s/pty", dir);
    signal(SIGPIPE, SIG_IGN);
    const char *e = getenv("RELAXRUN_BENCH_SPEED");
    double speed = e ? atof(e) : 40;
    e = getenv("RELAXRUN_BENCH_REALTIME_S");
    double rt_s = e ? atof(e) : 10;
    int rc = 0;
    rc |= rtt("TCP", false);
    rc |= rtt("pty", true);
    long lost = acquire(speed > 0 ? speed : 40, 600, false);
    if (lost != 0) {
        printf("FAIL: %ld samples lost\n", lost);
        rc = 1;
    }
    if (rt_s > 0) {
        lost = acquire(1, rt_s, true);
        if (lost != 0) {
            printf("FAIL: %ld samples lost\n", lost);
            rc = 1;
        }
    }
    rmdir(dir);
    return rc;
}
