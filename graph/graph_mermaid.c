/*
 * graph_mermaid.c - a program as a Mermaid flowchart (flowchart rather than
 * stateDiagram-v2: it has labelled edges, shapes per type and subgraphs
 * for branches, and GitHub renders it). Same elements as graph_dot.c.
 * Definition strings go only through graph_esc_mermaid().
 */
#include "graph.h"

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

static void edge(FILE *f, const ir_machine *m, int from, int to, const char *label, const char *arrow)
{
    fprintf(f, "  m%d_s%d %s", m->id, from, arrow);
    if (label) {
        fputs("|\"", f);
        graph_esc_mermaid(f, label);
        fputs("\"|", f);
    }
    fprintf(f, " m%d_s%d\n", m->id, to);
}

static void write_machine(FILE *f, const ir_machine *m);

static void write_state(FILE *f, const ir_machine *m, const ir_state *s)
{
    char buf[256];
    const char *open, *close;
    shape_of(s->kind, &open, &close);
    fprintf(f, "  m%d_s%d%s", m->id, s->index, open);
    graph_esc_mermaid(f, s->name);
    fprintf(f, "<br/><small>%s", ir_kind_name(s->kind));
    if (s->nretry > 0)
        fprintf(f, ", retry: %d", s->nretry);
    fprintf(f, "</small>%s:::%s\n", close, ir_kind_name(s->kind));
    if (s->next >= 0)
        edge(f, m, s->index, s->next, NULL, "-->");
    for (int i = 0; i < s->nrules; i++)
        if (s->rules[i]->next >= 0) {
            graph_rule_label(buf, sizeof buf, s->rules[i]);
            edge(f, m, s->index, s->rules[i]->next, buf, "-->");
        }
    if (s->kind == IR_CHOICE && s->default_next >= 0)
        edge(f, m, s->index, s->default_next, "Default", "==>");
    for (int i = 0; i < s->ncatch; i++) {
        graph_errors_label(buf, sizeof buf, s->catch_[i].nerrors, s->catch_[i].errors);
        edge(f, m, s->index, s->catch_[i].next, buf, "-.->");
    }
    if (s->end || s->kind == IR_SUCCEED || s->kind == IR_FAIL)
        fprintf(f, "  m%d_s%d --> m%d_end\n", m->id, s->index, m->id);
    for (int b = 0; b < s->nbranches; b++) {
        write_machine(f, s->branches[b]);
        fprintf(f, "  m%d_s%d -.->|\"branch %d\"| m%d_s%d\n", m->id, s->index, b + 1,
                s->branches[b]->id, s->branches[b]->start);
    }
    if (s->processor) {
        write_machine(f, s->processor);
        fprintf(f, "  m%d_s%d -.->|\"each item\"| m%d_s%d\n", m->id, s->index, s->processor->id,
                s->processor->start);
    }
}

static void write_machine(FILE *f, const ir_machine *m)
{
    if (m->parent) {
        fprintf(f, "  subgraph m%d [\" \"]\n", m->id);
    } else {
        fprintf(f, "  m%d_start(( )) --> m%d_s%d\n", m->id, m->id, m->start);
    }
    fprintf(f, "  m%d_end((( )))\n", m->id);
    for (int i = 0; i < m->nstates; i++)
        write_state(f, m, m->states[i]);
    if (m->parent)
        fputs("  end\n", f);
}

int graph_write_mermaid(FILE *f, const ir_program *p)
{
    fputs("flowchart TD\n", f);
    write_machine(f, p->top);
    fputs("  classDef Task fill:#dbeafe\n  classDef Choice fill:#fef3c7\n"
          "  classDef Wait fill:#f3f4f6\n  classDef Succeed fill:#dcfce7\n"
          "  classDef Fail fill:#fee2e2\n  classDef Parallel fill:#ede9fe\n"
          "  classDef Map fill:#e0f2fe\n  classDef Pass fill:#ffffff\n",
          f);
    return ferror(f) ? -1 : 0;
}
