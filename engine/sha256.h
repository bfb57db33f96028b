/* sha256.h - SHA-256 (FIPS 180-4) of a file, for the manifest. */
#ifndef RR_SHA256_H
#define RR_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct rr_sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t fill;
} rr_sha256;

void rr_sha256_init(rr_sha256 *c);
void rr_sha256_update(rr_sha256 *c, const void *data, size_t n);
void rr_sha256_final(rr_sha256 *c, unsigned char out[32]);
/* Lower-case hex digest of a file into hex (65 bytes). */
rr_status rr_sha256_file(const char *path, char hex[65]);

#endif
