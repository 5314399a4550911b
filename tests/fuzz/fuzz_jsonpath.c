/*
 * fuzz_jsonpath.c - libFuzzer target: the JSONPath parser
 * (compiler/path.c) and, for what it accepts, the runtime's evaluator
 * (runtime/jsonpath.c, resultpath.c) over a document the fuzzer also
 * shapes.
 *
 * Input: the path, a newline, the JSON document ($), optionally a second
 * newline-separated part being the context object ($$). The first byte
 * of the path picks the parser flags (a Reference Path or not), as the
 * fields that use each do; a reference path is also used as a ResultPath.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "fuzz.h"
#include "path.h"
#include "values.h"

static cJSON *parse(const char *s, size_t n)
{
    char err[200];
    return n ? rt_json_parse(s, n, err, sizeof err) : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *part[3];
    size_t len[3];
    size_t np = fuzz_split(data, size, '\n', part, len, 3);
    char *text = fuzz_strndup(part[0], len[0]);
    cJSON *doc = np > 1 ? parse(part[1], len[1]) : NULL;
    cJSON *ctx = np > 2 ? parse(part[2], len[2]) : NULL;
    if (!doc)
        doc = cJSON_CreateObject();

    unsigned flags = len[0] && (part[0][len[0] - 1] & 1) ? PATH_REFERENCE : 0;
    arena a = {0};
    path_error pe;
    ir_path *p = path_parse(&a, text, flags, &pe);
    if (p) {
        fuzz_exec f;
        fuzz_exec_init(&f);
        if (ctx) {
            f.x.context = ctx;
            ctx = NULL;
        }
        const asl_path *q = fuzz_to_path(&a, p);
        const cJSON *v = asl_select(&f.x, q, doc);
        if (v) {
            char *s = rt_json_print(v);
            free(s);
        }
        fuzz_exec_reset(&f);
        asl_select_quiet(&f.x, q, doc);
        fuzz_exec_reset(&f);
        if (p->definite && p->root == IR_ROOT_INPUT) {
            cJSON *d = cJSON_Duplicate(doc, 1);
            cJSON *r = cJSON_CreateString("fuzz");
            if (d && r) {
                asl_apply_result_path(&f.x, q, &d, r);
                r = NULL;
            }
            cJSON_Delete(r);
            cJSON_Delete(d);
            fuzz_exec_reset(&f);
            d = cJSON_Duplicate(doc, 1);
            if (d)
                asl_apply_path(&f.x, q, &d);
            cJSON_Delete(d);
        }
        fuzz_exec_dispose(&f);
    }
    arena_free(&a);
    cJSON_Delete(ctx);
    cJSON_Delete(doc);
    free(text);
    return 0;
}
