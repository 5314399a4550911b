/*
 * graph_render.c - SVG and PNG through Graphviz's library (libgvc): the
 * DOT text from graph_dot.c is parsed, laid out with "dot" and rendered.
 * No layout of our own. Only aslc uses this; generated executables never do.
 *
 * libgvc is loaded (dlopen) the first time a picture is rendered, not
 * linked: it and its dependencies cost every aslc command about 1.2 ms of
 * start-up, and `aslc check` or `aslc run` never draw. Only the header's
 * types are used at compile time.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/gvc.h>

#include "graph.h"

/* The functions of libgvc (and libcgraph, which it loads) used here. */
static struct {
    GVC_t *(*context)(void);
    int (*free_context)(GVC_t *gvc);
    Agraph_t *(*memread)(const char *cp);
    int (*close)(Agraph_t *g);
    int (*layout)(GVC_t *gvc, Agraph_t *g, const char *engine);
    int (*free_layout)(GVC_t *gvc, Agraph_t *g);
    int (*render_data)(GVC_t *gvc, Agraph_t *g, const char *format, char **result,
                       unsigned int *length);
    void (*free_render_data)(char *data);
} gv;
static bool gv_ok;
static char gv_error[256] = "Graphviz was not loaded";
static pthread_once_t gv_once = PTHREAD_ONCE_INIT;

static void load_gv(void)
{
    static const char *const so[] = {"libgvc.so.6", "libgvc.so", NULL};
    static const char *const names[] = {
        "gvContext", "gvFreeContext", "agmemread", "agclose",
        "gvLayout", "gvFreeLayout", "gvRenderData", "gvFreeRenderData",
    };
    enum { N = sizeof names / sizeof names[0] };
    void *h = NULL;
    const char *why = NULL;
    for (const char *const *s = so; *s && !h; s++)
        if (!(h = dlopen(*s, RTLD_NOW | RTLD_LOCAL)) && !why)
            why = dlerror();
    if (!h) {
        snprintf(gv_error, sizeof gv_error,
                 "Graphviz's library is not available (Debian package libgvc6: %s)",
                 why ? why : "unknown error");
        return;
    }
    void *slots[N];
    for (size_t i = 0; i < N; i++) {
        /* a handle's lookup covers the libraries it needs (libcgraph) */
        if (!(slots[i] = dlsym(h, names[i]))) {
            snprintf(gv_error, sizeof gv_error, "Graphviz's library has no %s", names[i]);
            return;
        }
    }
    /* POSIX makes a data pointer from dlsym callable; memcpy keeps C11
     * from objecting to the conversion. */
    memcpy(&gv.context, &slots[0], sizeof(void *));
    memcpy(&gv.free_context, &slots[1], sizeof(void *));
    memcpy(&gv.memread, &slots[2], sizeof(void *));
    memcpy(&gv.close, &slots[3], sizeof(void *));
    memcpy(&gv.layout, &slots[4], sizeof(void *));
    memcpy(&gv.free_layout, &slots[5], sizeof(void *));
    memcpy(&gv.render_data, &slots[6], sizeof(void *));
    memcpy(&gv.free_render_data, &slots[7], sizeof(void *));
    gv_ok = true;
}

int graph_render(const char *dot, const char *format, char **out, size_t *len, char *err,
                 size_t errlen)
{
    pthread_once(&gv_once, load_gv);
    if (!gv_ok) {
        snprintf(err, errlen, "%s", gv_error);
        return -1;
    }
    GVC_t *gvc = gv.context();
    if (!gvc) {
        snprintf(err, errlen, "cannot start Graphviz");
        return -1;
    }
    int rc = -1;
    Agraph_t *g = gv.memread(dot);
    if (!g) {
        snprintf(err, errlen, "Graphviz could not read the graph");
    } else if (gv.layout(gvc, g, "dot") != 0) {
        snprintf(err, errlen, "Graphviz layout failed");
        gv.close(g);
    } else {
        char *data = NULL;
        unsigned int n = 0;
        if (gv.render_data(gvc, g, format, &data, &n) != 0 || !data) {
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
            gv.free_render_data(data);
        gv.free_layout(gvc, g);
        gv.close(g);
    }
    gv.free_context(gvc);
    return rc;
}
