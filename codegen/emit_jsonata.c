/*
 * emit_jsonata.c - a parsed JSONata expression (asl_jnode tree, aslrt.h)
 * written out as static C data, so a generated program evaluates it with
 * the runtime's evaluator without parsing anything at run time.
 *
 * Nodes are written children first (kids, stages, group before the node
 * that points at them), so no forward declaration is needed and the
 * output compiles with gcc and TinyCC alike. Every string (names, string
 * literals, regex patterns, signatures) goes through cg_cstr. Nodes that
 * the evaluator caches into (REGEX, LAMBDA with a signature) get a
 * mutable `void *` slot of their own.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cwrite.h"
#include "emit.h"

typedef struct jw {
    FILE *out;
    const char *prefix;
    int next;   /* the next node number */
    bool oom;
} jw;

static void put_num(FILE *out, double d)
{
    if (isnan(d))
        fputs("(0.0 / 0.0)", out);
    else if (isinf(d))
        fputs(d > 0 ? "(1e308 * 10.0)" : "(-1e308 * 10.0)", out);
    else
        fprintf(out, "%.17g", d);
}

static void put_str(FILE *out, const char *s, size_t len)
{
    if (s)
        cg_cstr(out, s, len);
    else
        fputs("0", out);
}

static int write_node(jw *w, const asl_jnode *n);

/* An array of node pointers; returns its number, -1 when [n] is 0. */
static int write_list(jw *w, const asl_jnode *const *v, int n)
{
    if (n <= 0)
        return -1;
    int *ids = malloc((size_t)n * sizeof *ids);
    if (!ids) {
        w->oom = true;
        return -1;
    }
    for (int i = 0; i < n; i++)
        ids[i] = write_node(w, v[i]);
    int id = w->next++;
    fprintf(w->out, "static const asl_jnode *const %s_%d[] = {", w->prefix, id);
    for (int i = 0; i < n; i++)
        fprintf(w->out, "%s&%s_%d", i ? ", " : "", w->prefix, ids[i]);
    fputs("};\n", w->out);
    free(ids);
    return id;
}

static int write_node(jw *w, const asl_jnode *n)
{
    int kids = write_list(w, n->kids, n->nkids);
    int stages = write_list(w, n->stages, n->nstages);
    int group = n->group ? write_node(w, n->group) : -1;
    int id = w->next++;
    FILE *o = w->out;
    if (n->cache)
        fprintf(o, "static void *%s_%d_cache;\n", w->prefix, id);
    fprintf(o, "static const asl_jnode %s_%d = {%d, %d, %d, %d, %d, ", w->prefix, id, n->type, n->op,
            n->flags, n->position, n->src);
    put_num(o, n->num);
    fputs(", ", o);
    put_str(o, n->str, n->len);
    fprintf(o, ", %lu, ", n->str ? n->len : 0UL);
    cg_cstrz(o, n->rx_flags);
    fprintf(o, ", %d, %d, ", n->nkids, n->nstages);
    if (kids >= 0)
        fprintf(o, "%s_%d, ", w->prefix, kids);
    else
        fputs("0, ", o);
    if (stages >= 0)
        fprintf(o, "%s_%d, ", w->prefix, stages);
    else
        fputs("0, ", o);
    if (group >= 0)
        fprintf(o, "&%s_%d, ", w->prefix, group);
    else
        fputs("0, ", o);
    cg_cstrz(o, n->focus);
    fputs(", ", o);
    cg_cstrz(o, n->index);
    fputs(", ", o);
    cg_cstrz(o, n->ancestor);
    if (n->cache)
        fprintf(o, ", &%s_%d_cache};\n", w->prefix, id);
    else
        fputs(", 0};\n", o);
    return id;
}

int cg_write_jsonata(FILE *out, const char *prefix, const asl_jnode *root)
{
    jw w = {out, prefix, 0, false};
    int id = write_node(&w, root);
    return w.oom || ferror(out) ? -1 : id;
}
