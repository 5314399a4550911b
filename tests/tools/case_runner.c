/*
 * case_runner.c - runs conformance case files (the format of
 * ../shared/conformance/README.md, also used by tests/cases/) against aslc
 * and reports, per group, how many passed.
 *
 * For each case it writes the definition and the input (their raw text from
 * the case file) into a scratch directory, runs
 *     aslc run DEF --input-file IN --wait skip --history H.jsonl [--name N]
 * (and/or builds the case with `aslc build` and runs the executable the same
 * way), then compares: the status, the output as a JSON value (objects
 * unordered, numbers by value), the error exactly, the cause exactly (or as
 * JSON when expect.cause_is_json), and the history's [type, state name]
 * pairs with the case's "events" (exactly, in order; LocalStack stored some
 * Parallel-branch events sorted, which then simply count as a mismatch).
 * An "error" or "cause" key missing from "expect" is not compared (the
 * project's own TIMED_OUT cases use that; the recorded cases always have
 * both).
 *
 * The project's own cases may also hold "bindings": a bindings file's
 * content (README, "The bindings file"), passed as --bindings, for what
 * mocks cannot show (a real handler's timeout or missed heartbeat). Its
 * relative paths (an exec program with a slash, "cwd", a native library)
 * are relative to the case file's directory, as if the bindings file lay
 * beside it: the runner writes it into the scratch directory with those
 * paths made absolute.
 *
 * Known failures (--known-failures FILE): a listed case that fails is
 * expected; a listed case that passes, or that no longer exists, is STALE;
 * an unlisted failing case is a REGRESSION. Either fails the run (exit 1).
 * --write-known-failures FILE writes the list of the cases failing now,
 * with a reason per line (the reason already in the old list is kept, else
 * the out-of-scope feature the case uses, else "IN SCOPE: <what differed>").
 *
 * A path that does not exist prints "SKIPPED: PATH not found" (the shared
 * data lives beside the project and may be absent); when nothing is left to
 * run the exit status is 0.
 *
 * Called by tests/run.sh; standalone use: case_runner --help.
 * Owns everything it allocates; the scratch directory is removed at the end
 * unless --keep.
 */
#include "runner_util.h"

#include <limits.h>

/* ---- options ------------------------------------------------------------ */

enum { PATH_RUN = 1, PATH_BUILD = 2 };

typedef struct {
    const char *aslc;
    int paths;              /* PATH_* bits */
    int jobs;
    double timeout;         /* per execution */
    double build_timeout;   /* per `aslc build` */
    bool verbose;
    bool keep;
    bool no_events;         /* --no-events: no --history, events not compared */
    const char *known_path;
    const char *write_known_path;
    const char *filter;
    const char *build_opt;  /* -O0..-O3 for aslc build, or NULL */
    const char *build_cc;   /* --cc for aslc build, or NULL */
    char *tmpdir;
} options;

static options opt;

/* ---- one case ----------------------------------------------------------- */

typedef struct {
    char *path;         /* case file */
    char *name;         /* "group/name" */
    char *group;
    char *category;     /* out-of-scope features it uses, or NULL */
    bool pass;
    bool has_events;    /* the case records events */
    bool events_ok;     /* ... and every path matched them */
    char *reason;       /* why it failed; NULL when it passed */
    ru_known *known;    /* its known-failures entry, if any */
} case_t;

static case_t *cases;
static size_t ncases;

/* What one execution (through one path) produced. */
typedef struct {
    char *problem;      /* set when there is no usable outcome (crash, bad exit...) */
    char *status;       /* "SUCCEEDED", "FAILED", ... */
    cJSON *output;      /* SUCCEEDED: the output */
    cJSON *status_line; /* otherwise: the parsed stderr status line */
    char *stderr_text;
    ru_strlist ev_types, ev_names; /* history; name "" when null */
    bool history_read;
} outcome;

static void outcome_free(outcome *o)
{
    free(o->problem);
    free(o->status);
    cJSON_Delete(o->output);
    cJSON_Delete(o->status_line);
    free(o->stderr_text);
    ru_list_free(&o->ev_types);
    ru_list_free(&o->ev_names);
    memset(o, 0, sizeof *o);
}

