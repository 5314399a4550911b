/*
 * jsonata_builtins_text.c - the text half of JSONata's built-in function
 * table (see jsonata_builtins_impl.h for which functions live here).
 *
 * Layer: values
 */
#include "jsonata_builtins_impl.h"

/* Sorted by name (strcmp order): jn_builtin_find searches it by bisection. */
const jn_builtin jn_builtins_text[] = {
    {"", "", 0}, /* placeholder until the first function lands */
};
const size_t jn_builtins_text_count = 0;
