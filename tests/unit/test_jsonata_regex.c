/*
 * test_jsonata_regex.c - JavaScript regex semantics of jsonata_regex.c, plus
 * a data-driven check that every regex literal in the reference suite's
 * regex/string-function cases compiles (../shared, SKIPPED when absent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "jsonata_regex.h"

/* First match of [pat]/[flags] in [s] from 0: 1/0/-1; whole match bounds
 * in [st] and [en]. */
static int find(const char *pat, const char *flags, const char *s, size_t *st, size_t *en)
{
    jn_error e = {0};
    jn_regex *re = jn_regex_compile(pat, strlen(pat), flags, &e);
    if (!re) {
        fail_msg("compile /%s/%s: %s", pat, flags, e.message);
        return -1;
    }
    int g = jn_regex_groups(re) + 1;
    size_t a[32], b[32];
    assert_true(g <= 32);
    jn_match m = {a, b};
    int rc = jn_regex_exec(re, s, strlen(s), 0, &m, &e);
    if (rc == 1 && st) { *st = a[0]; *en = b[0]; }
    jn_regex_free(re);
    return rc;
}
#define MATCHES(p, f, s) assert_int_equal(find(p, f, s, NULL, NULL), 1)
#define NOMATCH(p, f, s) assert_int_equal(find(p, f, s, NULL, NULL), 0)

static void regex_case_insensitive(void **st)
{
    (void)st;
    MATCHES("hello", "i", "HeLLo");
    NOMATCH("hello", "", "HeLLo");
    MATCHES("\xc3\xa9", "i", "\xc3\x89");   /* é / É */
}

static void regex_anchors_with_and_without_m(void **st)
{
    (void)st;
    NOMATCH("^b", "", "a\nb");
    MATCHES("^b", "m", "a\nb");
    NOMATCH("a$", "", "a\nb");
    MATCHES("a$", "m", "a\nb");
    NOMATCH("b$", "", "b\n");     /* JS $ is end of input, not before \n */
}

static void regex_digits_ascii_space_unicode(void **st)
{
    (void)st;
    NOMATCH("\\d", "", "\xd9\xa3");          /* ARABIC-INDIC DIGIT THREE */
    MATCHES("\\D", "", "\xd9\xa3");
    NOMATCH("\\w", "", "\xc3\xa9");
    MATCHES("\\s", "", "a\xc2\xa0" "b");     /* NBSP is JS whitespace */
    MATCHES("^\\S$", "", "\xc3\xa9");
    NOMATCH("\\S", "", "\xc2\xa0\xe3\x80\x80");
    MATCHES("[\\s]", "", "\xef\xbb\xbf");   /* BOM */
    MATCHES("\\bfoo\\b", "", "a foo b");
}

static void regex_dot_and_empty_classes(void **st)
{
    (void)st;
    NOMATCH("a.b", "", "a\nb");
    NOMATCH("a.b", "", "a\xe2\x80\xa8" "b");
    MATCHES("a.b", "", "a\xc3\xa9" "b");
    MATCHES("a[^]b", "", "a\nb");
    NOMATCH("a[]", "", "a]");
    MATCHES("\\/x\\/", "", "/x/");
    MATCHES("\\u00e9", "", "\xc3\xa9");
    MATCHES("\\x41", "", "A");
    MATCHES("u{2}", "", "uu");   /* not \u{...} */
}

static void regex_offsets_are_bytes(void **st)
{
    (void)st;
    size_t a = 0, b = 0;
    assert_int_equal(find("b+", "", "\xc3\xa9\xe2\x82\xac" "bb", &a, &b), 1);
    assert_int_equal(a, 5);
    assert_int_equal(b, 7);
}

