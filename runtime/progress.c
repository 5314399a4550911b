/*
 * progress.c - the live line on a terminal for long Map states (items done
 * of total, failures, rate, time left) and long Waits (time left).
 *
 * Off unless stderr is a terminal (and --trace is off), or --progress says
 * so; --no-progress turns it off. One line at a time: the first long Map or
 * Wait to want it owns it until it ends, so nested Maps and concurrent
 * branches never interleave their lines. The per-item cost when off is one
 * load of a cached flag; when on, a clock read, and a print at most every
 * 200 ms. State names are printed with control characters escaped
 * (rt_put_terminal), so a hostile name cannot drive the terminal.
 *
 * Layer: engine
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "engine.h"
#include "fanout.h"

enum {
    SHOW_AFTER_NS = 1000000000,   /* a Map or Wait shorter than 1 s shows nothing */
    REFRESH_NS = 200000000,
};

static pthread_mutex_t line_mu = PTHREAD_MUTEX_INITIALIZER;
static const void *line_owner; /* the fan-out or Wait that owns the line */

static bool stderr_is_tty(void)
{
    static int tty = -1; /* computed once; a benign race computes it twice */
    int t = __atomic_load_n(&tty, __ATOMIC_RELAXED);
    if (t < 0) {
        t = isatty(STDERR_FILENO) ? 1 : 0;
        __atomic_store_n(&tty, t, __ATOMIC_RELAXED);
    }
    return t == 1;
}

bool rt_progress_on(const rt_run *run)
{
    const rt_options *o = run->opt;
    if (!o || o->external_stop)
        return false;
    if (o->progress == RT_PROGRESS_OFF)
        return false;
    if (o->progress == RT_PROGRESS_ON)
        return true;
    return !o->trace && stderr_is_tty();
}

/* Takes the line for [who] when it is free; true when [who] owns it. */
static bool own_line(const void *who)
{
    pthread_mutex_lock(&line_mu);
    if (!line_owner)
        line_owner = who;
    bool mine = line_owner == who;
    pthread_mutex_unlock(&line_mu);
    return mine;
}

static void release_line(const void *who)
{
    pthread_mutex_lock(&line_mu);
    if (line_owner == who) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        line_owner = NULL;
    }
    pthread_mutex_unlock(&line_mu);
}

static void put_seconds(double s)
{
    if (s >= 3600)
        fprintf(stderr, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
    else if (s >= 60)
        fprintf(stderr, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        fprintf(stderr, "%.0fs", s);
}

void rt_progress_unit(rt_fanout *f, bool ok)
{
    f->units_done++;
    if (!ok)
        f->units_failed++;
    if (!f->label || !f->progress)
        return;
    int64_t now = rt_mono_ns();
    if (now - f->progress_t0 < SHOW_AFTER_NS || now - f->progress_shown < REFRESH_NS)
        return;
    if (!own_line(f))
        return;
    f->progress_shown = now;
    double secs = (double)(now - f->progress_t0) / 1e9;
    double rate = secs > 0 ? (double)f->units_done / secs : 0;
    fputs("\r\033[KMap ", stderr);
    rt_put_terminal(stderr, f->label);
    fprintf(stderr, ": %ld/%ld items", f->units_done, f->n);
    if (f->units_failed)
        fprintf(stderr, ", %ld failed", f->units_failed);
    fprintf(stderr, ", %.1f/s", rate);
    if (rate > 0 && f->units_done < f->n) {
        fputs(", ", stderr);
        put_seconds((double)(f->n - f->units_done) / rate);
        fputs(" left", stderr);
    }
    fflush(stderr);
}

void rt_progress_fanout_end(rt_fanout *f)
{
    if (f->label && f->progress)
        release_line(f);
}

void rt_progress_wait(const asl_exec *x, int64_t left_ns)
{
    if (!own_line(x))
        return;
    fputs("\r\033[KWait ", stderr);
    rt_put_terminal(stderr, rt_state_name(x));
    fputs(": ", stderr);
    put_seconds((double)left_ns / 1e9);
    fputs(" left", stderr);
    fflush(stderr);
}

void rt_progress_wait_end(const asl_exec *x)
{
    release_line(x);
}
