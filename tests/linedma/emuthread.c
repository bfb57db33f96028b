/* emuthread.c - see emuthread.h. */
#include "emuthread.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "linedma/transport.h"

static void on_ready(const char *addr, void *arg)
{
    emuthread *t = arg;
    snprintf(t->addr, sizeof t->addr, "%s", addr);
    t->ready = 1;
}

static void *serve(void *arg)
{
    emuthread *t = arg;
    char err[600];
    rr_status st = t->pty_link[0]
                       ? rr_emu_serve_pty(t->emu, t->pty_link, on_ready, t, &t->stop, err, sizeof err)
                       : rr_emu_serve_tcp(t->emu, "127.0.0.1", 0, on_ready, t, &t->stop, err,
                                          sizeof err);
    if (st != RR_OK) {
        fprintf(stderr, "emulator thread: %s\n", err);
        t->ready = -1;
    }
    return NULL;
}

int emuthread_start(emuthread *t, rr_instrument *dev, double speed, double late_s,
                    const char *const *faults, const char *pty_link, const char *log_path)
{
    rr_emu_options o = {.speed = speed, .late_s = late_s, .log_path = log_path};
    return emuthread_start_opts(t, dev, &o, faults, pty_link);
}

int emuthread_start_opts(emuthread *t, rr_instrument *dev, const rr_emu_options *o,
                         const char *const *faults, const char *pty_link)
{
    memset(t, 0, sizeof *t);
    if (o->log_path) {
        snprintf(t->log_path, sizeof t->log_path, "%s", o->log_path);
        unlink(o->log_path);
    }
    char err[300];
    if (rr_emu_new(dev, o, &t->emu, err, sizeof err) != RR_OK) {
        fprintf(stderr, "emulator: %s\n", err);
        return -1;
    }
    for (; faults && *faults; faults++)
        if (rr_emu_add_fault(t->emu, *faults, err, sizeof err) != RR_OK) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
    if (pty_link)
        snprintf(t->pty_link, sizeof t->pty_link, "%s", pty_link);
    if (pthread_create(&t->th, NULL, serve, t) != 0)
        return -1;
    for (int i = 0; i < 500 && !t->ready; i++)
        rr_sleep_s(0.01);
    return t->ready == 1 ? 0 : -1;
}

void emuthread_stop(emuthread *t)
{
    if (!t->emu)
        return;
    t->stop = 1;
    pthread_join(t->th, NULL);
    rr_emu_free(t->emu);
    t->emu = NULL;
}

int emuthread_count(const emuthread *t, const char *cmd)
{
    FILE *f = fopen(t->log_path, "r");
    if (!f)
        return 0;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        const char *c = strchr(line, ' ');
        if (!c)
            continue;
        c++;
        size_t l = strcspn(c, "\r\n");
        if (l == strlen(cmd) && strncasecmp(c, cmd, l) == 0)
            n++;
    }
    fclose(f);
    return n;
}

const char *emuthread_last(const emuthread *t)
{
    static char last[512];
    last[0] = '\0';
    FILE *f = fopen(t->log_path, "r");
    if (!f)
        return last;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        const char *c = strchr(line, ' ');
        snprintf(last, sizeof last, "%s", c ? c + 1 : line);
        last[strcspn(last, "\n")] = '\0';
    }
    fclose(f);
    return last;
}
