/*
 * aslrt.h - the whole public face of libaslrt, the aslc runtime.
 *
 * Generated programs include this header and nothing else (no system
 * headers), so that TinyCC and gcc/clang compile them alike; aslc embeds a
 * copy of it for `aslc run`. Keep it small and self-contained.
 *
 * Ownership, in one paragraph: a state function owns the document in *doc on
 * entry and leaves its output there. Selections (asl_select and friends)
 * borrow: they point into their root or into the execution's scratch list,
 * and stay valid until the state function returns. Builders (asl_build)
 * return a fresh tree the caller owns. Errors are values: a failing call sets
 * the execution's error (asl_fail_with) and returns -1 / NULL / 0.
 *
 * Layer: base
 */
#ifndef ASLRT_H
#define ASLRT_H

typedef struct cJSON cJSON;       /* opaque to generated code */
typedef struct asl_exec asl_exec; /* one running (sub-)execution */

/* ==== JSONata, precompiled by aslc ===================================== */
/* One node of a parsed JSONata expression, after jsonata-js 2.0.6's AST
 * post-processing (its processAST): `a.b` is a PATH of steps, predicates
 * are stages, `%` is resolved to the step that supplies the parent. aslc's
 * parser (compiler/jsonata_parse.c) builds these in memory for `aslc check`
 * and `aslc jsonata`; codegen/emit_jsonata.c writes the same tree as static
 * const data into generated programs, so nothing is parsed at run time.
 *
 * What `kids` holds, per type:
 *   PATH        the steps, in order
 *   BINARY      [lhs, rhs]; `op` says which operator, `str` its text
 *   NEGATE      [operand]
 *   ARRAY       the items of [ ... ]
 *   OBJECT      key0, value0, key1, value1, ... of { k: v, ... }
 *   FUNCTION    [procedure, arg0, arg1, ...]; flag PARTIAL when an argument
 *               is a PLACEHOLDER (`?`)
 *   LAMBDA      [param0 (VARIABLE), ..., body]; `str` the signature as in a
 *               built-in's table entry, "<n-n:n>" (NULL when none: white
 *               space dropped, as jsonata-js joins the tokens); flag THUNK for the tail-call
 *               wrappers jsonata-js inserts (no params, body a FUNCTION)
 *   CONDITION   [condition, then] or [condition, then, else]
 *   BLOCK       the expressions of ( e1; e2; ... )
 *   BIND        [VARIABLE, value] of $v := value
 *   APPLY       [lhs, rhs] of lhs ~> rhs
 *   SORT        one SORT_TERM per ^(...) term; only ever a PATH step
 *   SORT_TERM   [expression]; flag DESCENDING for `>`
 *   TRANSFORM   [pattern, update] or [pattern, update, delete]
 *   FILTER      [predicate] (a stage)
 *   others      none
 * `str`/`len`: NAME the field name, VARIABLE the name without '$' ("" for
 * `$`, "$" for `$$`), STRING the text (decoded, UTF-8), REGEX the pattern
 * (and `rx_flags` its flags), PARENT the ancestor label it reads.
 * `num`: NUMBER the value. `op`: BINARY the ASL_JOP_*, VALUE the
 * ASL_JVAL_*.
 *
 * Decorations that jsonata-js hangs on nodes:
 *   stages      FILTER and INDEX stages. On a PATH step they are its
 *               stages, applied to each input's result in turn; on any other
 *               node they are its predicate, applied to the whole result.
 *   group       the OBJECT node of a group-by `expr{...}` (on a PATH or any
 *               non-step node).
 *   focus       `@$v`: the variable name bound to each item (a step);
 *   index       `#$i`: the variable name bound to each position (a step; an
 *               INDEX stage in `stages` carries it when it comes after a
 *               predicate, in `str`).
 *   ancestor    the label a `%` further on reads: this step binds its input
 *               to it in the tuple stream.
 * Flags: TUPLE (the step works on a tuple stream), KEEP_ARRAY (a step
 * ending in `[]`), KEEP_SINGLETON (a PATH that has such a step), CONS (an
 * array constructor that is a path step: not flattened).
 * `position` is jsonata-js's: the character offset just after the token,
 * used in error objects. `cache` (NULL in nodes that need none) is a slot,
 * written once with an atomic compare-and-swap, where the evaluator keeps
 * a REGEX's compiled pattern or a LAMBDA's parsed signature; it is the only
 * thing in the tree that is ever written, and is never freed for
 * generated programs (static storage). */
