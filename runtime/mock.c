/*
 * mock.c - AWS Step Functions Local's mock configuration (--mock-config F
 * --test-case NAME [--state-machine NAME]).
 *
 * The file's shape, as AWS documents it:
 *   {"StateMachines": {MACHINE: {"TestCases": {CASE: {STATE: RESPONSE}}}},
 *    "MockedResponses": {RESPONSE: {"0": {"Return": VALUE},
 *                                   "1-2": {"Throw": {"Error": E, "Cause": C}}}}}
 * A test case maps Task state names to mocked responses; a response maps
 * 0-based invocation numbers ("3") or inclusive ranges ("1-2") to a Return
 * (any JSON value: the task's result) or a Throw (an error; Cause may be
 * left out). Invocations are counted per state over the whole execution:
 * every attempt counts, retries and re-entries of the state included, as
 * Step Functions Local counts them. An invocation with no key (past the
 * last one, or in a gap) fails the state with States.Runtime, as Step
 * Functions Local does ("you must specify a mocked response for every
 * invocation"). States the test case does not name are not mocked: their
 * resources go through the bindings.
 *
 * Everything the selected test case uses is checked when the file is read,
 * so a malformed mock stops the run before it starts instead of in the
 * middle of it. Responses the test case does not use are not checked, as
 * Step Functions Local reads them only when a state needs them.
 *
 * Owns: the parsed configuration (Return values are lent to task.c, which
 * copies them) and the per-state invocation counters, guarded by a mutex
 * because Map and Parallel may invoke Tasks from several threads.
 * Called by task.c.
 *
 * Layer: effects
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "rt.h"

/* One invocation key: invocations lo..hi (inclusive) get [entry]. */
typedef struct mock_range {
    long lo, hi;
    rt_mock_kind kind;
    const cJSON *value;          /* Return */
    const char *error, *cause;   /* Throw */
} mock_range;

/* A mocked state of the selected test case. */
typedef struct mock_state {
    const char *state;           /* borrowed from the configuration tree */
    const char *response;
    int nranges;
    mock_range *ranges;          /* sorted by lo, no overlaps */
    long calls;                  /* invocations so far */
} mock_state;

struct rt_mocks {
    cJSON *root;                 /* the whole file */
    int nstates;
    mock_state *states;
    pthread_mutex_t lock;
};

/* ==== Parsing ============================================================== */

/* A non-negative decimal without sign or blanks; false on anything else or
 * on overflow. */
