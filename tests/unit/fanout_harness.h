/*
 * fanout_harness.h - for test_map.c and test_parallel.c: compile an ASL
 * definition in memory (check, lower, emit, TinyCC) and run it with
 * rt_run_machine, keeping the output, the error and the history, and
 * reading the history back (event list, peak iterations in flight,
 * previousEventId links). Tasks fail unless the run is given a bindings
 * file (h_run_bound, with the handlers of tests/handlers/).
 *
 * Static inline functions only: each test file includes it once and uses
 * what it needs.
 */
#ifndef ASLC_TESTS_FANOUT_HARNESS_H
#define ASLC_TESTS_FANOUT_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "emit.h"
#include "jit.h"
#include "effects.h"
#include "engine.h"
#include "rt.h"
#include "values.h"
#include "unit.h"

typedef struct harness {
    rt_options opt;
    rt_run run;
    asl_exec x;
    unit *u;
    jit_program *jit;
    cJSON *output;
    char *history;
    size_t history_len;
    rt_status status;
    double seconds;          /* wall time of the run */
    rt_tasks *tasks;         /* the bindings, for h_run_bound; 0 otherwise */
    char bindings_dir[32];   /* where h_run_bound wrote them, or "" */
} harness;

static inline double h_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Compiles [asl]; returns the machine or NULL (diagnostics on stderr). */
static inline const asl_machine *h_compile(harness *h, const char *asl)
{
    h->u = unit_from_text("test.asl.json", asl, strlen(asl));
    if (!h->u || !load_json(h->u))
        return NULL;
    ir_program *p = check_and_lower(h->u);
    if (!p) {
        for (const diag *d = h->u->diags; d; d = d->next)
            fprintf(stderr, "diag: %s\n", d->message);
        return NULL;
    }
    char *c = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&c, &len);
    if (!f || cg_emit_program(f, p) != 0) {
        if (f)
            fclose(f);
        free(c);
        return NULL;
    }
    fclose(f);
    h->jit = jit_compile(c, "test.asl.json", stderr);
    free(c);
    return h->jit ? (const asl_machine *)jit_machine(h->jit) : NULL;
}

/* Writes [text] to h->bindings_dir/bindings.json with every "%H" replaced
 * by the absolute tests/handlers directory (the tests run from the
 * repository root), and sets --bindings to it. */
static inline void h_write_bindings(harness *h, const char *text)
{
    char handlers[4096], path[64];
    snprintf(h->bindings_dir, sizeof h->bindings_dir, "/tmp/aslc-fanout-XXXXXX");
    if (!realpath("tests/handlers", handlers) || !mkdtemp(h->bindings_dir)) {
        fprintf(stderr, "h_run_bound: no tests/handlers or no temporary directory\n");
        abort();
    }
    snprintf(path, sizeof path, "%s/bindings.json", h->bindings_dir);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    for (const char *p = text; *p; p++) {
        if (p[0] == '%' && p[1] == 'H') {
            fputs(handlers, f);
            p++;
        } else {
            fputc(*p, f);
        }
    }
    fclose(f);
    h->opt.bindings_file = strdup(path);
}

/* Runs [asl] on [input] with --wait [mode] (scale for RT_WAIT_SCALE), a
 * history and, when [bindings] is not 0, that bindings file's text (see
 * h_write_bindings). Returns the status (h->output, h->x.error,
 * h->history). */
static inline rt_status h_run_full(harness *h, const char *asl, const char *input, rt_wait_mode mode,
                                   double scale, const char *s3_root, const char *bindings)
{
    memset(h, 0, sizeof *h);
    h->opt.wait_mode = mode;
    h->opt.wait_scale = scale;
    h->opt.execution_name = "test-run";
    h->opt.s3_root = s3_root;
    h->run.opt = &h->opt;
    h->x.run = &h->run;
    const asl_machine *m = h_compile(h, asl);
    if (!m) {
        fprintf(stderr, "h_run: the definition did not compile:\n%s\n", asl);
        abort();
    }
    if (bindings) {
        h_write_bindings(h, bindings);
        char *err = NULL;
        h->tasks = rt_tasks_open(&h->opt, m, &err);
        if (!h->tasks) {
            fprintf(stderr, "h_run_bound: %s\n", err ? err : "rt_tasks_open failed");
            abort();
        }
        h->run.tasks = h->tasks;
    }
    h->opt.history = open_memstream(&h->history, &h->history_len);
    double t0 = h_now();
    h->status = rt_run_machine(&h->x, m, cJSON_Parse(input), &h->output);
    h->seconds = h_now() - t0;
    fclose(h->opt.history);
    h->opt.history = NULL;
    return h->status;
}

