/*
 * ir.h - the checked intermediate representation of one ASL program.
 *
 * lower.c builds it from a loaded and checked definition; codegen/ reads it
 * and nothing else. Every node lives in the compilation unit's arena and may
 * point into the unit's cJSON tree (`json` fields): both die with unit_close().
 * An IR that reaches codegen is trusted: all names resolved to indices, every
 * path parsed, every literal typed. Codegen never reports user errors.
 */
#ifndef ASLC_COMPILER_IR_H
#define ASLC_COMPILER_IR_H

#include <stdbool.h>
#include <stddef.h>

#include "aslrt.h" /* asl_jnode: parsed JSONata */

struct cJSON;

/* Source position of a key or value, 1-based; line 0 means "unknown". */
typedef struct ir_pos {
    int line;
    int col;
} ir_pos;

/* ==== State kinds: X(enum, ASL "Type" string) ========================= */
#define IR_STATE_KINDS(X)                                                      \
    X(IR_PASS, "Pass")         /* copies or builds a value */                  \
    X(IR_TASK, "Task")         /* calls a bound resource */                    \
    X(IR_CHOICE, "Choice")     /* Next chosen by rules */                      \
    X(IR_WAIT, "Wait")         /* sleeps on the execution clock */             \
    X(IR_SUCCEED, "Succeed")   /* terminal, success */                         \
    X(IR_FAIL, "Fail")         /* terminal, failure */                         \
    X(IR_PARALLEL, "Parallel") /* runs branches concurrently */                \
    X(IR_MAP, "Map")           /* runs a processor per item */

typedef enum {
#define IR_X_ENUM(e, s) e,
    IR_STATE_KINDS(IR_X_ENUM)
#undef IR_X_ENUM
    IR_NUM_KINDS
} ir_state_kind;

/* "Pass", "Task", ... for a kind. */
const char *ir_kind_name(ir_state_kind k);

/* ==== JSONPath ======================================================== */
/* Numeric values of ir_seg_kind, ir_root, ir_filter_op and ir_lit_kind are
 * mirrored by ASL_SEG_*, ASL_ROOT_*, ASL_F_*, ASL_LIT_* in runtime/aslrt.h;
 * codegen emits the symbolic runtime names, never the numbers. */
typedef enum {
    IR_SEG_FIELD,    /* .name or ['name'] */
    IR_SEG_INDEX,    /* [n]; negative counts from the end */
    IR_SEG_WILDCARD, /* .* or [*]: every member or element */
    IR_SEG_SLICE,    /* [start:end:step] */
    IR_SEG_UNION,    /* ['a','b'] or [0,2]: names or indexes */
    IR_SEG_DEEP,     /* ..name (name NULL: ..* every descendant) */
    IR_SEG_FILTER,   /* [?(expr)] over array elements */
} ir_seg_kind;

typedef enum {
    IR_ROOT_INPUT,   /* $  : the state's current document */
    IR_ROOT_CONTEXT, /* $$ : the context object */
    IR_ROOT_CURRENT, /* @  : the element under test in a filter */
    IR_ROOT_VARIABLE, /* $name : a workflow variable (ir_path.var) */
} ir_root;

typedef enum {
    IR_LIT_NULL,
    IR_LIT_TRUE,
    IR_LIT_FALSE,
    IR_LIT_NUMBER,
    IR_LIT_STRING,
} ir_lit_kind;

typedef enum {
    IR_F_EXISTS, /* [?(@.x)] */
    IR_F_EQ,
    IR_F_NE,
    IR_F_LT,
    IR_F_LE,
    IR_F_GT,
    IR_F_GE,
    IR_F_AND, /* a && b */
    IR_F_OR,  /* a || b */
    IR_F_NOT, /* !a */
} ir_filter_op;

struct ir_path;

typedef struct ir_filter {
    ir_filter_op op;
    struct ir_filter *a, *b;  /* AND / OR / NOT operands */
    struct ir_path *lhs;      /* comparisons and EXISTS: usually @-rooted */
    ir_lit_kind lit;          /* right side when rhs_path is NULL */
    double num;
    const char *str;
    struct ir_path *rhs_path; /* right side when it is a path */
} ir_filter;

typedef struct ir_seg {
    ir_seg_kind kind;
    const char *name;          /* FIELD; DEEP (NULL = any) */
    long index;                /* INDEX */
    long start, end, step;     /* SLICE; step 0 is never produced */
    bool has_start, has_end;   /* SLICE */
    int nnames;                /* UNION of names */
    const char **names;
    int nindexes;              /* UNION of indexes */
    long *indexes;
    ir_filter *filter;         /* FILTER */
} ir_seg;

