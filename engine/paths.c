/* paths.c - locating scripts, protocols and presets. */
#include "paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef RELAXRUN_SOURCE_DIR
#define RELAXRUN_SOURCE_DIR "."
#endif
#ifndef RELAXRUN_DATADIR_REL
#define RELAXRUN_DATADIR_REL "share/relaxrun"
#endif

static int is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Fills p from a candidate data dir; 0 if it has no scripts/relax.lua. */
static int try_dir(rr_paths *p, const char *dir)
{
    char probe[1200];
    if (strlen(dir) > sizeof p->datadir - 40)
        return 0; /* too long for the paths derived from it */
    snprintf(probe, sizeof probe, "%.1100s/scripts/relax.lua", dir);
    if (!is_file(probe))
        return 0;
    char *real = realpath(dir, NULL);
    snprintf(p->datadir, sizeof p->datadir, "%s", real ? real : dir);
    free(real);
    snprintf(p->scripts_dir, sizeof p->scripts_dir, "%s/scripts", p->datadir);
    snprintf(p->protocols_dir, sizeof p->protocols_dir, "%s/protocols", p->datadir);
    snprintf(p->presets_dir, sizeof p->presets_dir, "%s/drivers/sim/presets", p->datadir);
    if (!is_dir(p->presets_dir))
        snprintf(p->presets_dir, sizeof p->presets_dir, "%s/presets", p->datadir);
    return 1;
}

rr_status rr_paths_resolve(rr_paths *p)
{
    memset(p, 0, sizeof *p);
    const char *env = getenv("RELAXRUN_DATADIR");
    if (env && *env && try_dir(p, env))
        return RR_OK;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0; /* PREFIX/bin */
            char cand[PATH_MAX + 64];
            snprintf(cand, sizeof cand, "%s/../%s", exe, RELAXRUN_DATADIR_REL);
            if (try_dir(p, cand))
                return RR_OK;
        }
    }
    if (try_dir(p, RELAXRUN_SOURCE_DIR))
        return RR_OK;
    return RR_ERR_NOT_FOUND;
}

rr_status rr_paths_find_protocol(const rr_paths *p, const char *given,
                                 char *out, size_t len)
{
    if (is_file(given)) {
        snprintf(out, len, "%s", given);
        return RR_OK;
    }
    if (given[0] != '/') {
        char cand[2200];
        snprintf(cand, sizeof cand, "%s/%s", p->datadir, given);
        if (is_file(cand)) {
            snprintf(out, len, "%s", cand);
            return RR_OK;
        }
    }
    return RR_ERR_NOT_FOUND;
}
