/*
 * jsonata_ctx.h - the per-evaluation context of the JSONata evaluator
 * (private to runtime/jsonata_*.c; jsonata_value.h only names the type).
 *
 * One jn_ctx lives for one evaluation on one thread: its arena holds every
 * value made, its error is the first one raised, its guard bounds the work
 * (depth, steps, wall time) so bad input ends in U1001 instead of a stack
 * overflow or a hang.
 */
#ifndef ASLRT_JSONATA_CTX_H
#define ASLRT_JSONATA_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "jsonata_value.h"

typedef struct jn_chunk jn_chunk;

/* Guard limits; 0 disables a limit, except the safety depth that is always
 * on because the evaluator recurses on the C stack. */
typedef struct jn_guard {
    int depth_limit;        /* the reference runner's `depth` */
    double time_limit_ms;   /* the reference runner's `timelimit` */
    size_t max_bytes;       /* arena ceiling; 0 = JN_ARENA_MAX */
} jn_guard;

enum {
    JN_SAFETY_DEPTH = 20000,             /* nested evaluations, whatever the guard */
    JN_TICK_CLOCK_EVERY = 1024,          /* ticks between clock reads */
};
/* Stack kept free below the deepest evaluation: room for a built-in's
 * own recursion (printing, comparing, copying nested values) and for the
 * sanitizers' bigger frames. */
#define JN_STACK_RESERVE ((size_t)512 * 1024)
#define JN_ARENA_MAX ((size_t)1 << 31)   /* 2 GiB per evaluation */

struct jn_ctx {
    jn_chunk *chunks;       /* newest first */
    size_t used_bytes;
    jn_error err;
    long pos;               /* position of the node being evaluated */
    jn_guard guard;
    int depth;
    unsigned long ticks;
    double start_ms;        /* monotonic, for the time limit */
    double now_ms;          /* wall clock, fixed at first use; < 0 unset */
    /* The lowest stack address evaluation may reach on this thread (its
     * stack's end plus JN_STACK_RESERVE), found at the first jn_enter;
     * 0 unknown. Deep recursion stops there with U1001 instead of a
     * crash, whatever the thread's stack size. */
    uintptr_t stack_floor;
    /* Returned by jn_alloc only when malloc fails for a small request
     * (callers never test for NULL; the failed context stops the
     * evaluation at the next jn_failed()). Per evaluation, not
     * _Thread_local: TinyCC cannot link TLS relocations. */
    _Alignas(max_align_t) unsigned char spill[512];
};

void jn_ctx_init(jn_ctx *cx, const jn_guard *guard);
void jn_ctx_free(jn_ctx *cx);
/* Record an error with an already-built message (first error wins). */
void jn_ctx_set_error(jn_ctx *cx, const char *code, long position, const char *token,
                      const char *message);
/* Enter / leave one node evaluation: false (U1001 set) past a limit. */
bool jn_enter(jn_ctx *cx);
void jn_leave(jn_ctx *cx);

#endif
