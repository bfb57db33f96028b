/* recorder.c - writes the run directory as the run goes. */
#include "recorder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "yamlconf.h"

#ifndef RELAXRUN_VERSION
#define RELAXRUN_VERSION "0"
#endif

typedef struct param {
    char *name, *unit, *description;
    double value;
    bool overridden;
} param;

typedef struct result {
    char *name, *value, *unit, *description;
    bool is_text;
} result;

typedef struct table {
    char *name, *file;
    char **columns; /* ncols names, each written escaped */
    size_t ncols, rows;
} table;

typedef struct segment {
    char *file, *label, *kind;
    double t0_s, strain, temp_K;
    size_t samples;
    bool open, interrupted;
    bool cut_short; /* still open when the run ended otherwise than complete */
    bool data_lost; /* the instrument lost samples while it was recorded */
    char paused[512]; /* YAML flow list of [from_s, to_s] pairs */
} segment;

struct rr_recorder {
    char dir[1024];
    char *protocol_path, *protocol_sha256, *command_line, *description;
    bool dry_run;
    char *instrument_spec, *instrument_identity;
    rr_limits limits;
    bool have_limits;
    unsigned long seed;
    char started[32], ended[32];
    rr_end end;
    char *end_message;
    bool paused;

    param *params;
    size_t nparams;
    result *results;
    size_t nresults;
    segment *segments;
    size_t nsegments;
    char **copies; /* files already copied, "subdir/basename" */
    size_t ncopies;
    table *tables;
    size_t ntables;
    char **plots; /* YAML flow mappings */
    size_t nplots;
    char **losses; /* what the instrument said of samples it lost */
    size_t nlosses;

    FILE *events;
    FILE *csv; /* current segment */
    bool durable; /* fsync files (real instruments: survive a power loss) */
    size_t total_samples;
};

const char *rr_end_word(rr_end e)
{
    static const char *const words[] = {
        "running",       "complete",           "usage_error", "protocol_error",
        "instrument_failure", "aborted", "output_error", "internal_error"};
    return (unsigned)e < sizeof words / sizeof words[0] ? words[e] : "unknown";
}

int rr_end_exit_code(rr_end e)
{
    switch (e) {
    case RR_END_COMPLETE: return RR_EXIT_OK;
    case RR_END_USAGE_ERROR: return RR_EXIT_USAGE;
    case RR_END_PROTOCOL_ERROR: return RR_EXIT_PROTOCOL;
    case RR_END_INSTRUMENT_FAILURE: return RR_EXIT_INSTRUMENT;
    case RR_END_ABORTED: return RR_EXIT_ABORTED;
    case RR_END_OUTPUT_ERROR: return RR_EXIT_INTERNAL;
    default: return RR_EXIT_INTERNAL;
    }
}

static char *dupstr(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void iso_now(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Grows *arr (of elements of size sz) to hold n + 1 elements. */
static rr_status grow(void **arr, size_t n, size_t sz)
{
    void *p = realloc(*arr, (n + 1) * sz);
    if (!p)
        return RR_ERR_NOMEM;
    *arr = p;
    return RR_OK;
}

static rr_status mkdir_p(const char *path)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0775) != 0 && errno != EEXIST)
                return RR_ERR_IO;
            *p = '/';
        }
    }
    if (mkdir(tmp, 0775) != 0 && errno != EEXIST)
        return RR_ERR_IO;
    return RR_OK;
}

/* What dir holds besides "." and ".." (and besides the entry named skip):
 * *has_run when a manifest.yaml, *empty when nothing.  -1 with errno when
 * it cannot be read. */
static int dir_holds(const char *dir, const char *skip, bool *has_run, bool *empty)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    *has_run = false;
    *empty = true;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            (skip && strcmp(e->d_name, skip) == 0))
            continue;
        *empty = false;
        *has_run = *has_run || strcmp(e->d_name, "manifest.yaml") == 0;
    }
    closedir(d);
    return 0;
}

/* Takes dir (without trailing '/') for this run alone: its parents are
 * created as needed, dir itself must be new or empty, and the run's claim on
 * it is the reserve file, created exclusively, so that of two runs given
 * the same directory at the same moment exactly one gets it.  RR_ERR_ARG
 * when it is not ours to take (a usage error); RR_ERR_IO with errno set
 * when it cannot be created. */
