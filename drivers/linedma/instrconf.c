/* instrconf.c - the instrument config file reader (instrconf.h). */
#include "linedma/instrconf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "linedma/lineproto.h"
#include "yamlconf.h"

/* Errors carry file:line: key 'KEY': why. */
#define BAD(node, key, ...)                                                         \
    do {                                                                            \
        if (err) {                                                                  \
            int k_ = snprintf(err, errlen, "%s:%d: key '%s': ", y->path,            \
                              rr_yaml_line(node), key);                             \
            if (k_ > 0 && (size_t)k_ < errlen)                                      \
                snprintf(err + k_, errlen - (size_t)k_, __VA_ARGS__);               \
        }                                                                           \
        return RR_ERR_PARSE;                                                        \
    } while (0)

static const struct {
    const char *key;
    unsigned bit;
    size_t offset;
} limit_keys[] = {
    {"temp_min_K", RR_LIM_TEMP_MIN, offsetof(rr_limits, temp_min_K)},
    {"temp_max_K", RR_LIM_TEMP_MAX, offsetof(rr_limits, temp_max_K)},
    {"strain_max", RR_LIM_STRAIN, offsetof(rr_limits, strain_max)},
    {"rate_max_K_per_min", RR_LIM_RATE, offsetof(rr_limits, rate_max_K_per_min)},
    {"freq_min_Hz", RR_LIM_FREQ_MIN, offsetof(rr_limits, freq_min_Hz)},
    {"freq_max_Hz", RR_LIM_FREQ_MAX, offsetof(rr_limits, freq_max_Hz)},
};

static double *lim_field(rr_limits *l, size_t i)
{
    return (double *)(void *)((char *)l + limit_keys[i].offset);
}

static rr_status need_map(rr_yaml *y, yaml_node_t *v, const char *key, char *err,
                          size_t errlen)
{
    if (!v || v->type != YAML_MAPPING_NODE)
        BAD(v, key, "expected a mapping of keys");
    return RR_OK;
}

static rr_status number(rr_yaml *y, yaml_node_t *v, const char *key, double lo, double hi,
                        double *out, char *err, size_t errlen)
{
    rr_status st = rr_yaml_number(y, v, key, out, err, errlen);
    if (st != RR_OK)
        return st;
    if (!(*out >= lo && *out <= hi))
        BAD(v, key, "%g is out of range (%g to %g)", *out, lo, hi);
    return RR_OK;
}

static rr_status parse_serial(rr_yaml *y, yaml_node_t *map, rr_conn *c, char *err,
                              size_t errlen)
{
    yaml_node_t *k, *v;
    rr_status st = need_map(y, map, "serial", err, errlen);
    if (st != RR_OK)
        return st;
    for (size_t i = 0; rr_yaml_pair(y, map, i, &k, &v); i++) {
        const char *key = rr_yaml_str(k) ? rr_yaml_str(k) : "?";
        const char *s = rr_yaml_str(v);
        double x;
        if (strcmp(key, "baud") == 0) {
            if ((st = number(y, v, "serial.baud", 50, 2e7, &x, err, errlen)) != RR_OK)
                return st;
            if (x != floor(x))
                BAD(v, "serial.baud", "%g is not a whole number", x);
            c->baud = (int)x;
        } else if (strcmp(key, "parity") == 0) {
            if (!s || rr_parity_parse(s, &c->parity) != RR_OK)
                BAD(v, "serial.parity", "'%s' is not none, odd, even, mark or space",
                    s ? s : "");
        } else if (strcmp(key, "stop_bits") == 0) {
            if ((st = number(y, v, "serial.stop_bits", 1, 2, &x, err, errlen)) != RR_OK)
                return st;
            if (x != floor(x))
                BAD(v, "serial.stop_bits", "%g is not 1 or 2", x);
            c->stop_bits = (int)x;
        } else if (strcmp(key, "data_bits") == 0) {
            if ((st = number(y, v, "serial.data_bits", 5, 8, &x, err, errlen)) != RR_OK)
                return st;
            if (x != floor(x))
                BAD(v, "serial.data_bits", "%g is not 5 to 8", x);
            c->data_bits = (int)x;
        } else if (strcmp(key, "flow") == 0) {
            if (!s || rr_flow_parse(s, &c->flow) != RR_OK)
                BAD(v, "serial.flow", "'%s' is not none, xonxoff, rtscts or dtrdsr",
                    s ? s : "");
        } else {
            BAD(k, key, "unknown key in 'serial' (baud, parity, stop_bits, data_bits, flow)");
        }
    }
    return RR_OK;
}

