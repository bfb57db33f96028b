/* lineproto.h - the DMA line protocol v1.1 as pure functions: parsing a
 * response line (host side) and a command line (device side), and strict
 * protocol numbers.  No I/O, no allocation, no global state, so the same
 * code serves the driver, the emulator and the fuzz harness.
 *
 * Buffers are caller-owned; input lines are borrowed and need not be
 * NUL-terminated (a length is passed).
 */
#ifndef RR_LINEPROTO_H
#define RR_LINEPROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "instrument.h"
#include "status.h"

#define RR_LP_MAX_LINE 256     /* command bytes, terminator excluded */
#define RR_LP_MAX_VALUES 8     /* most numbers in one answer (SYST:LIM?: 6) */
#define RR_LP_DEVICE_BUFFER 20000 /* samples the device buffer holds */
#define RR_LP_DATA_DEFAULT 1000   /* ACQ:DATA? without n */
#define RR_LP_ANSWER_S 0.2     /* a device answers within 200 ms ... */
#define RR_LP_RST_ANSWER_S 5.0 /* ... and *RST within 5 s */

/* ---- numbers ---------------------------------------------------------- */

/* Strict protocol number: [+-]digits[.digits][e[+-]digits] (or .digits),
 * finite; "nan", "inf", "0x10" and empty text are refused.  Leading and
 * trailing blanks are allowed.  Returns false when text is not a number
 * (also for a decimal beyond the range of a double, such as 1e400). */
bool rr_lp_number(const char *text, size_t len, double *out);

/* The same grammar, telling the two refusals apart: RR_LP_NUM_OK (*out
 * set), RR_LP_NUM_SYNTAX (not a decimal number: -102 on the device side),
 * RR_LP_NUM_RANGE (a valid decimal beyond a double, such as 1e400: -222;
 * *out gets +-HUGE_VAL). */
typedef enum rr_lp_num { RR_LP_NUM_OK, RR_LP_NUM_SYNTAX, RR_LP_NUM_RANGE } rr_lp_num;
rr_lp_num rr_lp_scan_number(const char *text, size_t len, double *out);

/* ---- responses (host side) ------------------------------------------- */

/* What the host expects for the command it sent. */
typedef enum rr_lp_expect {
    RR_LP_EXPECT_OK,      /* a set command: "OK" */
    RR_LP_EXPECT_NUMBERS, /* n comma-separated numbers (n = nvalues asked) */
    RR_LP_EXPECT_TEXT,    /* free text (*IDN?, CONF:MODE?) */
    RR_LP_EXPECT_ERRQ,    /* SYST:ERR?: code,"message" */
    RR_LP_EXPECT_SAMPLES  /* ACQ:DATA?: k;t,T,e,s;... */
} rr_lp_expect;

typedef enum rr_lp_kind {
    RR_LP_OK,      /* "OK" */
    RR_LP_ERR,     /* ERR code,"message": err_code, text */
    RR_LP_VALUES,  /* numbers in values[0..nvalues) */
    RR_LP_TEXT,    /* text */
    RR_LP_ERRQ,    /* SYST:ERR? entry: err_code, text */
    RR_LP_SAMPLES  /* nsamples samples written to the caller's buffer */
} rr_lp_kind;

typedef struct rr_lp_response {
    rr_lp_kind kind;
    int err_code;
    char text[160];  /* message or free text, NUL-terminated; a longer one is
                      * accepted and cut here, ending in "..." */
    size_t nvalues;
    double values[RR_LP_MAX_VALUES];
    size_t nsamples;
} rr_lp_response;

/* Parses one response line (terminator already removed; a trailing '\r' is
 * tolerated).  nvalues: how many numbers RR_LP_EXPECT_NUMBERS wants.
 * samples/max_samples: where RR_LP_EXPECT_SAMPLES puts them; an answer with
 * more than max_samples samples is refused.  An "ERR code,\"msg\"" line is
 * accepted for every expectation.  Returns RR_OK, or RR_ERR_PARSE for a line
 * that is not a well-formed answer of the expected shape (garbage). */
rr_status rr_lp_parse_response(const char *line, size_t len, rr_lp_expect expect,
                               size_t nvalues, rr_sample *samples,
                               size_t max_samples, rr_lp_response *out);

/* ---- commands (device side) ------------------------------------------ */

typedef enum rr_lp_cmd_id {
    RR_LP_CMD_IDN, RR_LP_CMD_RST, RR_LP_CMD_SYST_TIME, RR_LP_CMD_SYST_LIM,
    RR_LP_CMD_SYST_ERR, RR_LP_CMD_STAT, RR_LP_CMD_CONF_MODE,
    RR_LP_CMD_CONF_MODE_Q, RR_LP_CMD_CONF_GEOM, RR_LP_CMD_CONF_GEOM_Q,
    RR_LP_CMD_TEMP_RATE, RR_LP_CMD_TEMP_RATE_Q, RR_LP_CMD_TEMP_SET,
    RR_LP_CMD_TEMP_SET_Q, RR_LP_CMD_TEMP_Q, RR_LP_CMD_TEMP_STBY,
    RR_LP_CMD_STRN_SET, RR_LP_CMD_STRN_Q, RR_LP_CMD_STRN_T0_Q, RR_LP_CMD_STRS_Q,
    RR_LP_CMD_OSC_FREQ, RR_LP_CMD_OSC_AMPL, RR_LP_CMD_OSC_ON, RR_LP_CMD_OSC_OFF,
    RR_LP_CMD_OSC_MEAS_Q, RR_LP_CMD_ACQ_RATE, RR_LP_CMD_ACQ_START,
    RR_LP_CMD_ACQ_STOP, RR_LP_CMD_ACQ_DATA_Q,
    RR_LP_CMD_COUNT
} rr_lp_cmd_id;

typedef struct rr_lp_command {
    rr_lp_cmd_id id;
    bool is_query;
    size_t nargs;
    double args[3];   /* numeric arguments */
    rr_clamp mode;    /* CONF:MODE word */
    bool has_n;       /* ACQ:DATA? n given */
    unsigned long n;  /* ACQ:DATA? n (clamped to ULONG range) */
} rr_lp_command;

/* Result of parsing a command line on the device side. */
typedef enum rr_lp_parse_result {
    RR_LP_CMD_VALID = 0,
    RR_LP_CMD_EMPTY = 1  /* empty or blank line: no answer at all */
    /* otherwise a negative protocol error code: -100, -113, -109, -108,
     * -102, -224, -222 (a decimal beyond a double, such as 1e400, or
     * ACQ:DATA? n < 0), in that precedence */
} rr_lp_parse_result;

/* Parses a command line (terminator removed; a trailing '\r' tolerated).
 * Returns RR_LP_CMD_VALID, RR_LP_CMD_EMPTY or a negative error code. */
int rr_lp_parse_command(const char *line, size_t len, rr_lp_command *out);

/* The spec's message for a protocol error code ("Undefined header"). */
const char *rr_lp_error_message(int code);

/* The command's header as sent by a host ("STRN:SET"). */
const char *rr_lp_header(rr_lp_cmd_id id);

#endif