enum {
    ASL_JN_PATH, ASL_JN_BINARY, ASL_JN_NEGATE, ASL_JN_ARRAY, ASL_JN_OBJECT,
    ASL_JN_STRING, ASL_JN_NUMBER, ASL_JN_VALUE, ASL_JN_REGEX, ASL_JN_NAME,
    ASL_JN_VARIABLE, ASL_JN_WILDCARD, ASL_JN_DESCENDANT, ASL_JN_PARENT,
    ASL_JN_FUNCTION, ASL_JN_PLACEHOLDER, ASL_JN_LAMBDA, ASL_JN_CONDITION,
    ASL_JN_BLOCK, ASL_JN_BIND, ASL_JN_APPLY, ASL_JN_SORT, ASL_JN_SORT_TERM,
    ASL_JN_TRANSFORM, ASL_JN_FILTER, ASL_JN_INDEX
};
enum {
    ASL_JOP_ADD, ASL_JOP_SUB, ASL_JOP_MUL, ASL_JOP_DIV, ASL_JOP_MOD,
    ASL_JOP_EQ, ASL_JOP_NE, ASL_JOP_LT, ASL_JOP_LE, ASL_JOP_GT, ASL_JOP_GE,
    ASL_JOP_AND, ASL_JOP_OR, ASL_JOP_IN, ASL_JOP_CONCAT, ASL_JOP_RANGE
};
enum { ASL_JVAL_NULL, ASL_JVAL_TRUE, ASL_JVAL_FALSE };
enum {
    ASL_JF_TUPLE = 1, ASL_JF_KEEP_ARRAY = 2, ASL_JF_KEEP_SINGLETON = 4,
    ASL_JF_CONS = 8, ASL_JF_PARTIAL = 16, ASL_JF_THUNK = 32, ASL_JF_DESCENDING = 64
};

typedef struct asl_jnode asl_jnode;
struct asl_jnode {
    unsigned char type;    /* ASL_JN_* */
    unsigned char op;      /* ASL_JOP_* / ASL_JVAL_* */
    unsigned short flags;  /* ASL_JF_* */
    int position;
    int src;               /* byte offset of the token in the expression text */
    double num;
    const char *str;
    unsigned long len;
    const char *rx_flags;  /* REGEX: "", "i", "m", "im" */
    int nkids, nstages;
    const asl_jnode *const *kids;
    const asl_jnode *const *stages;
    const asl_jnode *group;
    const char *focus, *index, *ancestor;
    void **cache;
};

/* A JSONata expression as a whole: its tree and its source text (for
 * messages). */
typedef struct asl_jexpr {
    const asl_jnode *root;
    const char *text;
} asl_jexpr;

/* ==== JSONPath, precompiled by aslc ==================================== */
enum {
    ASL_SEG_FIELD,    /* .name */
    ASL_SEG_INDEX,    /* [n], negative from the end */
    ASL_SEG_WILDCARD, /* .* / [*] */
    ASL_SEG_SLICE,    /* [start:end:step] */
    ASL_SEG_UNION,    /* ['a','b'] / [0,2] */
    ASL_SEG_DEEP,     /* ..name (name NULL: ..*) */
    ASL_SEG_FILTER    /* [?(expr)] */
};
enum { ASL_ROOT_INPUT, ASL_ROOT_CONTEXT, ASL_ROOT_CURRENT, ASL_ROOT_VARIABLE };
enum { ASL_LIT_NULL, ASL_LIT_TRUE, ASL_LIT_FALSE, ASL_LIT_NUMBER, ASL_LIT_STRING };
enum {
    ASL_F_EXISTS, ASL_F_EQ, ASL_F_NE, ASL_F_LT, ASL_F_LE, ASL_F_GT, ASL_F_GE,
    ASL_F_AND, ASL_F_OR, ASL_F_NOT
};
enum { ASL_SLICE_HAS_START = 1, ASL_SLICE_HAS_END = 2 };

