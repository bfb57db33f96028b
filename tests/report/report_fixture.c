/* report_fixture.c - `report_fixture DIR|--temp [NSEG]`: writes a fake
 * sweep run (fixture.h) into DIR (or a temporary directory, removed after)
 * and its report, printing how long the report took.  Used by the Chromium
 * test and the benchmark. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "report.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: report_fixture DIR|--temp [NSEG]\n");
        return 2;
    }
    size_t nseg = argc > 2 ? (size_t)atoi(argv[2]) : 20;
    char dir[600];
    bool temp = strcmp(argv[1], "--temp") == 0;
    if (temp) {
        if (fx_tempdir(dir, sizeof dir, "bench") != 0) {
            perror("report_fixture: mkdtemp");
            return 1;
        }
    } else {
        snprintf(dir, sizeof dir, "%s", argv[1]);
    }
    if (fx_write_sweep(dir, nseg) != 0) {
        fprintf(stderr, "report_fixture: cannot write %s\n", dir);
        return 1;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    char err[1200];
    rr_status st = rr_report_write(dir, 0, err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (temp)
        fx_remove_tree(dir);
    if (st != RR_OK) {
        fprintf(stderr, "report_fixture: %s\n", err);
        return 1;
    }
    printf("report_fixture: %zu segments: report with plots in %.3f s\n", nseg,
           (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec));
    return 0;
}