/* Append a formatted line to *buf (malloc'd, may be NULL). */
static void add_reason(char **buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t old = *buf ? strlen(*buf) : 0;
    char *nb = realloc(*buf, old + (size_t)n + 3);
    if (!nb)
        return;
    if (old)
        nb[old++] = '\n';
    va_start(ap, fmt);
    vsnprintf(nb + old, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *buf = nb;
}

/* The first line of [s] that is not empty, shortened; caller frees. */
static char *first_line(const char *s)
{
    if (!s)
        return ru_strdup("");
    while (*s == '\n' || *s == ' ')
        s++;
    const char *e = strchr(s, '\n');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    char *line = malloc(n + 1);
    if (!line)
        return ru_strdup("");
    memcpy(line, s, n);
    line[n] = 0;
    char *out = ru_shorten(line, 200);
    free(line);
    return out;
}

/* ---- which out-of-scope features a case uses ---------------------------- */

typedef struct {
    bool jsonata, assign, task, map, parallel;
    char intrinsics[256];
} features;

static void note_intrinsics(features *f, const char *s)
{
    for (const char *p = strstr(s, "States."); p; p = strstr(p + 7, "States.")) {
        const char *q = p + 7;
        while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9'))
            q++;
        if (*q != '(' || q == p + 7)
            continue;
        size_t n = (size_t)(q - p);
        if (n == strlen("States.MathAdd") && memcmp(p, "States.MathAdd", n) == 0)
            continue;
        char name[64];
        if (n >= sizeof name)
            continue;
        memcpy(name, p, n);
        name[n] = 0;
        if (strstr(f->intrinsics, name))
            continue;
        size_t used = strlen(f->intrinsics);
        if (used + n + 3 < sizeof f->intrinsics)
            snprintf(f->intrinsics + used, sizeof f->intrinsics - used, "%s%s", used ? ", " : "", name);
    }
}

static void scan_features(const cJSON *v, features *f)
{
    if (!v)
        return;
    if (cJSON_IsString(v) && v->valuestring) {
        note_intrinsics(f, v->valuestring);
        return;
    }
    for (const cJSON *c = v->child; c; c = c->next) {
        if (cJSON_IsObject(v) && c->string) {
            if (strcmp(c->string, "QueryLanguage") == 0 && cJSON_IsString(c) &&
                strcmp(c->valuestring, "JSONata") == 0)
                f->jsonata = true;
            if (strcmp(c->string, "Assign") == 0)
                f->assign = true;
            if (strcmp(c->string, "Type") == 0 && cJSON_IsString(c)) {
                if (strcmp(c->valuestring, "Task") == 0)
                    f->task = true;
                else if (strcmp(c->valuestring, "Map") == 0)
                    f->map = true;
                else if (strcmp(c->valuestring, "Parallel") == 0)
                    f->parallel = true;
            }
        }
        scan_features(c, f);
    }
}

/* "JSONata, Task, ..." or NULL when the case stays inside the current scope
 * (Pass, Choice, Wait, Succeed, Fail, JSONPath, States.MathAdd). */
static char *case_category(const cJSON *root)
{
    features f;
    memset(&f, 0, sizeof f);
    scan_features(cJSON_GetObjectItemCaseSensitive(root, "definition"), &f);
    if (cJSON_GetObjectItemCaseSensitive(root, "mocks") ||
        cJSON_GetObjectItemCaseSensitive(root, "bindings"))
        f.task = true;
    char *out = NULL;
    char buf[512] = "";
    size_t used = 0;
#define ADD(cond, text)                                                                     \
    if (cond)                                                                               \
    used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", used ? ", " : "", text)
    ADD(f.jsonata, "JSONata");
    ADD(f.assign, "variables (Assign)");
    ADD(f.task, "Task");
    ADD(f.map, "Map");
    ADD(f.parallel, "Parallel");
    ADD(f.intrinsics[0], f.intrinsics);
#undef ADD
    if (used)
        out = ru_strdup(buf);
    return out;
}

/* ---- running one path --------------------------------------------------- */

/* Read the history file: one JSON event per line. */
static void read_history(const char *path, outcome *o)
{
    char *text = ru_read_file(path, NULL);
    if (!text)
        return;
    o->history_read = true;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!*ru_trim(line))
            continue;
        cJSON *ev = ru_json_parse(line);
        if (!ev) {
            ru_list_add(&o->ev_types, ru_strdup("(unparseable history line)"));
            ru_list_add(&o->ev_names, ru_strdup(""));
            continue;
        }
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
        const char *t = cJSON_IsString(type) ? type->valuestring : "(no type)";
        const char *name = "";
        static const char *const detail_keys[] = {
            "stateEnteredEventDetails", "stateExitedEventDetails",
            "mapIterationStartedEventDetails", "mapIterationSucceededEventDetails",
            "mapIterationFailedEventDetails", "mapIterationAbortedEventDetails",
        };
        bool state_event = ru_has_suffix(t, "StateEntered") || ru_has_suffix(t, "StateExited") ||
                           strncmp(t, "MapIteration", 12) == 0;
        for (size_t k = 0; state_event && k < sizeof detail_keys / sizeof *detail_keys; k++) {
            const cJSON *d = cJSON_GetObjectItemCaseSensitive(ev, detail_keys[k]);
            const cJSON *n = d ? cJSON_GetObjectItemCaseSensitive(d, "name") : NULL;
            if (cJSON_IsString(n)) {
                name = n->valuestring;
                break;
            }
        }
        ru_list_add(&o->ev_types, ru_strdup(t));
        ru_list_add(&o->ev_names, ru_strdup(name));
        cJSON_Delete(ev);
    }
    free(text);
}

/* Find the last stderr line that is a JSON object with a "status". */
static cJSON *find_status_line(const char *err)
{
    cJSON *found = NULL;
    const char *p = err;
    while (p && *p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n > 10 && p[0] == '{') {
            char *line = malloc(n + 1);
            if (line) {
                memcpy(line, p, n);
                line[n] = 0;
                cJSON *v = ru_json_parse(line);
                if (v && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "status"))) {
                    cJSON_Delete(found);
                    found = v;
                } else {
                    cJSON_Delete(v);
                }
                free(line);
            }
        }
        p = e ? e + 1 : NULL;
    }
    return found;
}

