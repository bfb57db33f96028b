/* linedma.c - placeholder until the line-protocol driver lands. */
#include <stdio.h>

#include "instrument.h"

rr_status rr_linedma_open(const char *connection, const rr_open_options *opt,
                          rr_instrument **out, char *err, size_t errlen)
{
    (void)opt;
    *out = NULL;
    if (err)
        snprintf(err, errlen, "%s: the line-protocol driver is not built yet",
                 connection);
    return RR_ERR_UNSUPPORTED;
}

rr_status rr_replay_open(const char *transcript, const rr_open_options *opt,
                         rr_instrument **out, char *err, size_t errlen)
{
    (void)opt;
    *out = NULL;
    if (err)
        snprintf(err, errlen, "%s: replay is not built yet", transcript);
    return RR_ERR_UNSUPPORTED;
}
