/*
 * jsonata_suite.c - runs the JSONata reference suite (../shared/jsonata,
 * jsonata-js's test cases) through the one parser (compiler/jsonata_parse.c)
 * and the evaluator (runtime/jsonata_eval.h), judging each case as the
 * suite's README says: compile errors by code (and token), then
 * undefinedResult, result (deep equality, `unordered` as a multiset),
 * error (subset match), code; timelimit/depth install the evaluator's guard.
 *
 * Unlike the other runners this one links the code under test: there is no
 * command line between the suite and an expression. To keep a crash or a
 * hang of one case from taking the run with it, every case is judged in a
 * forked child with a CPU/wall limit; the child reports one line on a pipe.
 *
 * Cases whose manifest entry has `aws_note` (newer than 2.0.6, or $eval,
 * which Step Functions does not have) are excluded and counted apart.
 *
 *   jsonata_suite [--filter PREFIX] [--verbose] [--known-failures FILE]
 *                 [--write-known-failures FILE] [--all] [DIR]
 *
 * Exit: 0 when every failure is listed and no listed entry is stale (or, with
 * no list, when everything passed); 1 otherwise; 2 on usage or I/O errors.
 */
#include "runner_util.h"

#include <poll.h>

#include "arena.h"
#include "jsonata_ctx.h"
#include "jsonata_eval.h"
#include "jsonata_parse.h"

enum { CASE_TIMEOUT_S = 30, MSG_MAX = 1024 };

typedef struct {
    char *id;      /* manifest id, e.g. "joins/index.json[3]" */
    char *group;
    bool pass;
    char *why;     /* failure reason */
} result;

/* ---- judging one case (runs in the child) ------------------------------- */

/* Deep equality for `unordered` cases: top-level arrays as multisets. */
static bool equal_unordered(const cJSON *a, const cJSON *b)
{
    if (!cJSON_IsArray(a) || !cJSON_IsArray(b))
        return ru_json_equal(a, b);
    int n = cJSON_GetArraySize(a);
    if (n != cJSON_GetArraySize(b))
        return false;
    bool *used = calloc((size_t)n + 1, 1);
    if (!used)
        return false;
    bool ok = true;
    for (const cJSON *x = a->child; x && ok; x = x->next) {
        int i = 0;
        bool found = false;
        for (const cJSON *y = b->child; y; y = y->next, i++)
            if (!used[i] && ru_json_equal(x, y)) {
                used[i] = found = true;
                break;
            }
        ok = found;
    }
    free(used);
    return ok;
}

static void say(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, MSG_MAX, fmt, ap);
    va_end(ap);
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

static void err_text(const jn_error *e, char *buf, size_t n)
{
    snprintf(buf, n, "%s at %ld (token '%s'): %s", e->code, e->position, e->token, e->message);
}

/* Does the error hold every member of the case's `error` object? */
static bool error_matches(const jn_error *e, const cJSON *want, char *why)
{
    for (const cJSON *m = want->child; m; m = m->next) {
        const char *k = m->string;
        const char *have = NULL;
        if (strcmp(k, "code") == 0)
            have = e->code;
        else if (strcmp(k, "message") == 0)
            have = e->message;
        else if (strcmp(k, "token") == 0)
            have = e->token;
        if (have) {
            if (!cJSON_IsString(m) || strcmp(m->valuestring, have) != 0) {
                char *w = ru_json_text(m);
                say(why, "error.%s: want %s, got \"%s\"", k, w, have);
                free(w);
                return false;
            }
        } else if (strcmp(k, "value") == 0) {
            cJSON *got = cJSON_Parse(e->value);
            bool ok = got ? ru_json_equal(got, m) : false;
            cJSON_Delete(got);
            if (!ok) {
                char *w = ru_json_text(m);
                say(why, "error.value: want %s, got %s", w, e->value[0] ? e->value : "(none)");
                free(w);
                return false;
            }
        } else {
            say(why, "error.%s expected, but jn_error has no such property", k);
            return false;
        }
    }
    return true;
}