typedef struct ir_path {
    const char *text;       /* as written in the definition */
    const char *normalized; /* bracket form AWS prints in causes: $['a'][0] */
    ir_root root;
    const char *var;        /* IR_ROOT_VARIABLE: the name, without '$' */
    int nsegs;
    ir_seg *segs;
    bool definite;          /* only FIELD / INDEX: selects at most one value */
    ir_pos pos;
} ir_path;

/* InputPath / OutputPath / ResultPath / ItemsPath: absent, JSON null, or a path. */
typedef enum {
    IR_OPT_DEFAULT, /* field absent: behaves as "$" */
    IR_OPT_NULL,    /* field is null: {} for Input/OutputPath, discard for ResultPath */
    IR_OPT_PATH,
} ir_opt_kind;

typedef struct ir_opt_path {
    ir_opt_kind kind;
    ir_path *path; /* IR_OPT_PATH only */
} ir_opt_path;

/* ==== Payload templates and intrinsic calls =========================== */
/* Parameters, ResultSelector, ItemSelector, Result, and intrinsic arguments.
 * A template with no PATH or CALL inside is `constant`. */
typedef enum {
    IR_T_NULL,
    IR_T_TRUE,
    IR_T_FALSE,
    IR_T_NUMBER,
    IR_T_STRING,
    IR_T_OBJECT,
    IR_T_ARRAY,
    IR_T_PATH, /* "key.$": "$.a" or "$$.b" */
    IR_T_CALL, /* "key.$": "States.Format(...)" */
    IR_T_JSONATA, /* "{% expr %}" in a JSONata state: str is expr, jn its tree */
} ir_tmpl_kind;

struct ir_tmpl;
struct ir_call;

typedef struct ir_field {
    const char *key; /* with any ".$" suffix removed */
    struct ir_tmpl *value;
    ir_pos pos;      /* of the key */
} ir_field;

typedef struct ir_tmpl {
    ir_tmpl_kind kind;
    double num;          /* NUMBER */
    const char *str;     /* STRING */
    int n;               /* OBJECT fields / ARRAY items */
    ir_field *fields;    /* OBJECT, in definition order */
    struct ir_tmpl **items; /* ARRAY */
    ir_path *path;       /* PATH */
    struct ir_call *call; /* CALL */
    const asl_jnode *jn;  /* JSONATA */
    bool constant;
    ir_pos pos;
} ir_tmpl;

/* Intrinsic functions: X(enum suffix, ASL name, min args, max args (-1 = any)).
 * Codegen emits ASL_FN_<suffix>; runtime/aslrt.h defines the same names. */
#define IR_INTRINSICS(X)                                                       \
    X(FORMAT, "States.Format", 1, -1)                                          \
    X(STRING_TO_JSON, "States.StringToJson", 1, 1)                             \
    X(JSON_TO_STRING, "States.JsonToString", 1, 1)                             \
    X(ARRAY, "States.Array", 0, -1)                                            \
    X(ARRAY_PARTITION, "States.ArrayPartition", 2, 2)                          \
    X(ARRAY_CONTAINS, "States.ArrayContains", 2, 2)                            \
    X(ARRAY_RANGE, "States.ArrayRange", 3, 3)                                  \
    X(ARRAY_GET_ITEM, "States.ArrayGetItem", 2, 2)                             \
    X(ARRAY_LENGTH, "States.ArrayLength", 1, 1)                                \
    X(ARRAY_UNIQUE, "States.ArrayUnique", 1, 1)                                \
    X(BASE64_ENCODE, "States.Base64Encode", 1, 1)                              \
    X(BASE64_DECODE, "States.Base64Decode", 1, 1)                              \
    X(HASH, "States.Hash", 2, 2)                                               \
    X(JSON_MERGE, "States.JsonMerge", 3, 3)                                    \
    X(MATH_RANDOM, "States.MathRandom", 2, 3)                                  \
    X(MATH_ADD, "States.MathAdd", 2, 2)                                        \
    X(STRING_SPLIT, "States.StringSplit", 2, 2)                                \
    X(UUID, "States.UUID", 0, 0)

typedef enum {
#define IR_X_FN(e, name, lo, hi) IR_FN_##e,
    IR_INTRINSICS(IR_X_FN)
#undef IR_X_FN
    IR_NUM_FNS
} ir_fn;

typedef struct ir_call {
    ir_fn fn;
    const char *name;  /* "States.MathAdd" */
    const char *text;  /* the whole expression as written */
    int nargs;
    ir_tmpl **args;    /* NULL/TRUE/FALSE/NUMBER/STRING/PATH/CALL */
    ir_pos pos;
} ir_call;

/* ==== Choice rules ===================================================== */
typedef enum {
    IR_RULE_AND,
    IR_RULE_OR,
    IR_RULE_NOT,
    IR_RULE_TEST, /* one comparison on a Variable */
} ir_rule_kind;

