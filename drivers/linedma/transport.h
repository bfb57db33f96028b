/* transport.h - byte links to a line-protocol device: raw TCP or a serial
 * port through libserialport, chosen by a connection string.  The protocol
 * code (linedma.c) knows nothing of which one it talks through.
 *
 * Connection strings (case-sensitive prefixes):
 *   tcp:HOST[:PORT]              PORT defaults to 5025; HOST may be [v6]
 *   serial:PORT[:BAUD[:PARITY[:STOPBITS[:FLOW[:DATABITS]]]]]
 *       BAUD 115200, PARITY none|odd|even|mark|space, STOPBITS 1|2,
 *       FLOW none|xonxoff|rtscts|dtrdsr, DATABITS 5..8; empty fields keep
 *       the default (8 data bits, no parity, 1 stop bit, no flow control).
 *
 * An rr_link is owned by the caller and released with rr_link_close
 * (NULL-safe).
 */
#ifndef RR_TRANSPORT_H
#define RR_TRANSPORT_H

#include <stddef.h>

#include "status.h"

typedef enum rr_conn_kind { RR_CONN_TCP, RR_CONN_SERIAL } rr_conn_kind;
typedef enum rr_parity {
    RR_PARITY_NONE, RR_PARITY_ODD, RR_PARITY_EVEN, RR_PARITY_MARK, RR_PARITY_SPACE
} rr_parity;
typedef enum rr_flow { RR_FLOW_NONE, RR_FLOW_XONXOFF, RR_FLOW_RTSCTS, RR_FLOW_DTRDSR } rr_flow;

typedef struct rr_conn {
    rr_conn_kind kind;
    char host[256];
    int tcp_port;
    char port[512]; /* serial port name */
    int baud, data_bits, stop_bits;
    rr_parity parity;
    rr_flow flow;
} rr_conn;

/* The shortest answer timeout a conforming device cannot exceed over c: the
 * protocol's 200 ms, plus the time the longest command line (256 bytes and
 * its terminator) takes on the wire at the port's speed (serial), plus
 * RR_LINK_MARGIN_S for the host and the transport.  0.25 s over TCP, 0.27 s
 * at 115200 baud, 0.52 s at 9600. */
#define RR_LINK_MARGIN_S 0.05
double rr_conn_answer_min_s(const rr_conn *c);

/* Parses a connection string; err gets a message naming the bad field. */
rr_status rr_conn_parse(const char *spec, rr_conn *out, char *err, size_t errlen);
/* Writes the canonical connection string (all serial fields spelled out). */
void rr_conn_format(const rr_conn *c, char *buf, size_t len);
const char *rr_parity_word(rr_parity p);
const char *rr_flow_word(rr_flow f);
rr_status rr_parity_parse(const char *w, rr_parity *out);
rr_status rr_flow_parse(const char *w, rr_flow *out);

typedef struct rr_link rr_link;

/* Opens the link (connects within timeout_s).  Failures: RR_ERR_NOT_FOUND
 * (no such port / host), RR_ERR_BUSY (port in use), RR_ERR_LINK (refused),
 * RR_ERR_TIMEOUT; err says which port and why. */
rr_status rr_link_open(const rr_conn *c, double timeout_s, rr_link **out,
                       char *err, size_t errlen);
/* Writes all len bytes within timeout_s. */
rr_status rr_link_write(rr_link *l, const char *buf, size_t len, double timeout_s);
/* Waits at most timeout_s for bytes; *got > 0 with RR_OK, or RR_ERR_TIMEOUT,
 * or RR_ERR_LINK when the peer closed or the port failed. */
rr_status rr_link_read(rr_link *l, char *buf, size_t cap, double timeout_s,
                       size_t *got);
/* Last failure's detail; never NULL. */
const char *rr_link_error(const rr_link *l);
void rr_link_close(rr_link *l);

/* Monotonic clock in seconds; sleeping. */
double rr_mono_s(void);
void rr_sleep_s(double s);

#endif
