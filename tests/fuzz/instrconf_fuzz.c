/* instrconf_fuzz.c - libFuzzer harness for the instrument config loader
 * (drivers/linedma/instrconf.h): the input is a config file, loaded with
 * rr_instrconf_load from a memfd path (fuzzfile.h), as `relaxrun -I
 * lab.yaml` does.  Nothing is opened: the connection string is only parsed.
 *
 * Checked beyond memory safety: a loaded config is self-consistent (each
 * limit given is finite and flagged in limits_set, the others NAN; the
 * canonical connection string parses back to the same connection, or is
 * replay:TRANSCRIPT; the
 * timeout is finite and not negative); the limit helpers run on it; a
 * refused config leaves *out NULL with a message.  With RR_FUZZ_STRICT=1
 * the message must also name the file.
 *
 * Build: -DRELAXRUN_FUZZ=ON with clang; run: tests/fuzz/run-all.sh. */
#define _GNU_SOURCE
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzfile.h"
#include "linedma/instrconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The canonical string is what rr_linedma_open gets: it must parse back to
 * itself (or be replay:TRANSCRIPT).  (This found hosts holding '[' or ']',
 * now refused: corpus/instrconf/regress-*.) */
static void check_connection(const rr_instrconf *c)
{
    if (c->replay) {
        if (strncmp(c->connection, "replay:", 7) != 0 || !c->connection[7])
            abort();
        return;
    }
    rr_conn back;
    char err[512];
    if (rr_conn_parse(c->connection, &back, err, sizeof err) != RR_OK) {
        fprintf(stderr, "canonical connection '%s' does not parse: %s\n", c->connection, err);
        abort();
    }
    char again[sizeof c->connection];
    rr_conn_format(&back, again, sizeof again);
    if (strcmp(again, c->connection) != 0) {
        fprintf(stderr, "connection does not round-trip: '%s' -> '%s'\n", c->connection, again);
        abort();
    }
}

static void check_config(const rr_instrconf *c)
{
    const double *lim[] = {&c->limits.temp_min_K, &c->limits.temp_max_K,
                           &c->limits.strain_max, &c->limits.rate_max_K_per_min,
                           &c->limits.freq_min_Hz, &c->limits.freq_max_Hz};
    for (unsigned i = 0; i < 6; i++) {
        bool set = (c->limits_set >> i) & 1;
        if (set != !isnan(*lim[i]) || (set && !isfinite(*lim[i]))) {
            fprintf(stderr, "limit %u: set=%d value=%g\n", i, set, *lim[i]);
            abort();
        }
    }
    if (!isfinite(c->timeout_s) || c->timeout_s < 0)
        abort();
    if (!memchr(c->connection, 0, sizeof c->connection) || !memchr(c->path, 0, sizeof c->path))
        abort();
    check_connection(c);
    /* The helpers a run applies on connect, against a device's limits. */
    rr_limits dev = {123, 873, 0.02, 20, 0.01, 200}, eff;
    char err[512];
    rr_limits_check_within(&c->limits, &dev, err, sizeof err);
    rr_instrconf_effective_limits(c, &dev, &eff);
    if (isnan(eff.temp_min_K) || isnan(eff.strain_max) || isnan(eff.freq_max_Hz))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzzfile_write("lab.yaml", data, size);
    rr_instrconf *c = (rr_instrconf *)(uintptr_t)1;
    char err[2048] = "";
    rr_status st = rr_instrconf_load(path, &c, err, sizeof err);
    if (st == RR_OK) {
        if (!c)
            abort();
        check_config(c);
        rr_instrconf_free(c);
    } else if (c || !err[0]) {
        abort();
    } else if (getenv("RR_FUZZ_STRICT") && st != RR_ERR_NOMEM && !strstr(err, path)) {
        fprintf(stderr, "message does not name the file: %s\n", err);
        abort();
    }
    return 0;
}
