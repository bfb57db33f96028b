/* sim.h - the simulated DMA's public extras beyond rr_sim_open() (declared
 * in instrument.h).  The simulator's model and its sim_set keys are
 * described in docs/simulator.md. */
#ifndef RR_SIM_H
#define RR_SIM_H

#include <stddef.h>

#include "status.h"

#define RR_SIM_DEFAULT_PRESET "La60Ni15Al25"

/* Where a preset lives: NULL or "" means the default preset; a name ending
 * in .yaml (or .yml) is a file path used as is; otherwise
 * PRESETS_DIR/NAME.yaml (presets_dir NULL: the source tree's presets).
 * RR_ERR_ARG for a name with a path separator, RR_ERR_RANGE if path is too
 * short. */
rr_status rr_sim_preset_path(const char *preset, const char *presets_dir,
                             char *path, size_t len);

#endif
