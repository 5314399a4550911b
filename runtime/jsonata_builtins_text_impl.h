/*
 * jsonata_builtins_text_impl.h - the text built-ins that live outside
 * jsonata_builtins_text.c (encodings, $parse, URLs, hashes, UUIDs, picture strings, matchers, case), for its table.
 *
 * Layer: values
 */
#ifndef ASLRT_JSONATA_BUILTINS_TEXT_IMPL_H
#define ASLRT_JSONATA_BUILTINS_TEXT_IMPL_H

#include "jsonata_value.h"

jn_val *jn_fn_base64encode(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_base64decode(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_hash(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_uuid(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_encode_url(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_encode_url_component(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_decode_url(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_decode_url_component(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_format_number(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_format_integer(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_parse_integer(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_format_base(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_from_millis(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_now(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_to_millis(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_millis(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_parse(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_contains(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_match(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_replace(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_split(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_uppercase(jn_ctx *cx, jn_val **a, int n);
jn_val *jn_fn_lowercase(jn_ctx *cx, jn_val **a, int n);

#endif
