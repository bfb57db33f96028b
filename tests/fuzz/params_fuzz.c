/* params_fuzz.c - libFuzzer harness for the command line's name=value
 * parameters (engine/params.h): the input is split on NUL and newline into
 * arguments, as the shell would pass them, and given to
 * rr_overrides_parse.
 *
 * Checked beyond memory safety: on success every name is non-empty, without
 * '=', unique, and its value is finite and equal to rr_parse_number of the
 * text after the first '='; on failure *out is NULL and the message is set.
 *
 * Build: -DRELAXRUN_FUZZ=ON with clang; run: tests/fuzz/run-all.sh. */
#define _GNU_SOURCE
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "yamlconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Each argument its own exact-size allocation, so ASan sees overruns. */
    char *args[MAX_ARGS];
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size && n < MAX_ARGS; i++) {
        if (i == size || data[i] == 0 || data[i] == '\n') {
            size_t len = i - start;
            char *a = malloc(len + 1);
            if (!a)
                abort();
            memcpy(a, data + start, len);
            a[len] = 0;
            args[n++] = a;
            start = i + 1;
        }
    }
    rr_override *o = (rr_override *)(uintptr_t)1;
    char err[512] = "";
    rr_status st = rr_overrides_parse(n, args, &o, err, sizeof err);
    if (st == RR_OK) {
        if (!o)
            abort();
        for (size_t i = 0; i < n; i++) {
            const char *name = o[i].name;
            if (!name || !*name || strchr(name, '=') || !isfinite(o[i].value))
                abort();
            const char *eq = strchr(args[i], '=');
            double v;
            if (!eq || (size_t)(eq - args[i]) != strlen(name) ||
                strncmp(args[i], name, strlen(name)) != 0 ||
                rr_parse_number(eq + 1, &v) != RR_OK || v != o[i].value)
                abort();
            for (size_t j = 0; j < i; j++)
                if (strcmp(o[j].name, name) == 0)
                    abort();
        }
        rr_overrides_free(o, n);
    } else if (o || (st != RR_ERR_NOMEM && !err[0])) {
        abort();
    }
    for (size_t i = 0; i < n; i++)
        free(args[i]);
    return 0;
}
