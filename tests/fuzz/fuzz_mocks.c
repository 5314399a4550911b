/*
 * fuzz_mocks.c - libFuzzer target: a Step Functions Local mock
 * configuration (`--mock-config`, runtime/mock.c) read, one test case
 * selected and checked, then its answers drawn a few times per state.
 *
 * Input: the state machine's name, a newline, the test case's name, a
 * newline, the file's text (handed to the loader as a memory file). The
 * definition's Task states are "A" and "B".
 */
#include <stdlib.h>
#include <unistd.h>

#include "dispatch.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *part[3];
    size_t len[3];
    if (fuzz_split(data, size, '\n', part, len, 3) < 3)
        return 0;
    char path[64];
    int fd = fuzz_memfile(part[2], len[2], path, sizeof path);
    if (fd < 0)
        return 0;
    char *machine = fuzz_strndup(part[0], len[0]);
    char *test = fuzz_strndup(part[1], len[1]);
    static const asl_task_ref tasks[] = {
        {.state = "A", .resource = "arn:aws:lambda:us-east-1:123456789012:function:a"},
        {.state = "B", .resource = "arn:aws:states:::lambda:invoke", .function_name = "b"},
    };
    char *err = NULL;
    rt_mocks *m = rt_mocks_load(path, machine, len[0] > 0, test, tasks, 2, &err);
    if (m) {
        for (int k = 0; k < 4; k++) {
            if (rt_mocks_has(m, "A"))
                rt_mocks_next(m, "A");
            if (rt_mocks_has(m, "B"))
                rt_mocks_next(m, "B");
        }
        rt_mocks_free(m);
    }
    free(err);
    free(machine);
    free(test);
    close(fd);
    return 0;
}
