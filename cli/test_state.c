/*
 * test_state.c - `aslc test-state`: AWS Step Functions' TestState, offline.
 * The flags (or --request F.json, a TestState request body) become the
 * request JSON; server/teststate.c answers it exactly as the TestState
 * action of `aslc serve` does, and the answer is printed as it is.
 * Owns the request it builds and the reply it prints.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "teststate.h"

static void help(void)
{
    printf("usage: aslc test-state --definition F [OPTIONS]\n"
           "       aslc test-state --request F.json [OPTIONS]\n"
           "\n"
           "Test one state the way AWS's TestState API does, locally: the state runs\n"
           "through aslc's pipeline and the TestState response is printed as JSON\n"
           "(status SUCCEEDED | FAILED | RETRIABLE | CAUGHT_ERROR, nextState, output,\n"
           "error, cause, and inspectionData at DEBUG). `aslc serve` answers the same\n"
           "request with the same bytes (aws stepfunctions test-state --endpoint-url).\n"
           "\n"
           "options (each sets the request field of the same name):\n"
           "  --definition F               one state, or a whole machine with --state-name\n"
           "  --state-name S               the state of the machine to test\n"
           "  --input JSON | --input-file F  the state input (default {})\n"
           "  --inspection-level L         INFO (default), DEBUG or TRACE (HTTP Tasks)\n"
           "  --variables JSON             workflow variables the state sees\n"
           "  --context JSON               the context object (with a mock only)\n"
           "  --role-arn ARN               $$.Execution.RoleArn\n"
           "  --mock-result JSON           the mocked result (Task, Map, Parallel)\n"
           "  --mock-error E [--mock-cause C]  a mocked error instead\n"
           "  --field-validation-mode M    STRICT (default), PRESENT or NONE\n"
           "  --retrier-retry-count N      retries already made by the matching retrier\n"
           "  --error-caused-by-state S    the state a Map / Parallel error came from\n"
           "  --map-iteration-failure-count N  failed Map iterations\n"
           "  --map-item-reader-data JSON  what a distributed Map's ItemReader read\n"
           "  --reveal-secrets             the request's revealSecrets\n"
           "  --request F.json             a whole TestState request body (the flags\n"
           "                               above override its fields)\n"
           "  --bindings F                 bindings for a Task run without a mock\n"
           "\n"
           "exit codes: 0 answered (whatever the status), 2 bad usage or an AWS error\n"
           "(InvalidDefinition, InvalidExecutionInput, ValidationException; printed\n"
           "as {\"__type\", \"message\"})\n");
}

static char *read_file(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = (cap + 4096) * 2;
            char *p = realloc(buf, cap);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    if (buf)
        buf[len] = '\0';
    if (f != stdin)
        fclose(f);
    return buf;
}

/* The object member [key] of [o], made when absent. */
static cJSON *object_in(cJSON *o, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsObject(v))
        return v;
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    return cJSON_AddObjectToObject(o, key);
}

static void set(cJSON *o, const char *key, cJSON *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    if (!cJSON_AddItemToObject(o, key, v))
        cJSON_Delete(v);
}

/* A whole number >= 0 for [flag]; -1 when it is not one (reported). */
static long count_arg(const char *flag, const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0) {
        drv_bad_usage("test-state", "%s needs a whole number >= 0", flag);
        return -1;
    }
    return v;
}

