/* instrconf.h - the instrument config file (YAML) of a lab's DMA:
 *
 *   connection: serial:/dev/ttyUSB0     # or tcp:HOST[:PORT] (see transport.h),
 *                                       # or replay:TRANSCRIPT (a lab run played back)
 *   serial:                             # optional, overrides the string's fields
 *     baud: 115200
 *     parity: none                      # none | odd | even | mark | space
 *     stop_bits: 1                      # 1 | 2
 *     data_bits: 8                      # 5 .. 8
 *     flow: none                        # none | xonxoff | rtscts | dtrdsr
 *   timeouts:
 *     answer_s: 2                       # answer timeout, at least the protocol's
 *                                       # 200 ms plus the line time (see
 *                                       # rr_conn_answer_min_s); *RST gets
 *                                       # 5 x this, at least 10 s
 *   transcript: true                    # transcript.log in the run directory
 *   limits:                             # the lab's own; each optional
 *     temp_min_K: 290                   #   (absent: the device's SYST:LIM?)
 *     temp_max_K: 480
 *     strain_max: 0.01
 *     rate_max_K_per_min: 10
 *     freq_min_Hz: 0.01
 *     freq_max_Hz: 50
 *   sample:
 *     clamp: tension                    # TENS/SCANT/DCANT/COMP or tension,
 *                                       # single_cantilever, dual_cantilever, compression
 *     length_mm: 20
 *     width_mm: 5
 *     thickness_mm: 1
 *
 * Every message names the file, the line and the key; unknown keys are
 * refused.  An rr_instrconf is owned by the caller: rr_instrconf_free
 * (NULL-safe).
 */
#ifndef RR_INSTRCONF_H
#define RR_INSTRCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "instrument.h"
#include "linedma/transport.h"
#include "status.h"

/* Bits of rr_instrconf.limits_set, one per rr_limits field. */
enum {
    RR_LIM_TEMP_MIN = 1, RR_LIM_TEMP_MAX = 2, RR_LIM_STRAIN = 4, RR_LIM_RATE = 8,
    RR_LIM_FREQ_MIN = 16, RR_LIM_FREQ_MAX = 32
};

typedef struct rr_instrconf {
    char path[512];
    char connection[1200]; /* canonical connection string, serial fields merged:
                            * pass it to rr_instrument_open */
    bool replay;           /* connection is "replay:TRANSCRIPT"; conn unused */
    rr_conn conn;
    double timeout_s;      /* 0: the protocol's 2 s */
    bool transcript;       /* default true */
    rr_limits limits;      /* NAN where not given */
    unsigned limits_set;   /* RR_LIM_* bits of the fields given */
    bool has_clamp, has_geometry;
    rr_clamp clamp;
    rr_geometry geometry;
} rr_instrconf;

/* Loads and checks a config.  On failure *out is NULL and err says
 * "FILE:LINE: key 'KEY': why". */
rr_status rr_instrconf_load(const char *path, rr_instrconf **out, char *err, size_t errlen);
void rr_instrconf_free(rr_instrconf *c);

/* The lab's limits must never be wider than the device's (SYST:LIM?).
 * Fields of lab that are NAN are skipped.  RR_ERR_LIMIT with a message
 * naming the field and both values otherwise. */
rr_status rr_limits_check_within(const rr_limits *lab, const rr_limits *device, char *err,
                                 size_t errlen);

/* The limits a run obeys: the lab's where given, the device's elsewhere. */
void rr_instrconf_effective_limits(const rr_instrconf *c, const rr_limits *device,
                                   rr_limits *out);

#endif
