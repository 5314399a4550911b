/*
 * actions.c - the Step Functions actions of `aslc serve` on an in-memory
 * store: CreateStateMachine, DescribeStateMachine, UpdateStateMachine,
 * DeleteStateMachine, ListStateMachines, ValidateStateMachineDefinition.
 *
 * A definition goes through the same pipeline as `aslc run`: load ->
 * check -> lower -> codegen -> libtcc, once per Create / Update; the
 * compiled program (JSONPath, JSONata, variables alike) is kept with the
 * machine, counted, so that running executions keep theirs. The dispatch
 * table routes the execution actions to executions.c and history_api.c.
 * Owns every machine record; one mutex (srv_store.mu) guards the store.
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "emit.h"
#include "jit.h"
#include "serve.h"
#include "srv_internal.h"
#include "unit.h"

struct srv_store srv_store = {.mu = PTHREAD_MUTEX_INITIALIZER,
                              .changed = PTHREAD_COND_INITIALIZER};
#define S srv_store
typedef srv_machine machine;

/* ==== replies ============================================================ */

srv_reply srv_error(int status, const char *type, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "__type", type);
    cJSON_AddStringToObject(o, "message", msg);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return (srv_reply){body ? status : 500, body};
}

/* Takes ownership of [o]. */
srv_reply srv_ok(cJSON *o)
{
    char *body = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!body)
        return srv_error(500, "InternalFailure", "out of memory");
    return (srv_reply){200, body};
}

double srv_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + (double)(t.tv_nsec / 1000000) / 1000.0;
}

/* ==== request fields ===================================================== */

/* The string member [key] of [req]: *out is NULL when absent. Returns false
 * (with *err set) when present but not a string, or absent and [required]. */
bool srv_get_str(const cJSON *req, const char *key, bool required, const char **out,
                    srv_reply *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v)) {
        if (required)
            *err = srv_error(400, "ValidationException",
                             "1 validation error detected: Value null at '%s' failed to satisfy "
                             "constraint: Member must not be null", key);
        return !required;
    }
    if (!cJSON_IsString(v)) {
        *err = srv_error(400, "SerializationException", "'%s' must be a string", key);
        return false;
    }
    *out = v->valuestring;
    return true;
}

/* AWS's name rule for state machines, executions and activities: 1 to 80
 * characters, none of white space, brackets, wildcards, the listed
 * punctuation or control characters. */
bool srv_valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 80)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || strchr("<>{}[]?*\"#%\\^|~`$&,;:/", *p))
            return false;
    return true;
}

machine *srv_find_machine(const char *arn)
{
    for (machine *m = S.machines; m; m = m->next)
        if (strcmp(m->arn, arn) == 0)
            return m;
    return NULL;
}

bool srv_is_sm_arn(const char *arn)
{
    return strncmp(arn, "arn:aws:states:", 15) == 0 && strstr(arn, ":stateMachine:") != NULL;
}

/* ==== the pipeline ======================================================= */

void srv_diag_summary(const unit *u, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (const diag *d = u->diags; d && n + 1 < cap; d = d->next) {
        if (d->severity != DIAG_ERROR)
            continue;
        int line = 0, col = 0;
        if (d->off != NO_OFFSET)
            unit_linecol(u, d->off, &line, &col);
        int w = snprintf(buf + n, cap - n, "%s%s at line %d, column %d [%s]", n ? "; " : "",
                         d->message, line, col, diag_code_name(d->code));
        if (w < 0)
            break;
        n += (size_t)w < cap - n ? (size_t)w : cap - n - 1;
    }
}

/* Check [def] and compile it as the machine [name] ($$.StateMachine.Name,
 * the mock file's machine). Returns true when AWS would accept it; then
 * *prog is the compiled program (its jit NULL when the C did not compile:
 * executions of it fail). On false, [msg] says why. */
bool srv_compile_definition(const char *name, const char *def, srv_prog **prog, char *msg,
                            size_t cap)
{
    *prog = NULL;
    unit *u = unit_from_text("definition.asl.json", def, strlen(def));
    bool accepted = load_json(u) && u->nerrors == 0 && check_definition(u);
    if (!accepted) {
        srv_diag_summary(u, msg, cap);
        unit_close(u);
        return false;
    }
    unit_close(u);
    u = unit_from_text("definition.asl.json", def, strlen(def));
    ir_program *ir = load_json(u) ? check_and_lower(u) : NULL;
    char *c = NULL;
    size_t clen = 0;
    if (ir) {
        ir->machine_name = name; /* outlives the emission below */
        FILE *f = open_memstream(&c, &clen);
        if (f) {
            int rc = cg_emit_program(f, ir);
            if (fclose(f) != 0 || rc != 0) {
                free(c);
                c = NULL;
            }
        }
    }
    unit_close(u);
    *prog = calloc(1, sizeof **prog);
    if (*prog) {
        (*prog)->refs = 1;
        if (c)
            (*prog)->jit = jit_compile(c, "definition.asl.json", stderr);
    }
    free(c);
    return true;
}

