/*
 * aws_integrations.c - Step Functions' optimized integrations against the
 * real services, with AWS's request and result shapes:
 *   lambda:invoke (and a Lambda function ARN as the Resource)   REST-JSON
 *   sns:publish                                                  query
 *   sqs:sendMessage                                              JSON 1.0
 *   dynamodb:getItem / putItem / updateItem / deleteItem / query JSON 1.0
 *   events:putEvents                                             JSON 1.1
 *   states:startExecution (.sync, .sync:2)                       JSON 1.0
 * As on AWS, a JSON value where the service takes text (an SQS
 * MessageBody, an SNS Message, an EventBridge Detail, an execution Input)
 * is sent as its JSON text; results carry SdkHttpMetadata and
 * SdkResponseMetadata where Step Functions shows them; service errors are
 * "<Service>.<Code>Exception" (Lambda., SNS., SQS., DynamoDB.,
 * EventBridge., StepFunctions.), a function error is the function's
 * errorType. .sync polls DescribeExecution until the execution ends, as
 * Step Functions does; .sync:2 parses its Output.
 *
 * Layer: effects. Called by aws_services.c (rt_aws_task).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws.h"
#include "rt.h"

static void oom(rt_aws_call *call)
{
    rt_aws_fail(call, "States.Runtime", rt_fmt("Out of memory."));
}

/* A copy of [in] (an object, or {} when it is none) whose string-typed
 * field [key] of every object [path] reaches is JSON text if it was not a
 * string. [path] is 0 (the top object) or an array field name. */
static cJSON *stringify(const cJSON *in, const char *array, const char *key)
{
    cJSON *c = cJSON_IsObject(in) ? cJSON_Duplicate(in, 1) : cJSON_CreateObject();
    if (!c)
        return NULL;
    cJSON *objs = array ? cJSON_GetObjectItemCaseSensitive(c, array) : NULL;
    cJSON *one = array ? NULL : c;
    for (cJSON *o = objs && cJSON_IsArray(objs) ? objs->child : one; o;
         o = array ? o->next : NULL) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        if (v && !cJSON_IsString(v)) {
            char *t = rt_json_print(v);
            cJSON *s = t ? cJSON_CreateString(t) : NULL;
            free(t);
            if (!s || !cJSON_ReplaceItemInObjectCaseSensitive(o, key, s)) {
                cJSON_Delete(s);
                cJSON_Delete(c);
                return NULL;
            }
        }
    }
    return c;
}

/* A JSON-protocol call whose result gets the SDK metadata. */
static void json_with_meta(rt_aws_call *call, const char *sdk, const char *op,
                           const cJSON *params, const char *prefix, bool meta)
{
    rt_http_result r = {0};
    cJSON *res = rt_aws_json_call(call, rt_aws_service_find(sdk), op, params, prefix, &r);
    if (res && meta && !rt_aws_add_metadata(res, &r)) {
        cJSON_Delete(res);
        res = NULL;
        oom(call);
    }
    call->out->result = res;
    free(r.body);
    free(r.headers);
}

/* ---- Lambda */

/* Invokes [fn] (name, name:alias or ARN) with [payload]; returns the reply
 * (status, headers, body) in [r], or false with call->out set. */
