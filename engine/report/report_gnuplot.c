/* report_gnuplot.c - finding gnuplot on PATH and running it without a
 * shell, in the plots folder, under a timeout. */
#include "report_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool rr_report_gnuplot_find(char *path, size_t len)
{
    const char *env = getenv("PATH");
    if (!env || !*env)
        return false;
    const char *p = env;
    for (;;) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        /* An empty PATH entry means the working directory: skip it, as a
         * report must not run a program that happens to lie there. */
        if (n > 0 && p[0] == '/') {
            snprintf(path, len, "%.*s/gnuplot", (int)n, p);
            struct stat sb;
            if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
                access(path, X_OK) == 0)
                return true;
        }
        if (!e)
            break;
        p = e + 1;
    }
    path[0] = 0;
    return false;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Keeps the first chunk of gnuplot's output for the message, on one line. */
static void keep_output(char *out, size_t outlen, size_t *k, const char *buf,
                        size_t n)
{
    for (size_t i = 0; i < n && *k + 1 < outlen; i++) {
        char c = buf[i];
        out[(*k)++] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    }
    out[*k] = 0;
}

/* One gnuplot runs all the scripts of a job in turn (gnuplot A.gp -e MARK
 * B.gp -e MARK ...), paying its start-up once (~53M instructions; a plot
 * as SVG and PNG costs ~280M more).  After each script it prints a marker line, by which its
 * output is split per script and the script that failed or hung is known;
 * the timeout counts afresh for each script.  "reset session" clears what
 * one script defined before the next. */
#define DONE_MARK "relaxrun-gnuplot-script-done"
static char mark_cmd[] = "set print; print '" DONE_MARK "'; reset session";
static char opt_e[] = "-e";
static char argv0[] = "gnuplot";

void rr_report_gnuplot_job_free(rr_report_gnuplot_job *job)
{
    free(job->script);
    job->script = NULL;
    job->n = 0;
}

rr_status rr_report_gnuplot_start(const char *exe, const char *dir,
                                  const char *const *scripts, size_t nscripts,
                                  double timeout_s, rr_report_gnuplot_job *job,
                                  char *msg, size_t msglen)
{
    msg[0] = 0;
    memset(job, 0, sizeof *job);
    job->pid = -1;
    job->fd = -1;
    job->timeout_s = timeout_s;
    snprintf(job->exe, sizeof job->exe, "%s", exe);
    if (nscripts == 0) {
        snprintf(msg, msglen, "no script to run");
        return RR_ERR_ARG;
    }
    job->script = calloc(nscripts, sizeof *job->script);
    char **argv = calloc(3 * nscripts + 2, sizeof *argv);
    if (!job->script || !argv) {
        free(argv);
        rr_report_gnuplot_job_free(job);
        snprintf(msg, msglen, "out of memory");
        return RR_ERR_NOMEM;
    }
    job->n = nscripts;
    size_t k = 0;
    argv[k++] = argv0;
    for (size_t i = 0; i < nscripts; i++) {
        rr_report_gnuplot_script *s = &job->script[i];
        snprintf(s->name, sizeof s->name, "%s", scripts[i]);
        s->st = RR_ERR_NOT_READY;
        argv[k++] = s->name;
        argv[k++] = opt_e;
        argv[k++] = mark_cmd;
    }
    argv[k] = NULL;

    int pfd[2];
    if (pipe(pfd) != 0) {
        snprintf(msg, msglen, "cannot create a pipe: %s", strerror(errno));
        free(argv);
        rr_report_gnuplot_job_free(job);
        return RR_ERR_IO;
    }
    /* Not inherited by gnuplots started later (dup2 below clears it). */
    fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
    fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(msg, msglen, "cannot fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        free(argv);
        rr_report_gnuplot_job_free(job);
        return RR_ERR_IO;
    }
    if (pid == 0) {
        /* Child: only async-signal-safe calls until exec. */
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        if (chdir(dir) != 0)
            _exit(126);
        execv(exe, argv);
        _exit(127);
    }
    free(argv);
    close(pfd[1]);
    job->pid = pid;
    job->fd = pfd[0];
    job->deadline = now_s() + timeout_s;
    return RR_OK;
}

