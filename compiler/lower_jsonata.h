/*
 * lower_jsonata.h - the values of JSONata states' fields as IR templates
 * (lower.c's helper for "QueryLanguage": "JSONata").
 */
#ifndef ASLC_COMPILER_LOWER_JSONATA_H
#define ASLC_COMPILER_LOWER_JSONATA_H

#include <cjson/cJSON.h>

#include "arena.h"
#include "ir.h"

/* [v] as a JSONata-state template: "{% expr %}" strings become
 * IR_T_JSONATA leaves (parsed here: `aslc check` has already accepted
 * them), every other value a literal, objects and arrays at any depth.
 * NULL for a NULL [v], or when an expression does not parse (a checker
 * bug; the caller reports it). */
ir_tmpl *lower_jsonata_tmpl(arena *a, const cJSON *v);

/* True when [st] (a state's object) runs as JSONata: its own
 * QueryLanguage, else [inherited] (the machine's). */
bool lower_is_jsonata(const cJSON *st, bool inherited);

#endif
