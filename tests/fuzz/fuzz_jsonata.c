/*
 * fuzz_jsonata.c - libFuzzer target: the JSONata parser
 * (compiler/jsonata_parse.c) and, for what it accepts, the evaluator
 * (runtime/jsonata_eval*.c and the built-ins) over an input and bindings
 * the fuzzer also shapes, the result converted back to JSON.
 *
 * Input: the expression, a NUL byte, the input document, a NUL byte, a
 * JSON object of bindings ($name variables). Parts may be missing (no
 * input is `undefined`). The guard bounds time and memory as a state's
 * evaluation is bounded, so slow inputs end in U1001 rather than a hang.
 */
#include <cjson/cJSON.h>

#include "fuzz.h"
#include "jsonata_eval.h"
#include "jsonata_parse.h"

static cJSON *parse(const char *s, size_t n)
{
    char err[200];
    return n ? rt_json_parse(s, n, err, sizeof err) : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *part[3];
    size_t len[3];
    size_t np = fuzz_split(data, size, '\0', part, len, 3);
    cJSON *input = np > 1 ? parse(part[1], len[1]) : NULL;
    cJSON *bindings = np > 2 ? parse(part[2], len[2]) : NULL;
    if (bindings && !cJSON_IsObject(bindings)) {
        cJSON_Delete(bindings);
        bindings = NULL;
    }

    arena a = {0};
    jsonata_syntax_error se;
    const asl_jnode *root = jsonata_parse(&a, part[0], len[0], &se);
    if (root) {
        jn_guard g = {.depth_limit = 0, .time_limit_ms = 500, .max_bytes = (size_t)256 << 20};
        jn_ctx cx;
        jn_ctx_init(&cx, &g);
        jn_val *r = jn_evaluate_bindings(&cx, root, input, bindings);
        if (r && !jn_failed(&cx))
            cJSON_Delete(jn_to_json(&cx, r));
        jn_ctx_free(&cx);
    }
    arena_free(&a);
    cJSON_Delete(input);
    cJSON_Delete(bindings);
    return 0;
}
