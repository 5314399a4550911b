/*
 * jsonata_value.h - the values of the JSONata evaluator (runtime layer: values).
 *
 * This header is the contract between the evaluator (jsonata_eval.c: paths,
 * operators, lambdas, signatures) and the built-in functions
 * (jsonata_builtins*.c), which are written separately. It holds the value
 * model, the per-evaluation context and error, and the calls each side
 * makes into the other. Generated code never sees it; aslrt.h exposes the
 * evaluator through asl_ functions only.
 *
 * The value model follows jsonata-js 2.0.6:
 *   - `undefined` is the NULL pointer; JSON null is a value (jn_null).
 *   - Arrays carry jsonata-js's hidden flags: a *sequence* (the result of a
 *     path step, unwrapped when it holds one item unless keep-singleton is
 *     set by `[]`), an array-constructor result (`cons`), the outer wrapper
 *     of a path's result, and tuple streams (focus `@` / index `#` / parent
 *     `%` bindings) when the evaluator needs them.
 *   - Input documents are never copied: a cJSON node is wrapped (`json`
 *     non-NULL) and read in place. A wrapped object is looked up in its cJSON
 *     children; its pairs are materialized only when something iterates it.
 *
 * Memory: every value, string and array made during one evaluation comes
 * from that evaluation's arena (jn_alloc) and dies with it (jn_ctx_free).
 * Nothing is freed one by one. jn_to_json() makes the fresh cJSON tree an
 * evaluation hands back. Values are immutable once built, except that
 * builders (jn_arr_push, jn_obj_set) may grow a value nobody else has seen.
 * An evaluation runs on one thread; different evaluations share nothing
 * but the static AST and the static constants below, which nobody writes.
 *
 * Errors are values too (STYLE.md 4.8): a function that fails calls
 * jn_throw(), which records the first error on the context, and returns
 * NULL; callers test jn_failed() after any call that may fail.
 */
#ifndef ASLRT_JSONATA_VALUE_H
#define ASLRT_JSONATA_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cJSON;

typedef struct jn_val jn_val;   /* NULL is undefined */
typedef struct jn_ctx jn_ctx;   /* one evaluation; defined by jsonata_eval.c */
typedef struct jn_func jn_func;

typedef enum {
    JN_NULL,
    JN_BOOL,
    JN_NUMBER,
    JN_STRING,   /* UTF-8 bytes with a length; not necessarily NUL-terminated */
    JN_ARRAY,
    JN_OBJECT,
    JN_FUNCTION, /* lambda, built-in, partial application, regex matcher */
} jn_type;

/* jsonata-js's hidden array properties. */
enum {
    JN_F_SEQUENCE = 1,  /* `sequence`: a path/step result */
    JN_F_KEEP = 2,      /* `keepSingleton`: a path ending in [] */
    JN_F_CONS = 4,      /* `cons`: made by the array constructor [..] */
    JN_F_OUTER = 8,     /* `outerWrapper` */
    JN_F_TUPLE = 16,    /* a tuple stream (items are tuple objects) */
};

typedef struct jn_pair {
    const char *key;
    size_t klen;
    jn_val *val;
} jn_pair;

struct jn_val {
    uint8_t type;   /* jn_type */
    uint8_t flags;  /* JN_F_*, arrays only */
    /* Non-NULL: this value reads a borrowed cJSON node in place (objects:
     * pairs not yet materialized while obj.pairs is NULL). */
    const struct cJSON *json;
    union {
        bool b;
        double num;
        struct { const char *s; size_t len; } str;
        struct { jn_val **items; size_t n, cap; } arr;
        struct { jn_pair *pairs; size_t n, cap; void *index; } obj;
        jn_func *fn;
    } u;
};

/* The shared constants (never written). */
extern jn_val jn_null_val, jn_true_val, jn_false_val;
#define jn_null (&jn_null_val)
#define jn_bool(b) ((b) ? &jn_true_val : &jn_false_val)

/* ==== Errors ============================================================= */
/* jsonata-js's error object: code ("T2001", "D3030", "S0201", "U1001"),
 * the character position it reports (-1 when none), the token and value
 * its message template names, and the message in jsonata-js's words. */
typedef struct jn_error {
    char code[16];        /* "" while no error */
    long position;        /* jsonata-js `position`; -1 unknown */
    char token[128];      /* jsonata-js `token`, "" when none */
    char value[256];      /* jsonata-js `value` printed as JSON, "" when none */
    char message[512];
} jn_error;

/* Record an error on [cx] (the first one wins) and return NULL. [token] and
 * [value] (either may be NULL) fill the message template of [code] from the
 * table in jsonata_errors.def, as jsonata-js does; position comes from the
 * node being evaluated. */
jn_val *jn_throw(jn_ctx *cx, const char *code, const char *token, const jn_val *value);
/* The same with a message of the caller's own (for the few codes whose
 * message is built from several values). */
