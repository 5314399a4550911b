/*
 * teststate_run.c - run one small definition for TestState through the
 * pipeline `aslc run` uses: load -> check -> lower -> codegen -> libtcc,
 * then the runtime's engine with a mock configuration (Step Functions
 * Local's format) and skipped waits.
 *
 * teststate.c builds the definitions (the tested state with its exits
 * turned into reporting states, or one step of its data flow as a Pass);
 * this file only runs them. Owns every temporary it makes: the unit, the C
 * text, the compiled program and the mock file are gone when ts_run
 * returns. Not thread-safe (TinyCC 0.9.27 keeps global state): the caller
 * serialises.
 */
#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "effects.h"
#include "emit.h"
#include "engine.h"
#include "jit.h"
#include "rt.h"
#include "serve.h"
#include "teststate_impl.h"
#include "unit.h"

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void set_message(ts_out *o, ts_kind kind, const char *msg)
{
    o->kind = kind;
    o->message = strdup(msg ? msg : "out of memory");
}

void ts_out_free(ts_out *o)
{
    cJSON_Delete(o->output);
    free(o->error);
    free(o->cause);
    free(o->message);
    memset(o, 0, sizeof *o);
}

bool ts_check(const char *text, int line_shift, char *buf, size_t cap)
{
    unit *u = unit_from_text("definition.asl.json", text, strlen(text));
    bool ok = load_json(u) && u->nerrors == 0 && check_definition(u) && u->nerrors == 0;
    if (!ok && line_shift == 0) {
        srv_diag_summary(u, buf, cap);
    } else if (!ok) {
        /* srv_diag_summary's format, with lines counted in the user's text */
        size_t n = 0;
        buf[0] = '\0';
        for (const diag *d = u->diags; d && n + 1 < cap; d = d->next) {
            if (d->severity != DIAG_ERROR)
                continue;
            int line = 0, col = 0;
            if (d->off != NO_OFFSET)
                unit_linecol(u, d->off, &line, &col);
            if (line <= line_shift) {
                /* in the wrapper: a consequence of the state alone (no End
                 * anywhere), or about the state as a whole */
                if (d->code == DIAG_MISSING_END_STATE)
                    continue;
                line = 1 + line_shift;
                col = 1;
            }
            line -= line_shift;
            int w = snprintf(buf + n, cap - n, "%s%s at line %d, column %d [%s]", n ? "; " : "",
                             d->message, line, col, diag_code_name(d->code));
            if (w < 0)
                break;
            n += (size_t)w < cap - n ? (size_t)w : cap - n - 1;
        }
    }
    unit_close(u);
    return !ok;
}

/* The C program for the definition [text]; NULL with [msg] set when the
 * pipeline refuses it. */
static char *generate(const char *text, char *msg, size_t cap)
{
    unit *u = unit_from_text(TS_MACHINE ".asl.json", text, strlen(text));
    ir_program *ir = load_json(u) && u->nerrors == 0 ? check_and_lower(u) : NULL;
    char *c = NULL;
    size_t clen = 0;
    if (ir && u->nerrors == 0) {
        FILE *f = open_memstream(&c, &clen);
        if (f) {
            int rc = cg_emit_program(f, ir);
            if (fclose(f) != 0 || rc != 0) {
                free(c);
                c = NULL;
            }
        }
        if (!c)
            snprintf(msg, cap, "cannot generate C (out of memory)");
    } else {
        srv_diag_summary(u, msg, cap);
    }
    unit_close(u);
    return c;
}

/* Is [name] a safe path inside a folder: no "..", no empty or absolute part? */
static bool inside(const char *name, bool slashes)
{
    if (!*name || name[0] == '/')
        return false;
    for (const char *p = name; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (e && !slashes)
            return false;
        if (n == 0 || (n == 2 && p[0] == '.' && p[1] == '.') || (n == 1 && p[0] == '.'))
            return false;
        p += n + (e ? 1 : 0);
    }
    return true;
}

char *ts_s3_stage(const char *bucket, const char *key, const char *data)
{
    if (!inside(bucket, false) || !inside(key, true))
        return NULL;
    const char *dir = getenv("TMPDIR");
    size_t cap = strlen(dir && *dir ? dir : "/tmp") + strlen(bucket) + strlen(key) + 40;
    char *root = malloc(cap), *path = malloc(cap);
    if (!root || !path)
        goto fail;
    snprintf(root, cap, "%s/aslc-teststate-s3-XXXXXX", dir && *dir ? dir : "/tmp");
    if (!mkdtemp(root)) {
        free(root);
        root = NULL;
        goto fail;
    }
    int n = snprintf(path, cap, "%s/%s/%s", root, bucket, key);
    /* the folders on the way to the file */
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        bool ok = mkdir(path, 0700) == 0 || errno == EEXIST;
        *p = '/';
        if (!ok)
            goto fail;
    }
    FILE *f = n > 0 ? fopen(path, "wb") : NULL;
    size_t len = strlen(data);
    bool ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        goto fail;
    free(path);
    return root;