void srv_prog_unref(srv_prog *p)
{
    if (p && --p->refs == 0) {
        jit_free(p->jit);
        free(p);
    }
}

/* ==== state machines ===================================================== */

static cJSON *parse_body(const char *body, size_t len, srv_reply *err)
{
    /* Strict (trailing bytes, "01", raw control characters are refused) and
     * safe from many request threads, unlike a bare cJSON parse. */
    char why[256] = "";
    cJSON *req = len ? rt_json_parse(body, len, why, sizeof why) : cJSON_CreateObject();
    if (!req || !cJSON_IsObject(req)) {
        if (req || !why[0])
            *err = srv_error(400, "SerializationException", "the request body is not a JSON object");
        else
            *err = srv_error(400, "SerializationException", "the request body is not JSON: %s", why);
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}

static srv_reply create_sm(const cJSON *req)
{
    srv_reply err;
    const char *name, *def, *role, *type;
    if (!srv_get_str(req, "name", true, &name, &err) || !srv_get_str(req, "definition", true, &def, &err) ||
        !srv_get_str(req, "roleArn", false, &role, &err) || !srv_get_str(req, "type", false, &type, &err))
        return err;
    if (!srv_valid_name(name))
        return srv_error(400, "InvalidName", "Invalid Name: '%s'", name);
    if (type && strcmp(type, "STANDARD") != 0 && strcmp(type, "EXPRESS") != 0)
        return srv_error(400, "ValidationException",
                         "Value '%s' at 'type' failed to satisfy constraint: Member must satisfy "
                         "enum value set: [STANDARD, EXPRESS]", type);
    char msg[2048];
    srv_prog *prog;
    if (!srv_compile_definition(name, def, &prog, msg, sizeof msg))
        return srv_error(400, "InvalidDefinition", "Invalid State Machine Definition: '%s'", msg);
    char arn[512];
    snprintf(arn, sizeof arn, "arn:aws:states:%s:%s:stateMachine:%s", S.opt->region,
             S.opt->account, name);
    pthread_mutex_lock(&S.mu);
    machine *old = srv_find_machine(arn);
    if (old) {
        bool same = strcmp(old->definition, def) == 0;
        double created = old->created;
        srv_prog_unref(prog);
        pthread_mutex_unlock(&S.mu);
        if (!same)
            return srv_error(400, "StateMachineAlreadyExists",
                             "State Machine Already Exists: '%s'", arn);
        cJSON *o = cJSON_CreateObject(); /* AWS: idempotent for identical requests */
        cJSON_AddStringToObject(o, "stateMachineArn", arn);
        cJSON_AddNumberToObject(o, "creationDate", created);
        return srv_ok(o);
    }
    machine *m = calloc(1, sizeof *m);
    m->name = strdup(name);
    m->arn = strdup(arn);
    m->definition = strdup(def);
    m->role_arn = strdup(role ? role : "arn:aws:iam::000000000000:role/DummyRole");
    m->type = strdup(type ? type : "STANDARD");
    m->created = m->updated = srv_now_s();
    m->prog = prog;
    m->next = S.machines;
    S.machines = m;
    srv_store_put_machine(m);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "stateMachineArn", arn);
    cJSON_AddNumberToObject(o, "creationDate", m->created);
    pthread_mutex_unlock(&S.mu);
    return srv_ok(o);
}

/* The machine named by "stateMachineArn" of [req], with the store locked
 * (the caller unlocks); NULL with *err set otherwise (unlocked). */
static machine *lookup_sm(const cJSON *req, srv_reply *err)
{
    const char *arn;
    if (!srv_get_str(req, "stateMachineArn", true, &arn, err))
        return NULL;
    if (!srv_is_sm_arn(arn)) {
        *err = srv_error(400, "InvalidArn", "Invalid Arn: '%s'", arn);
        return NULL;
    }
    pthread_mutex_lock(&S.mu);
    machine *m = srv_find_machine(arn);
    if (!m) {
        pthread_mutex_unlock(&S.mu);
        *err = srv_error(400, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn);
    }
    return m;
}