static rr_status parse(rr_yaml *y, rr_instrconf *c, char *err, size_t errlen)
{
    yaml_node_t *root = rr_yaml_root(y), *k, *v, *answer = NULL;
    rr_status st;
    if (!root || root->type != YAML_MAPPING_NODE)
        BAD(root, "(top)", "an instrument config is a mapping (connection, limits, ...)");
    yaml_node_t *conn = rr_yaml_get(y, root, "connection");
    if (!conn || !rr_yaml_str(conn))
        BAD(root, "connection", "missing (tcp:HOST[:PORT] or serial:PORT[:BAUD...])");
    char cerr[600];
    const char *cs = rr_yaml_str(conn);
    bool replay = strncmp(cs, "replay:", 7) == 0; /* a lab run played back */
    if (replay && (!cs[7] || strlen(cs) >= sizeof c->connection))
        BAD(conn, "connection", "expected replay:TRANSCRIPT");
    if (!replay && rr_conn_parse(cs, &c->conn, cerr, sizeof cerr) != RR_OK)
        BAD(conn, "connection", "%s", cerr);
    for (size_t i = 0; rr_yaml_pair(y, root, i, &k, &v); i++) {
        const char *key = rr_yaml_str(k) ? rr_yaml_str(k) : "?";
        if (strcmp(key, "connection") == 0)
            continue;
        if (strcmp(key, "serial") == 0) {
            if (c->conn.kind != RR_CONN_SERIAL || replay)
                BAD(k, key, "serial settings, but the connection is not serial:");
            if ((st = parse_serial(y, v, &c->conn, err, errlen)) != RR_OK)
                return st;
        } else if (strcmp(key, "timeouts") == 0) {
            if ((st = need_map(y, v, key, err, errlen)) != RR_OK)
                return st;
            yaml_node_t *k2, *v2;
            for (size_t j = 0; rr_yaml_pair(y, v, j, &k2, &v2); j++) {
                const char *key2 = rr_yaml_str(k2) ? rr_yaml_str(k2) : "?";
                if (strcmp(key2, "answer_s") != 0)
                    BAD(k2, key2, "unknown key in 'timeouts' (answer_s)");
                if ((st = number(y, v2, "timeouts.answer_s", 0.01, 600, &c->timeout_s, err,
                                 errlen)) != RR_OK)
                    return st;
                answer = v2; /* its floor depends on the port's speed: checked below */
            }
        } else if (strcmp(key, "transcript") == 0) {
            const char *s = rr_yaml_str(v);
            if (s && (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
                      strcasecmp(s, "on") == 0))
                c->transcript = true;
            else if (s && (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 ||
                           strcasecmp(s, "off") == 0))
                c->transcript = false;
            else
                BAD(v, key, "'%s' is not true or false", s ? s : "");
        } else if (strcmp(key, "limits") == 0) {
            if ((st = need_map(y, v, key, err, errlen)) != RR_OK)
                return st;
            yaml_node_t *k2, *v2;
            for (size_t j = 0; rr_yaml_pair(y, v, j, &k2, &v2); j++) {
                const char *key2 = rr_yaml_str(k2) ? rr_yaml_str(k2) : "?";
                size_t f = 0, nf = sizeof limit_keys / sizeof limit_keys[0];
                while (f < nf && strcmp(limit_keys[f].key, key2) != 0)
                    f++;
                if (f == nf)
                    BAD(k2, key2, "unknown key in 'limits' (temp_min_K, temp_max_K, "
                                  "strain_max, rate_max_K_per_min, freq_min_Hz, freq_max_Hz)");
                double x;
                if ((st = rr_yaml_number(y, v2, key2, &x, err, errlen)) != RR_OK)
                    return st;
                if (f >= 2 && !(x > 0))
                    BAD(v2, key2, "%g is not above 0", x);
                if (f < 2 && !(x > 0))
                    BAD(v2, key2, "%g K is not above 0 K", x);
                *lim_field(&c->limits, f) = x;
                c->limits_set |= limit_keys[f].bit;
            }
            if ((c->limits_set & 3) == 3 && c->limits.temp_min_K > c->limits.temp_max_K)
                BAD(v, key, "temp_min_K %g is above temp_max_K %g", c->limits.temp_min_K,
                    c->limits.temp_max_K);
            if ((c->limits_set & 48) == 48 && c->limits.freq_min_Hz > c->limits.freq_max_Hz)
                BAD(v, key, "freq_min_Hz %g is above freq_max_Hz %g", c->limits.freq_min_Hz,
                    c->limits.freq_max_Hz);
        } else if (strcmp(key, "sample") == 0) {
            if ((st = need_map(y, v, key, err, errlen)) != RR_OK)
                return st;
            yaml_node_t *k2, *v2;
            int ngeom = 0;
            for (size_t j = 0; rr_yaml_pair(y, v, j, &k2, &v2); j++) {
                const char *key2 = rr_yaml_str(k2) ? rr_yaml_str(k2) : "?";
                double *dst = strcmp(key2, "length_mm") == 0      ? &c->geometry.length_mm
                              : strcmp(key2, "width_mm") == 0     ? &c->geometry.width_mm
                              : strcmp(key2, "thickness_mm") == 0 ? &c->geometry.thickness_mm
                                                                  : NULL;
                if (strcmp(key2, "clamp") == 0) {
                    if (rr_clamp_parse(rr_yaml_str(v2), &c->clamp) != RR_OK)
                        BAD(v2, "sample.clamp",
                            "'%s' is not tension, single_cantilever, dual_cantilever or "
                            "compression (TENS, SCANT, DCANT, COMP)",
                            rr_yaml_str(v2) ? rr_yaml_str(v2) : "");
                    c->has_clamp = true;
                } else if (dst) {
                    if ((st = rr_yaml_number(y, v2, key2, dst, err, errlen)) != RR_OK)
                        return st;
                    if (!(*dst > 0))
                        BAD(v2, key2, "%g mm is not above 0", *dst);
                    ngeom++;
                } else {
                    BAD(k2, key2, "unknown key in 'sample' (clamp, length_mm, width_mm, "
                                  "thickness_mm)");
                }
            }
            if (ngeom != 0 && ngeom != 3)
                BAD(v, key, "give all of length_mm, width_mm and thickness_mm, or none");
            c->has_geometry = ngeom == 3;
        } else {
            BAD(k, key, "unknown key (connection, serial, timeouts, transcript, limits, "
                        "sample)");
        }
    }
    /* A device may take 200 ms to answer, plus the command's time on the
     * wire: a shorter timeout makes a conforming device look lost. */
    double floor_s = rr_conn_answer_min_s(replay ? NULL : &c->conn);
    if (answer && c->timeout_s < floor_s) {
        char why[120] = "";
        if (!replay && c->conn.kind == RR_CONN_SERIAL)
            snprintf(why, sizeof why, " and %.0f ms to send a 256-byte command at %d baud",
                     1e3 * (floor_s - RR_LP_ANSWER_S - RR_LINK_MARGIN_S), c->conn.baud);
        BAD(answer, "timeouts.answer_s",
            "%g s is shorter than the protocol allows: a device may take 200 ms to answer%s; "
            "give at least %.2f s (2 s is the protocol's)", c->timeout_s, why,
            ceil(100 * floor_s) / 100);
    }
    c->replay = replay;
    if (replay)
        snprintf(c->connection, sizeof c->connection, "%s", cs);
    else
        rr_conn_format(&c->conn, c->connection, sizeof c->connection);
    return RR_OK;
}

