/*
 * check_internal.h - what the check_*.c files and lower.c share: the
 * checking context (scopes, the machine-wide state-name table, pending
 * transitions) and small helpers that report through diag_*.
 *
 * Private to compiler/check_*.c and compiler/lower.c; nothing else
 * includes it. The public entry point is check.h's check_and_lower().
 *
 *   check_machine.c  entry point, state-machine objects, names, transitions,
 *                    reachability and terminal states
 *   check_states.c   one state: Type, fields allowed per type, Next/End,
 *                    Pass, Wait, Succeed, Fail, data-flow fields
 *   check_choice.c   Choice states and Choice rules
 *   check_task.c     Task, Retry, Catch, Credentials
 *   check_map.c      Map and Parallel
 *   check_payload.c  paths, payload templates, intrinsic-call values
 *   check_jsonata.c  JSONata states: their fields, and the syntax and
 *                    restrictions of {% %} expressions
 *   check_vars.c     variables: Assign, names, references and scopes
 *   check_limits.c   AWS's service limits and the EXPRESS workflow rules
 *   check_warn.c     warnings for what AWS accepts but is likely a mistake
 *   check_common.c   JSON helpers shared by all of the above
 *   lower.c          the IR, built once every check has passed
 */
#ifndef ASLC_COMPILER_CHECK_INTERNAL_H
#define ASLC_COMPILER_CHECK_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "check.h"
#include "ir.h"
#include "unit.h"

/* What kind of state-machine object a scope is: each allows other fields. */
typedef enum {
    CHECK_TOP,       /* the definition itself */
    CHECK_BRANCH,    /* a Parallel branch */
    CHECK_ITERATOR,  /* a Map's legacy Iterator */
    CHECK_PROCESSOR, /* a Map's ItemProcessor */
} check_machine_kind;

/* One state machine: its states are one transition scope. */
typedef struct check_scope {
    int id;
    check_machine_kind kind;
    const cJSON *obj;      /* the machine object */
    const cJSON *states;   /* its "States" object, or NULL when malformed */
    const cJSON *start_at; /* its "StartAt" member when a string, else NULL */
    struct check_scope *parent;
    bool jsonata; /* its states default to JSONata */
    bool distributed; /* a distributed Map's processor: outer variables are not visible */
    struct check_var *vars; /* variables assigned in this scope (check_vars.c) */
} check_scope;

/* A variable assigned in a scope (an "Assign" key) or referenced from one. */
typedef struct check_var {
    const char *name;
    size_t off;          /* where: the Assign key, or the reference */
    check_scope *scope;
    struct check_var *next;
} check_var;

/* The machine-wide state-name table (names are unique across branches). */
typedef struct check_entry {
    const char *name;
    const cJSON *state; /* the state's member of its States object */
    check_scope *scope;
    int index; /* position in its States object */
    struct check_entry *next;
} check_entry;

/* A transition target waiting to be resolved once every name is known. */
typedef struct check_pending {
    const cJSON *node;  /* the string value naming the target */
    check_scope *scope; /* where the transition starts */
    const char *field;  /* "Next", "Default", "StartAt" */
    struct check_pending *next;
} check_pending;

typedef struct check_ctx {
    unit *u;
    check_scope **scopes;
    int nscopes, capscopes;
    check_entry **buckets;
    size_t nbuckets, nnames;
    check_pending *targets, *targets_tail;
    /* Added with JSONata and variables. */
    bool for_build;       /* check_and_lower: refuse what cannot run yet */
    bool top_jsonata;     /* the definition's QueryLanguage is JSONata */
    check_scope *cur;     /* the scope of the state being checked */
    check_var *refs;      /* variable references, resolved at the end */
    check_entry *dups;    /* names defined again in another scope (reported) */
} check_ctx;

/* ---- check_common.c ---- */
/* Member [key] of [obj] (case-sensitive), or NULL (also when obj is not an object). */
const cJSON *check_get(const cJSON *obj, const char *key);
/* "a string", "an object", "null", ... for messages. */
const char *check_type_name(const cJSON *v);
/* A JSON number written without fraction or exponent, within long long. */
bool check_is_integer(const unit *u, const cJSON *v);
/* Byte offset in the source of byte [idx] of the decoded string value [v]. */
size_t check_str_off(const unit *u, const cJSON *v, size_t idx);
/* Report every member of [obj] whose key is not in [allowed] (NULL
 * terminated). [where] names the object in messages ("a Pass state"). A
 * key listed in [elsewhere] is reported as FIELD_NOT_ALLOWED, others as
 * UNKNOWN_FIELD. */
void check_fields(check_ctx *c, const cJSON *obj, const char *const *allowed, const char *const *elsewhere,
                  const char *where);
