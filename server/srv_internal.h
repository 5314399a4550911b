/*
 * srv_internal.h - what the files of server/ share: the store (machines
 * and executions under one mutex), the compiled programs executions hold,
 * and the request helpers. actions.c owns the machines and the dispatch,
 * executions.c the executions, history_api.c GetExecutionHistory, store.c
 * the --state-dir copy of it all in SQLite.
 */
#ifndef ASLC_SERVER_SRV_INTERNAL_H
#define ASLC_SERVER_SRV_INTERNAL_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdbool.h>

#include "effects.h"
#include "rt.h"
#include "jit.h"
#include "serve.h"

/* A compiled definition; counted because an execution keeps running the
 * program it started with after UpdateStateMachine / DeleteStateMachine.
 * refs changes under srv_store.mu. */
typedef struct srv_prog {
    jit_program *jit; /* NULL: the definition could not be compiled */
    int refs;
} srv_prog;

typedef struct srv_machine {
    char *name, *arn, *definition, *role_arn, *type;
    double created, updated;
    srv_prog *prog;
    struct srv_machine *next;
} srv_machine;

typedef enum { EX_RUNNING, EX_SUCCEEDED, EX_FAILED, EX_TIMED_OUT, EX_ABORTED } srv_status;

typedef struct srv_exec {
    char *arn, *name, *sm_arn, *sm_name, *definition, *role_arn, *type;
    double sm_updated;
    srv_prog *prog;
    char *input, *output, *error, *cause; /* output/error/cause: once ended */
    srv_status status;
    double start, stop;
    bool stop_requested; /* StopExecution: error and cause are the caller's */
    rt_event_log events;
    /* the run (only the execution's thread touches these while RUNNING) */
    rt_options opt;
    rt_run run;
    char *test_case;
    struct rt_tasks *tasks;
    cJSON *input_doc;
    long seq;        /* order of starting, from 1: ListExecutions' nextToken */
    bool sync;       /* StartSyncExecution: runs on the request's thread */
    bool history_in_store; /* loaded from --state-dir: events read on demand */
    struct srv_exec *next;
} srv_exec;

extern struct srv_store {
    pthread_mutex_t mu;
    pthread_cond_t changed; /* broadcast when an execution ends */
    const srv_opts *opt;
    srv_machine *machines; /* newest first */
    srv_exec *execs;       /* newest first */
    int running;           /* executions whose thread has not ended */
    long last_seq;         /* srv_exec.seq of the newest execution */
    bool closing;          /* srv_executions_close: no new executions */
} srv_store;

/* ---- actions.c: helpers ---- */
srv_reply srv_ok(cJSON *o); /* takes [o] */
double srv_now_s(void);
bool srv_get_str(const cJSON *req, const char *key, bool required, const char **out,
                 srv_reply *err);
bool srv_valid_name(const char *s);
bool srv_is_sm_arn(const char *arn);
/* With srv_store.mu held. */
srv_machine *srv_find_machine(const char *arn);
/* maxResults (0..1000, 0 = [dflt]) and nextToken (an offset handed out
 * before). false with *err on a bad value. */
bool srv_paging(const cJSON *req, int dflt, int *max, int *start, srv_reply *err);
void srv_next_token(cJSON *o, int i);
/* With srv_store.mu held; NULL is fine. */
void srv_prog_unref(srv_prog *p);
/* Check [def] and compile it as machine [name]: true when AWS would accept
 * it, *prog then the program (its jit NULL when the C did not compile);
 * false with the reason in [msg]. */
bool srv_compile_definition(const char *name, const char *def, srv_prog **prog, char *msg,
                            size_t cap);
/* The same for a machine of [type] ("EXPRESS" applies AWS's EXPRESS rules). */
bool srv_compile_typed(const char *name, const char *def, const char *type, srv_prog **prog,
                       char *msg, size_t cap);
const char *srv_status_name(srv_status s);