static inline rt_status h_run_opts(harness *h, const char *asl, const char *input, rt_wait_mode mode,
                                   double scale, const char *s3_root)
{
    return h_run_full(h, asl, input, mode, scale, s3_root, NULL);
}

static inline rt_status h_run(harness *h, const char *asl, const char *input)
{
    return h_run_opts(h, asl, input, RT_WAIT_SKIP, 0, NULL);
}

/* h_run with the Tasks bound by the bindings file text [bindings]. */
static inline rt_status h_run_bound(harness *h, const char *asl, const char *input,
                                    const char *bindings)
{
    return h_run_full(h, asl, input, RT_WAIT_SKIP, 0, NULL, bindings);
}

static inline void h_free(harness *h)
{
    cJSON_Delete(h->output);
    rt_exec_dispose(&h->x);
    free(h->history);
    if (h->jit)
        jit_free(h->jit);
    if (h->u)
        unit_close(h->u);
    if (h->tasks)
        rt_tasks_close(h->tasks);
    if (h->opt.bindings_file) {
        remove(h->opt.bindings_file);
        rmdir(h->bindings_dir);
        free((char *)h->opt.bindings_file);
    }
    memset(h, 0, sizeof *h);
}

/* The output as compact JSON (static buffer, for assert_string_equal). */
static inline const char *h_out(const harness *h)
{
    static char buf[65536];
    char *t = h->output ? cJSON_PrintUnformatted(h->output) : NULL;
    snprintf(buf, sizeof buf, "%s", t ? t : "(none)");
    free(t);
    return buf;
}

/* Calls [fn] for each history event (parsed; freed after the call). */
static inline void h_each(const harness *h, void (*fn)(const cJSON *ev, void *arg), void *arg)
{
    const char *p = h->history;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        cJSON *ev = cJSON_ParseWithLength(p, (size_t)(nl - p));
        if (ev)
            fn(ev, arg);
        cJSON_Delete(ev);
        p = nl + 1;
    }
}

typedef struct h_list {
    char *buf;
    size_t n, cap;
} h_list;

static inline void h_list_add(const cJSON *ev, void *arg)
{
    h_list *l = arg;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
    const char *name = NULL;
    for (const cJSON *d = ev->child; d; d = d->next)
        if (cJSON_IsObject(d)) {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(d, "name");
            if (cJSON_IsString(nm))
                name = nm->valuestring;
        }
    size_t need = strlen(type->valuestring) + (name ? strlen(name) : 0) + 3;
    if (l->n + need >= l->cap) {
        l->cap = (l->cap + need) * 2;
        l->buf = realloc(l->buf, l->cap);
    }
    l->n += (size_t)snprintf(l->buf + l->n, l->cap - l->n, "%s%s%s%s", l->n ? " " : "",
                             type->valuestring, name ? ":" : "", name ? name : "");
}

/* "ExecutionStarted MapStateEntered:M ..." (malloc'd). */
static inline char *h_events(const harness *h)
{
    h_list l = {calloc(1, 64), 0, 64};
    h_each(h, h_list_add, &l);
    return l.buf;
}

/* How many events of [type] the history has. */
typedef struct h_count {
    const char *type;
    int n;
} h_count;

static inline void h_count_one(const cJSON *ev, void *arg)
{
    h_count *c = arg;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
    if (strcmp(type->valuestring, c->type) == 0)
        c->n++;
}

static inline int h_count_events(const harness *h, const char *type)
{
    h_count c = {type, 0};
    h_each(h, h_count_one, &c);
    return c.n;
}

/* The most Map iterations in flight at once, from the history (events are
 * written in id order under one lock, so the running count is exact). */
typedef struct h_peak {
    int cur, peak;
} h_peak;

static inline void h_peak_one(const cJSON *ev, void *arg)
{
    h_peak *p = arg;
    const char *t = cJSON_GetObjectItemCaseSensitive(ev, "type")->valuestring;
    if (strcmp(t, "MapIterationStarted") == 0) {
        if (++p->cur > p->peak)
            p->peak = p->cur;
    } else if (strncmp(t, "MapIteration", 12) == 0) {
        p->cur--;
    }
}

static inline int h_peak_in_flight(const harness *h)
{
    h_peak p = {0, 0};
    h_each(h, h_peak_one, &p);
    return p.peak;
}

/* Event [id] (1-based), parsed; the caller frees it. */
static inline cJSON *h_event(const harness *h, long id)
{
    const char *p = h->history;
    for (long k = 1; p && k < id; k++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    const char *nl = p ? strchr(p, '\n') : NULL;
    return nl ? cJSON_ParseWithLength(p, (size_t)(nl - p)) : NULL;
}

static inline long h_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
}

#endif
