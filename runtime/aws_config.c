/*
 * aws_config.c - where a Task that calls AWS finds its credentials, region
 * and endpoint, as the AWS SDKs find them, and the signed request itself.
 *
 * Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and
 * AWS_SESSION_TOKEN) in the environment - in AWS Lambda that is the
 * function's role - else the profile AWS_PROFILE ("default") in the shared
 * files: AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials, section [NAME])
 * and AWS_CONFIG_FILE (~/.aws/config, section [profile NAME], [default]).
 * Region: AWS_REGION, AWS_DEFAULT_REGION, the profile's "region".
 * Endpoint: AWS_ENDPOINT_URL_<SERVICE_ID>, AWS_ENDPOINT_URL (ignored when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true), else
 * https://<prefix>.<region>.amazonaws.com (.amazonaws.com.cn in China).
 *
 * Signing is libcurl's (CURLOPT_AWS_SIGV4 through rt_http_send); a session
 * token travels as X-Amz-Security-Token, which curl signs with the other
 * headers. A Task's Credentials.RoleArn is assumed through STS AssumeRole
 * (query protocol) before the call; the role's keys are kept (8 roles,
 * until 5 minutes before they expire) for the Tasks that follow.
 *
 * Layer: effects. Called by the other aws*.c files.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws.h"
#include "dynlib.h"
#include "rt.h"

void rt_aws_creds_clear(rt_aws_creds *c)
{
    free(c->token);
    memset(c, 0, sizeof *c);
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* Looks [key] up in section [section] of INI file [path]; copies the value
 * into [out] (n bytes). A missing file is not an error. */
static bool ini_get(const char *path, const char *section, const char *key, char *out, size_t n)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return false;
    char line[4096];
    bool in = false, found = false;
    while (!found && fgets(line, sizeof line, f)) {
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        size_t len = strlen(s);
        while (len && isspace((unsigned char)s[len - 1]))
            s[--len] = '\0';
        if (*s == '#' || *s == ';' || !*s)
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (!end)
                continue;
            *end = '\0';
            char *name = s + 1;
            while (isspace((unsigned char)*name))
                name++;
            size_t nl = strlen(name);
            while (nl && isspace((unsigned char)name[nl - 1]))
                name[--nl] = '\0';
            in = strcmp(name, section) == 0;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!in || !eq)
            continue;
        char *k = s, *ke = eq;
        while (ke > k && isspace((unsigned char)ke[-1]))
            ke--;
        char *v = eq + 1;
        while (isspace((unsigned char)*v))
            v++;
        if ((size_t)(ke - k) == strlen(key) && strncmp(k, key, (size_t)(ke - k)) == 0) {
            snprintf(out, n, "%s", v);
            found = true;
        }
    }
    fclose(f);
    return found;
}

static char *home_file(const char *var, const char *rel)
{
    const char *p = env(var);
    if (p)
        return rt_fmt("%s", p);
    const char *home = env("HOME");
    return home ? rt_fmt("%s/%s", home, rel) : NULL;
}

