/*
 * s3local.h - the local folder that stands for Amazon S3, shared by a
 * distributed Map's ItemReader (itemreader.c) and ResultWriter
 * (resultwriter.c); s3local.c implements it. Nothing else includes it.
 *
 * Layer: effects
 */
#ifndef ASLRT_S3LOCAL_H
#define ASLRT_S3LOCAL_H

#include <stdbool.h>
#include <stddef.h>

#include "effects.h"
#include "values.h"

#define READER_ERROR "States.ItemReaderFailed"
#define WRITER_ERROR "States.ResultWriterFailed"

/* A growing text (false from the adders when out of memory). */
typedef struct rt_buf {
    char *p;
    size_t n, cap;
} rt_buf;
bool rt_buf_add(rt_buf *b, const char *s, size_t n);
bool rt_buf_str(rt_buf *b, const char *s);
/* Fails [x] with [error] and a cause made from [fmt] with up to two
 * strings; returns 0, for `return rt_s3_fail(...)`. */
void *rt_s3_fail(asl_exec *x, const char *error, const char *fmt, const char *a, const char *b);
/* The file that stands for s3://BUCKET/KEY (malloc'd), or 0 with [error]
 * set on [x] when the bucket or key would leave the S3 root. */
char *rt_s3_path(asl_exec *x, const char *error, const char *bucket, const char *key);
/* The object's bytes (gunzipped when the key ends in .gz), malloc'd and
 * NUL-terminated, or 0 with States.ItemReaderFailed set. */
char *rt_s3_read(asl_exec *x, const char *bucket, const char *key, size_t *len);
/* Does [s] end with [suffix]? */
bool rt_ends_with(const char *s, const char *suffix);
/* The string member [key] of [params], or 0. */
const char *rt_s3_param(const cJSON *params, const char *key);

#endif