static rr_status claim_dir(const char *dir, int *reserve_fd, char *err, size_t errlen)
{
    char parent[1024];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        if (mkdir_p(parent) != RR_OK) {
            snprintf(err, errlen, "%s: cannot create the run directory: %s", dir,
                     strerror(errno));
            return RR_ERR_IO;
        }
    }
    if (mkdir(dir, 0775) != 0) {
        if (errno != EEXIST) {
            snprintf(err, errlen, "%s: cannot create the run directory: %s", dir,
                     strerror(errno));
            return RR_ERR_IO;
        }
        /* It exists: only an empty directory (e.g. from mkdtemp) is taken,
         * never an earlier run's, which would be overwritten. */
        bool has_run, empty;
        if (dir_holds(dir, NULL, &has_run, &empty) != 0) {
            snprintf(err, errlen, "%s: cannot be the run directory: %s", dir,
                     strerror(errno));
            return errno == ENOTDIR ? RR_ERR_ARG : RR_ERR_IO;
        }
        if (has_run) {
            snprintf(err, errlen, "%s: already holds a run (manifest.yaml), which is not "
                     "overwritten: give a new or empty directory, or `relaxrun resume %s` "
                     "to go on with an interrupted run", dir, dir);
            return RR_ERR_ARG;
        }
        if (!empty) {
            snprintf(err, errlen, "%s: is not empty; the run directory must be new or "
                     "empty", dir);
            return RR_ERR_ARG;
        }
    }
    char path[1100];
    snprintf(path, sizeof path, "%s/.reserve", dir);
    *reserve_fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0664);
    if (*reserve_fd < 0) {
        if (errno == EEXIST) {
            snprintf(err, errlen, "%s: taken by another run that started at the same "
                     "time; give another output directory", dir);
            return RR_ERR_ARG;
        }
        snprintf(err, errlen, "%s: cannot create the run directory: %s", dir,
                 strerror(errno));
        return RR_ERR_IO;
    }
    /* Claimed, but a run that took the directory, ran and released its
     * reserve while this one was between looking and claiming would be
     * overwritten: look again, now that no other run can claim it. */
    bool has_run, empty;
    if (dir_holds(dir, ".reserve", &has_run, &empty) != 0 || !empty) {
        close(*reserve_fd);
        *reserve_fd = -1;
        unlink(path);
        snprintf(err, errlen, "%s: taken by another run that started at the same "
                 "time; give another output directory", dir);
        return RR_ERR_ARG;
    }
    return RR_OK;
}

/* A label safe for a file name: letters, digits, '-', '_'. */
static void file_safe(const char *in, char *out, size_t len)
{
    size_t j = 0;
    for (; *in && j + 1 < len; in++) {
        char c = *in;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        out[j++] = ok ? c : '_';
    }
    out[j] = 0;
}

int rr_recorder_open_exit_code(rr_status st)
{
    return st == RR_ERR_ARG ? RR_EXIT_USAGE : RR_EXIT_INTERNAL;
}

rr_status rr_recorder_open(const char *dir, const char *protocol_name,
                           rr_recorder **out, char *err, size_t errlen)
{
    *out = NULL;
    rr_recorder *r = calloc(1, sizeof *r);
    if (!r)
        return RR_ERR_NOMEM;
    iso_now(r->started, sizeof r->started);
    int reserve = -1;
    if (dir) {
        snprintf(r->dir, sizeof r->dir, "%s", dir);
        for (size_t n = strlen(r->dir); n > 1 && r->dir[n - 1] == '/'; n--)
            r->dir[n - 1] = 0; /* "out/" is "out" */
        rr_status st = claim_dir(r->dir, &reserve, err, errlen);
        if (st != RR_OK) {
            free(r);
            return st;
        }
    } else {
        char stamp[32], name[128];
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
        file_safe(protocol_name ? protocol_name : "run", name, sizeof name);
        if (mkdir("runs", 0775) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "runs: cannot create: %s", strerror(errno));
            free(r);
            return RR_ERR_IO;
        }
        for (int i = 1;; i++) {
            if (i == 1)
                snprintf(r->dir, sizeof r->dir, "runs/%s-%s", stamp, name);
            else
                snprintf(r->dir, sizeof r->dir, "runs/%s-%s-%d", stamp, name, i);
            if (mkdir(r->dir, 0775) == 0)
                break;
            if (errno != EEXIST || i > 999) {
                snprintf(err, errlen, "%s: cannot create: %s", r->dir,
                         strerror(errno));
                free(r);
                return RR_ERR_IO;
            }
        }
        char path[1100];
        snprintf(path, sizeof path, "%s/.reserve", r->dir);
        reserve = open(path, O_WRONLY | O_CREAT | O_EXCL, 0664);
    }
    char path[1100];
    /* The reserve: space for the last manifest when the disk fills up. */
    snprintf(path, sizeof path, "%s/.reserve", r->dir);
    if (reserve >= 0) {
        static const char zeros[4096];
        bool full = false;
        for (int i = 0; i < 64 && !full; i++) {
            ssize_t n = write(reserve, zeros, sizeof zeros);
            if (n != (ssize_t)sizeof zeros) {
                if (n >= 0)
                    errno = ENOSPC; /* a short write: the disk filled up */
                full = true;
            }
        }
        if (close(reserve) != 0 || full) {
            snprintf(err, errlen, "%s: no space for the run: %s", r->dir, strerror(errno));
            unlink(path);
            free(r);
            return RR_ERR_IO;
        }
    }
    snprintf(path, sizeof path, "%s/segments", r->dir);
    if (mkdir_p(path) != RR_OK) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        free(r);
        return RR_ERR_IO;
    }
    snprintf(path, sizeof path, "%s/events.log", r->dir);
    r->events = fopen(path, "a");
    if (!r->events) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        free(r);
        return RR_ERR_IO;
    }
    rr_status st = rr_recorder_write_manifest(r);
    if (st != RR_OK) {
        snprintf(err, errlen, "%s/manifest.yaml: cannot write: %s", r->dir,
                 strerror(errno));
        rr_recorder_free(r);
        return st;
    }
    *out = r;
    return RR_OK;
}