static srv_reply describe_sm(const cJSON *req)
{
    srv_reply err;
    machine *m = lookup_sm(req, &err);
    if (!m)
        return err;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "stateMachineArn", m->arn);
    cJSON_AddStringToObject(o, "name", m->name);
    cJSON_AddStringToObject(o, "status", "ACTIVE");
    cJSON_AddStringToObject(o, "definition", m->definition);
    cJSON_AddStringToObject(o, "roleArn", m->role_arn);
    cJSON_AddStringToObject(o, "type", m->type);
    cJSON_AddNumberToObject(o, "creationDate", m->created);
    cJSON *lc = cJSON_AddObjectToObject(o, "loggingConfiguration");
    cJSON_AddStringToObject(lc, "level", "OFF");
    cJSON_AddBoolToObject(lc, "includeExecutionData", false);
    pthread_mutex_unlock(&S.mu);
    return srv_ok(o);
}

static srv_reply update_sm(const cJSON *req)
{
    srv_reply err;
    const char *def, *role, *arn;
    if (!srv_get_str(req, "stateMachineArn", true, &arn, &err) ||
        !srv_get_str(req, "definition", false, &def, &err) ||
        !srv_get_str(req, "roleArn", false, &role, &err))
        return err;
    if (!def && !role)
        return srv_error(400, "MissingRequiredParameter",
                         "Either the definition or the roleArn must be specified");
    srv_prog *prog = NULL;
    char msg[2048];
    const char *colon = strrchr(arn, ':');
    if (def && !srv_compile_definition(colon ? colon + 1 : arn, def, &prog, msg, sizeof msg))
        return srv_error(400, "InvalidDefinition", "Invalid State Machine Definition: '%s'", msg);
    machine *m = lookup_sm(req, &err);
    if (!m) {
        pthread_mutex_lock(&S.mu);
        srv_prog_unref(prog);
        pthread_mutex_unlock(&S.mu);
        return err;
    }
    /* Executions still running the old program hold their own reference. */
    if (def) {
        srv_prog_unref(m->prog);
        m->prog = prog;
        free(m->definition);
        m->definition = strdup(def);
    }
    if (role) {
        free(m->role_arn);
        m->role_arn = strdup(role);
    }
    m->updated = srv_now_s();
    srv_store_put_machine(m);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "updateDate", m->updated);
    pthread_mutex_unlock(&S.mu);
    return srv_ok(o);
}

static void free_machine(machine *m)
{
    srv_prog_unref(m->prog);
    free(m->name);
    free(m->arn);
    free(m->definition);
    free(m->role_arn);
    free(m->type);
    free(m);
}

static srv_reply delete_sm(const cJSON *req)
{
    srv_reply err;
    const char *arn;
    if (!srv_get_str(req, "stateMachineArn", true, &arn, &err))
        return err;
    if (!srv_is_sm_arn(arn))
        return srv_error(400, "InvalidArn", "Invalid Arn: '%s'", arn);
    pthread_mutex_lock(&S.mu);
    for (machine **p = &S.machines; *p; p = &(*p)->next)
        if (strcmp((*p)->arn, arn) == 0) {
            machine *m = *p;
            *p = m->next;
            srv_store_drop_machine(arn);
            free_machine(m);
            break;
        }
    pthread_mutex_unlock(&S.mu); /* AWS answers success for an unknown ARN too */
    return srv_ok(cJSON_CreateObject());
}

bool srv_paging(const cJSON *req, int dflt, int *max, int *start, srv_reply *err)
{
    const cJSON *mr = cJSON_GetObjectItemCaseSensitive(req, "maxResults");
    const char *tok;
    *max = dflt;
    *start = 0;
    if (mr && !cJSON_IsNull(mr)) {
        if (!cJSON_IsNumber(mr)) {
            *err = srv_error(400, "SerializationException", "'maxResults' must be an integer");
            return false;
        }
        if (mr->valuedouble < 0 || mr->valuedouble > 1000 ||
            mr->valuedouble != (int)mr->valuedouble) {
            *err = srv_error(400, "ValidationException",
                             "1 validation error detected: Value '%g' at 'maxResults' failed to "
                             "satisfy constraint: Member must have value less than or equal to 1000",
                             mr->valuedouble);
            return false;
        }
        if (mr->valueint > 0)
            *max = mr->valueint;
    }
    if (!srv_get_str(req, "nextToken", false, &tok, err))
        return false;
    if (tok) {
        char *end;
        long v = strtol(tok, &end, 10);
        if (*end || v < 0 || v > 100000000 || end == tok) {
            *err = srv_error(400, "InvalidToken", "Invalid Token: '%s'", tok);
            return false;
        }
        *start = (int)v;
    }
    return true;
}

void srv_next_token(cJSON *o, int i)
{
    char t[32];
    snprintf(t, sizeof t, "%d", i);
    cJSON_AddStringToObject(o, "nextToken", t);
}

