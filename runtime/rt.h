/*
 * rt.h - libaslrt's internal header, base layer: the execution context and
 * the helpers every layer shares. Generated code never sees it (it
 * includes aslrt.h only). Internal names start with rt_; public ones with
 * asl_.
 *
 * The runtime is built in layers, each using only the ones below it
 * (ARCHITECTURE.md; tools/layers.sh checks it in `make test`):
 *   base     rt.h       clock.c context.c error.c json.c random.c text.c
 *   values   values.h   jsonpath.c jsonpath_text.c resultpath.c flow.c
 *                       choice.c intrinsics*.c timestamp.c context_object.c
 *                       resource.c jsonata_*.c
 *   effects  effects.h  task.c task_setup.c bindings.c handler.c http.c
 *            dispatch.h mock.c itemreader.c resultwriter.c s3local.c
 *                       history.c
 *   engine   engine.h   exec.c retry.c parallel.c map.c map_dist.c pool.c
 *                       states_jsonata.c
 *            fanout.h
 *   entry    lambda.h   main.c lambda.c
 *
 * Layer: base
 */
#ifndef ASLRT_RT_H
#define ASLRT_RT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "aslrt.h"

/* ==== Options of one run (filled by asl_main) ========================== */
typedef enum {
    RT_WAIT_REAL,  /* sleep for real */
    RT_WAIT_SKIP,  /* no sleeping; the clock jumps forward instead */
    RT_WAIT_SCALE, /* sleep seconds * scale; the clock still advances fully */
} rt_wait_mode;

typedef enum {
    RT_PROGRESS_AUTO, /* on when stderr is a terminal and --trace is off */
    RT_PROGRESS_ON,   /* --progress */
    RT_PROGRESS_OFF,  /* --no-progress */
} rt_progress_mode;

/* STANDARD or EXPRESS (the executable's --type); by default the machine's. */
typedef enum { RT_TYPE_OF_MACHINE, RT_TYPE_STANDARD, RT_TYPE_EXPRESS } rt_workflow_type;

/* AWS's limit on an Express execution's duration: five minutes. */
enum { RT_EXPRESS_MAX_SECONDS = 300 };
/* How a child execution started by rt_child_fn ended, for the Task. */
typedef enum {
    RT_CHILD_OK,          /* *result is the Task's result */
    RT_CHILD_FAILED,      /* *error / *cause (malloc'd, may be 0): the Task fails */
    RT_CHILD_TIMEOUT,     /* the Task's TimeoutSeconds passed while waiting */
    RT_CHILD_RUN_TIMEOUT, /* the execution's own deadline passed while waiting */
    RT_CHILD_STOPPED      /* rt_cancelled(x) while waiting */
} rt_child_end;
/* aslc serve (server/children.c): start a child execution for the Task
 * [resource] (arn:aws:states:::states:startExecution, .sync or .sync:2)
 * with the Task's effective input [params] (StateMachineArn, Input, Name);
 * for .sync wait for its end, until [timeout_at] / [run_deadline]
 * (rt_mono_ns; 0 = none) or rt_cancelled(x). */
typedef rt_child_end (*rt_child_fn)(asl_exec *x, const char *resource, const cJSON *params,
                                    int64_t timeout_at, int64_t run_deadline, cJSON **result,
                                    char **error, char **cause);