rr_status rr_recorder_reopen(const char *dir, const char *started, rr_recorder **out,
                             char *err, size_t errlen)
{
    *out = NULL;
    rr_recorder *r = calloc(1, sizeof *r);
    if (!r)
        return RR_ERR_NOMEM;
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    snprintf(r->started, sizeof r->started, "%s", started && *started ? started : "");
    if (!r->started[0])
        iso_now(r->started, sizeof r->started);
    char path[1100];
    snprintf(path, sizeof path, "%s/events.log", r->dir);
    r->events = fopen(path, "a");
    if (!r->events) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        free(r);
        return RR_ERR_IO;
    }
    *out = r;
    return RR_OK;
}

const char *rr_recorder_dir(const rr_recorder *r) { return r->dir; }

void rr_recorder_set_protocol(rr_recorder *r, const char *path,
                              const char *sha256_hex)
{
    free(r->protocol_path);
    free(r->protocol_sha256);
    r->protocol_path = dupstr(path);
    r->protocol_sha256 = dupstr(sha256_hex);
}

void rr_recorder_set_command_line(rr_recorder *r, int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    free(r->command_line);
    r->command_line = calloc(1, len);
    if (!r->command_line)
        return;
    for (int i = 0; i < argc; i++) {
        if (i)
            strcat(r->command_line, " ");
        strcat(r->command_line, argv[i]);
    }
}

void rr_recorder_set_seed(rr_recorder *r, unsigned long seed) { r->seed = seed; }

void rr_recorder_set_description(rr_recorder *r, const char *text)
{
    free(r->description);
    r->description = dupstr(text);
}

const char *rr_recorder_description(const rr_recorder *r)
{
    return r->description ? r->description : "";
}

void rr_recorder_set_dry_run(rr_recorder *r, bool dry_run) { r->dry_run = dry_run; }

bool rr_recorder_param_at(const rr_recorder *r, size_t i, const char **name,
                          double *value, const char **unit,
                          const char **description)
{
    if (i >= r->nparams)
        return false;
    *name = r->params[i].name;
    *value = r->params[i].value;
    *unit = r->params[i].unit;
    *description = r->params[i].description;
    return true;
}

void rr_recorder_set_instrument(rr_recorder *r, const char *spec,
                                const char *identity, const rr_limits *lim)
{
    free(r->instrument_spec);
    free(r->instrument_identity);
    r->instrument_spec = dupstr(spec);
    r->instrument_identity = dupstr(identity);
    if (lim) {
        r->limits = *lim;
        r->have_limits = true;
    }
}

rr_status rr_recorder_add_param(rr_recorder *r, const char *name, double value,
                                const char *unit, const char *description,
                                bool overridden)
{
    if (grow((void **)&r->params, r->nparams, sizeof *r->params))
        return RR_ERR_NOMEM;
    param *p = &r->params[r->nparams++];
    p->name = dupstr(name);
    p->unit = dupstr(unit);
    p->description = dupstr(description);
    p->value = value;
    p->overridden = overridden;
    return rr_recorder_write_manifest(r); /* a resumed run needs them */
}

rr_status rr_recorder_copy(rr_recorder *r, const char *path, const char *subdir)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char key[512];
    snprintf(key, sizeof key, "%s/%s", subdir, base);
    for (size_t i = 0; i < r->ncopies; i++)
        if (strcmp(r->copies[i], key) == 0)
            return RR_OK;
    char dst[1600];
    snprintf(dst, sizeof dst, "%s/%s", r->dir, subdir);
    if (mkdir_p(dst) != RR_OK)
        return RR_ERR_IO;
    snprintf(dst, sizeof dst, "%s/%s", r->dir, key);
    FILE *in = fopen(path, "rb");
    if (!in)
        return RR_ERR_IO;
    FILE *o = fopen(dst, "wb");
    if (!o) {
        fclose(in);
        return RR_ERR_IO;
    }
    char buf[8192];
    size_t n;
    rr_status st = RR_OK;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, o) != n)
            st = RR_ERR_IO;
    if (ferror(in))
        st = RR_ERR_IO;
    fclose(in);
    if (fclose(o) != 0)
        st = RR_ERR_IO;
    if (st == RR_OK && grow((void **)&r->copies, r->ncopies, sizeof *r->copies) == RR_OK)
        r->copies[r->ncopies++] = dupstr(key);
    return st;
}

