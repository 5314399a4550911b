/*
 * fuzz_intrinsic.c - libFuzzer target: the intrinsic-function parser
 * (compiler/intrinsic.c) and, for what it accepts, the runtime's
 * evaluator (runtime/intrinsics*.c) over a document the fuzzer also
 * shapes.
 *
 * Input: the call ("States.Format('{}', $.a)"), a newline, the JSON
 * document its paths read.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "fuzz.h"
#include "intrinsic.h"
#include "values.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *part[2];
    size_t len[2];
    size_t np = fuzz_split(data, size, '\n', part, len, 2);
    char *text = fuzz_strndup(part[0], len[0]);
    char err[200];
    cJSON *doc = np > 1 && len[1] ? rt_json_parse(part[1], len[1], err, sizeof err) : NULL;
    if (!doc)
        doc = cJSON_CreateObject();

    arena a = {0};
    intr_error ie;
    ir_call *c = intr_parse(&a, text, &ie);
    if (c) {
        fuzz_exec f;
        fuzz_exec_init(&f);
        cJSON *v = asl_call_intrinsic(&f.x, fuzz_to_call(&a, c), doc);
        if (v) {
            char *s = rt_json_print(v);
            free(s);
        }
        cJSON_Delete(v);
        fuzz_exec_dispose(&f);
    }
    arena_free(&a);
    cJSON_Delete(doc);
    free(text);
    return 0;
}