static int expected_exit(const char *status)
{
    if (strcmp(status, "SUCCEEDED") == 0)
        return 0;
    if (strcmp(status, "FAILED") == 0)
        return 1;
    if (strcmp(status, "TIMED_OUT") == 0)
        return 3;
    if (strcmp(status, "ABORTED") == 0)
        return 4;
    return -1;
}

/* Run one execution (program [prog_argv] already holding its leading
 * words) with the case's standard options, and fill [o]. */
static void execute(const char *const *lead, int nlead, const char *dir, const char *exec_name,
                    bool mocks, bool bindings, outcome *o)
{
    char *in = ru_fmt("%s/input.json", dir);
    char *hist = ru_fmt("%s/history.jsonl", dir);
    char *out = ru_fmt("%s/stdout.txt", dir);
    char *err = ru_fmt("%s/stderr.txt", dir);
    char *mock = ru_fmt("%s/mock-config.json", dir);
    char *bind = ru_fmt("%s/bindings.json", dir);
    const char *argv[32];
    int a = 0;
    for (int i = 0; i < nlead; i++)
        argv[a++] = lead[i];
    argv[a++] = "--input-file";
    argv[a++] = in;
    argv[a++] = "--wait";
    argv[a++] = "skip";
    if (!opt.no_events) {
        argv[a++] = "--history";
        argv[a++] = hist;
    }
    if (exec_name) {
        argv[a++] = "--name";
        argv[a++] = exec_name;
    }
    if (mocks) {
        argv[a++] = "--mock-config";
        argv[a++] = mock;
        argv[a++] = "--test-case";
        argv[a++] = "case";
    }
    if (bindings) {
        argv[a++] = "--bindings";
        argv[a++] = bind;
    }
    argv[a] = NULL;
    remove(hist);

    ru_proc p;
    if (ru_run(argv, NULL, out, err, opt.timeout, &p) != 0) {
        o->problem = ru_fmt("could not start %s", argv[0]);
        goto done;
    }
    char *stdout_text = ru_read_file(out, NULL);
    o->stderr_text = ru_read_file(err, NULL);
    if (!o->stderr_text)
        o->stderr_text = ru_strdup("");
    read_history(hist, o);

    if (!p.exited) {
        char *how = ru_describe(&p, opt.timeout);
        char *line = first_line(o->stderr_text);
        o->problem = ru_fmt("%s; stderr: %s", how, line);
        free(how);
        free(line);
    } else if (p.code == 0) {
        o->output = stdout_text ? ru_json_parse(stdout_text) : NULL;
        if (!o->output) {
            char *s = ru_shorten(stdout_text ? stdout_text : "", 200);
            o->problem = ru_fmt("exit 0 but stdout is not one JSON value: '%s'", s);
            free(s);
        } else {
            o->status = ru_strdup("SUCCEEDED");
        }
    } else if (p.code == 1 || p.code == 3 || p.code == 4) {
        o->status_line = find_status_line(o->stderr_text);
        if (!o->status_line) {
            char *line = first_line(o->stderr_text);
            o->problem = ru_fmt("exit %d without a {\"status\":...} line on stderr; stderr: %s",
                                p.code, line);
            free(line);
        } else {
            const char *st = cJSON_GetObjectItemCaseSensitive(o->status_line, "status")->valuestring;
            o->status = ru_strdup(st);
            if (expected_exit(st) != p.code)
                o->problem = ru_fmt("status %s but exit code %d", st, p.code);
        }
    } else {
        char *line = first_line(o->stderr_text);
        o->problem = ru_fmt("exit %d%s; stderr: %s", p.code,
                            p.code == 2 ? " (usage / rejected definition or input)" : "", line);
        free(line);
    }
    free(stdout_text);
done:
    free(in);
    free(hist);
    free(out);
    free(err);
    free(mock);
    free(bind);
}

/* Compare a nullable string member of the status line with the expectation. */
static void compare_text(const cJSON *exp, const cJSON *got_line, const char *key, bool as_json,
                         char **why)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(exp, key);
    if (!e)
        return; /* not recorded: not compared */
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(got_line, key);
    bool g_null = !g || cJSON_IsNull(g);
    if (cJSON_IsNull(e)) {
        if (!g_null) {
            char *gs = ru_json_text(g);
            char *s = ru_shorten(gs, 300);
            add_reason(why, "%s: expected null, got %s", key, s);
            free(gs);
            free(s);
        }
        return;
    }
    if (as_json) {
        cJSON *parsed = cJSON_IsString(g) ? ru_json_parse(g->valuestring) : NULL;
        if (!parsed || !ru_json_equal(parsed, e)) {
            char *es = ru_json_text(e), *gs = ru_json_text(g);
            char *a = ru_shorten(es, 300), *b = ru_shorten(gs, 300);
            add_reason(why, "%s (as JSON): expected %s, got %s", key, a, b);
            free(es), free(gs), free(a), free(b);
        }
        cJSON_Delete(parsed);
        return;
    }
    if (!cJSON_IsString(e))
        return;
    if (!cJSON_IsString(g) || strcmp(g->valuestring, e->valuestring) != 0) {
        char *gs = ru_json_text(g);
        char *a = ru_shorten(e->valuestring, 400), *b = ru_shorten(gs, 400);
        add_reason(why, "%s: expected \"%s\", got %s", key, a, b);
        free(gs), free(a), free(b);
    }
}