typedef struct asl_path asl_path;
typedef struct asl_filter asl_filter;

struct asl_filter {
    int op;                     /* ASL_F_* */
    const asl_filter *a, *b;    /* AND / OR / NOT */
    const asl_path *lhs;
    int lit;                    /* ASL_LIT_* when rhs_path is 0 */
    double num;
    const char *str;
    const asl_path *rhs_path;
};

typedef struct asl_seg {
    int kind;                   /* ASL_SEG_* */
    const char *name;           /* FIELD, DEEP */
    long index;                 /* INDEX */
    long start, end, step;      /* SLICE */
    int slice_flags;            /* ASL_SLICE_HAS_* */
    int nnames;                 /* UNION of names */
    const char *const *names;
    int nindexes;               /* UNION of indexes */
    const long *indexes;
    const asl_filter *filter;   /* FILTER */
} asl_seg;

struct asl_path {
    const char *text;           /* as written */
    const char *normalized;     /* $['a'][0], for AWS's cause texts */
    int root;                   /* ASL_ROOT_* */
    const char *var;            /* ASL_ROOT_VARIABLE: the name without '$' */
    int definite;               /* selects at most one value */
    int nsegs;
    const asl_seg *segs;
    const char *invalid;        /* Jayway cannot compile it: evaluating fails with this */
};

/* ==== Payload templates and intrinsics ================================= */
enum {
    ASL_T_NULL, ASL_T_TRUE, ASL_T_FALSE, ASL_T_NUMBER, ASL_T_STRING,
    ASL_T_OBJECT, ASL_T_ARRAY, ASL_T_PATH, ASL_T_CALL,
    ASL_T_JSONATA               /* "{% expr %}" in a JSONata state: str is expr */
};

/* Intrinsic ids; the compiler's IR_INTRINSICS list names the same suffixes. */
enum {
    ASL_FN_FORMAT, ASL_FN_STRING_TO_JSON, ASL_FN_JSON_TO_STRING, ASL_FN_ARRAY,
    ASL_FN_ARRAY_PARTITION, ASL_FN_ARRAY_CONTAINS, ASL_FN_ARRAY_RANGE,
    ASL_FN_ARRAY_GET_ITEM, ASL_FN_ARRAY_LENGTH, ASL_FN_ARRAY_UNIQUE,
    ASL_FN_BASE64_ENCODE, ASL_FN_BASE64_DECODE, ASL_FN_HASH, ASL_FN_JSON_MERGE,
    ASL_FN_MATH_RANDOM, ASL_FN_MATH_ADD, ASL_FN_STRING_SPLIT, ASL_FN_UUID
};

typedef struct asl_tmpl asl_tmpl;
typedef struct asl_call asl_call;

typedef struct asl_field {
    const char *key;            /* ".$" already removed */
    const asl_tmpl *value;
} asl_field;

struct asl_tmpl {
    int kind;                   /* ASL_T_* */
    double num;                 /* NUMBER */
    const char *str;            /* STRING */
    int n;                      /* OBJECT / ARRAY size */
    const asl_field *fields;    /* OBJECT */
    const asl_tmpl *items;      /* ARRAY: n consecutive templates */
    const asl_path *path;       /* PATH ($ or $$ rooted) */
    const asl_call *call;       /* CALL */
    const asl_jnode *jn;        /* JSONATA: the parsed expression */
};

struct asl_call {
    int fn;                     /* ASL_FN_* */
    const char *name;           /* "States.MathAdd" */
    int nargs;
    const asl_tmpl *args;       /* scalars, PATH or CALL */
};

/* ==== Machines ========================================================= */
/* A state function returns the index of the next state, or one of these. */
enum {
    ASL_NEXT_END = -1,   /* the machine succeeded with *doc as its output */
    ASL_NEXT_ERROR = -2  /* an error is set on the execution */
};

typedef int (*asl_state_fn)(asl_exec *x, cJSON **doc);