/* Judge [c]; true when it passes, else the reason in [why]. */
static bool judge(const cJSON *c, char *why)
{
    const cJSON *expr = cJSON_GetObjectItemCaseSensitive(c, "expr");
    if (!cJSON_IsString(expr)) {
        say(why, "case has no expr");
        return false;
    }
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(c, "code");
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(c, "token");
    const cJSON *errobj = cJSON_GetObjectItemCaseSensitive(c, "error");
    const cJSON *result_ = cJSON_GetObjectItemCaseSensitive(c, "result");
    bool want_undef = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "undefinedResult"));
    bool unordered = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "unordered"));
    char buf[900];

    arena a = {0};
    jsonata_syntax_error se;
    memset(&se, 0, sizeof se);
    const asl_jnode *root = jsonata_parse(&a, expr->valuestring, strlen(expr->valuestring), &se);
    if (!root) {
        bool ok = cJSON_IsString(code) && strcmp(code->valuestring, se.code) == 0 &&
                  (!cJSON_IsString(token) || strcmp(token->valuestring, se.token) == 0);
        if (!ok)
            say(why, "compile error %s at %ld (token '%s'): %s", se.code, se.position, se.token,
                se.message);
        arena_free(&a);
        return ok;
    }

    jn_guard g = {0};
    const cJSON *tl = cJSON_GetObjectItemCaseSensitive(c, "timelimit");
    const cJSON *dp = cJSON_GetObjectItemCaseSensitive(c, "depth");
    if (cJSON_IsNumber(tl) && cJSON_IsNumber(dp)) {
        g.time_limit_ms = tl->valuedouble;
        g.depth_limit = dp->valueint;
    }
    jn_ctx cx;
    jn_ctx_init(&cx, &g);
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(c, "data"); /* absent: no input */
    const cJSON *bindings = cJSON_GetObjectItemCaseSensitive(c, "bindings");
    jn_val *r = jn_evaluate_bindings(&cx, root, data, cJSON_IsObject(bindings) ? bindings : NULL);
    bool failed = jn_failed(&cx);
    const jn_error *e = jn_ctx_error(&cx);
    cJSON *got = (!failed && r) ? jn_to_json(&cx, r) : NULL;
    char *gtext = got ? ru_json_text(got) : ru_strdup("undefined");
    bool ok = false;
    if (failed)
        err_text(e, buf, sizeof buf);

    if (want_undef) {
        ok = !failed && !r;
        if (!ok)
            say(why, "want undefined, got %s", failed ? buf : gtext);
    } else if (result_) {
        ok = !failed && got && (unordered ? equal_unordered(got, result_) : ru_json_equal(got, result_));
        if (!ok) {
            char *w = ru_json_text(result_);
            char *ws = ru_shorten(w, 200), *gs = ru_shorten(failed ? buf : gtext, 300);
            say(why, "want %s, got %s", ws, gs);
            free(w);
            free(ws);
            free(gs);
        }
    } else if (cJSON_IsObject(errobj)) {
        if (!failed)
            say(why, "want error, got %s", gtext);
        else
            ok = error_matches(e, errobj, why);
        if (!ok && failed) {
            size_t n = strlen(why);
            snprintf(why + n, MSG_MAX - n, " [%s]", buf);
        }
    } else if (cJSON_IsString(code)) {
        ok = failed && strcmp(e->code, code->valuestring) == 0;
        if (!ok) {
            char *gs = ru_shorten(failed ? buf : gtext, 300);
            say(why, "want error %s, got %s", code->valuestring, gs);
            free(gs);
        }
    } else {
        say(why, "case has none of result, undefinedResult, error, code");
    }
    free(gtext);
    cJSON_Delete(got);
    jn_ctx_free(&cx);
    arena_free(&a);
    return ok;
}

/* Run judge() in a child: a crash or hang fails the case, not the run. */
static bool judge_isolated(const cJSON *c, char *why)
{
    int fd[2];
    if (pipe(fd) != 0) {
        say(why, "pipe: %s", strerror(errno));
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        say(why, "fork: %s", strerror(errno));
        close(fd[0]);
        close(fd[1]);
        return false;
    }
    if (pid == 0) {
        close(fd[0]);
        struct rlimit cpu = {CASE_TIMEOUT_S, CASE_TIMEOUT_S + 1};
        setrlimit(RLIMIT_CPU, &cpu);
        alarm(CASE_TIMEOUT_S + 2);
        char msg[MSG_MAX + 2] = {0};
        bool ok = judge(c, msg + 1);
        msg[0] = ok ? 'P' : 'F';
        size_t n = strlen(msg);
        ssize_t w = write(fd[1], msg, n);
        (void)w;
        _exit(0);
    }
    close(fd[1]);
    char msg[MSG_MAX + 2];
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd[0], msg + got, sizeof msg - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == sizeof msg - 1)
            break;
    }
    msg[got] = 0;
    close(fd[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(st)) {
        int sig = WTERMSIG(st);
        say(why, "%s (signal %d)",
            sig == SIGALRM || sig == SIGXCPU ? "timed out" : "crashed", sig);
        return false;
    }
    if (got == 0 || (msg[0] != 'P' && msg[0] != 'F')) {
        say(why, "the child reported nothing (exit status %d)", WEXITSTATUS(st));
        return false;
    }
    memmove(why, msg + 1, strnlen(msg + 1, MSG_MAX - 1));
    why[strnlen(msg + 1, MSG_MAX - 1)] = 0;
    return msg[0] == 'P';
}

