/*
 * timestamp.h - RFC 3339 date-times as Step Functions reads them (AWS's
 * profile: 2016-03-14T01:59:00Z, uppercase T and Z, seconds required, an
 * optional fraction of up to 9 digits, Z or +hh:mm / -hh:mm). Shared by the runtime (TimestampPath, Choice
 * Timestamp tests) and by the compiler, which parses literal timestamps at
 * compile time. Self-contained: no cJSON, no other aslc header.
 *
 * Layer: values
 */
#ifndef ASLRT_TIMESTAMP_H
#define ASLRT_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse [s]; on success set *sec (UTC epoch seconds) and *nsec (0..999999999). */
bool rt_parse_timestamp(const char *s, long long *sec, long *nsec);
/* Write epoch nanoseconds as 2024-01-02T03:04:05.678Z into [buf] (>= 32 bytes). */
void rt_format_timestamp(int64_t ns, char *buf, size_t len);

#endif
