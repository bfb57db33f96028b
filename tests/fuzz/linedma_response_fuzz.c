/* linedma_response_fuzz.c - libFuzzer harness for the line protocol's
 * parsers (drivers/linedma/lineproto.c): every response shape the host
 * expects, and the device-side command parser, on arbitrary bytes.  The
 * first byte picks the expectation; the rest is the line.
 *
 * Built only with -DRELAXRUN_FUZZ=ON (clang); run with
 * tests/fuzz/run-linedma.sh SECONDS. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linedma/lineproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static rr_sample samples[RR_LP_DATA_DEFAULT];
    rr_lp_response r;
    const char *line = (const char *)data + 1;
    size_t len = size - 1;
    /* An exact-size copy, so ASan sees any read past the line. */
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return 0;
    memcpy(copy, line, len);
    rr_lp_expect ex = (rr_lp_expect)(data[0] % 5);
    size_t nv = (size_t)(data[0] >> 4) % (RR_LP_MAX_VALUES + 1);
    size_t max = data[0] & 8 ? 3 : RR_LP_DATA_DEFAULT;
    if (rr_lp_parse_response(copy, len, ex, nv, samples, max, &r) == RR_OK) {
        /* What the parser accepts must be self-consistent. */
        if (r.kind == RR_LP_SAMPLES && r.nsamples > max)
            abort();
        if (r.kind == RR_LP_VALUES && r.nvalues != nv)
            abort();
        for (size_t i = 0; i < r.nvalues; i++)
            if (!isfinite(r.values[i]))
                abort();
        if (strlen(r.text) >= sizeof r.text)
            abort();
    }
    rr_lp_command c;
    int pc = rr_lp_parse_command(copy, len, &c);
    if (pc == RR_LP_CMD_VALID && (c.id >= RR_LP_CMD_COUNT || c.nargs > 3))
        abort();
    double v;
    if (rr_lp_number(copy, len, &v) && !isfinite(v))
        abort();
    free(copy);
    return 0;
}
