/*
 * random.c - random bytes and UUIDs for every layer: execution names,
 * task tokens, request ids, States.UUID, $uuid and unseeded random numbers.
 *
 * The kernel's getrandom(2) is the source. Where a value needs only to be
 * unique (names, tokens), a missing source falls back to a generator seeded
 * from the clock and an address; where it must be random (States.UUID,
 * MathRandom) the caller gets false and reports the error.
 *
 * Layer: base
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/random.h>

#include "rt.h"

bool rt_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += got;
        n -= (size_t)got;
    }
    return true;
}

void rt_unique_bytes(void *buf, size_t n)
{
    if (rt_random_bytes(buf, n))
        return;
    unsigned char *p = buf;
    uint64_t s = (uint64_t)rt_mono_ns() ^ (uint64_t)(uintptr_t)buf ^ 0x9E3779B97F4A7C15u;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        p[i] = (unsigned char)s;
    }
}

void rt_uuid_format(unsigned char b[16], char out[37])
{
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
             b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void rt_uuid_v4(char out[37])
{
    unsigned char b[16];
    rt_unique_bytes(b, sizeof b);
    rt_uuid_format(b, out);
}
