/*
 * emit_fanout.c - Parallel and Map states, and the nested machines they
 * run (Parallel branches, Map item processors), as C.
 *
 * A nested machine is written like the top-level one, as its own state
 * functions (named m<id>_st_NNN_Name, so no two machines clash) and a
 * `static const asl_machine machine_<id>`; machines are written innermost
 * first, so that every state function that runs one comes after it. A
 * Parallel or Map state is one static descriptor (asl_parallel / asl_map,
 * with an asl_map_dist for the distributed fields) and a one-line function
 * handing it to the runtime, which runs the sub-machines on its thread
 * pool:
 *
 *     static const asl_map map_0_1 = {.flow = {...}, .processor = &machine_2, ...};
 *     static int st_001_Process(asl_exec *x, cJSON **doc)
 *     {
 *         return asl_run_map(x, &map_0_1, doc);
 *     }
 *
 * Descriptors are named after the machine id and the state index, so the
 * output is deterministic. Every definition string goes through cwrite.c.
 * Owns nothing. Called by emit.c (cg_emit_program, emit_state).
 */
#include <stdlib.h>

#include "cwrite.h"
#include "emit_internal.h"

static void fanout_unreachable(const char *file, int line)
{
    fprintf(stderr, "aslc: internal error at %s:%d (unexpected IR in codegen)\n", file, line);
    abort();
}

#define FANOUT_UNREACHABLE() fanout_unreachable(__FILE__, __LINE__)

/* ==== Nested machines ======================================================= */

static int emit_machine(cg *g, const ir_machine *m);

/* The machines nested in the states of [m], each before its parent. */
static int emit_children(cg *g, const ir_machine *m)
{
    for (int i = 0; i < m->nstates; i++) {
        const ir_state *s = m->states[i];
        for (int k = 0; k < s->nbranches; k++)
            if (emit_machine(g, s->branches[k]) != 0)
                return -1;
        if (s->processor && emit_machine(g, s->processor) != 0)
            return -1;
    }
    return 0;
}

/* One nested machine: its children, its states, its table. */
static int emit_machine(cg *g, const ir_machine *m)
{
    if (emit_children(g, m) != 0)
        return -1;
    const ir_machine *saved = cg_machine(g);
    cg_set_machine(g, m);
    FILE *o = cg_out(g);
    fprintf(o, "\n/* ---- machine %d: ", m->id);
    if (m->parent) {
        /* say which state runs it, for the reader */
        for (int i = 0; i < m->parent->nstates; i++) {
            const ir_state *s = m->parent->states[i];
            bool mine = s->processor == m;
            for (int k = 0; k < s->nbranches && !mine; k++)
                mine = s->branches[k] == m;
            if (mine) {
                fputs(s->kind == IR_MAP ? "the item processor of \"" : "a branch of \"", o);
                cg_comment_text(o, s->name);
                fputs("\" ", o);
                break;
            }
        }
    }
    fputs("---- */\n", o);
    int rc = 0;
    for (int i = 0; i < m->nstates && rc == 0; i++) {
        if (m->states[i]->index != i)
            FANOUT_UNREACHABLE();
        rc = cg_emit_state_fn(g, m->states[i], i);
    }
    if (rc == 0) {
        char fn[CG_IDENT_MAX + 16];
        if (m->nstates > 0) {
            fprintf(o, "\nstatic const asl_state m%d_states[] = {\n", m->id);
            for (int i = 0; i < m->nstates; i++) {
                const ir_state *s = m->states[i];
                cg_put_state_entry(o, s, cg_state_fn_name(g, fn, sizeof fn, i, s->name));
            }
            fputs("};\n", o);
        }
        const ir_program *prog = cg_program(g);
        fprintf(o, "static const asl_machine machine_%d = {\n    .name = ", m->id);
        cg_cstrz(o, prog->machine_name ? prog->machine_name : "");
        fputs(",\n    .source = ", o);
        cg_cstrz(o, prog->source_name ? prog->source_name : "");
        fprintf(o, ",\n    .nstates = %d,\n    .start = %d,\n", m->nstates, m->start);
        if (m->nstates > 0)
            fprintf(o, "    .states = m%d_states,\n", m->id);
        fputs("};\n", o);
    }
    cg_set_machine(g, saved);
    return rc;
}

