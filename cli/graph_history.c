/*
 * graph_history.c - `aslc graph --history RUN.jsonl`: reads the events an
 * execution wrote with --history, summarizes them with the runtime's one
 * reader of histories (rt_run_summarize, runtime/runsum.c) and lays the
 * result over the IR as a graph_run for graph/'s writers.
 *
 * Owns: the parsed events and the summary (held in the returned handle
 * until graph_history_close); the graph_run it fills.
 * Called by graph_cmd.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_history.h"
#include "rt.h"
#include "runsum.h"

struct graph_history {
    cJSON *events;
    rt_run_sum sum;
    graph_run *run;
    const ir_program *p;
};

/* The state named [name] anywhere in [p] (names are unique in the whole
 * definition); its machine in *m. */
static const ir_state *find_state(const ir_program *p, const char *name, const ir_machine **m)
{
    for (int i = 0; i < p->nmachines; i++)
        for (int k = 0; k < p->machines[i]->nstates; k++)
            if (strcmp(p->machines[i]->states[k]->name, name) == 0) {
                *m = p->machines[i];
                return p->machines[i]->states[k];
            }
    return NULL;
}

/* The events of [path], one JSON object a line, as an array; 0 with a
 * message in [err]. */
static cJSON *read_events(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    cJSON *a = cJSON_CreateArray();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    while (a && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        char perr[160] = "";
        cJSON *ev = rt_json_parse(line, (size_t)n, perr, sizeof perr);
        if (!ev || !cJSON_IsObject(ev)) {
            snprintf(err, errlen, "%s:%ld: not a history event (%s)", path, lineno,
                     ev ? "not a JSON object" : perr[0] ? perr : "invalid JSON");
            cJSON_Delete(ev);
            cJSON_Delete(a);
            a = NULL;
        } else if (!cJSON_AddItemToArray(a, ev)) {
            cJSON_Delete(ev);
            cJSON_Delete(a);
            a = NULL;
            snprintf(err, errlen, "out of memory");
        }
    }
    if (a && ferror(f)) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        cJSON_Delete(a);
        a = NULL;
    }
    free(line);
    fclose(f);
    return a;
}

/* Lays [h]'s summary over the IR; -1 with a message when the history names
 * a state the definition does not have. */
static int lay_over(graph_history *h, const char *path, char *err, size_t errlen)
{
    const rt_run_sum *s = &h->sum;
    graph_run *r = h->run;
    r->status = s->status;
    r->error = s->error;
    for (int i = 0; i < s->nstates; i++) {
        const rt_state_sum *ss = &s->states[i];
        const ir_machine *m;
        const ir_state *st = find_state(h->p, ss->name, &m);
        if (!st) {
            snprintf(err, errlen, "%s: the history names a state \"%.80s\" that this definition does not have",
                     path, ss->name);
            return -1;
        }
        graph_state_run *g = &r->states[m->id][st->index];
        g->entered = ss->entered;
        g->exited = ss->exited;
        g->retries = ss->attempts > ss->entered ? ss->attempts - ss->entered : 0;
        g->failures = ss->failures;
        g->iterations = ss->iterations;
        g->iter_failed = ss->iter_failed;
        g->failing = ss->failing;
        g->error = ss->error;
    }
    for (int i = 0; i < s->nedges; i++) {
        const ir_machine *m1, *m2;
        const ir_state *a = find_state(h->p, s->states[s->edges[i].from].name, &m1);
        const ir_state *b = find_state(h->p, s->states[s->edges[i].to].name, &m2);
        /* a transition never leaves its machine; one that seems to is a
         * history of another definition, and is not drawn */
        if (m1 == m2 && graph_run_add_edge(r, m1, a->index, b->index, s->edges[i].count) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}

graph_history *graph_history_open(const char *path, const ir_program *p, char *err, size_t errlen)
{
    graph_history *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->p = p;
    h->events = read_events(path, err, errlen);
    char serr[160];
    if (h->events && rt_run_summarize(h->events, &h->sum, serr, sizeof serr) != 0) {
        snprintf(err, errlen, "%s: %s", path, serr);
        cJSON_Delete(h->events);
        h->events = NULL;
    }
    if (h->events && !(h->run = graph_run_new(p)))
        snprintf(err, errlen, "out of memory");
    if (!h->events || !h->run || lay_over(h, path, err, errlen) != 0) {
        graph_history_close(h);
        return NULL;
    }
    return h;
}

const graph_run *graph_history_run(const graph_history *h)
{
    return h->run;
}

void graph_history_close(graph_history *h)
{
    if (!h)
        return;
    graph_run_free(h->run, h->p);
    rt_run_sum_free(&h->sum);
    cJSON_Delete(h->events);
    free(h);
}