int drv_cmd_test_state(int argc, char **argv)
{
    cJSON *req = cJSON_CreateObject();
    const char *request_file = NULL, *bindings = NULL;
    int rc = EXIT_USAGE;
    /* the request file first, so that flags override its fields */
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], "--request") == 0)
            request_file = argv[i + 1];
    if (request_file) {
        char *text = read_file(request_file);
        cJSON *r = text ? cJSON_Parse(text) : NULL;
        free(text);
        if (!cJSON_IsObject(r)) {
            fprintf(stderr, "aslc test-state: %s: %s\n", request_file,
                    r || !text ? "not a JSON object" : "cannot read the file");
            cJSON_Delete(r);
            cJSON_Delete(req);
            return EXIT_USAGE;
        }
        cJSON_Delete(req);
        req = r;
    }
    static const struct { const char *flag, *field; } strings[] = {
        {"--state-name", "stateName"},   {"--input", "input"},
        {"--inspection-level", "inspectionLevel"}, {"--variables", "variables"},
        {"--context", "context"},        {"--role-arn", "roleArn"},
    };
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (drv_want_help(a)) {
            help();
            cJSON_Delete(req);
            return EXIT_OK;
        }
        if (strcmp(a, "--reveal-secrets") == 0) {
            set(req, "revealSecrets", cJSON_CreateTrue());
            continue;
        }
        if (a[0] != '-' || a[1] != '-') {
            drv_bad_usage("test-state", "unexpected argument '%s'", a);
            goto out;
        }
        if (i + 1 >= argc) {
            drv_bad_usage("test-state", "%s needs a value", a);
            goto out;
        }
        const char *v = argv[++i];
        bool done = false;
        for (size_t k = 0; k < sizeof strings / sizeof strings[0]; k++)
            if (strcmp(a, strings[k].flag) == 0) {
                set(req, strings[k].field, cJSON_CreateString(v));
                done = true;
            }
        if (done || strcmp(a, "--request") == 0)
            continue;
        if (strcmp(a, "--definition") == 0 || strcmp(a, "--input-file") == 0) {
            char *text = read_file(v);
            if (!text) {
                fprintf(stderr, "aslc test-state: cannot read '%s'\n", v);
                goto out;
            }
            set(req, a[2] == 'd' ? "definition" : "input", cJSON_CreateString(text));
            free(text);
        } else if (strcmp(a, "--bindings") == 0) {
            bindings = v;
        } else if (strcmp(a, "--mock-result") == 0) {
            set(object_in(req, "mock"), "result", cJSON_CreateString(v));
        } else if (strcmp(a, "--mock-error") == 0 || strcmp(a, "--mock-cause") == 0) {
            cJSON *eo = object_in(object_in(req, "mock"), "errorOutput");
            set(eo, a[7] == 'e' ? "error" : "cause", cJSON_CreateString(v));
        } else if (strcmp(a, "--field-validation-mode") == 0) {
            set(object_in(req, "mock"), "fieldValidationMode", cJSON_CreateString(v));
        } else if (strcmp(a, "--retrier-retry-count") == 0 ||
                   strcmp(a, "--map-iteration-failure-count") == 0) {
            long n = count_arg(a, v);
            if (n < 0)
                goto out;
            set(object_in(req, "stateConfiguration"),
                a[2] == 'r' ? "retrierRetryCount" : "mapIterationFailureCount",
                cJSON_CreateNumber((double)n));
        } else if (strcmp(a, "--error-caused-by-state") == 0) {
            set(object_in(req, "stateConfiguration"), "errorCausedByState", cJSON_CreateString(v));
        } else if (strcmp(a, "--map-item-reader-data") == 0) {
            set(object_in(req, "stateConfiguration"), "mapItemReaderData", cJSON_CreateString(v));
        } else {
            drv_bad_usage("test-state", "unknown option '%s'", a);
            goto out;
        }
    }
    if (!cJSON_GetObjectItemCaseSensitive(req, "definition")) {
        drv_bad_usage("test-state", "%s--definition F (or --request F.json) is required", "");
        goto out;
    }
    char *body = cJSON_PrintUnformatted(req);
    char *reply = NULL;
    int status = body ? srv_test_state(body, strlen(body), bindings, &reply) : 500;
    cJSON_free(body);
    if (!reply) {
        fprintf(stderr, "aslc test-state: out of memory\n");
        goto out;
    }
    puts(reply);
    free(reply);
    rc = status == 200 ? EXIT_OK : EXIT_USAGE;
out:
    cJSON_Delete(req);
    return rc;
}
