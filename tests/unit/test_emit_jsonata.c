/*
 * test_emit_jsonata.c - parsed JSONata written as static C data
 * (codegen/emit_jsonata.c) is the same expression: the trees of many
 * expressions are emitted into one C file, which must compile without a
 * warning under gcc -Wall -Wextra -Werror and under TinyCC (the JIT of
 * `aslc run`); the trees TinyCC built are then evaluated in this process
 * and must give exactly what the parser's trees give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "arena.h"
#include "emit.h"
#include "jit.h"
#include "jsonata_eval.h"
#include "jsonata_parse.h"

/* Every node type, flag and decoration the parser makes, and strings that
 * try to break out of a C literal or comment. */
static const char *const exprs[] = {
    "Account.Order[0].Product[ProductID = 858383].Price",
    "Account.Order.Product.(Price * Quantity) ~> $sum()",
    "Account.Order{OrderID: $sum(Product.(Price*Quantity))}",
    "Account.Order.Product^(>Price, Description.Colour)[[0..1]].SKU",
    "Account.Order.Product@$p#$i[$i < 2].{'n': $p.\"Product Name\", 'i': $i}",
    "Account.Order.Product.%.OrderID",
    "**.Price[$ > 30]",
    "Account.*[]",
    "$map(Account.Order.Product, function($v, $i)<o n:s>{ $string($i) & ': ' & $v.SKU })",
    "($f := function($n){ $n <= 1 ? $n : $f($n - 1) + $f($n - 2) }; $f(12))",
    "($loop := function($n, $acc){ $n = 0 ? $acc : $loop($n - 1, $acc + $n) }; $loop(3000, 0))",
    "$substring(?, 0, 3)('abcdef') & $uppercase('\\u00df */ ?\?/ \\\" \\\\ \\n')",
    "$replace('2024-01-02', /(\\d+)-(\\d+)-(\\d+)/i, '$3.$2.$1')",
    "$match('a1b22c333', /[0-9]+/).match",
    "Account ~> |Order.Product|{'Price': Price * 2, 'x': \"*/\"}, ['Description']|",
    "[1..5] ~> $filter(function($x){ $x % 2 = 1 }) ~> $reduce(function($a, $b){ $a + $b })",
    "$count([1, [2, 3], {'a': [4]}]) in [4, 5] and not(false) or null",
    "-Account.Order[0].Product[0].Price / 0.5 - 1e300 * 1e300 > 1 ? 'big' : 'small'",
    "{'a': 1, 'b': [true, false, null]}.b[-1]",
    "$keys(Account.Order[0].Product[0].Description) ~> $join('|')",
    "$formatNumber(1234.5, '#,##0.00') & $string($partition([1,2,3,4,5], 2))",
    "$exists(nothing) ? 1 : ($x := [3, 1, 2]; $sort($x, function($a, $b){ $a < $b }))",
    "Account.Order.Product.(\"Product Name\" & '/' & $string(Quantity))[[0, 2]]",
    "$$.Account.`Account Name`",
};

static const char *const document =
    "{\"Account\": {\"Account Name\": \"Firefly\", \"Order\": ["
    "{\"OrderID\": \"order103\", \"Product\": ["
    "{\"Product Name\": \"Bowler Hat\", \"ProductID\": 858383, \"SKU\": \"0406654608\","
    " \"Description\": {\"Colour\": \"Purple\", \"Width\": 300}, \"Price\": 34.45, \"Quantity\": 2},"
    "{\"Product Name\": \"Trilby hat\", \"ProductID\": 858236, \"SKU\": \"0406634348\","
    " \"Description\": {\"Colour\": \"Orange\", \"Width\": 300}, \"Price\": 21.67, \"Quantity\": 1}]},"
    "{\"OrderID\": \"order104\", \"Product\": ["
    "{\"Product Name\": \"Cloak\", \"ProductID\": 345664, \"SKU\": \"0406654603\","
    " \"Description\": {\"Colour\": \"Black\", \"Width\": 30}, \"Price\": 107.99, \"Quantity\": 1}]}]}}";

enum { N = sizeof exprs / sizeof exprs[0] };

/* The result of evaluating [root] on [doc], as text ("!CODE" for an error). */
static char *result_text(const asl_jnode *root, const cJSON *doc)
{
    jn_ctx cx;
    jn_ctx_init(&cx, NULL);
    jn_val *r = jn_evaluate(&cx, root, doc, NULL, NULL);
    char *out;
    if (jn_failed(&cx)) {
        out = malloc(sizeof jn_ctx_error(&cx)->code + 1);
        snprintf(out, sizeof jn_ctx_error(&cx)->code + 1, "!%s", jn_ctx_error(&cx)->code);
    } else {
        cJSON *j = jn_to_json(&cx, r);
        out = j ? cJSON_PrintUnformatted(j) : strdup("undefined");
        cJSON_Delete(j);
    }
    jn_ctx_free(&cx);
    return out;
}

static void emitted_trees_are_the_parsed_trees(void **state)
{
    (void)state;
    arena a = {0};
    const asl_jnode *roots[N];
    char *cbuf = NULL;
    size_t clen = 0;
    FILE *c = open_memstream(&cbuf, &clen);
    assert_non_null(c);
    fputs("#include \"aslrt.h\"\n", c);
    int ids[N];
    for (int i = 0; i < N; i++) {
        jsonata_syntax_error se;
        roots[i] = jsonata_parse(&a, exprs[i], strlen(exprs[i]), &se);
        if (!roots[i])
            fail_msg("parse %s: %s %s", exprs[i], se.code, se.message);
        char prefix[16];
        snprintf(prefix, sizeof prefix, "jx%d", i);
        ids[i] = cg_write_jsonata(c, prefix, roots[i]);
        assert_true(ids[i] >= 0);
    }
    fputs("const asl_machine aslc_machine = {0};\n"
          "const asl_jnode *const test_roots[] = {", c);
    for (int i = 0; i < N; i++)
        fprintf(c, "%s&jx%d_%d", i ? ", " : "", i, ids[i]);
    fputs("};\n", c);
    assert_int_equal(fclose(c), 0);

    /* gcc, with the warnings generated code is held to */
    char path[] = "/tmp/aslc-emit-jsonata-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, cbuf, clen), (ssize_t)clen);
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "cc -std=c11 -Wall -Wextra -Werror -Iruntime -x c -c -o /dev/null %s", path);
    int rc = system(cmd);
    unlink(path);
    assert_int_equal(rc, 0);

    /* TinyCC, then the same results from both trees */
    jit_program *j = jit_compile(cbuf, "emit-jsonata", stderr);
    assert_non_null(j);
    const asl_jnode *const *jitted = jit_symbol(j, "test_roots");
    assert_non_null(jitted);
    cJSON *doc = cJSON_Parse(document);
    assert_non_null(doc);
    for (int i = 0; i < N; i++) {
        char *want = result_text(roots[i], doc);
        char *got = result_text(jitted[i], doc);
        if (strcmp(want, got) != 0)
            fail_msg("%s: parsed tree gives %s, emitted tree %s", exprs[i], want, got);
        assert_true(want[0] != '!' || strcmp(exprs[i], "-Account.Order[0].Product[0].Price / 0.5 - 1e300 * 1e300 > 1 ? 'big' : 'small'") == 0);
        free(want);
        free(got);
    }
    cJSON_Delete(doc);
    jit_free(j);
    free(cbuf);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(emitted_trees_are_the_parsed_trees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