static void regex_empty_match_and_from(void **st)
{
    (void)st;
    jn_error e = {0};
    jn_regex *re = jn_regex_compile("x*", 2, "", &e);
    assert_non_null(re);
    size_t a[1], b[1];
    jn_match m = {a, b};
    assert_int_equal(jn_regex_exec(re, "abc", 3, 1, &m, &e), 1);
    assert_int_equal(a[0], 1);
    assert_int_equal(b[0], 1);
    assert_int_equal(jn_regex_exec(re, "abc", 3, 3, &m, &e), 1);   /* empty at end */
    assert_int_equal(jn_regex_exec(re, "abc", 3, 4, &m, &e), 0);
    jn_regex_free(re);
}

static void regex_unset_groups_and_backrefs(void **st)
{
    (void)st;
    jn_error e = {0};
    jn_regex *re = jn_regex_compile("(a)|(b)\\2?\\1c", 13, "", &e);
    assert_non_null(re);
    assert_int_equal(jn_regex_groups(re), 2);
    size_t a[3], b[3];
    jn_match m = {a, b};
    assert_int_equal(jn_regex_exec(re, "bc", 2, 0, &m, &e), 1);   /* \1 unset: empty */
    assert_int_equal(a[1], (size_t)-1);
    assert_int_equal(a[2], 0);
    jn_regex_free(re);
    MATCHES("(?<y>\\d{4})-\\k<y>", "", "2020-2020");
}

static void regex_lookaround(void **st)
{
    (void)st;
    size_t a = 0, b = 0;
    assert_int_equal(find("(?<=\\$)\\d+", "", "cost $42", &a, &b), 1);
    assert_int_equal(a, 6);
    MATCHES("foo(?=bar)", "", "foobar");
    NOMATCH("foo(?!bar)", "", "foobar");
    NOMATCH("(?<!a)b", "", "ab");
}

static void regex_catastrophic_pattern_is_bounded(void **st)
{
    (void)st;
    char s[4096];
    memset(s, 'a', sizeof s - 2);
    s[sizeof s - 2] = '!';
    s[sizeof s - 1] = 0;
    jn_error e = {0};
    jn_regex *re = jn_regex_compile("(a+)+$", 6, "", &e);
    assert_non_null(re);
    size_t a[2], b[2];
    jn_match m = {a, b};
    clock_t t0 = clock();
    int rc = jn_regex_exec(re, s, strlen(s), 0, &m, &e);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(rc, -1);
    assert_string_equal(e.code, "U1002");
    assert_true(secs < 5.0);
    jn_regex_free(re);
}

static void regex_invalid_patterns_rejected(void **st)
{
    (void)st;
    const char *bad[] = {"(", "a)", "[a", "*a", "a{2,1}", "(?<n>a)(?<n>b)", "\\"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        jn_error e = {0};
        jn_regex *re = jn_regex_compile(bad[i], strlen(bad[i]), "", &e);
        if (re)
            fail_msg("/%s/ compiled", bad[i]);
        assert_string_equal(e.code, "S0303");
        assert_true(strlen(e.message) > 0);
    }
    jn_error e = {0};
    assert_null(jn_regex_compile("a", 1, "g", &e));
    assert_string_equal(e.code, "S0303");
}

/* ==== Threads ============================================================= */
static jn_regex *shared_re;
static void *worker(void *arg)
{
    (void)arg;
    size_t a[2], b[2];
    jn_match m = {a, b};
    long ok = 0;
    for (int i = 0; i < 20000; i++) {
        jn_error e = {0};
        if (jn_regex_exec(shared_re, "xx id=4711 yy", 13, 0, &m, &e) == 1 && a[1] == 6 && b[1] == 10)
            ok++;
    }
    return (void *)ok;
}

static void regex_concurrent_use(void **st)
{
    (void)st;
    jn_error e = {0};
    shared_re = jn_regex_compile("id=(\\d+)", 8, "", &e);
    assert_non_null(shared_re);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        assert_int_equal((long)r, 20000);
    }
    jn_regex_free(shared_re);
}

/* ==== The reference suite's regex literals ================================ */
/* Extract /pattern/flags literals from [x]: a '/' starts a regex where an
 * operand may start (after ( , [ : = { ; ? & > or at the start), as jsonata's tokenizer does. */
