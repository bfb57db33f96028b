/* yamlconf.h - reading YAML files (presets, instrument configs, manifests)
 * through libyaml's document API, with line numbers for every message, and
 * writing YAML scalars safely.
 *
 * libyaml returns 1 for success; this is the one place that converts that
 * convention.  A loaded document is owned by the rr_yaml returned and freed
 * with rr_yaml_free (NULL-safe).  Node pointers are borrowed from it.
 */
#ifndef RR_YAMLCONF_H
#define RR_YAMLCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <yaml.h>

#include "status.h"

typedef struct rr_yaml {
    yaml_document_t doc;
    char path[512]; /* for messages */
} rr_yaml;

/* Loads a file.  On failure *out is NULL and err holds "FILE:LINE: why". */
rr_status rr_yaml_load_file(const char *path, rr_yaml **out, char *err,
                            size_t errlen);
/* Loads from memory; name is used in messages. */
rr_status rr_yaml_load_string(const char *text, size_t len, const char *name,
                              rr_yaml **out, char *err, size_t errlen);
void rr_yaml_free(rr_yaml *y);

yaml_node_t *rr_yaml_root(rr_yaml *y);
/* 1-based line of a node, for messages. */
int rr_yaml_line(const yaml_node_t *n);
/* Value of key in a mapping, or NULL; *key_node (may be NULL) gets the key. */
yaml_node_t *rr_yaml_get(rr_yaml *y, yaml_node_t *map, const char *key);
/* Scalar text (NUL-terminated, borrowed) or NULL if n is not a scalar. */
const char *rr_yaml_str(const yaml_node_t *n);

/* Iterating a mapping: index i from 0; returns false past the end. */
bool rr_yaml_pair(rr_yaml *y, yaml_node_t *map, size_t i, yaml_node_t **key,
                  yaml_node_t **value);
/* Iterating a sequence. */
yaml_node_t *rr_yaml_item(rr_yaml *y, yaml_node_t *seq, size_t i);

/* Strict number parsing: the whole text must be a finite decimal number.
 * On failure err gets "FILE:LINE: key 'KEY': 'TEXT' is not a number". */
rr_status rr_yaml_number(rr_yaml *y, yaml_node_t *n, const char *key,
                         double *out, char *err, size_t errlen);

/* Strict number parsing of a plain string (shared by the CLI and configs):
 * finite decimal, exponent allowed; no nan, inf or hex. */
rr_status rr_parse_number(const char *text, double *out);

/* Writes s as a double-quoted YAML scalar with escapes. */
void rr_yaml_write_str(FILE *f, const char *s);

#endif