static bool lambda_call(rt_aws_call *call, const char *fn, const cJSON *in, rt_http_result *r)
{
    /* A function ARN says its region. */
    if (strncmp(fn, "arn:", 4) == 0) {
        const char *p = fn;
        for (int k = 0; k < 3 && p; k++)
            p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
        size_t n = p ? strcspn(p, ":") : 0;
        if (n && n < sizeof call->creds.region)
            snprintf(call->creds.region, sizeof call->creds.region, "%.*s", (int)n, p);
    }
    const cJSON *payload = cJSON_GetObjectItemCaseSensitive(in, "Payload");
    const cJSON *itype = cJSON_GetObjectItemCaseSensitive(in, "InvocationType");
    const cJSON *qual = cJSON_GetObjectItemCaseSensitive(in, "Qualifier");
    const cJSON *ltype = cJSON_GetObjectItemCaseSensitive(in, "LogType");
    const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(in, "ClientContext");
    char *body = payload ? rt_json_print(payload) : rt_fmt("{}");
    char *efn = rt_aws_uri_encode(fn, false), *eq = NULL;
    if (cJSON_IsString(qual))
        eq = rt_aws_uri_encode(qual->valuestring, false);
    char *path = efn ? rt_fmt("/2015-03-31/functions/%s/invocations%s%s", efn,
                              eq ? "?Qualifier=" : "", eq ? eq : "")
                     : NULL;
    char *h1 = cJSON_IsString(itype) ? rt_fmt("X-Amz-Invocation-Type: %s", itype->valuestring)
                                     : NULL;
    char *h2 = cJSON_IsString(ltype) ? rt_fmt("X-Amz-Log-Type: %s", ltype->valuestring) : NULL;
    char *h3 = cJSON_IsString(ctx) ? rt_fmt("X-Amz-Client-Context: %s", ctx->valuestring) : NULL;
    const char *hdrs[4];
    int n = 0;
    if (h1)
        hdrs[n++] = h1;
    if (h2)
        hdrs[n++] = h2;
    if (h3)
        hdrs[n++] = h3;
    hdrs[n] = NULL;
    bool ok = false;
    if (!body || !path) {
        oom(call);
    } else {
        rt_aws_req q = {.svc = rt_aws_service_find("lambda"), .path = path,
                        .content_type = "application/json", .headers = hdrs, .body = body,
                        .len = strlen(body)};
        ok = rt_aws_send(call, &q, r);
        if (ok && (r->status < 200 || r->status >= 300)) {
            rt_aws_fail_reply(call, "Lambda", r);
            ok = false;
        }
    }
    free(body);
    free(efn);
    free(eq);
    free(path);
    free(h1);
    free(h2);
    free(h3);
    return ok;
}

/* The function's reply as a value (JSON, or the text as a string); on a
 * function error (X-Amz-Function-Error) sets call->out and returns 0. */
static cJSON *lambda_payload(rt_aws_call *call, const rt_http_result *r)
{
    char perr[200];
    cJSON *p = r->bodylen ? rt_json_parse(r->body, r->bodylen, perr, sizeof perr) : NULL;
    if (!p && r->bodylen)
        p = cJSON_CreateString(r->body);
    char *fe = rt_aws_header(r, "X-Amz-Function-Error");
    if (fe) {
        const cJSON *et = cJSON_GetObjectItemCaseSensitive(p, "errorType");
        rt_aws_fail(call, cJSON_IsString(et) ? et->valuestring : "Lambda.Unknown",
                    rt_fmt("%s", r->body ? r->body : ""));
        free(fe);
        cJSON_Delete(p);
        return NULL;
    }
    if (!p && !(p = r->bodylen ? NULL : cJSON_CreateNull()))
        oom(call);
    return p;
}

void rt_aws_lambda_arn(rt_aws_call *call, const char *arn, const cJSON *in)
{
    cJSON *params = cJSON_CreateObject();
    rt_http_result r = {0};
    if (!params || (in && !cJSON_AddItemReferenceToObject(params, "Payload", (cJSON *)in))) {
        cJSON_Delete(params);
        oom(call);
        return;
    }
    if (lambda_call(call, arn, params, &r))
        call->out->result = lambda_payload(call, &r);
    cJSON_Delete(params);
    free(r.body);
    free(r.headers);
}

