/*
 * graph_dot.c - a program as a Graphviz DOT digraph.
 *
 * One node per state (shape and colour per type), edges for Next, Default,
 * Choice rules (labelled with the rule), Catch (dashed, labelled with the
 * errors); Retry is a line in the state's label. Parallel branches and Map
 * processors are nested clusters entered by a dotted edge from their state.
 * With a run (graph_opts.run), the states and edges taken are drawn bold
 * and blue with their counts, the failing state red with its error, and
 * what was not taken in grey.
 * Definition strings go only through graph_esc_dot().
 */
#include <string.h>

#include "graph.h"

static const char TAKEN[] = ", penwidth=2.5, color=\"#1d4ed8\"";
static const char UNTAKEN[] = ", color=\"#9ca3af\", fontcolor=\"#6b7280\"";
static const char FAILING[] = ", penwidth=3, color=\"#b91c1c\"";

static const char *shape_of(ir_state_kind k)
{
    switch (k) {
    case IR_TASK: return "shape=box, style=\"rounded,filled\", fillcolor=\"#dbeafe\"";
    case IR_CHOICE: return "shape=diamond, style=filled, fillcolor=\"#fef3c7\"";
    case IR_WAIT: return "shape=box, style=\"dashed,filled\", fillcolor=\"#f3f4f6\"";
    case IR_SUCCEED: return "shape=box, style=\"rounded,filled,bold\", fillcolor=\"#dcfce7\"";
    case IR_FAIL: return "shape=box, style=\"rounded,filled,bold\", fillcolor=\"#fee2e2\"";
    case IR_PARALLEL: return "shape=box3d, style=filled, fillcolor=\"#ede9fe\"";
    case IR_MAP: return "shape=box3d, style=filled, fillcolor=\"#e0f2fe\"";
    case IR_PASS: case IR_NUM_KINDS: break;
    }
    return "shape=box, style=filled, fillcolor=\"#ffffff\"";
}

/* The attributes that mark an edge taken [n] times, or not at all. */
static void edge_run(FILE *f, const graph_opts *o, int n, bool first)
{
    if (!o->run)
        return;
    fputs(first ? "" : ", ", f);
    if (n > 0)
        fprintf(f, "penwidth=2.5, color=\"#1d4ed8\", xlabel=\"%dx\"", n);
    else
        fputs("color=\"#9ca3af\"", f);
}

static void edge(FILE *f, const graph_opts *o, const ir_machine *m, int from, int to, const char *label,
                 const char *style)
{
    fprintf(f, "  m%d_s%d -> m%d_s%d [", m->id, from, m->id, to);
    if (label) {
        fputs("label=\"", f);
        graph_esc_dot(f, label);
        fputs("\"", f);
    }
    if (style)
        fprintf(f, "%s%s", label ? ", " : "", style);
    edge_run(f, o, graph_run_edge(o->run, m, from, to), !label && !style);
    fputs("];\n", f);
}

static void write_machine(FILE *f, const graph_opts *o, const ir_machine *m);

/* The state's label lines and the attributes of its node under a run. */
static void state_run(FILE *f, const graph_state_run *sr, bool label)
{
    if (!sr)
        return;
    char buf[128];
    if (label && sr->entered > 0) {
        graph_run_label(buf, sizeof buf, sr);
        fputs("\\n", f);
        graph_esc_dot(f, buf);
    }
    if (label && sr->failing && sr->error) {
        {
            const char *e = sr->error;
            graph_errors_label(buf, sizeof buf, 1, &e);
        }
        fputs("\\nerror: ", f);
        graph_esc_dot(f, buf);
    }
    if (!label)
        fputs(sr->failing ? FAILING : sr->entered > 0 ? TAKEN : UNTAKEN, f);
}

