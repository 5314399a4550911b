/*
 * callback_api.c - SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat
 * as Step Functions answers them (AWS JSON 1.0: a JSON request body, {} or
 * {"__type", "message"} back), on the token registry (callback.c). One
 * implementation for both callers, so that `aslc serve` and the
 * --callback-port listener of `aslc run` and executables answer alike.
 *
 * Layer: effects. Owns the parsed request; the reply text is the caller's.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "effects.h"

/* AWS's field limits (the API reference's length constraints). */
enum { TOKEN_MAX = 2048, OUTPUT_MAX = 262144, ERROR_MAX = 256, CAUSE_MAX = 32768 };

static int error_reply(char **reply, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int error_reply(char **reply, int status, const char *type, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    *reply = o && cJSON_AddStringToObject(o, "__type", type) &&
                     cJSON_AddStringToObject(o, "message", msg)
                 ? cJSON_PrintUnformatted(o)
                 : NULL;
    cJSON_Delete(o);
    return *reply ? status : 500;
}

/* The string member [key]: false (reply set) when it has another type,
 * is missing and [required], or is longer than [max] bytes. */
static bool field(const cJSON *req, const char *key, bool required, size_t max, const char **out,
                  char **reply, int *status)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v)) {
        if (required)
            *status = error_reply(reply, 400, "ValidationException",
                                  "1 validation error detected: Value null at '%s' failed to "
                                  "satisfy constraint: Member must not be null",
                                  key);
        return !required;
    }
    if (!cJSON_IsString(v)) {
        *status = error_reply(reply, 400, "SerializationException", "'%s' must be a string", key);
        return false;
    }
    size_t n = strlen(v->valuestring);
    if (n > max || (n == 0 && strcmp(key, "taskToken") == 0)) {
        *status = error_reply(reply, 400, "ValidationException",
                              "1 validation error detected: Value at '%s' failed to satisfy "
                              "constraint: Member must have length %s %zu",
                              key, n ? "less than or equal to" : "greater than or equal to",
                              n ? max : (size_t)1);
        return false;
    }
    *out = v->valuestring;
    return true;
}

static int status_reply(rt_cb_status st, char **reply)
{
    switch (st) {
    case RT_CB_OK: *reply = rt_fmt("{}"); return *reply ? 200 : 500;
    case RT_CB_BAD_TOKEN: return error_reply(reply, 400, "InvalidToken", "Invalid Token: 'Invalid token'");
    case RT_CB_UNKNOWN:
        return error_reply(reply, 400, "TaskDoesNotExist",
                           "Task Does Not Exist: 'Provided task does not exist'");
    case RT_CB_CLOSED:
        return error_reply(reply, 400, "TaskTimedOut",
                           "Task Timed Out: 'Provided task does not exist anymore'");
    case RT_CB_BAD_OUTPUT:
        return error_reply(reply, 400, "InvalidOutput",
                           "Invalid Output: 'The output is not valid JSON'");
    case RT_CB_NO_MEMORY: break;
    }
    return error_reply(reply, 500, "InternalFailure", "out of memory");
}

int rt_cb_api(const char *action, const char *body, size_t len, char **reply)
{
    *reply = NULL;
    int kind = strcmp(action, "SendTaskSuccess") == 0     ? 1
             : strcmp(action, "SendTaskFailure") == 0   ? 2
             : strcmp(action, "SendTaskHeartbeat") == 0 ? 3
                                                        : 0;
    if (!kind)
        return 0;
    cJSON *req = len ? rt_json_parse(body, len, NULL, 0) : cJSON_CreateObject();
    if (!cJSON_IsObject(req)) {
        cJSON_Delete(req);
        return error_reply(reply, 400, "SerializationException",
                           "the request body is not a JSON object");
    }
    int status = 0;
    const char *token, *output = NULL, *error = NULL, *cause = NULL;
    bool ok = field(req, "taskToken", true, TOKEN_MAX, &token, reply, &status) &&
              (kind != 1 || field(req, "output", true, OUTPUT_MAX, &output, reply, &status)) &&
              (kind != 2 || (field(req, "error", false, ERROR_MAX, &error, reply, &status) &&
                             field(req, "cause", false, CAUSE_MAX, &cause, reply, &status)));
    if (ok)
        status = status_reply(kind == 3 ? rt_cb_heartbeat(token)
                                        : rt_cb_answer(token, kind == 2, output, error, cause),
                              reply);
    cJSON_Delete(req);
    return status;
}