static bool parse_count(const char *s, size_t n, long *out)
{
    if (n == 0 || n > 18)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* "3" or "1-2". */
static bool parse_key(const char *key, long *lo, long *hi)
{
    const char *dash = strchr(key, '-');
    if (!dash) {
        if (!parse_count(key, strlen(key), lo))
            return false;
        *hi = *lo;
        return true;
    }
    return parse_count(key, (size_t)(dash - key), lo) &&
           parse_count(dash + 1, strlen(dash + 1), hi) && *lo <= *hi;
}

static int by_lo(const void *a, const void *b)
{
    const mock_range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Checks one invocation entry {"Return": v} / {"Throw": {...}} of response
 * [rname], key [key]. Returns a malloc'd message, or 0 when it is fine. */
static char *parse_entry(const cJSON *e, const char *rname, mock_range *r)
{
    const char *key = e->string;
    if (!cJSON_IsObject(e))
        return rt_fmt("mocked response '%s', invocation \"%s\": expected an object with "
                      "\"Return\" or \"Throw\"",
                      rname, key);
    const cJSON *ret = NULL, *thr = NULL;
    for (const cJSON *f = e->child; f; f = f->next) {
        if (strcmp(f->string, "Return") == 0)
            ret = f;
        else if (strcmp(f->string, "Throw") == 0)
            thr = f;
        else
            return rt_fmt("mocked response '%s', invocation \"%s\": unknown field \"%s\" "
                          "(expected \"Return\" or \"Throw\")",
                          rname, key, f->string);
    }
    if (!ret == !thr)
        return rt_fmt("mocked response '%s', invocation \"%s\": needs exactly one of "
                      "\"Return\" and \"Throw\"",
                      rname, key);
    if (ret) {
        r->kind = RT_MOCK_RETURN;
        r->value = ret;
        return NULL;
    }
    r->kind = RT_MOCK_THROW;
    if (!cJSON_IsObject(thr))
        return rt_fmt("mocked response '%s', invocation \"%s\": \"Throw\" must be an object "
                      "with \"Error\" and \"Cause\"",
                      rname, key);
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(thr, "Error");
    const cJSON *cause = cJSON_GetObjectItemCaseSensitive(thr, "Cause");
    /* null stands for a failure that names no error or cause (a task that
     * reported SendTaskFailure with neither, as the conformance cases record) */
    if (!cJSON_IsString(err) && !cJSON_IsNull(err))
        return rt_fmt("mocked response '%s', invocation \"%s\": \"Throw\" needs an \"Error\" "
                      "string",
                      rname, key);
    if (cause && !cJSON_IsString(cause) && !cJSON_IsNull(cause))
        return rt_fmt("mocked response '%s', invocation \"%s\": \"Cause\" must be a string", rname,
                      key);
    for (const cJSON *f = thr->child; f; f = f->next)
        if (strcmp(f->string, "Error") != 0 && strcmp(f->string, "Cause") != 0)
            return rt_fmt("mocked response '%s', invocation \"%s\": unknown field \"%s\" in "
                          "\"Throw\" (expected \"Error\" and \"Cause\")",
                          rname, key, f->string);
    r->error = cJSON_IsString(err) ? err->valuestring : NULL;
    r->cause = cJSON_IsString(cause) ? cause->valuestring : NULL;
    return NULL;
}

/* Fills [st] from response [resp] named [rname]. Returns a malloc'd message
 * or 0. */
static char *parse_response(const cJSON *resp, const char *rname, mock_state *st)
{
    if (!cJSON_IsObject(resp))
        return rt_fmt("mocked response '%s' must be an object of invocation numbers", rname);
    int n = cJSON_GetArraySize(resp);
    st->ranges = calloc(n > 0 ? (size_t)n : 1, sizeof *st->ranges);
    if (!st->ranges)
        return rt_fmt("out of memory");
    for (const cJSON *e = resp->child; e; e = e->next) {
        mock_range *r = &st->ranges[st->nranges];
        if (!parse_key(e->string, &r->lo, &r->hi))
            return rt_fmt("mocked response '%s': invalid invocation key \"%s\" (expected a "
                          "number such as \"0\" or an inclusive range such as \"1-2\")",
                          rname, e->string);
        char *why = parse_entry(e, rname, r);
        if (why)
            return why;
        st->nranges++;
    }
    qsort(st->ranges, (size_t)st->nranges, sizeof *st->ranges, by_lo);
    for (int i = 1; i < st->nranges; i++)
        if (st->ranges[i].lo <= st->ranges[i - 1].hi)
            return rt_fmt("mocked response '%s': invocation %ld is mocked twice", rname,
                          st->ranges[i].lo);
    return NULL;
}

/* "A, B, C" of an object's keys, for messages. */
static char *key_list(const cJSON *obj)
{
    size_t len = 1;
    for (const cJSON *c = obj ? obj->child : NULL; c; c = c->next)
        len += strlen(c->string) + 4;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (const cJSON *c = obj ? obj->child : NULL; c; c = c->next) {
        if (c != obj->child)
            strcat(s, ", ");
        strcat(s, "'");
        strcat(s, c->string);
        strcat(s, "'");
    }
    return s;
}

static bool is_task_state(const asl_task_ref *tasks, int ntasks, const char *name)
{
    for (int i = 0; i < ntasks; i++)
        if (tasks[i].state && strcmp(tasks[i].state, name) == 0)
            return true;
    return false;
}

/* Builds [m] from the parsed file. Returns a malloc'd message or 0. */
static char *select_case(rt_mocks *m, const char *path, const char *machine, bool machine_given,
                         const char *test_case, const asl_task_ref *tasks, int ntasks)
{
    const cJSON *root = m->root;
    if (!cJSON_IsObject(root))
        return rt_fmt("mock config '%s': expected a JSON object with \"StateMachines\" and "
                      "\"MockedResponses\"",
                      path);
    const cJSON *sms = cJSON_GetObjectItemCaseSensitive(root, "StateMachines");
    const cJSON *responses = cJSON_GetObjectItemCaseSensitive(root, "MockedResponses");
    if (!cJSON_IsObject(sms))
        return rt_fmt("mock config '%s': \"StateMachines\" must be an object", path);
    if (responses && !cJSON_IsObject(responses))
        return rt_fmt("mock config '%s': \"MockedResponses\" must be an object", path);
    const cJSON *sm = cJSON_GetObjectItemCaseSensitive(sms, machine);
    if (!sm) {
        char *have = key_list(sms);
        char *msg = rt_fmt("mock config '%s' has no state machine '%s'%s (it has: %s)%s", path,
                           machine, machine_given ? "" : " (this machine's name)",
                           have && *have ? have : "none",
                           machine_given ? "" : "; choose one with --state-machine NAME");
        free(have);
        return msg;
    }
    const cJSON *tcs = cJSON_GetObjectItemCaseSensitive(sm, "TestCases");
    if (!cJSON_IsObject(tcs))
        return rt_fmt("mock config '%s': state machine '%s' needs a \"TestCases\" object", path,
                      machine);
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(tcs, test_case);
    if (!tc) {
        char *have = key_list(tcs);
        char *msg = rt_fmt("mock config '%s': state machine '%s' has no test case '%s' (it "
                           "has: %s)",
                           path, machine, test_case, have && *have ? have : "none");
        free(have);
        return msg;
    }
    if (!cJSON_IsObject(tc))
        return rt_fmt("mock config '%s': test case '%s' must map state names to mocked "
                      "response names",
                      path, test_case);
    int n = cJSON_GetArraySize(tc);
    m->states = calloc(n > 0 ? (size_t)n : 1, sizeof *m->states);
    if (!m->states)
        return rt_fmt("out of memory");
    for (const cJSON *e = tc->child; e; e = e->next) {
        if (!cJSON_IsString(e))
            return rt_fmt("mock config '%s': test case '%s', state '%s': expected the name of "
                          "a mocked response",
                          path, test_case, e->string);
        for (int i = 0; i < m->nstates; i++)
            if (strcmp(m->states[i].state, e->string) == 0)
                return rt_fmt("mock config '%s': test case '%s' names state '%s' twice", path,
                              test_case, e->string);
        if (ntasks > 0 && !is_task_state(tasks, ntasks, e->string))
            return rt_fmt("mock config '%s': test case '%s' mocks '%s', which is not a Task "
                          "state of this state machine",
                          path, test_case, e->string);
        const cJSON *resp = responses ? cJSON_GetObjectItemCaseSensitive(responses, e->valuestring)
                                      : NULL;
        if (!resp)
            return rt_fmt("mock config '%s': test case '%s', state '%s': no mocked response "
                          "named '%s' in \"MockedResponses\"",
                          path, test_case, e->string, e->valuestring);
        mock_state *st = &m->states[m->nstates++];
        st->state = e->string;
        st->response = e->valuestring;
        char *why = parse_response(resp, e->valuestring, st);
        if (why) {
            char *msg = rt_fmt("mock config '%s': %s", path, why);
            free(why);
            return msg;
        }
    }
    return NULL;
}

rt_mocks *rt_mocks_load(const char *path, const char *machine, bool machine_given,
                        const char *test_case, const asl_task_ref *tasks, int ntasks,
                        char **err)
{
    *err = NULL;
    size_t len = 0;
    char *text = rt_read_text(path, "mock config", &len, err);
    if (!text)
        return NULL;
    char perr[256] = "";
    cJSON *root = rt_json_parse(text, len, perr, sizeof perr);
    free(text);
    if (!root) {
        *err = rt_fmt("mock config '%s' is not valid JSON: %s", path, perr[0] ? perr : "parse error");
        return NULL;
    }
    rt_mocks *m = calloc(1, sizeof *m);
    if (!m) {
        cJSON_Delete(root);
        *err = rt_fmt("out of memory");
        return NULL;
    }
    m->root = root;
    pthread_mutex_init(&m->lock, NULL);
    char *why = select_case(m, path, machine ? machine : "", machine_given, test_case,
                            tasks, ntasks);
    if (why) {
        *err = why;
        rt_mocks_free(m);
        return NULL;
    }
    return m;
}

static mock_state *find_state(const rt_mocks *m, const char *state)
{
    for (int i = 0; m && i < m->nstates; i++)
        if (strcmp(m->states[i].state, state) == 0)
            return &m->states[i];
    return NULL;
}

bool rt_mocks_has(const rt_mocks *m, const char *state)
{
    return state && find_state(m, state) != NULL;
}

rt_mock_answer rt_mocks_next(rt_mocks *m, const char *state)
{
    rt_mock_answer a = {.kind = RT_MOCK_NONE};
    mock_state *st = find_state(m, state);
    if (!st)
        return a;
    pthread_mutex_lock(&m->lock);
    long call = st->calls++;
    pthread_mutex_unlock(&m->lock);
    a.invocation = call;
    a.response = st->response;
    for (int i = 0; i < st->nranges; i++) {
        const mock_range *r = &st->ranges[i];
        if (call >= r->lo && call <= r->hi) {
            a.kind = r->kind;
            a.value = r->value;
            a.error = r->error;
            a.cause = r->cause;
            return a;
        }
    }
    a.covered = st->nranges ? st->ranges[st->nranges - 1].hi + 1 : 0;
    return a;
}

void rt_mocks_free(rt_mocks *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->nstates; i++)
        free(m->states[i].ranges);
    free(m->states);
    cJSON_Delete(m->root);
    pthread_mutex_destroy(&m->lock);
    free(m);
}