/* Check [o] against the case; returns NULL when it matches, else why.
 * *ev_ok says whether the events matched (when the case has events). */
static char *judge(const cJSON *root, const outcome *o, bool *ev_ok)
{
    char *why = NULL;
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(root, "expect");
    const char *exp_status = cJSON_GetObjectItemCaseSensitive(expect, "status")->valuestring;
    *ev_ok = false;

    if (o->problem) {
        add_reason(&why, "%s", o->problem);
    } else if (strcmp(o->status, exp_status) != 0) {
        if (o->output) {
            char *t = ru_json_text(o->output);
            char *s = ru_shorten(t, 300);
            add_reason(&why, "expected %s, got SUCCEEDED with output %s", exp_status, s);
            free(t), free(s);
        } else {
            char *t = ru_json_text(o->status_line);
            char *s = ru_shorten(t, 400);
            add_reason(&why, "expected %s, got %s", exp_status, s);
            free(t), free(s);
        }
    } else if (o->output) {
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(expect, "output");
        if (!ru_json_equal(want, o->output)) {
            char *wt = ru_json_text(want), *gt = ru_json_text(o->output);
            char *a = ru_shorten(wt, 400), *b = ru_shorten(gt, 400);
            add_reason(&why, "output: expected %s, got %s", a, b);
            free(wt), free(gt), free(a), free(b);
        }
    } else {
        bool cause_json = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(expect, "cause_is_json"));
        compare_text(expect, o->status_line, "error", false, &why);
        compare_text(expect, o->status_line, "cause", cause_json, &why);
    }

    const cJSON *events = cJSON_GetObjectItemCaseSensitive(root, "events");
    if (cJSON_IsArray(events) && !opt.no_events) {
        size_t n = (size_t)cJSON_GetArraySize(events);
        size_t got = o->ev_types.n;
        size_t k = 0;
        const cJSON *e = events->child;
        for (; e && k < got; e = e->next, k++) {
            const cJSON *t = cJSON_GetArrayItem(e, 0), *nm = cJSON_GetArrayItem(e, 1);
            const char *et = cJSON_IsString(t) ? t->valuestring : "";
            const char *en = cJSON_IsString(nm) ? nm->valuestring : "";
            if (strcmp(et, o->ev_types.v[k]) != 0 || strcmp(en, o->ev_names.v[k]) != 0)
                break;
        }
        if (k == n && k == got) {
            *ev_ok = true;
        } else if (!o->history_read) {
            add_reason(&why, "events: no history file was written");
        } else {
            char *exp_s = ru_strdup("(end)"), *got_s = ru_strdup("(end)");
            if (k < n) {
                const cJSON *ek = cJSON_GetArrayItem(events, (int)k);
                free(exp_s);
                exp_s = ru_json_text(ek);
            }
            if (k < got) {
                free(got_s);
                got_s = ru_fmt("[\"%s\",%s%s%s]", o->ev_types.v[k], *o->ev_names.v[k] ? "\"" : "",
                               *o->ev_names.v[k] ? o->ev_names.v[k] : "null",
                               *o->ev_names.v[k] ? "\"" : "");
            }
            add_reason(&why, "events differ at #%zu (of %zu expected, %zu recorded): expected %s, got %s",
                       k + 1, n, got, exp_s, got_s);
            free(exp_s);
            free(got_s);
        }
    }
    return why;
}

/* Replace string [item] of [parent] by [text] made absolute against [dir]
 * when it is a relative path. Returns 0, or -1 when out of memory. */
static int rebase_path(cJSON *parent, cJSON *item, const char *dir, const char *text)
{
    if (text[0] == '/')
        return 0;
    char *abs = ru_fmt("%s/%s", dir, text);
    cJSON *s = abs ? cJSON_CreateString(abs) : NULL;
    free(abs);
    if (!s || !cJSON_ReplaceItemViaPointer(parent, item, s)) {
        cJSON_Delete(s);
        return -1;
    }
    return 0;
}

/* Write a case's "bindings" for --bindings at [path], with the relative
 * paths made absolute against [case_dir]: the exec program when it has a
 * slash (a bare name is looked up in PATH), "cwd", the native library. */
static int write_bindings(const cJSON *bindings, const char *case_dir, const char *path)
{
    cJSON *b = cJSON_Duplicate(bindings, true);
    cJSON *res = cJSON_GetObjectItemCaseSensitive(b, "resources");
    int rc = b ? 0 : -1;
    for (cJSON *r = res ? res->child : NULL; r && rc == 0; r = r->next) {
        cJSON *exec = cJSON_GetObjectItemCaseSensitive(r, "exec");
        cJSON *prog = cJSON_IsArray(exec) ? exec->child : NULL;
        if (cJSON_IsString(prog) && strchr(prog->valuestring, '/'))
            rc = rebase_path(exec, prog, case_dir, prog->valuestring);
        cJSON *cwd = cJSON_GetObjectItemCaseSensitive(r, "cwd");
        if (rc == 0 && cJSON_IsString(cwd))
            rc = rebase_path(r, cwd, case_dir, cwd->valuestring);
        cJSON *native = cJSON_GetObjectItemCaseSensitive(r, "native");
        if (rc == 0 && cJSON_IsString(native))
            rc = rebase_path(r, native, case_dir, native->valuestring); /* "LIB:SYMBOL" */
    }
    char *text = rc == 0 ? cJSON_Print(b) : NULL;
    if (!text || ru_write_file(path, text, strlen(text)) != 0)
        rc = -1;
    free(text);
    cJSON_Delete(b);
    return rc;
}

