/* yamlconf.c - libyaml document loading with line-numbered messages. */
#include "yamlconf.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static rr_status load(yaml_parser_t *p, const char *name, rr_yaml **out,
                      char *err, size_t errlen)
{
    rr_yaml *y = calloc(1, sizeof *y);
    if (!y) {
        yaml_parser_delete(p);
        return RR_ERR_NOMEM;
    }
    snprintf(y->path, sizeof y->path, "%s", name);
    if (yaml_parser_load(p, &y->doc) != 1) { /* libyaml: 1 is success */
        if (err)
            snprintf(err, errlen, "%s:%lu: %s%s%s", name,
                     (unsigned long)p->problem_mark.line + 1,
                     p->problem ? p->problem : "malformed YAML",
                     p->context ? " " : "", p->context ? p->context : "");
        yaml_parser_delete(p);
        free(y);
        return RR_ERR_PARSE;
    }
    yaml_parser_delete(p);
    /* A key given twice is a mistake (the last one would win silently). */
    for (yaml_node_t *n = y->doc.nodes.start; n < y->doc.nodes.top; n++) {
        yaml_node_t *k1, *k2, *v;
        for (size_t i = 0; rr_yaml_pair(y, n, i, &k1, &v); i++) {
            for (size_t j = 0; j < i && rr_yaml_pair(y, n, j, &k2, &v); j++) {
                const char *a = rr_yaml_str(k1), *b = rr_yaml_str(k2);
                if (a && b && strcmp(a, b) == 0) {
                    if (err)
                        snprintf(err, errlen, "%s:%d: key '%.200s' given twice (first on line %d)",
                                 name, rr_yaml_line(k1), a, rr_yaml_line(k2));
                    rr_yaml_free(y);
                    return RR_ERR_PARSE;
                }
            }
        }
    }
    if (!yaml_document_get_root_node(&y->doc)) {
        if (err)
            snprintf(err, errlen, "%s:1: empty document", name);
        rr_yaml_free(y);
        return RR_ERR_PARSE;
    }
    *out = y;
    return RR_OK;
}

rr_status rr_yaml_load_string(const char *text, size_t len, const char *name,
                              rr_yaml **out, char *err, size_t errlen)
{
    yaml_parser_t p;
    *out = NULL;
    if (yaml_parser_initialize(&p) != 1)
        return RR_ERR_NOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    return load(&p, name, out, err, errlen);
}

rr_status rr_yaml_load_file(const char *path, rr_yaml **out, char *err,
                            size_t errlen)
{
    yaml_parser_t p;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return RR_ERR_IO;
    }
    if (yaml_parser_initialize(&p) != 1) {
        fclose(f);
        return RR_ERR_NOMEM;
    }
    yaml_parser_set_input_file(&p, f);
    rr_status st = load(&p, path, out, err, errlen);
    fclose(f);
    return st;
}

void rr_yaml_free(rr_yaml *y)
{
    if (!y)
        return;
    yaml_document_delete(&y->doc);
    free(y);
}

yaml_node_t *rr_yaml_root(rr_yaml *y) { return yaml_document_get_root_node(&y->doc); }

int rr_yaml_line(const yaml_node_t *n) { return n ? (int)n->start_mark.line + 1 : 0; }

const char *rr_yaml_str(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    return (const char *)n->data.scalar.value;
}

bool rr_yaml_pair(rr_yaml *y, yaml_node_t *map, size_t i, yaml_node_t **key,
                  yaml_node_t **value)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return false;
    yaml_node_pair_t *b = map->data.mapping.pairs.start;
    yaml_node_pair_t *e = map->data.mapping.pairs.top;
    if (i >= (size_t)(e - b))
        return false;
    *key = yaml_document_get_node(&y->doc, b[i].key);
    *value = yaml_document_get_node(&y->doc, b[i].value);
    return true;
}

yaml_node_t *rr_yaml_get(rr_yaml *y, yaml_node_t *map, const char *key)
{
    yaml_node_t *k, *v;
    for (size_t i = 0; rr_yaml_pair(y, map, i, &k, &v); i++) {
        const char *s = rr_yaml_str(k);
        if (s && strcmp(s, key) == 0)
            return v;
    }
    return NULL;
}

