/*
 * jsonata_ctx.c - the evaluation context: arena, first error, guard, clock.
 *
 * Layer: values
 *
 * The arena is a list of chunks that grow geometrically, so one evaluation
 * makes few mallocs whatever it builds, and jn_ctx_free releases it all at
 * once. No global state: contexts on different threads share nothing.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonata_ctx.h"

struct jn_chunk {
    jn_chunk *next;
    size_t cap, used;
    _Alignas(max_align_t) unsigned char data[];
};

enum { CHUNK_MIN = 16 * 1024 };

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void jn_ctx_init(jn_ctx *cx, const jn_guard *guard)
{
    memset(cx, 0, sizeof *cx);
    cx->err.position = -1;
    cx->pos = -1;
    if (guard)
        cx->guard = *guard;
    if (!cx->guard.max_bytes)
        cx->guard.max_bytes = JN_ARENA_MAX;
    if (cx->guard.time_limit_ms > 0) /* the clock is read only for a time limit */
        cx->start_ms = clock_ms(CLOCK_MONOTONIC);
    cx->now_ms = -1;
}

void jn_ctx_free(jn_ctx *cx)
{
    jn_chunk *c = cx->chunks;
    while (c) {
        jn_chunk *next = c->next;
        free(c);
        c = next;
    }
    cx->chunks = NULL;
    cx->used_bytes = 0;
}

void jn_ctx_set_error(jn_ctx *cx, const char *code, long position, const char *token,
                      const char *message)
{
    if (cx->err.code[0])
        return;
    snprintf(cx->err.code, sizeof cx->err.code, "%s", code);
    cx->err.position = position;
    snprintf(cx->err.token, sizeof cx->err.token, "%s", token ? token : "");
    snprintf(cx->err.message, sizeof cx->err.message, "%s", message ? message : "");
}

bool jn_failed(const jn_ctx *cx) { return cx->err.code[0] != 0; }

const jn_error *jn_ctx_error(const jn_ctx *cx) { return &cx->err; }

void *jn_alloc(jn_ctx *cx, size_t n)
{
    size_t need = (n + (_Alignof(max_align_t) - 1)) & ~(_Alignof(max_align_t) - 1);
    jn_chunk *c = cx->chunks;
    if (!c || c->cap - c->used < need) {
        size_t cap = c ? c->cap * 2 : CHUNK_MIN;
        if (cap < need)
            cap = need;
        /* Past the ceiling the evaluation fails, but this request is still
         * served so that the caller can finish writing it; the evaluator
         * stops at its next jn_failed() test. */
        if (cx->used_bytes + cap > cx->guard.max_bytes) {
            jn_ctx_set_error(cx, "D1011", cx->pos, NULL, "Out of memory: the evaluation is too large");
            cap = need;
        }
        c = malloc(sizeof *c + cap);
        if (!c) {
            jn_ctx_set_error(cx, "D1011", cx->pos, NULL, "Out of memory: the evaluation is too large");
            if (n > sizeof cx->spill) {
                fputs("aslrt: out of memory in a JSONata evaluation\n", stderr);
                abort();
            }
            memset(cx->spill, 0, sizeof cx->spill);
            return cx->spill;
        }
        c->cap = cap;
        c->used = 0;
        c->next = cx->chunks;
        cx->chunks = c;
        cx->used_bytes += cap;
    }
    void *p = c->data + c->used;
    c->used += need;
    memset(p, 0, n);
    return p;
}

char *jn_strndup(jn_ctx *cx, const char *s, size_t n)
{
    char *d = jn_alloc(cx, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

double jn_now_ms(jn_ctx *cx)
{
    if (cx->now_ms < 0) {
        /* Whole milliseconds, as JavaScript's Date.now(). */
        double ms = clock_ms(CLOCK_REALTIME);
        cx->now_ms = (double)(long long)ms;
    }
    return cx->now_ms;
}

static bool over_time(jn_ctx *cx)
{
    return cx->guard.time_limit_ms > 0 &&
           clock_ms(CLOCK_MONOTONIC) - cx->start_ms > cx->guard.time_limit_ms;
}

static bool guard_fail(jn_ctx *cx, const char *why)
{
    jn_ctx_set_error(cx, "U1001", cx->pos, NULL, why);
    return false;
}

bool jn_tick(jn_ctx *cx)
{
    if (jn_failed(cx))
        return false;
    if (++cx->ticks % JN_TICK_CLOCK_EVERY == 0 && over_time(cx))
        return guard_fail(cx, "Expression evaluation timeout: Check for infinite loop");
    return true;
}

/* Each thread's stack floor, found once per thread (for the main thread
 * glibc reads /proc/self/maps). A pthread key, not _Thread_local: TinyCC
 * cannot link TLS relocations (`aslc build --cc libtcc`). */
static pthread_key_t floor_key;
static pthread_once_t floor_once = PTHREAD_ONCE_INIT;

static void floor_key_make(void) { (void)pthread_key_create(&floor_key, NULL); }

static uintptr_t remember_floor(uintptr_t v)
{
    (void)pthread_setspecific(floor_key, (void *)v);
    return v;
}

/* This thread's stack end plus the reserve; 1 (no limit) when unknown. */
static uintptr_t stack_floor(void)
{
    pthread_once(&floor_once, floor_key_make);
    uintptr_t known = (uintptr_t)pthread_getspecific(floor_key);
    if (known)
        return known;
    pthread_attr_t at;
    void *lo = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &at) != 0)
        return 1;
    int rc = pthread_attr_getstack(&at, &lo, &size);
    pthread_attr_destroy(&at);
    if (rc != 0 || !lo || size < 64 * 1024)
        return remember_floor(1);
    /* A small stack (a thread of 1 MiB) keeps a quarter free rather than
     * going unguarded. */
    size_t reserve = size <= 2 * JN_STACK_RESERVE ? size / 4 : JN_STACK_RESERVE;
    return remember_floor((uintptr_t)lo + reserve);
}

bool jn_enter(jn_ctx *cx)
{
    cx->depth++;
    char here;
    if (!cx->stack_floor)
        cx->stack_floor = stack_floor();
    if ((uintptr_t)&here < cx->stack_floor)
        return guard_fail(cx, "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.");
    if (cx->guard.depth_limit > 0 && cx->depth > cx->guard.depth_limit)
        return guard_fail(cx, "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.");
    if (cx->depth > JN_SAFETY_DEPTH)
        return guard_fail(cx, "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.");
    return jn_tick(cx);
}

void jn_leave(jn_ctx *cx)
{
    cx->depth--;
}