int cg_emit_nested_machines(cg *g)
{
    return emit_children(g, cg_program(g)->top);
}

/* ==== Descriptors =========================================================== */

/* True when the optional path is absent or "$" (no step at all). */
static bool identity(const ir_opt_path *op)
{
    return op->kind == IR_OPT_DEFAULT ||
           (op->kind == IR_OPT_PATH && op->path && op->path->root == IR_ROOT_INPUT &&
            op->path->nsegs == 0);
}

/* A descriptor's initializer may only name data written before it, so
 * every reference is made (and its data written) first, into these. */
static int opt_path_ref(cg *g, const ir_opt_path *op)
{
    return identity(op) || op->kind != IR_OPT_PATH ? -1 : cg_path_ref(g, op->path);
}

static int path_ref(cg *g, const ir_path *p)
{
    return p ? cg_path_ref(g, p) : -1;
}

static int tmpl_ref(cg *g, const ir_tmpl *t)
{
    return t ? cg_tmpl_ref(g, t) : -1;
}

/* `, .<name> = &path_<n>` or `, .<name>_null = 1`. */
static void put_opt_path(FILE *o, const ir_opt_path *op, int ref, const char *name)
{
    if (op->kind == IR_OPT_NULL)
        fprintf(o, ", .%s_null = 1", name);
    else if (ref >= 0)
        fprintf(o, ", .%s = &path_%d", name, ref);
}

static void put_ref(FILE *o, const char *kind, int ref, const char *name)
{
    if (ref >= 0)
        fprintf(o, ", .%s = &%s_%d", name, kind, ref);
}

static void put_str_field(FILE *o, const char *s, const char *name)
{
    if (s) {
        fprintf(o, ", .%s = ", name);
        cg_cstrz(o, s);
    }
}

/* The references of the `.flow = {...}` part. */
typedef struct flow_refs {
    int input, result, output, params, selector, assign, retry, catchers, jargs, jout;
} flow_refs;

static flow_refs flow_data(cg *g, const ir_state *s)
{
    flow_refs r;
    r.input = opt_path_ref(g, &s->input_path);
    r.result = opt_path_ref(g, &s->result_path);
    r.output = opt_path_ref(g, &s->output_path);
    r.params = s->kind == IR_PARALLEL ? tmpl_ref(g, s->parameters) : -1;
    r.selector = tmpl_ref(g, s->result_selector);
    r.assign = tmpl_ref(g, s->assign);
    r.jargs = tmpl_ref(g, s->arguments);
    r.jout = tmpl_ref(g, s->output);
    r.retry = cg_retriers_ref(g, s);
    r.catchers = cg_catchers_ref(g, s);
    return r;
}

static void put_flow(cg *g, FILE *o, const ir_state *s, flow_refs r)
{
    fputs(".flow = {.next = ", o);
    const ir_machine *m = cg_machine(g);
    if (s->end || s->next < 0) {
        fputs("ASL_NEXT_END", o);
    } else {
        if (s->next >= m->nstates)
            FANOUT_UNREACHABLE();
        fprintf(o, "%d /* \"", s->next);
        cg_comment_text(o, m->states[s->next]->name);
        fputs("\" */", o);
    }
    put_opt_path(o, &s->input_path, r.input, "input_path");
    put_ref(o, "tmpl", r.params, "parameters");
    put_ref(o, "tmpl", r.selector, "result_selector");
    put_ref(o, "tmpl", r.assign, "assign");
    if (s->jsonata)
        fputs(", .jsonata = 1", o);
    put_ref(o, "tmpl", r.jargs, "arguments");
    put_ref(o, "tmpl", r.jout, "output");
    put_opt_path(o, &s->result_path, r.result, "result_path");
    put_opt_path(o, &s->output_path, r.output, "output_path");
    if (r.retry >= 0)
        fprintf(o, ", .nretry = %d, .retry = retriers_%d", s->nretry, r.retry);
    if (r.catchers >= 0)
        fprintf(o, ", .ncatch = %d, .catchers = catchers_%d", s->ncatch, r.catchers);
    fputs("}", o);
}

