/*
 * aws_s3.c - aws-sdk:s3:getObject, putObject and listObjectsV2 against
 * Amazon S3 (REST-XML), with results shaped like the SDK's: GetObject's
 * Body as text with ContentLength, ContentType, ETag, LastModified and
 * Metadata from the reply headers; PutObject's ETag (and VersionId);
 * ListObjectsV2's Contents, CommonPrefixes, KeyCount, IsTruncated, ...
 * from the ListBucketResult document. Errors are S3.<Code>Exception
 * (S3.NoSuchKeyException), as Step Functions names them.
 *
 * On AWS the bucket is in the host name (virtual-hosted style); with
 * AWS_ENDPOINT_URL(_S3), or a bucket name with dots, it is the first path
 * segment (path style), which every S3 emulator accepts. The payload hash goes in
 * x-amz-content-sha256, which S3 requires and libcurl signs.
 *
 * Layer: effects. Called by aws_services.c (rt_aws_task).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws.h"
#include "dynlib.h"
#include "rt.h"

static void oom(rt_aws_call *call)
{
    rt_aws_fail(call, "States.Runtime", rt_fmt("Out of memory."));
}

/* "x-amz-content-sha256: <hex>" of [body], or 0. */
static char *sha256_header(const char *body, size_t len)
{
    unsigned char md[32];
    if (!rt_sha256(body ? body : "", len, md))
        return NULL;
    char hex[65];
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return rt_fmt("x-amz-content-sha256: %s", hex);
}

