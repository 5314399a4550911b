/*
 * jsonata_parse_impl.h - what the JSONata tokenizer (jsonata_lex.c), the
 * parser (jsonata_parse.c) and the post-processing (jsonata_ast.c) share;
 * private to those three files.
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

/* ==== The parser's trees (jsonata_parse.c builds, jsonata_ast.c rewrites) */

enum { MAX_PARSE_DEPTH = 1000 };

/* Raw node types (after ASL_JN_*, which the processed tree uses). */
enum {
    R_BINARY = 100, /* op: "." "[" "{" "^" ":=" "@" "#" "~>" or an operator */
    R_UNARY,        /* op: "-" "[" "{" */
    R_FUNCTION,
    R_PARTIAL,
    R_LAMBDA,
    R_CONDITION,
    R_TRANSFORM,
    R_BLOCK,
    R_NAME,
    R_VARIABLE,
    R_STRING,
    R_NUMBER,
    R_VALUE,
    R_REGEX,
    R_WILDCARD,
    R_DESCENDANT,
    R_PARENT,
    R_PLACEHOLDER,
};

typedef struct rn rn;
typedef struct rlist {
    rn **v;
    int n, cap;
} rlist;

/* A `%`'s search for the step that supplies its parent: [level] steps
 * still to climb; [label] is what the PARENT node reads, shared with the
 * step that binds it. */
typedef struct rslot {
    int label, level, index;
} rslot;

typedef struct slots {
    rslot **v;
    int n, cap;
} slots;

struct rn {
    int type;
    const char *op;
    size_t end;   /* byte offset just after the token (jsonata-js position) */
    size_t src;   /* byte offset where the token starts */
    double num;
    const char *str;
    size_t len;
    const char *rx_flags;
    int value;    /* ASL_JVAL_* */
    rn *lhs, *rhs, *third; /* binary / condition / transform parts */
    rlist items;  /* args, block parts, array items, object pairs, sort terms, params */
    rn *proc, *body;
    const char *signature;
    rlist stages, predicate;
    rn *group;    /* OBJECT node */
    const char *focus, *index;
    rslot *ancestor, *slot;
    slots seeking;
    bool keep_array, keep_singleton, cons, tuple, thunk, descending, has_seeking;
};

typedef struct jp {
    jl lx;
    int depth;
    int next_label, next_index;
    rn **ancestry; /* PARENT nodes by slot index */
    int nancestry, cap_ancestry;
    long *u16;     /* UTF-16 position of each byte offset */
} jp;

static inline bool jp_failed(const jp *p) { return p->lx.failed; }

/* Appends [n] to [l] (arena-grown). */
void jp_push(jp *p, rlist *l, rn *n);
/* Records the first syntax error, at node [n]'s token. */
void jp_fail_node(jp *p, const char *code, const rn *n, const char *token, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* jsonata-js's processAST over the raw tree [raw] (paths, stages,
 * predicates, `%` resolution, tail calls), then the frozen asl_jnode tree;
 * NULL with the error recorded in p->lx when the expression is refused. */
const asl_jnode *jp_process(jp *p, rn *raw);

#endif
