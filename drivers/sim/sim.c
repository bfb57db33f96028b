/* sim.c - placeholder until the simulator lands. */
#include <stdio.h>

#include "instrument.h"

rr_status rr_sim_open(const char *preset, const rr_open_options *opt,
                      rr_instrument **out, char *err, size_t errlen)
{
    (void)preset;
    (void)opt;
    *out = NULL;
    if (err)
        snprintf(err, errlen, "the simulator is not built yet");
    return RR_ERR_UNSUPPORTED;
}
