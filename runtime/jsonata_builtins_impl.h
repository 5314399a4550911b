/*
 * jsonata_builtins_impl.h - the two halves of JSONata's built-in function
 * table (private to runtime/jsonata_builtins*.c).
 *
 * Text functions (strings, regexes, encodings, number and date pictures,
 * Step Functions' $hash/$uuid/$parse) live in jsonata_builtins_text.c; the
 * rest (numbers, aggregation, booleans, arrays, objects, higher-order
 * functions, $partition/$range/$random) in jsonata_builtins_data.c. Each
 * half exports one table sorted by name (strcmp order); jsonata_builtins.c
 * searches both.
 *
 * Layer: values
 */
#ifndef ASLRT_JSONATA_BUILTINS_IMPL_H
#define ASLRT_JSONATA_BUILTINS_IMPL_H

#include <stddef.h>

#include "jsonata_value.h"

extern const jn_builtin jn_builtins_text[];
extern const size_t jn_builtins_text_count;
extern const jn_builtin jn_builtins_data[];
extern const size_t jn_builtins_data_count;

#endif
