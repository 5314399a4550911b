/*
 * graph_mermaid.c - a program as a Mermaid flowchart (flowchart rather than
 * stateDiagram-v2: it has labelled edges, shapes per type and subgraphs
 * for branches, and GitHub renders it). Same elements as graph_dot.c.
 * With a run, states are put in the classes taken / failing / untaken and
 * the links taken styled by their index (Mermaid's linkStyle counts links
 * in the order written, so the writer counts them too).
 * Definition strings go only through graph_esc_mermaid().
 */
#include <stdlib.h>

#include "graph.h"

typedef struct {
    FILE *f;
    const graph_opts *o;
    int nlinks;   /* links written so far */
    int *taken;   /* indexes of links taken */
    int ntaken, cap;
    bool oom;
} mctx;

/* Counts one written link; remembers it when the run took it [n] times. */
static void link_done(mctx *c, int n)
{
    int i = c->nlinks++;
    if (n <= 0)
        return;
    if (c->ntaken == c->cap) {
        int cap = c->cap ? 2 * c->cap : 32;
        int *t = realloc(c->taken, (size_t)cap * sizeof *t);
        if (!t) {
            c->oom = true;
            return;
        }
        c->taken = t;
        c->cap = cap;
    }
    c->taken[c->ntaken++] = i;
}

/* Opening and closing brackets of a node shape per type. */
static void shape_of(ir_state_kind k, const char **open, const char **close)
{
    switch (k) {
    case IR_CHOICE: *open = "{\""; *close = "\"}"; return;
    case IR_WAIT: *open = "[/\""; *close = "\"/]"; return;
    case IR_SUCCEED: case IR_FAIL: *open = "([\""; *close = "\"])"; return;
    case IR_PARALLEL: case IR_MAP: *open = "[[\""; *close = "\"]]"; return;
    case IR_TASK: case IR_PASS: case IR_NUM_KINDS: break;
    }
    *open = "[\"";
    *close = "\"]";
}

static void edge(mctx *c, const ir_machine *m, int from, int to, const char *label, const char *arrow)
{
    FILE *f = c->f;
    int n = graph_run_edge(c->o->run, m, from, to);
    fprintf(f, "  m%d_s%d %s", m->id, from, arrow);
    if (label || n > 0) {
        fputs("|\"", f);
        if (label)
            graph_esc_mermaid(f, label);
        if (n > 0)
            fprintf(f, "%s%dx", label ? " " : "", n);
        fputs("\"|", f);
    }
    fprintf(f, " m%d_s%d\n", m->id, to);
    link_done(c, n);
}

static void write_machine(mctx *c, const ir_machine *m);

static void write_state(mctx *c, const ir_machine *m, const ir_state *s)
{
    FILE *f = c->f;
    char buf[256];
    const char *open, *close;
    const graph_state_run *sr = graph_run_state(c->o->run, m, s);
    shape_of(s->kind, &open, &close);
    fprintf(f, "  m%d_s%d%s", m->id, s->index, open);
    graph_esc_mermaid(f, s->name);
    fprintf(f, "<br/><small>%s", ir_kind_name(s->kind));
    if (s->nretry > 0)
        fprintf(f, ", retry: %d", s->nretry);
    if (sr && sr->entered > 0) {
        graph_run_label(buf, sizeof buf, sr);
        fputs("<br/>", f);
        graph_esc_mermaid(f, buf);
    }
    if (sr && sr->failing && sr->error) {
        {
            const char *e = sr->error;
            graph_errors_label(buf, sizeof buf, 1, &e);
        }
        fputs("<br/>error: ", f);
        graph_esc_mermaid(f, buf);
    }
    fprintf(f, "</small>%s:::%s\n", close, ir_kind_name(s->kind));
    if (s->next >= 0)
        edge(c, m, s->index, s->next, NULL, "-->");
    for (int i = 0; i < s->nrules; i++)
        if (s->rules[i]->next >= 0) {
            graph_rule_label(buf, sizeof buf, s->rules[i]);
            edge(c, m, s->index, s->rules[i]->next, buf, "-->");
        }
    if (s->kind == IR_CHOICE && s->default_next >= 0)
        edge(c, m, s->index, s->default_next, "Default", "==>");
    for (int i = 0; i < s->ncatch; i++) {
        graph_errors_label(buf, sizeof buf, s->catch_[i].nerrors, s->catch_[i].errors);
        edge(c, m, s->index, s->catch_[i].next, buf, "-.->");
    }
    if (s->end || s->kind == IR_SUCCEED || s->kind == IR_FAIL) {
        fprintf(f, "  m%d_s%d --> m%d_end\n", m->id, s->index, m->id);
        link_done(c, graph_run_end(c->o->run, m, s));
    }
    for (int b = 0; b < s->nbranches; b++) {
        const ir_machine *bm = s->branches[b];
        write_machine(c, bm);
        fprintf(f, "  m%d_s%d -.->|\"branch %d\"| m%d_s%d\n", m->id, s->index, b + 1, bm->id,
                bm->start);
        const graph_state_run *start = graph_run_state(c->o->run, bm, bm->states[bm->start]);
        link_done(c, start ? start->entered : 0);
    }
    if (s->processor) {
        write_machine(c, s->processor);
        fprintf(f, "  m%d_s%d -.->|\"each item\"| m%d_s%d\n", m->id, s->index, s->processor->id,
                s->processor->start);
        link_done(c, sr ? sr->iterations : 0);
    }
}