static void write_state(FILE *f, const graph_opts *o, const ir_machine *m, const ir_state *s)
{
    char buf[256];
    const graph_state_run *sr = graph_run_state(o->run, m, s);
    fprintf(f, "  m%d_s%d [", m->id, s->index);
    if (o->ids) {
        char id[2 * 256 + 3];
        if (strlen(s->name) < 256) { /* AWS allows 80 characters */
            graph_state_id(id, s->name);
            fprintf(f, "id=\"%s\", ", id);
        }
    }
    fputs("label=\"", f);
    graph_esc_dot(f, s->name);
    fprintf(f, "\\n(%s)", ir_kind_name(s->kind));
    if (s->nretry > 0)
        fprintf(f, "\\nretry: %d rule%s", s->nretry, s->nretry == 1 ? "" : "s");
    state_run(f, sr, true);
    fprintf(f, "\", %s", shape_of(s->kind));
    state_run(f, sr, false);
    fputs("];\n", f);
    if (s->next >= 0)
        edge(f, o, m, s->index, s->next, NULL, NULL);
    for (int i = 0; i < s->nrules; i++)
        if (s->rules[i]->next >= 0) {
            graph_rule_label(buf, sizeof buf, s->rules[i]);
            edge(f, o, m, s->index, s->rules[i]->next, buf, NULL);
        }
    if (s->kind == IR_CHOICE && s->default_next >= 0)
        edge(f, o, m, s->index, s->default_next, "Default", "style=bold");
    for (int i = 0; i < s->ncatch; i++) {
        graph_errors_label(buf, sizeof buf, s->catch_[i].nerrors, s->catch_[i].errors);
        edge(f, o, m, s->index, s->catch_[i].next, buf, "style=dashed, color=\"#b91c1c\"");
    }
    if (s->end || s->kind == IR_SUCCEED || s->kind == IR_FAIL) {
        fprintf(f, "  m%d_s%d -> m%d_end [arrowhead=none", m->id, s->index, m->id);
        edge_run(f, o, graph_run_end(o->run, m, s), false);
        fputs("];\n", f);
    }
    for (int b = 0; b < s->nbranches; b++) {
        const ir_machine *bm = s->branches[b];
        write_machine(f, o, bm);
        fprintf(f, "  m%d_s%d -> m%d_s%d [style=dotted, label=\"branch %d\"", m->id, s->index,
                bm->id, bm->start, b + 1);
        const graph_state_run *start = graph_run_state(o->run, bm, bm->states[bm->start]);
        edge_run(f, o, start ? start->entered : 0, false);
        fputs("];\n", f);
    }
    if (s->processor) {
        write_machine(f, o, s->processor);
        fprintf(f, "  m%d_s%d -> m%d_s%d [style=dotted, label=\"each item\"", m->id, s->index,
                s->processor->id, s->processor->start);
        edge_run(f, o, sr ? sr->iterations : 0, false);
        fputs("];\n", f);
    }
}

/* The top machine is drawn bare, nested ones as clusters. */
static void write_machine(FILE *f, const graph_opts *o, const ir_machine *m)
{
    if (m->parent) {
        fprintf(f, "subgraph cluster_m%d {\n  style=\"rounded,dashed\"; color=\"#6b7280\"; label=\"\";\n",
                m->id);
    } else {
        fprintf(f, "  m%d_start [shape=circle, width=0.25, label=\"\", style=filled, fillcolor=black];\n",
                m->id);
        fprintf(f, "  m%d_start -> m%d_s%d", m->id, m->id, m->start);
        if (o->run) {
            const graph_state_run *sr = graph_run_state(o->run, m, m->states[m->start]);
            fputs(" [", f);
            edge_run(f, o, sr->entered, true);
            fputs("]", f);
        }
        fputs(";\n", f);
    }
    fprintf(f, "  m%d_end [shape=doublecircle, width=0.15, label=\"\", style=filled, fillcolor=black];\n",
            m->id);
    for (int i = 0; i < m->nstates; i++)
        write_state(f, o, m, m->states[i]);
    if (m->parent)
        fputs("}\n", f);
}

int graph_write_dot(FILE *f, const ir_program *p, const graph_opts *o)
{
    static const graph_opts plain = {0};
    if (!o)
        o = &plain;
    fputs("digraph \"", f);
    graph_esc_dot(f, p->machine_name ? p->machine_name : "StateMachine");
    fputs("\" {\n  node [fontname=\"Helvetica\", fontsize=11];\n"
          "  edge [fontname=\"Helvetica\", fontsize=9];\n",
          f);
    if (o->run && o->run->status) {
        fprintf(f, "  labelloc=t; fontname=\"Helvetica\"; label=\"run: %s", o->run->status);
        if (o->run->error) {
            char buf[128];
            {
            const char *e = o->run->error;
            graph_errors_label(buf, sizeof buf, 1, &e);
        }
            fputs(" ", f);
            graph_esc_dot(f, buf);
        }
        fputs("\";\n", f);
    }
    write_machine(f, o, p->top);
    fputs("}\n", f);
    return ferror(f) ? -1 : 0;
}