static void lambda_invoke(rt_aws_call *call, const cJSON *in)
{
    const cJSON *fn = cJSON_GetObjectItemCaseSensitive(in, "FunctionName");
    if (!cJSON_IsString(fn)) {
        rt_aws_fail(call, "States.Runtime",
                    rt_fmt("lambda:invoke needs a string FunctionName in its Parameters"));
        return;
    }
    rt_http_result r = {0};
    if (lambda_call(call, fn->valuestring, in, &r)) {
        cJSON *p = lambda_payload(call, &r);
        char *ver = rt_aws_header(&r, "X-Amz-Executed-Version");
        char *log = rt_aws_header(&r, "X-Amz-Log-Result");
        cJSON *o = p ? cJSON_CreateObject() : NULL;
        bool ok = o && (!ver || cJSON_AddStringToObject(o, "ExecutedVersion", ver)) &&
                  (!log || cJSON_AddStringToObject(o, "LogResult", log)) &&
                  cJSON_AddItemToObject(o, "Payload", p);
        if (!ok)
            cJSON_Delete(p);
        p = NULL;
        ok = ok && rt_aws_add_metadata(o, &r) &&
             cJSON_AddNumberToObject(o, "StatusCode", (double)r.status);
        if (ok) {
            call->out->result = o;
        } else {
            cJSON_Delete(o);
            cJSON_Delete(p);
            if (!call->out->error)
                oom(call);
        }
        free(ver);
        free(log);
    }
    free(r.body);
    free(r.headers);
}

/* ---- SNS (query protocol) */

/* Appends "&NAME=VALUE" (both encoded) to *body. */
static bool form_add(char **body, const char *name, const char *value)
{
    char *en = rt_aws_uri_encode(name, false), *ev = rt_aws_uri_encode(value, false);
    char *n = en && ev ? rt_fmt("%s%s%s=%s", *body, **body ? "&" : "", en, ev) : NULL;
    free(en);
    free(ev);
    if (!n)
        return false;
    free(*body);
    *body = n;
    return true;
}

/* A field's text: a string as is, anything else as JSON text. */
static char *text_of(const cJSON *v)
{
    return cJSON_IsString(v) ? rt_fmt("%s", v->valuestring) : rt_json_print(v);
}

static void sns_publish(rt_aws_call *call, const cJSON *in)
{
    char *body = rt_fmt("Action=Publish");
    bool ok = body != NULL;
    static const char *const plain[] = {"TopicArn", "TargetArn", "PhoneNumber", "Message",
                                        "Subject", "MessageStructure", "MessageGroupId",
                                        "MessageDeduplicationId"};
    for (size_t i = 0; ok && i < sizeof plain / sizeof *plain; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, plain[i]);
        if (!v)
            continue;
        char *t = text_of(v);
        ok = t && form_add(&body, plain[i], t);
        free(t);
    }
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(in, "MessageAttributes");
    int k = 0;
    for (const cJSON *a = cJSON_IsObject(attrs) ? attrs->child : NULL; ok && a; a = a->next) {
        char key[96];
        k++;
        snprintf(key, sizeof key, "MessageAttributes.entry.%d.Name", k);
        ok = form_add(&body, key, a->string);
        static const char *const fields[] = {"DataType", "StringValue", "BinaryValue"};
        for (size_t f = 0; ok && f < 3; f++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, fields[f]);
            if (!cJSON_IsString(v))
                continue;
            snprintf(key, sizeof key, "MessageAttributes.entry.%d.Value.%s", k, fields[f]);
            ok = form_add(&body, key, v->valuestring);
        }
    }
    ok = ok && form_add(&body, "Version", "2010-03-31");
    if (!ok) {
        free(body);
        oom(call);
        return;
    }
    rt_aws_req q = {.svc = rt_aws_service_find("sns"), .path = "/",
                    .content_type = "application/x-www-form-urlencoded; charset=utf-8",
                    .body = body, .len = strlen(body)};
    rt_http_result r = {0};
    if (rt_aws_send(call, &q, &r)) {
        if (r.status < 200 || r.status >= 300) {
            rt_aws_fail_reply(call, "SNS", &r);
        } else {
            char perr[160] = "";
            rt_xml *x = rt_xml_parse(r.body ? r.body : "", r.bodylen, perr, sizeof perr);
            const char *id = rt_xml_text(x, "PublishResult/MessageId");
            const char *seq = rt_xml_text(x, "PublishResult/SequenceNumber");
            cJSON *o = id ? cJSON_CreateObject() : NULL;
            if (!id) {
                rt_aws_fail(call, "States.TaskFailed",
                            rt_fmt("SNS Publish answered without a MessageId%s%s",
                                   perr[0] ? ": " : "", perr));
            } else if (o && cJSON_AddStringToObject(o, "MessageId", id) &&
                       (!seq || cJSON_AddStringToObject(o, "SequenceNumber", seq)) &&
                       rt_aws_add_metadata(o, &r)) {
                call->out->result = o;
                o = NULL;
            } else {
                oom(call);
            }
            cJSON_Delete(o);
            rt_xml_free(x);
        }
    }
    free(body);
    free(r.body);
    free(r.headers);
}