static void emit_parallel(cg *g, FILE *b, const ir_state *s)
{
    FILE *o = cg_out(g);
    int mid = cg_machine(g)->id;
    flow_refs r = flow_data(g, s);
    if (s->nbranches > 0) {
        fprintf(o, "static const asl_machine *const branches_%d_%d[] = {", mid, s->index);
        for (int k = 0; k < s->nbranches; k++)
            fprintf(o, "%s&machine_%d", k ? ", " : "", s->branches[k]->id);
        fputs("};\n", o);
    }
    fprintf(o, "static const asl_parallel parallel_%d_%d = {\n    ", mid, s->index);
    put_flow(g, o, s, r);
    fprintf(o, ",\n    .nbranches = %d", s->nbranches);
    if (s->nbranches > 0)
        fprintf(o, ", .branches = branches_%d_%d", mid, s->index);
    fputs("};\n", o);
    fprintf(b, "    return asl_run_parallel(x, &parallel_%d_%d, doc);\n", mid, s->index);
}

/* The distributed fields as `dist_<machine>_<index>`; false when the
 * state has none. */
static bool emit_dist(cg *g, const ir_state *s)
{
    const ir_map_dist *d = s->dist;
    if (!d)
        return false;
    FILE *o = cg_out(g);
    int mid = cg_machine(g)->id;
    int rparams = tmpl_ref(g, d->reader_parameters), batch = tmpl_ref(g, d->batch_input);
    int wparams = tmpl_ref(g, d->writer_parameters);
    int jn[5] = {tmpl_ref(g, d->tolerated_count_jn), tmpl_ref(g, d->tolerated_percentage_jn),
                 tmpl_ref(g, d->max_items_jn), tmpl_ref(g, d->max_items_per_batch_jn),
                 tmpl_ref(g, d->max_bytes_per_batch_jn)};
    int max_items = path_ref(g, d->max_items_path);
    int per_batch = path_ref(g, d->max_items_per_batch_path);
    int bytes = path_ref(g, d->max_bytes_per_batch_path);
    int tcount = path_ref(g, d->tolerated_count_path);
    int tpct = path_ref(g, d->tolerated_percentage_path);
    if (d->ncsv_headers > 0) {
        fprintf(o, "static const char *const csv_headers_%d_%d[] = {", mid, s->index);
        for (int i = 0; i < d->ncsv_headers; i++) {
            if (i)
                fputs(", ", o);
            cg_cstrz(o, d->csv_headers[i]);
        }
        fputs("};\n", o);
    }
    fprintf(o, "static const asl_map_dist dist_%d_%d = {\n    .has_batcher = %d", mid, s->index,
            d->has_batcher ? 1 : 0);
    put_str_field(o, d->label, "label");
    put_str_field(o, d->execution_type, "execution_type");
    put_str_field(o, d->reader_resource, "reader_resource");
    put_ref(o, "tmpl", rparams, "reader_parameters");
    put_str_field(o, d->input_type, "input_type");
    put_str_field(o, d->csv_header_location, "csv_header_location");
    if (d->ncsv_headers > 0)
        fprintf(o, ", .ncsv_headers = %d, .csv_headers = csv_headers_%d_%d", d->ncsv_headers, mid,
                s->index);
    put_str_field(o, d->csv_delimiter, "csv_delimiter");
    put_str_field(o, d->manifest_type, "manifest_type");
    put_str_field(o, d->items_pointer, "items_pointer");
    if (d->max_items > 0)
        fprintf(o, ", .max_items = %ld", d->max_items);
    put_ref(o, "path", max_items, "max_items_path");
    if (d->max_items_per_batch > 0)
        fprintf(o, ", .max_items_per_batch = %ld", d->max_items_per_batch);
    put_ref(o, "path", per_batch, "max_items_per_batch_path");
    if (d->max_bytes_per_batch > 0)
        fprintf(o, ", .max_bytes_per_batch = %ld", d->max_bytes_per_batch);
    put_ref(o, "path", bytes, "max_bytes_per_batch_path");
    put_ref(o, "tmpl", batch, "batch_input");
    if (d->has_tolerated_count)
        fprintf(o, ",\n    .has_tolerated_count = 1, .tolerated_count = %ld", d->tolerated_count);
    put_ref(o, "path", tcount, "tolerated_count_path");
    if (d->has_tolerated_percentage) {
        fputs(",\n    .has_tolerated_percentage = 1, .tolerated_percentage = ", o);
        cg_put_num(o, d->tolerated_percentage);
    }
    put_ref(o, "path", tpct, "tolerated_percentage_path");
    if (d->has_writer)
        fputs(",\n    .has_writer = 1", o);
    put_str_field(o, d->writer_resource, "writer_resource");
    put_ref(o, "tmpl", wparams, "writer_parameters");
    put_str_field(o, d->output_type, "output_type");
    put_str_field(o, d->transformation, "transformation");
    if (d->jsonata)
        fputs(",\n    .jsonata = 1", o);
    put_ref(o, "tmpl", jn[0], "tolerated_count_jn");
    put_ref(o, "tmpl", jn[1], "tolerated_percentage_jn");
    put_ref(o, "tmpl", jn[2], "max_items_jn");
    put_ref(o, "tmpl", jn[3], "max_items_per_batch_jn");
    put_ref(o, "tmpl", jn[4], "max_bytes_per_batch_jn");
    fputs("};\n", o);
    return true;
}

