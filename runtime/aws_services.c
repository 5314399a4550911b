/*
 * aws_services.c - aws-sdk:SERVICE:ACTION over the AWS JSON protocols,
 * AWS's error names, and the entry the Task dispatch calls (rt_aws_task).
 *
 * The table below holds, per service, the facts a JSON-protocol request
 * needs: the X-Amz-Target prefix and JSON version (the body is the Task's
 * parameters, the action PascalCased: sqs:sendMessage is
 * AmazonSQS.SendMessage), the endpoint prefix and SigV4 signing name, the
 * service id of AWS_ENDPOINT_URL_<ID>, and the PascalCase name Step
 * Functions puts before an exception: a failing aws-sdk Task fails with
 * "<Service>.<Code>" and "Exception" appended when the code lacks it
 * (Sqs.QueueDoesNotExistException, S3.NoSuchKeyException), the cause being
 * the service's message in the SDK's format. Parameters and results use
 * PascalCase names, as Step Functions shows them; for the services whose
 * API members are camelCase the keys are recased on the way in and out
 * (every key: the table holds no shapes, so a map with keys of the
 * user's own, such as tags, is recased too).
 *
 * Layer: effects. Called by task.c (rt_aws_task).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "rt.h"

/* sdk name, service id, endpoint prefix, signing name, target, json, errors,
 * camelCase members */
static const rt_aws_service services[] = {
    {"sfn", "SFN", "states", "states", "AWSStepFunctions", "1.0", "Sfn", true},
    {"dynamodb", "DYNAMODB", "dynamodb", "dynamodb", "DynamoDB_20120810", "1.0", "DynamoDb", false},
    {"sqs", "SQS", "sqs", "sqs", "AmazonSQS", "1.0", "Sqs", false},
    {"eventbridge", "EVENTBRIDGE", "events", "events", "AWSEvents", "1.1", "EventBridge", false},
    {"kinesis", "KINESIS", "kinesis", "kinesis", "Kinesis_20131202", "1.1", "Kinesis", false},
    {"secretsmanager", "SECRETS_MANAGER", "secretsmanager", "secretsmanager", "secretsmanager",
     "1.1", "SecretsManager", false},
    {"ssm", "SSM", "ssm", "ssm", "AmazonSSM", "1.1", "Ssm", false},
    {"cloudwatchlogs", "CLOUDWATCH_LOGS", "logs", "logs", "Logs_20140328", "1.1",
     "CloudWatchLogs", true},
    {"glue", "GLUE", "glue", "glue", "AWSGlue", "1.1", "Glue", false},
    {"athena", "ATHENA", "athena", "athena", "AmazonAthena", "1.1", "Athena", false},
    {"ecs", "ECS", "ecs", "ecs", "AmazonEC2ContainerServiceV20141113", "1.1", "Ecs", true},
    {"kms", "KMS", "kms", "kms", "TrentService", "1.1", "Kms", false},
    {"ecr", "ECR", "api.ecr", "ecr", "AmazonEC2ContainerRegistry_V20150921", "1.1", "Ecr", true},
    {"firehose", "FIREHOSE", "firehose", "firehose", "Firehose_20150804", "1.1", "Firehose", false},
    {"sagemaker", "SAGEMAKER", "api.sagemaker", "sagemaker", "SageMaker", "1.1", "SageMaker", false},
    {"emr", "EMR", "elasticmapreduce", "elasticmapreduce", "ElasticMapReduce", "1.1", "Emr", false},
    {"codebuild", "CODEBUILD", "codebuild", "codebuild", "CodeBuild_20161006", "1.1",
     "CodeBuild", true},
    {"cloudtrail", "CLOUDTRAIL", "cloudtrail", "cloudtrail",
     "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", "1.1", "CloudTrail", false},
    {"textract", "TEXTRACT", "textract", "textract", "Textract", "1.1", "Textract", false},
    {"comprehend", "COMPREHEND", "comprehend", "comprehend", "Comprehend_20171127", "1.1",
     "Comprehend", false},
    {"translate", "TRANSLATE", "translate", "translate", "AWSShineFrontendService_20170701",
     "1.1", "Translate", false},
    {"rekognition", "REKOGNITION", "rekognition", "rekognition", "RekognitionService", "1.1",
     "Rekognition", false},
    {"applicationautoscaling", "APPLICATION_AUTO_SCALING", "application-autoscaling",
     "application-autoscaling", "AnyScaleFrontendService", "1.1", "ApplicationAutoScaling", false},
    {"redshiftdata", "REDSHIFT_DATA", "redshift-data", "redshift-data", "RedshiftData", "1.1",
     "RedshiftData", false},
    /* not JSON protocols: no target */
    {"s3", "S3", "s3", "s3", NULL, NULL, "S3", false},
    {"lambda", "LAMBDA", "lambda", "lambda", NULL, NULL, "Lambda", false},
    {"sns", "SNS", "sns", "sns", NULL, NULL, "Sns", false},
};

