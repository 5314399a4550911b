/*
 * validation_runner.c - measures `aslc check` on the validation corpus
 * (../shared/validation: cases/valid/, cases/invalid/ and
 * manifest.json with the expected verdict of each file).
 *
 * For every manifest entry it runs `aslc check FILE` (exit 0 = accepted,
 * 1 = rejected; anything else, a crash or a time-out, is an error and never
 * counts as right) and prints the accuracy, the false accepts (invalid
 * definitions reported valid) and the false rejects, over all cases and
 * and without the JSONata ones (reported apart).
 *
 * Known list (--known FILE, tests/validation_known.txt): one case per line,
 * named like "invalid/asls--foo" (the manifest path without "cases/" and
 * ".json"), "# reason" after it. A listed case that now gets the right
 * verdict, or that no longer exists, is STALE; an unlisted wrong verdict is
 * a REGRESSION; either fails the run (exit 1). --write-known FILE writes the
 * list of the cases wrong now (hand-written reasons kept). A missing corpus
 * folder prints "SKIPPED: ..." and exits 0.
 *
 * Called by tests/run.sh; standalone use: validation_runner --help.
 */
#include "runner_util.h"

typedef struct {
    char *file;        /* manifest "file", relative to the corpus folder */
    char *name;        /* "valid/x" */
    char *why;         /* manifest "why" */
    bool valid;        /* expected verdict */
    bool jsonata;
    /* results */
    int verdict;       /* 1 accepted, 0 rejected, -1 error */
    char *detail;      /* first diagnostic line, or how it ended */
    ru_known *known;
} vcase;

static vcase *cases;
static size_t ncases;
static const char *aslc;
static const char *corpus;
static char *tmpdir;
static double timeout_s = 30;

static pthread_mutex_t next_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t next_case;

/* The first line of [s] that looks like a diagnostic ("file:l:c: error:"),
 * else its first non-empty line; caller frees. */
static char *pick_line(const char *s)
{
    if (!s)
        return ru_strdup("");
    const char *best = NULL;
    for (const char *p = s; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!best && n)
            best = p;
        const char *hit = strstr(p, ": error: ");
        if (hit && (!e || hit < e)) {
            best = p;
            break;
        }
        p = e ? e + 1 : NULL;
    }
    if (!best)
        return ru_strdup("");
    const char *e = strchr(best, '\n');
    size_t n = e ? (size_t)(e - best) : strlen(best);
    char *line = ru_fmt("%.*s", (int)n, best);
    char *out = ru_shorten(line, 220);
    free(line);
    return out;
}

static void check_case(size_t i)
{
    vcase *c = &cases[i];
    char *path = ru_fmt("%s/%s", corpus, c->file);
    char *out = ru_fmt("%s/out%zu.txt", tmpdir, i);
    char *err = ru_fmt("%s/err%zu.txt", tmpdir, i);
    const char *argv[] = {aslc, "check", path, NULL};
    ru_proc p;
    if (ru_run(argv, NULL, out, err, timeout_s, &p) != 0) {
        c->verdict = -1;
        c->detail = ru_strdup("could not start aslc");
    } else {
        char *o = ru_read_file(out, NULL), *e = ru_read_file(err, NULL);
        char *both = ru_fmt("%s%s", e ? e : "", o ? o : "");
        if (p.exited && (p.code == 0 || p.code == 1)) {
            c->verdict = p.code == 0 ? 1 : 0;
            c->detail = pick_line(both);
        } else {
            c->verdict = -1;
            char *how = ru_describe(&p, timeout_s);
            char *line = pick_line(both);
            c->detail = ru_fmt("%s: %s", how, line);
            free(how);
            free(line);
        }
        free(o);
        free(e);
        free(both);
    }
    remove(out);
    remove(err);
    free(out);
    free(err);
    free(path);
}

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&next_lock);
        size_t i = next_case++;
        pthread_mutex_unlock(&next_lock);
        if (i >= ncases || ru_interrupted)
            return NULL;
        check_case(i);
    }
}

static bool correct(const vcase *c)
{
    return c->verdict >= 0 && (c->verdict == 1) == c->valid;
}

static void usage(FILE *f)
{
    fputs("usage: validation_runner [options] VALIDATION_DIR\n"
          "Runs `aslc check` on every file of the corpus's manifest.json and scores the verdicts.\n"
          "  --aslc PATH        the aslc to test (default: $BUILD/aslc, else build/aslc)\n"
          "  --known FILE       expected wrong verdicts; stale entries and regressions fail the run\n"
          "  --write-known FILE write the cases wrong now (reasons kept from the old list)\n"
          "  --jobs N           checks run in parallel (default 2)\n"
          "  --timeout SECONDS  per check (default 30)\n"
          "  --verbose          list every wrong verdict with aslc's first diagnostic\n"
          "Exit: 0 as expected, 1 regressions or stale entries, 2 usage / setup problem.\n",
          f);
}

