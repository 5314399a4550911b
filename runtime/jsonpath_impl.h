/*
 * jsonpath_impl.h - what the JSONPath files share: jsonpath.c (selection),
 * resultpath.c (InputPath / OutputPath / ResultPath writes) and
 * jsonpath_text.c (Jayway's message texts). Nothing else includes it.
 *
 * The helpers and the definite walk are static inline: the definite walk
 * runs for every Choice rule and template field, in both files.
 *
 * Layer: values
 */
#ifndef ASLRT_JSONPATH_IMPL_H
#define ASLRT_JSONPATH_IMPL_H

#include <stdbool.h>
#include <string.h>

#include "values.h"

/* ==== Small helpers ===================================================== */
static inline const cJSON *obj_get(const cJSON *obj, const char *key)
{
    /* A key that templates built is the generated program's own static
     * string, often the very one a path names: pointer equality settles
     * it. Otherwise the first byte decides most mismatches without a call. */
    for (const cJSON *c = obj->child; c; c = c->next)
        if (c->string == key ||
            (c->string && c->string[0] == key[0] && strcmp(c->string, key) == 0))
            return c;
    return NULL;
}

static inline bool is_obj(const cJSON *v)
{
    return v && (v->type & 0xFF) == cJSON_Object;
}

static inline bool is_arr(const cJSON *v)
{
    return v && (v->type & 0xFF) == cJSON_Array;
}

/* A node about to become a root or an array element must not keep a key
 * from the object it came from. */
static inline void drop_key(cJSON *v)
{
    if (v->string && !(v->type & cJSON_StringIsConst))
        cJSON_free(v->string);
    v->string = NULL;
    v->type &= ~cJSON_StringIsConst;
}

/* Give [v] the key [name], which outlives every document (it is static
 * data of the generated program). */
static inline void set_const_key(cJSON *v, const char *name)
{
    drop_key(v);
    v->string = (char *)name;
    v->type |= cJSON_StringIsConst;
}

/* ==== Definite paths ==================================================== */
/* Where a definite walk stopped, to choose Jayway's message. */
enum {
    RT_STOP_NO_RESULT, /* leaf missing, or an index out of range */
    RT_STOP_MISSING,   /* a property on the way is missing */
    RT_STOP_NOT_OBJECT,/* a name applied to something not an object */
    RT_STOP_NULL,      /* an index applied to null */
    RT_STOP_NOT_ARRAY  /* an index applied to something not an array */
};

typedef struct {
    int why;
    int at;              /* segment index */
    const cJSON *model;  /* the value the segment was applied to */
} rt_path_stop;

/* Walk segments [0, n) of a path made of FIELD and INDEX only. Returns the
 * value (borrowed) and its parent, or NULL with *st filled. */
static inline const cJSON *walk_definite(const asl_path *p, int n, const cJSON *cur,
                                         const cJSON **parent, rt_path_stop *st)
{
    const cJSON *up = NULL;
    for (int i = 0; i < n; i++) {
        const asl_seg *s = &p->segs[i];
        const cJSON *next;
        if (s->kind == ASL_SEG_FIELD) {
            if (!is_obj(cur)) {
                *st = (rt_path_stop){RT_STOP_NOT_OBJECT, i, cur};
                return NULL;
            }
            next = obj_get(cur, s->name);
            if (!next) {
                *st = (rt_path_stop){i == p->nsegs - 1 ? RT_STOP_NO_RESULT : RT_STOP_MISSING, i, cur};
                return NULL;
            }
        } else {
            if (!is_arr(cur)) {
                *st = (rt_path_stop){!cur || cJSON_IsNull(cur) ? RT_STOP_NULL : RT_STOP_NOT_ARRAY, i, cur};
                return NULL;
            }
            next = rt_arr_get(cur, s->index);
            if (!next) {
                *st = (rt_path_stop){RT_STOP_NO_RESULT, i, cur};
                return NULL;
            }
        }
        up = cur;
        cur = next;
    }
    if (parent)
        *parent = up;
    return cur;
}

/* ==== jsonpath_text.c: Jayway's messages ================================= */
/* Messages are built in rt_sbuf (rt.h, text.c). */
/* [d] in its shortest round-trip form. */
void rt_shortest(char *out, size_t len, double d);
/* [v] as Java's toString of Jayway's model prints it. */
void rt_java_string(rt_sbuf *b, const cJSON *v);
/* One segment as Jayway prints it in a message. */
void rt_path_fragment(rt_sbuf *b, const asl_seg *s);
/* Segments [from, to) of [p] as Jayway prints them, from "$" when [root]. */
void rt_path_frags(rt_sbuf *b, const asl_path *p, int from, int to, bool root);
/* Fail [x] with States.Runtime: "Invalid path '<p>' : <b>"; frees b. */
void rt_path_fail(asl_exec *x, const asl_path *p, rt_sbuf *b);
/* Fail [x] with Jayway's message for a definite walk stopped at [s]. */
void rt_path_report_stop(asl_exec *x, const asl_path *p, const rt_path_stop *s);

#endif
