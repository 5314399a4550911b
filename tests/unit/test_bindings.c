/*
 * test_bindings.c - the --bindings file (runtime/bindings.c): which binding
 * serves an ARN (exact beats glob, the most literal glob wins, then the
 * first), paths relative to the file, and each malformed binding reported
 * before a run starts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dispatch.h"
#include "effects.h"
#include "engine.h"
#include "rt.h"
#include "values.h"

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/aslc-test-bind-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/tool.sh", dir);
    FILE *f = fopen(path, "w");
    fputs("#!/bin/sh\ncat\n", f);
    fclose(f);
    chmod(path, 0755);
    snprintf(path, sizeof path, "%s/sub", dir);
    mkdir(path, 0755);
    return 0;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes [text] as DIR/bindings.json and loads it. */
static rt_bindings *load(const char *text, char **err)
{
    char path[128];
    snprintf(path, sizeof path, "%s/bindings.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    *err = NULL;
    return rt_bindings_load(path, err);
}

static const char *pattern_for(const rt_bindings *bs, const char *arn)
{
    const rt_binding *b = rt_bindings_find(bs, arn);
    return b ? b->pattern : "(none)";
}

static void bindings_pick_exact_then_most_literal_glob(void **state)
{
    (void)state;
    char *err;
    rt_bindings *bs = load("{\"resources\":{"
                           "\"arn:aws:lambda:*\":{\"exec\":[\"cat\"]},"
                           "\"arn:aws:lambda:*:*:function:greet\":{\"exec\":[\"cat\"]},"
                           "\"arn:aws:lambda:us-east-1:1:function:greet\":{\"exec\":[\"cat\"]},"
                           "\"arn:aws:lambda:*:*:function:gree?\":{\"exec\":[\"cat\"]},"
                           "\"arn:aws:states:::sqs:*\":{\"exec\":[\"cat\"]},"
                           "\"arn:aws:states:::sns:*\":{\"exec\":[\"cat\"]},"
                           "\"arn:aws:states:::sn?:*\":{\"exec\":[\"cat\"]}}}",
                           &err);
    assert_non_null(bs);
    assert_string_equal(pattern_for(bs, "arn:aws:lambda:us-east-1:1:function:greet"),
                        "arn:aws:lambda:us-east-1:1:function:greet");
    assert_string_equal(pattern_for(bs, "arn:aws:lambda:eu-west-1:2:function:greet"),
                        "arn:aws:lambda:*:*:function:greet");
    assert_string_equal(pattern_for(bs, "arn:aws:lambda:eu-west-1:2:function:greed"),
                        "arn:aws:lambda:*:*:function:gree?");
    assert_string_equal(pattern_for(bs, "arn:aws:lambda:eu-west-1:2:function:other"),
                        "arn:aws:lambda:*");
    assert_string_equal(pattern_for(bs, "arn:aws:states:::sqs:sendMessage"),
                        "arn:aws:states:::sqs:*");
    /* a tie on literal characters: the first in the file */
    assert_string_equal(pattern_for(bs, "arn:aws:states:::sns:publish"),
                        "arn:aws:states:::sns:*");
    assert_string_equal(pattern_for(bs, "arn:aws:states:::dynamodb:putItem"), "(none)");
    rt_bindings_free(bs);
}

static void bindings_resolve_paths_against_their_file(void **state)
{
    (void)state;
    char *err;
    rt_bindings *bs = load("{\"resources\":{"
                           "\"a\":{\"exec\":[\"./tool.sh\",\"data/x.json\"]},"
                           "\"b\":{\"exec\":[\"sh\",\"tool.sh\"],\"cwd\":\"sub\","
                           "\"env\":{\"MODE\":\"test\"}},"
                           "\"c\":{\"exec\":[\"/bin/cat\"]}}}",
                           &err);
    if (!bs)
        fail_msg("%s", err);
    char want[4200];
    const rt_binding *a = rt_bindings_find(bs, "a");
    snprintf(want, sizeof want, "%s/./tool.sh", dir);
    assert_string_equal(a->argv[0], want);
    assert_string_equal(a->argv[1], "data/x.json"); /* arguments stay as written */
    char real[4096];
    assert_non_null(realpath(dir, real));
    assert_string_equal(a->cwd, real); /* default: the bindings file's directory */
    const rt_binding *b = rt_bindings_find(bs, "b");
    assert_string_equal(b->argv[0], "sh"); /* a bare name is looked up in PATH */
    snprintf(want, sizeof want, "%s/sub", real);
    assert_string_equal(b->cwd, want);
    assert_string_equal(b->env[0], "MODE=test");
    assert_null(b->env[1]);
    assert_string_equal(rt_bindings_find(bs, "c")->argv[0], "/bin/cat");
    rt_bindings_free(bs);
}

static void bindings_read_http_entries(void **state)
{
    (void)state;
    char *err;
    rt_bindings *bs = load("{\"resources\":{\"h\":{\"http\":\"http://127.0.0.1:9/x\","
                           "\"headers\":{\"X-Test\":\"yes\"}}}}",
                           &err);
    assert_non_null(bs);
    const rt_binding *h = rt_bindings_find(bs, "h");
    assert_int_equal(h->kind, RT_BIND_HTTP);
    assert_string_equal(h->url, "http://127.0.0.1:9/x");
    assert_string_equal(h->headers[0], "X-Test: yes");
    assert_true(bs->any_http);
    rt_bindings_free(bs);
}

static void expect_rejected(const char *text, const char *needle)
{
    char *err;
    rt_bindings *bs = load(text, &err);
    assert_null(bs);
    assert_non_null(err);
    if (!strstr(err, needle))
        fail_msg("message '%s' lacks '%s'", err, needle);
    free(err);
}

static void bindings_reject_malformed_entries(void **state)
{
    (void)state;
    expect_rejected("{\"resources\":", "is not valid JSON");
    expect_rejected("{\"arn:x\":{\"exec\":[\"cat\"]}}", "expected {\"resources\"");
    expect_rejected("{\"resources\":{},\"extra\":1}", "unknown top-level field \"extra\"");
    expect_rejected("{\"resources\":{\"a\":{\"exec\":[\"cat\"],\"http\":\"http://x\"}}}",
                    "resource \"a\": needs exactly one of");
    expect_rejected("{\"resources\":{\"a\":{}}}", "needs exactly one of");
    expect_rejected("{\"resources\":{\"a\":{\"exec\":[]}}}", "non-empty array of strings");
    expect_rejected("{\"resources\":{\"a\":{\"exec\":\"cat\"}}}", "non-empty array of strings");
    expect_rejected("{\"resources\":{\"a\":{\"exec\":[\"cat\",1]}}}", "non-empty array");
    expect_rejected("{\"resources\":{\"a\":{\"exec\":[\"cat\"],\"cmd\":1}}}",
                    "unknown or misplaced field \"cmd\"");
    expect_rejected("{\"resources\":{\"a\":{\"http\":\"http://x\",\"env\":{}}}}",
                    "misplaced field \"env\"");
    expect_rejected("{\"resources\":{\"a\":{\"exec\":[\"./missing.sh\"]}}}",
                    "does not exist or is not executable");
    expect_rejected("{\"resources\":{\"a\":{\"exec\":[\"no-such-program-aslc\"]}}}",
                    "is not found in PATH");
    expect_rejected("{\"resources\":{\"a\":{\"exec\":[\"cat\"],\"cwd\":\"nowhere\"}}}",
                    "is not accessible");
    expect_rejected("{\"resources\":{\"a\":{\"exec\":[\"cat\"],\"env\":{\"A=B\":\"c\"}}}}",
                    "\"env\": entry \"A=B\"");
    expect_rejected("{\"resources\":{\"a\":{\"http\":\"ftp://x\"}}}", "http:// or https://");
    expect_rejected("{\"resources\":{\"a\":{\"native\":\"libx.so\"}}}", "LIBRARY.so:SYMBOL");
    expect_rejected("{\"resources\":{\"a\":{\"native\":\"./nolib.so:f\"}}}", "cannot load");
    expect_rejected("{\"resources\":{\"a\":{\"exec\":[\"cat\"]},\"a\":{\"exec\":[\"cat\"]}}}",
                    "\"a\" is bound twice");
    expect_rejected("{\"resources\":{\"\":{\"exec\":[\"cat\"]}}}", "a resource key is empty");
}

/* "connections": EventBridge connections for HTTP Tasks, matched as
 * resources are, each checked against CreateConnection's shape. */
static void bindings_read_connections(void **state)
{
    (void)state;
    char *err;
    rt_bindings *bs = load(
        "{\"connections\":{"
        "\"arn:aws:events:*:*:connection/*\":{\"AuthorizationType\":\"BASIC\",\"AuthParameters\":"
        "{\"BasicAuthParameters\":{\"Username\":\"u\",\"Password\":\"p\"}}},"
        "\"arn:aws:events:us-east-1:1:connection/stripe/*\":{\"AuthorizationType\":\"API_KEY\","
        "\"AuthParameters\":{\"ApiKeyAuthParameters\":{\"ApiKeyName\":\"k\",\"ApiKeyValue\":\"v\"},"
        "\"InvocationHttpParameters\":{\"HeaderParameters\":[{\"Key\":\"X-A\",\"Value\":\"b\","
        "\"IsValueSecret\":false}]}}},"
        "\"arn:aws:events:us-east-1:1:connection/sf/1\":{\"AuthorizationType\":"
        "\"OAUTH_CLIENT_CREDENTIALS\",\"AuthParameters\":{\"OAuthParameters\":{"
        "\"AuthorizationEndpoint\":\"https://login.example.com/token\",\"HttpMethod\":\"POST\","
        "\"ClientParameters\":{\"ClientID\":\"id\",\"ClientSecret\":\"s\"}}}}}}",
        &err);
    if (!bs)
        fail_msg("%s", err);
    assert_int_equal(bs->n, 0); /* "resources" may be left out beside "connections" */
    assert_int_equal(bs->nconn, 3);
    const rt_connection *c = rt_connection_find(bs, "arn:aws:events:us-east-1:1:connection/stripe/x");
    assert_non_null(c);
    assert_string_equal(c->pattern, "arn:aws:events:us-east-1:1:connection/stripe/*");
    c = rt_connection_find(bs, "arn:aws:events:us-east-1:1:connection/sf/1");
    assert_non_null(c);
    assert_string_equal(cJSON_GetObjectItem(c->spec, "AuthorizationType")->valuestring,
                        "OAUTH_CLIENT_CREDENTIALS");
    c = rt_connection_find(bs, "arn:aws:events:eu-west-1:2:connection/other/3");
    assert_non_null(c);
    assert_string_equal(c->pattern, "arn:aws:events:*:*:connection/*");
    assert_null(rt_connection_find(bs, "arn:aws:sqs:us-east-1:1:q"));
    rt_bindings_free(bs);
}

static void bindings_reject_malformed_connections(void **state)
{
    (void)state;
    const char *basic = "\"AuthorizationType\":\"BASIC\",\"AuthParameters\":{\"BasicAuthParameters\":"
                        "{\"Username\":\"u\",\"Password\":\"p\"}";
    char text[600];
    expect_rejected("{\"connections\":[]}", "\"connections\" must be an object");
    expect_rejected("{\"connections\":{\"c\":{\"AuthorizationType\":\"DIGEST\"}}}",
                    "connection \"c\": \"AuthorizationType\" must be BASIC, API_KEY or "
                    "OAUTH_CLIENT_CREDENTIALS");
    expect_rejected("{\"connections\":{\"c\":{\"AuthorizationType\":\"API_KEY\",\"AuthParameters\":{}}}}",
                    "AuthorizationType API_KEY needs \"AuthParameters\": {\"ApiKeyAuthParameters\"");
    snprintf(text, sizeof text, "{\"connections\":{\"c\":{%s,\"Extra\":1}}}}", basic);
    expect_rejected(text, "\"AuthParameters\": unknown field \"Extra\"");
    expect_rejected("{\"connections\":{\"c\":{\"AuthorizationType\":\"BASIC\",\"AuthParameters\":"
                    "{\"BasicAuthParameters\":{\"Username\":\"u\",\"Password\":\"p\",\"Realm\":\"r\"}}}}}",
                    "\"BasicAuthParameters\": unknown field \"Realm\"");
    expect_rejected("{\"connections\":{\"c\":{\"AuthorizationType\":\"BASIC\",\"AuthParameters\":"
                    "{\"BasicAuthParameters\":{\"Username\":\"u\"}}}}}",
                    "needs \"Password\"");
    snprintf(text, sizeof text,
             "{\"connections\":{\"c\":{%s,\"InvocationHttpParameters\":{\"HeaderParameters\":"
             "[{\"Key\":\"Bad Name\",\"Value\":\"v\"}]}}}}}",
             basic);
    expect_rejected(text, "a header name without ':', blanks or line breaks");
    snprintf(text, sizeof text,
             "{\"connections\":{\"c\":{%s,\"ApiKeyAuthParameters\":{\"ApiKeyName\":\"k\","
             "\"ApiKeyValue\":\"v\"}}}}}",
             basic);
    expect_rejected(text, "\"ApiKeyAuthParameters\" does not go with AuthorizationType BASIC");
    expect_rejected("{\"connections\":{\"c\":{\"AuthorizationType\":\"API_KEY\",\"AuthParameters\":"
                    "{\"ApiKeyAuthParameters\":{\"ApiKeyName\":\"x key\",\"ApiKeyValue\":\"v\"}}}}}",
                    "\"ApiKeyName\" is a header name");
    expect_rejected("{\"connections\":{\"c\":{\"AuthorizationType\":\"OAUTH_CLIENT_CREDENTIALS\","
                    "\"AuthParameters\":{\"OAuthParameters\":{\"AuthorizationEndpoint\":\"ftp://x\"}}}}}",
                    "needs \"AuthorizationEndpoint\": an https:// URL");
    snprintf(text, sizeof text, "{\"connections\":{\"c\":{%s}},\"c\":{%s}}}}", basic, basic);
    expect_rejected(text, "connection \"c\" is given twice");
}

static void bindings_report_an_unreadable_file(void **state)
{
    (void)state;
    char *err = NULL;
    assert_null(rt_bindings_load("/nonexistent/b.json", &err));
    assert_non_null(strstr(err, "cannot read bindings file '/nonexistent/b.json'"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bindings_pick_exact_then_most_literal_glob),
        cmocka_unit_test(bindings_resolve_paths_against_their_file),
        cmocka_unit_test(bindings_read_http_entries),
        cmocka_unit_test(bindings_reject_malformed_entries),
        cmocka_unit_test(bindings_read_connections),
        cmocka_unit_test(bindings_reject_malformed_connections),
        cmocka_unit_test(bindings_report_an_unreadable_file),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