/* Write the mocks of a case as an AWS Step Functions Local mock configuration
 * (state machine "case", test case "case"), for --mock-config. */
static int write_mock_config(const cJSON *mocks, const char *path)
{
    cJSON *cfg = cJSON_CreateObject();
    cJSON *sms = cfg ? cJSON_AddObjectToObject(cfg, "StateMachines") : NULL;
    cJSON *sm = sms ? cJSON_AddObjectToObject(sms, "case") : NULL;
    cJSON *tcs = sm ? cJSON_AddObjectToObject(sm, "TestCases") : NULL;
    cJSON *tc = tcs ? cJSON_AddObjectToObject(tcs, "case") : NULL;
    cJSON *responses = cfg ? cJSON_AddObjectToObject(cfg, "MockedResponses") : NULL;
    int rc = (tc && responses) ? 0 : -1;
    int i = 0;
    for (const cJSON *m = mocks->child; m && rc == 0; m = m->next, i++) {
        char *rname = ru_fmt("response%d", i);
        cJSON *dup = cJSON_Duplicate(m, true);
        if (!cJSON_AddStringToObject(tc, m->string, rname) || !dup ||
            !cJSON_AddItemToObject(responses, rname, dup)) {
            cJSON_Delete(dup);
            rc = -1;
        }
        free(rname);
    }
    char *text = rc == 0 ? cJSON_Print(cfg) : NULL;
    if (!text || ru_write_file(path, text, strlen(text)) != 0)
        rc = -1;
    free(text);
    cJSON_Delete(cfg);
    return rc;
}

static void run_case(size_t idx)
{
    case_t *c = &cases[idx];
    char *text = ru_read_file(c->path, NULL);
    cJSON *root = text ? ru_json_parse(text) : NULL;
    char *dir = ru_fmt("%s/c%zu", opt.tmpdir, idx);
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(root, "expect");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(expect, "status");
    char *def = text ? ru_raw_member(text, "definition") : NULL;
    char *input = text ? ru_raw_member(text, "input") : NULL;
    if (!input)
        input = ru_strdup("{}\n");

    if (!root || !cJSON_IsString(status) || !def) {
        c->reason = ru_fmt("bad case file (need definition and expect.status)");
        goto out;
    }
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(root, "events");
    c->has_events = cJSON_IsArray(events) && !opt.no_events;
    c->category = case_category(root);

    if (mkdir(dir, 0755) != 0) {
        c->reason = ru_fmt("cannot create %s", dir);
        goto out;
    }
    char *defpath = ru_fmt("%s/case.asl.json", dir);
    char *inpath = ru_fmt("%s/input.json", dir);
    bool wrote = ru_write_file(defpath, def, strlen(def)) == 0 &&
                 ru_write_file(inpath, input, strlen(input)) == 0;
    const cJSON *mocks = cJSON_GetObjectItemCaseSensitive(root, "mocks");
    bool use_mocks = cJSON_IsObject(mocks) && mocks->child;
    if (wrote && use_mocks) {
        char *mp = ru_fmt("%s/mock-config.json", dir);
        wrote = write_mock_config(mocks, mp) == 0;
        free(mp);
    }
    const cJSON *bindings = cJSON_GetObjectItemCaseSensitive(root, "bindings");
    bool use_bindings = cJSON_IsObject(bindings);
    if (wrote && use_bindings) {
        char case_dir[PATH_MAX];
        char *bp = ru_fmt("%s/bindings.json", dir);
        char *slash = realpath(c->path, case_dir) ? strrchr(case_dir, '/') : NULL;
        if (slash)
            *slash = '\0';
        wrote = slash && write_bindings(bindings, case_dir, bp) == 0;
        free(bp);
    }
    if (!wrote) {
        c->reason = ru_fmt("cannot write the case into %s", dir);
        free(defpath);
        free(inpath);
        goto out;
    }
    const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(root, "context");
    const cJSON *ename = cJSON_GetObjectItemCaseSensitive(ctx, "executionName");
    const char *exec_name = cJSON_IsString(ename) ? ename->valuestring : NULL;

    bool all_ok = true, ev_all = c->has_events;
    for (int path = PATH_RUN; path <= PATH_BUILD; path <<= 1) {
        if (!(opt.paths & path))
            continue;
        const char *label = path == PATH_RUN ? "aslc run" : "aslc build";
        outcome o;
        memset(&o, 0, sizeof o);
        char *why = NULL;
        bool ev_ok = false;
        if (path == PATH_RUN) {
            const char *lead[] = {opt.aslc, "run", defpath};
            execute(lead, 3, dir, exec_name, use_mocks, use_bindings, &o);
        } else {
            char *exe = ru_fmt("%s/prog", dir);
            char *berr = ru_fmt("%s/build-stderr.txt", dir);
            const char *argv[12];
            int a = 0;
            argv[a++] = opt.aslc;
            argv[a++] = "build";
            argv[a++] = defpath;
            argv[a++] = "-o";
            argv[a++] = exe;
            if (opt.build_opt)
                argv[a++] = opt.build_opt;
            if (opt.build_cc) {
                argv[a++] = "--cc";
                argv[a++] = opt.build_cc;
            }
            argv[a] = NULL;
            ru_proc p;
            int rc = ru_run(argv, NULL, NULL, berr, opt.build_timeout, &p);
            if (rc != 0 || !p.exited || p.code != 0 || !ru_is_file(exe)) {
                char *bt = ru_read_file(berr, NULL);
                char *line = first_line(bt);
                char *how = ru_describe(&p, opt.build_timeout);
                o.problem = ru_fmt("aslc build failed (%s): %s", how, line);
                free(bt), free(line), free(how);
            } else {
                const char *lead[] = {exe};
                execute(lead, 1, dir, exec_name, use_mocks, use_bindings, &o);
            }
            free(exe);
            free(berr);
        }
        why = judge(root, &o, &ev_ok);
        if (why) {
            all_ok = false;
            if (opt.paths == (PATH_RUN | PATH_BUILD)) {
                /* tag every line with the path it came from */
                char *tagged = NULL;
                char *save = NULL;
                for (char *l = strtok_r(why, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                    add_reason(&tagged, "[%s] %s", label, l);
                free(why);
                why = tagged ? tagged : ru_strdup("failed");
            }
            if (c->reason)
                add_reason(&c->reason, "%s", why);
            else
                c->reason = ru_strdup(why);
            free(why);
        }
        if (!ev_ok)
            ev_all = false;
        outcome_free(&o);
    }
    c->pass = all_ok;
    c->events_ok = ev_all;
    free(defpath);
    free(inpath);
out:
    if (!c->pass && !c->reason)
        c->reason = ru_strdup("failed");
    if (!opt.keep || c->pass)
        ru_remove_tree(dir);
    free(dir);
    free(def);
    free(input);
    cJSON_Delete(root);
    free(text);
}

/* ---- the pool ------------------------------------------------------------- */

static pthread_mutex_t next_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t next_case, done_cases;
static bool show_progress;

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&next_lock);
        size_t i = next_case++;
        pthread_mutex_unlock(&next_lock);
        if (i >= ncases || ru_interrupted)
            return NULL;
        run_case(i);
        pthread_mutex_lock(&next_lock);
        done_cases++;
        if (show_progress && (done_cases % 10 == 0 || done_cases == ncases))
            fprintf(stderr, "\r  %zu/%zu cases", done_cases, ncases);
        pthread_mutex_unlock(&next_lock);
    }
}