static void write_machine(mctx *c, const ir_machine *m)
{
    FILE *f = c->f;
    if (m->parent) {
        fprintf(f, "  subgraph m%d [\" \"]\n", m->id);
    } else {
        fprintf(f, "  m%d_start(( )) --> m%d_s%d\n", m->id, m->id, m->start);
        link_done(c, c->o->run ? c->o->run->states[m->id][m->start].entered : 0);
    }
    fprintf(f, "  m%d_end((( )))\n", m->id);
    for (int i = 0; i < m->nstates; i++)
        write_state(c, m, m->states[i]);
    if (m->parent)
        fputs("  end\n", f);
}

/* The run's classes and link styles, after the graph. */
static void write_run(mctx *c, const ir_program *p)
{
    FILE *f = c->f;
    const graph_run *r = c->o->run;
    fputs("  classDef taken stroke:#1d4ed8,stroke-width:3px\n"
          "  classDef failing stroke:#b91c1c,stroke-width:4px\n"
          "  classDef untaken opacity:0.45\n",
          f);
    for (int i = 0; i < p->nmachines; i++) {
        const ir_machine *m = p->machines[i];
        for (int k = 0; k < m->nstates; k++) {
            const graph_state_run *sr = &r->states[m->id][k];
            fprintf(f, "  class m%d_s%d %s\n", m->id, k,
                    sr->failing ? "failing" : sr->entered > 0 ? "taken" : "untaken");
        }
    }
    if (c->ntaken > 0) {
        fputs("  linkStyle ", f);
        for (int i = 0; i < c->ntaken; i++)
            fprintf(f, "%s%d", i ? "," : "", c->taken[i]);
        fputs(" stroke:#1d4ed8,stroke-width:3px\n", f);
    }
}

int graph_write_mermaid(FILE *f, const ir_program *p, const graph_opts *o)
{
    static const graph_opts plain = {0};
    mctx c = {.f = f, .o = o ? o : &plain};
    fputs("flowchart TD\n", f);
    if (c.o->run && c.o->run->status) {
        /* Mermaid has no graph title in a flowchart: a comment says how it ended */
        fprintf(f, "  %%%% run: %s\n", c.o->run->status);
    }
    write_machine(&c, p->top);
    fputs("  classDef Task fill:#dbeafe\n  classDef Choice fill:#fef3c7\n"
          "  classDef Wait fill:#f3f4f6\n  classDef Succeed fill:#dcfce7\n"
          "  classDef Fail fill:#fee2e2\n  classDef Parallel fill:#ede9fe\n"
          "  classDef Map fill:#e0f2fe\n  classDef Pass fill:#ffffff\n",
          f);
    if (c.o->run)
        write_run(&c, p);
    free(c.taken);
    return ferror(f) || c.oom ? -1 : 0;
}
