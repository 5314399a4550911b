/*
 * graph_run.c - a run laid over the graph: per-state counts indexed like
 * the IR (machine id, state index), the edges taken, the label line that
 * says what a state did, and the node ids the report page looks up.
 *
 * Filled by cli/graph_history.c from a history summary; read by the DOT
 * and Mermaid writers. Owns its arrays (graph_run_free).
 */
#include <stdlib.h>
#include <string.h>

#include "graph.h"

graph_run *graph_run_new(const ir_program *p)
{
    graph_run *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    int ids = 0; /* machine ids are unique, not necessarily dense */
    for (int i = 0; i < p->nmachines; i++)
        if (p->machines[i]->id >= ids)
            ids = p->machines[i]->id + 1;
    r->states = calloc((size_t)ids, sizeof *r->states);
    if (!r->states) {
        free(r);
        return NULL;
    }
    for (int i = 0; i < p->nmachines; i++) {
        const ir_machine *m = p->machines[i];
        r->states[m->id] = calloc((size_t)m->nstates + 1, sizeof **r->states);
        if (!r->states[m->id]) {
            graph_run_free(r, p);
            return NULL;
        }
    }
    return r;
}

void graph_run_free(graph_run *r, const ir_program *p)
{
    if (!r)
        return;
    for (int i = 0; r->states && i < p->nmachines; i++)
        free(r->states[p->machines[i]->id]);
    free(r->states);
    free(r->edges);
    free(r);
}

const graph_state_run *graph_run_state(const graph_run *r, const ir_machine *m, const ir_state *s)
{
    return r ? &r->states[m->id][s->index] : NULL;
}

int graph_run_edge(const graph_run *r, const ir_machine *m, int from, int to)
{
    if (!r)
        return 0;
    for (int i = 0; i < r->nedges; i++)
        if (r->edges[i].machine == m->id && r->edges[i].from == from && r->edges[i].to == to)
            return r->edges[i].count;
    return 0;
}

int graph_run_end(const graph_run *r, const ir_machine *m, const ir_state *s)
{
    if (!r)
        return 0;
    int n = r->states[m->id][s->index].exited;
    for (int i = 0; i < r->nedges; i++)
        if (r->edges[i].machine == m->id && r->edges[i].from == s->index)
            n -= r->edges[i].count;
    return n > 0 ? n : 0;
}

int graph_run_add_edge(graph_run *r, const ir_machine *m, int from, int to, int count)
{
    for (int i = 0; i < r->nedges; i++)
        if (r->edges[i].machine == m->id && r->edges[i].from == from && r->edges[i].to == to) {
            r->edges[i].count += count;
            return 0;
        }
    graph_edge_run *e = realloc(r->edges, ((size_t)r->nedges + 1) * sizeof *e);
    if (!e)
        return -1;
    r->edges = e;
    r->edges[r->nedges++] = (graph_edge_run){m->id, from, to, count};
    return 0;
}

void graph_run_label(char *buf, size_t size, const graph_state_run *sr)
{
    int n = snprintf(buf, size, "%dx", sr->entered);
    if (sr->retries > 0 && n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, ", %d retr%s", sr->retries,
                      sr->retries == 1 ? "y" : "ies");
    if (sr->iterations > 0 && n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, ", %d item%s", sr->iterations,
                      sr->iterations == 1 ? "" : "s");
    if (sr->iter_failed > 0 && n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, " (%d failed)", sr->iter_failed);
    else if (sr->failures > 0 && n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, ", %d failed", sr->failures);
}

void graph_state_id(char *buf, const char *name)
{
    static const char hex[] = "0123456789abcdef";
    char *o = buf;
    *o++ = 's';
    *o++ = '-';
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        *o++ = hex[*p >> 4];
        *o++ = hex[*p & 15];
    }
    *o = '\0';
}