/* ---- loading the case list -------------------------------------------------- */

/* Name "group/name" from the case file, else from its path. */
static void name_case(case_t *c)
{
    char *text = ru_read_file(c->path, NULL);
    char *raw = text ? ru_raw_member(text, "name") : NULL;
    cJSON *v = raw ? ru_json_parse(raw) : NULL;
    if (cJSON_IsString(v) && strchr(v->valuestring, '/')) {
        c->name = ru_strdup(v->valuestring);
    } else {
        const char *base = strrchr(c->path, '/');
        base = base ? base + 1 : c->path;
        char *dir = ru_strdup(c->path);
        char *slash = strrchr(dir, '/');
        const char *group = "cases";
        if (slash) {
            *slash = 0;
            const char *g = strrchr(dir, '/');
            group = g ? g + 1 : dir;
        }
        c->name = ru_fmt("%s/%.*s", group, (int)(strlen(base) - 5), base);
        free(dir);
    }
    char *slash = strchr(c->name, '/');
    c->group = ru_fmt("%.*s", (int)(slash - c->name), c->name);
    cJSON_Delete(v);
    free(raw);
    free(text);
}

static void usage(FILE *f)
{
    fputs("usage: case_runner [options] CASE.json|DIR...\n"
          "Runs conformance case files against aslc and compares output, error, cause and events.\n"
          "  --aslc PATH                 the aslc to test (default: $BUILD/aslc, else build/aslc)\n"
          "  --build                     run each case through `aslc run` AND a built executable\n"
          "  --build-only                only through `aslc build` + the executable\n"
          "  -O0|-O1|-O2|-O3             optimisation level passed to `aslc build`\n"
          "  --cc CC                     C compiler passed to `aslc build --cc`\n"
          "  --known-failures FILE       expected failures; stale entries and regressions fail the run\n"
          "  --write-known-failures FILE write the cases failing now (reasons kept from the old list)\n"
          "  --jobs N                    cases run in parallel (default 2)\n"
          "  --timeout SECONDS           per execution (default 30; builds get 4x)\n"
          "  --filter TEXT               only cases whose name contains TEXT\n"
          "  --verbose                   say why each failure failed\n"
          "  --keep                      keep the scratch files of failing cases\n"
          "  --no-events                 write no history and do not compare events (benchmarks)\n"
          "Exit: 0 all as expected, 1 regressions or stale entries, 2 usage / setup problem.\n",
          f);
}

/* True when every path given on the command line is missing: the data
 * beside the project is absent, which is a skip, not an error. */
static bool files_missing(const ru_strlist *inputs)
{
    for (size_t i = 0; i < inputs->n; i++)
        if (ru_is_dir(inputs->v[i]) || ru_is_file(inputs->v[i]))
            return false;
    return inputs->n > 0;
}

static int cmp_case(const void *a, const void *b)
{
    return strcmp(((const case_t *)a)->name, ((const case_t *)b)->name);
}