typedef struct rt_options {
    rt_wait_mode wait_mode;
    double wait_scale;           /* RT_WAIT_SCALE */
    const char *execution_name;  /* --name; 0: a generated UUID */
    FILE *history;               /* --history: JSON lines, 0 = off */
    bool trace;                  /* --trace: readable steps on stderr */
    rt_progress_mode progress;   /* the live line of long Maps and Waits (progress.c) */
    const char *bindings_file;   /* --bindings (Task issue) */
    bool aws;                    /* --aws: a Task no binding or mock covers
                                  * calls the real service (aws*.c) */
    const char *mock_config;     /* --mock-config (Task issue) */
    const char *test_case;       /* --test-case */
    const char *state_machine;   /* --state-machine: the mock config's machine
                                  * name (default: the machine's own name) */
    const char *role_arn;        /* $$.Execution.RoleArn */
    const char *s3_root;         /* --s3-root: the local folder that stands for
                                  * S3 (s3://BUCKET/KEY is S3_ROOT/BUCKET/KEY);
                                  * 0: the current directory (itemreader.c) */
    int64_t deadline_ns;         /* an outer deadline, epoch ns on the real clock
                                  * (Lambda's Lambda-Runtime-Deadline-Ms, lambda.c):
                                  * the run times out at it or at TimeoutSeconds,
                                  * whichever comes first; 0 = none */
    /* aslc serve (server/) runs many executions in one process: */
    const char *arn_prefix;      /* "arn:aws:states:REGION:ACCOUNT:" of the run's
                                  * ARNs; 0: AWS's documentation account */
    const char *execution_arn;   /* $$.Execution.Id as given; 0: made from
                                  * arn_prefix, the machine and the name */
    struct rt_event_log *events; /* every history event is also appended here
                                  * (history.c, effects.h); 0 = off */
    bool external_stop;          /* the run is stopped by setting run->aborted
                                  * from another thread: no signal handlers,
                                  * and Waits sleep in short slices */
    rt_workflow_type type;       /* --type; RT_TYPE_OF_MACHINE: asl_machine.express */
    const struct cJSON *context; /* TestState: with context_whole, $$ is exactly
                                  * this object (a given context); otherwise its
                                  * members are laid over $$ (objects merged);
                                  * 0 = none (context_object.c) */
    bool context_whole;
    rt_child_fn start_execution; /* Tasks on states:startExecution (.sync,
                                  * .sync:2) with no binding start a child
                                  * execution through it; 0 = off */
    /* Tasks that wait for their token (callback.c): */
    bool callbacks;              /* a .waitForTaskToken Task waits for
                                  * SendTaskSuccess / SendTaskFailure on its
                                  * token (--callback-port, aslc serve); its
                                  * handler, if bound, is still called and its
                                  * result ignored. false: the handler's reply
                                  * completes the task */
    bool activities;             /* an activity Task no binding covers waits for
                                  * a worker's GetActivityTask (aslc serve) */
    struct rt_http_trace *http_trace; /* TestState's TRACE: an HTTP Task's request
                                  * and response are described here (effects.h);
                                  * 0 = off */
} rt_options;

/* ==== The execution: shared by every state of one run ================== */
typedef struct rt_run {
    const asl_machine *machine;
    const rt_options *opt;
    char *execution_name;
    char *execution_arn;         /* $$.Execution.Id */
    char *state_machine_arn;     /* $$.StateMachine.Id */
    int64_t start_ns;            /* epoch nanoseconds, on the execution clock */
    int64_t skipped_ns;          /* time skipped by --wait skip / scale */
    int64_t deadline_ns;         /* start + TimeoutSeconds; 0 = none */
    cJSON *input;                /* the execution input, for $$.Execution.Input */
    char *role_arn;              /* $$.Execution.RoleArn: opt->role_arn or a default */
    long last_event_id;          /* history ids: counted even with no --history */
    volatile int aborted;        /* set by SIGINT / SIGTERM */
    /* set when the history passed AWS's 25,000 events (history.c): the
     * run stops as when aborted and ends FAILED with States.Runtime */
    volatile int history_full;
    bool express;                /* an EXPRESS execution (rt_options.type) */
    struct rt_tasks *tasks;      /* bindings, mocks and mock counters (task.c);
                                  * 0: every Task invocation fails */
    /* Map and Parallel (pool.c, map.c, parallel.c) */
    struct rt_pool *pool;        /* threads shared by every fan-out of the run;
                                  * 0 until the first (freed by rt_run_machine) */
    struct rt_run *parent;       /* a distributed Map's child execution: the run
                                  * that started it (clock, pool); 0 otherwise */
} rt_run;

/* Final status of a run. */
typedef enum {
    RT_SUCCEEDED,
    RT_FAILED,
    RT_TIMED_OUT,
    RT_ABORTED,
} rt_status;