jn_val *jn_throwf(jn_ctx *cx, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool jn_failed(const jn_ctx *cx);
const jn_error *jn_ctx_error(const jn_ctx *cx);

/* ==== Allocation ========================================================== */
/* Zeroed memory from the evaluation's arena; never NULL (on exhaustion the
 * evaluation fails with a memory error and a small static block is
 * returned, so callers need not test). */
void *jn_alloc(jn_ctx *cx, size_t n);
char *jn_strndup(jn_ctx *cx, const char *s, size_t n);

/* ==== Building values ===================================================== */
jn_val *jn_num(jn_ctx *cx, double d);
/* A string that borrows [s] (it must outlive the evaluation: arena, AST or
 * input document). */
jn_val *jn_str(jn_ctx *cx, const char *s, size_t len);
/* A string copied into the arena. */
jn_val *jn_str_copy(jn_ctx *cx, const char *s, size_t len);
jn_val *jn_str_printf(jn_ctx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
jn_val *jn_arr_new(jn_ctx *cx, size_t cap_hint);
jn_val *jn_seq_new(jn_ctx *cx, size_t cap_hint);          /* flags = JN_F_SEQUENCE */
void jn_arr_push(jn_ctx *cx, jn_val *arr, jn_val *v);     /* v may not be NULL */
jn_val *jn_obj_new(jn_ctx *cx, size_t cap_hint);
/* Insert or replace [key] (kept in first-insertion order). */
void jn_obj_set(jn_ctx *cx, jn_val *obj, const char *key, size_t klen, jn_val *v);

/* Wrap a borrowed cJSON node (NULL -> undefined). Scalars become plain
 * values; arrays are materialized one level (items wrapped); objects stay
 * lazy. */
jn_val *jn_from_json(jn_ctx *cx, const struct cJSON *j);
/* A fresh cJSON tree the caller owns, or NULL for undefined. Sequences
 * become arrays; functions inside arrays/objects are dropped as
 * JSON.stringify drops them (a bare function result gives ""), and
 * undefined members are left out. */
struct cJSON *jn_to_json(jn_ctx *cx, const jn_val *v);

/* ==== Reading values ====================================================== */
static inline bool jn_is_array(const jn_val *v) { return v && v->type == JN_ARRAY; }
static inline bool jn_is_seq(const jn_val *v) { return v && v->type == JN_ARRAY && (v->flags & JN_F_SEQUENCE); }
static inline bool jn_is_num(const jn_val *v) { return v && v->type == JN_NUMBER; }
static inline bool jn_is_str(const jn_val *v) { return v && v->type == JN_STRING; }
static inline bool jn_is_obj(const jn_val *v) { return v && v->type == JN_OBJECT; }
static inline bool jn_is_fn(const jn_val *v) { return v && v->type == JN_FUNCTION; }
/* Object member or NULL; works on wrapped and built objects. */
jn_val *jn_obj_get(jn_ctx *cx, const jn_val *obj, const char *key, size_t klen);
/* The pairs in order (materializes a wrapped object once). */
const jn_pair *jn_obj_pairs(jn_ctx *cx, const jn_val *obj, size_t *n);
/* jsonata-js's isDeepEqual (used by =, !=, in, $distinct...). */
bool jn_deep_equal(jn_ctx *cx, const jn_val *a, const jn_val *b);
/* jsonata-js's truthiness ($boolean, conditions, predicates). */
bool jn_truthy(jn_ctx *cx, const jn_val *v);

/* ==== Text ================================================================ */
/* A number as JavaScript's Number.prototype.toString prints it (shortest
 * round trip; exponent form below 1e-7 and from 1e21, "1e+21"). Returns
 * the length; [buf] needs 32 bytes. */
size_t jn_num_tostr(double d, char buf[32]);
/* $string's rendering: strings as they are; numbers to 15 significant
 * digits then as JavaScript prints them; everything else as
 * JSON.stringify with jsonata-js's replacer (functions as "", numbers as
 * above), indented by 2 when [pretty]. */
jn_val *jn_stringify(jn_ctx *cx, const jn_val *v, bool pretty);
/* JavaScript string length (UTF-16 code units) of UTF-8 text, and the byte
 * offset of UTF-16 index [i] (clamped to len). */
size_t jn_utf16_len(const char *s, size_t len);
size_t jn_utf16_to_byte(const char *s, size_t len, size_t i);

/* ==== Functions =========================================================== */
/* A native built-in: [args] already validated and coerced by the
 * evaluator against [signature] (missing optional arguments are NULL,
 * context substitution done); returns the result (NULL = undefined) or
 * NULL with jn_throw() called. */
typedef jn_val *(*jn_native)(jn_ctx *cx, jn_val **args, int nargs);

typedef struct jn_builtin {
    const char *name;       /* without the '$' */
    const char *signature;  /* jsonata-js signature, e.g. "<s-nn?:s>" */
    jn_native fn;
} jn_builtin;

/* The built-in named [name] (no '$'), or NULL. The table is static and
 * sorted; lookups are thread-safe. Step Functions' flavour: $partition,
 * $range, $hash, $random([seed]), $uuid, $parse; no $eval. */
const jn_builtin *jn_builtin_find(const char *name, size_t len);

/* Implemented by the evaluator, called by built-ins. */
/* Call a function value with [nargs] arguments (lambda, built-in, partial,
 * regex matcher). Higher-order built-ins pass as many of (value, index,
 * array) as jn_func_arity() says the function takes, as jsonata-js does. */
jn_val *jn_apply(jn_ctx *cx, const jn_val *fn, jn_val **args, int nargs);
int jn_func_arity(const jn_val *fn);
/* The compiled regular expression of a regex value, or NULL if [fn] is not
 * one (jsonata_regex.h). */
const struct jn_regex *jn_func_regex(const jn_val *fn);
/* One timestamp per evaluation: $now() and $millis() agree. */
double jn_now_ms(jn_ctx *cx);
/* Counts work for the guard (steps / time); false once the evaluation must
 * stop (the error is set). Long loops in built-ins call it. */
bool jn_tick(jn_ctx *cx);

#endif