typedef struct asl_state {
    const char *name;
    const char *type;           /* "Pass", "Choice", ...: history event names */
    asl_state_fn run;
    /* 1 when the state changes the document only through asl_apply_path,
     * asl_set_empty and asl_apply_result_path, which account for what they
     * add: the 256 KiB check after it then need not walk the document */
    int tracks_growth;
} asl_state;

/* One Task state of a definition, listed so that a run can check before it
 * starts that every Task resource is bound or mocked (asl_main refuses to
 * start otherwise, naming each unbound resource and its state). */
typedef struct asl_task_ref {
    const char *state;          /* the Task state's name */
    const char *resource;       /* its Resource, as written */
    const char *function_name;  /* lambda:invoke only: the FunctionName when it
                                 * is a constant in Parameters, else 0 */
} asl_task_ref;

typedef struct asl_machine {
    const char *name;           /* StateMachine name (default: file base name) */
    const char *source;         /* definition file name, for messages */
    int nstates;
    int start;
    const asl_state *states;
    long timeout_seconds;       /* TimeoutSeconds; 0 = none */
    /* Every Task state of the whole definition, those inside Parallel
     * branches and Map processors included, in definition order. Only the
     * top-level machine (the one handed to asl_main) needs the list;
     * sub-machines may leave it empty. ntasks == 0 with Task states present
     * skips the check: an unbound Task then fails when it is invoked. */
    int ntasks;
    const asl_task_ref *tasks;
    /* The graph drawn as SVG, each state's node with the id "s-" + the hex
     * of its name's bytes, for the --report page (report.c); 0 = none.
     * Top-level machine only. */
    const char *graph_svg;
    /* 1: an EXPRESS workflow (`--type EXPRESS`, a template's
     * StateMachineType): at most five minutes, `:express:` execution
     * ARNs, no 25,000-event history limit. Top-level machine only; the
     * executable's --type overrides it. */
    int express;
} asl_machine;

/* The generated executable's main(): parses the options documented in
 * README.md, runs [m], prints the result and returns the exit code.
 * `aslc run` calls it too, with the JIT-compiled machine. */
int asl_main(int argc, char **argv, const asl_machine *m);

/* Exit codes of asl_main. */
enum {
    ASL_EXIT_SUCCEEDED = 0,
    ASL_EXIT_FAILED = 1,
    ASL_EXIT_USAGE = 2,        /* bad options, unreadable / invalid input, unwritable output */
    ASL_EXIT_TIMED_OUT = 3,
    ASL_EXIT_ABORTED = 4
};

/* ==== Errors ============================================================ */
/* Set the execution's error (both strings copied; cause may be 0). Returns
 * ASL_NEXT_ERROR so a state can `return asl_fail_with(...)`. */
int asl_fail_with(asl_exec *x, const char *error, const char *cause);
/* Set States.Runtime with AWS's prefix: "An error occurred while executing
 * the state 'S' (entered at the event id #N). " + the printf-formatted rest. */
int asl_fail_runtime(asl_exec *x, const char *fmt, ...);
/* Non-zero once an error is set. */
int asl_failed(const asl_exec *x);
/* A state type this runtime cannot run yet (Task, Map, Parallel). */
int asl_unsupported(asl_exec *x, const char *what);

/* ==== Selection and data flow =========================================== */
/* Evaluate [p] with $ = [in] and $$ = the context object. Returns a
 * borrowed value, or 0 with States.Runtime set when nothing matches.
 * Indefinite paths return an array kept in the execution's scratch list. */
const cJSON *asl_select(asl_exec *x, const asl_path *p, const cJSON *in);
/* Like asl_select, but a missing value is not an error: returns 0 and sets
 * nothing. Used by IsPresent and friends. */
const cJSON *asl_select_quiet(asl_exec *x, const asl_path *p, const cJSON *in);

/* InputPath / OutputPath in place: *doc becomes the selection (the rest is
 * freed). Returns 0, or -1 with the error set. */
int asl_apply_path(asl_exec *x, const asl_path *p, cJSON **doc);
/* InputPath / OutputPath null: *doc becomes {}. */
void asl_set_empty(cJSON **doc);
/* ResultPath: writes [result] (taken) into *doc at [p], creating objects on
 * the way; p == 0 means ResultPath null (keep *doc, drop result). "$"
 * replaces *doc. Returns 0 or -1 (States.Runtime for unreachable targets). */