char *rt_aws_resolve(rt_aws_creds *c)
{
    memset(c, 0, sizeof *c);
    const char *profile = env("AWS_PROFILE") ? env("AWS_PROFILE") : "default";
    char *cred_file = home_file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
    char *conf_file = home_file("AWS_CONFIG_FILE", ".aws/config");
    char *conf_section = strcmp(profile, "default") == 0 ? rt_fmt("default")
                                                         : rt_fmt("profile %s", profile);
    char *err = NULL;
    if (!conf_section) {
        err = rt_fmt("out of memory");
        goto out;
    }
    const char *ak = env("AWS_ACCESS_KEY_ID"), *sk = env("AWS_SECRET_ACCESS_KEY");
    char token[4096] = "";
    if (ak && sk) {
        snprintf(c->akid, sizeof c->akid, "%s", ak);
        snprintf(c->secret, sizeof c->secret, "%s", sk);
        if (env("AWS_SESSION_TOKEN"))
            snprintf(token, sizeof token, "%s", env("AWS_SESSION_TOKEN"));
        snprintf(c->from, sizeof c->from, "the environment (AWS_ACCESS_KEY_ID)");
    } else if (ini_get(cred_file, profile, "aws_access_key_id", c->akid, sizeof c->akid) &&
               ini_get(cred_file, profile, "aws_secret_access_key", c->secret, sizeof c->secret)) {
        ini_get(cred_file, profile, "aws_session_token", token, sizeof token);
        snprintf(c->from, sizeof c->from, "profile '%s' of %s", profile, cred_file);
    } else if (ini_get(conf_file, conf_section, "aws_access_key_id", c->akid, sizeof c->akid) &&
               ini_get(conf_file, conf_section, "aws_secret_access_key", c->secret,
                       sizeof c->secret)) {
        ini_get(conf_file, conf_section, "aws_session_token", token, sizeof token);
        snprintf(c->from, sizeof c->from, "profile '%s' of %s", profile, conf_file);
    } else {
        err = rt_fmt("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                     "AWS_PROFILE with keys in %s or %s (profile '%s' has none)",
                     cred_file ? cred_file : "~/.aws/credentials",
                     conf_file ? conf_file : "~/.aws/config", profile);
        goto out;
    }
    if (token[0] && !(c->token = rt_fmt("%s", token))) {
        err = rt_fmt("out of memory");
        goto out;
    }
    const char *region = env("AWS_REGION") ? env("AWS_REGION") : env("AWS_DEFAULT_REGION");
    if (region)
        snprintf(c->region, sizeof c->region, "%s", region);
    else if (!ini_get(conf_file, conf_section, "region", c->region, sizeof c->region))
        err = rt_fmt("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or \"region\" in "
                     "profile '%s' of %s",
                     profile, conf_file ? conf_file : "~/.aws/config");
    for (const char *p = c->region; !err && *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-')
            err = rt_fmt("invalid AWS region '%s'", c->region);
out:
    free(cred_file);
    free(conf_file);
    free(conf_section);
    if (err)
        rt_aws_creds_clear(c);
    return err;
}

char *rt_aws_endpoint(const rt_aws_service *svc, const char *region, bool *custom)
{
    *custom = false;
    const char *ign = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (!ign || strcasecmp(ign, "true") != 0) {
        char name[96];
        snprintf(name, sizeof name, "AWS_ENDPOINT_URL_%s", svc->id);
        const char *u = env(name) ? env(name) : env("AWS_ENDPOINT_URL");
        if (u) {
            *custom = true;
            size_t n = strlen(u);
            while (n && u[n - 1] == '/')
                n--;
            return rt_fmt("%.*s", (int)n, u);
        }
    }
    bool cn = strncmp(region, "cn-", 3) == 0;
    return rt_fmt("https://%s.%s.amazonaws.com%s", svc->host, region, cn ? ".cn" : "");
}

char *rt_aws_header(const rt_http_result *r, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            const char *e = p + len;
            while (v < e && isspace((unsigned char)*v))
                v++;
            while (e > v && isspace((unsigned char)e[-1]))
                e--;
            return rt_fmt("%.*s", (int)(e - v), v);
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return NULL;
}

bool rt_aws_send(rt_aws_call *call, const rt_aws_req *q, rt_http_result *r)
{
    const rt_aws_creds *c = &call->creds;
    bool custom;
    char *base = rt_aws_endpoint(q->svc, c->region, &custom);
    char *url = NULL, *sigv4 = NULL, *userpwd = NULL, *tok = NULL;
    if (base && q->host_prefix && !custom) {
        /* https://s3.REGION... -> https://BUCKET.s3.REGION... */
        url = rt_fmt("https://%s%s%s", q->host_prefix, base + 8, q->path);
    } else if (base) {
        url = rt_fmt("%s%s", base, q->path);
    }
    sigv4 = rt_fmt("aws:amz:%s:%s", c->region, q->svc->signing);
    userpwd = rt_fmt("%s:%s", c->akid, c->secret);
    if (c->token)
        tok = rt_fmt("X-Amz-Security-Token: %s", c->token);
    const char *hdrs[24];
    int n = 0;
    for (const char *const *h = q->headers; h && *h && n < 20; h++)
        hdrs[n++] = *h;
    if (tok)
        hdrs[n++] = tok;
    hdrs[n] = NULL;
    /* libcurl 7.88 does not encode a percent-encoded path again, as AWS's
     * canonical form of it does outside S3: such requests are signed here. */
    size_t plen = strcspn(q->path, "?");
    bool own = strcmp(q->svc->signing, "s3") != 0 && memchr(q->path, '%', plen);
    char **signed_hdrs = own && url ? rt_aws_sign(c, q->svc->signing, q->method ? q->method : "POST",
                                                  url, q->content_type, hdrs, q->body, q->len)
                                    : NULL;
    for (char **s = signed_hdrs; s && *s && n < 23; s++)
        hdrs[n++] = *s;
    hdrs[n] = NULL;
    bool ok = false;
    memset(r, 0, sizeof *r);
    if (!url || !sigv4 || !userpwd || (c->token && !tok) || (own && !signed_hdrs)) {
        rt_aws_fail(call, "States.Runtime",
                    own && !signed_hdrs && url ? rt_fmt("cannot sign %s: %s", url,
                                                        rt_dynlib_error())
                                               : rt_fmt("Out of memory."));
    } else {
        rt_http_req req = {.method = q->method ? q->method : "POST",
                           .url = url,
                           .content_type = q->content_type,
                           .headers = (char *const *)hdrs,
                           .sigv4 = own ? NULL : sigv4,
                           .userpwd = own ? NULL : userpwd,
                           .keep_headers = true};
        rt_http_send(&req, q->body, q->len, call->lim, r);
        if (r->end == RT_END_DONE) {
            ok = true;
        } else if (r->end == RT_END_FAILED) {
            rt_aws_fail(call, "States.TaskFailed",
                        rt_fmt("%s %s failed: %s", req.method, url, r->msg));
        } else if (r->end == RT_END_TOO_BIG) {
            rt_aws_fail(call, "States.DataLimitExceeded",
                        rt_fmt("The reply of %s %s exceeded %d bytes", req.method, url,
                               RT_HANDLER_MAX_OUTPUT));
        } else {
            call->out->end = r->end;
        }
    }
    free(base);
    free(url);
    free(sigv4);
    if (userpwd) {
        memset(userpwd, 0, strlen(userpwd));
        free(userpwd);
    }
    free(tok);
    for (char **s = signed_hdrs; s && *s; s++)
        free(*s);
    free(signed_hdrs);
    return ok;
}

/* ---- STS AssumeRole */

static const rt_aws_service sts_service = {
    .sdk = "sts", .id = "STS", .host = "sts", .signing = "sts", .errors = "Sts"};

/* Assumed roles, kept until 5 minutes before they expire, so that a Map
 * whose iterations run as one role asks STS once, not once per item. */
typedef struct role_entry {
    char *role_arn;
    char source[160];          /* the access key that assumed it */
    rt_aws_creds creds;
    time_t expires;
} role_entry;
static role_entry roles[8];
static unsigned next_role;
static pthread_mutex_t roles_lock = PTHREAD_MUTEX_INITIALIZER;

static bool role_cached(rt_aws_call *call, const char *role_arn)
{
    bool hit = false;
    pthread_mutex_lock(&roles_lock);
    time_t now = time(NULL);
    for (size_t i = 0; !hit && i < sizeof roles / sizeof *roles; i++) {
        role_entry *e = &roles[i];
        if (e->role_arn && strcmp(e->role_arn, role_arn) == 0 &&
            strcmp(e->source, call->creds.akid) == 0 && now + 300 < e->expires) {
            char *t = e->creds.token ? rt_fmt("%s", e->creds.token) : NULL;
            if (t || !e->creds.token) {
                snprintf(call->creds.akid, sizeof call->creds.akid, "%s", e->creds.akid);
                snprintf(call->creds.secret, sizeof call->creds.secret, "%s", e->creds.secret);
                free(call->creds.token);
                call->creds.token = t;
                hit = true;
            }
        }
    }
    pthread_mutex_unlock(&roles_lock);
    return hit;
}

static void role_store(const char *role_arn, const char *source, const rt_aws_creds *c,
                       time_t expires)
{
    pthread_mutex_lock(&roles_lock);
    role_entry *e = &roles[next_role++ % (sizeof roles / sizeof *roles)];
    free(e->role_arn);
    rt_aws_creds_clear(&e->creds);
    e->role_arn = rt_fmt("%s", role_arn);
    e->creds = *c;
    e->creds.token = c->token ? rt_fmt("%s", c->token) : NULL;
    snprintf(e->source, sizeof e->source, "%s", source);
    e->expires = e->role_arn && (e->creds.token || !c->token) ? expires : 0;
    pthread_mutex_unlock(&roles_lock);
}

/* "2026-12-03T14:00:00Z" as a time; [fallback] when it is not one. */
static time_t iso_time(const char *s, time_t fallback)
{
    struct tm tm = {0};
    if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                     &tm.tm_min, &tm.tm_sec) != 6)
        return fallback;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    return t == (time_t)-1 ? fallback : t;
}

