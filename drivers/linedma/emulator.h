/* emulator.h - a device that speaks the DMA line protocol v1.1, backed by
 * any instrument behind the vtable (normally the simulator), with a clock
 * speed factor and fault injection.  Served over TCP (one client at a time)
 * or a pseudo-terminal.
 *
 * Device time = speed x wall time since start or *RST; the backing
 * instrument is advanced to keep up, and its samples are buffered as the
 * device would (20000 at most; the oldest dropped, STAT? bit 7 and a 350
 * entry in a 16-entry error queue).
 *
 * Faults ("KIND[/HEADER][@DEVICE_TIME_S]", once the device clock reaches
 * the time; with /HEADER, such as garbage/ACQ:DATA?, the first answer to
 * that command from then on; HEADER only for the first five kinds):
 *   garbage     the next answer is replaced by garbage bytes
 *   late        the next answer comes late_s (default 3 s) late
 *   silence     no answer to anything from then on
 *   disconnect  the connection is closed (TCP: the next client is served;
 *               pty: a new pty is linked at the same path)
 *   err         the next set command answers ERR -100 and is not run
 *   overload    sim_set("fault.overload_MPa", 0): any load overloads
 *   broken      sim_set("fault.break_at_s", now): the sample breaks
 *   heater      sim_set("fault.heater", 1): heater fault; while bit 16 is
 *               set every command answers ERR 320 and none runs
 */
#ifndef RR_EMULATOR_H
#define RR_EMULATOR_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "instrument.h"
#include "status.h"

typedef struct rr_emu rr_emu;

typedef struct rr_emu_options {
    double speed;          /* device seconds per wall second; 0 = 1 */
    double late_s;         /* delay of a "late" answer; 0 = 3 s */
    double drop_s;         /* an answer none of which can be written for this
                            * long (nobody reads) is dropped whole; 0 = 3 s */
    double temp_set_K;     /* TEMP:SET? before any TEMP:SET; 0 = 295 K */
    double temp_rate_K_per_min; /* TEMP:RATE? before any TEMP:RATE; 0 = 10 */
    const char *log_path;  /* append every command received here, or NULL */
} rr_emu_options;

/* Takes ownership of dev (closed by rr_emu_free).  On failure *out is NULL
 * and dev is closed. */
rr_status rr_emu_new(rr_instrument *dev, const rr_emu_options *opt, rr_emu **out,
                     char *err, size_t errlen);
void rr_emu_free(rr_emu *e);

/* Adds a fault "KIND[@DEVICE_TIME_S]". */
rr_status rr_emu_add_fault(rr_emu *e, const char *spec, char *err, size_t errlen);

/* What the server must do with one command line. */
typedef enum rr_emu_action {
    RR_EMU_REPLY,      /* send answer (already ends with '\n') */
    RR_EMU_NO_REPLY,   /* empty line, or a silent device */
    RR_EMU_DISCONNECT  /* close the connection */
} rr_emu_action;

/* Handles one command line (no terminator).  *answer (borrowed, valid until
 * the next call) and *alen are set for RR_EMU_REPLY; *delay_s is how long to
 * hold the answer back (0 normally). */
rr_emu_action rr_emu_handle(rr_emu *e, const char *line, size_t len, const char **answer,
                            size_t *alen, double *delay_s);

/* Brings the backing instrument up to the device clock (call when idle). */
void rr_emu_tick(rr_emu *e);

/* Serving.  ready(addr, arg) is called once with the address served
 * ("tcp:127.0.0.1:40123", "serial:LINK"); both return when *stop becomes
 * non-zero. */
typedef void (*rr_emu_ready_fn)(const char *addr, void *arg);
rr_status rr_emu_serve_tcp(rr_emu *e, const char *host, int port, rr_emu_ready_fn ready,
                           void *arg, volatile sig_atomic_t *stop, char *err, size_t errlen);
rr_status rr_emu_serve_pty(rr_emu *e, const char *link, rr_emu_ready_fn ready, void *arg,
                           volatile sig_atomic_t *stop, char *err, size_t errlen);

#endif