int asl_apply_result_path(asl_exec *x, const asl_path *p, cJSON **doc, cJSON *result);
/* Build a payload template (Parameters, ResultSelector, ...) with $ = [in].
 * Returns a fresh tree, or 0 with the error set. */
cJSON *asl_build(asl_exec *x, const asl_tmpl *t, const cJSON *in);
/* asl_build for a tree that becomes the state's whole output unchanged:
 * also tells the loop its size, so that the 256 KiB check need not walk it. */
cJSON *asl_build_doc(asl_exec *x, const asl_tmpl *t, const cJSON *in);
/* Assign: evaluate each field of the OBJECT template [t] with $ = [in]
 * (variables read as they were when the state was entered) and stage the
 * values; the state loop commits them when the state exits. Returns 0, or
 * ASL_NEXT_ERROR with the error set. */
int asl_assign(asl_exec *x, const asl_tmpl *t, const cJSON *in);

/* ---- JSONata states --------------------------------------------------- */
/* What $states holds while a JSONata state evaluates a field ($states.
 * context is the context object; members left 0 are absent). */
typedef struct asl_jstates {
    const cJSON *input, *result, *error_output;
} asl_jstates;
/* A JSONata-state template (Arguments, Output, Items, ...): literals as
 * they are, every "{% %}" string evaluated, at any depth; [field] names
 * it in AWS's causes ("Arguments", "Output"). A fresh tree, or 0 with
 * States.QueryEvaluationError set (AWS's cause). */
cJSON *asl_jn_value(asl_exec *x, const asl_tmpl *t, const asl_jstates *s, const char *field);
/* A JSONata state's Assign (an OBJECT template), staged like asl_assign. */
int asl_jn_assign(asl_exec *x, const asl_tmpl *t, const asl_jstates *s);
/* A Choice rule's Condition: 1 true, 0 false, -1 with the error set (a
 * result that is not a boolean is an error, as on AWS). */
int asl_jn_test(asl_exec *x, const asl_tmpl *t, const asl_jstates *s);
/* Wait with a JSONata Seconds / Timestamp. */
int asl_jn_wait_seconds(asl_exec *x, const asl_tmpl *t, const asl_jstates *s);
int asl_jn_wait_timestamp(asl_exec *x, const asl_tmpl *t, const asl_jstates *s);
/* Fail with JSONata (or literal) Error / Cause (either may be 0). */
int asl_jn_fail(asl_exec *x, const asl_tmpl *error, const asl_tmpl *cause, const asl_jstates *s);
/* Evaluate an intrinsic call; fresh tree or 0 with the error set. */
cJSON *asl_call_intrinsic(asl_exec *x, const asl_call *c, const cJSON *in);
/* A deep copy of [v]. */
cJSON *asl_copy(const cJSON *v);
/* Free a tree (0 is fine). */
void asl_free(cJSON *v);

/* ==== Choice ============================================================= */
enum { ASL_CMP_EQ, ASL_CMP_LT, ASL_CMP_GT, ASL_CMP_LE, ASL_CMP_GE };
enum {
    ASL_IS_NULL, ASL_IS_PRESENT, ASL_IS_NUMERIC, ASL_IS_STRING,
    ASL_IS_BOOLEAN, ASL_IS_TIMESTAMP
};
/* Each returns 1 (true) or 0 (false, or an error was set: check
 * asl_failed() after the whole rule). A value of another type compares
 * false; a missing Variable is States.Runtime. */
