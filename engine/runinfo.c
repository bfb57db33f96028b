/* runinfo.c - reading a run directory back. */
#include "runinfo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "recover.h"
#include "run.h"
#include "status.h"
#include "yamlconf.h"

static const char *field(rr_yaml *y, const char *key)
{
    const char *s = rr_yaml_str(rr_yaml_get(y, rr_yaml_root(y), key));
    return s ? s : "";
}

/* Is pid a live relaxrun process? */
static int alive(long pid)
{
    if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH))
        return 0;
    char path[64], cmd[256] = "";
    snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(cmd, 1, sizeof cmd - 1, f);
    fclose(f);
    cmd[n] = 0;
    return strstr(cmd, "relaxrun") != NULL;
}

/* Samples actually on disk: data rows of every segment CSV. */
static void count_on_disk(const char *dir, size_t *files, size_t *rows)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/segments", dir);
    *files = *rows = 0;
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0)
            continue;
        snprintf(path, sizeof path, "%s/segments/%s", dir, e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        (*files)++;
        int c, prev = '\n';
        size_t lines = 0;
        while ((c = fgetc(f)) != EOF) {
            lines += c == '\n';
            prev = c;
        }
        (void)prev;
        fclose(f);
        *rows += lines ? lines - 1 : 0; /* the header */
    }
    closedir(d);
}

int rr_status_main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: relaxrun status RUNDIR\n", stderr);
        return RR_EXIT_USAGE;
    }
    const char *dir = argv[1];
    char path[1200], err[512];
    snprintf(path, sizeof path, "%s/manifest.yaml", dir);
    rr_yaml *y = NULL;
    if (rr_yaml_load_file(path, &y, err, sizeof err) != RR_OK) {
        fprintf(stderr, "relaxrun: %s: not a run directory (%s)\n", dir, err);
        return RR_EXIT_USAGE;
    }
    const char *status = field(y, "status");
    long pid = strtol(field(y, "pid"), NULL, 10);
    size_t files, rows;
    count_on_disk(dir, &files, &rows);
    yaml_node_t *proto = rr_yaml_get(y, rr_yaml_root(y), "protocol");
    const char *ppath = rr_yaml_str(rr_yaml_get(y, proto, "path"));
    printf("run directory: %s\n", dir);
    printf("protocol: %s\n", ppath ? ppath : "?");
    printf("started: %s\n", field(y, "started"));
    if (strcmp(status, "running") == 0) {
        if (alive(pid)) {
            printf("status: %s (pid %ld)\n", rr_yaml_get(y, rr_yaml_root(y), "paused") ? "paused" : "running", pid);
        } else {
            printf("status: interrupted\n");
            printf("  the run stopped without closing its directory (killed, crashed or "
                   "power lost); the data up to then is on disk\n");
        }
    } else {
        printf("status: %s\n", status);
        printf("ended: %s\n", field(y, "ended"));
        if (*field(y, "message"))
            printf("message: %s\n", field(y, "message"));
    }
    printf("on disk: %zu segment files, %zu samples\n", files, rows);
    rr_yaml_free(y);
    return RR_EXIT_OK;
}

static int signal_or_recover(char **argv, int pause);

/* RUNDIR/.resume.lock, taken exclusively (flock) by `relaxrun resume` before
 * it looks at the manifest and held for the life of the resumed run: the
 * dead run's pid stays in the manifest until the resumed run first writes
 * it, so two resumes at once would both find the run interrupted.  Returns
 * the descriptor; -1 when another process holds it (*holder: its pid, or
 * 0), -2 when it cannot be created (errno). */
static int lock_for_resume(const char *dir, long *holder)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/.resume.lock", dir);
    *holder = 0;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0664);
    if (fd < 0)
        return -2;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char buf[32] = "";
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n > 0) {
            buf[n] = 0;
            *holder = strtol(buf, NULL, 10);
        }
        close(fd);
        return -1;
    }
    /* Never unlinked: a new file at the same path would be a second lock. */
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    bool wrote = ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)len, 0) == len;
    (void)wrote; /* the pid only says who holds the lock */
    return fd;
}

int rr_signal_main(int argc, char **argv)
{
    int pause = strcmp(argv[0], "pause") == 0;
    if (argc != 2) {
        fprintf(stderr, "usage: relaxrun %s RUNDIR\n", argv[0]);
        return RR_EXIT_USAGE;
    }
    int lock = -1;
    if (!pause) {
        /* Before the lock names this process: a second resume may signal
         * the holder (SIGUSR2), which must not kill it. */
        rr_abort_install_handlers();
        long holder = 0;
        char probe[1200];
        snprintf(probe, sizeof probe, "%s/manifest.yaml", argv[1]);
        if (access(probe, F_OK) == 0 && (lock = lock_for_resume(argv[1], &holder)) == -1) {
            /* A resumed run is going on: resuming it means ending its pause. */
            if (holder > 0 && kill((pid_t)holder, SIGUSR2) == 0) {
                printf("relaxrun: run %s is already going on (pid %ld, resumed): asked it to "
                       "resume\n", argv[1], holder);
                return RR_EXIT_OK;
            }
            fprintf(stderr, "relaxrun: %s: already being resumed by another process\n",
                    argv[1]);
            return RR_EXIT_USAGE;
        }
        /* -2 (a read-only run directory): the manifest check alone, as before. */
    }
    int code = signal_or_recover(argv, pause);
    if (lock >= 0)
        close(lock);
    return code;
}

/* Past the lock: pause or resume the live process, or recover. */
static int signal_or_recover(char **argv, int pause)
{
    char path[1200], err[512];
    snprintf(path, sizeof path, "%s/manifest.yaml", argv[1]);
    rr_yaml *y = NULL;
    if (rr_yaml_load_file(path, &y, err, sizeof err) != RR_OK) {
        fprintf(stderr, "relaxrun: %s: not a run directory (%s)\n", argv[1], err);
        return RR_EXIT_USAGE;
    }
    const char *status = field(y, "status");
    long pid = strtol(field(y, "pid"), NULL, 10);
    int running = strcmp(status, "running") == 0 && alive(pid);
    int code = RR_EXIT_OK;
    if (!running && !pause && strcmp(status, "running") == 0) {
        /* The process is gone: recovery from the journal. */
        rr_yaml_free(y);
        return rr_recover(argv[1], 0);
    } else if (!running) {
        fprintf(stderr, "relaxrun: %s: no run in progress (status: %s)\n", argv[1],
                strcmp(status, "running") == 0 ? "interrupted" : status);
        code = RR_EXIT_USAGE;
    } else if (kill((pid_t)pid, pause ? SIGUSR1 : SIGUSR2) != 0) {
        fprintf(stderr, "relaxrun: cannot signal process %ld: %s\n", pid, strerror(errno));
        code = RR_EXIT_INTERNAL;
    } else {
        printf("relaxrun: asked run %s (pid %ld) to %s\n", argv[1], pid, pause ? "pause" : "resume");
    }
    rr_yaml_free(y);
    return code;
}