static void score(const char *label, bool skip_jsonata)
{
    size_t total = 0, right = 0, fa = 0, fr = 0, errors = 0;
    for (size_t i = 0; i < ncases; i++) {
        const vcase *c = &cases[i];
        if (skip_jsonata && c->jsonata)
            continue;
        total++;
        if (correct(c))
            right++;
        else if (c->verdict < 0)
            errors++;
        else if (c->valid)
            fr++;
        else
            fa++;
    }
    printf("%-18s accuracy %.3f (%zu/%zu), false accepts %zu, false rejects %zu, errors %zu\n",
           label, total ? (double)right / (double)total : 0.0, right, total, fa, fr, errors);
}

static int write_known(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        return -1;
    }
    fprintf(f,
            "# Validation cases (../shared/validation) on which `aslc check` gives the wrong\n"
            "# verdict today (see README.md, \"Tests\"). One case per line, '#' reason.\n"
            "# A listed case that gets the right verdict, or no longer exists, is STALE and\n"
            "# fails `make test`; an unlisted wrong verdict is a REGRESSION and fails it too.\n"
            "# Regenerate (reasons already here are kept):\n"
            "#   $BUILD/tests/validation_runner --aslc $BUILD/aslc --known %s \\\n"
            "#       --write-known %s ../shared/validation\n",
            path, path);
    static const char *const sections[] = {"JSONata", "false accepts",
                                           "false rejects", "errors (crash, time-out, exit 2)"};
    for (int s = 0; s < 4; s++) {
        bool header = false;
        for (size_t i = 0; i < ncases; i++) {
            const vcase *c = &cases[i];
            if (correct(c))
                continue;
            int sec = c->jsonata ? 0 : c->verdict < 0 ? 3 : c->valid ? 2 : 1;
            if (sec != s)
                continue;
            if (!header) {
                fprintf(f, "\n# ---- %s ----\n", sections[s]);
                header = true;
            }
            char *reason;
            if (c->known && *c->known->reason && strncmp(c->known->reason, "auto:", 5) != 0)
                reason = ru_strdup(c->known->reason);
            else if (c->verdict < 0)
                reason = ru_fmt("auto: %s", c->detail);
            else if (c->valid)
                reason = ru_fmt("auto: rejected: %s", c->detail);
            else
                reason = ru_fmt("auto: accepted; corpus says: %s", c->why);
            char *short_reason = ru_shorten(reason, 200);
            for (char *p = short_reason; *p; p++)
                if (*p == '#')
                    *p = ' ';
            fprintf(f, "%s  # %s\n", c->name, short_reason);
            free(short_reason);
            free(reason);
        }
    }
    return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *known_path = NULL, *write_path = NULL;
    int jobs = 2;
    bool verbose = false;
    char *default_aslc = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (strcmp(a, "--aslc") == 0 && more)
            aslc = argv[++i];
        else if ((strcmp(a, "--known") == 0 || strcmp(a, "--known-failures") == 0) && more)
            known_path = argv[++i];
        else if ((strcmp(a, "--write-known") == 0 || strcmp(a, "--write-known-failures") == 0) && more)
            write_path = argv[++i];
        else if (strcmp(a, "--jobs") == 0 && more)
            jobs = atoi(argv[++i]);
        else if (strcmp(a, "--timeout") == 0 && more)
            timeout_s = atof(argv[++i]);
        else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)
            verbose = true;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-') {
            fprintf(stderr, "validation_runner: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else if (!corpus)
            corpus = a;
        else {
            usage(stderr);
            return 2;
        }
    }
    if (!corpus) {
        usage(stderr);
        return 2;
    }
    if (jobs < 1)
        jobs = 1;
    if (timeout_s <= 0)
        timeout_s = 30;
    if (!aslc) {
        const char *b = getenv("BUILD");
        default_aslc = ru_fmt("%s/aslc", b && *b ? b : "build");
        aslc = default_aslc;
    }
    if (!ru_is_dir(corpus)) {
        printf("SKIPPED: %s not found (the validation corpus lives beside the project)\n", corpus);
        free(default_aslc);
        return 0;
    }
    if (access(aslc, X_OK) != 0) {
        fprintf(stderr, "validation_runner: no aslc executable at %s\n", aslc);
        return 2;
    }
    char *mpath = ru_fmt("%s/manifest.json", corpus);
    char *mtext = ru_read_file(mpath, NULL);
    cJSON *manifest = mtext ? ru_json_parse(mtext) : NULL;
    if (!cJSON_IsArray(manifest)) {
        fprintf(stderr, "validation_runner: cannot read %s\n", mpath);
        return 2;
    }
    cases = calloc((size_t)cJSON_GetArraySize(manifest) + 1, sizeof *cases);
    if (!cases)
        return 2;
    for (const cJSON *e = manifest->child; e; e = e->next) {
        const cJSON *file = cJSON_GetObjectItemCaseSensitive(e, "file");
        const cJSON *valid = cJSON_GetObjectItemCaseSensitive(e, "valid");
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(e, "why");
        const cJSON *ql = cJSON_GetObjectItemCaseSensitive(e, "query_language");
        if (!cJSON_IsString(file) || !cJSON_IsBool(valid)) {
            fprintf(stderr, "validation_runner: skipping a malformed manifest entry\n");
            continue;
        }
        vcase *c = &cases[ncases++];
        c->file = ru_strdup(file->valuestring);
        const char *n = c->file;
        if (strncmp(n, "cases/", 6) == 0)
            n += 6;
        size_t len = strlen(n);
        if (ru_has_suffix(n, ".json"))
            len -= 5;
        c->name = ru_fmt("%.*s", (int)len, n);
        c->why = ru_strdup(cJSON_IsString(why) ? why->valuestring : "");
        c->valid = cJSON_IsTrue(valid);
        c->jsonata = cJSON_IsString(ql) && strcmp(ql->valuestring, "JSONata") == 0;
    }
    cJSON_Delete(manifest);
    free(mtext);
    free(mpath);

    ru_known_list known = {0};
    if (known_path && ru_known_load(known_path, &known) != 0)
        return 2;
    for (size_t i = 0; i < ncases; i++) {
        cases[i].known = ru_known_find(&known, cases[i].name);
        if (cases[i].known)
            cases[i].known->seen = true;
    }

    tmpdir = ru_make_tmpdir("aslc-validation");
    if (!tmpdir)
        return 2;
    printf("validation_runner: %zu definitions, %d job%s, aslc %s\n", ncases, jobs,
           jobs == 1 ? "" : "s", aslc);
    fflush(stdout);
    ru_catch_signals();
    double t0 = ru_now();
    pthread_t *threads = calloc((size_t)jobs, sizeof *threads);
    if (!threads)
        return 2;
    for (int t = 0; t < jobs; t++)
        if (pthread_create(&threads[t], NULL, worker, NULL) != 0)
            return 2;
    for (int t = 0; t < jobs; t++)
        pthread_join(threads[t], NULL);
    free(threads);
    double secs = ru_now() - t0;
    if (ru_interrupted) {
        fprintf(stderr, "validation_runner: interrupted\n");
        ru_remove_tree(tmpdir);
        return 130;
    }

    if (verbose) {
        for (size_t i = 0; i < ncases; i++) {
            const vcase *c = &cases[i];
            if (correct(c))
                continue;
            const char *kind = c->verdict < 0 ? "ERROR" : c->valid ? "FALSE REJECT" : "FALSE ACCEPT";
            printf("%s %s%s%s\n", kind, c->name, c->jsonata ? " [JSONata]" : "",
                   c->known ? " (known)" : "");
            if (!c->valid)
                printf("     corpus: %s\n", c->why);
            if (*c->detail)
                printf("     aslc:   %s\n", c->detail);
        }
    }
    score("all:", false);
    score("without JSONata:", true);
    size_t nj = 0, nj_right = 0;
    for (size_t i = 0; i < ncases; i++)
        if (cases[i].jsonata) {
            nj++;
            if (correct(&cases[i]))
                nj_right++;
        }
    printf("JSONata cases: %zu (%zu right)\n", nj, nj_right);
    printf("time: %.2f s for %zu checks (%.1f ms per check, %d jobs)\n", secs, ncases,
           ncases ? secs * 1000.0 / (double)ncases : 0.0, jobs);

    size_t right = 0, wrong = 0, regressions = 0, stale = 0;
    for (size_t i = 0; i < ncases; i++) {
        const vcase *c = &cases[i];
        if (correct(c)) {
            right++;
            if (c->known) {
                stale++;
                printf("STALE %s (line %d of %s): listed but now right; remove the line\n", c->name,
                       c->known->line, known_path);
            }
        } else {
            wrong++;
            if (!c->known) {
                regressions++;
                const char *kind = c->verdict < 0 ? "error" : c->valid ? "false reject" : "false accept";
                printf("REGRESSION %s: %s: %s\n", c->name, kind,
                       c->verdict != 1 ? c->detail : c->why);
            }
        }
    }
    for (size_t i = 0; i < known.n; i++)
        if (!known.v[i].seen) {
            stale++;
            printf("STALE %s (line %d of %s): no such case\n", known.v[i].name, known.v[i].line,
                   known_path);
        }
    printf("%zu passed, %zu failed", right, wrong);
    if (known_path)
        printf(" (%zu known, %zu regression%s, %zu stale)", wrong - regressions, regressions,
               regressions == 1 ? "" : "s", stale);
    printf("\n");

    int rc = (regressions || stale) ? 1 : 0;
    if (write_path) {
        if (write_known(write_path) != 0) {
            rc = 2;
        } else {
            printf("wrote %zu entries to %s\n", wrong, write_path);
            rc = 0;
        }
    }
    ru_remove_tree(tmpdir);
    free(tmpdir);
    for (size_t i = 0; i < ncases; i++) {
        free(cases[i].file);
        free(cases[i].name);
        free(cases[i].why);
        free(cases[i].detail);
    }
    free(cases);
    ru_known_free(&known);
    free(default_aslc);
    return rc;
}
