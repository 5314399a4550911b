/*
 * jsonata_builtins_data_impl.h - the array and object built-ins of
 * jsonata_builtins_array.c and the higher-order ones of
 * jsonata_builtins_hof.c, listed in jsonata_builtins_data.c's table
 * (private to those files).
 *
 * Layer: values
 */
#ifndef ASLRT_JSONATA_BUILTINS_DATA_IMPL_H
#define ASLRT_JSONATA_BUILTINS_DATA_IMPL_H

#include "jsonata_value.h"

jn_val *jn_fn_append(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_reverse(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_shuffle(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_distinct(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_keys(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_lookup(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_spread(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_merge(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_zip(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_partition(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_range(jn_ctx *cx, jn_val **a, int n);
/* Higher-order (jsonata_builtins_hof.c), calling back through jn_apply. */
jn_val *jn_fn_map(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_filter(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_single(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_reduce(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_each(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_sift(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_sort(jn_ctx *cx, jn_val **a, int n);
/* A uniform double in [0, 1) from the kernel's source (false: none). */
bool jn_random_unit(double *out);

#endif