const rt_aws_service *rt_aws_service_find(const char *sdk)
{
    for (size_t i = 0; i < sizeof services / sizeof *services; i++)
        if (strcmp(services[i].sdk, sdk) == 0)
            return &services[i];
    return NULL;
}

void rt_aws_fail(rt_aws_call *call, const char *error, char *cause)
{
    rt_aws_out *o = call->out;
    cJSON_Delete(o->result);
    o->result = NULL;
    free(o->error);
    free(o->cause);
    o->end = RT_END_DONE;
    o->error = rt_fmt("%s", error);
    o->cause = cause;
}

/* "com.amazon.coral.service#ExpiredTokenException" or
 * "ResourceNotFoundException:http://..." -> the bare code. */
static char *bare_code(const char *t)
{
    const char *h = strrchr(t, '#');
    if (h)
        t = h + 1;
    size_t n = strcspn(t, ":");
    return rt_fmt("%.*s", (int)n, t);
}

void rt_aws_fail_reply(rt_aws_call *call, const char *prefix, const rt_http_result *r)
{
    char *code = NULL, *msg = NULL;
    char perr[160];
    size_t n = r->bodylen;
    const char *b = r->body ? r->body : "";
    while (n && isspace((unsigned char)*b))
        b++, n--;
    if (n && *b == '{') {
        cJSON *j = rt_json_parse(b, n, perr, sizeof perr);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "__type");
        if (!cJSON_IsString(t))
            t = cJSON_GetObjectItemCaseSensitive(j, "code");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
        if (!cJSON_IsString(m))
            m = cJSON_GetObjectItemCaseSensitive(j, "Message");
        if (cJSON_IsString(t))
            code = bare_code(t->valuestring);
        if (cJSON_IsString(m))
            msg = rt_fmt("%s", m->valuestring);
        cJSON_Delete(j);
    } else if (n && *b == '<') {
        rt_xml *x = rt_xml_parse(b, n, perr, sizeof perr);
        /* query: ErrorResponse/Error/Code; REST-XML: Error/Code */
        const rt_xml *e = x && strcmp(x->name, "Error") == 0 ? x : rt_xml_child(x, "Error");
        const char *c = rt_xml_text(e, "Code"), *m = rt_xml_text(e, "Message");
        if (c)
            code = rt_fmt("%s", c);
        if (m)
            msg = rt_fmt("%s", m);
        rt_xml_free(x);
    }
    if (!code) {
        char *h = rt_aws_header(r, "x-amzn-ErrorType");
        if (h) {
            code = bare_code(h);
            free(h);
        }
    }
    char *rid = rt_aws_header(r, "x-amzn-RequestId");
    if (!rid)
        rid = rt_aws_header(r, "x-amz-request-id");
    if (code) {
        size_t cl = strlen(code);
        bool suffixed = cl >= 9 && strcmp(code + cl - 9, "Exception") == 0;
        char *error = rt_fmt("%s.%s%s", prefix, code, suffixed ? "" : "Exception");
        rt_aws_fail(call, error ? error : "States.TaskFailed",
                    rt_fmt("%s (Service: %s, Status Code: %ld, Request ID: %s)",
                           msg ? msg : code, prefix, r->status, rid ? rid : "null"));
        free(error);
    } else {
        size_t bl = r->bodylen;
        rt_aws_fail(call, "States.TaskFailed",
                    rt_fmt("%s answered HTTP %ld%s%.*s%s", prefix, r->status, bl ? ": " : "",
                           (int)(bl > 300 ? 300 : bl), r->body ? r->body : "",
                           bl > 300 ? "..." : ""));
    }
    free(code);
    free(msg);
    free(rid);
}