/* --- segments --------------------------------------------------------- */

/* Registers the next segment: its file is segments/NNN-LABEL.csv; path
 * receives the full path. */
static segment *next_segment(rr_recorder *r, const char *label, const char *kind,
                             double t0_s, double strain, double temp_K, char *path,
                             size_t len)
{
    if (r->csv)
        rr_recorder_segment_end(r);
    if (grow((void **)&r->segments, r->nsegments, sizeof *r->segments))
        return NULL;
    char safe[80], rel[128];
    file_safe(label && *label ? label : kind, safe, sizeof safe);
    snprintf(rel, sizeof rel, "segments/%03zu-%s.csv", r->nsegments + 1, safe);
    snprintf(path, len, "%s/%s", r->dir, rel);
    segment *s = &r->segments[r->nsegments];
    memset(s, 0, sizeof *s);
    s->file = dupstr(rel);
    s->label = dupstr(label);
    s->kind = dupstr(kind);
    s->t0_s = t0_s;
    s->strain = strain;
    s->temp_K = temp_K;
    return s;
}

rr_status rr_recorder_segment_begin(rr_recorder *r, const char *label,
                                    const char *kind, double t0_s,
                                    double strain, double temp_K)
{
    char path[1200];
    segment *s = next_segment(r, label, kind, t0_s, strain, temp_K, path, sizeof path);
    if (!s)
        return RR_ERR_NOMEM;
    FILE *f = fopen(path, "w");
    if (!f) {
        free(s->file);
        free(s->label);
        free(s->kind);
        return RR_ERR_IO;
    }
    if (fputs(RR_SEGMENT_CSV_HEADER "\n", f) == EOF || fflush(f) != 0) {
        fclose(f);
        free(s->file);
        free(s->label);
        free(s->kind);
        return RR_ERR_IO;
    }
    s->open = true;
    r->nsegments++;
    r->csv = f;
    return rr_recorder_write_manifest(r);
}

rr_status rr_recorder_segment_adopt(rr_recorder *r, const char *label, const char *kind,
                                    double t0_s, double strain, double temp_K,
                                    size_t samples, bool append, char *path, size_t len)
{
    segment *s = next_segment(r, label, kind, t0_s, strain, temp_K, path, len);
    if (!s)
        return RR_ERR_NOMEM;
    if (append && !(r->csv = fopen(path, "a"))) {
        free(s->file);
        free(s->label);
        free(s->kind);
        return RR_ERR_IO;
    }
    s->samples = samples;
    s->open = append;
    r->nsegments++;
    r->total_samples += samples;
    return RR_OK;
}

/* The most put_fixed writes for any double, NaN and infinities included:
 * fixed point up to 1e21 ("-" + 21 digits + "." + 10 decimals: 33), beyond
 * it "%.17g" ("-1.2345678901234567e+308": 24). */
enum { FIXED_MAX = 40 };

/* v with a fixed number of decimals (0 to 10) at p, at most FIXED_MAX - 1
 * characters; returns the end.  Much faster than printf, which dominated
 * the cost of a simulated run; falls back to it for values too large for
 * 64-bit fixed point, and to exponent notation where fixed point would be
 * longer than a sample line can hold (a device may send 1e300). */
static char *put_fixed(char *p, double v, int decimals)
{
    static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};
    double a = fabs(v) * scale[decimals];
    if (!(a < 9e15)) {
        int n = fabs(v) < 1e21 ? snprintf(p, FIXED_MAX, "%.*f", decimals, v)
                               : snprintf(p, FIXED_MAX, "%.17g", v);
        return p + (n < 0 ? 0 : n < FIXED_MAX ? n : FIXED_MAX - 1);
    }
    unsigned long long q = (unsigned long long)(a + 0.5);
    if (v < 0 && q)
        *p++ = '-';
    /* The digits of q, two at a time from the right, at least decimals+1. */
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char digits[32], *end = digits + sizeof digits, *d = end;
    while (q >= 100) {
        unsigned r = (unsigned)(q % 100);
        q /= 100;
        d -= 2;
        memcpy(d, pairs + 2 * r, 2);
    }
    if (q >= 10) {
        d -= 2;
        memcpy(d, pairs + 2 * q, 2);
    } else {
        *--d = (char)('0' + q);
    }
    while (end - d <= decimals)
        *--d = '0';
    size_t whole = (size_t)(end - d) - (size_t)decimals;
    memcpy(p, d, whole);
    p += whole;
    if (decimals) {
        *p++ = '.';
        memcpy(p, d + whole, (size_t)decimals);
        p += decimals;
    }
    return p;
}

void rr_recorder_set_durable(rr_recorder *r, bool durable) { r->durable = durable; }

