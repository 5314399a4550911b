/*
 * fuzz_bindings.c - libFuzzer target: a bindings file (`--bindings`,
 * runtime/bindings.c) read and checked, then every resource looked up
 * (exact names and globs). The input is the file's text; it is handed to
 * the loader as a memory file.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <unistd.h>

#include "dispatch.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile((const char *)data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    char *err = NULL;
    rt_bindings *bs = rt_bindings_load(path, &err);
    if (bs) {
        static const char *const arns[] = {
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            "arn:aws:states:::lambda:invoke",
            "arn:aws:states:::http:invoke",
            "",
        };
        for (size_t i = 0; i < sizeof arns / sizeof arns[0]; i++)
            rt_bindings_find(bs, arns[i]);
        for (int i = 0; i < bs->n; i++)
            rt_bindings_find(bs, bs->b[i].pattern);
        rt_bindings_free(bs);
    }
    free(err);
    close(fd);
    return 0;
}
