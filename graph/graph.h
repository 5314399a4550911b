/*
 * graph.h - drawings of a checked ASL program: DOT and Mermaid text, and
 * SVG / PNG laid out by Graphviz's library.
 *
 * Reads only compiler/ir.h. Every string that comes from the definition
 * (state names, errors, rule text) reaches the output through the ONE
 * escaping function of the target language (graph_esc.c), so no name can
 * end a quoted label or open markup, whatever bytes it holds.
 * Called by cli/graph_cmd.c (`aslc graph`) and cli/ at build time for the
 * --report page's picture.
 */
#ifndef ASLC_GRAPH_GRAPH_H
#define ASLC_GRAPH_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ir.h"

/* Escape [s] for the inside of a DOT double-quoted label: printable ASCII
 * other than " \ < > & { } | and valid non-ASCII UTF-8 stay themselves;
 * \ is written \\ (Graphviz would read a decoded entity as an escape such
 * as \n); the other specials become HTML numeric entities (Graphviz decodes
 * them); invalid UTF-8 and control characters become U+FFFD. */
void graph_esc_dot(FILE *f, const char *s);
/* Escape [s] for the inside of a Mermaid "quoted" label: Mermaid's entity
 * codes (#60;) for everything but letters, digits, space and . , _ - : */
void graph_esc_mermaid(FILE *f, const char *s);

/* A short text for Choice rule [r] ("$.x NumericGreaterThan 3", "and(2)"),
 * cut at [size]-1 bytes on a character boundary with "..."; raw, unescaped. */
void graph_rule_label(char *buf, size_t size, const ir_rule *r);
/* A short text for a Catch's errors ("States.ALL", "A, B"). Same rules. */
void graph_errors_label(char *buf, size_t size, int n, const char **errors);

/* ==== A run drawn on the graph (`--history`, the --report page) ==== */

/* What one state did in the run; all zero when it was never entered. */
typedef struct graph_state_run {
    int entered, exited;
    int retries;           /* Task attempts beyond the first of each entry */
    int failures;          /* failed attempts (caught, retried or not) */
    int iterations, iter_failed; /* Map items run / failed */
    bool failing;          /* the run ended with an error here */
    const char *error;     /* that error (raw text), or 0 */
} graph_state_run;

typedef struct graph_edge_run {
    int machine, from, to; /* ir_machine.id and ir_state.index of both ends */
    int count;
} graph_edge_run;

typedef struct graph_run {
    graph_state_run **states; /* [machine id][state index] */
    int nedges;
    graph_edge_run *edges;
    const char *status;       /* SUCCEEDED FAILED ..., or 0 when the run has no end */
    const char *error;        /* the run's error, or 0 */
} graph_run;

/* How to draw: [run] marks the states and edges taken (0: the plain
 * graph); [ids] gives every state node the id graph_state_id() makes (DOT
 * only: the report page finds the nodes of its SVG by them). */
typedef struct graph_opts {
    const graph_run *run;
    bool ids;
} graph_opts;

/* An empty run for [p] (every count zero); 0 when out of memory. */
graph_run *graph_run_new(const ir_program *p);
void graph_run_free(graph_run *r, const ir_program *p);
/* The state [s] of machine [m] in [r], or 0 when [r] is 0. */
const graph_state_run *graph_run_state(const graph_run *r, const ir_machine *m, const ir_state *s);
/* How often [r] took the edge from..to of machine [m] (0 when [r] is 0). */
int graph_run_edge(const graph_run *r, const ir_machine *m, int from, int to);
/* How often [r] left [s] of [m] by ending its machine: the exits not
 * followed by a transition (0 when [r] is 0). */
int graph_run_end(const graph_run *r, const ir_machine *m, const ir_state *s);
/* Adds [count] to the edge from..to of machine [m]; -1 when out of memory. */
int graph_run_add_edge(graph_run *r, const ir_machine *m, int from, int to, int count);
/* One raw text line of what [sr] did: "3x, 1 retry, 4 items (1 failed)". */
void graph_run_label(char *buf, size_t size, const graph_state_run *sr);
/* The node id of the state named [name]: "s-" and its bytes in hex, so a
 * name of any bytes makes a plain, unique id. [buf] needs 2*len+3 bytes. */
void graph_state_id(char *buf, const char *name);

/* Write the whole program as a DOT digraph / a Mermaid flowchart.
 * Return 0, or -1 on a write error. */
int graph_write_dot(FILE *f, const ir_program *p, const graph_opts *o);
int graph_write_mermaid(FILE *f, const ir_program *p, const graph_opts *o);

/* Lay [dot] out with Graphviz and render it as [format] ("svg" or "png")
 * into a malloc'd buffer (*out, *len). Returns 0, or -1 with a message in
 * [err] (size [errlen]). */
int graph_render(const char *dot, const char *format, char **out, size_t *len, char *err,
                 size_t errlen);

#endif
