/* specimen.h - a specimen's thermal and mechanical history across runs.
 *
 * A run names its specimen (--specimen ID, or relax.specimen in the
 * protocol).  At the end of every run that is not a dry run, relaxrun
 * appends what the run did to the specimen (time at each temperature,
 * anneals, loadings) to SAMPLES_DIR/ID.yaml, where SAMPLES_DIR is
 * $RELAXRUN_SAMPLES, else ~/.local/share/relaxrun/samples.
 * `relaxrun sample ID` shows the history.  A protocol that assumes a fresh
 * sample (relax.specimen{fresh = true}) gets a warning when the specimen
 * has been annealed or loaded before: the stage-1 extra decay of the
 * paper's Fig. 3 depends on exactly that.
 */
#ifndef RR_SPECIMEN_H
#define RR_SPECIMEN_H

#include <stdbool.h>
#include <stddef.h>

#include "run.h"
#include "status.h"

/* What a specimen has been through, summed over its recorded runs. */
typedef struct rr_specimen_summary {
    size_t runs;
    size_t loadings;          /* recorded steps at a non-zero strain */
    double heated_s;          /* time with the heater at a setpoint */
    double max_temperature_K; /* highest setpoint */
    char last_run[512];
} rr_specimen_summary;

/* Reads the history of id (an empty summary when there is none).
 * RR_ERR_ARG when id is not a valid name (letters, digits, '-', '_', '.'). */
rr_status rr_specimen_summary_read(const char *id, rr_specimen_summary *out, char *err,
                                   size_t errlen);

/* Appends this run's history (from its timeline) to the specimen's file. */
rr_status rr_specimen_record(const char *id, const rr_run *run, const char *rundir,
                             const char *protocol, const char *status, char *err,
                             size_t errlen);

/* `relaxrun sample ID`. */
int rr_sample_main(int argc, char **argv);

#endif