/* ---- the run ---------------------------------------------------------------- */

static int usage(FILE *f, int rc)
{
    fputs("usage: jsonata_suite [--filter PREFIX] [--verbose] [--known-failures FILE]\n"
          "                     [--write-known-failures FILE] [--all] [DIR]\n"
          "Runs the JSONata reference suite in DIR (default ../shared/jsonata): cases whose\n"
          "manifest entry has aws_note are excluded unless --all.\n",
          f);
    return rc;
}

/* The case object of a manifest entry (the file, or its [index]). */
static cJSON *load_case(const char *dir, const cJSON *entry, cJSON **file_doc, char *why)
{
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(entry, "file");
    const cJSON *index = cJSON_GetObjectItemCaseSensitive(entry, "index");
    if (!cJSON_IsString(file)) {
        say(why, "manifest entry has no file");
        return NULL;
    }
    char *path = ru_fmt("%s/%s", dir, file->valuestring);
    char *text = ru_read_file(path, NULL);
    free(path);
    if (!text) {
        say(why, "cannot read %s", file->valuestring);
        return NULL;
    }
    *file_doc = cJSON_Parse(text);
    free(text);
    if (!*file_doc) {
        say(why, "%s is not JSON", file->valuestring);
        return NULL;
    }
    cJSON *c = cJSON_IsNumber(index) ? cJSON_GetArrayItem(*file_doc, index->valueint) : *file_doc;
    if (!cJSON_IsObject(c))
        say(why, "%s: no case object", file->valuestring);
    return cJSON_IsObject(c) ? c : NULL;
}

