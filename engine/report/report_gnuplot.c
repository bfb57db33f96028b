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

rr_status rr_report_gnuplot_start(const char *exe, const char *dir,
                                  const char *script, double timeout_s,
                                  rr_report_gnuplot_job *job, char *msg,
                                  size_t msglen)
{
    msg[0] = 0;
    memset(job, 0, sizeof *job);
    job->pid = -1;
    job->fd = -1;
    snprintf(job->script, sizeof job->script, "%s", script);
    job->timeout_s = timeout_s;
    int pfd[2];
    if (pipe(pfd) != 0) {
        snprintf(msg, msglen, "cannot create a pipe: %s", strerror(errno));
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
        char *const argv[] = {(char *)"gnuplot", (char *)script, NULL};
        execv(exe, argv);
        _exit(127);
    }
    close(pfd[1]);
    job->pid = pid;
    job->fd = pfd[0];
    job->deadline = now_s() + timeout_s;
    snprintf(job->exe, sizeof job->exe, "%s", exe);
    return RR_OK;
}

rr_status rr_report_gnuplot_finish(rr_report_gnuplot_job *job, char *msg,
                                   size_t msglen)
{
    msg[0] = 0;
    if (job->pid < 0)
        return RR_ERR_ARG;
    pid_t pid = job->pid;
    job->pid = -1;

    /* Read its output until it closes the pipe or the time is up.  Output
     * beyond the pipe's buffer is no risk: gnuplot writes a few lines. */
    char out[600];
    size_t k = 0;
    out[0] = 0;
    double deadline = job->deadline;
    bool timed_out = false;
    for (;;) {
        double left = deadline - now_s();
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
        keep_output(out, sizeof out, &k, buf, (size_t)n);
    }
    close(job->fd);
    job->fd = -1;

    /* Reap it; poll, so that one that closed its output but keeps running
     * still meets the deadline. */
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            snprintf(msg, msglen, "waitpid: %s", strerror(errno));
            return RR_ERR_IO;
        }
        if (timed_out || now_s() > deadline) {
            kill(pid, SIGKILL); /* by its own pid, never a group */
            timed_out = true;
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        struct timespec nap = {.tv_sec = 0, .tv_nsec = 2000000};
        nanosleep(&nap, NULL);
    }
    const char *script = job->script;
    if (timed_out) {
        snprintf(msg, msglen, "gnuplot %s did not finish within %g s (killed)",
                 script, job->timeout_s);
        return RR_ERR_TIMEOUT;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        snprintf(msg, msglen, "%s", out); /* warnings, if any */
        return RR_OK;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        snprintf(msg, msglen, "cannot run %s", job->exe);
    else if (WIFEXITED(status))
        snprintf(msg, msglen, "gnuplot %s failed (exit %d): %s", script,
                 WEXITSTATUS(status), out);
    else
        snprintf(msg, msglen, "gnuplot %s died of signal %d: %s", script,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0, out);
    return RR_ERR_IO;
}

rr_status rr_report_gnuplot_run(const char *exe, const char *dir,
                                const char *script, double timeout_s,
                                char *msg, size_t msglen)
{
    rr_report_gnuplot_job job;
    rr_status st = rr_report_gnuplot_start(exe, dir, script, timeout_s, &job,
                                           msg, msglen);
    return st != RR_OK ? st : rr_report_gnuplot_finish(&job, msg, msglen);
}