/* ---- Step Functions */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits [ms] unless the limits end first; false (call->out set) then. */
static bool poll_wait(rt_aws_call *call, long ms)
{
    const rt_limits *lim = call->lim;
    int64_t until = rt_mono_ns() + (int64_t)ms * 1000000;
    for (;;) {
        int64_t now = rt_mono_ns();
        if (lim->x && rt_cancelled(lim->x)) {
            call->out->end = RT_END_ABORTED;
            return false;
        }
        if (lim->run_deadline && now >= lim->run_deadline) {
            call->out->end = RT_END_RUN_TIMEOUT;
            return false;
        }
        if (lim->timeout_at && now >= lim->timeout_at) {
            call->out->end = RT_END_TIMEOUT;
            return false;
        }
        if (now >= until)
            return true;
        sleep_ms(50);
    }
}

static void start_execution(rt_aws_call *call, const char *action, const cJSON *in)
{
    bool sync = strncmp(action, "startExecution.sync", 19) == 0;
    bool sync2 = strcmp(action, "startExecution.sync:2") == 0;
    cJSON *pascal = stringify(in, NULL, "Input");
    cJSON *params = pascal ? rt_aws_recase(pascal, false) : NULL;
    cJSON_Delete(pascal);
    if (!params) {
        oom(call);
        return;
    }
    rt_http_result r = {0};
    const rt_aws_service *sfn = rt_aws_service_find("sfn");
    cJSON *res = rt_aws_json_call(call, sfn, "StartExecution", params, "StepFunctions", &r);
    cJSON_Delete(params);
    if (res && !sync) {
        cJSON *up = rt_aws_recase(res, true);
        cJSON_Delete(res);
        res = up;
        if (!res || !rt_aws_add_metadata(res, &r)) {
            cJSON_Delete(res);
            res = NULL;
            oom(call);
        }
        call->out->result = res;
        res = NULL;
    }
    free(r.body);
    free(r.headers);
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(res, "executionArn");
    if (res && !cJSON_IsString(arn)) {
        rt_aws_fail(call, "States.TaskFailed",
                    rt_fmt("StartExecution answered without an ExecutionArn"));
    }
    cJSON *q = res && cJSON_IsString(arn) ? cJSON_CreateObject() : NULL;
    if (res && cJSON_IsString(arn) &&
        (!q || !cJSON_AddStringToObject(q, "executionArn", arn->valuestring)))
        oom(call);
    cJSON_Delete(res);
    /* Poll as Step Functions does: quickly at first, then every few seconds. */
    long wait = 200;
    while (q && !call->out->error && call->out->end == RT_END_DONE) {
        if (!poll_wait(call, wait))
            break;
        if (wait < 5000)
            wait = wait * 2 > 5000 ? 5000 : wait * 2;
        cJSON *d = rt_aws_json_call(call, sfn, "DescribeExecution", q, "StepFunctions", NULL);
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(d, "status");
        if (!d)
            break;
        if (cJSON_IsString(st) && strcmp(st->valuestring, "RUNNING") == 0) {
            cJSON_Delete(d);
            continue;
        }
        if (cJSON_IsString(st) && strcmp(st->valuestring, "SUCCEEDED") == 0) {
            const cJSON *out = cJSON_GetObjectItemCaseSensitive(d, "output");
            if (sync2 && cJSON_IsString(out)) {
                char perr[160] = "";
                cJSON *v = rt_json_parse(out->valuestring, strlen(out->valuestring), perr,
                                         sizeof perr);
                if (!v || !cJSON_ReplaceItemInObjectCaseSensitive(d, "output", v)) {
                    cJSON_Delete(v);
                    rt_aws_fail(call, "States.TaskFailed",
                                rt_fmt("the execution's output is not JSON: %s", perr));
                    cJSON_Delete(d);
                    break;
                }
            }
            /* Step Functions shows DescribeExecution's fields PascalCased
             * (the output's own keys are the child's: kept). */
            for (cJSON *f = d->child; f; f = f->next)
                if (f->string && islower((unsigned char)f->string[0]))
                    f->string[0] = (char)toupper((unsigned char)f->string[0]);
            call->out->result = d;
        } else {
            char *t = rt_json_print(d);
            rt_aws_fail(call, "States.TaskFailed", t);
            cJSON_Delete(d);
        }
        break;
    }
    cJSON_Delete(q);
}