/* What a test compares. */
typedef enum {
    IR_TEST_STRING,       /* String{Equals,LessThan,...}[Path] */
    IR_TEST_NUMERIC,      /* Numeric...[Path] */
    IR_TEST_BOOLEAN,      /* BooleanEquals[Path] */
    IR_TEST_TIMESTAMP,    /* Timestamp...[Path] */
    IR_TEST_MATCHES,      /* StringMatches */
    IR_TEST_IS_NULL,      /* Is* : value in `boolean` */
    IR_TEST_IS_PRESENT,
    IR_TEST_IS_NUMERIC,
    IR_TEST_IS_STRING,
    IR_TEST_IS_BOOLEAN,
    IR_TEST_IS_TIMESTAMP,
} ir_test_type;

typedef enum { IR_CMP_EQ, IR_CMP_LT, IR_CMP_GT, IR_CMP_LE, IR_CMP_GE } ir_cmp_op;

typedef struct ir_rule {
    ir_rule_kind kind;
    int n;                  /* AND / OR operands; NOT has n == 1 */
    struct ir_rule **subs;
    /* IR_RULE_TEST */
    ir_path *variable;
    const char *op_name;    /* as written, e.g. "NumericLessThanPath" */
    ir_test_type type;
    ir_cmp_op cmp;
    bool rhs_is_path;
    ir_path *rhs_path;      /* when rhs_is_path */
    double num;             /* NUMERIC literal */
    const char *str;        /* STRING / MATCHES literal; TIMESTAMP text */
    bool boolean;           /* BOOLEAN literal; Is* expected value */
    long long ts_sec;       /* TIMESTAMP literal as UTC epoch seconds ... */
    long ts_nsec;           /* ... and nanoseconds */
    int next;               /* top-level rules: target state index; else -1 */
    struct ir_tmpl *assign; /* top-level rules: the rule's Assign, or NULL */
    struct ir_tmpl *condition; /* JSONata states: Condition (then kind is unused) */
    struct ir_tmpl *output;    /* JSONata states: the rule's Output, or NULL */
    ir_pos pos;
} ir_rule;

/* ==== Error handling (Task, Parallel, Map) ============================= */
typedef enum { IR_JITTER_NONE, IR_JITTER_FULL } ir_jitter;

typedef struct ir_retrier {
    int nerrors;
    const char **errors;     /* ErrorEquals */
    double interval_seconds; /* default 1 */
    int max_attempts;        /* default 3 */
    double backoff_rate;     /* default 2.0 */
    long max_delay_seconds;  /* 0: none */
    ir_jitter jitter;
    ir_pos pos;
} ir_retrier;

typedef struct ir_catcher {
    int nerrors;
    const char **errors;
    int next;                /* state index */
    ir_opt_path result_path;
    ir_tmpl *assign;         /* Assign, with $ = the error output; NULL when absent */
    ir_tmpl *output;         /* JSONata states: Output over $states.errorOutput */
    ir_pos pos;
} ir_catcher;

/* ==== States and machines ============================================== */
typedef enum {
    IR_WAIT_SECONDS,
    IR_WAIT_TIMESTAMP,
    IR_WAIT_SECONDS_PATH,
    IR_WAIT_TIMESTAMP_PATH,
    IR_WAIT_SECONDS_JSONATA,   /* JSONata state: wait_jn */
    IR_WAIT_TIMESTAMP_JSONATA,
} ir_wait_kind;

struct ir_machine;

/* Distributed Map fields (mirrored by asl_map_dist in runtime/aslrt.h).
 * Strings are NULL when absent; a count's path, when set, replaces it. */
typedef struct ir_map_dist {
    const char *label;
    const char *execution_type;       /* ProcessorConfig.ExecutionType */
    /* ItemReader */
    const char *reader_resource;      /* NULL: no ItemReader */
    ir_tmpl *reader_parameters;
    const char *input_type;           /* ReaderConfig.InputType */
    const char *csv_header_location;
    int ncsv_headers;
    const char **csv_headers;
    const char *csv_delimiter;
    const char *manifest_type;
    const char *items_pointer;
    long max_items;                   /* 0: all */
    ir_path *max_items_path;
    /* ItemBatcher */
    bool has_batcher;
    long max_items_per_batch;
    ir_path *max_items_per_batch_path;
    long max_bytes_per_batch;
    ir_path *max_bytes_per_batch_path;
    ir_tmpl *batch_input;
    /* ToleratedFailureCount / Percentage (and their Path forms) */
    bool has_tolerated_count;
    long tolerated_count;
    ir_path *tolerated_count_path;
    bool has_tolerated_percentage;
    double tolerated_percentage;
    ir_path *tolerated_percentage_path;
    /* ResultWriter */
    bool has_writer;
    const char *writer_resource;
    ir_tmpl *writer_parameters;
    bool jsonata;                     /* the three templates above are JSONata's */
    /* JSONata expressions in the counts (NULL: the literal or path above) */
    ir_tmpl *tolerated_count_jn, *tolerated_percentage_jn, *max_items_jn, *max_items_per_batch_jn,
        *max_bytes_per_batch_jn;
    const char *output_type;          /* WriterConfig.OutputType */
    const char *transformation;       /* WriterConfig.Transformation */
} ir_map_dist;