yaml_node_t *rr_yaml_item(rr_yaml *y, yaml_node_t *seq, size_t i)
{
    if (!seq || seq->type != YAML_SEQUENCE_NODE)
        return NULL;
    yaml_node_item_t *b = seq->data.sequence.items.start;
    yaml_node_item_t *e = seq->data.sequence.items.top;
    if (i >= (size_t)(e - b))
        return NULL;
    return yaml_document_get_node(&y->doc, b[i]);
}

rr_status rr_parse_number(const char *text, double *out)
{
    if (!text)
        return RR_ERR_PARSE;
    const char *s = text;
    while (isspace((unsigned char)*s))
        s++;
    /* Decimal only: digits, sign, point, exponent.  strtod alone would take
     * "nan", "inf" and hex. */
    for (const char *c = s; *c; c++) {
        if (!(isdigit((unsigned char)*c) || *c == '+' || *c == '-' || *c == '.' ||
              *c == 'e' || *c == 'E' || isspace((unsigned char)*c)))
            return RR_ERR_PARSE;
    }
    if (!*s)
        return RR_ERR_PARSE;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s)
        return RR_ERR_PARSE;
    while (isspace((unsigned char)*end))
        end++;
    if (*end || !isfinite(v) || errno == ERANGE)
        return RR_ERR_PARSE;
    *out = v;
    return RR_OK;
}

rr_status rr_yaml_number(rr_yaml *y, yaml_node_t *n, const char *key,
                         double *out, char *err, size_t errlen)
{
    const char *s = rr_yaml_str(n);
    if (rr_parse_number(s, out) != RR_OK) {
        if (err)
            snprintf(err, errlen, "%s:%d: key '%s': '%s' is not a number",
                     y->path, rr_yaml_line(n), key, s ? s : "(not a scalar)");
        return RR_ERR_PARSE;
    }
    return RR_OK;
}

/* Length of the UTF-8 sequence at c and its code point, or 0 when the
 * bytes are not valid UTF-8 (stray continuation, overlong, surrogate). */
static int utf8_decode(const unsigned char *c, unsigned *cp)
{
    int n = c[0] >= 0xF0 && c[0] <= 0xF4 ? 4 : c[0] >= 0xE0 ? 3 : c[0] >= 0xC2 ? 2 : 0;
    if (n == 0 || (n == 3 && c[0] > 0xEF))
        return 0;
    unsigned v = c[0] & (0x3F >> (n - 1));
    for (int i = 1; i < n; i++) {
        if ((c[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (c[i] & 0x3F);
    }
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

void rr_yaml_write_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c;) {
        unsigned cp;
        int n;
        if (*c < 0x80) {
            switch (*c) {
            case '"': fputs("\\\"", f); break;
            case '\\': fputs("\\\\", f); break;
            case '\n': fputs("\\n", f); break;
            case '\t': fputs("\\t", f); break;
            case '\r': fputs("\\r", f); break;
            default:
                if (*c < 0x20 || *c == 0x7F)
                    fprintf(f, "\\x%02x", *c);
                else
                    fputc(*c, f);
            }
            c++;
        } else if ((n = utf8_decode(c, &cp)) == 0) {
            fprintf(f, "\\x%02x", *c); /* not UTF-8: the byte as U+00XX */
            c++;
        } else {
            /* What YAML reads as a line break (NEL, LS, PS) or refuses in a
             * document (C1 controls, U+FFFE, U+FFFF) goes escaped. */
            if (cp == 0x85)
                fputs("\\N", f);
            else if (cp == 0x2028)
                fputs("\\L", f);
            else if (cp == 0x2029)
                fputs("\\P", f);
            else if (cp <= 0x9F || cp == 0xFFFE || cp == 0xFFFF)
                fprintf(f, "\\u%04X", cp);
            else
                fwrite(c, 1, (size_t)n, f);
            c += n;
        }
    }
    fputc('"', f);
}
