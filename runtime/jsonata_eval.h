/*
 * jsonata_eval.h - evaluating a parsed JSONata expression (the values
 * layer's JSONata entry point, for the runtime's states, `aslc jsonata` and
 * the reference-suite runner).
 *
 * The tree is an asl_jnode (aslrt.h), built by compiler/jsonata_parse.c or
 * emitted as static data by codegen. Evaluation reads the input document in
 * place (borrowed cJSON), keeps everything it makes in the context's arena,
 * and is thread-safe: concurrent evaluations of one tree share only the
 * tree, whose `cache` slots are filled once with compare-and-swap.
 *
 * Layer: values
 */
#ifndef ASLRT_JSONATA_EVAL_H
#define ASLRT_JSONATA_EVAL_H

#include "aslrt.h"
#include "jsonata_ctx.h"

/* Where a variable that the expression does not bind itself comes from.
 * Consulted before the built-in functions, as jsonata-js's environment
 * chain is (a binding named like a built-in shadows it). Returns the
 * borrowed value of $[name], or NULL when it is unbound. */
typedef const struct cJSON *(*jn_resolve)(void *user, const char *name, size_t len);

/* Evaluates [root] with [input] as the context (NULL: no input at all,
 * which is `undefined`, not null). [resolve] (may be NULL) supplies outer
 * variables. Returns the result (NULL = undefined) in [cx]'s arena; on
 * failure returns NULL with jn_failed(cx) true and jn_ctx_error(cx) set. */
jn_val *jn_evaluate(jn_ctx *cx, const asl_jnode *root, const struct cJSON *input,
                    jn_resolve resolve, void *user);

/* The same with the variables taken from the members of a JSON object
 * ([bindings] may be NULL), as the reference suite's `bindings` are. */
jn_val *jn_evaluate_bindings(jn_ctx *cx, const asl_jnode *root, const struct cJSON *input,
                             const struct cJSON *bindings);

#endif