rr_status rr_recorder_samples(rr_recorder *r, const rr_sample *x, size_t n)
{
    if (!r->csv || n == 0)
        return RR_OK;
    segment *s = &r->segments[r->nsegments - 1];
    char line[5 * FIXED_MAX + 8]; /* five fields, their commas and the newline */
    for (size_t i = 0; i < n; i++) {
        /* time_s, step_time_s: 1 us; temperature_K: 0.1 mK; strain: 1e-10;
         * stress_MPa: 1e-7 MPa (4e-10 of 240 MPa). */
        char *p = put_fixed(line, x[i].t_s, 6);
        *p++ = ',';
        p = put_fixed(p, x[i].t_s - s->t0_s, 6);
        *p++ = ',';
        p = put_fixed(p, x[i].temp_K, 4);
        *p++ = ',';
        p = put_fixed(p, x[i].strain, 10);
        *p++ = ',';
        p = put_fixed(p, x[i].stress_MPa, 7);
        *p++ = '\n';
        fwrite(line, 1, (size_t)(p - line), r->csv);
    }
    s->samples += n;
    r->total_samples += n;
    /* Hand the batch to the kernel: a killed process keeps it. */
    if (fflush(r->csv) != 0 || ferror(r->csv))
        return RR_ERR_IO;
    return RR_OK;
}

rr_status rr_recorder_segment_end(rr_recorder *r)
{
    if (!r->csv)
        return RR_OK;
    rr_status st = RR_OK;
    if (fflush(r->csv) != 0 || (r->durable && fsync(fileno(r->csv)) != 0))
        st = RR_ERR_IO;
    if (fclose(r->csv) != 0)
        st = RR_ERR_IO;
    r->csv = NULL;
    r->segments[r->nsegments - 1].open = false;
    rr_status m = rr_recorder_write_manifest(r);
    return st != RR_OK ? st : m;
}

bool rr_recorder_in_segment(const rr_recorder *r) { return r->csv != NULL; }

rr_status rr_recorder_segment_paused(rr_recorder *r, double t0_s, double t1_s,
                                     bool interrupted)
{
    if (!r->nsegments)
        return RR_OK;
    segment *s = &r->segments[r->nsegments - 1];
    size_t len = strlen(s->paused);
    snprintf(s->paused + len, sizeof s->paused - len, "%s[%.3f, %.3f]", len ? ", " : "",
             t0_s, t1_s);
    s->interrupted = s->interrupted || interrupted;
    return rr_recorder_write_manifest(r);
}

rr_status rr_recorder_data_lost(rr_recorder *r, const char *what)
{
    if (r->csv)
        r->segments[r->nsegments - 1].data_lost = true;
    char **l = realloc(r->losses, (r->nlosses + 1) * sizeof *l);
    if (!l)
        return RR_ERR_NOMEM;
    r->losses = l;
    if (!(l[r->nlosses] = dupstr(what)))
        return RR_ERR_NOMEM;
    r->nlosses++;
    return rr_recorder_write_manifest(r);
}

rr_status rr_recorder_set_paused(rr_recorder *r, bool paused)
{
    r->paused = paused;
    return rr_recorder_write_manifest(r);
}
size_t rr_recorder_total_samples(const rr_recorder *r) { return r->total_samples; }
size_t rr_recorder_segment_count(const rr_recorder *r) { return r->nsegments; }

/* --- replacing files atomically ---------------------------------------- */

