/*
 * test_text.c - runtime/text.c's UTF-8 helpers: where an excerpt may be
 * cut (never inside a character) and invalid bytes made U+FFFD, so that a
 * handler's output always becomes valid JSON text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rt.h"

static void prefix_never_splits_a_character(void **state)
{
    (void)state;
    const char *s = "ab\xC3\xA9" "cd";          /* "abécd" */
    assert_int_equal(rt_utf8_prefix(s, 6, 10), 6); /* short enough: all */
    assert_int_equal(rt_utf8_prefix(s, 6, 2), 2);  /* before the é */
    assert_int_equal(rt_utf8_prefix(s, 6, 3), 2);  /* not inside the é */
    assert_int_equal(rt_utf8_prefix(s, 6, 4), 4);  /* after it */
    const char *e = "\xF0\x9F\x98\x80x";        /* U+1F600 then x */
    for (size_t m = 0; m < 4; m++)
        assert_int_equal(rt_utf8_prefix(e, 5, m), 0);
    assert_int_equal(rt_utf8_prefix(e, 5, 4), 4);
    /* stray continuation bytes (not a character) are cut anywhere */
    const char *junk = "\x80\x80\x80\x80\x80\x80";
    assert_int_equal(rt_utf8_prefix(junk, 6, 5), 5);
}

static void valid_replaces_each_bad_byte(void **state)
{
    (void)state;
    char *s = rt_utf8_valid("a\xFF" "b", 3);
    assert_string_equal(s, "a\xEF\xBF\xBD" "b");
    free(s);
    /* a sequence cut at the end, an overlong '/', a surrogate, past U+10FFFF */
    const char *bad[] = {"\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = strlen(bad[i]);
        s = rt_utf8_valid(bad[i], n);
        assert_non_null(s);
        assert_int_equal(strlen(s), 3 * n);
        for (size_t k = 0; k < n; k++)
            assert_memory_equal(s + 3 * k, "\xEF\xBF\xBD", 3);
        free(s);
    }
    /* valid text is unchanged: ASCII, 2-, 3- and 4-byte characters */
    const char *good = "x\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
    s = rt_utf8_valid(good, strlen(good));
    assert_string_equal(s, good);
    free(s);
}

static void valid_take_keeps_a_valid_string(void **state)
{
    (void)state;
    char *s = strdup("caf\xC3\xA9");
    char *t = rt_utf8_valid_take(s);
    assert_ptr_equal(t, s);
    free(t);
    t = rt_utf8_valid_take(strdup("\377 bad"));
    assert_string_equal(t, "\xEF\xBF\xBD bad");
    free(t);
    assert_null(rt_utf8_valid_take(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prefix_never_splits_a_character),
        cmocka_unit_test(valid_replaces_each_bad_byte),
        cmocka_unit_test(valid_take_keeps_a_valid_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
