/* transcript.c - writing and parsing exchange transcripts (transcript.h). */
#include "transcript.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "transport.h"

struct rr_transcript {
    FILE *f;
    double t0;
};

rr_status rr_transcript_open(const char *path, const char *spec, rr_transcript **out,
                             char *err, size_t errlen)
{
    *out = NULL;
    rr_transcript *t = calloc(1, sizeof *t);
    if (!t)
        return RR_ERR_NOMEM;
    t->f = fopen(path, "w");
    if (!t->f) {
        if (err)
            snprintf(err, errlen, "transcript %s: %s", path, strerror(errno));
        free(t);
        return RR_ERR_IO;
    }
    t->t0 = rr_mono_s();
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(t->f, "# relaxrun transcript 1\n# spec: %s\n# opened: %s\n", spec ? spec : "",
            when);
    fflush(t->f);
    *out = t;
    return RR_OK;
}

void rr_transcript_record(rr_transcript *t, char dir, const char *payload, size_t len)
{
    if (!t)
        return;
    fprintf(t->f, "%.6f %c ", rr_mono_s() - t->t0, dir);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)payload[i];
        if (c == '\\')
            fputs("\\\\", t->f);
        else if (c == '\r')
            fputs("\\r", t->f);
        else if (c == '\n')
            fputs("\\n", t->f);
        else if (c < 0x20 || c > 0x7e)
            fprintf(t->f, "\\x%02x", c);
        else
            fputc(c, t->f);
    }
    fputc('\n', t->f);
    fflush(t->f);
}

void rr_transcript_note(rr_transcript *t, const char *fmt, ...)
{
    if (!t)
        return;
    char buf[512] = "note ";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + 5, sizeof buf - 5, fmt, ap);
    va_end(ap);
    rr_transcript_record(t, '!', buf, strlen(buf));
}

void rr_transcript_close(rr_transcript *t)
{
    if (!t)
        return;
    fclose(t->f);
    free(t);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

rr_status rr_transcript_parse(const char *line, size_t len, rr_transcript_rec *rec,
                              char *buf, size_t cap)
{
    size_t i = 0;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    while (i < len && line[i] == ' ')
        i++;
    if (i == len || line[i] == '#')
        return RR_ERR_NOT_FOUND;
    char num[40];
    size_t k = 0;
    while (i < len && line[i] != ' ' && k < sizeof num - 1)
        num[k++] = line[i++];
    num[k] = '\0';
    char *end;
    rec->t_s = strtod(num, &end);
    if (k == 0 || *end || i + 2 > len || line[i] != ' ')
        return RR_ERR_PARSE;
    rec->dir = line[i + 1];
    if (rec->dir != '>' && rec->dir != '<' && rec->dir != '!')
        return RR_ERR_PARSE;
    i += 2;
    if (i < len) {
        if (line[i] != ' ')
            return RR_ERR_PARSE;
        i++;
    }
    size_t n = 0;
    for (; i < len; i++) {
        char c = line[i];
        if (c == '\\') {
            if (i + 1 >= len)
                return RR_ERR_PARSE;
            char d = line[++i];
            if (d == '\\')
                c = '\\';
            else if (d == 'r')
                c = '\r';
            else if (d == 'n')
                c = '\n';
            else if (d == 'x' && i + 2 < len && hexval(line[i + 1]) >= 0 &&
                     hexval(line[i + 2]) >= 0) {
                c = (char)(hexval(line[i + 1]) * 16 + hexval(line[i + 2]));
                i += 2;
            } else
                return RR_ERR_PARSE;
        }
        if (n + 1 >= cap)
            return RR_ERR_PARSE;
        buf[n++] = c;
    }
    if (cap)
        buf[n] = '\0';
    rec->len = n;
    return RR_OK;
}
