/* instrument.c - opening an instrument from its spec string, and the few
 * helpers every driver shares. */
#include "instrument.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const clamp_words[] = {"TENS", "SCANT", "DCANT", "COMP"};

const char *rr_clamp_word(rr_clamp c)
{
    if ((unsigned)c < sizeof clamp_words / sizeof clamp_words[0])
        return clamp_words[c];
    return "?";
}

rr_status rr_clamp_parse(const char *word, rr_clamp *out)
{
    static const struct {
        const char *name;
        rr_clamp mode;
    } aliases[] = {
        {"TENS", RR_CLAMP_TENSION},     {"tension", RR_CLAMP_TENSION},
        {"SCANT", RR_CLAMP_SINGLE_CANTILEVER},
        {"single_cantilever", RR_CLAMP_SINGLE_CANTILEVER},
        {"DCANT", RR_CLAMP_DUAL_CANTILEVER},
        {"dual_cantilever", RR_CLAMP_DUAL_CANTILEVER},
        {"COMP", RR_CLAMP_COMPRESSION}, {"compression", RR_CLAMP_COMPRESSION},
    };
    if (!word)
        return RR_ERR_ARG;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (strcasecmp(word, aliases[i].name) == 0) {
            *out = aliases[i].mode;
            return RR_OK;
        }
    }
    return RR_ERR_ARG;
}

void rr_instrument_close(rr_instrument *in)
{
    if (!in)
        return;
    if (in->ops && in->ops->close)
        in->ops->close(in->ctx);
    free(in);
}