/* Write the failing cases as a known-failures list. */
static int write_known(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        return -1;
    }
    fprintf(f,
            "# Known failures of aslc on ../shared/conformance/cases (see README.md, \"Tests\").\n"
            "# One case per line (group/name); the text after '#' says why it fails.\n"
            "# A listed case that passes, or no longer exists, is STALE and fails `make test`;\n"
            "# an unlisted failing case is a REGRESSION and fails it too.\n"
            "# Regenerate (reasons already here are kept):\n"
            "#   $BUILD/tests/case_runner --aslc $BUILD/aslc --known-failures %s \\\n"
            "#       --write-known-failures %s ../shared/conformance/cases\n"
            "# Out of scope for now: Task (and any case with mocks), Map, Parallel, intrinsics\n"
            "# other than States.MathAdd, JSONata, variables (Assign). Entries marked\n"
            "# \"IN SCOPE\" are Pass/Choice/Wait/Succeed/Fail/JSONPath behaviour still to fix.\n",
            path, path);
    const char *group = NULL;
    for (size_t i = 0; i < ncases; i++) {
        case_t *c = &cases[i];
        if (c->pass)
            continue;
        if (!group || strcmp(group, c->group) != 0) {
            group = c->group;
            fprintf(f, "\n# ---- %s ----\n", group);
        }
        char *reason;
        if (c->known && *c->known->reason && strncmp(c->known->reason, "IN SCOPE:", 9) != 0 &&
            strncmp(c->known->reason, "out of scope:", 13) != 0)
            reason = ru_strdup(c->known->reason);
        else if (c->category)
            reason = ru_fmt("out of scope: %s", c->category);
        else {
            char *fl = first_line(c->reason);
            reason = ru_fmt("IN SCOPE: %s", fl);
            free(fl);
        }
        for (char *p = reason; *p; p++)
            if (*p == '\n' || *p == '#')
                *p = ' ';
        fprintf(f, "%s  # %s\n", c->name, reason);
        free(reason);
    }
    return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    opt.jobs = 2;
    opt.timeout = 30;
    opt.paths = PATH_RUN;
    ru_strlist inputs = {0};
    char *default_aslc = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (strcmp(a, "--aslc") == 0 && more)
            opt.aslc = argv[++i];
        else if (strcmp(a, "--build") == 0)
            opt.paths = PATH_RUN | PATH_BUILD;
        else if (strcmp(a, "--build-only") == 0)
            opt.paths = PATH_BUILD;
        else if (strncmp(a, "-O", 2) == 0 && strlen(a) == 3 && a[2] >= '0' && a[2] <= '3')
            opt.build_opt = a;
        else if (strcmp(a, "--cc") == 0 && more)
            opt.build_cc = argv[++i];
        else if (strcmp(a, "--known-failures") == 0 && more)
            opt.known_path = argv[++i];
        else if (strcmp(a, "--write-known-failures") == 0 && more)
            opt.write_known_path = argv[++i];
        else if (strcmp(a, "--jobs") == 0 && more)
            opt.jobs = atoi(argv[++i]);
        else if (strcmp(a, "--timeout") == 0 && more)
            opt.timeout = atof(argv[++i]);
        else if (strcmp(a, "--filter") == 0 && more)
            opt.filter = argv[++i];
        else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)
            opt.verbose = true;
        else if (strcmp(a, "--keep") == 0)
            opt.keep = true;
        else if (strcmp(a, "--no-events") == 0)
            opt.no_events = true;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-') {
            fprintf(stderr, "case_runner: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else
            ru_list_add(&inputs, ru_strdup(a));
    }
    if (opt.jobs < 1)
        opt.jobs = 1;
    if (opt.timeout <= 0)
        opt.timeout = 30;
    opt.build_timeout = opt.timeout * 4;
    if (!opt.aslc) {
        const char *b = getenv("BUILD");
        default_aslc = ru_fmt("%s/aslc", b && *b ? b : "build");
        opt.aslc = default_aslc;
    }
    if (inputs.n == 0) {
        usage(stderr);
        return 2;
    }
    if (access(opt.aslc, X_OK) != 0) {
        fprintf(stderr, "case_runner: no aslc executable at %s\n", opt.aslc);
        return 2;
    }

    /* collect the case files */
    ru_strlist files = {0};
    for (size_t i = 0; i < inputs.n; i++) {
        if (ru_is_dir(inputs.v[i]))
            ru_find_files(inputs.v[i], ".json", &files);
        else if (ru_is_file(inputs.v[i]))
            ru_list_add(&files, ru_strdup(inputs.v[i]));
        else
            printf("SKIPPED: %s not found\n", inputs.v[i]);
    }
    cases = calloc(files.n ? files.n : 1, sizeof *cases);
    if (!cases)
        return 2;
    for (size_t i = 0; i < files.n; i++) {
        case_t c;
        memset(&c, 0, sizeof c);
        c.path = files.v[i];
        files.v[i] = NULL;
        name_case(&c);
        if (opt.filter && !strstr(c.name, opt.filter)) {
            free(c.path), free(c.name), free(c.group);
            continue;
        }
        cases[ncases++] = c;
    }
    ru_list_free(&files);
    qsort(cases, ncases, sizeof *cases, cmp_case);
    if (ncases == 0) {
        printf("case_runner: no case files to run\n");
        return files_missing(&inputs) ? 0 : 2;
    }

    ru_known_list known = {0};
    if (opt.known_path && ru_known_load(opt.known_path, &known) != 0)
        return 2;
    for (size_t i = 0; i < ncases; i++) {
        cases[i].known = ru_known_find(&known, cases[i].name);
        if (cases[i].known)
            cases[i].known->seen = true;
    }

    opt.tmpdir = ru_make_tmpdir("aslc-cases");
    if (!opt.tmpdir)
        return 2;
    const char *paths = opt.paths == PATH_RUN     ? "aslc run"
                        : opt.paths == PATH_BUILD ? "aslc build + executable"
                                                  : "aslc run and aslc build + executable";
    printf("case_runner: %zu cases, through %s, %d job%s, aslc %s\n", ncases, paths, opt.jobs,
           opt.jobs == 1 ? "" : "s", opt.aslc);
    fflush(stdout);
    show_progress = isatty(2);
    ru_catch_signals();

    int nthreads = opt.jobs > (int)ncases ? (int)ncases : opt.jobs;
    pthread_t *threads = calloc((size_t)nthreads, sizeof *threads);
    if (!threads)
        return 2;
    for (int t = 0; t < nthreads; t++)
        if (pthread_create(&threads[t], NULL, worker, NULL) != 0) {
            fprintf(stderr, "case_runner: cannot start a thread\n");
            return 2;
        }
    for (int t = 0; t < nthreads; t++)
        pthread_join(threads[t], NULL);
    free(threads);
    if (show_progress)
        fputs("\r\033[K", stderr);
    if (ru_interrupted) {
        fprintf(stderr, "case_runner: interrupted\n");
        ru_remove_tree(opt.tmpdir);
        return 130;
    }

    /* report */
    size_t passed = 0, failed = 0, regressions = 0, stale = 0, in_scope = 0;
    for (size_t i = 0; i < ncases; i++) {
        case_t *c = &cases[i];
        if (c->pass)
            passed++;
        else
            failed++;
        if (!c->pass && !c->category)
            in_scope++;
        if (opt.verbose && !c->pass) {
            printf("FAIL %s%s%s%s%s\n     %s\n", c->name, c->known ? " (known)" : " (REGRESSION)",
                   c->category ? " [uses " : "", c->category ? c->category : "",
                   c->category ? "]" : "", c->path);
            char *r = ru_strdup(c->reason);
            char *save = NULL;
            for (char *l = strtok_r(r, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                printf("     %s\n", l);
            free(r);
            if (opt.keep)
                printf("     files: %s/c%zu\n", opt.tmpdir, i);
        }
    }
    /* per group */
    for (size_t i = 0; i < ncases;) {
        size_t j = i, p = 0, f = 0, k = 0, e = 0, r = 0;
        for (; j < ncases && strcmp(cases[j].group, cases[i].group) == 0; j++) {
            if (cases[j].pass)
                p++;
            else {
                f++;
                if (cases[j].known)
                    k++;
            }
            if (cases[j].has_events) {
                r++;
                if (cases[j].events_ok)
                    e++;
            }
        }
        printf("%s: %zu passed, %zu failed (%zu known), events matched %zu/%zu\n", cases[i].group,
               p, f, k, e, r);
        i = j;
    }
    /* regressions and stale entries, always shown */
    for (size_t i = 0; i < ncases; i++) {
        case_t *c = &cases[i];
        if (!c->pass && !c->known) {
            regressions++;
            char *fl = first_line(c->reason);
            printf("REGRESSION %s: %s\n", c->name, fl);
            free(fl);
        } else if (c->pass && c->known) {
            stale++;
            printf("STALE %s (line %d of %s): listed as failing but passes; remove the line\n",
                   c->name, c->known->line, opt.known_path);
        }
    }
    for (size_t i = 0; i < known.n; i++) {
        if (known.v[i].seen || opt.filter)
            continue;
        stale++;
        printf("STALE %s (line %d of %s): no such case\n", known.v[i].name, known.v[i].line,
               opt.known_path);
    }
    printf("%zu passed, %zu failed", passed, failed);
    if (opt.known_path)
        printf(" (%zu known, %zu regression%s, %zu stale)", failed - regressions, regressions,
               regressions == 1 ? "" : "s", stale);
    printf("; %zu failure%s inside the current scope\n", in_scope, in_scope == 1 ? "" : "s");

    int rc = (regressions || stale) ? 1 : 0;
    if (!opt.known_path && failed)
        rc = 1;
    if (opt.write_known_path) {
        if (write_known(opt.write_known_path) != 0) {
            rc = 2;
        } else {
            printf("wrote %zu entries to %s\n", failed, opt.write_known_path);
            rc = 0;
        }
    }
    if (!opt.keep)
        ru_remove_tree(opt.tmpdir);
    else
        printf("scratch files kept in %s\n", opt.tmpdir);

    for (size_t i = 0; i < ncases; i++) {
        free(cases[i].path);
        free(cases[i].name);
        free(cases[i].group);
        free(cases[i].category);
        free(cases[i].reason);
    }
    free(cases);
    ru_known_free(&known);
    ru_list_free(&inputs);
    free(opt.tmpdir);
    free(default_aslc);
    return rc;
}
