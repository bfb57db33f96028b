/* params.h - the command line's name=value protocol parameters. */
#ifndef RR_PARAMS_H
#define RR_PARAMS_H

#include <stddef.h>

#include "run.h"
#include "status.h"

/* Parses n "name=value" arguments.  On success *out is a new array of n
 * overrides whose names it owns (rr_overrides_free).  On failure *out is
 * NULL and err names the argument: not name=value, a value that is not a
 * decimal number (nan, inf and hex included), a name given twice. */
rr_status rr_overrides_parse(size_t n, char *const *args, rr_override **out, char *err,
                             size_t errlen);
void rr_overrides_free(rr_override *o, size_t n); /* NULL-safe */

#endif
