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

int64_t rt_now_ns(const asl_exec *x)
{
    if (!x || !x->run)
        return rt_real_ns();
    /* Map / Parallel threads share the clock: skips are read atomically,
     * and a distributed Map's child runs on its root run's clock. */
    const rt_run *r = x->run;
    while (r->parent)
        r = r->parent;
    /* Saturates: a skip to the end of time (a retry backing off "forever")
     * must not wrap the clock into the past. */
    int64_t now;
    if (__builtin_add_overflow(rt_real_ns(), __atomic_load_n(&r->skipped_ns, __ATOMIC_RELAXED),
                               &now))
        return INT64_MAX;
    return now;
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
