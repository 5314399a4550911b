/*
 * pool.c - the threads that Parallel and Map states run on and the fan-out
 * engine (fanout.h). Cancellation scopes are base (context.c).
 *
 * The pool: one per execution (on the root rt_run), created by the first
 * fan-out and joined by rt_run_machine at the end of the run. It starts a
 * thread whenever work is submitted and no thread is idle, up to
 * POOL_MAX_THREADS, or POOL_MAX_DIST_THREADS for a distributed Map's child
 * executions (AWS runs up to 10,000 at once: MaxConcurrency is honoured
 * up to there, each child holding one thread); past that pool_submit
 * declines and the fan-out simply has fewer runners (the calling thread
 * always runs one). Threads wait for
 * work on a condition variable and live until the run ends, so a run with
 * many Map states starts each thread once. Workers block SIGINT / SIGTERM:
 * the signal goes to the main thread, whose handler marks the run aborted;
 * every sub-execution polls that flag.
 *
 * Cancellation: each fan-out attempt has an rt_scope whose parent is the
 * scope of the execution that runs the state (rt_cancelled in context.c
 * walks the chain).
 *
 * Owns: the pool (threads and queued work items) and, during
 * rt_fanout_run, the fan-out's lock and condition variable. Called by
 * map.c and parallel.c (rt_fanout_run) and exec.c (rt_pool_free).
 *
 * Layer: engine
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fanout.h"

/* Threads per run at most. Units beyond this many blocked at once wait for
 * a runner to free up (a Map's MaxConcurrency is then not reached, never
 * exceeded). Each thread reserves POOL_STACK bytes of address space. */
enum { POOL_MAX_THREADS = 256, POOL_STACK = 2 * 1024 * 1024 };
/* A distributed Map's children may take this many in all: 10,000 children
 * (AWS's most) beside the ordinary share. A thread that waits costs its
 * stack's touched pages (tens of KiB) and its address space, not 2 MiB of
 * memory; pthread_create failing (address space, process limits) only
 * means fewer runners. */
enum { POOL_MAX_DIST_THREADS = 10000 + POOL_MAX_THREADS };

/* ==== The pool ============================================================== */

typedef struct pool_work {
    void (*fn)(void *);
    void *arg;
    struct pool_work *next;
    bool returning;            /* fn announced that it is about to return */
} pool_work;

typedef struct rt_pool {
    pthread_mutex_t mu;
    pthread_cond_t more;       /* work queued, or stop */
    pool_work *head, *tail;
    int queued;                /* items in the queue */
    int idle;                  /* threads waiting for work */
    int returning;             /* threads about to wait for work (pool_returning) */
    int nthreads;
    int cap;                   /* room in threads */
    bool stop;
    pthread_t *threads;
} rt_pool;

/* The work item the current pool thread runs (0 elsewhere). A pthread key
 * rather than _Thread_local: TinyCC cannot link an executable whose
 * objects hold TLS relocations (`aslc build --cc libtcc`). */
static pthread_key_t current_key;
static pthread_once_t current_once = PTHREAD_ONCE_INIT;

static void current_key_make(void) { (void)pthread_key_create(&current_key, NULL); }

static pool_work *current_work(void)
{
    pthread_once(&current_once, current_key_make);
    return pthread_getspecific(current_key);
}

/* Creating a pool is rare and never concurrent in practice (the first
 * fan-out of a run happens on one thread), but a lock makes it certain. */
static pthread_mutex_t pool_create_lock = PTHREAD_MUTEX_INITIALIZER;

static void *pool_main(void *arg)
{
    rt_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->head && !p->stop) {
            p->idle++;
            pthread_cond_wait(&p->more, &p->mu);
            p->idle--;
        }
        if (!p->head)
            break; /* stop, and nothing left to do */
        pool_work *w = p->head;
        p->head = w->next;
        if (!p->head)
            p->tail = NULL;
        p->queued--;
        pthread_mutex_unlock(&p->mu);
        pthread_once(&current_once, current_key_make);
        (void)pthread_setspecific(current_key, w);
        w->fn(w->arg);
        (void)pthread_setspecific(current_key, NULL);
        pthread_mutex_lock(&p->mu);
        if (w->returning)
            p->returning--;
        free(w);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* The run's pool, created on first use; 0 when out of memory. */