typedef struct ir_state {
    ir_state_kind kind;
    int index;            /* position in its machine's states[]; the C id */
    const char *name;
    const char *comment;
    ir_pos pos;           /* of the state's key */
    int next;             /* state index, or -1 (End, terminal or Choice) */
    bool end;

    /* data flow, where the state type allows it */
    ir_opt_path input_path, output_path, result_path;
    ir_tmpl *parameters;      /* Parameters (Pass, Task, Parallel; Map's legacy form) */
    ir_tmpl *result;          /* Pass Result: literal, ".$" keys not special */
    ir_tmpl *result_selector; /* Task, Parallel, Map */
    /* Assign: an OBJECT template, one field per variable (a JSONPath
     * template; JSONata states use the JSONata template kind), or NULL.
     * Every field reads the variables of the state's entry; asl_assign
     * stages them and the loop commits them when the state exits. */
    ir_tmpl *assign;

    /* Choice */
    int nrules;
    ir_rule **rules;
    int default_next;         /* -1: none */

    /* Wait */
    ir_wait_kind wait_kind;
    long long wait_seconds;
    const char *wait_timestamp; /* literal text; may be invalid: AWS fails at run time */
    bool wait_ts_valid;
    long long wait_ts_sec;
    long wait_ts_nsec;
    ir_path *wait_path;

    /* Fail: constant strings or dynamic (PATH / CALL) templates; NULL = absent */
    const char *error, *cause;
    ir_tmpl *error_path, *cause_path;

    /* JSONata states ("QueryLanguage": "JSONata"): these replace the
     * JSONPath data flow; templates hold IR_T_JSONATA leaves. `assign` is
     * a JSONata template then; Fail's error/cause and Wait's wait_jn too. */
    bool jsonata;
    ir_tmpl *arguments;       /* Task: Arguments (NULL: $states.input) */
    ir_tmpl *output;          /* Output (NULL: the state's default) */
    ir_tmpl *error_jn, *cause_jn;
    ir_tmpl *wait_jn;
    ir_tmpl *items_jn;        /* Map: Items (NULL: $states.input) */
    ir_tmpl *timeout_jn, *heartbeat_jn, *credentials_jn; /* Task */
    ir_tmpl *max_concurrency_jn; /* Map: MaxConcurrency as an expression */

    /* Task */
    const char *resource;
    long timeout_seconds;     /* 0: none */
    ir_path *timeout_path;
    long heartbeat_seconds;   /* 0: none */
    ir_path *heartbeat_path;
    ir_tmpl *credentials;     /* Credentials (a template), or NULL */
    int nretry;
    ir_retrier *retry;
    int ncatch;
    ir_catcher *catch_;

    /* Parallel */
    int nbranches;
    struct ir_machine **branches;

    /* Map */
    struct ir_machine *processor; /* ItemProcessor or legacy Iterator */
    ir_opt_path items_path;
    ir_tmpl *item_selector;       /* ItemSelector or legacy Parameters */
    long max_concurrency;         /* 0: unlimited */
    ir_path *max_concurrency_path;
    bool distributed;
    ir_map_dist *dist;            /* distributed-mode fields, or NULL when none is given */

    const struct cJSON *json; /* the state's object in the unit's tree */
} ir_state;

typedef struct ir_machine {
    int id;                /* unique in the program: top level is 0 */
    struct ir_machine *parent;
    int nstates;
    ir_state **states;     /* in definition order */
    int start;             /* StartAt */
    long timeout_seconds;  /* top level TimeoutSeconds; 0 = none */
    const char *comment;
} ir_machine;

typedef struct ir_program {
    const char *source_name;  /* the file name as the user gave it */
    const char *machine_name; /* default StateMachine name: file base name */
    ir_machine *top;
    int nmachines;
    ir_machine **machines;    /* every machine, top first, then nested in order */
    bool uses_context;        /* some path reads $$ */
    bool express;             /* an EXPRESS workflow (unit.express): the
                               * program runs under Express limits */
    /* The graph as SVG for the --report page (set by the driver, which
     * renders it with graph/; 0 = none); codegen embeds it as a string. */
    const char *graph_svg;
} ir_program;

#endif
