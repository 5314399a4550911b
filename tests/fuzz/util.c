/*
 * util.c - helpers of the libFuzzer targets (fuzz.h).
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

size_t fuzz_split(const uint8_t *data, size_t size, char sep, const char **parts,
                  size_t *lens, size_t max)
{
    const char *s = (const char *)data;
    size_t n = 0, start = 0;
    for (size_t i = 0; i < size && n + 1 < max; i++)
        if (s[i] == sep) {
            parts[n] = s + start;
            lens[n++] = i - start;
            start = i + 1;
        }
    parts[n] = s + start;
    lens[n++] = size - start;
    return n;
}

char *fuzz_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        abort();
    if (n)
        memcpy(p, s, n);
    p[n] = 0;
    return p;
}

int fuzz_memfile(const char *s, size_t n, char *path, size_t cap)
{
    int fd = memfd_create("fuzz", 0);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, s + done, n - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

static int noop_state(asl_exec *x, cJSON **doc)
{
    (void)x;
    (void)doc;
    return ASL_NEXT_END;
}

static const asl_state states[] = {{.name = "S", .type = "Pass", .run = noop_state}};
static const asl_machine machine = {.name = "m", .nstates = 1, .states = states};

void fuzz_exec_init(fuzz_exec *f)
{
    memset(f, 0, sizeof *f);
    f->run.opt = &f->opt;
    f->run.machine = &machine;
    f->x.run = &f->run;
    f->x.machine = &machine;
    f->x.entered_event_id = 2;
}

void fuzz_exec_reset(fuzz_exec *f)
{
    rt_scratch_reset(&f->x);
    free(f->x.error);
    free(f->x.cause);
    f->x.error = f->x.cause = NULL;
    f->x.failed = false;
}

void fuzz_exec_dispose(fuzz_exec *f)
{
    fuzz_exec_reset(f);
    rt_exec_dispose(&f->x);
}

/* ---- ir -> asl: the numeric values are mirrored (ir.h says so) -------- */

static const asl_filter *to_filter(arena *a, const ir_filter *f)
{
    if (!f)
        return NULL;
    asl_filter *q = arena_new(a, asl_filter);
    q->op = (int)f->op;
    q->a = to_filter(a, f->a);
    q->b = to_filter(a, f->b);
    q->lhs = f->lhs ? fuzz_to_path(a, f->lhs) : NULL;
    q->lit = (int)f->lit;
    q->num = f->num;
    q->str = f->str;
    q->rhs_path = f->rhs_path ? fuzz_to_path(a, f->rhs_path) : NULL;
    return q;
}

const asl_path *fuzz_to_path(arena *a, const ir_path *p)
{
    asl_path *q = arena_new(a, asl_path);
    asl_seg *segs = p->nsegs ? arena_array(a, (size_t)p->nsegs, sizeof *segs) : NULL;
    for (int k = 0; k < p->nsegs; k++) {
        const ir_seg *s = &p->segs[k];
        asl_seg *o = &segs[k];
        o->kind = (int)s->kind;
        o->name = s->name;
        o->index = s->index;
        o->start = s->start;
        o->end = s->end;
        o->step = s->step;
        o->slice_flags = (s->has_start ? ASL_SLICE_HAS_START : 0) |
                         (s->has_end ? ASL_SLICE_HAS_END : 0);
        o->nnames = s->nnames;
        o->names = (const char *const *)s->names;
        o->nindexes = s->nindexes;
        o->indexes = s->indexes;
        o->filter = to_filter(a, s->filter);
    }
    q->text = p->text;
    q->normalized = p->normalized;
    q->root = (int)p->root;
    q->var = p->var;
    q->definite = p->definite;
    q->nsegs = p->nsegs;
    q->segs = segs;
    return q;
}

static void to_tmpl(arena *a, const ir_tmpl *t, asl_tmpl *out)
{
    switch (t->kind) {
    case IR_T_NULL: out->kind = ASL_T_NULL; break;
    case IR_T_TRUE: out->kind = ASL_T_TRUE; break;
    case IR_T_FALSE: out->kind = ASL_T_FALSE; break;
    case IR_T_NUMBER: out->kind = ASL_T_NUMBER, out->num = t->num; break;
    case IR_T_STRING: out->kind = ASL_T_STRING, out->str = t->str; break;
    case IR_T_PATH: out->kind = ASL_T_PATH, out->path = fuzz_to_path(a, t->path); break;
    case IR_T_CALL: out->kind = ASL_T_CALL, out->call = fuzz_to_call(a, t->call); break;
    default:
        /* intrinsic arguments are only the kinds above (intrinsic.h) */
        fprintf(stderr, "fuzz: unexpected intrinsic argument kind %d\n", (int)t->kind);
        abort();
    }
}

const asl_call *fuzz_to_call(arena *a, const ir_call *c)
{
    asl_call *q = arena_new(a, asl_call);
    asl_tmpl *args = c->nargs ? arena_array(a, (size_t)c->nargs, sizeof *args) : NULL;
    for (int k = 0; k < c->nargs; k++)
        to_tmpl(a, c->args[k], &args[k]);
    q->fn = (int)c->fn; /* IR_FN_* and ASL_FN_* share their order */
    q->name = c->name;
    q->nargs = c->nargs;
    q->args = args;
    return q;
}
