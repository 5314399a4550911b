/*
 * s3local.c - the local folder that stands for Amazon S3: s3://BUCKET/KEY
 * is the file S3_ROOT/BUCKET/KEY, where S3_ROOT is the executable's
 * --s3-root (default: the current directory). A bucket or key with a ".."
 * component, or a bucket with a "/", is refused, so a definition cannot
 * reach outside S3_ROOT. Objects whose key ends in .gz are read through
 * gzip -dc.
 *
 * Layer: effects. Owns the buffers it reads until it hands them over.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "s3local.h"

extern char **environ;

bool rt_buf_add(rt_buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return false;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return true;
}

bool rt_buf_str(rt_buf *b, const char *s)
{
    return rt_buf_add(b, s, strlen(s));
}

/* Fails with [error] and a printf cause; returns NULL for `return rt_s3_fail(...)`. */
void *rt_s3_fail(asl_exec *x, const char *error, const char *fmt, const char *a, const char *b)
{
    int n = snprintf(NULL, 0, fmt, a ? a : "", b ? b : "");
    char *cause = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (cause)
        snprintf(cause, (size_t)n + 1, fmt, a ? a : "", b ? b : "");
    asl_fail_with(x, error, cause);
    free(cause);
    return NULL;
}

static const char *s3_root(const asl_exec *x)
{
    const rt_run *r = rt_root_run(x->run);
    return r && r->opt && r->opt->s3_root && *r->opt->s3_root ? r->opt->s3_root : ".";
}

/* A bucket or key that stays inside the root: no "..", no absolute path. */
static bool safe_name(const char *s, bool bucket)
{
    if (!s || (bucket && (!*s || strchr(s, '/'))))
        return false;
    if (*s == '/')
        return false;
    for (const char *p = s; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return false;
        p += n;
        if (*p == '/')
            p++;
    }
    return true;
}

/* S3_ROOT/BUCKET/KEY, malloc'd; 0 (error set) for a name that escapes. */
char *rt_s3_path(asl_exec *x, const char *error, const char *bucket, const char *key)
{
    if (!safe_name(bucket, true) || !safe_name(key ? key : "", false))
        return rt_s3_fail(x, error, "The S3 location s3://%s/%s cannot be mapped to a local file.", bucket,
                    key);
    rt_buf b = {0};
    bool ok = rt_buf_str(&b, s3_root(x)) && rt_buf_str(&b, "/") && rt_buf_str(&b, bucket);
    if (ok && key && *key)
        ok = rt_buf_str(&b, "/") && rt_buf_str(&b, key);
    if (!ok) {
        free(b.p);
        asl_fail_with(x, "States.Runtime", "Out of memory.");
        return NULL;
    }
    return b.p;
}

/* The whole file (NUL-terminated), or 0 with errno set. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    rt_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (!rt_buf_add(&b, chunk, n)) {
            free(b.p);
            fclose(f);
            errno = ENOMEM;
            return NULL;
        }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b.p);
        errno = EIO;
        return NULL;
    }
    if (!b.p && !rt_buf_add(&b, "", 0))
        return NULL;
    *len = b.n;
    return b.p;
}

/* The output of `gzip -dc PATH` (no shell), or 0. */
static char *read_gzip(const char *path, size_t *len)
{
    int fds[2];
    if (pipe(fds) != 0)
        return NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    char *argv[] = {(char *)"gzip", (char *)"-dc", (char *)"--", (char *)path, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, "gzip", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return NULL;
    }
    rt_buf b = {0};
    char chunk[65536];
    ssize_t n;
    bool ok = true;
    while ((n = read(fds[0], chunk, sizeof chunk)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ok = false;
            break;
        }
        if (!rt_buf_add(&b, chunk, (size_t)n)) {
            ok = false;
            break;
        }
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || (!b.p && !rt_buf_add(&b, "", 0))) {
        free(b.p);
        return NULL;
    }
    *len = b.n;
    return b.p;
}

bool rt_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The text of s3://bucket/key (gunzipped for .gz), or 0 with the error set. */
char *rt_s3_read(asl_exec *x, const char *bucket, const char *key, size_t *len)
{
    char *path = rt_s3_path(x, READER_ERROR, bucket, key);
    if (!path)
        return NULL;
    char *text = rt_ends_with(key, ".gz") ? read_gzip(path, len) : read_file(path, len);
    if (!text)
        rt_s3_fail(x, READER_ERROR, "Cannot read s3://%s/%s (no such local file, or unreadable).", bucket,
             key);
    free(path);
    return text;
}

const char *rt_s3_param(const cJSON *params, const char *key)
{
    const cJSON *v = params ? cJSON_GetObjectItemCaseSensitive(params, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}
