/* paths.h - where relaxrun finds its own files.
 *
 * In order: $RELAXRUN_DATADIR; PREFIX/share/relaxrun next to an installed
 * executable (PREFIX/bin/relaxrun); the source tree the build came from.
 * A data dir is either an install tree (scripts/, protocols/, presets/) or a
 * source tree (scripts/, protocols/, drivers/sim/presets/).
 */
#ifndef RR_PATHS_H
#define RR_PATHS_H

#include <stddef.h>

#include "status.h"

typedef struct rr_paths {
    char datadir[1024];
    char scripts_dir[1100];
    char presets_dir[1100];
    char protocols_dir[1100];
} rr_paths;

rr_status rr_paths_resolve(rr_paths *p);

/* A protocol path as given, or else relative to the data dir (so that
 * `relaxrun protocols/reversibility.lua` works from anywhere). */
rr_status rr_paths_find_protocol(const rr_paths *p, const char *given,
                                 char *out, size_t len);

#endif