int asl_test_num(asl_exec *x, const cJSON *in, const asl_path *var, int cmp, double rhs);
int asl_test_num_path(asl_exec *x, const cJSON *in, const asl_path *var, int cmp, const asl_path *rhs);
int asl_test_str(asl_exec *x, const cJSON *in, const asl_path *var, int cmp, const char *rhs);
int asl_test_str_path(asl_exec *x, const cJSON *in, const asl_path *var, int cmp, const asl_path *rhs);
int asl_test_bool(asl_exec *x, const cJSON *in, const asl_path *var, int rhs);
int asl_test_bool_path(asl_exec *x, const cJSON *in, const asl_path *var, const asl_path *rhs);
int asl_test_ts(asl_exec *x, const cJSON *in, const asl_path *var, int cmp, long long sec, long nsec);
int asl_test_ts_path(asl_exec *x, const cJSON *in, const asl_path *var, int cmp, const asl_path *rhs);
int asl_test_matches(asl_exec *x, const cJSON *in, const asl_path *var, const char *pattern);
int asl_test_is(asl_exec *x, const cJSON *in, const asl_path *var, int which, int expect);
/* The same tests over values already selected (NULL = missing: the error
 * names [p] / [rp]). aslc resolves a state's plain paths ($ then names and
 * indexes) once: asl_ch_fields sets out[i] to [obj]'s first member named
 * keys[i] (distinct names), or NULL; asl_ch_index is JSONPath's [i]. A
 * timestamp is parsed once per state through its asl_ts_memo (set .state
 * to 0 first; m may be NULL for asl_ch_is). */
typedef struct { int state; long long sec; long nsec; } asl_ts_memo;
void asl_ch_fields(const cJSON *obj, const char *const *keys, int n, const cJSON **out);
const cJSON *asl_ch_index(const cJSON *arr, long index);
int asl_ch_num(asl_exec *x, const cJSON *v, const asl_path *p, int cmp, double rhs);
int asl_ch_num2(asl_exec *x, const cJSON *v, const asl_path *p, int cmp, const cJSON *r,
                const asl_path *rp);
int asl_ch_str(asl_exec *x, const cJSON *v, const asl_path *p, int cmp, const char *rhs);
int asl_ch_str2(asl_exec *x, const cJSON *v, const asl_path *p, int cmp, const cJSON *r,
                const asl_path *rp);
int asl_ch_bool(asl_exec *x, const cJSON *v, const asl_path *p, int rhs);
int asl_ch_bool2(asl_exec *x, const cJSON *v, const asl_path *p, const cJSON *r,
                 const asl_path *rp);
int asl_ch_ts(asl_exec *x, const cJSON *v, const asl_path *p, asl_ts_memo *m, int cmp,
              long long sec, long nsec);
int asl_ch_ts2(asl_exec *x, const cJSON *v, const asl_path *p, asl_ts_memo *m, int cmp,
               const cJSON *r, const asl_path *rp, asl_ts_memo *rm);
int asl_ch_matches(asl_exec *x, const cJSON *v, const asl_path *p, const char *pattern);
int asl_ch_is(asl_exec *x, const cJSON *v, const asl_path *p, asl_ts_memo *m, int which,
              int expect);
/* No rule matched and there is no Default: fails the transition as AWS does
 * (States.Runtime; the spec names States.NoChoiceMatched). */
int asl_no_choice_matched(asl_exec *x);

/* ==== Wait and Fail ====================================================== */
/* Each returns 0 after the wait, or ASL_NEXT_ERROR (bad value, execution
 * timed out or aborted while waiting). */
int asl_wait_seconds(asl_exec *x, long long seconds);
int asl_wait_seconds_path(asl_exec *x, const cJSON *in, const asl_path *p);
/* [valid] == 0: the literal [text] was not a timestamp: fail as AWS does. */
int asl_wait_timestamp(asl_exec *x, const char *text, int valid, long long sec, long nsec);
int asl_wait_timestamp_path(asl_exec *x, const cJSON *in, const asl_path *p);
/* Fail state: error / cause are constants or templates (PATH / CALL); any
 * may be 0. Always returns ASL_NEXT_ERROR. */
int asl_fail_state(asl_exec *x, const cJSON *in, const char *error, const char *cause,
                   const asl_tmpl *error_path, const asl_tmpl *cause_path);