bool rt_aws_assume_role(rt_aws_call *call, const char *role_arn)
{
    if (role_cached(call, role_arn))
        return true;
    char source[160];
    snprintf(source, sizeof source, "%s", call->creds.akid);
    char session[65];
    /* RoleSessionName: [\w+=,.@-]{2,64}; the execution name mostly is. */
    size_t k = 0;
    for (const char *p = call->exec_name ? call->exec_name : ""; *p && k < 64; p++)
        if (isalnum((unsigned char)*p) || strchr("_+=,.@-", *p))
            session[k++] = *p;
    session[k] = '\0';
    if (k < 2)
        snprintf(session, sizeof session, "aslc");
    char *arn = rt_aws_uri_encode(role_arn, false);
    char *body = arn ? rt_fmt("Action=AssumeRole&RoleArn=%s&RoleSessionName=%s&Version=2011-06-15",
                              arn, session)
                     : NULL;
    free(arn);
    if (!body) {
        rt_aws_fail(call, "States.Runtime", rt_fmt("Out of memory."));
        return false;
    }
    rt_aws_req q = {.svc = &sts_service, .path = "/",
                    .content_type = "application/x-www-form-urlencoded; charset=utf-8",
                    .body = body, .len = strlen(body)};
    rt_http_result r;
    bool ok = rt_aws_send(call, &q, &r);
    free(body);
    if (ok && (r.status < 200 || r.status >= 300)) {
        rt_aws_fail_reply(call, "Sts", &r);
        ok = false;
    }
    rt_xml *x = NULL;
    if (ok) {
        char perr[160] = "";
        x = rt_xml_parse(r.body ? r.body : "", r.bodylen, perr, sizeof perr);
        const char *base = "AssumeRoleResult/Credentials/";
        char p1[96], p2[96], p3[96];
        snprintf(p1, sizeof p1, "%sAccessKeyId", base);
        snprintf(p2, sizeof p2, "%sSecretAccessKey", base);
        snprintf(p3, sizeof p3, "%sSessionToken", base);
        const char *ak = x ? rt_xml_text(x, p1) : NULL, *sk = x ? rt_xml_text(x, p2) : NULL,
                   *tk = x ? rt_xml_text(x, p3) : NULL;
        if (!ak || !sk || !tk) {
            rt_aws_fail(call, "States.TaskFailed",
                        rt_fmt("STS AssumeRole of '%s' answered without credentials%s%s",
                               role_arn, perr[0] ? ": " : "", perr));
            ok = false;
        } else {
            char *t = rt_fmt("%s", tk);
            if (!t) {
                rt_aws_fail(call, "States.Runtime", rt_fmt("Out of memory."));
                ok = false;
            } else {
                snprintf(call->creds.akid, sizeof call->creds.akid, "%s", ak);
                snprintf(call->creds.secret, sizeof call->creds.secret, "%s", sk);
                free(call->creds.token);
                call->creds.token = t;
                snprintf(call->creds.from, sizeof call->creds.from, "role %.140s", role_arn);
                /* AssumeRole's shortest session is 15 minutes */
                snprintf(p1, sizeof p1, "%sExpiration", base);
                role_store(role_arn, source, &call->creds,
                           iso_time(rt_xml_text(x, p1), time(NULL) + 900));
            }
        }
    }
    rt_xml_free(x);
    free(r.body);
    free(r.headers);
    return ok;
}
