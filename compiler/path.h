/*
 * path.h - the JSONPath parser: ASL path text -> ir_path.
 *
 * AWS evaluates JSONPath with Jayway JsonPath (its error texts, e.g.
 * "No results for path: $['a']", are Jayway's), so this parser accepts
 * what Jayway accepts and nothing it would refuse: `$`, `$$` (the context
 * object), `.name` (a name runs to the next '.', '[' or '('), `['name']`
 * and `["name"]` (raw text: a backslash only stops the quote from closing
 * the name, it is kept), `[n]` and `[-n]`, `[*]` and `.*`, slices
 * `[a:b]` (a step `[a:b:c]` is accepted but, as in Jayway, ignored: a
 * warning says so), unions `['a','b']` / `[0,2]`, deep scan `..name` /
 * `..*`, and filters `[?(...)]` with == != < <= > >=, existence `@.x`,
 * `!@.x`, && || and parentheses.
 *
 * A Reference Path (ResultPath, Choice Variable and *Path comparisons, the
 * *Path fields that name one value) may hold only field and index
 * segments: pass PATH_REFERENCE.
 *
 * Everything returned lives in the arena given. Called by check_*.c (to
 * validate), lower.c (to build the IR) and intrinsic.c (path arguments).
 */
#ifndef ASLC_COMPILER_PATH_H
#define ASLC_COMPILER_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "ir.h"
#include "unit.h"

enum {
    PATH_REFERENCE = 1u << 0,   /* only .name, ['name'] and [n] segments */
    PATH_NO_CONTEXT = 1u << 1,  /* "$$..." is refused (ResultPath) */
    PATH_NO_VARIABLE = 1u << 2, /* "$name" is refused outright (ResultPath) */
};

/* Why a path was refused, and where: [index] is a byte index into the
 * path text. [code] is DIAG_INVALID_JSONPATH, DIAG_INVALID_REFERENCE_PATH
 * or DIAG_UNSUPPORTED_FEATURE (valid on AWS, not supported by aslc yet,
 * e.g. a variable reference "$name"). A path that parses may still carry
 * a warning ([has_warning], [warn], [warn_index]). */
typedef struct path_error {
    diag_code code;
    size_t index;
    char msg[200];
    bool has_warning;
    size_t warn_index;
    char warn[200];
    /* DIAG_UNREADABLE_FILTER (a bare word such as [?(@.a==b)], valid on
     * AWS, refused by Jayway when the path is evaluated): a path whose
     * evaluation fails with Jayway's text (ir_path.invalid); else NULL. */
    ir_path *failing;
    const char *jayway; /* that text, in the arena */
} path_error;

/* Parse [text] (NUL-terminated). Returns the path, allocated in [a], or
 * NULL with [err] filled in. [err] is always written (has_warning false
 * and msg empty when all is well). Never reads past the NUL. */
ir_path *path_parse(arena *a, const char *text, unsigned flags, path_error *err);

/* What path_scan_number found. */
typedef enum {
    PATH_NUM_OK,           /* a number; *out is its value */
    PATH_NUM_NO_DIGITS,    /* no digit where the integer part should be */
    PATH_NUM_NO_FRACTION,  /* no digit after '.' */
    PATH_NUM_BAD_EXPONENT, /* no digit in the exponent */
    PATH_NUM_TOO_LONG,     /* 64 characters or more */
    PATH_NUM_RANGE,        /* beyond a double (1e999): JSON output could not hold it */
} path_num;

/* Why PATH_NUM_RANGE is refused (load.c says the same of JSON and YAML numbers). */
#define PATH_NUM_RANGE_WHY "beyond the largest double (about 1.8e308); no JSON value can hold it"

/* The one number scanner of the expression parsers (filters here,
 * arguments in intrinsic.c): a JSON-style number -?D+(.D+)?([eE][+-]?D+)?
 * at s[*i], within [len] bytes. Moves *i past what it read (also on
 * failure); the caller words the diagnostic. */
path_num path_scan_number(const char *s, size_t len, size_t *i, double *out);

/* True when [text] starts like a variable reference: "$" then a letter,
 * '_' or a non-ASCII byte. */
bool path_is_variable(const char *text);

#endif