struct asl_exec {
    rt_run *run;
    const asl_machine *machine;
    /* the error, once set */
    bool failed;
    bool heartbeat_timeout;      /* the error is a Task's missed heartbeat: recorded
                                  * as States.Timeout (AWS's history), matched by
                                  * ErrorEquals "States.HeartbeatTimeout" too */
    rt_status status;            /* RT_FAILED, RT_TIMED_OUT or RT_ABORTED */
    char *error;
    char *cause;
    /* the current state */
    int state;
    long entered_event_id;       /* id of its *StateEntered event */
    int64_t entered_ns;
    int retry_count;
    /* $$.Task.Token of the current .waitForTaskToken Task state (task.c),
     * made for the attempt whose *StateEntered id or retry count is below */
    char task_token[64];
    long task_token_event;
    int task_token_retry;
    /* $$, built lazily and refreshed when the state changes */
    cJSON *context;
    bool context_stale;
    /* temporaries that live until the current state function returns */
    cJSON **scratch;
    int nscratch, cap_scratch;
    /* Map and Parallel (pool.c): a branch or iteration runs on its own
     * asl_exec, inside the cancellation scope of its fan-out */
    const struct rt_scope *scope; /* 0 at the top level */
    long prev_event_id;           /* previousEventId of this exec's next event */
    /* workflow variables (variables.c): this scope's own, the assignments
     * staged by the current state, and the scope it reads through (a Map
     * iteration's or Parallel branch's parent; 0 at the top and in a
     * distributed Map's child). The outer scope does not change while a
     * child runs: the parent waits for its fan-out. */
    cJSON *vars;
    cJSON *staged;
    long vars_bytes;              /* printed size of vars, kept as they change */
    const asl_exec *outer;
    /* An upper bound of the bytes the current state added to the document,
     * so that the 256 KiB check need not walk it after every state: the
     * loop starts it at 0 for a state whose table entry says it tracks its
     * growth (asl_state.tracks_growth), else at RT_GROWTH_UNKNOWN; the path
     * functions add what they write. */
    size_t doc_growth;
    /* A bound of the whole output's size, when the state knows it (the
     * loop sets RT_GROWTH_UNKNOWN; asl_build_doc sets it for a Pass whose
     * Parameters become the output): it replaces the carried bound. */
    size_t doc_bytes;
};
#define RT_GROWTH_UNKNOWN ((size_t)-1)
/* Adds [n] bytes to x->doc_growth, when the state tracks it (saturating). */
void rt_add_growth(asl_exec *x, size_t n);

/* ==== clock.c ============================================================== */
/* Real time (CLOCK_REALTIME), epoch nanoseconds. */
int64_t rt_real_ns(void);
/* Current time on the execution clock (epoch ns): real time plus skips;
 * real time when [x] is 0. */
int64_t rt_now_ns(const asl_exec *x);
/* True while the execution clock of [x] is before [deadline] (epoch ns):
 * exact, but cheap far from it (a coarse clock decides there). */
bool rt_before_deadline(const asl_exec *x, int64_t deadline);
/* The moment the current state was entered (execution clock), read on
 * first use: the loop resets x->entered_ns to 0 on each transition. */
int64_t rt_entered_ns(asl_exec *x);
/* Monotonic clock, nanoseconds. */
int64_t rt_mono_ns(void);

/* ==== context.c: the execution context, cancellation ======================= */
/* A cancellation scope: one attempt of a Parallel or Map state. Setting
 * [stop] (with __atomic builtins) stops every sub-execution inside it or
 * inside a scope nested in it: at its next state, or at once if it waits. */
typedef struct rt_scope {
    int stop;
    const struct rt_scope *parent;
} rt_scope;
/* Non-zero when [x] must stop: its scope (or an enclosing one) was
 * cancelled, or the run was aborted. Long waits (Wait states, handlers)
 * poll it, at least every few milliseconds. Thread-safe. */
int rt_cancelled(const asl_exec *x);
/* The run that owns the clock, the pool and the signals: [run] itself, or
 * the top of its chain of distributed Map parents. */
rt_run *rt_root_run(rt_run *run);
/* Keep [v] alive until the current state returns (then freed). */
void rt_scratch_keep(asl_exec *x, cJSON *v);
/* Free everything kept by rt_scratch_keep. */
void rt_scratch_reset(asl_exec *x);
/* Free what an execution holds after a run (error, cause, context,
 * scratch list); [x] itself is the caller's. */
void rt_exec_dispose(asl_exec *x);
/* The name of the state [x] is running ("" outside a state). */
const char *rt_state_name(const asl_exec *x);

/* ==== variables.c: the workflow variable store ========================== */
/* The value of variable [name] ([len] bytes) as the current state sees it:
 * its own scope's, else an enclosing one's. Borrowed (valid until the next
 * commit); 0 when it has no value. Staged assignments are not visible. */
const cJSON *rt_var_get(const asl_exec *x, const char *name, size_t len);
/* Stage [value] (taken, even on failure) as [name]'s new value; a second
 * staging of the same name in one state replaces the first. Fails with
 * States.DataLimitExceeded (AWS's cause) when the value is too large.
 * Returns 0 or -1 with the error set. */
int rt_vars_stage(asl_exec *x, const char *name, size_t len, cJSON *value);
/* Commit the staged assignments into the scope, checking the per-state and
 * per-execution limits. When [assigned] is not 0, adds to it name -> the
 * value's JSON text (history's assignedVariables). Returns 0, or -1 with
 * States.DataLimitExceeded set. */