/* Syncs the run directory, so that a rename in it survives a power loss. */
static rr_status sync_dir(const rr_recorder *r)
{
    int fd = open(r->dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return RR_ERR_IO;
    /* EINVAL: a file system that cannot sync a directory; nothing to lose. */
    int bad = fsync(fd) != 0 && errno != EINVAL;
    int e = errno;
    close(fd);
    errno = e;
    return bad ? RR_ERR_IO : RR_OK;
}

/* Replaces RUNDIR/name with what body writes: into a temporary file of this
 * process's own (a resume racing a run that is still alive cannot mix the
 * two), synced when durable, then renamed over name.  A reader, or a crash,
 * sees the old file or the new one, never a part.  On failure errno says
 * why. */
static rr_status replace_file(rr_recorder *r, const char *name,
                              void (*body)(rr_recorder *, FILE *))
{
    char tmp[1100], dst[1100];
    snprintf(tmp, sizeof tmp, "%s/.%s.%ld.tmp", r->dir, name, (long)getpid());
    snprintf(dst, sizeof dst, "%s/%s", r->dir, name);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return RR_ERR_IO;
    body(r, f);
    int bad = fflush(f) != 0 || ferror(f) || (r->durable && fsync(fileno(f)) != 0);
    int e = errno;
    if (fclose(f) != 0 || bad || rename(tmp, dst) != 0) {
        e = bad ? e : errno;
        unlink(tmp);
        errno = e;
        return RR_ERR_IO;
    }
    return r->durable ? sync_dir(r) : RR_OK;
}

/* --- results ---------------------------------------------------------- */

/* One CSV field, quoted when it needs to be, then the separator. */
static void csv_field(FILE *f, const char *s, char sep)
{
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(sep, f);
}

static void write_results(rr_recorder *r, FILE *f)
{
    fputs("name,value,unit,description\n", f);
    for (size_t i = 0; i < r->nresults; i++) {
        result *q = &r->results[i];
        csv_field(f, q->name, ',');
        csv_field(f, q->value, ',');
        csv_field(f, q->unit, ',');
        csv_field(f, q->description, '\n');
    }
}

static rr_status add_result(rr_recorder *r, const char *name, const char *value,
                            const char *unit, const char *description,
                            bool is_text)
{
    result *res = NULL;
    for (size_t i = 0; i < r->nresults; i++)
        if (strcmp(r->results[i].name, name) == 0)
            res = &r->results[i]; /* reported again: the last value wins */
    if (res) {
        free(res->value);
        free(res->unit);
        free(res->description);
    } else {
        if (grow((void **)&r->results, r->nresults, sizeof *r->results))
            return RR_ERR_NOMEM;
        res = &r->results[r->nresults++];
        res->name = dupstr(name);
    }
    res->value = dupstr(value);
    res->unit = dupstr(unit);
    res->description = dupstr(description);
    res->is_text = is_text;
    rr_status st = replace_file(r, "results.csv", write_results);
    return st != RR_OK ? st : rr_recorder_write_manifest(r);
}

rr_status rr_recorder_result_number(rr_recorder *r, const char *name,
                                    double value, const char *unit,
                                    const char *description)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.10g", value);
    return add_result(r, name, buf, unit, description, false);
}

rr_status rr_recorder_result_text(rr_recorder *r, const char *name,
                                  const char *value, const char *description)
{
    return add_result(r, name, value, "", description, true);
}

bool rr_recorder_result_at(const rr_recorder *r, size_t i, const char **name,
                           const char **value, const char **unit)
{
    if (i >= r->nresults)
        return false;
    *name = r->results[i].name;
    *value = r->results[i].value;
    *unit = r->results[i].unit;
    return true;
}

/* --- tables and plots ------------------------------------------------- */

rr_status rr_recorder_table(rr_recorder *r, const char *name, size_t ncols,
                            const char *const *columns, size_t nrows,
                            const double *values)
{
    char safe[128], rel[200], path[1300];
    file_safe(name, safe, sizeof safe);
    snprintf(rel, sizeof rel, "tables/%s.csv", safe);
    snprintf(path, sizeof path, "%s/tables", r->dir);
    if (mkdir_p(path) != RR_OK)
        return RR_ERR_IO;
    snprintf(path, sizeof path, "%s/%s", r->dir, rel);
    FILE *f = fopen(path, "w");
    if (!f)
        return RR_ERR_IO;
    for (size_t j = 0; j < ncols; j++)
        csv_field(f, columns[j], j + 1 < ncols ? ',' : '\n');
    for (size_t i = 0; i < nrows; i++)
        for (size_t j = 0; j < ncols; j++)
            fprintf(f, "%.10g%c", values[i * ncols + j], j + 1 < ncols ? ',' : '\n');
    int bad = fflush(f) != 0 || ferror(f);
    if (fclose(f) != 0 || bad)
        return RR_ERR_IO;

    char **cols = calloc(ncols ? ncols : 1, sizeof *cols);
    if (!cols)
        return RR_ERR_NOMEM;
    for (size_t j = 0; j < ncols; j++) {
        if (!(cols[j] = dupstr(columns[j]))) {
            while (j--)
                free(cols[j]);
            free(cols);
            return RR_ERR_NOMEM;
        }
    }
    table *t = NULL;
    for (size_t i = 0; i < r->ntables; i++)
        if (strcmp(r->tables[i].name, name) == 0)
            t = &r->tables[i]; /* reported again: replaced */
    if (!t) {
        if (grow((void **)&r->tables, r->ntables, sizeof *r->tables)) {
            for (size_t j = 0; j < ncols; j++)
                free(cols[j]);
            free(cols);
            return RR_ERR_NOMEM;
        }
        t = &r->tables[r->ntables++];
        t->name = dupstr(name);
        t->file = dupstr(rel);
    } else {
        for (size_t j = 0; j < t->ncols; j++)
            free(t->columns[j]);
        free(t->columns);
    }
    t->columns = cols;
    t->ncols = ncols;
    t->rows = nrows;
    return rr_recorder_write_manifest(r);
}

/* True when s is one line of YAML holding a flow mapping and nothing else:
 * what goes into the manifest must leave it valid YAML, whoever built it. */