static const char *str_field(const cJSON *in, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Sends [method] on [bucket]/[key_path] with the sorted, encoded [query]
 * (may be ""); fills [r]. */
static bool s3_send(rt_aws_call *call, const char *method, const char *bucket,
                    const char *key, const char *query, const char *const *extra,
                    const char *ctype, const char *body, size_t len, rt_http_result *r)
{
    const rt_aws_service *s3 = rt_aws_service_find("s3");
    bool custom;
    char *base = rt_aws_endpoint(s3, call->creds.region, &custom);
    free(base);
    /* a bucket name with dots breaks the TLS host name: path style, as the
     * SDKs do */
    bool path_style = custom || strchr(bucket, '.');
    char *ek = key ? rt_aws_uri_encode(key, true) : rt_fmt("%s", "");
    char *eb = rt_aws_uri_encode(bucket, false);
    char *path = !ek || !eb ? NULL
                 : path_style ? rt_fmt("/%s/%s%s%s", eb, ek, *query ? "?" : "", query)
                            : rt_fmt("/%s%s%s", ek, *query ? "?" : "", query);
    char *host = path_style || !eb ? NULL : rt_fmt("%s.", eb);
    char *sha = sha256_header(body, len);
    const char *hdrs[8];
    int n = 0;
    if (sha)
        hdrs[n++] = sha;
    for (const char *const *h = extra; h && *h && n < 6; h++)
        hdrs[n++] = *h;
    hdrs[n] = NULL;
    bool ok = false;
    if (!path || (!path_style && !host)) {
        oom(call);
    } else if (!sha) {
        rt_aws_fail(call, "States.Runtime",
                    rt_fmt("S3 requests need SHA-256: %s", rt_dynlib_error()));
    } else {
        rt_aws_req q = {.svc = s3, .method = method, .path = path, .host_prefix = host,
                        .content_type = ctype ? ctype : "application/octet-stream",
                        .headers = hdrs,
                        .body = body, .len = len};
        ok = rt_aws_send(call, &q, r);
        if (ok && (r->status < 200 || r->status >= 300)) {
            if (r->status == 404 && !r->bodylen)
                rt_aws_fail(call, "S3.NoSuchKeyException",
                            rt_fmt("The specified key does not exist. (Service: S3, Status "
                                   "Code: 404)"));
            else
                rt_aws_fail_reply(call, "S3", r);
            ok = false;
        }
    }
    free(ek);
    free(eb);
    free(path);
    free(host);
    free(sha);
    return ok;
}

/* Adds reply header [h] as string field [name] when present. */
static bool add_header(cJSON *o, const rt_http_result *r, const char *h, const char *name,
                       bool number)
{
    char *v = rt_aws_header(r, h);
    bool ok = !v || (number ? cJSON_AddNumberToObject(o, name, strtod(v, NULL)) != NULL
                            : cJSON_AddStringToObject(o, name, v) != NULL);
    free(v);
    return ok;
}

static void get_object(rt_aws_call *call, const char *bucket, const char *key,
                       const cJSON *in)
{
    const char *ver = str_field(in, "VersionId");
    char *ev = ver ? rt_aws_uri_encode(ver, false) : NULL;
    char *query = ev ? rt_fmt("versionId=%s", ev) : rt_fmt("%s", "");
    free(ev);
    const char *range = str_field(in, "Range");
    char *rh = range ? rt_fmt("Range: %s", range) : NULL;
    const char *extra[] = {rh, NULL};
    rt_http_result r = {0};
    if (!query) {
        oom(call);
    } else if (s3_send(call, "GET", bucket, key, query, extra, NULL, NULL, 0, &r)) {
        cJSON *o = cJSON_CreateObject();
        cJSON *meta = NULL;
        bool ok = o && add_header(o, &r, "Accept-Ranges", "AcceptRanges", false) &&
                  cJSON_AddStringToObject(o, "Body", r.body ? r.body : "") &&
                  cJSON_AddNumberToObject(o, "ContentLength", (double)r.bodylen) &&
                  add_header(o, &r, "Content-Range", "ContentRange", false) &&
                  add_header(o, &r, "Content-Type", "ContentType", false) &&
                  add_header(o, &r, "ETag", "ETag", false) &&
                  add_header(o, &r, "Last-Modified", "LastModified", false) &&
                  (meta = cJSON_AddObjectToObject(o, "Metadata")) &&
                  add_header(o, &r, "x-amz-version-id", "VersionId", false);
        /* x-amz-meta-NAME headers are the object's metadata */
        for (const char *p = r.headers; ok && p && *p;) {
            const char *eol = strchr(p, '\n');
            size_t len = eol ? (size_t)(eol - p) : strlen(p);
            const char *colon = memchr(p, ':', len);
            if (colon && len > 11 && strncasecmp(p, "x-amz-meta-", 11) == 0) {
                char *name = rt_fmt("%.*s", (int)(colon - p - 11), p + 11);
                const char *vs = colon + 1, *ve = p + len;
                while (vs < ve && isspace((unsigned char)*vs))
                    vs++;
                while (ve > vs && isspace((unsigned char)ve[-1]))
                    ve--;
                char *val = rt_fmt("%.*s", (int)(ve - vs), vs);
                for (char *c = name; c && *c; c++)
                    *c = (char)tolower((unsigned char)*c);
                ok = name && val && cJSON_AddStringToObject(meta, name, val);
                free(name);
                free(val);
            }
            if (!eol)
                break;
            p = eol + 1;
        }
        if (ok) {
            call->out->result = o;
        } else {
            cJSON_Delete(o);
            oom(call);
        }
    }
    free(query);
    free(rh);
    free(r.body);
    free(r.headers);
}

static void put_object(rt_aws_call *call, const char *bucket, const char *key,
                       const cJSON *in)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(in, "Body");
    char *body = !b ? rt_fmt("%s", "") : cJSON_IsString(b) ? rt_fmt("%s", b->valuestring)
                                                         : rt_json_print(b);
    const char *ct = str_field(in, "ContentType");
    rt_http_result r = {0};
    if (!body || (ct && strpbrk(ct, "\r\n"))) {
        rt_aws_fail(call, "States.Runtime",
                    body ? rt_fmt("ContentType must be one line") : rt_fmt("Out of memory."));
    } else if (s3_send(call, "PUT", bucket, key, "", NULL, ct, body, strlen(body), &r)) {
        cJSON *o = cJSON_CreateObject();
        if (o && add_header(o, &r, "ETag", "ETag", false) &&
            add_header(o, &r, "x-amz-server-side-encryption", "ServerSideEncryption", false) &&
            add_header(o, &r, "x-amz-version-id", "VersionId", false)) {
            call->out->result = o;
        } else {
            cJSON_Delete(o);
            oom(call);
        }
    }
    free(body);
    free(r.body);
    free(r.headers);
}

/* Appends "&name=value" to the query (in the order given: sorted). */
static bool query_add(char **q, const char *name, const char *value)
{
    if (!value)
        return true;
    char *ev = rt_aws_uri_encode(value, false);
    char *n = ev ? rt_fmt("%s%s%s=%s", *q, **q ? "&" : "", name, ev) : NULL;
    free(ev);
    if (!n)
        return false;
    free(*q);
    *q = n;
    return true;
}

static bool add_xml_field(cJSON *o, const rt_xml *x, const char *name, char kind)
{
    const char *t = rt_xml_text(x, name);
    if (!t)
        return true;
    if (kind == 'n')
        return cJSON_AddNumberToObject(o, name, strtod(t, NULL)) != NULL;
    if (kind == 'b')
        return cJSON_AddBoolToObject(o, name, strcmp(t, "true") == 0) != NULL;
    return cJSON_AddStringToObject(o, name, t) != NULL;
}