cJSON *rt_aws_json_call(rt_aws_call *call, const rt_aws_service *svc, const char *action,
                        const cJSON *params, const char *prefix, rt_http_result *keep)
{
    char *body = params ? rt_json_print(params) : rt_fmt("{}");
    char *target = rt_fmt("X-Amz-Target: %s.%s", svc->target, action);
    char *ctype = rt_fmt("application/x-amz-json-%s", svc->json);
    if (!body || !target || !ctype) {
        free(body);
        free(target);
        free(ctype);
        rt_aws_fail(call, "States.Runtime", rt_fmt("Out of memory."));
        return NULL;
    }
    const char *hdrs[] = {target, NULL};
    rt_aws_req q = {.svc = svc, .path = "/", .content_type = ctype, .headers = hdrs,
                    .body = body, .len = strlen(body)};
    rt_http_result r;
    cJSON *res = NULL;
    if (rt_aws_send(call, &q, &r)) {
        if (r.status < 200 || r.status >= 300) {
            rt_aws_fail_reply(call, prefix, &r);
        } else {
            char perr[200] = "";
            size_t n = r.bodylen;
            res = n ? rt_json_parse(r.body, n, perr, sizeof perr) : cJSON_CreateObject();
            if (!res)
                rt_aws_fail(call, "States.TaskFailed",
                            rt_fmt("%s.%s answered invalid JSON (%s)", svc->target, action,
                                   perr));
        }
    }
    free(body);
    free(target);
    free(ctype);
    if (keep) {
        *keep = r;
    } else {
        free(r.body);
        free(r.headers);
    }
    return res;
}

