/*
 * teststate.h - AWS Step Functions' TestState, offline: one function from
 * the request JSON to the response JSON, shared by `aslc test-state`
 * (cli/test_state.c) and the TestState action of `aslc serve`
 * (server/actions.c), so both answer with the same bytes.
 */
#ifndef ASLC_SERVER_TESTSTATE_H
#define ASLC_SERVER_TESTSTATE_H

#include <stddef.h>

/* Answer the TestState request [body] ([len] bytes of JSON). [bindings]
 * is a bindings file for Tasks run without a mock (NULL: none). Returns
 * the HTTP status: 200 with the TestStateOutput in *reply, or 400 (500
 * when out of memory) with AWS's error shape {"__type", "message"}
 * (InvalidDefinition, InvalidExecutionInput, ValidationException, ...).
 * *reply is malloc'd JSON text (NULL only when out of memory).
 * Thread-safe: requests are served one at a time. */
int srv_test_state(const char *body, size_t len, const char *bindings, char **reply);

#endif