rr_status rr_instrconf_load(const char *path, rr_instrconf **out, char *err, size_t errlen)
{
    *out = NULL;
    rr_yaml *y = NULL;
    rr_status st = rr_yaml_load_file(path, &y, err, errlen);
    if (st != RR_OK)
        return st;
    rr_instrconf *c = calloc(1, sizeof *c);
    if (!c) {
        rr_yaml_free(y);
        return RR_ERR_NOMEM;
    }
    snprintf(c->path, sizeof c->path, "%s", path);
    c->transcript = true;
    c->limits = (rr_limits){NAN, NAN, NAN, NAN, NAN, NAN};
    st = parse(y, c, err, errlen);
    rr_yaml_free(y);
    if (st != RR_OK) {
        free(c);
        return st;
    }
    *out = c;
    return RR_OK;
}

void rr_instrconf_free(rr_instrconf *c) { free(c); }

rr_status rr_limits_check_within(const rr_limits *lab, const rr_limits *dev, char *err,
                                 size_t errlen)
{
    static const char *const units[] = {"K", "K", "", "K/min", "Hz", "Hz"};
    rr_limits l = *lab, d = *dev;
    for (size_t i = 0; i < 6; i++) {
        double a = *lim_field(&l, i), b = *lim_field(&d, i);
        if (isnan(a))
            continue;
        bool lower = i == 0 || i == 4; /* minimums may not go below the device's */
        if (lower ? a < b : a > b) {
            if (err)
                snprintf(err, errlen,
                         "lab limit %s = %g%s%s is wider than the device's %g%s%s (SYST:LIM?)",
                         limit_keys[i].key, a, units[i][0] ? " " : "", units[i], b,
                         units[i][0] ? " " : "", units[i]);
            return RR_ERR_LIMIT;
        }
    }
    return RR_OK;
}

void rr_instrconf_effective_limits(const rr_instrconf *c, const rr_limits *device,
                                   rr_limits *out)
{
    rr_limits l = *device, lab = c->limits;
    for (size_t i = 0; i < 6; i++)
        if (!isnan(*lim_field(&lab, i)))
            *lim_field(&l, i) = *lim_field(&lab, i);
    *out = l;
}
