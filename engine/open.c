/* open.c - opening an instrument from its spec string. */
#include <stdio.h>
#include <string.h>

#include "instrument.h"

rr_status rr_instrument_open(const char *spec, const rr_open_options *opt,
                             rr_instrument **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!spec || !*spec || strcmp(spec, "sim") == 0)
        return rr_sim_open(NULL, opt, out, err, errlen);
    if (strncmp(spec, "sim:", 4) == 0)
        return rr_sim_open(spec + 4, opt, out, err, errlen);
    if (strncmp(spec, "tcp:", 4) == 0 || strncmp(spec, "serial:", 7) == 0)
        return rr_linedma_open(spec, opt, out, err, errlen);
    if (strncmp(spec, "replay:", 7) == 0)
        return rr_replay_open(spec + 7, opt, out, err, errlen);
    if (err)
        snprintf(err, errlen,
                 "unknown instrument '%s' (expected sim, sim:PRESET, "
                 "tcp:HOST:PORT, serial:PORT[:BAUD], replay:FILE or a config .yaml)",
                 spec);
    return RR_ERR_ARG;
}
