/* emuthread.h - runs an emulator (over the test fake or the simulator) in a
 * thread of the test process, on TCP port 0 or a pty. */
#ifndef RR_TEST_EMUTHREAD_H
#define RR_TEST_EMUTHREAD_H

#include <pthread.h>
#include <signal.h>

#include "linedma/emulator.h"

typedef struct emuthread {
    rr_emu *emu;
    pthread_t th;
    volatile sig_atomic_t stop;
    volatile int ready;
    char addr[1200];
    char pty_link[1024]; /* empty for TCP */
    char log_path[1024];
} emuthread;

/* Starts serving dev (ownership taken) with the given faults (NULL-ended
 * list, may be NULL).  pty_link NULL: TCP.  Returns 0 on success. */
int emuthread_start(emuthread *t, rr_instrument *dev, double speed, double late_s,
                    const char *const *faults, const char *pty_link, const char *log_path);
/* The same with every emulator option (o->log_path included). */
int emuthread_start_opts(emuthread *t, rr_instrument *dev, const rr_emu_options *o,
                         const char *const *faults, const char *pty_link);
void emuthread_stop(emuthread *t);
/* How many times the emulator received exactly cmd (case-insensitive). */
int emuthread_count(const emuthread *t, const char *cmd);
/* The last command the emulator received, or "". */
const char *emuthread_last(const emuthread *t);

#endif
