/*
 * callbacks.c - SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat for
 * `aslc serve`: the token registry is the runtime's (runtime/callback.c),
 * shared by every execution of the process, and the requests are answered
 * by rt_cb_api (runtime/callback_api.c), the code the --callback-port
 * listener of `aslc run` answers with, so both speak alike. Executions
 * run with rt_options.callbacks and .activities (executions.c), so a
 * .waitForTaskToken Task waits for its token, bound or not, and an
 * activity Task for a worker (activities.c).
 * Owns nothing beyond one request's printed body.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "srv_internal.h"

static srv_reply answer(const char *action, const cJSON *req)
{
    char *body = cJSON_PrintUnformatted(req);
    if (!body)
        return srv_error(500, "InternalFailure", "out of memory");
    char *reply = NULL;
    int status = rt_cb_api(action, body, strlen(body), &reply);
    free(body);
    if (!reply)
        return srv_error(500, "InternalFailure", "out of memory");
    return (srv_reply){status, reply};
}

srv_reply srv_send_task_success(const cJSON *req)
{
    return answer("SendTaskSuccess", req);
}

srv_reply srv_send_task_failure(const cJSON *req)
{
    return answer("SendTaskFailure", req);
}

srv_reply srv_send_task_heartbeat(const cJSON *req)
{
    return answer("SendTaskHeartbeat", req);
}