/* ---- executions.c ---- */
srv_reply srv_start_execution(const cJSON *req);
srv_reply srv_start_sync_execution(const cJSON *req);
srv_reply srv_describe_execution(const cJSON *req);
srv_reply srv_list_executions(const cJSON *req);
srv_reply srv_stop_execution(const cJSON *req);
srv_reply srv_describe_sm_for_execution(const cJSON *req);
/* With srv_store.mu held: the execution named by "executionArn" of [req],
 * or NULL with *err set. */
srv_exec *srv_lookup_exec(const cJSON *req, srv_reply *err);
/* With srv_store.mu held: the execution [arn], or NULL. */
srv_exec *srv_find_exec(const char *arn);
/* Start an execution of machine [sm_arn] (optionally "ARN#TestCase") named
 * [name] (NULL: a UUID) on [input] (JSON text; NULL: "{}") on its own
 * thread. Returns it (borrowed from the store; read it under srv_store.mu)
 * or NULL with *err set to AWS's error. */
enum {
    SRV_START_IDEMPOTENT = 1, /* a running execution of the same name and input
                               * is answered again (StartExecution, STANDARD) */
    SRV_START_SYNC = 2,       /* StartSyncExecution: an EXPRESS machine only, an
                               * express ARN, and no thread: the caller runs it
                               * with srv_exec_run_here */
};
srv_exec *srv_exec_start(const char *sm_arn, const char *name, const char *input, int flags,
                         srv_reply *err);
/* Run [e] (started with SRV_START_SYNC) on this thread to its end. */
void srv_exec_run_here(srv_exec *e);
/* Refuse new executions and abort the running ones (their threads end
 * soon after); srv_executions_close does this first. */
void srv_executions_stop(void);
/* Abort the running executions, wait for their threads, free them all. */
void srv_executions_close(void);

/* ---- children.c ---- */
/* rt_options.start_execution of every served execution (rt.h's rt_child_fn). */
rt_child_end srv_start_child(asl_exec *x, const char *resource, const cJSON *params,
                             int64_t timeout_at, int64_t run_deadline, cJSON **result,
                             char **error, char **cause);
/* ---- callbacks.c: SendTask* on the runtime's token registry ---- */
srv_reply srv_send_task_success(const cJSON *req);
srv_reply srv_send_task_failure(const cJSON *req);
srv_reply srv_send_task_heartbeat(const cJSON *req);

/* ---- activities.c ---- */
srv_reply srv_create_activity(const cJSON *req);
srv_reply srv_describe_activity(const cJSON *req);
srv_reply srv_list_activities(const cJSON *req);
srv_reply srv_delete_activity(const cJSON *req);
srv_reply srv_get_activity_task(const cJSON *req);
/* Ends the GetActivityTask long polls at once (before the daemon's
 * threads are joined); srv_activities_close frees the activities. */
void srv_activities_stop(void);
void srv_activities_close(void);
/* With srv_store.mu held: an activity read back from --state-dir (store.c),
 * put first in the list. False when out of memory. */
bool srv_activity_restore(const char *arn, const char *name, double created);

/* ---- history_api.c ---- */
srv_reply srv_get_execution_history(const cJSON *req);

/* ---- store.c: the --state-dir SQLite store (no-ops without one) ---- */
/* Opens (creating) DIR/state.sqlite and loads it into srv_store: machines
 * recompiled, executions left RUNNING marked ABORTED. False with the
 * reason in [err] (corrupt, unwritable, in use). */
bool srv_store_open(const char *dir, char *err, size_t cap);
/* With srv_store.mu held: save [m] (created or updated) / forget [arn]. */
void srv_store_put_machine(const srv_machine *m);
void srv_store_drop_machine(const char *arn);
/* With srv_store.mu held: save [e]'s row and its new history events
 * (call when it starts and when it ends). */
void srv_store_put_exec(srv_exec *e);
/* With srv_store.mu held: save a created activity / forget a deleted one. */
void srv_store_put_activity(const char *arn, const char *name, double created);
void srv_store_drop_activity(const char *arn);
/* With srv_store.mu held: the events of an execution loaded at start-up
 * into [e]->events, on first use (GetExecutionHistory). */
void srv_store_load_history(srv_exec *e);
/* Saves what is left (running executions as aborted) and closes. */
void srv_store_close(void);

#endif