/* ==== Tasks, Retry and Catch ============================================== */
/* A Task state's call, as precompiled data. */
typedef struct asl_task {
    const char *resource;          /* the Resource ARN as written */
    long timeout_seconds;          /* TimeoutSeconds; 0 = AWS's default */
    const asl_path *timeout_path;  /* TimeoutSecondsPath, or 0 */
    long heartbeat_seconds;        /* HeartbeatSeconds; 0 = none */
    const asl_path *heartbeat_path;/* HeartbeatSecondsPath, or 0 */
    const asl_tmpl *credentials;   /* Credentials (recorded in history), or 0 */
    /* JSONata states: TimeoutSeconds / HeartbeatSeconds / Credentials as
     * JSONata templates (asl_jn_task_invoke evaluates them), and the
     * evaluated Credentials it hands on */
    const asl_tmpl *timeout_jn, *heartbeat_jn, *credentials_jn;
    const cJSON *credentials_value;
} asl_task;

/* Invoke the Task's resource through the mock configuration or the bindings
 * with [input] (borrowed: the effective input after Parameters), recording
 * the Task / LambdaFunction history events. [in] is the state input that
 * *Path fields select from. Returns the fresh result, or 0 with the error
 * set as AWS records it (States.Timeout, States.TaskFailed, the handler's
 * own error name, ...). */
cJSON *asl_task_invoke(asl_exec *x, const asl_task *t, const cJSON *in, const cJSON *input);
/* asl_task_invoke for a JSONata Task: its JSONata TimeoutSeconds,
 * HeartbeatSeconds and Credentials evaluated first. */
cJSON *asl_jn_task_invoke(asl_exec *x, const asl_task *t, const asl_jstates *s, const cJSON *args);

enum { ASL_JITTER_NONE, ASL_JITTER_FULL };

typedef struct asl_retrier {
    int nerrors;
    const char *const *errors;     /* ErrorEquals */
    double interval_seconds;
    int max_attempts;
    double backoff_rate;
    long max_delay_seconds;        /* 0 = none */
    int jitter;                    /* ASL_JITTER_* */
} asl_retrier;

typedef struct asl_catcher {
    int nerrors;
    const char *const *errors;
    int next;                      /* state index */
    const asl_path *result_path;   /* 0 with result_path_null == 0: "$" */
    int result_path_null;          /* ResultPath: null */
    const asl_tmpl *assign;        /* Assign ($ = the error output), or 0 */
    /* JSONata states: Assign and Output are JSONata templates over
     * $states.errorOutput; the output is Output's value, else the error
     * output (ResultPath is not used) */
    int jsonata;
    const asl_tmpl *output;
} asl_catcher;

/* After a failed attempt, with the error set: if a retrier matches and has
 * attempts left, wait its interval on the execution clock, clear the error,
 * bump $$.State.RetryCount and return 1 (run the state again); else 0.
 * [attempts] holds one counter per retrier, zeroed by the caller once per
 * state entry. */
int asl_retry(asl_exec *x, const asl_retrier *r, int n, int *attempts);
/* With the error set: if a catcher matches, clear the error, put the error
 * output {"Error","Cause"} into *doc (the state's raw input) at its
 * ResultPath and return its next state; else ASL_NEXT_ERROR. */
int asl_catch(asl_exec *x, const asl_catcher *c, int n, cJSON **doc);

/* ==== Parallel and Map ==================================================== */
/* Both run sub-machines (branches, the item processor) concurrently on the
 * run's thread pool. A state function is one call:
 *     return asl_run_parallel(x, &parallel_0, doc);
 * which does the whole state: InputPath, (Parameters | items), the fan-out
 * with its history events, Retry, ResultSelector, ResultPath, OutputPath and
 * Catch, and returns the next state index (flow.next, or a catcher's Next),
 * ASL_NEXT_END or ASL_NEXT_ERROR. Owns *doc as every state function does. */

/* The data flow and error handling every Parallel / Map state has. A path
 * that is 0 with its _null flag 0 is absent (behaves as "$"). */
