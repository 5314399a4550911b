/*
 * effects.h - the effects layer's interface to the layers above: the
 * history, the run's task dispatcher, and a distributed Map's item reader
 * and result writer. Task dispatch proper is asl_task_invoke (aslrt.h);
 * the dispatch files share dispatch.h among themselves.
 *
 * Effects touch the world: processes, HTTP, shared libraries, files, the
 * history output. They use the values and base layers, never the engine:
 * what a Task needs from the run (its clock, cancellation, the root run)
 * is in base.
 *
 * Layer: effects
 */
#ifndef ASLRT_EFFECTS_H
#define ASLRT_EFFECTS_H

#include <pthread.h>

#include "rt.h"

/* ==== http_task.c: what TestState's TRACE shows of an HTTP Task ========== */
/* AWS's InspectionDataRequest {protocol, method, url, headers, body} and
 * InspectionDataResponse {protocol, statusCode, statusMessage, headers,
 * body}, every member a string. The last HTTP Task of the run fills them;
 * the owner frees them. */
typedef struct rt_http_trace {
    bool reveal;          /* revealSecrets: show what the connection adds */
    cJSON *request;       /* 0 until a request was built */
    cJSON *response;      /* 0 until a reply came */
} rt_http_trace;

/* ==== history.c ============================================================= */
/* Record an event of [type] ("PassStateEntered", ...). [details_key] names
 * the details object ("stateEnteredEventDetails"); [details] is taken.
 * Returns the event id. Cheap when neither --history nor --trace is on. */
long rt_event(asl_exec *x, const char *type, const char *details_key, cJSON *details);
/* True when events are kept anywhere (--history, --trace, an in-memory
 * log): callers skip building details nobody reads. */
bool rt_recording(const asl_exec *x);
/* AWS's hard quota of events in one Standard execution's history. When event
 * number RT_HISTORY_MAX would be anything but ExecutionSucceeded, it is
 * recorded as ExecutionFailed (States.Runtime, RT_HISTORY_FULL_CAUSE)
 * instead, run->history_full is set (rt_cancelled then stops the run) and
 * later events are counted but not recorded. */
enum { RT_HISTORY_MAX = 25000 };
#define RT_HISTORY_FULL_CAUSE "The execution reached the maximum number of history events (25000)."
/* The next event id of [x]'s run for an event of [type], with the quota
 * applied (what rt_event does when nothing is recorded). */
long rt_event_id(asl_exec *x, const char *type);
/* rt_event_id for the loop's Entered / Exited events when it records
 * nothing: a plain add at the top level, where no other thread counts. */
long rt_loop_event_id(asl_exec *x);
/* An in-memory history (rt_options.events): each event's JSON text, the
 * same line --history writes, in id order. Appended under [mu]; a reader
 * takes [mu] too. Start from {.mu = PTHREAD_MUTEX_INITIALIZER}. [oom] is
 * set when an event could not be kept. */
typedef struct rt_event_log {
    pthread_mutex_t mu;
    char **lines;
    size_t n, cap;
    bool oom;
} rt_event_log;
/* Free the lines of [l] (not [l] itself, nor its mutex). */
void rt_event_log_free(rt_event_log *l);

/* ==== report.c ============================================================== */
/* Writes the --report page of the run whose history lines are in
 * [history] (read back from its start) to [path]. Returns 0, or -1 with a
 * message in [err]. */
int rt_report_write(const char *path, FILE *history, const asl_machine *m, char *err,
                    size_t errlen);

/* ==== task_setup.c ========================================================== */
typedef struct rt_tasks rt_tasks;
/* Reads the --bindings and --mock-config files of [opt] for machine [m]
 * and checks that every Task resource of m->tasks is bound or mocked.
 * Returns the run's task dispatcher (free with rt_tasks_close), or 0 with
 * a malloc'd message in *err (several lines when resources are unbound). */
rt_tasks *rt_tasks_open(const rt_options *opt, const asl_machine *m, char **err);
void rt_tasks_close(rt_tasks *t);

/* ==== itemreader.c, resultwriter.c: distributed Map input and output ====== */
/* Where the items came from, for $$.Map.Item.Source: items [v[k].start,
 * v[k + 1].start) came from v[k].uri ("S3://bucket" for a listing,
 * "S3://bucket/key" for an object's contents). The runs are in item order. */