fail:
    free(path);
    ts_s3_unstage(root);
    return NULL;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void ts_s3_unstage(char *root)
{
    if (root)
        nftw(root, remove_one, 8, FTW_DEPTH | FTW_PHYS);
    free(root);
}

/* [mock] written to a fresh temporary file; its path in [path]. */
static bool write_mock(const cJSON *mock, char *path, size_t cap)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, cap, "%s/aslc-teststate-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return false;
    char *text = cJSON_PrintUnformatted(mock);
    size_t n = text ? strlen(text) : 0;
    bool ok = text && write(fd, text, n) == (ssize_t)n;
    cJSON_free(text);
    if (close(fd) != 0 || !ok) {
        unlink(path);
        return false;
    }
    return true;
}

void ts_run(const ts_env *env, const cJSON *def, const cJSON *input, const cJSON *mock,
            ts_out *out)
{
    memset(out, 0, sizeof *out);
    char msg[2048] = "";
    char *text = cJSON_PrintUnformatted(def);
    if (!text) {
        set_message(out, TS_SETUP, NULL);
        return;
    }
    char *c = generate(text, msg, sizeof msg);
    cJSON_free(text);
    if (!c) {
        set_message(out, TS_INVALID, msg);
        return;
    }
    FILE *err = open_memstream(&text, &(size_t){0});
    jit_program *prog = jit_compile(c, TS_MACHINE ".asl.json", err ? err : stderr);
    if (err)
        fclose(err);
    free(c);
    if (!prog) {
        snprintf(msg, sizeof msg, "the generated C did not compile: %s", err ? text : "");
        free(err ? text : NULL);
        set_message(out, TS_SETUP, msg);
        return;
    }
    free(err ? text : NULL);

    char mock_path[512] = "";
    if (mock && !write_mock(mock, mock_path, sizeof mock_path)) {
        snprintf(msg, sizeof msg, "cannot write the mock configuration: %s", strerror(errno));
        jit_free(prog);
        set_message(out, TS_SETUP, msg);
        return;
    }
    rt_options opt = {
        .wait_mode = RT_WAIT_SKIP,
        .bindings_file = env->bindings,
        .mock_config = mock ? mock_path : NULL,
        .test_case = mock ? TS_CASE : NULL,
        .state_machine = mock ? TS_MACHINE : NULL,
        .role_arn = env->role_arn,
        .context = env->context,
        .context_whole = env->context_whole,
        .s3_root = env->s3_root,
        .http_trace = env->http_trace,
    };
    const asl_machine *m = jit_machine(prog);
    char *terr = NULL;
    rt_tasks *tasks = rt_tasks_open(&opt, m, &terr);
    if (mock)
        unlink(mock_path); /* read by rt_tasks_open */
    if (!tasks) {
        set_message(out, TS_SETUP, terr);
        free(terr);
        jit_free(prog);
        return;
    }
    rt_run run = {.opt = &opt, .tasks = tasks};
    asl_exec x = {.run = &run};
    cJSON *output = NULL;
    rt_status st = rt_run_machine(&x, m, cJSON_Duplicate(input, 1), &output);
    if (st == RT_SUCCEEDED) {
        /* Printed and parsed again: the runtime's trees may have keys in
         * the compiled program's static data, which jit_free releases. */
        char *t = rt_json_print(output);
        cJSON_Delete(output);
        out->output = t ? cJSON_Parse(t) : NULL;
        free(t);
        out->kind = out->output ? TS_OK : TS_SETUP;
        if (!out->output)
            out->message = strdup("out of memory");
    } else {
        out->kind = TS_FAILED;
        out->error = dup_or_null(x.error);
        out->cause = dup_or_null(x.cause);
    }
    if (getenv("ASLC_TESTSTATE_DEBUG")) { /* each run, for debugging aslc */
        char *d = cJSON_PrintUnformatted(def);
        fprintf(stderr, "teststate run: %s\n  -> %s %s\n", d ? d : "", x.error ? x.error : "ok",
                x.cause ? x.cause : "");
        cJSON_free(d);
    }
    rt_exec_dispose(&x);
    rt_tasks_close(tasks);
    jit_free(prog);
}
