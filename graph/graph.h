/*
 * graph.h - drawings of a checked ASL program: DOT and Mermaid text, and
 * SVG / PNG laid out by Graphviz's library.
 *
 * Reads only compiler/ir.h. Every string that comes from the definition
 * (state names, errors, rule text) reaches the output through the ONE
 * escaping function of the target language (graph_esc.c), so no name can
 * end a quoted label or open markup, whatever bytes it holds.
 * Called by compiler/graph_cmd.c (`aslc graph`).
 */
#ifndef ASLC_GRAPH_GRAPH_H
#define ASLC_GRAPH_GRAPH_H

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

/* Write the whole program as a DOT digraph / a Mermaid flowchart.
 * Return 0, or -1 on a write error. */
int graph_write_dot(FILE *f, const ir_program *p);
int graph_write_mermaid(FILE *f, const ir_program *p);

/* Lay [dot] out with Graphviz and render it as [format] ("svg" or "png")
 * into a malloc'd buffer (*out, *len). Returns 0, or -1 with a message in
 * [err] (size [errlen]). */
int graph_render(const char *dot, const char *format, char **out, size_t *len, char *err,
                 size_t errlen);

#endif
