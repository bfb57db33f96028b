/* transcript.h - the time-stamped record of every exchange with a device,
 * and its parser (used by the replay instrument).
 *
 * Format: text, one record per line.
 *   # relaxrun transcript 1                  header and comments ('#')
 *   # spec: tcp:127.0.0.1:5025
 *   # opened: 2026-11-25T13:14:11Z
 *   T > PAYLOAD        a command line sent (terminator not shown)
 *   T < PAYLOAD        a response line received
 *   T ! timeout        a read that got no complete line in time
 *   T ! link MESSAGE   the link failed (closed, port error)
 *   T ! note MESSAGE   commentary (retries, late answers); ignored by replay
 * T is seconds since the transcript was opened (monotonic, %.6f).  PAYLOAD
 * escapes '\\' as "\\\\", CR as "\\r", LF as "\\n" and any other byte outside
 * 0x20-0x7e as "\\xHH", so every record is one line and every byte survives.
 *
 * The writer is owned by its opener and closed with rr_transcript_close
 * (NULL-safe); every record is flushed as written, so a crash keeps it.
 */
#ifndef RR_TRANSCRIPT_H
#define RR_TRANSCRIPT_H

#include <stddef.h>

#include "status.h"

typedef struct rr_transcript rr_transcript;

rr_status rr_transcript_open(const char *path, const char *spec, rr_transcript **out,
                             char *err, size_t errlen);
/* dir is '>', '<' or '!'. */
void rr_transcript_record(rr_transcript *t, char dir, const char *payload, size_t len);
void rr_transcript_note(rr_transcript *t, const char *fmt, ...);
void rr_transcript_close(rr_transcript *t);

/* One parsed record. */
typedef struct rr_transcript_rec {
    double t_s;
    char dir;       /* '>', '<', '!' */
    size_t len;     /* payload bytes (unescaped) */
} rr_transcript_rec;

/* Parses one record line (without its '\n') into rec, the unescaped payload
 * into buf (cap bytes, NUL-terminated).  Returns RR_OK, RR_ERR_NOT_FOUND for
 * a comment or blank line, RR_ERR_PARSE for a malformed one. */
rr_status rr_transcript_parse(const char *line, size_t len, rr_transcript_rec *rec,
                              char *buf, size_t cap);

#endif
