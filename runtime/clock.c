/*
 * clock.c - the clocks: the execution clock (real time plus the time that
 * --wait skip / scale skipped), the moment the current state was entered,
 * and the monotonic clock that handler deadlines use.
 *
 * Layer: base. Owns nothing. Thread-safe: Map and Parallel threads share
 * the run's clock (skips are read atomically).
 */
#include <stdint.h>
#include <time.h>

#include "rt.h"

int64_t rt_real_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* [real] plus the skips of [x]'s run (saturating). */
static int64_t skipped_clock(const asl_exec *x, int64_t real)
{
    /* Map / Parallel threads share the clock: skips are read atomically,
     * and a distributed Map's child runs on its root run's clock. */
    const rt_run *r = x->run;
    while (r->parent)
        r = r->parent;
    /* Saturates: a skip to the end of time (a retry backing off "forever")
     * must not wrap the clock into the past. */
    int64_t now;
    if (__builtin_add_overflow(real, __atomic_load_n(&r->skipped_ns, __ATOMIC_RELAXED), &now))
        return INT64_MAX;
    return now;
}

bool rt_before_deadline(const asl_exec *x, int64_t deadline)
{
    /* The coarse clock is the time of the last tick: at most a tick (10 ms
     * at HZ=100) behind the precise one, and a memory read rather than a
     * timer read. Clear of the deadline by more than that, the run is in
     * time; only near it is the precise clock read. */
    enum { TICK_MARGIN_NS = 20000000 };
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    int64_t coarse = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    if (x && x->run)
        coarse = skipped_clock(x, coarse);
    if (coarse < deadline - TICK_MARGIN_NS)
        return true;
    return rt_now_ns(x) < deadline;
}

int64_t rt_now_ns(const asl_exec *x)
{
    if (!x || !x->run)
        return rt_real_ns();
    return skipped_clock(x, rt_real_ns());
}

/* The moment the current state was entered, read on first use. */
int64_t rt_entered_ns(asl_exec *x)
{
    if (x->entered_ns == 0)
        x->entered_ns = rt_now_ns(x);
    return x->entered_ns;
}

int64_t rt_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