typedef struct asl_flow {
    const asl_path *input_path;
    int input_path_null;           /* InputPath: null */
    const asl_tmpl *parameters;    /* Parallel: Parameters, or 0 */
    const asl_tmpl *result_selector;
    const asl_path *result_path;
    int result_path_null;          /* ResultPath: null */
    const asl_path *output_path;
    int output_path_null;          /* OutputPath: null */
    int nretry;
    const asl_retrier *retry;
    int ncatch;
    const asl_catcher *catchers;
    const asl_tmpl *assign;        /* Assign ($ = the result after ResultSelector), or 0 */
    int next;                      /* Next state index, or ASL_NEXT_END */
    /* JSONata states: no paths; Arguments (Parallel) and Output / Assign
     * over $states.input and $states.result */
    int jsonata;
    const asl_tmpl *arguments;
    const asl_tmpl *output;
} asl_flow;

typedef struct asl_parallel {
    asl_flow flow;
    int nbranches;
    const asl_machine *const *branches;
} asl_parallel;

/* Distributed-mode fields of a Map (ProcessorConfig Mode DISTRIBUTED). Any
 * string may be 0 (absent); a count with a _path uses the path when set. */
typedef struct asl_map_dist {
    const char *label;             /* Label */
    const char *execution_type;    /* ProcessorConfig.ExecutionType */
    /* ItemReader: reader_resource 0 means items come from ItemsPath */
    const char *reader_resource;   /* arn:aws:states:::s3:getObject / listObjectsV2 */
    const asl_tmpl *reader_parameters;
    const char *input_type;        /* ReaderConfig.InputType: JSON JSONL CSV MANIFEST */
    const char *csv_header_location;   /* FIRST_ROW (default) or GIVEN */
    int ncsv_headers;
    const char *const *csv_headers;
    const char *csv_delimiter;     /* COMMA (default) PIPE SEMICOLON SPACE TAB */
    const char *manifest_type;     /* S3_INVENTORY (default) or ATHENA_DATA */
    const char *items_pointer;     /* JSON Pointer into a JSON object file */
    long max_items;                /* ReaderConfig.MaxItems; 0 = all */
    const asl_path *max_items_path;
    /* ItemBatcher */
    int has_batcher;
    long max_items_per_batch;      /* 0 = no limit */
    const asl_path *max_items_per_batch_path;
    long max_bytes_per_batch;      /* 0 = no limit */
    const asl_path *max_bytes_per_batch_path;
    const asl_tmpl *batch_input;
    /* tolerated failures (default: none tolerated) */
    int has_tolerated_count;
    long tolerated_count;
    const asl_path *tolerated_count_path;
    int has_tolerated_percentage;
    double tolerated_percentage;
    const asl_path *tolerated_percentage_path;
    /* ResultWriter */
    int has_writer;
    const char *writer_resource;   /* arn:aws:states:::s3:putObject, or 0 */
    const asl_tmpl *writer_parameters;  /* {"Bucket", "Prefix"} */
    const char *output_type;       /* WriterConfig.OutputType: JSON / JSONL */
    const char *transformation;    /* WriterConfig.Transformation: NONE COMPACT FLATTEN */
    /* a JSONata Map: reader_parameters, batch_input and writer_parameters
     * hold the JSONata templates of ItemReader / ResultWriter Arguments
     * and BatchInput, evaluated over $states.input */
    int jsonata;
    const asl_tmpl *tolerated_count_jn, *tolerated_percentage_jn, *max_items_jn,
        *max_items_per_batch_jn, *max_bytes_per_batch_jn;
} asl_map_dist;

typedef struct asl_map {
    asl_flow flow;
    const asl_machine *processor;  /* ItemProcessor (or the legacy Iterator) */
    const asl_path *items_path;    /* ItemsPath; 0 = "$" */
    const asl_tmpl *item_selector; /* ItemSelector (or legacy Parameters); 0 = the item */
    long max_concurrency;          /* 0 = as many as AWS allows */
    const asl_path *max_concurrency_path;
    int distributed;               /* ProcessorConfig.Mode DISTRIBUTED */
    const asl_map_dist *dist;      /* distributed-mode fields, or 0 */
    const asl_tmpl *items;         /* JSONata: Items (0: $states.input) */
    const asl_tmpl *max_concurrency_jn; /* JSONata: MaxConcurrency expression */
} asl_map;

int asl_run_parallel(asl_exec *x, const asl_parallel *p, cJSON **doc);
int asl_run_map(asl_exec *x, const asl_map *m, cJSON **doc);

#endif
