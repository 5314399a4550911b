/*
 * jsonata_regex.h - JSONata regular expressions on PCRE2 (runtime layer:
 * values).
 *
 * JSONata's regexes are JavaScript's. A pattern is compiled once by PCRE2
 * with the options and the rewriting that give JavaScript's syntax and
 * meaning (UTF mode, `\d` `\w` `\s` `\b` as JavaScript reads them, `$`,
 * `\uXXXX`, `\xHH`, `\/`, unset backreferences matching empty, ...) and
 * JIT-compiled where PCRE2 can. A compiled regex is immutable and may be
 * used by many threads at once; each match uses its own match data.
 * Matching is bounded: PCRE2's match and depth limits turn catastrophic
 * backtracking into an error instead of a hang.
 *
 * Offsets are byte offsets into UTF-8 text; the built-ins convert them to
 * JavaScript (UTF-16) indexes where JSONata reports them.
 */
#ifndef ASLRT_JSONATA_REGEX_H
#define ASLRT_JSONATA_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "jsonata_value.h"

typedef struct jn_regex jn_regex;

/* Compile [pattern] (the text between the slashes of a regex literal)
 * with [flags] ("i", "m", "im" or ""). NULL with [err] filled when the
 * pattern is not a valid JavaScript regex (jsonata-js surfaces the
 * JavaScript SyntaxError; the code used here is documented in
 * jsonata_regex.c). Free with jn_regex_free. */
jn_regex *jn_regex_compile(const char *pattern, size_t len, const char *flags, jn_error *err);
void jn_regex_free(jn_regex *re);
/* Number of capturing groups. */
int jn_regex_groups(const jn_regex *re);

/* One match. start[0]/end[0] are the whole match; start[i]/end[i] group i
 * (both (size_t)-1 when the group did not take part). Arrays sized
 * jn_regex_groups(re) + 1 by the caller. */
typedef struct jn_match {
    size_t *start;
    size_t *end;
} jn_match;

/* Search [s] from byte offset [from] (an empty match at [from] counts).
 * Returns 1 matched, 0 no match, -1 error (a match or depth limit was
 * exceeded: [err] is filled; the code is documented in jsonata_regex.c). */
int jn_regex_exec(const jn_regex *re, const char *s, size_t len, size_t from, jn_match *m,
                  jn_error *err);

#endif