/* One line of gnuplot's output: a marker ends the current script (and
 * restarts the clock); anything else is kept for the current script's
 * message. */
static void take_line(rr_report_gnuplot_job *job, const char *line, size_t n)
{
    if (job->cur >= job->n)
        return; /* after the last marker: nothing left to blame */
    rr_report_gnuplot_script *s = &job->script[job->cur];
    if (n == strlen(DONE_MARK) && memcmp(line, DONE_MARK, n) == 0) {
        s->st = RR_OK; /* its msg: the warnings, if any */
        job->cur++;
        job->deadline = now_s() + job->timeout_s;
        return;
    }
    if (s->msglen > 0 && n > 0)
        keep_output(s->msg, sizeof s->msg, &s->msglen, " ", 1);
    keep_output(s->msg, sizeof s->msg, &s->msglen, line, n);
}

rr_status rr_report_gnuplot_finish(rr_report_gnuplot_job *job)
{
    if (job->pid < 0)
        return RR_ERR_ARG;
    pid_t pid = job->pid;
    job->pid = -1;

    /* Read its output, a line at a time, until it closes the pipe or a
     * script's time is up.  A line longer than the buffer is kept cut. */
    char line[1024];
    size_t len = 0;
    bool timed_out = false;
    for (;;) {
        double left = job->deadline - now_s();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd pf = {.fd = job->fd, .events = POLLIN};
        int r = poll(&pf, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue; /* timeout: checked at the top */
        char buf[512];
        ssize_t n = read(job->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* EOF: gnuplot is done (or closed its output) */
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                take_line(job, line, len);
                len = 0;
            } else if (len < sizeof line) {
                line[len++] = buf[i];
            }
        }
    }
    if (len > 0)
        take_line(job, line, len);
    close(job->fd);
    job->fd = -1;

    /* Reap it; poll, so that one that closed its output but keeps running
     * still meets the deadline. */
    int status = 0, wait_errno = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            wait_errno = errno;
            timed_out = false;
            break;
        }
        if (timed_out || now_s() > job->deadline) {
            kill(pid, SIGKILL); /* by its own pid, never a group */
            timed_out = true;
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        struct timespec nap = {.tv_sec = 0, .tv_nsec = 2000000};
        nanosleep(&nap, NULL);
    }

    if (!wait_errno && !timed_out && WIFEXITED(status) &&
        WEXITSTATUS(status) == 0) {
        /* All ran: scripts without a marker had their print redirected. */
        for (; job->cur < job->n; job->cur++)
            job->script[job->cur].st = RR_OK;
        return RR_OK;
    }
    if (job->cur >= job->n)
        return RR_OK; /* it failed after the last script: nothing to blame */
    /* The current script failed or hung; those after it did not run (their
     * status stays RR_ERR_NOT_READY, for the caller to run again). */
    rr_report_gnuplot_script *s = &job->script[job->cur];
    char out[sizeof s->msg];
    snprintf(out, sizeof out, "%s", s->msg);
    if (timed_out) {
        s->st = RR_ERR_TIMEOUT;
        snprintf(s->msg, sizeof s->msg,
                 "gnuplot %s did not finish within %g s (killed)", s->name,
                 job->timeout_s);
    } else {
        s->st = RR_ERR_IO;
        if (wait_errno)
            snprintf(s->msg, sizeof s->msg, "gnuplot %s: waitpid: %s", s->name,
                     strerror(wait_errno));
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            snprintf(s->msg, sizeof s->msg, "cannot run %.600s", job->exe);
        else if (WIFEXITED(status))
            snprintf(s->msg, sizeof s->msg, "gnuplot %s failed (exit %d): %.500s",
                     s->name, WEXITSTATUS(status), out);
        else
            snprintf(s->msg, sizeof s->msg, "gnuplot %s died of signal %d: %.500s",
                     s->name, WIFSIGNALED(status) ? WTERMSIG(status) : 0, out);
    }
    return s->st;
}
