/* csv_fuzz.c - libFuzzer harness for the analysis module's CSV reader
 * (engine/analysis/csv.h), as relax.analysis.read_csv uses it.  The first
 * byte picks the column names (defaults, or custom names that may be
 * missing) and whether a label is given; the rest is the file, read from a
 * memfd path (fuzzfile.h).
 *
 * Checked beyond memory safety: a series read has at least one sample,
 * finite strictly increasing times and finite stress (the reader's
 * promise); a refused file leaves *out NULL with a message that fits
 * RR_AN_ERRLEN.  With RR_FUZZ_STRICT=1 the message must name the file.
 *
 * Build: -DRELAXRUN_FUZZ=ON with clang; run: tests/fuzz/run-all.sh. */
#define _GNU_SOURCE
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fuzzfile.h"
#include "series_ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned sel = data[0];
    const char *path = fuzzfile_write("data.csv", data + 1, size - 1);
    rr_csv_columns cols = {0};
    if (sel & 1)
        cols = (rr_csv_columns){.time = "t", .stress = "s", .temperature = "T", .strain = "e"};
    else if (sel & 2)
        cols = (rr_csv_columns){.time = "time_s", .stress = "stress_MPa"};
    const char *label = (sel & 4) ? "a label that is rather long, longer than the label field of "
                                    "a series, to check that it is cut, not overrun"
                                  : NULL;
    rr_series *s = (rr_series *)(uintptr_t)1;
    /* One byte more than the promised size, to catch an overrun. */
    char err[RR_AN_ERRLEN + 1];
    memset(err, 0, sizeof err);
    rr_status st = rr_csv_read_series(path, &cols, label, &s, err);
    if (st == RR_OK) {
        if (!s || s->n == 0 || s->n > s->cap)
            abort();
        for (size_t i = 0; i < s->n; i++) {
            if (!isfinite(s->t_s[i]) || !isfinite(s->stress_MPa[i]))
                abort();
            if (i > 0 && !(s->t_s[i] > s->t_s[i - 1]))
                abort();
        }
        if (!memchr(s->label, 0, sizeof s->label))
            abort();
        rr_series_free(s);
    } else {
        if (s || !err[0] || err[RR_AN_ERRLEN] != 0)
            abort();
        if (getenv("RR_FUZZ_STRICT") && st != RR_ERR_NOMEM && !strstr(err, "data.csv")) {
            fprintf(stderr, "message does not name the file: %s\n", err);
            abort();
        }
    }
    return 0;
}
