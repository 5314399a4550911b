/*
 * aws_sign.c - a SigV4 signature for the one kind of request libcurl's
 * CURLOPT_AWS_SIGV4 signs wrongly: a path with percent-encoded characters
 * to a service other than S3. AWS canonicalises such a path by encoding
 * it once more (a Lambda function ARN in
 * /2015-03-31/functions/arn%3Aaws%3A.../invocations becomes arn%253Aaws...),
 * which libcurl 7.88 does not do, so AWS would refuse the signature. Every
 * other request is signed by libcurl (aws_config.c decides).
 *
 * The signature is AWS's documented algorithm: canonical request (method,
 * URI, sorted query, sorted lower-case headers, signed header names,
 * payload SHA-256), string to sign, and the HMAC-SHA256 key chain
 * date -> region -> service -> "aws4_request"; HMAC and SHA-256 come from
 * Nettle through dynlib.c.
 *
 * Layer: effects. Called by aws_config.c (rt_aws_send).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws.h"
#include "dynlib.h"
#include "rt.h"

static void hex(const unsigned char *md, unsigned n, char *out)
{
    static const char h[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        out[2 * i] = h[md[i] >> 4];
        out[2 * i + 1] = h[md[i] & 15];
    }
    out[2 * n] = '\0';
}

static bool sha256_hex(const char *d, size_t n, char out[65])
{
    unsigned char md[32];
    if (!rt_sha256(d, n, md))
        return false;
    hex(md, 32, out);
    return true;
}

static bool hmac(const unsigned char *key, size_t keylen, const char *d, unsigned char out[32])
{
    return rt_hmac_sha256(key, keylen, d, strlen(d), out);
}

typedef struct hdr {
    char *name, *value;
} hdr;

static int cmp_hdr(const void *a, const void *b)
{
    return strcmp(((const hdr *)a)->name, ((const hdr *)b)->name);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "Name: value" as a lower-case name and a trimmed value. */
static bool split_header(const char *line, hdr *h)
{
    const char *colon = strchr(line, ':');
    if (!colon)
        return false;
    const char *v = colon + 1, *e = v + strlen(v);
    while (*v == ' ' || *v == '\t')
        v++;
    while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    h->name = rt_fmt("%.*s", (int)(colon - line), line);
    h->value = rt_fmt("%.*s", (int)(e - v), v);
    for (char *c = h->name; c && *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return h->name && h->value;
}

/* The sorted canonical query of [q] (its pairs are already encoded). */
static char *canonical_query(const char *q)
{
    char *copy = rt_fmt("%s", q ? q : "");
    if (!copy)
        return NULL;
    size_t n = 1;
    for (const char *p = copy; *p; p++)
        n += *p == '&';
    char **pairs = calloc(n, sizeof *pairs);
    size_t k = 0;
    for (char *tok = copy, *save = NULL; pairs && (tok = strtok_r(tok, "&", &save)); tok = NULL)
        pairs[k++] = tok;
    char *out = NULL;
    if (pairs) {
        qsort(pairs, k, sizeof *pairs, cmp_str);
        out = rt_fmt("%s", "");
        for (size_t i = 0; out && i < k; i++) {
            char *o = rt_fmt("%s%s%s%s", out, i ? "&" : "", pairs[i], strchr(pairs[i], '=') ? "" : "=");
            free(out);
            out = o;
        }
    }
    free(pairs);
    free(copy);
    return out;
}

char **rt_aws_sign(const rt_aws_creds *c, const char *signing, const char *method,
                   const char *url, const char *content_type, const char *const *extra,
                   const char *body, size_t len)
{
    const char *auth = strstr(url, "://");
    if (!auth)
        return NULL;
    auth += 3;
    const char *path = strchr(auth, '/');
    if (!path)
        return NULL;
    const char *qm = strchr(path, '?');
    char stamp[20], date[9];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(date, sizeof date, "%.8s", stamp);

    hdr h[32];
    int n = 0;
    h[n].name = rt_fmt("host");
    h[n++].value = rt_fmt("%.*s", (int)(path - auth), auth);
    h[n].name = rt_fmt("x-amz-date");
    h[n++].value = rt_fmt("%s", stamp);
    h[n].name = rt_fmt("content-type");
    h[n++].value = rt_fmt("%s", content_type ? content_type : "application/json");
    for (const char *const *e = extra; e && *e && n < 30; e++)
        if (split_header(*e, &h[n]))
            n++;
    qsort(h, (size_t)n, sizeof *h, cmp_hdr);

    char *raw_path = rt_fmt("%.*s", (int)(qm ? qm - path : (long)strlen(path)), path);
    char *uri = raw_path ? rt_aws_uri_encode(raw_path, true) : NULL;
    char *query = canonical_query(qm ? qm + 1 : NULL);
    char *canon_h = rt_fmt("%s", ""), *signed_h = rt_fmt("%s", "");
    for (int i = 0; i < n && canon_h && signed_h; i++) {
        char *a = h[i].name && h[i].value ? rt_fmt("%s%s:%s\n", canon_h, h[i].name, h[i].value)
                                          : NULL;
        char *b = h[i].name ? rt_fmt("%s%s%s", signed_h, i ? ";" : "", h[i].name) : NULL;
        free(canon_h);
        free(signed_h);
        canon_h = a;
        signed_h = b;
    }
    char payload[65], creq_hash[65], sig[65];
    char *creq = NULL, *sts = NULL, *scope = rt_fmt("%s/%s/%s/aws4_request", date, c->region,
                                                     signing);
    char **out = NULL;
    bool ok = uri && query && canon_h && signed_h && scope &&
              sha256_hex(body ? body : "", body ? len : 0, payload) &&
              (creq = rt_fmt("%s\n%s\n%s\n%s\n%s\n%s", method, uri, query, canon_h, signed_h,
                             payload)) &&
              sha256_hex(creq, strlen(creq), creq_hash) &&
              (sts = rt_fmt("AWS4-HMAC-SHA256\n%s\n%s\n%s", stamp, scope, creq_hash));
    unsigned char k1[32], k2[32], k3[32], k4[32], s[32];
    char *secret = ok ? rt_fmt("AWS4%s", c->secret) : NULL;
    ok = ok && secret && hmac((const unsigned char *)secret, strlen(secret), date, k1) &&
         hmac(k1, 32, c->region, k2) && hmac(k2, 32, signing, k3) &&
         hmac(k3, 32, "aws4_request", k4) && hmac(k4, 32, sts, s);
    if (secret) {
        memset(secret, 0, strlen(secret));
        free(secret);
    }
    if (ok && (out = calloc(3, sizeof *out))) {
        hex(s, 32, sig);
        out[0] = rt_fmt("X-Amz-Date: %s", stamp);
        out[1] = rt_fmt("Authorization: AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
                        "Signature=%s",
                        c->akid, scope, signed_h, sig);
        if (!out[0] || !out[1]) {
            free(out[0]);
            free(out[1]);
            free(out);
            out = NULL;
        }
    }
    for (int i = 0; i < n; i++) {
        free(h[i].name);
        free(h[i].value);
    }
    free(raw_path);
    free(uri);
    free(query);
    free(canon_h);
    free(signed_h);
    free(creq);
    free(sts);
    free(scope);
    return out;
}
