/*
 * map_impl.h - what map.c (the Map state, inline iterations) and
 * map_dist.c (distributed children, their set-up and results) share: the
 * per-state context and a few helpers. Nothing else includes it.
 *
 * Layer: engine
 */
#ifndef ASLRT_MAP_IMPL_H
#define ASLRT_MAP_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "effects.h"
#include "fanout.h"
#include "values.h"

/* What a distributed child leaves for the results and the ResultWriter. */
typedef struct unit_rec {
    char name[37];
    int64_t start_ns, stop_ns;
    char *input_text;        /* the child's input, as JSON text */
    char *error, *cause;
    rt_status status;
    bool ran;
} unit_rec;

typedef struct map_ctx {
    const asl_map *m;
    asl_exec *x;
    const char *state_name;
    const cJSON *eff;        /* $ of ItemSelector and BatchInput */
    const cJSON *items;      /* the array of items, or an object's pairs (borrowed) */
    long nitems;
    bool object;             /* items is an object: $$.Map.Item.Key per pair */
    const rt_item_srcs *srcs; /* the ItemReader's sources, or 0 (STATE_DATA) */
    const cJSON *cursor;     /* the item node at cursor_index (units start in order) */
    long cursor_index;
    bool selector_context;   /* the ItemSelector reads $$ */
    cJSON *ctx_item;         /* $$.Map.Item in x's context, once set for an item:
                              * Index, Key (objects only), Value, Source */
    long nunits;
    cJSON **outputs;         /* per unit */
    /* the first failure that failed the state */
    bool failed;
    rt_status status;
    char *error, *cause;
    bool heartbeat;          /* an iteration Task's missed heartbeat (inline only:
                              * a distributed Map fails with the threshold's error) */
    /* distributed */
    bool dist;
    long *batch_start;       /* nunits + 1 item indexes, with ItemBatcher */
    cJSON *batch_input;      /* the built BatchInput, or 0 */
    unit_rec *recs;
    long nfailed;
    bool has_count, has_pct;
    long tolerated_count;
    double tolerated_pct;
    uint64_t seed;           /* child names */
    asl_machine child_machine;
    rt_options child_opt;
    char *child_sm_name;     /* "<machine>/<label>" */
    char *child_sm_arn;
    char *exec_arn_prefix;   /* "arn:...:execution:<machine>/<label>:" */
    bool child_express;      /* ProcessorConfig.ExecutionType EXPRESS */
    char *map_run_id;
    char *map_run_arn;
} map_ctx;

/* ==== map.c ================================================================= */
/* A copy of [s] (0 when out of memory). */
char *rt_map_strdup(const char *s);
/* Fails [x] with States.Runtime "Out of memory." (asl_fail_with's status). */
int rt_map_oom(asl_exec *x);
/* An integer-valued field given by a path (MaxConcurrencyPath, ...):
 * AWS's causes for a value that is not one. Returns 0 or -1 (error set). */
int rt_map_path_long(asl_exec *x, const asl_path *p, const cJSON *eff, const char *field,
                     long *out);
int rt_map_path_double(asl_exec *x, const asl_path *p, const cJSON *eff, const char *field,
                       double *out);
/* A v4-style UUID from the 64-bit state *seed (child execution and Map
 * Run names: unique, not secret). */
void rt_map_uuid(uint64_t *seed, char out[37]);
/* The input an item gets: ItemSelector built for it, or a copy. Called
 * under the lock (it uses the parent execution). 0 with the error set. */
cJSON *rt_map_item_input(map_ctx *c, long i);
/* Drops $$.Map from the context object of [x]. */
void rt_map_clear_item(asl_exec *x);

/* ==== map_dist.c ============================================================ */
/* The fan-out of a distributed Map: one child execution per unit. */
extern const rt_fanout_ops rt_map_dist_ops;
/* Names and ARNs of this Map Run and of its children, derived from the
 * parent's state machine ARN ("<prefix>stateMachine:<name>"). */
int rt_map_dist_names(map_ctx *c);
/* Tolerated failures from the literals or their paths (after
 * MapStateStarted, where AWS evaluates them). */
int rt_map_dist_tolerance(map_ctx *c);
/* ItemBatcher: splits the items into units, none over MaxItemsPerBatch
 * items or MaxInputBytesPerBatch bytes (a lone item over the byte limit
 * still makes a batch of one). Builds BatchInput. */
int rt_map_dist_batches(map_ctx *c);
/* The Map's result once the run is over (or failed: then only the files
 * are written, and 0 is returned with the run's error still to come). */
cJSON *rt_map_dist_result(map_ctx *c);

#endif
