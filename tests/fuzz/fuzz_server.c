/*
 * fuzz_server.c - libFuzzer target: `aslc serve`'s request handling
 * (srv_dispatch, server/actions.c, and TestState in server/teststate*.c),
 * without the HTTP layer.
 *
 * Input: one or more requests separated by a 0x1e byte, each the action
 * name (the part after "AWSStepFunctions."), a newline, the JSON body; so
 * a state machine created by one request can be described, updated or
 * deleted by the next. The store is emptied after each input.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "serve.h"

enum { MAX_REQUESTS = 8 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static srv_opts opt = {.host = "127.0.0.1", .region = "us-east-1",
                           .account = "123456789012", .wait = "skip"};
    static int ready;
    if (!ready) {
        srv_actions_init(&opt);
        ready = 1;
    }
    const char *req[MAX_REQUESTS];
    size_t len[MAX_REQUESTS];
    size_t n = fuzz_split(data, size, '\x1e', req, len, MAX_REQUESTS);
    for (size_t i = 0; i < n; i++) {
        const char *part[2];
        size_t plen[2];
        size_t np = fuzz_split((const uint8_t *)req[i], len[i], '\n', part, plen, 2);
        char *action = fuzz_strndup(part[0], plen[0]);
        const char *body = np > 1 ? part[1] : "";
        size_t blen = np > 1 ? plen[1] : 0;
        /* As http.c hands it over: a malloc'd body with a NUL after it. */
        char *copy = fuzz_strndup(body, blen);
        srv_reply r = srv_dispatch(strcmp(action, "-") == 0 ? NULL : action, copy, blen);
        free(r.body);
        free(copy);
        free(action);
    }
    srv_actions_close();
    return 0;
}