static rt_pool *pool_get(rt_run *run)
{
    rt_run *root = rt_root_run(run);
    pthread_mutex_lock(&pool_create_lock);
    rt_pool *p = root->pool;
    if (!p) {
        p = calloc(1, sizeof *p);
        if (p && (pthread_mutex_init(&p->mu, NULL) != 0 || pthread_cond_init(&p->more, NULL) != 0)) {
            free(p);
            p = NULL;
        }
        root->pool = p;
    }
    pthread_mutex_unlock(&pool_create_lock);
    return p;
}

/* Starts one more thread unless there are [most]; the caller holds p->mu. */
static bool pool_grow(rt_pool *p, int most)
{
    if (p->nthreads >= most)
        return false;
    if (p->nthreads == p->cap) {
        int cap = p->cap ? p->cap * 2 : 64;
        pthread_t *t = realloc(p->threads, (size_t)cap * sizeof *t);
        if (!t)
            return false;
        p->threads = t;
        p->cap = cap;
    }
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return false;
    pthread_attr_setstacksize(&attr, POOL_STACK);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old); /* inherited by the new thread */
    int rc = pthread_create(&p->threads[p->nthreads], &attr, pool_main, p);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        return false;
    p->nthreads++;
    return true;
}

/* Runs fn(arg) on a pool thread, starting one if none is idle and there
 * are fewer than [most]. Returns false (nothing queued) when no thread can
 * take it: the caller does without. */
static bool pool_submit(rt_pool *p, int most, void (*fn)(void *), void *arg)
{
    pool_work *w = malloc(sizeof *w);
    if (!w)
        return false;
    w->fn = fn;
    w->arg = arg;
    w->next = NULL;
    w->returning = false;
    pthread_mutex_lock(&p->mu);
    /* A thread about to return to the queue counts as idle: a fan-out that
     * follows another reuses its threads instead of starting new ones. */
    if (p->idle + p->returning <= p->queued && !pool_grow(p, most)) {
        pthread_mutex_unlock(&p->mu);
        free(w);
        return false;
    }
    if (p->tail)
        p->tail->next = w;
    else
        p->head = w;
    p->tail = w;
    p->queued++;
    pthread_cond_signal(&p->more);
    pthread_mutex_unlock(&p->mu);
    return true;
}

void rt_pool_free(rt_run *run)
{
    rt_pool *p = run ? run->pool : NULL;
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->more);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->more);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
    run->pool = NULL;
}

int rt_pool_threads(rt_run *run)
{
    rt_run *root = rt_root_run(run);
    rt_pool *p = root ? root->pool : NULL;
    if (!p)
        return 0;
    pthread_mutex_lock(&p->mu);
    int n = p->nthreads;
    pthread_mutex_unlock(&p->mu);
    return n;
}

/* ==== The fan-out engine ==================================================== */

static void stop_locked(rt_fanout *f)
{
    if (!f->stopped) {
        f->stopped = true;
        __atomic_store_n(&f->scope.stop, 1, __ATOMIC_RELEASE);
    }
}

/* Called by a pool thread's work just before it lets its waiter go:
 * from then on the thread counts as free (pool_submit). */
static void pool_returning(rt_pool *p)
{
    pool_work *w = current_work();
    if (!p || !w || w->returning)
        return;
    pthread_mutex_lock(&p->mu);
    w->returning = true;
    p->returning++;
    pthread_mutex_unlock(&p->mu);
}

static void runner_entry(void *arg);

/* Asks the pool for [count] more runners of [f] (f->mu held); a pool that
 * cannot help means fewer runners. */
static void add_runners(rt_fanout *f, long count)
{
    if (count <= 0)
        return;
    rt_pool *p = pool_get(f->x->run);
    int most = f->isolated ? POOL_MAX_DIST_THREADS : POOL_MAX_THREADS;
    f->runners += count;
    for (long r = 0; r < count; r++) {
        if (!p || !pool_submit(p, most, runner_entry, f)) {
            f->runners -= count - r;
            break;
        }
    }
}

/* A cpu_bound unit that took this much CPU time is worth a thread; a Pass
 * and Choice iteration takes microseconds, a hand-off about as much. */
enum { HELP_AFTER_NS = 1000 * 1000 };