static void list_objects(rt_aws_call *call, const char *bucket, const cJSON *in)
{
    char num[32] = "";
    const cJSON *mk = cJSON_GetObjectItemCaseSensitive(in, "MaxKeys");
    if (cJSON_IsNumber(mk))
        snprintf(num, sizeof num, "%ld", (long)mk->valuedouble);
    char *q = rt_fmt("%s", "");
    /* the canonical (sorted) order */
    bool ok = q && query_add(&q, "continuation-token", str_field(in, "ContinuationToken")) &&
              query_add(&q, "delimiter", str_field(in, "Delimiter")) &&
              query_add(&q, "list-type", "2") &&
              query_add(&q, "max-keys", num[0] ? num : NULL) &&
              query_add(&q, "prefix", str_field(in, "Prefix")) &&
              query_add(&q, "start-after", str_field(in, "StartAfter"));
    rt_http_result r = {0};
    if (!ok) {
        oom(call);
    } else if (s3_send(call, "GET", bucket, NULL, q, NULL, NULL, NULL, 0, &r)) {
        char perr[160] = "";
        rt_xml *x = rt_xml_parse(r.body ? r.body : "", r.bodylen, perr, sizeof perr);
        cJSON *o = x ? cJSON_CreateObject() : NULL;
        cJSON *contents = NULL, *prefixes = NULL;
        ok = o && (contents = cJSON_CreateArray()) && (prefixes = cJSON_CreateArray());
        for (const rt_xml *c = x ? x->child : NULL; ok && c; c = c->next) {
            cJSON *e = NULL;
            if (strcmp(c->name, "Contents") == 0) {
                ok = (e = cJSON_CreateObject()) && cJSON_AddItemToArray(contents, e) &&
                     add_xml_field(e, c, "ETag", 's') && add_xml_field(e, c, "Key", 's') &&
                     add_xml_field(e, c, "LastModified", 's') &&
                     add_xml_field(e, c, "Size", 'n') &&
                     add_xml_field(e, c, "StorageClass", 's');
            } else if (strcmp(c->name, "CommonPrefixes") == 0) {
                ok = (e = cJSON_CreateObject()) && cJSON_AddItemToArray(prefixes, e) &&
                     add_xml_field(e, c, "Prefix", 's');
            }
        }
        if (ok && cJSON_GetArraySize(prefixes) > 0) {
            ok = cJSON_AddItemToObject(o, "CommonPrefixes", prefixes);
            prefixes = ok ? NULL : prefixes;
        }
        if (ok && cJSON_GetArraySize(contents) > 0) {
            ok = cJSON_AddItemToObject(o, "Contents", contents);
            contents = ok ? NULL : contents;
        }
        ok = ok && add_xml_field(o, x, "ContinuationToken", 's') &&
             add_xml_field(o, x, "Delimiter", 's') && add_xml_field(o, x, "IsTruncated", 'b') &&
             add_xml_field(o, x, "KeyCount", 'n') && add_xml_field(o, x, "MaxKeys", 'n') &&
             add_xml_field(o, x, "Name", 's') &&
             add_xml_field(o, x, "NextContinuationToken", 's') &&
             add_xml_field(o, x, "Prefix", 's') && add_xml_field(o, x, "StartAfter", 's');
        cJSON_Delete(contents);
        cJSON_Delete(prefixes);
        if (!x) {
            rt_aws_fail(call, "States.TaskFailed",
                        rt_fmt("S3 ListObjectsV2 answered invalid XML: %s", perr));
        } else if (ok) {
            call->out->result = o;
            o = NULL;
        } else {
            oom(call);
        }
        cJSON_Delete(o);
        rt_xml_free(x);
    }
    free(q);
    free(r.body);
    free(r.headers);
}

void rt_aws_s3(rt_aws_call *call, const char *action, const cJSON *in)
{
    const char *bucket = str_field(in, "Bucket"), *key = str_field(in, "Key");
    bool list = strcmp(action, "listObjectsV2") == 0;
    bool get = strcmp(action, "getObject") == 0, put = strcmp(action, "putObject") == 0;
    if (!list && !get && !put) {
        rt_aws_fail(call, "States.Runtime",
                    rt_fmt("aws-sdk:s3:%s is not supported with --aws (getObject, putObject "
                           "and listObjectsV2 are); bind or mock this state",
                           action));
    } else if (!bucket || !*bucket || (!list && (!key || !*key))) {
        rt_aws_fail(call, "States.Runtime",
                    rt_fmt("aws-sdk:s3:%s needs a string Bucket%s in its Parameters", action,
                           list ? "" : " and Key"));
    } else if (get) {
        get_object(call, bucket, key, in);
    } else if (put) {
        put_object(call, bucket, key, in);
    } else {
        list_objects(call, bucket, in);
    }
}
