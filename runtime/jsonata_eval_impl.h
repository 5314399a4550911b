/*
 * jsonata_eval_impl.h - what the parts of the JSONata evaluator share
 * (private to runtime/jsonata_eval*.c and jsonata_signature.c).
 *
 * The evaluator follows jsonata-js 2.0.6's evaluate() function by function:
 * jsonata_eval.c dispatches on the node type and holds the operators,
 * constructors, blocks and variables; jsonata_eval_path.c paths, steps,
 * tuple streams, predicates, order-by and group-by; jsonata_eval_func.c
 * function values (lambdas, partial application, ~>, transforms, regex
 * matchers) and jn_apply with its tail-call trampoline;
 * jsonata_signature.c parses and checks function signatures.
 *
 * Layer: values
 */
#ifndef ASLRT_JSONATA_EVAL_IMPL_H
#define ASLRT_JSONATA_EVAL_IMPL_H

#include "jsonata_ctx.h"
#include "jsonata_eval.h"
#include "jsonata_regex.h"
#include "jsonata_value.h"

/* ==== Environments ======================================================== */
/* One frame of jsonata-js's environment chain. Names are without '$';
 * the root frame holds `$` (the input document). Lookups walk to the root,
 * then ask the caller's resolver, then the built-in table. */
typedef struct jn_env jn_env;
struct jn_env {
    jn_env *parent;
    const char **names;
    size_t *lens;
    jn_val **vals;
    size_t n, cap;
    /* root frame only */
    jn_resolve resolve;
    void *user;
};

jn_env *jn_env_new(jn_ctx *cx, jn_env *parent);
void jn_env_bind(jn_ctx *cx, jn_env *env, const char *name, size_t len, jn_val *v);
/* [found] tells an unbound name from one bound to undefined. */
jn_val *jn_env_lookup(jn_ctx *cx, jn_env *env, const char *name, size_t len, bool *found);
/* A frame holding every member of a tuple (jsonata-js createFrameFromTuple). */
jn_env *jn_env_from_tuple(jn_ctx *cx, jn_env *env, const jn_val *tuple);

/* ==== Function values ===================================================== */
typedef enum {
    JN_FN_LAMBDA,     /* function($x){...}, also partially applied lambdas */
    JN_FN_BUILTIN,    /* a native from the built-in table */
    JN_FN_PARTIAL,    /* a non-lambda function with some arguments bound */
    JN_FN_REGEX,      /* a regex literal: a matcher function(str) */
    JN_FN_REGEX_NEXT, /* the `next` of a match object */
    JN_FN_CHAIN,      /* f ~> g of two functions */
    JN_FN_TRANSFORM,  /* | pattern | update, delete | */
} jn_fn_kind;

typedef struct jn_sig jn_sig;

struct jn_func {
    jn_fn_kind kind;
    bool thunk;                        /* a tail call waiting for the trampoline */
    const asl_jnode *node;             /* LAMBDA, TRANSFORM, REGEX */
    const asl_jnode *const *params;    /* LAMBDA: VARIABLE nodes */
    int nparams;
    const asl_jnode *body;             /* LAMBDA */
    jn_env *env;                       /* closure */
    jn_val *input;                     /* LAMBDA: the context it was defined in */
    const jn_sig *sig;                 /* NULL: none */
    const jn_builtin *builtin;
    /* PARTIAL: [base] with [args]; hole[i] marks a `?` */
    const jn_val *base;
    jn_val **args;
    bool *hole;
    int nargs;
    /* REGEX / REGEX_NEXT */
    const jn_regex *re;
    const char *s;
    size_t slen, from;
    /* CHAIN */
    const jn_val *f, *g;
};

jn_val *jn_fn_value(jn_ctx *cx, jn_func *f);

/* ==== Evaluation ========================================================== */
/* jsonata-js evaluate(): [as_step] evaluates a path step, whose stages the
 * path applies itself. */
jn_val *jn_eval(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env);
jn_val *jn_eval_node(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env, bool as_step);

/* jsonata_eval_path.c */
jn_val *jn_eval_path(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env);
jn_val *jn_eval_filter(jn_ctx *cx, const asl_jnode *pred, jn_val *input, jn_env *env);
jn_val *jn_eval_group(jn_ctx *cx, const asl_jnode *obj, jn_val *input, jn_env *env);
jn_val *jn_eval_wildcard(jn_ctx *cx, jn_val *input);
jn_val *jn_eval_descendants(jn_ctx *cx, jn_val *input);
/* fn.lookup: a field of an object, mapped and flattened over arrays. */
jn_val *jn_lookup_field(jn_ctx *cx, jn_val *input, const char *key, size_t len);

/* jsonata_eval_func.c */
jn_val *jn_eval_function(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env,
                         jn_val *applyto, bool has_applyto);
jn_val *jn_eval_partial(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env);
jn_val *jn_eval_lambda(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env);
jn_val *jn_eval_apply_op(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env);
jn_val *jn_eval_transform(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env);
jn_val *jn_eval_regex(jn_ctx *cx, const asl_jnode *n);
/* A transform function applied to [obj]: a changed deep copy. */
jn_val *jn_transform_apply(jn_ctx *cx, const jn_func *f, jn_val *obj);
/* apply() with the trampoline; [input] is the caller's context (for
 * signatures' `-`). */
jn_val *jn_apply_in(jn_ctx *cx, const jn_val *fn, jn_val **args, int nargs, jn_val *input,
                    jn_env *env);

/* ==== Values helpers ====================================================== */
/* jsonata-js fn.append (concat: a plain array unless one side is
 * undefined). */
jn_val *jn_append(jn_ctx *cx, jn_val *a, jn_val *b);
/* A sequence holding [v] (nothing for undefined). */
jn_val *jn_seq_of(jn_ctx *cx, jn_val *v);
/* jsonata-js isNumeric: a number that is not NaN; an infinite one is
 * D1001. */
bool jn_numeric(jn_ctx *cx, const jn_val *v);
/* Deep copy into fresh built values, as JSON.parse(JSON.stringify(v))
 * (functions and undefined dropped, sequences become arrays). */
jn_val *jn_clone(jn_ctx *cx, const jn_val *v);
/* Remove [key] from a built object, if there. */
void jn_obj_remove(jn_ctx *cx, jn_val *obj, const char *key, size_t klen);

/* ==== Signatures (jsonata_signature.c) ===================================== */
/* Parsed once per signature text; NULL with the error set when it is
 * malformed (S0401, S0402). */
const jn_sig *jn_sig_get(jn_ctx *cx, const char *text, void **cache);
/* Number of parameters (jsonata-js's arity of a built-in). */
int jn_sig_params(const jn_sig *sig);
/* signature.validate(): the checked and coerced arguments (context
 * substituted for a `-` parameter left out) into *out (arena), their count
 * the return value; -1 with the error set (T0410, T0411, T0412). [fname]
 * names the function in messages. */
int jn_sig_validate(jn_ctx *cx, const jn_sig *sig, jn_val **args, int nargs, jn_val *context,
                    const char *fname, jn_val ***out);

#endif