int rt_vars_commit(asl_exec *x, cJSON *assigned);
/* Drop the staged assignments (the state failed). */
void rt_vars_discard(asl_exec *x);
/* True when the current state staged anything. */
bool rt_vars_pending(const asl_exec *x);

/* ==== random.c: random bytes and UUIDs ==================================== */
/* [n] bytes from the kernel's random source; false when there is none. */
bool rt_random_bytes(void *buf, size_t n);
/* Random bytes where only uniqueness matters (names, tokens): never fails,
 * falling back to a clock-seeded generator. */
void rt_unique_bytes(void *buf, size_t n);
/* [b] made a version-4 UUID (version and variant bits set), written as
 * 36 lower-case characters. */
void rt_uuid_format(unsigned char b[16], char out[37]);
/* A fresh version-4 UUID (unique; random when the kernel's source is). */
void rt_uuid_v4(char out[37]);

/* ==== json.c ================================================================ */
/* Parse JSON text (the only place the runtime parses). 0 on bad JSON, with
 * a message in err (if given). */
cJSON *rt_json_parse(const char *text, size_t len, char *err, size_t errlen);
/* Compact JSON text, malloc'd (free with free()). */
char *rt_json_print(const cJSON *v);
/* An upper bound of the compact JSON size of [v], exact except that a
 * number other than an int counts as 26 bytes (cJSON's longest
 * rendering); stops adding once past [cap]. Allocates nothing. */
size_t rt_json_size_bound(const cJSON *v, size_t cap);
/* Recycled nodes (json.c): between enter and leave (nested, per thread),
 * asl_free keeps freed node structs and rt_node_new / rt_node_number take
 * them back; the outermost leave frees what is left. */
void rt_node_cache_enter(void);
void rt_node_cache_leave(void);
/* A fresh node of cJSON type [type] (cJSON_Object, cJSON_Number, ...),
 * all else zero; 0 when out of memory. */
cJSON *rt_node_new(int type);
/* A number node as cJSON_CreateNumber makes it. */
cJSON *rt_node_number(double d);
/* JSON value equality: objects unordered, numbers by value. */
bool rt_json_equal(const cJSON *a, const cJSON *b);

/* ==== text.c ================================================================ */
/* A growing text; on allocation failure [oom] is set and text dropped.
 * Start from {0}; the caller frees p. */
typedef struct {
    char *p;
    size_t n, cap;
    bool oom;
} rt_sbuf;
void rt_sb_put(rt_sbuf *b, const char *s, size_t n);
void rt_sb_str(rt_sbuf *b, const char *s);
/* At most 63 bytes of formatted text: for numbers and short names. */
void rt_sb_fmt(rt_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes [s] for a terminal (--trace, --help, progress): a control
 * character, from a state name say, is written as \u00XX, never raw. */
void rt_put_terminal(FILE *f, const char *s);
/* The value of a base64 character in either alphabet (standard and
 * URL-safe); -1 outside them. */
int rt_base64_value(unsigned char c);
/* [n] bytes of [in] in standard base64 with padding, NUL-terminated, into
 * [out] (room for 4 * ((n + 2) / 3) + 1); returns the length written. */
size_t rt_base64_encode(char *out, const unsigned char *in, size_t n);
/* The longest length <= [max] of s[0..n) that does not end inside a UTF-8
 * sequence (n itself when n <= max): where to cut an excerpt. */
size_t rt_utf8_prefix(const char *s, size_t n, size_t max);
/* s[0..n) as valid UTF-8, NUL-terminated (malloc'd; 0 when out of memory):
 * each byte that does not belong to a valid sequence becomes U+FFFD. */
char *rt_utf8_valid(const char *s, size_t n);
/* Takes the malloc'd string [s] (may be 0) and returns it as valid UTF-8:
 * [s] itself when it already is, else a cleaned copy ([s] freed). */
char *rt_utf8_valid_take(char *s);
/* Stops the current state because the run itself was aborted (SIGINT,
 * SIGTERM, StopExecution), seen by code that polls rt_cancelled: the run
 * ends ABORTED, which no Catch takes. Returns ASL_NEXT_ERROR (error.c). */
int rt_fail_aborted(asl_exec *x);
/* Whether [x]'s run or one it descends from was aborted (context.c). */
bool rt_run_aborted(const asl_exec *x);
/* printf into a fresh string (0 when out of memory). */
char *rt_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The whole file as a NUL-terminated string (malloc'd), or 0 with a
 * malloc'd message in *err naming [what] and [path]. */
char *rt_read_text(const char *path, const char *what, size_t *len, char **err);

#endif