typedef struct rt_item_src {
    long start;
    char *uri;
} rt_item_src;
typedef struct rt_item_srcs {
    rt_item_src *v;
    long n, cap;
} rt_item_srcs;
/* The source of item [i] (0 when [s] has no runs). */
const char *rt_item_source(const rt_item_srcs *s, long i);
void rt_item_srcs_free(rt_item_srcs *s);

/* The items of a distributed Map's ItemReader, read from the local folder
 * that stands for S3 (rt_options.s3_root), with $ = [eff] for its
 * Parameters and MaxItemsPath. Returns a fresh array, or 0 with the error
 * set (States.ItemReaderFailed for unreadable or malformed sources), and
 * fills [src] (zeroed by the caller, freed with rt_item_srcs_free either
 * way). [args], when not 0, are the reader's Arguments already evaluated
 * (a JSONata state), used in place of its Parameters. */
cJSON *rt_read_items(asl_exec *x, const asl_map_dist *d, const cJSON *eff, const cJSON *args,
                     rt_item_srcs *src);
/* The ResultWriter's files for one Map Run: [succeeded], [failed] and
 * [pending] (arrays, borrowed) go to SUCCEEDED_0.json, FAILED_0.json and
 * PENDING_0.json under PREFIX/MAP_RUN_ID/ of the bucket, with
 * manifest.json beside them. Returns the state's result
 * {"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}, or 0 with the
 * error set (States.ResultWriterFailed). [args] as for rt_read_items. */
cJSON *rt_write_results(asl_exec *x, const asl_map_dist *d, const cJSON *eff, const cJSON *args,
                        const char *map_run_arn, const char *map_run_id,
                        const cJSON *succeeded, const cJSON *failed, const cJSON *pending);

/* ==== callback.c: the task token registry ================================= */
/* A task token: RT_CB_TOKEN_LEN random URL-safe base64 characters
 * (context_object.c makes them). */
enum { RT_CB_TOKEN_LEN = 56, RT_CB_TOKEN_MAX = 64 };
typedef enum {
    RT_CB_OK,
    RT_CB_BAD_TOKEN,  /* not a token this runtime makes: AWS's InvalidToken */
    RT_CB_UNKNOWN,    /* no task has it: TaskDoesNotExist */
    RT_CB_CLOSED,     /* its task already ended (answered, timed out): TaskTimedOut */
    RT_CB_BAD_OUTPUT, /* SendTaskSuccess output is not JSON: InvalidOutput */
    RT_CB_NO_MEMORY
} rt_cb_status;
/* True when [token] has the shape of a token this runtime makes. */
bool rt_cb_token_valid(const char *token);
/* SendTaskSuccess ([failed] false, [output] JSON text) or SendTaskFailure
 * ([error], [cause], each may be 0) for the task waiting on [token].
 * Thread-safe. */
rt_cb_status rt_cb_answer(const char *token, bool failed, const char *output, const char *error,
                          const char *cause);
/* SendTaskHeartbeat: resets the heartbeat clock of [token]'s task. */
rt_cb_status rt_cb_heartbeat(const char *token);
/* GetActivityTask: takes the oldest task of activity [activity_arn] that no
 * worker has, waiting up to [wait_ns] for one (returning early once *stop
 * is set). true with its token and a malloc'd copy of its input. */
bool rt_cb_take(const char *activity_arn, const char *worker, int64_t wait_ns,
                const volatile int *stop, char token[RT_CB_TOKEN_MAX], char **input);
/* How a SendTask* request ([action] "SendTaskSuccess", "SendTaskFailure"
 * or "SendTaskHeartbeat", [body] its JSON) is answered, as Step Functions
 * answers it (callback_api.c): returns the HTTP status and sets *reply to
 * a malloc'd JSON body ({} or {"__type", "message"}). Returns 0 (and no
 * reply) when [action] is none of the three. */
int rt_cb_api(const char *action, const char *body, size_t len, char **reply);

/* ==== callback_listen.c: aslc run / executables --callback-port ========= */
/* Starts answering SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat
 * on 127.0.0.1:[port] (0: a free port) on threads of its own, through
 * libmicrohttpd loaded with dlopen. Returns the bound port, or -1 with a
 * message in [err]. rt_cb_listen_stop ends it (harmless when not started). */
int rt_cb_listen(int port, char *err, size_t errlen);
void rt_cb_listen_stop(void);

#endif
