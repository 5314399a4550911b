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

#endif