static void emit_map(cg *g, FILE *b, const ir_state *s)
{
    if (!s->processor)
        FANOUT_UNREACHABLE();
    FILE *o = cg_out(g);
    int mid = cg_machine(g)->id;
    int items = opt_path_ref(g, &s->items_path);
    int sel = tmpl_ref(g, s->item_selector);
    int mc = path_ref(g, s->max_concurrency_path);
    int jitems = tmpl_ref(g, s->items_jn);
    int jmc = tmpl_ref(g, s->max_concurrency_jn);
    bool dist = emit_dist(g, s);
    flow_refs r = flow_data(g, s);
    fprintf(o, "static const asl_map map_%d_%d = {\n    ", mid, s->index);
    put_flow(g, o, s, r);
    fprintf(o, ",\n    .processor = &machine_%d", s->processor->id);
    put_ref(o, "path", items, "items_path");
    put_ref(o, "tmpl", sel, "item_selector");
    if (s->max_concurrency > 0)
        fprintf(o, ", .max_concurrency = %ld", s->max_concurrency);
    put_ref(o, "path", mc, "max_concurrency_path");
    put_ref(o, "tmpl", jitems, "items");
    put_ref(o, "tmpl", jmc, "max_concurrency_jn");
    if (s->distributed)
        fputs(", .distributed = 1", o);
    if (dist)
        fprintf(o, ", .dist = &dist_%d_%d", mid, s->index);
    fputs("};\n", o);
    fprintf(b, "    return asl_run_map(x, &map_%d_%d, doc);\n", mid, s->index);
}

void cg_emit_fanout_state(cg *g, FILE *b, const ir_state *s)
{
    if (s->kind == IR_PARALLEL)
        emit_parallel(g, b, s);
    else if (s->kind == IR_MAP)
        emit_map(g, b, s);
    else
        FANOUT_UNREACHABLE();
}