static srv_reply list_sms(const cJSON *req)
{
    srv_reply err;
    int max, start;
    if (!srv_paging(req, 100, &max, &start, &err))
        return err;
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "stateMachines");
    pthread_mutex_lock(&S.mu);
    int i = 0, n = 0;
    for (machine *m = S.machines; m; m = m->next, i++) {
        if (i < start)
            continue;
        if (n == max) {
            srv_next_token(o, i);
            break;
        }
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "stateMachineArn", m->arn);
        cJSON_AddStringToObject(e, "name", m->name);
        cJSON_AddStringToObject(e, "type", m->type);
        cJSON_AddNumberToObject(e, "creationDate", m->created);
        cJSON_AddItemToArray(arr, e);
        n++;
    }
    pthread_mutex_unlock(&S.mu);
    return srv_ok(o);
}

static srv_reply validate_sm(const cJSON *req)
{
    srv_reply err;
    const char *def;
    if (!srv_get_str(req, "definition", true, &def, &err))
        return err;
    const cJSON *mr = cJSON_GetObjectItemCaseSensitive(req, "maxResults");
    int max = 100;
    if (mr && cJSON_IsNumber(mr) && mr->valueint > 0 && mr->valueint <= 100)
        max = mr->valueint;
    unit *u = unit_from_text("definition.asl.json", def, strlen(def));
    if (load_json(u) && u->nerrors == 0)
        check_definition(u);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "result", u->nerrors ? "FAIL" : "OK");
    cJSON *arr = cJSON_AddArrayToObject(o, "diagnostics");
    int n = 0;
    bool truncated = false;
    for (const diag *d = u->diags; d; d = d->next) {
        if (d->severity == DIAG_NOTE)
            continue;
        if (n == max) {
            truncated = true;
            break;
        }
        const char *aws = diag_aws_code(d->code);
        char ptr[512];
        diag_pointer(u, d, ptr, sizeof ptr);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "severity", d->severity == DIAG_ERROR ? "ERROR" : "WARNING");
        cJSON_AddStringToObject(e, "code", aws ? aws : diag_code_name(d->code));
        cJSON_AddStringToObject(e, "message", d->message);
        if (ptr[0])
            cJSON_AddStringToObject(e, "location", ptr);
        cJSON_AddItemToArray(arr, e);
        n++;
    }
    cJSON_AddBoolToObject(o, "truncated", truncated);
    unit_close(u);
    return srv_ok(o);
}

/* ==== dispatch =========================================================== */

typedef struct action {
    const char *name;
    srv_reply (*fn)(const cJSON *req);
} action;

static const action actions[] = {
    {"CreateStateMachine", create_sm},
    {"DescribeStateMachine", describe_sm},
    {"UpdateStateMachine", update_sm},
    {"DeleteStateMachine", delete_sm},
    {"ListStateMachines", list_sms},
    {"ValidateStateMachineDefinition", validate_sm},
    {"TestState", srv_test_state_action}, /* teststate_action.c, issue 14 */
    {"StartExecution", srv_start_execution},
    {"StartSyncExecution", srv_start_sync_execution},
    {"DescribeExecution", srv_describe_execution},
    {"ListExecutions", srv_list_executions},
    {"StopExecution", srv_stop_execution},
    {"DescribeStateMachineForExecution", srv_describe_sm_for_execution},
    {"GetExecutionHistory", srv_get_execution_history},
    {"SendTaskSuccess", srv_send_task_success},     /* callbacks.c */
    {"SendTaskFailure", srv_send_task_failure},
    {"SendTaskHeartbeat", srv_send_task_heartbeat},
    {"CreateActivity", srv_create_activity},        /* activities.c */
    {"DescribeActivity", srv_describe_activity},
    {"ListActivities", srv_list_activities},
    {"DeleteActivity", srv_delete_activity},
    {"GetActivityTask", srv_get_activity_task},
};

srv_reply srv_dispatch(const char *name, const char *body, size_t len)
{
    if (!name)
        return srv_error(400, "UnknownOperationException",
                         "the X-Amz-Target header must name an AWSStepFunctions action");
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(actions[i].name, name) == 0) {
            srv_reply err;
            cJSON *req = parse_body(body, len, &err);
            if (!req)
                return err;
            srv_reply r = actions[i].fn(req);
            cJSON_Delete(req);
            return r;
        }
    return srv_error(400, "UnknownOperationException", "unknown operation '%.100s'", name);
}

void srv_actions_init(const srv_opts *o)
{
    S.opt = o;
}

void srv_actions_close(void)
{
    srv_executions_close(); /* they hold references to the machines' programs */
    srv_activities_close();
    pthread_mutex_lock(&S.mu);
    while (S.machines) {
        machine *m = S.machines;
        S.machines = m->next;
        free_machine(m);
    }
    pthread_mutex_unlock(&S.mu);
}
