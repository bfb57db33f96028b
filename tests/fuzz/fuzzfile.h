/* fuzzfile.h - gives a fuzz input a file path, for loaders that read from a
 * path (presets, instrument configs, CSV files), without a disk write per
 * input: the bytes go into a memfd, reached as /proc/self/fd/N.  Loaders
 * that look at the file name (the simulator wants NAME.yaml) get a symlink
 * to it in a private temporary directory, TMPDIR/rrfuzz-PID, removed at
 * exit (or, after a crash, by the next harness).  Where memfd is missing, a
 * plain file in that directory is used instead.
 *
 * Header-only and static: each harness is one program. */
#ifndef RR_FUZZFILE_H
#define RR_FUZZFILE_H

#ifndef _GNU_SOURCE
#error "define _GNU_SOURCE before any include (memfd_create)"
#endif

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int fuzzfile_fd = -1;
static char fuzzfile_dir[512];
static char fuzzfile_link[600];
static char fuzzfile_target[600];

static void fuzzfile_cleanup(void)
{
    if (fuzzfile_link[0])
        unlink(fuzzfile_link);
    if (fuzzfile_dir[0] && strcmp(fuzzfile_target, fuzzfile_link) != 0)
        unlink(fuzzfile_target);
    if (fuzzfile_dir[0])
        rmdir(fuzzfile_dir);
}

/* Removes a directory of ours and what is in it. */
static void fuzzfile_rmtree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *f;
        char file[1200];
        while ((f = readdir(d)) != NULL) {
            if (strcmp(f->d_name, ".") == 0 || strcmp(f->d_name, "..") == 0)
                continue;
            snprintf(file, sizeof file, "%s/%s", path, f->d_name);
            unlink(file);
        }
        closedir(d);
    }
    rmdir(path);
}

/* A crash skips atexit: directories rrfuzz-PID of processes that are gone
 * (or of an earlier process with our PID) are removed at start. */
static void fuzzfile_remove_stale(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid;
        char rest;
        char path[600], proc[64];
        if (sscanf(e->d_name, "rrfuzz-%ld%c", &pid, &rest) != 1 || pid <= 0)
            continue;
        snprintf(proc, sizeof proc, "/proc/%ld", pid);
        if (pid != (long)getpid() && access(proc, F_OK) == 0)
            continue; /* still running */
        snprintf(path, sizeof path, "%s/%s", tmp, e->d_name);
        fuzzfile_rmtree(path);
    }
    closedir(d);
}

/* Sets up the file once; name is the symlink's name (e.g. "preset.yaml"). */
static void fuzzfile_init(const char *name)
{
    if (fuzzfile_fd >= 0)
        return;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    fuzzfile_remove_stale(tmp);
    snprintf(fuzzfile_dir, sizeof fuzzfile_dir, "%s/rrfuzz-%ld", tmp, (long)getpid());
    if (mkdir(fuzzfile_dir, 0700) != 0) {
        perror("fuzzfile: mkdir");
        abort();
    }
    atexit(fuzzfile_cleanup);
    snprintf(fuzzfile_link, sizeof fuzzfile_link, "%s/%s", fuzzfile_dir, name);
    fuzzfile_fd = memfd_create("rrfuzz", 0);
    if (fuzzfile_fd >= 0) {
        snprintf(fuzzfile_target, sizeof fuzzfile_target, "/proc/self/fd/%d", fuzzfile_fd);
        if (symlink(fuzzfile_target, fuzzfile_link) != 0) {
            perror("fuzzfile: symlink");
            abort();
        }
        return;
    }
    /* No memfd: a real file, rewritten for each input. */
    snprintf(fuzzfile_target, sizeof fuzzfile_target, "%s", fuzzfile_link);
    fuzzfile_fd = open(fuzzfile_target, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fuzzfile_fd < 0) {
        perror("fuzzfile: open");
        abort();
    }
}

/* Replaces the file's content with data; returns the path to open (the
 * symlink NAME, which resolves to the memfd). */
static const char *fuzzfile_write(const char *name, const uint8_t *data, size_t size)
{
    fuzzfile_init(name);
    if (ftruncate(fuzzfile_fd, 0) != 0)
        abort();
    size_t done = 0;
    while (done < size) {
        ssize_t w = pwrite(fuzzfile_fd, data + done, size - done, (off_t)done);
        if (w <= 0)
            abort();
        done += (size_t)w;
    }
    return fuzzfile_link;
}

#endif
