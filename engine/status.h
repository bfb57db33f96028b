/* status.h - the one status enum of relaxrun, and its process exit codes.
 *
 * Every C function that can fail returns rr_status: 0 for success, a negative
 * code for an error.  The codes and their messages come from one X-macro list
 * so that they cannot drift apart.
 */
#ifndef RR_STATUS_H
#define RR_STATUS_H

#define RR_STATUS_MAP(X)                                                     \
    X(OK, 0, "success")                                                      \
    X(ERR_NOMEM, -1, "out of memory")                                        \
    X(ERR_IO, -2, "input/output error")                                      \
    X(ERR_PARSE, -3, "malformed input")                                      \
    X(ERR_RANGE, -4, "value out of range")                                   \
    X(ERR_ARG, -5, "invalid argument")                                       \
    X(ERR_UNSUPPORTED, -6, "not supported by this instrument")               \
    X(ERR_INSTRUMENT, -7, "instrument fault")                                \
    X(ERR_LINK, -8, "lost link to the instrument")                           \
    X(ERR_TIMEOUT, -9, "timed out")                                          \
    X(ERR_ABORTED, -10, "aborted")                                           \
    X(ERR_LIMIT, -11, "limit exceeded")                                      \
    X(ERR_STATE, -12, "settings conflict")                                   \
    X(ERR_NOT_READY, -13, "data not ready")                                  \
    X(ERR_NOT_FOUND, -14, "not found")                                       \
    X(ERR_BUSY, -15, "busy")                                                 \
    X(ERR_NUMERIC, -16, "numerical failure")                                 \
    X(ERR_INTERRUPTED, -17, "step interrupted by a pause")

typedef enum rr_status {
#define RR_STATUS_ENUM(name, code, msg) RR_##name = code,
    RR_STATUS_MAP(RR_STATUS_ENUM)
#undef RR_STATUS_ENUM
} rr_status;

/* A static message for a status code; never NULL. */
const char *rr_strerror(rr_status st);

/* Exit status of the relaxrun process (shared by --help, docs and tests). */
enum rr_exit {
    RR_EXIT_OK = 0,         /* done */
    RR_EXIT_INTERNAL = 1,   /* internal error */
    RR_EXIT_USAGE = 2,      /* bad option, unknown parameter, not a number */
    RR_EXIT_PROTOCOL = 3,   /* Lua error, limit the protocol asked to break */
    RR_EXIT_INSTRUMENT = 4, /* fault, lost link, missing or busy port */
    RR_EXIT_ABORTED = 5     /* SIGINT, SIGTERM */
};

#endif
