/*
 * graph_dot.c - a program as a Graphviz DOT digraph.
 *
 * One node per state (shape and colour per type), edges for Next, Default,
 * Choice rules (labelled with the rule), Catch (dashed, labelled with the
 * errors); Retry is a line in the state's label. Parallel branches and Map
 * processors are nested clusters entered by a dotted edge from their state.
 * Definition strings go only through graph_esc_dot().
 */
#include "graph.h"

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

static void edge(FILE *f, const ir_machine *m, int from, int to, const char *label, const char *style)
{
    fprintf(f, "  m%d_s%d -> m%d_s%d [", m->id, from, m->id, to);
    if (label) {
        fputs("label=\"", f);
        graph_esc_dot(f, label);
        fputs("\"", f);
    }
    if (style)
        fprintf(f, "%s%s", label ? ", " : "", style);
    fputs("];\n", f);
}

static void write_machine(FILE *f, const ir_machine *m);

static void write_state(FILE *f, const ir_machine *m, const ir_state *s)
{
    char buf[256];
    fprintf(f, "  m%d_s%d [label=\"", m->id, s->index);
    graph_esc_dot(f, s->name);
    fprintf(f, "\\n(%s)", ir_kind_name(s->kind));
    if (s->nretry > 0)
        fprintf(f, "\\nretry: %d rule%s", s->nretry, s->nretry == 1 ? "" : "s");
    fprintf(f, "\", %s];\n", shape_of(s->kind));
    if (s->next >= 0)
        edge(f, m, s->index, s->next, NULL, NULL);
    for (int i = 0; i < s->nrules; i++)
        if (s->rules[i]->next >= 0) {
            graph_rule_label(buf, sizeof buf, s->rules[i]);
            edge(f, m, s->index, s->rules[i]->next, buf, NULL);
        }
    if (s->kind == IR_CHOICE && s->default_next >= 0)
        edge(f, m, s->index, s->default_next, "Default", "style=bold");
    for (int i = 0; i < s->ncatch; i++) {
        graph_errors_label(buf, sizeof buf, s->catch_[i].nerrors, s->catch_[i].errors);
        edge(f, m, s->index, s->catch_[i].next, buf, "style=dashed, color=\"#b91c1c\"");
    }
    if (s->end || s->kind == IR_SUCCEED || s->kind == IR_FAIL)
        fprintf(f, "  m%d_s%d -> m%d_end [arrowhead=none];\n", m->id, s->index, m->id);
    for (int b = 0; b < s->nbranches; b++) {
        write_machine(f, s->branches[b]);
        fprintf(f, "  m%d_s%d -> m%d_s%d [style=dotted, label=\"branch %d\"];\n", m->id,
                s->index, s->branches[b]->id, s->branches[b]->start, b + 1);
    }
    if (s->processor) {
        write_machine(f, s->processor);
        fprintf(f, "  m%d_s%d -> m%d_s%d [style=dotted, label=\"each item\"];\n", m->id,
                s->index, s->processor->id, s->processor->start);
    }
}

/* The top machine is drawn bare, nested ones as clusters. */
static void write_machine(FILE *f, const ir_machine *m)
{
    if (m->parent) {
        fprintf(f, "subgraph cluster_m%d {\n  style=\"rounded,dashed\"; color=\"#6b7280\"; label=\"\";\n",
                m->id);
    } else {
        fprintf(f, "  m%d_start [shape=circle, width=0.25, label=\"\", style=filled, fillcolor=black];\n",
                m->id);
        fprintf(f, "  m%d_start -> m%d_s%d;\n", m->id, m->id, m->start);
    }
    fprintf(f, "  m%d_end [shape=doublecircle, width=0.15, label=\"\", style=filled, fillcolor=black];\n",
            m->id);
    for (int i = 0; i < m->nstates; i++)
        write_state(f, m, m->states[i]);
    if (m->parent)
        fputs("}\n", f);
}

int graph_write_dot(FILE *f, const ir_program *p)
{
    fputs("digraph \"", f);
    graph_esc_dot(f, p->machine_name ? p->machine_name : "StateMachine");
    fputs("\" {\n  node [fontname=\"Helvetica\", fontsize=11];\n"
          "  edge [fontname=\"Helvetica\", fontsize=9];\n",
          f);
    write_machine(f, p->top);
    fputs("}\n", f);
    return ferror(f) ? -1 : 0;
}