static int check_expr(const char *x, const char *file, bool expect_error, int *count)
{
    int bad = 0;
    char prev = '(';
    for (size_t i = 0; x[i]; i++) {
        char c = x[i];
        if (c == '"' || c == '\'') {   /* skip string literals */
            char q = c;
            for (i++; x[i] && x[i] != q; i++)
                if (x[i] == '\\' && x[i + 1]) i++;
            if (!x[i]) break;
            prev = 'a';
            continue;
        }
        if (c == '/' && strchr("(,[:={;?&>", prev)) {
            size_t j = i + 1;
            bool cls = false;
            for (; x[j]; j++) {
                if (x[j] == '\\' && x[j + 1]) { j++; continue; }
                if (x[j] == '[') cls = true;
                else if (x[j] == ']') cls = false;
                else if (x[j] == '/' && !cls) break;
            }
            if (!x[j]) break;
            char flags[8] = "";
            size_t k = j + 1, nf = 0;
            while (x[k] == 'i' || x[k] == 'm') { if (nf < 7) flags[nf++] = x[k]; k++; }
            flags[nf] = 0;
            jn_error e = {0};
            jn_regex *re = jn_regex_compile(x + i + 1, j - i - 1, flags, &e);
            (*count)++;
            if (!re && !expect_error) {
                print_message("%s: /%.*s/ failed: %s\n", file, (int)(j - i - 1), x + i + 1, e.message);
                bad++;
            }
            jn_regex_free(re);
            i = k - 1;
            prev = 'a';
            continue;
        }
        if (c != ' ' && c != '\t' && c != '\n')
            prev = c;
    }
    return bad;
}

static void regex_reference_suite_literals_compile(void **st)
{
    (void)st;
    const char *groups[] = {"regex", "function-match", "function-replace", "function-split",
                            "function-contains", "matchers"};
    int count = 0, bad = 0, dirs = 0;
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
        char dir[256];
        snprintf(dir, sizeof dir, "../shared/jsonata/cases/%s", groups[g]);
        DIR *d = opendir(dir);
        if (!d)
            continue;
        dirs++;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (!strstr(de->d_name, ".json"))
                continue;
            char path[600];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            FILE *f = fopen(path, "rb");
            if (!f) continue;
            char *buf = malloc(1 << 20);
            size_t n = fread(buf, 1, (1 << 20) - 1, f);
            fclose(f);
            buf[n] = 0;
            cJSON *j = cJSON_Parse(buf);
            free(buf);
            if (!j) continue;
            const cJSON *ex = cJSON_GetObjectItemCaseSensitive(j, "expr");
            bool err = cJSON_GetObjectItemCaseSensitive(j, "code") != NULL;
            if (cJSON_IsString(ex))
                bad += check_expr(ex->valuestring, path, err, &count);
            cJSON_Delete(j);
        }
        closedir(d);
    }
    if (!dirs) {
        print_message("SKIPPED: ../shared/jsonata/cases not present\n");
        skip();
    }
    print_message("reference suite: %d regex literals checked, %d failed\n", count, bad);
    assert_true(count > 20);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(regex_case_insensitive),
        cmocka_unit_test(regex_anchors_with_and_without_m),
        cmocka_unit_test(regex_digits_ascii_space_unicode),
        cmocka_unit_test(regex_dot_and_empty_classes),
        cmocka_unit_test(regex_offsets_are_bytes),
        cmocka_unit_test(regex_empty_match_and_from),
        cmocka_unit_test(regex_unset_groups_and_backrefs),
        cmocka_unit_test(regex_lookaround),
        cmocka_unit_test(regex_catastrophic_pattern_is_bounded),
        cmocka_unit_test(regex_invalid_patterns_rejected),
        cmocka_unit_test(regex_concurrent_use),
        cmocka_unit_test(regex_reference_suite_literals_compile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