/* True when [v] is present and has the type; otherwise reports WRONG_TYPE
 * ("\"Field\" must be a string, found a number") and returns false. */
bool check_string(check_ctx *c, const cJSON *v);
bool check_object(check_ctx *c, const cJSON *v);
bool check_array(check_ctx *c, const cJSON *v);
bool check_bool(check_ctx *c, const cJSON *v);
/* An integer member in [lo, hi]; reports WRONG_TYPE or INVALID_VALUE with
 * [code] for the range. */
bool check_int_range(check_ctx *c, const cJSON *v, long long lo, long long hi, diag_code code);
/* At most one of [a] and [b] (members, may be NULL). */
void check_exclusive(check_ctx *c, const cJSON *a, const cJSON *b);
/* A string value that must be one of [values] (NULL terminated). */
void check_enum(check_ctx *c, const cJSON *v, const char *const *values, diag_code code);

/* ---- check_payload.c ---- */
enum {
    CHECK_PATH_NULL_OK = 1u << 8, /* JSON null allowed (InputPath, OutputPath, ResultPath) */
};
/* A path field: [flags] are PATH_* from path.h plus CHECK_PATH_NULL_OK.
 * Returns true when the value is fine. */
bool check_path_field(check_ctx *c, const cJSON *v, unsigned flags);
/* A payload template (Parameters, ResultSelector, ItemSelector, ...):
 * must be an object; ".$" keys must hold a path or an intrinsic call. */
void check_template(check_ctx *c, const cJSON *v);
/* The value of a ".$" key, ErrorPath or CausePath: a path ("$..." or
 * "$$..."), or an intrinsic call. [string_only]: a call must return a
 * string. [reference]: a path must be a Reference Path. */
void check_dynamic_value(check_ctx *c, const cJSON *v, bool string_only, bool reference);
/* Assign of a JSONPath state, Choice rule or catcher (in c->cur's
 * scope): an object of variable names whose values are templates. Under
 * for_build it is refused as unsupported. */
void check_assign(check_ctx *c, const cJSON *v);

/* ---- check_vars.c ---- */
/* A variable name as AWS requires it: a Unicode identifier (ID_Start,
 * then ID_Continue characters), at most 80 characters, not "states".
 * Returns NULL when fine, else why not. */
const char *check_variable_name_problem(const char *name, size_t len);
/* Record that c->cur assigns the variable the key [key] of an Assign
 * object names ([jsonpath]: a trailing ".$" is stripped); reports a bad
 * name. */
void check_var_assign(check_ctx *c, const cJSON *key, bool jsonpath);
/* Record a reference to variable [name] (of [len] bytes) at [off]. */
void check_var_ref(check_ctx *c, const char *name, size_t len, size_t off);
/* After every state: references to variables no scope in reach assigns,
 * and inner scopes assigning an outer scope's variable (warnings). */
void check_vars_finish(check_ctx *c);

/* ---- check_jsonata.c ---- */
/* A JSONata string: starts with "{%" and ends with "%}". */
bool check_is_jsonata_string(const cJSON *v);
/* Where a JSONata value sits, for the $states restrictions. */
enum {
    CHECK_JA_RESULT = 1u << 0,       /* $states.result may be used */
    CHECK_JA_ERROR_OUTPUT = 1u << 1, /* $states.errorOutput may be used */
};
/* Every JSONata string in [v] (at any depth of objects and arrays):
 * syntax, the restrictions AWS adds, variable references. */
void check_jsonata_value(check_ctx *c, const cJSON *v, unsigned flags);
/* A state whose query language is JSONata ([kind] from its Type). */
void check_jsonata_state(check_ctx *c, check_scope *scope, const cJSON *st, ir_state_kind kind);

/* What a JSONata expression uses, for the restrictions and the scope
 * checks; filled by check_jsonata_parse. */
typedef struct check_ja_info {
    size_t error_at;      /* byte index of a syntax error */
    char error[320];      /* its message ("" when the text parses) */
    size_t context_at;    /* first top-level "$" / unqualified name, or (size_t)-1 */
    size_t root_at;       /* first "$$", or (size_t)-1 */
    size_t result_at;     /* first $states.result, or (size_t)-1 */
    size_t error_output_at; /* first $states.errorOutput, or (size_t)-1 */
    size_t eval_at;       /* first call of $eval, or (size_t)-1 */
    /* free variable references: names (without '$') and positions */
    struct check_ja_ref {
        size_t at, len;
    } refs[32];
    int nrefs;
} check_ja_info;
/* Parse the JSONata expression [text] ([len] bytes; JSONata 2.0.6, the
 * version Step Functions runs). Returns true when it parses. */
