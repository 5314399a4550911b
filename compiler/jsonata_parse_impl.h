/*
 * jsonata_parse_impl.h - what the JSONata tokenizer (jsonata_lex.c) and the
 * parser (jsonata_parse.c) share; private to those two files.
 */
#ifndef ASLC_COMPILER_JSONATA_PARSE_IMPL_H
#define ASLC_COMPILER_JSONATA_PARSE_IMPL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "jsonata_parse.h"

typedef enum {
    JT_END,
    JT_NAME,   /* field name, also `quoted` (str: the name) */
    JT_VAR,    /* $name (str: after the '$'; "" for $, "$" for $$) */
    JT_STRING, /* str: the decoded text */
    JT_NUMBER,
    JT_VALUE,  /* true, false, null */
    JT_REGEX,  /* str: the pattern; flags_at/len: the flags */
    JT_OP,     /* operator; also the keywords and, or, in */
} jt_kind;

typedef struct jtok {
    jt_kind kind;
    char op[4];      /* JT_OP: the operator text */
    size_t at, len;  /* the token's source text */
    const char *str; /* see jt_kind */
    size_t slen;
    double num;
    size_t flags_at, flags_len;
} jtok;

typedef struct jl {
    arena *a;
    const char *s;
    size_t len, pos;
    size_t t_end;    /* byte offset just after the current token */
    jtok t;          /* the current token */
    bool failed;
    jsonata_syntax_error *err;
} jl;

bool jl_is_space(char ch);
/* The next token into p->t. [infix]: an operand was just read, so a '/'
 * divides (a regular expression is read only otherwise). */
void jl_next(jl *p, bool infix);
/* Record the first syntax error: jsonata-js's [code], the byte offset
 * [at], the token it names, and the message. */
void jl_fail(jl *p, const char *code, size_t at, const char *token, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* jsonata-js's position for a byte offset: UTF-16 units before it. */
long jl_utf16_pos(const jl *p, size_t byte);

#endif
