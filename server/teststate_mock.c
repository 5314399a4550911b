/*
 * teststate_mock.c - TestState's fieldValidationMode: a mocked Task result
 * checked against the shape its integration returns, where aslc knows the
 * shape (Lambda invoke, Step Functions StartExecution and its .sync forms).
 *
 * STRICT: required fields present, every known field of its type;
 * PRESENT: every known field present of its type; NONE: nothing. Fields
 * the API does not list pass (AWS accepts them: forward compatibility),
 * and so does a resource whose shape is not listed here (lenient, as the
 * rules are known for these only). The messages are AWS's. Pure functions
 * of the result; owns nothing.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "teststate_impl.h"

enum { F_ANY, F_STRING, F_INT, F_OBJECT, F_DATE };

typedef struct field {
    const char *name;
    int type;
    int required;
} field;

typedef struct shape {
    const char *resource; /* exact, without the region-free prefix variations */
    const field *fields;
} shape;

/* Lambda's InvocationResponse has no required member in its API model. */
static const field lambda_invoke[] = {
    {"StatusCode", F_INT, 0},      {"Payload", F_ANY, 0},      {"ExecutedVersion", F_STRING, 0},
    {"FunctionError", F_STRING, 0}, {"LogResult", F_STRING, 0}, {"SdkHttpMetadata", F_OBJECT, 0},
    {"SdkResponseMetadata", F_OBJECT, 0}, {NULL, 0, 0},
};

static const field start_execution[] = {
    {"ExecutionArn", F_STRING, 1}, {"StartDate", F_DATE, 1}, {"SdkHttpMetadata", F_OBJECT, 0},
    {"SdkResponseMetadata", F_OBJECT, 0}, {NULL, 0, 0},
};

static const field describe_execution[] = {
    {"ExecutionArn", F_STRING, 1},  {"StateMachineArn", F_STRING, 1}, {"Name", F_STRING, 0},
    {"Status", F_STRING, 1},        {"StartDate", F_DATE, 1},         {"StopDate", F_DATE, 0},
    {"Input", F_ANY, 0},            {"InputDetails", F_OBJECT, 0},    {"Output", F_ANY, 0},
    {"OutputDetails", F_OBJECT, 0}, {"TraceHeader", F_STRING, 0},     {"Error", F_STRING, 0},
    {"Cause", F_STRING, 0},         {"MapRunArn", F_STRING, 0},       {"RedriveCount", F_INT, 0},
    {"RedriveStatus", F_STRING, 0}, {"StateMachineVersionArn", F_STRING, 0},
    {"StateMachineAliasArn", F_STRING, 0}, {"SdkHttpMetadata", F_OBJECT, 0},
    {"SdkResponseMetadata", F_OBJECT, 0}, {NULL, 0, 0},
};

static const shape shapes[] = {
    {"arn:aws:states:::lambda:invoke", lambda_invoke},
    {"arn:aws:states:::states:startExecution", start_execution},
    {"arn:aws:states:::states:startExecution.sync", describe_execution},
    {"arn:aws:states:::states:startExecution.sync:2", describe_execution},
};

static bool of_type(const cJSON *v, int type)
{
    switch (type) {
    case F_STRING: return cJSON_IsString(v);
    /* In range before the cast (a 1e98 made the cast undefined; fuzzing). */
    case F_INT: return cJSON_IsNumber(v) && fabs(v->valuedouble) < 9e18 &&
                       v->valuedouble == (double)(long long)v->valuedouble;
    case F_OBJECT: return cJSON_IsObject(v);
    case F_DATE: return cJSON_IsNumber(v) || cJSON_IsString(v);
    default: return true;
    }
}

static const char *type_name(int type)
{
    switch (type) {
    case F_INT: return "a number";
    case F_OBJECT: return "an object";
    default: return "a string"; /* strings and timestamps */
    }
}

bool ts_check_mock_shape(const char *resource, const cJSON *result, const char *mode, char *err,
                         size_t cap)
{
    if (!mode || strcmp(mode, "NONE") == 0)
        return true;
    const shape *sh = NULL;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        if (strcmp(shapes[i].resource, resource) == 0)
            sh = &shapes[i];
    if (!sh)
        return true;
    if (!cJSON_IsObject(result)) {
        snprintf(err, cap, "Mock result must be a valid JSON object, but got '%s' instead",
                 cJSON_IsArray(result) ? "array" : cJSON_IsString(result) ? "string"
                 : cJSON_IsNumber(result) ? "number" : cJSON_IsBool(result) ? "boolean" : "null");
        return false;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, result) {
        const field *f = sh->fields;
        while (f->name && strcmp(f->name, m->string) != 0)
            f++;
        if (!f->name)
            continue; /* not in the API: accepted */
        if (!of_type(m, f->type)) {
            snprintf(err, cap, "Mock result schema validation error: Field '%s' must be %s",
                     f->name, type_name(f->type));
            return false;
        }
    }
    if (strcmp(mode, "STRICT") == 0)
        for (const field *f = sh->fields; f->name; f++)
            if (f->required && !cJSON_GetObjectItemCaseSensitive(result, f->name)) {
                snprintf(err, cap, "Mock result schema validation error: Required field '%s' is "
                         "missing", f->name);
                return false;
            }
    return true;
}
