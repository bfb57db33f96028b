/* test_csv.c - reading recorded and user CSV files into a series, and the
 * error each malformed file gets (file, line and column named). */
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "harness.h"
#include "series_ops.h"

/* Writes text to a file in the build directory; returns its path. */
static const char *put(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s", name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

/* Expects reading text to fail with a message containing want. */
static int fails_with(const char *name, const char *text,
                      const rr_csv_columns *cols, const char *want)
{
    rr_series *s = (rr_series *)1;
    char err[RR_AN_ERRLEN] = "";
    rr_status st = rr_csv_read_series(put(name, text), cols, NULL, &s, err);
    int ok = st != RR_OK && s == NULL && strstr(err, want) != NULL;
    if (!ok)
        fprintf(stderr, "  %s: status %d, message \"%s\", wanted \"%s\"\n", name,
                st, err, want);
    return ok;
}

TEST(recorded_format)
{
    const char *p = put("rec.csv",
                        "time_s,step_time_s,temperature_K,strain_m_per_m,stress_MPa\n"
                        "1000.5,0.5,315.01,0.006,240.0\n"
                        "1000.6,0.6,315.02,0.006,239.5\r\n"
                        "\n"
                        "1000.7,0.7,315.00,0.006,239.25\n");
    rr_series *s;
    char err[RR_AN_ERRLEN];
    CHECK(rr_csv_read_series(p, NULL, NULL, &s, err) == RR_OK);
    if (!s)
        return;
    CHECK(s->n == 3);
    CHECK_REL(s->t_s[0], 0.5, 1e-15);
    CHECK_REL(s->t0_s, 1000.0, 1e-15);
    CHECK_REL(s->stress_MPa[2], 239.25, 1e-15);
    CHECK_REL(s->temp_K[1], 315.02, 1e-15);
    CHECK_REL(s->strain[0], 0.006, 1e-15);
    CHECK(strcmp(s->label, "rec.csv") == 0);
    rr_series_free(s);
}

TEST(user_format_with_named_columns)
{
    const char *p = put("user.csv", "# a comment\n\"t\", \"sig\", other\n1, 10, x\n2, 9, y\n");
    rr_series *s;
    rr_csv_columns c = {.time = "t", .stress = "sig"};
    CHECK(rr_csv_read_series(p, &c, "mine", &s, NULL) == RR_OK);
    if (!s)
        return;
    CHECK(s->n == 2 && strcmp(s->label, "mine") == 0);
    CHECK(isnan(s->temp_K[0]) && isnan(s->strain[1])); /* not recorded */
    CHECK_REL(s->stress_MPa[1], 9, 0);
    rr_series_free(s);
}

TEST(malformed_files_are_named)
{
    const char *hdr = "time_s,step_time_s,temperature_K,strain_m_per_m,stress_MPa\n";
    char buf[512];
    CHECK(fails_with("nohdr.csv", "", NULL, "nohdr.csv: no header row"));
    CHECK(fails_with("nostress.csv", "time_s,temperature_K\n1,300\n", NULL,
                     "nostress.csv:1: no stress column"));
    rr_csv_columns c = {.stress = "force_N"};
    CHECK(fails_with("named.csv", "t_s,stress_MPa\n1,2\n", &c,
                     "named.csv:1: no stress column 'force_N'"));
    snprintf(buf, sizeof buf, "%s1000.5,0.5,315,0.006,240\n1000.6,0.6,315,0.006,2x4\n", hdr);
    CHECK(fails_with("badnum.csv", buf, NULL,
                     "badnum.csv:3: column 'stress_MPa': '2x4' is not a number"));
    snprintf(buf, sizeof buf, "%s1000.5,0.5,315,0.006\n", hdr);
    CHECK(fails_with("short.csv", buf, NULL, "short.csv:2: 4 fields, the header has 5"));
    snprintf(buf, sizeof buf, "%s1000.5,0.5,315,0.006,240\n1000.5,0.5,315,0.006,240\n", hdr);
    CHECK(fails_with("repeat.csv", buf, NULL,
                     "repeat.csv:3: column 'step_time_s': time 0.5 does not increase"));
    snprintf(buf, sizeof buf, "%s1000.5,0.5,315,0.006,240\n1000.4,0.4,315,0.006,240\n", hdr);
    CHECK(fails_with("unsorted.csv", buf, NULL, "unsorted.csv:3: column 'step_time_s'"));
    snprintf(buf, sizeof buf, "%s1000.5,0.5,315,0.006,nan\n", hdr);
    CHECK(fails_with("nan.csv", buf, NULL, "nan.csv:2: column 'stress_MPa': nan is not finite"));
    snprintf(buf, sizeof buf, "%s1000.5,inf,315,0.006,1\n", hdr);
    CHECK(fails_with("inf.csv", buf, NULL, "inf.csv:2: column 'step_time_s': inf is not finite"));
    snprintf(buf, sizeof buf, "%s1000.5,0.5,315,0.006,\n", hdr);
    CHECK(fails_with("empty.csv", buf, NULL, "empty.csv:2: column 'stress_MPa': '' is not a number"));
    CHECK(fails_with("nodata.csv", hdr, NULL, "nodata.csv: no data rows"));
    rr_series *s = NULL;
    char err[RR_AN_ERRLEN];
    CHECK(rr_csv_read_series("does/not/exist.csv", NULL, NULL, &s, err) == RR_ERR_IO);
    CHECK(strstr(err, "does/not/exist.csv: cannot open") != NULL && s == NULL);
}

int main(void)
{
    RUN(recorded_format);
    RUN(user_format_with_named_columns);
    RUN(malformed_files_are_named);
    return rr_test_summary();
}
