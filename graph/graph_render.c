/*
 * graph_render.c - SVG and PNG through Graphviz's library (libgvc): the
 * DOT text from graph_dot.c is parsed, laid out with "dot" and rendered.
 * No layout of our own. Only aslc links this; generated executables never do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/gvc.h>

#include "graph.h"

int graph_render(const char *dot, const char *format, char **out, size_t *len, char *err,
                 size_t errlen)
{
    GVC_t *gvc = gvContext();
    if (!gvc) {
        snprintf(err, errlen, "cannot start Graphviz");
        return -1;
    }
    int rc = -1;
    Agraph_t *g = agmemread(dot);
    if (!g) {
        snprintf(err, errlen, "Graphviz could not read the graph");
    } else if (gvLayout(gvc, g, "dot") != 0) {
        snprintf(err, errlen, "Graphviz layout failed");
        agclose(g);
    } else {
        char *data = NULL;
        unsigned int n = 0;
        if (gvRenderData(gvc, g, format, &data, &n) != 0 || !data) {
            snprintf(err, errlen, "Graphviz cannot render %s (plugin missing?)", format);
        } else if ((*out = malloc(n + 1)) != NULL) {
            memcpy(*out, data, n);
            (*out)[n] = '\0';
            *len = n;
            rc = 0;
        } else {
            snprintf(err, errlen, "out of memory");
        }
        if (data)
            gvFreeRenderData(data);
        gvFreeLayout(gvc, g);
        agclose(g);
    }
    gvFreeContext(gvc);
    return rc;
}