static bool is_flow_mapping(const char *s)
{
    if (!s || *s != '{' || strpbrk(s, "\n\r"))
        return false;
    rr_yaml *y = NULL;
    char err[256];
    if (rr_yaml_load_string(s, strlen(s), "plot", &y, err, sizeof err) != RR_OK)
        return false;
    yaml_node_t *root = rr_yaml_root(y);
    bool ok = root && root->type == YAML_MAPPING_NODE;
    rr_yaml_free(y);
    return ok;
}

rr_status rr_recorder_plot(rr_recorder *r, const char *yaml_flow_mapping)
{
    if (!is_flow_mapping(yaml_flow_mapping))
        return RR_ERR_ARG;
    if (grow((void **)&r->plots, r->nplots, sizeof *r->plots))
        return RR_ERR_NOMEM;
    r->plots[r->nplots++] = dupstr(yaml_flow_mapping);
    return rr_recorder_write_manifest(r);
}

/* --- events ----------------------------------------------------------- */

void rr_recorder_eventv(rr_recorder *r, double t_s, const char *level,
                        const char *fmt, va_list ap)
{
    if (!r || !r->events)
        return;
    char stamp[32];
    iso_now(stamp, sizeof stamp);
    fprintf(r->events, "%s t=%.3f s %s ", stamp, t_s, level);
    vfprintf(r->events, fmt, ap);
    fputc('\n', r->events);
    fflush(r->events);
}

void rr_recorder_event(rr_recorder *r, double t_s, const char *level,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rr_recorder_eventv(r, t_s, level, fmt, ap);
    va_end(ap);
}

/* --- manifest --------------------------------------------------------- */

static void kv(FILE *f, const char *indent, const char *key, const char *value)
{
    fprintf(f, "%s%s: ", indent, key);
    rr_yaml_write_str(f, value);
    fputc('\n', f);
}

/* A mapping key: plain when it is a name (what the protocol API allows,
 * and what readers of the manifest grep for), else quoted and escaped. */
static void yaml_key(FILE *f, const char *s)
{
    bool plain = s && *s;
    for (const char *c = s; plain && *c; c++)
        plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                (*c >= '0' && *c <= '9') || *c == '_';
    if (plain)
        fputs(s, f);
    else
        rr_yaml_write_str(f, s);
}

static void write_manifest_body(rr_recorder *r, FILE *f)
{
    fputs("# relaxrun run manifest (replaced atomically as the run goes)\n", f);
    kv(f, "", "relaxrun_version", RELAXRUN_VERSION);
    kv(f, "", "status", rr_end_word(r->end));
    if (r->paused)
        fputs("paused: true\n", f);
    if (r->end_message)
        kv(f, "", "message", r->end_message);
    fprintf(f, "pid: %ld\n", (long)getpid());
    kv(f, "", "started", r->started);
    if (r->ended[0])
        kv(f, "", "ended", r->ended);
    if (r->command_line)
        kv(f, "", "command_line", r->command_line);
    if (r->dry_run)
        fputs("dry_run: true\n", f);
    if (r->description)
        kv(f, "", "description", r->description);
    fputs("protocol:\n", f);
    kv(f, "  ", "path", r->protocol_path);
    kv(f, "  ", "sha256", r->protocol_sha256);
    fprintf(f, "seed: %lu\n", r->seed);
    fputs("instrument:\n", f);
    kv(f, "  ", "spec", r->instrument_spec);
    kv(f, "  ", "identity", r->instrument_identity);
    if (r->have_limits) {
        const rr_limits *l = &r->limits;
        fprintf(f,
                "  limits: {temperature_min_K: %.10g, temperature_max_K: %.10g, "
                "strain_max: %.10g, rate_max_K_per_min: %.10g, "
                "frequency_min_Hz: %.10g, frequency_max_Hz: %.10g}\n",
                l->temp_min_K, l->temp_max_K, l->strain_max,
                l->rate_max_K_per_min, l->freq_min_Hz, l->freq_max_Hz);
    }
    fputs(r->nparams ? "parameters:\n" : "parameters: {}\n", f);
    for (size_t i = 0; i < r->nparams; i++) {
        param *p = &r->params[i];
        fputs("  ", f);
        yaml_key(f, p->name);
        fprintf(f, ": {value: %.10g, unit: ", p->value);
        rr_yaml_write_str(f, p->unit);
        fputs(", description: ", f);
        rr_yaml_write_str(f, p->description);
        fprintf(f, ", from_command_line: %s}\n", p->overridden ? "true" : "false");
    }
    fputs(r->nsegments ? "segments:\n" : "segments: []\n", f);
    for (size_t i = 0; i < r->nsegments; i++) {
        segment *s = &r->segments[i];
        kv(f, "  - ", "file", s->file);
        kv(f, "    ", "label", s->label);
        kv(f, "    ", "kind", s->kind);
        fprintf(f, "    t0_s: %.6f\n    strain_m_per_m: %.10g\n"
                   "    temperature_K: %.6g\n    samples: %zu\n"
                   "    complete: %s\n",
                s->t0_s, s->strain, s->temp_K, s->samples,
                s->open || s->cut_short ? "false" : "true");
        if (s->paused[0])
            fprintf(f, "    paused_s: [%s]\n    interrupted_by_pause: %s\n", s->paused,
                    s->interrupted ? "true" : "false");
        if (s->data_lost)
            fputs("    data_lost: true\n", f);
    }
    if (r->nlosses)
        fputs("data_lost:\n", f);
    for (size_t i = 0; i < r->nlosses; i++) {
        fputs("  - ", f);
        rr_yaml_write_str(f, r->losses[i]);
        fputc('\n', f);
    }
    fputs(r->nresults ? "results:\n" : "results: []\n", f);
    for (size_t i = 0; i < r->nresults; i++) {
        result *q = &r->results[i];
        kv(f, "  - ", "name", q->name);
        if (q->is_text)
            kv(f, "    ", "value", q->value);
        else
            fprintf(f, "    value: %s\n", q->value);
        kv(f, "    ", "unit", q->unit);
        kv(f, "    ", "description", q->description);
    }
    fputs(r->ntables ? "tables:\n" : "tables: []\n", f);
    for (size_t i = 0; i < r->ntables; i++) {
        table *t = &r->tables[i];
        kv(f, "  - ", "name", t->name);
        kv(f, "    ", "file", t->file);
        fputs("    columns: [", f);
        for (size_t j = 0; j < t->ncols; j++) {
            if (j)
                fputs(", ", f);
            rr_yaml_write_str(f, t->columns[j]);
        }
        fprintf(f, "]\n    rows: %zu\n", t->rows);
    }
    fputs(r->nplots ? "plots:\n" : "plots: []\n", f);
    for (size_t i = 0; i < r->nplots; i++)
        fprintf(f, "  - %s\n", r->plots[i]);
    fputs("files:\n  events: events.log\n  results: results.csv\n", f);
    fputs(r->ncopies ? "  copies:\n" : "  copies: []\n", f);
    for (size_t i = 0; i < r->ncopies; i++)
        kv(f, "    - ", "path", r->copies[i]);
}

