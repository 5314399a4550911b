/*
 * aws.h - internal interface of the Tasks that call real AWS (--aws, or a
 * bindings entry {"aws": true}), shared by the aws*.c files and the one
 * hook in task.c:
 *   aws_config.c        credentials, region and endpoints as the AWS SDKs
 *                       find them; the signed request (rt_aws_send); STS
 *                       AssumeRole for a Task's Credentials
 *   aws_services.c      the service table of aws-sdk:SERVICE:ACTION, the
 *                       JSON protocols and AWS's error names
 *   aws_integrations.c  the optimized integrations (lambda, sns, sqs,
 *                       dynamodb, events, states incl. .sync)
 *   aws_s3.c            S3 GetObject / PutObject / ListObjectsV2 (REST-XML)
 *   aws_sign.c          the signature of the requests libcurl signs wrongly
 *   aws_xml.c           the small XML reader and form encoding the query
 *                       and REST-XML protocols need
 * Every request goes through rt_http_send (http.c), signed by libcurl's
 * CURLOPT_AWS_SIGV4.
 *
 * Layer: effects
 */
#ifndef ASLRT_AWS_H
#define ASLRT_AWS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "dispatch.h"
#include "values.h"

/* Credentials and region for one call. */
typedef struct rt_aws_creds {
    char akid[160];
    char secret[160];
    char *token;          /* session token, malloc'd, or 0 */
    char region[64];
    char from[160];       /* where they came from, for messages */
} rt_aws_creds;

/* Resolves credentials and region as the SDKs do: the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; AWS_REGION,
 * AWS_DEFAULT_REGION; in Lambda these are the function's own), then the
 * profile AWS_PROFILE (default "default") of AWS_SHARED_CREDENTIALS_FILE
 * (~/.aws/credentials) and AWS_CONFIG_FILE (~/.aws/config). Returns a
 * malloc'd message when none are found. */
char *rt_aws_resolve(rt_aws_creds *c);
void rt_aws_creds_clear(rt_aws_creds *c);

/* A service as the endpoint resolution and the signer see it. */
typedef struct rt_aws_service {
    const char *sdk;       /* aws-sdk name in a Resource: "sqs", "sfn", ... */
    const char *id;        /* AWS_ENDPOINT_URL_<id>: "SQS", "SECRETS_MANAGER" */
    const char *host;      /* endpoint prefix: https://<host>.<region>.amazonaws.com */
    const char *signing;   /* SigV4 signing name */
    const char *target;    /* JSON protocols: X-Amz-Target prefix; 0 otherwise */
    const char *json;      /* "1.0" / "1.1" (application/x-amz-json-X) */
    const char *errors;    /* aws-sdk error prefix: "Sqs" -> Sqs.XException */
    bool camel;            /* the API's members are camelCase (sfn, logs, ecs,
                            * ecr, codebuild): Step Functions' PascalCase
                            * names are turned into them, and back */
} rt_aws_service;

/* The service named [sdk] (aws-sdk name), or 0. */
const rt_aws_service *rt_aws_service_find(const char *sdk);

/* One signed request. */
typedef struct rt_aws_req {
    const rt_aws_service *svc;
    const char *method;       /* 0: POST */
    const char *path;         /* "/..." with its query string, already encoded */
    const char *host_prefix;  /* S3 virtual-hosted style: "BUCKET." on AWS */
    const char *content_type;
    const char *const *headers; /* extra "Name: value" lines, NULL-terminated */
    const char *body;
    size_t len;
} rt_aws_req;

/* The outcome of an AWS Task: a result, an error, or a stop. */
typedef struct rt_aws_out {
    rt_end end;               /* DONE (result or error), or a stop */
    cJSON *result;            /* DONE without error: owned */
    char *error, *cause;      /* DONE with error: malloc'd (cause may be 0) */
} rt_aws_out;

/* The run-wide parts of a call. */
typedef struct rt_aws_call {
    rt_aws_creds creds;
    const rt_limits *lim;
    const char *exec_name;    /* for AssumeRole's RoleSessionName */
    rt_aws_out *out;
} rt_aws_call;

/* Sends [q] signed for [call]'s credentials and region; fills [r] (reply
 * headers kept). The URL is AWS_ENDPOINT_URL_<id>, AWS_ENDPOINT_URL or
 * AWS's. Returns false (and sets call->out to the error or stop) when the
 * request did not complete. */