static int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The unit that the calling thread of a cpu_bound fan-out just ran took
 * long: helpers for the rest (f->mu held). */
static void help(rt_fanout *f)
{
    f->helped = true;
    /* runners, this thread included: no more than the CPUs, the limit
     * and the units left */
    long want = sysconf(_SC_NPROCESSORS_ONLN);
    if (want > f->limit)
        want = f->limit;
    if (want > f->n - f->next)
        want = f->n - f->next;
    add_runners(f, want - 1);
}

/* One runner: takes units until none is left or the fan-out stops. [p]
 * is the pool when it runs on a pool thread, else 0. */
static void runner(rt_fanout *f, rt_pool *p)
{
    pthread_mutex_lock(&f->mu);
    while (!f->stopped && f->next < f->n) {
        if (rt_cancelled(f->x)) {
            /* the state itself is being cancelled (an enclosing fan-out
             * failed, or the run was aborted): start nothing more */
            stop_locked(f);
            break;
        }
        long i = f->next++;
        cJSON *input = f->ops->prep(f, i);
        if (!input) {
            f->prep_failed = true;
            stop_locked(f);
            break;
        }
        f->started++;
        if (++f->in_flight > f->peak)
            f->peak = f->in_flight;
        pthread_mutex_unlock(&f->mu);

        asl_exec sub;
        memset(&sub, 0, sizeof sub);
        sub.run = f->x->run;
        sub.scope = &f->scope;
        sub.prev_event_id = f->start_event;
        /* a Map iteration or Parallel branch reads the state's variables */
        sub.outer = f->isolated ? NULL : f->x;
        cJSON *out = NULL;
        /* cpu_bound, on the calling thread (the only one that sets
         * f->helped and f->suspect): the monotonic clock (no system call)
         * times each unit; one that took long makes the next one timed by
         * the thread's CPU clock too, which a preemption does not fool,
         * and a long CPU time brings the helpers. */
        const bool timed = f->cpu_bound && !p && !f->helped;
        const bool cpu_timed = timed && f->suspect;
        int64_t w0 = timed ? rt_mono_ns() : 0, c0 = cpu_timed ? thread_cpu_ns() : 0;
        rt_status st = f->ops->run(f, i, &sub, input, &out);
        int64_t wall = timed ? rt_mono_ns() - w0 : 0;
        bool long_cpu = cpu_timed && thread_cpu_ns() - c0 >= HELP_AFTER_NS;

        pthread_mutex_lock(&f->mu);
        if (long_cpu)
            help(f);
        else if (timed)
            f->suspect = wall >= HELP_AFTER_NS;
        f->in_flight--;
        if (f->ops->done(f, i, &sub, st, out))
            stop_locked(f);
        rt_progress_unit(f, st == RT_SUCCEEDED);
        rt_exec_dispose(&sub);
    }
    pool_returning(p);
    if (--f->runners == 0)
        pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

static void runner_entry(void *arg)
{
    rt_fanout *f = arg;
    runner(f, rt_root_run(f->x->run)->pool);
}

void rt_fanout_run(rt_fanout *f)
{
    f->stopped = f->prep_failed = false;
    f->started = f->peak = 0;
    f->units_done = f->units_failed = 0;
    f->progress = f->label && rt_progress_on(f->x->run);
    f->progress_t0 = f->progress ? rt_mono_ns() : 0;
    f->progress_shown = 0;
    f->next = f->in_flight = 0;
    f->scope.stop = 0;
    f->scope.parent = f->x->scope;
    if (f->n <= 0)
        return;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    f->helped = f->suspect = false;
    long want = f->limit < 1 ? 1 : f->limit;
    if (want > f->n)
        want = f->n;
    if (f->cpu_bound)
        want = 1; /* help() adds the others when units prove long */
    f->runners = 1;
    /* Helpers on the pool first, so that they start while this thread
     * runs its own share. */
    pthread_mutex_lock(&f->mu);
    add_runners(f, want - 1);
    pthread_mutex_unlock(&f->mu);
    runner(f, NULL);
    pthread_mutex_lock(&f->mu);
    while (f->runners > 0)
        pthread_cond_wait(&f->cv, &f->mu);
    pthread_mutex_unlock(&f->mu);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    rt_progress_fanout_end(f);
}
