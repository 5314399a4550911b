/*
 * jsonata_parse.h - the one JSONata parser: text -> asl_jnode tree, as
 * jsonata-js 2.0.6 parses and post-processes it (its parser and
 * processAST). `aslc check` walks the tree for the States Language's
 * rules (check_jsonata.c), `aslc jsonata` and the suite runner evaluate it
 * (runtime/jsonata_eval.h), codegen writes it out as static data
 * (codegen/emit_jsonata.c).
 */
#ifndef ASLC_COMPILER_JSONATA_PARSE_H
#define ASLC_COMPILER_JSONATA_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "aslrt.h"

/* A syntax error as jsonata-js reports it: code S0xxx, position (the
 * character offset jsonata-js gives, counted in UTF-16 units as JavaScript
 * does), the offending token, and the message in jsonata-js's words. */
typedef struct jsonata_syntax_error {
    char code[8];
    long position;
    size_t byte_offset;   /* the same place as a byte offset into the text */
    char token[128];
    char message[512];
} jsonata_syntax_error;

/* Parses [len] bytes of [text] (the expression, without `{% %}`). Returns
 * the root, every node and string in [a]; NULL with [err] filled on a
 * syntax error. Never reads past [len]; deep nesting is an error, not a
 * stack overflow. */
const asl_jnode *jsonata_parse(arena *a, const char *text, size_t len,
                               jsonata_syntax_error *err);

#endif
