/*
 * jsonata_builtins_data.c - the data half of JSONata's built-in function
 * table (see jsonata_builtins_impl.h for which functions live here).
 *
 * Layer: values
 */
#include "jsonata_builtins_impl.h"

/* Sorted by name (strcmp order): jn_builtin_find searches it by bisection. */
const jn_builtin jn_builtins_data[] = {
    {"", "", 0}, /* placeholder until the first function lands */
};
const size_t jn_builtins_data_count = 0;