void rt_aws_optimized(rt_aws_call *call, const char *type, const char *action,
                      const cJSON *in)
{
    if (strstr(action, ".waitForTaskToken")) {
        rt_aws_fail(call, "States.Runtime",
                    rt_fmt("%s:%s: the callback pattern needs a task token sent back to this "
                           "process, which --aws cannot receive; bind or mock this state",
                           type, action));
        return;
    }
    static const char *const ddb[] = {"getItem", "putItem", "updateItem", "deleteItem", "query"};
    if (strcmp(type, "lambda") == 0 && strcmp(action, "invoke") == 0) {
        lambda_invoke(call, in);
        return;
    }
    if (strcmp(type, "sns") == 0 && strcmp(action, "publish") == 0) {
        sns_publish(call, in);
        return;
    }
    if (strcmp(type, "sqs") == 0 && strcmp(action, "sendMessage") == 0) {
        cJSON *p = stringify(in, NULL, "MessageBody");
        if (p)
            json_with_meta(call, "sqs", "SendMessage", p, "SQS", true);
        else
            oom(call);
        cJSON_Delete(p);
        return;
    }
    for (size_t i = 0; strcmp(type, "dynamodb") == 0 && i < sizeof ddb / sizeof *ddb; i++)
        if (strcmp(action, ddb[i]) == 0) {
            char op[32];
            snprintf(op, sizeof op, "%s", ddb[i]);
            op[0] = (char)toupper((unsigned char)op[0]);
            json_with_meta(call, "dynamodb", op, cJSON_IsObject(in) ? in : NULL, "DynamoDB",
                           true);
            return;
        }
    if (strcmp(type, "events") == 0 && strcmp(action, "putEvents") == 0) {
        cJSON *p = stringify(in, "Entries", "Detail");
        if (!p) {
            oom(call);
            return;
        }
        json_with_meta(call, "eventbridge", "PutEvents", p, "EventBridge", false);
        cJSON_Delete(p);
        const cJSON *fc = cJSON_GetObjectItemCaseSensitive(call->out->result, "FailedEntryCount");
        if (cJSON_IsNumber(fc) && fc->valuedouble > 0) {
            /* AWS fails the Task when an entry was not put. */
            char *t = rt_json_print(call->out->result);
            rt_aws_fail(call, "EventBridge.FailedEntry", t);
        }
        return;
    }
    if (strcmp(type, "states") == 0 && strncmp(action, "startExecution", 14) == 0 &&
        (!action[14] || strcmp(action + 14, ".sync") == 0 || strcmp(action + 14, ".sync:2") == 0)) {
        start_execution(call, action, in);
        return;
    }
    rt_aws_fail(call, "States.Runtime",
                rt_fmt("%s:%s is not supported with --aws (supported: lambda:invoke, "
                       "sns:publish, sqs:sendMessage, dynamodb:getItem/putItem/updateItem/"
                       "deleteItem/query, events:putEvents, states:startExecution[.sync[:2]], "
                       "aws-sdk:SERVICE:ACTION); bind or mock this state",
                       type, action));
}