bool rt_aws_add_metadata(cJSON *o, const rt_http_result *r)
{
    cJSON *meta = cJSON_AddObjectToObject(o, "SdkHttpMetadata");
    cJSON *all = meta ? cJSON_AddObjectToObject(meta, "AllHttpHeaders") : NULL;
    cJSON *hh = meta ? cJSON_AddObjectToObject(meta, "HttpHeaders") : NULL;
    if (!all || !hh)
        return false;
    for (const char *p = r->headers; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        if (colon && strncmp(p, "HTTP/", 5) != 0) {
            char *name = rt_fmt("%.*s", (int)(colon - p), p);
            const char *v = colon + 1, *e = p + len;
            while (v < e && isspace((unsigned char)*v))
                v++;
            while (e > v && isspace((unsigned char)e[-1]))
                e--;
            char *val = rt_fmt("%.*s", (int)(e - v), v);
            cJSON *arr = name && val ? cJSON_AddArrayToObject(all, name) : NULL;
            cJSON *s = arr ? cJSON_CreateString(val) : NULL;
            bool ok = s && cJSON_AddItemToArray(arr, s) && cJSON_AddStringToObject(hh, name, val);
            if (!ok)
                cJSON_Delete(s);
            free(name);
            free(val);
            if (!ok)
                return false;
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    char *rid = rt_aws_header(r, "x-amzn-RequestId");
    cJSON *rm = NULL;
    bool ok = cJSON_AddNumberToObject(meta, "HttpStatusCode", (double)r->status) &&
              (rm = cJSON_AddObjectToObject(o, "SdkResponseMetadata")) &&
              cJSON_AddStringToObject(rm, "RequestId", rid ? rid : "");
    free(rid);
    return ok;
}

cJSON *rt_aws_recase(const cJSON *v, bool upper)
{
    cJSON *c = cJSON_Duplicate(v, 1);
    /* walk the copy iteratively: documents may be deep */
    cJSON *stack[128];
    int n = 0;
    if (c)
        stack[n++] = c;
    while (n) {
        cJSON *o = stack[--n];
        for (cJSON *k = o->child; k; k = k->next) {
            if (cJSON_IsObject(o) && k->string && k->string[0])
                k->string[0] = (char)(upper ? toupper((unsigned char)k->string[0])
                                            : tolower((unsigned char)k->string[0]));
            if ((cJSON_IsObject(k) || cJSON_IsArray(k)) && k->child) {
                if (n == 128) {
                    cJSON_Delete(c);
                    return NULL;
                }
                stack[n++] = k;
            }
        }
    }
    return c;
}

void rt_aws_sdk(rt_aws_call *call, const char *service, const char *action, const cJSON *in)
{
    const rt_aws_service *svc = rt_aws_service_find(service);
    if (!svc || !svc->target) {
        rt_aws_fail(call, "States.Runtime",
                    rt_fmt("aws-sdk:%s is not supported with --aws: aslc speaks the AWS JSON "
                           "protocols (sfn, dynamodb, sqs, eventbridge, kinesis, secretsmanager, "
                           "ssm, cloudwatchlogs, glue, athena, ecs, ...) and S3 getObject, "
                           "putObject and listObjectsV2; bind or mock this state instead",
                           service));
        return;
    }
    if (!*action || strchr(action, '.')) {
        rt_aws_fail(call, "States.Runtime",
                    rt_fmt("aws-sdk:%s:%s: only the request-response pattern is supported "
                           "with --aws",
                           service, action));
        return;
    }
    char *op = rt_fmt("%s", action);
    if (!op) {
        rt_aws_fail(call, "States.Runtime", rt_fmt("Out of memory."));
        return;
    }
    op[0] = (char)toupper((unsigned char)op[0]);
    cJSON *params = svc->camel && cJSON_IsObject(in) ? rt_aws_recase(in, false) : NULL;
    cJSON *res = NULL;
    if (svc->camel && cJSON_IsObject(in) && !params)
        rt_aws_fail(call, "States.Runtime", rt_fmt("Out of memory."));
    else
        res = rt_aws_json_call(call, svc, op, params ? params : cJSON_IsObject(in) ? in : NULL,
                               svc->errors, NULL);
    free(op);
    cJSON_Delete(params);
    if (res && svc->camel) {
        cJSON *r = rt_aws_recase(res, true);
        cJSON_Delete(res);
        if (!(res = r))
            rt_aws_fail(call, "States.Runtime", rt_fmt("Out of memory."));
    }
    if (res)
        call->out->result = res;
}

void rt_aws_task(asl_exec *x, const rt_resource *ri, const char *resource, const cJSON *in,
                 const cJSON *credentials, const rt_limits *lim, rt_aws_out *out)
{
    memset(out, 0, sizeof *out);
    out->end = RT_END_DONE;
    rt_aws_call call = {.lim = lim,
                        .exec_name = x->run ? x->run->execution_name : NULL,
                        .out = out};
    char *err = rt_aws_resolve(&call.creds);
    if (err) {
        rt_aws_fail(&call, "States.TaskFailed", rt_fmt("--aws: %s", err));
        free(err);
        return;
    }
    const cJSON *role = cJSON_IsObject(credentials)
                            ? cJSON_GetObjectItemCaseSensitive(credentials, "RoleArn")
                            : NULL;
    if (credentials && !cJSON_IsString(role)) {
        rt_aws_fail(&call, "States.Runtime",
                    rt_fmt("Credentials must be an object with a string RoleArn"));
    } else if (role && !rt_aws_assume_role(&call, role->valuestring)) {
        /* call.out holds why */
    } else if (ri->kind == RT_RES_LAMBDA) {
        rt_aws_lambda_arn(&call, resource, in);
    } else if (ri->kind == RT_RES_ACTIVITY) {
        rt_aws_fail(&call, "States.Runtime",
                    rt_fmt("activities are not supported with --aws (no worker polls '%s'); "
                           "bind or mock this state",
                           resource));
    } else if (strcmp(ri->type, "aws-sdk:s3") == 0) {
        rt_aws_s3(&call, ri->action, in);
    } else if (strncmp(ri->type, "aws-sdk:", 8) == 0) {
        rt_aws_sdk(&call, ri->type + 8, ri->action, in);
    } else {
        rt_aws_optimized(&call, ri->type, ri->action, in);
    }
    if (out->error || out->end != RT_END_DONE) {
        cJSON_Delete(out->result);
        out->result = NULL;
    }
    rt_aws_creds_clear(&call.creds);
}
