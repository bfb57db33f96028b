/* params.c - parsing name=value parameters from the command line. */
#include "params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamlconf.h"

void rr_overrides_free(rr_override *o, size_t n)
{
    if (!o)
        return;
    for (size_t i = 0; i < n; i++)
        free((char *)o[i].name);
    free(o);
}

rr_status rr_overrides_parse(size_t n, char *const *args, rr_override **out, char *err,
                             size_t errlen)
{
    *out = NULL;
    rr_override *o = calloc(n + 1, sizeof *o);
    if (!o)
        return RR_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *arg = args[i];
        const char *eq = strchr(arg, '=');
        if (!eq || eq == arg) {
            snprintf(err, errlen, "'%s' is not a name=value parameter", arg);
            rr_overrides_free(o, i);
            return RR_ERR_PARSE;
        }
        char *name = strndup(arg, (size_t)(eq - arg));
        if (!name) {
            rr_overrides_free(o, i);
            return RR_ERR_NOMEM;
        }
        o[i].name = name;
        if (rr_parse_number(eq + 1, &o[i].value) != RR_OK) {
            snprintf(err, errlen, "parameter '%s': '%s' is not a number", name, eq + 1);
            rr_overrides_free(o, i + 1);
            return RR_ERR_PARSE;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(o[j].name, name) == 0) {
                snprintf(err, errlen, "parameter '%s' given twice", name);
                rr_overrides_free(o, i + 1);
                return RR_ERR_PARSE;
            }
        }
    }
    *out = o;
    return RR_OK;
}
