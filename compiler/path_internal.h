/*
 * path_internal.h - what the JSONPath parser's files share: path.c (names,
 * brackets, segments, the entry points) and path_filter.c (filters
 * `[?(...)]`). Nothing else includes it.
 */
#ifndef ASLC_COMPILER_PATH_INTERNAL_H
#define ASLC_COMPILER_PATH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "path.h"

/* Filters nest (a path in a filter may hold a filter); the depth is capped
 * so hostile input cannot exhaust the stack. */
enum { MAX_FILTER_DEPTH = 32 };

typedef struct pparser {
    arena *a;
    const char *s;
    size_t len, i;
    unsigned flags;
    path_error *err;
    bool failed;
    int depth;
    size_t filter_open; /* the '[' of the innermost filter being read */
} pparser;

static inline char cur(const pparser *p) { return p->i < p->len ? p->s[p->i] : '\0'; }
static inline char at(const pparser *p, size_t k) { return k < p->len ? p->s[k] : '\0'; }

static inline void skip_blanks(pparser *p)
{
    while (p->i < p->len &&
           (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

static inline bool is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (unsigned char)c >= 0x80;
}

static inline bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

/* ---- path.c ---- */
/* Records the first error: [code] at byte [at], printf-style message. */
void path_fail(pparser *p, diag_code code, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A printable description of the byte at [at] for messages. */
const char *path_show(const pparser *p, size_t at, char *buf, size_t n);
/* A path inside a filter: "@..." or "$...". */
ir_path *path_parse_filter_path(pparser *p);

/* ---- path_filter.c ---- */
/* A filter expression (|| of && of tests), up to its closing ")]". */
ir_filter *path_parse_filter_or(pparser *p);

#endif
