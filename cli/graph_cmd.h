/*
 * graph_cmd.h - `aslc graph`: draw a checked definition (graph/graph.h).
 * Called by main.c's dispatch only.
 */
#ifndef ASLC_COMPILER_GRAPH_CMD_H
#define ASLC_COMPILER_GRAPH_CMD_H

#include <stdbool.h>

/* argv after "graph"; [color]: colour diagnostics. Returns the exit code
 * (0 written, 1 the definition has errors, 2 bad usage / I/O / render error). */
int graph_cmd(int argc, char **argv, bool color);

struct ir_program;
/* The graph of [ir] as an SVG element for the --report page (no XML
 * prolog; state nodes carry graph_state_id's ids), malloc'd; 0 when
 * Graphviz fails (reported on stderr as a warning). Called by pipeline.c. */
char *graph_report_svg(const struct ir_program *ir);

#endif