bool rt_aws_send(rt_aws_call *call, const rt_aws_req *q, rt_http_result *r);
/* The endpoint URL (no trailing slash) of [svc] in [region]; [custom] says
 * whether it came from AWS_ENDPOINT_URL*. Malloc'd. */
char *rt_aws_endpoint(const rt_aws_service *svc, const char *region, bool *custom);
/* The value of reply header [name] in r->headers, malloc'd, or 0. */
char *rt_aws_header(const rt_http_result *r, const char *name);

/* aws_sign.c: the X-Amz-Date and Authorization header lines (malloc'd,
 * NULL-terminated) of a request libcurl cannot sign (a percent-encoded
 * path outside S3), or 0 when out of memory or without Nettle. */
char **rt_aws_sign(const rt_aws_creds *c, const char *signing, const char *method,
                   const char *url, const char *content_type, const char *const *extra,
                   const char *body, size_t len);

/* Replaces call->creds by those of role [role_arn] (STS AssumeRole). */
bool rt_aws_assume_role(rt_aws_call *call, const char *role_arn);

/* Sets call->out to error [error] with cause [cause] (taken). */
void rt_aws_fail(rt_aws_call *call, const char *error, char *cause);
/* Sets call->out's error from a failed AWS reply: "<prefix>.<Code>Exception"
 * (the suffix added when the code lacks it), the cause the service's
 * message. Reads JSON, XML (query, REST-XML) and header-only errors. */
void rt_aws_fail_reply(rt_aws_call *call, const char *prefix, const rt_http_result *r);

/* A JSON-protocol call of [action] ("SendMessage") on [svc] with [params];
 * on success returns the parsed reply ({} when empty); on failure 0, with
 * call->out set, the error named with [prefix]. */
cJSON *rt_aws_json_call(rt_aws_call *call, const rt_aws_service *svc, const char *action,
                        const cJSON *params, const char *prefix, rt_http_result *keep);

/* A deep copy of [v] whose object keys start lower-case ([upper] false) or
 * upper-case; 0 when out of memory. */
cJSON *rt_aws_recase(const cJSON *v, bool upper);

/* Adds SdkHttpMetadata and SdkResponseMetadata from reply [r] to [o], as
 * Step Functions' optimized integrations show them. */
bool rt_aws_add_metadata(cJSON *o, const rt_http_result *r);

/* aws-sdk:SERVICE:ACTION and the optimized integrations. [type] and
 * [action] as rt_resource names them. */
void rt_aws_sdk(rt_aws_call *call, const char *service, const char *action, const cJSON *in);
void rt_aws_optimized(rt_aws_call *call, const char *type, const char *action,
                      const cJSON *in);
/* A Lambda function ARN as the Resource: the payload in, the payload out. */
void rt_aws_lambda_arn(rt_aws_call *call, const char *arn, const cJSON *in);
/* aws-sdk:s3:getObject / putObject / listObjectsV2. */
void rt_aws_s3(rt_aws_call *call, const char *action, const cJSON *in);

/* ==== aws_xml.c ============================================================ */
typedef struct rt_xml rt_xml;
struct rt_xml {
    char *name;               /* element name (namespace prefix kept) */
    char *text;               /* its text content (entities decoded) */
    rt_xml *child, *next;
};
/* Parses [text]; 0 with a message in [err] on malformed XML. */
rt_xml *rt_xml_parse(const char *text, size_t len, char *err, size_t errlen);
void rt_xml_free(rt_xml *x);
/* The first child element of [x] named [name], or 0. */
const rt_xml *rt_xml_child(const rt_xml *x, const char *name);
/* The text of the descendant at [path] ("A/B/C"), or 0. */
const char *rt_xml_text(const rt_xml *x, const char *path);
/* [s] percent-encoded as SigV4 wants (unreserved A-Z a-z 0-9 - _ . ~ kept;
 * '/' kept too when [keep_slash]). Malloc'd. */
char *rt_aws_uri_encode(const char *s, bool keep_slash);

/* ==== the task.c hook ====================================================== */
/* Runs Task [resource] (classified as [ri]) against AWS with effective
 * input [in]; [credentials] is the Task's evaluated Credentials or 0. */
void rt_aws_task(asl_exec *x, const rt_resource *ri, const char *resource, const cJSON *in,
                 const cJSON *credentials, const rt_limits *lim, rt_aws_out *out);

#endif