bool check_jsonata_parse(const char *text, size_t len, check_ja_info *info);

/* ---- check_limits.c ---- */
/* AWS's service limits and the workflow type's rules (the definition's
 * size, Map Label and distributed MaxConcurrency, HTTP Tasks, EXPRESS),
 * once every rule has run; [root] is the definition. */
void check_service_limits(check_ctx *c, const cJSON *root);

/* ---- check_warn.c ---- */
/* Warnings over the whole definition, once every rule has run. */
void check_warnings(check_ctx *c);

/* ---- check_machine.c ---- */
/* Check a state-machine object of [kind]; returns its scope (NULL when
 * [obj] is not an object). */
check_scope *check_machine(check_ctx *c, const cJSON *obj, check_machine_kind kind, check_scope *parent,
                           bool jsonata);
/* A transition to [v] (a member whose value names a state) from [scope]. */
void check_target(check_ctx *c, check_scope *scope, const cJSON *v, const char *field);
/* Is [v] (a QueryLanguage member) "JSONata"? Reports values other than
 * "JSONPath" and "JSONata" as invalid, "JSONPath" in a state of a
 * JSONata state machine, and (for_build) JSONata as unsupported. */
bool check_query_language(check_ctx *c, const cJSON *v, bool inherited);

/* ---- check_states.c ---- */
void check_state(check_ctx *c, check_scope *scope, const cJSON *state);
/* Next / End of a state that must have one of them. */
void check_next_end(check_ctx *c, check_scope *scope, const cJSON *state);
/* InputPath / OutputPath / ResultPath / Parameters / ResultSelector /
 * Assign, where present (the field lists decide where they may be). */
void check_data_flow(check_ctx *c, const cJSON *state);
/* Every field some state type allows (for "not allowed here" messages). */
const char *const *check_any_state_fields(void);

/* ---- check_choice.c ---- */
void check_choice(check_ctx *c, check_scope *scope, const cJSON *state);
/* A Choice comparison operator: "NumericLessThanPath" is NUMERIC, LT, path. */
typedef struct check_op {
    const char *name;
    ir_test_type type;
    ir_cmp_op cmp;
    bool path;
} check_op;
/* The operator called [name], or NULL. */
const check_op *check_choice_op(const char *name);

/* ---- check_task.c ---- */
void check_task(check_ctx *c, check_scope *scope, const cJSON *state);
/* Retry and Catch of a Task, Parallel or Map in a JSONPath state. */
void check_retry_catch(check_ctx *c, check_scope *scope, const cJSON *state);
/* The one Retry / Catch checker, shared by both query languages (a
 * JSONata state's Retry is the same; its catchers differ only in their
 * own fields):
 * check_retriers: "Retry" ([retry] may be NULL): an array of retriers,
 *   each with its fields, ErrorEquals ("States.ALL" alone and in the last
 *   retrier only), IntervalSeconds, MaxAttempts, MaxDelaySeconds,
 *   BackoffRate, JitterStrategy, Comment.
 * check_catcher_common: what every catcher must be: an object (false
 *   when it is not, and nothing else is checked), ErrorEquals
 *   ("States.ALL" only in the [last] catcher), a Next naming a state, a
 *   string Comment. The caller checks the fields its query language
 *   allows and its own (JSONPath: ResultPath, Assign; JSONata: Output,
 *   Assign).
 * check_error_equals: ErrorEquals of a retrier or catcher, diagnosed with
 *   [code] (DIAG_INVALID_RETRY or DIAG_INVALID_CATCH); returns whether it
 *   names States.ALL. */
void check_retriers(check_ctx *c, const cJSON *retry);
bool check_catcher_common(check_ctx *c, check_scope *scope, const cJSON *catcher, bool last);
bool check_error_equals(check_ctx *c, const cJSON *obj, diag_code code);

/* ---- check_map.c ---- */
void check_parallel(check_ctx *c, check_scope *scope, const cJSON *state);
void check_map(check_ctx *c, check_scope *scope, const cJSON *state);
/* InputType, CSVHeaderLocation, CSVDelimiter of an ItemReader's
 * ReaderConfig (either query language). */
void check_reader_config_values(check_ctx *c, const cJSON *cfg);
/* A ResultWriter's fields form one of AWS's three sets ([params] names
 * "Parameters" or, in JSONata, "Arguments"). */
void check_writer_sets(check_ctx *c, const cJSON *writer, const char *params);

/* The entry for [name], or NULL. */
const check_entry *check_lookup(const check_ctx *c, const char *name);

/* ---- lower.c ---- */
/* Build u->ir from u->root, which passed every check. */
ir_program *lower_program(unit *u);

#endif