static int write_known(const char *path, result *rs, size_t n, ru_known_list *old)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    fputs("# Known failures of the JSONata evaluator on ../shared/jsonata (the reference suite;\n"
          "# cases without aws_note in its manifest). One case id per line; the text after '#'\n"
          "# says why it fails. A listed case that passes or no longer exists is STALE and fails\n"
          "# `make test`; an unlisted failing case is a REGRESSION and fails it too.\n"
          "# Regenerate (reasons already here are kept):\n"
          "#   $BUILD/tests/jsonata_suite --known-failures tests/jsonata_known_failures.txt \\\n"
          "#       --write-known-failures tests/jsonata_known_failures.txt ../shared/jsonata\n",
          f);
    const char *group = NULL;
    for (size_t i = 0; i < n; i++) {
        if (rs[i].pass)
            continue;
        if (!group || strcmp(group, rs[i].group) != 0) {
            group = rs[i].group;
            fprintf(f, "\n# ---- %s ----\n", group);
        }
        ru_known *k = old ? ru_known_find(old, rs[i].id) : NULL;
        char *reason = ru_shorten(k && *k->reason ? k->reason : rs[i].why, 300);
        for (char *p = reason; *p; p++)
            if (*p == '#')
                *p = '+'; /* '#' starts the reason; keep the line parseable */
        fprintf(f, "%s  # %s\n", rs[i].id, reason);
        free(reason);
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = "../shared/jsonata", *filter = NULL, *known_path = NULL, *write_path = NULL;
    bool verbose = false, all = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)
            verbose = true;
        else if (strcmp(a, "--all") == 0)
            all = true;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return usage(stdout, 0);
        else if ((strcmp(a, "--filter") == 0 || strcmp(a, "--known-failures") == 0 ||
                  strcmp(a, "--write-known-failures") == 0) && i + 1 < argc) {
            const char *v = argv[++i];
            if (a[2] == 'f')
                filter = v;
            else if (a[2] == 'k')
                known_path = v;
            else
                write_path = v;
        } else if (a[0] == '-')
            return usage(stderr, 2);
        else
            dir = a;
    }
    char *mpath = ru_fmt("%s/manifest.json", dir);
    char *mtext = ru_read_file(mpath, NULL);
    if (!mtext) {
        fprintf(stderr, "jsonata_suite: cannot read %s\n", mpath);
        free(mpath);
        return 2;
    }
    free(mpath);
    cJSON *manifest = cJSON_Parse(mtext);
    free(mtext);
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(manifest, "cases");
    if (!cJSON_IsArray(cases)) {
        fprintf(stderr, "jsonata_suite: %s/manifest.json has no cases array\n", dir);
        cJSON_Delete(manifest);
        return 2;
    }
    ru_known_list known = {0};
    bool have_known = false;
    if (known_path) {
        if (ru_known_load(known_path, &known) != 0) {
            cJSON_Delete(manifest);
            return 2;
        }
        have_known = true;
    }

    size_t cap = (size_t)cJSON_GetArraySize(cases), n = 0, excluded = 0;
    result *rs = calloc(cap + 1, sizeof *rs);
    if (!rs)
        return 2;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, cases) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(entry, "id");
        if (!cJSON_IsString(id))
            continue;
        if (filter && strncmp(id->valuestring, filter, strlen(filter)) != 0)
            continue;
        if (!all && cJSON_GetObjectItemCaseSensitive(entry, "aws_note")) {
            excluded++;
            continue;
        }
        result *r = &rs[n++];
        r->id = ru_strdup(id->valuestring);
        char *slash = strchr(r->id, '/');
        r->group = slash ? ru_fmt("%.*s", (int)(slash - r->id), r->id) : ru_strdup(r->id);
        char why[MSG_MAX + 2] = {0};
        cJSON *doc = NULL;
        cJSON *c = load_case(dir, entry, &doc, why);
        r->pass = c && judge_isolated(c, why);
        r->why = ru_strdup(why);
        cJSON_Delete(doc);
        ru_known *k = have_known ? ru_known_find(&known, r->id) : NULL;
        if (k)
            k->seen = true;
        if (verbose && !r->pass)
            printf("FAIL %s: %s%s\n", r->id, r->why, k ? " (known)" : "");
        else if (verbose)
            printf("pass %s\n", r->id);
    }

    /* Per-group counts, in manifest order (cases of a group are adjacent). */
    size_t pass = 0, regressions = 0, stale = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i, gp = 0;
        for (; j < n && strcmp(rs[j].group, rs[i].group) == 0; j++)
            gp += rs[j].pass;
        printf("  %-34s %4zu / %-4zu%s\n", rs[i].group, gp, j - i, gp == j - i ? "" : "  *");
        pass += gp;
        i = j;
    }
    for (size_t i = 0; i < n; i++) {
        ru_known *k = have_known ? ru_known_find(&known, rs[i].id) : NULL;
        if (!rs[i].pass && have_known && !k) {
            regressions++;
            printf("REGRESSION %s: %s\n", rs[i].id, rs[i].why);
        } else if (rs[i].pass && k) {
            stale++;
            printf("STALE %s (passes now; remove it from %s:%d)\n", rs[i].id, known_path, k->line);
        }
    }
    if (have_known && !filter)
        for (size_t i = 0; i < known.n; i++)
            if (!known.v[i].seen) {
                stale++;
                printf("STALE %s (no such case; %s:%d)\n", known.v[i].name, known_path,
                       known.v[i].line);
            }
    printf("jsonata suite: %zu / %zu passed (%.1f%%), %zu failed, %zu excluded (aws_note)\n", pass,
           n, n ? 100.0 * (double)pass / (double)n : 0.0, n - pass, excluded);
    if (have_known)
        printf("known failures: %zu listed, %zu regressions, %zu stale\n", known.n, regressions,
               stale);

    int rc = have_known ? (regressions || stale ? 1 : 0) : (pass == n ? 0 : 1);
    if (write_path && write_known(write_path, rs, n, have_known ? &known : NULL) != 0)
        rc = 2;
    for (size_t i = 0; i < n; i++) {
        free(rs[i].id);
        free(rs[i].group);
        free(rs[i].why);
    }
    free(rs);
    if (have_known)
        ru_known_free(&known);
    cJSON_Delete(manifest);
    return rc;
}