rr_status rr_recorder_write_manifest(rr_recorder *r)
{
    return replace_file(r, "manifest.yaml", write_manifest_body);
}

rr_status rr_recorder_finish(rr_recorder *r, rr_end end, const char *message)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/.reserve", r->dir);
    unlink(path); /* frees the space the last writes need on a full disk */
    if (r->end == RR_END_RUNNING) {
        r->end = end;
        free(r->end_message);
        r->end_message = message ? dupstr(message) : NULL;
        iso_now(r->ended, sizeof r->ended);
    }
    /* A segment still open when the run ends otherwise than complete (an
     * abort, a fault, a Lua error) was cut short: it must not read as
     * complete, even though its file is closed now. */
    if (r->csv && r->end != RR_END_COMPLETE)
        r->segments[r->nsegments - 1].cut_short = true;
    rr_status st = rr_recorder_segment_end(r);
    rr_status m = rr_recorder_write_manifest(r);
    if (r->events)
        fflush(r->events);
    return st != RR_OK ? st : m;
}

rr_end rr_recorder_end(const rr_recorder *r) { return r->end; }

void rr_recorder_free(rr_recorder *r)
{
    if (!r)
        return;
    if (r->csv)
        fclose(r->csv);
    if (r->events)
        fclose(r->events);
    for (size_t i = 0; i < r->nparams; i++) {
        free(r->params[i].name);
        free(r->params[i].unit);
        free(r->params[i].description);
    }
    for (size_t i = 0; i < r->nresults; i++) {
        free(r->results[i].name);
        free(r->results[i].value);
        free(r->results[i].unit);
        free(r->results[i].description);
    }
    for (size_t i = 0; i < r->nsegments; i++) {
        free(r->segments[i].file);
        free(r->segments[i].label);
        free(r->segments[i].kind);
    }
    for (size_t i = 0; i < r->ncopies; i++)
        free(r->copies[i]);
    for (size_t i = 0; i < r->nlosses; i++)
        free(r->losses[i]);
    free(r->losses);
    for (size_t i = 0; i < r->ntables; i++) {
        free(r->tables[i].name);
        free(r->tables[i].file);
        for (size_t j = 0; j < r->tables[i].ncols; j++)
            free(r->tables[i].columns[j]);
        free(r->tables[i].columns);
    }
    for (size_t i = 0; i < r->nplots; i++)
        free(r->plots[i]);
    free(r->tables);
    free(r->plots);
    free(r->params);
    free(r->results);
    free(r->segments);
    free(r->copies);
    free(r->protocol_path);
    free(r->protocol_sha256);
    free(r->command_line);
    free(r->description);
    free(r->instrument_spec);
    free(r->instrument_identity);
    free(r->end_message);
    free(r);
}
