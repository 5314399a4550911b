/*
 * graph_history.h - a run's history file laid over a program's graph
 * (`aslc graph --history`); see graph_history.c.
 */
#ifndef ASLC_CLI_GRAPH_HISTORY_H
#define ASLC_CLI_GRAPH_HISTORY_H

#include <stddef.h>

#include "graph.h"

typedef struct graph_history graph_history;

/* Reads the --history file [path] of a run of [p] (which must outlive the
 * handle). Returns the handle, or 0 with a message in [err]. */
graph_history *graph_history_open(const char *path, const ir_program *p, char *err, size_t errlen);
/* The run to draw; owned by [h]. */
const graph_run *graph_history_run(const graph_history *h);
void graph_history_close(graph_history *h);

#endif
