/* yaml_fuzz.c - libFuzzer harness for the YAML loader and the strict number
 * parser (engine/yamlconf.h): rr_yaml_load_string on arbitrary bytes, then
 * every accessor over the whole document (rr_yaml_get/pair/item/str/line,
 * rr_yaml_number on every scalar); rr_parse_number on the raw bytes; and
 * rr_yaml_write_str, whose output must load back to the same string.
 *
 * What is checked beyond memory safety (ASan/UBSan):
 * - a number accepted by rr_parse_number is finite and its text holds only
 *   decimal characters (no nan, inf, hex);
 * - rr_yaml_number agrees with rr_parse_number on the same scalar;
 * - a failed load leaves *out NULL and a message;
 * - what rr_yaml_write_str writes is a YAML scalar that reads back as the
 *   same string (for valid UTF-8 without NUL).
 *
 * Build: -DRELAXRUN_FUZZ=ON with clang; run: tests/fuzz/run-all.sh. */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamlconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Visits at most this many nodes, at most this deep: libyaml aliases can
 * make a document a graph (even a cycle: &a [*a]). */
#define MAX_VISITS 4096
#define MAX_DEPTH 64

static void check_number(rr_yaml *y, yaml_node_t *n)
{
    double a = 0, b = 0;
    char err[256] = "";
    rr_status sa = rr_yaml_number(y, n, "key", &a, err, sizeof err);
    rr_status sb = rr_parse_number(rr_yaml_str(n), &b);
    if (sa != sb)
        abort();
    if (sa == RR_OK && (!isfinite(a) || a != b))
        abort();
    if (sa != RR_OK && (!err[0] || !strstr(err, "key 'key'")))
        abort();
}

static void walk(rr_yaml *y, yaml_node_t *n, int depth, size_t *visits)
{
    if (!n || depth > MAX_DEPTH || ++*visits > MAX_VISITS)
        return;
    if (rr_yaml_line(n) < 1)
        abort();
    switch (n->type) {
    case YAML_SCALAR_NODE:
        if (!rr_yaml_str(n))
            abort();
        check_number(y, n);
        break;
    case YAML_MAPPING_NODE: {
        yaml_node_t *k, *v;
        for (size_t i = 0; rr_yaml_pair(y, n, i, &k, &v); i++) {
            const char *ks = rr_yaml_str(k);
            /* rr_yaml_get finds some value for a scalar key it iterated. */
            if (ks && !rr_yaml_get(y, n, ks))
                abort();
            walk(y, k, depth + 1, visits);
            walk(y, v, depth + 1, visits);
        }
        if (rr_yaml_item(y, n, 0)) /* not a sequence */
            abort();
        break;
    }
    case YAML_SEQUENCE_NODE:
        for (size_t i = 0; rr_yaml_item(y, n, i); i++)
            walk(y, rr_yaml_item(y, n, i), depth + 1, visits);
        if (rr_yaml_get(y, n, "x")) /* not a mapping */
            abort();
        break;
    default:
        break;
    }
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned min;
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (s[i + j] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (s[i + j] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        i += k + 1;
    }
    return true;
}

/* rr_yaml_write_str(s) as the value of a mapping must load back as s (as
 * some string, for bytes that are not UTF-8).  This found DEL, C1 controls,
 * NEL/LS/PS and stray bytes written raw: corpus/yaml/regress-*. */
static void check_roundtrip(const char *s, size_t len)
{
    bool utf8 = valid_utf8((const unsigned char *)s, len);
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    if (!f)
        return;
    fputs("k: ", f);
    rr_yaml_write_str(f, s);
    fputc('\n', f);
    fclose(f);
    rr_yaml *y = NULL;
    char err[256];
    if (rr_yaml_load_string(buf, blen, "roundtrip", &y, err, sizeof err) != RR_OK) {
        fprintf(stderr, "rr_yaml_write_str output does not load: %s\n%s\n", err, buf);
        abort();
    }
    const char *back = rr_yaml_str(rr_yaml_get(y, rr_yaml_root(y), "k"));
    if (!back || (utf8 && strcmp(back, s) != 0)) {
        fprintf(stderr, "rr_yaml_write_str does not round-trip:\n%s\n", buf);
        abort();
    }
    rr_yaml_free(y);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so ASan sees any read past the input. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;

    rr_yaml *y = (rr_yaml *)(uintptr_t)1;
    char err[512] = "";
    rr_status st = rr_yaml_load_string(text, size, "fuzz.yaml", &y, err, sizeof err);
    if (st == RR_OK) {
        if (!y || !rr_yaml_root(y))
            abort();
        size_t visits = 0;
        walk(y, rr_yaml_root(y), 0, &visits);
        rr_yaml_free(y);
    } else if (y || !err[0] || strncmp(err, "fuzz.yaml:", 10) != 0) {
        abort();
    }

    /* The raw bytes as one number (up to the first NUL). */
    double v;
    if (rr_parse_number(text, &v) == RR_OK) {
        if (!isfinite(v))
            abort();
        for (const char *c = text; *c; c++)
            if (!(isdigit((unsigned char)*c) || strchr("+-.eE", *c) || isspace((unsigned char)*c)))
                abort();
    }

    if (size < 256 && !memchr(data, 0, size))
        check_roundtrip(text, size);
    free(text);
    return 0;
}
