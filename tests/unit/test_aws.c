/*
 * test_aws.c - the pure parts of the Tasks that call AWS (runtime/aws*.c):
 * the XML reader (entities, CDATA, nesting, malformed input), SigV4's
 * percent-encoding, where credentials, region and endpoints come from
 * (environment, profile files, AWS_ENDPOINT_URL_<ID>), the recasing of
 * camelCase APIs, and {"aws": true} bindings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws.h"
#include "dispatch.h"
#include "rt.h"

static void xml_reads_what_aws_sends(void **state)
{
    (void)state;
    const char *doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<!-- a comment -->\n"
                      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                      "<Name>b</Name><Contents><Key>a &amp; b&#233;&#x41;&lt;</Key>"
                      "<Size>12</Size></Contents><Contents><Key><![CDATA[x<y]]></Key></Contents>"
                      "<Empty/><Attr a=\"1/>\" b='2'>t</Attr></ListBucketResult>\n";
    char err[160];
    rt_xml *x = rt_xml_parse(doc, strlen(doc), err, sizeof err);
    assert_non_null(x);
    assert_string_equal(x->name, "ListBucketResult");
    assert_string_equal(rt_xml_text(x, "Name"), "b");
    assert_string_equal(rt_xml_text(x, "Contents/Key"), "a & b\xc3\xa9" "A<");
    assert_string_equal(rt_xml_text(x, "Contents/Size"), "12");
    const rt_xml *second = rt_xml_child(x, "Contents")->next;
    assert_string_equal(rt_xml_text(second, "Key"), "x<y");
    assert_string_equal(rt_xml_text(x, "Empty"), "");
    assert_string_equal(rt_xml_text(x, "Attr"), "t");
    assert_null(rt_xml_text(x, "Contents/Missing"));
    rt_xml_free(x);
}

static void xml_refuses_malformed_documents(void **state)
{
    (void)state;
    const char *bad[] = {"", "<a>", "<a></b>", "<a>&bogus;</a>", "<a>&#0;</a>", "<a/><b/>",
                         "<!DOCTYPE a><a/>", "<a x=\"1></a>", "text", "<a><!-- x</a>"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char err[160] = "";
        rt_xml *x = rt_xml_parse(bad[i], strlen(bad[i]), err, sizeof err);
        if (x)
            fail_msg("accepted '%s'", bad[i]);
        assert_true(err[0] != '\0');
    }
    /* deep nesting is an error, not a stack overflow */
    char deep[70 * 3 + 1] = "";
    for (int i = 0; i < 70; i++)
        strcat(deep, "<a>");
    char err[160] = "";
    assert_null(rt_xml_parse(deep, strlen(deep), err, sizeof err));
    assert_non_null(strstr(err, "nested"));
}

static void uri_encoding_keeps_only_unreserved(void **state)
{
    (void)state;
    char *s = rt_aws_uri_encode("a b+c/d~e_f.g-h:\xc3\xa9", false);
    assert_string_equal(s, "a%20b%2Bc%2Fd~e_f.g-h%3A%C3%A9");
    free(s);
    s = rt_aws_uri_encode("dir/a b", true);
    assert_string_equal(s, "dir/a%20b");
    free(s);
}

static char dir[64];

static void write_file(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void clear_env(void)
{
    const char *vars[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                          "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE",
                          "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_ENDPOINT_URL",
                          "AWS_ENDPOINT_URL_SQS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        unsetenv(vars[i]);
}

static void credentials_come_from_env_then_profiles(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/aslc-test-aws-XXXXXX");
    assert_non_null(mkdtemp(dir));
    clear_env();
    char path[128];
    write_file("credentials", "[default]\naws_access_key_id = AKDEF\naws_secret_access_key=SKDEF\n"
                              "\n[dev]\n  aws_access_key_id=AKDEV \naws_secret_access_key = SK=DEV\n"
                              "aws_session_token = TOK\n");
    write_file("config", "[default]\nregion = us-west-1\n# comment\n[profile dev]\n"
                         "region=eu-west-3\n[profile cfgonly]\naws_access_key_id = AKCFG\n"
                         "aws_secret_access_key = SKCFG\n");
    snprintf(path, sizeof path, "%s/credentials", dir);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    snprintf(path, sizeof path, "%s/config", dir);
    setenv("AWS_CONFIG_FILE", path, 1);

    rt_aws_creds c;
    char *err = rt_aws_resolve(&c);
    assert_null(err);
    assert_string_equal(c.akid, "AKDEF");
    assert_string_equal(c.secret, "SKDEF");
    assert_null(c.token);
    assert_string_equal(c.region, "us-west-1");
    rt_aws_creds_clear(&c);

    setenv("AWS_PROFILE", "dev", 1);
    assert_null(rt_aws_resolve(&c));
    assert_string_equal(c.akid, "AKDEV");
    assert_string_equal(c.secret, "SK=DEV");
    assert_string_equal(c.token, "TOK");
    assert_string_equal(c.region, "eu-west-3");
    rt_aws_creds_clear(&c);

    setenv("AWS_PROFILE", "cfgonly", 1);
    setenv("AWS_REGION", "ap-south-1", 1);
    assert_null(rt_aws_resolve(&c));
    assert_string_equal(c.akid, "AKCFG");
    assert_string_equal(c.region, "ap-south-1");
    rt_aws_creds_clear(&c);

    /* the environment's keys come first, as in the SDKs */
    setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "SKENV", 1);
    setenv("AWS_SESSION_TOKEN", "TOKENV", 1);
    assert_null(rt_aws_resolve(&c));
    assert_string_equal(c.akid, "AKENV");
    assert_string_equal(c.token, "TOKENV");
    rt_aws_creds_clear(&c);

    clear_env();
    setenv("AWS_PROFILE", "nope", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
    err = rt_aws_resolve(&c);
    assert_non_null(err);
    assert_non_null(strstr(err, "no AWS credentials"));
    assert_non_null(strstr(err, "'nope'"));
    free(err);

    clear_env();
    setenv("AWS_ACCESS_KEY_ID", "A", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S", 1);
    setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
    err = rt_aws_resolve(&c);
    assert_non_null(err);
    assert_non_null(strstr(err, "no AWS region"));
    free(err);
    setenv("AWS_REGION", "us-east-1/../x", 1);
    err = rt_aws_resolve(&c);
    assert_non_null(err);
    assert_non_null(strstr(err, "invalid AWS region"));
    free(err);
    clear_env();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void endpoints_as_the_sdks_resolve_them(void **state)
{
    (void)state;
    clear_env();
    const rt_aws_service *sqs = rt_aws_service_find("sqs");
    const rt_aws_service *ecr = rt_aws_service_find("ecr");
    assert_non_null(sqs);
    assert_null(rt_aws_service_find("nosuch"));
    bool custom;
    char *u = rt_aws_endpoint(sqs, "eu-west-1", &custom);
    assert_string_equal(u, "https://sqs.eu-west-1.amazonaws.com");
    assert_false(custom);
    free(u);
    u = rt_aws_endpoint(ecr, "cn-north-1", &custom);
    assert_string_equal(u, "https://api.ecr.cn-north-1.amazonaws.com.cn");
    free(u);
    assert_string_equal(ecr->signing, "ecr");
    setenv("AWS_ENDPOINT_URL", "http://localhost:4566/", 1);
    u = rt_aws_endpoint(sqs, "eu-west-1", &custom);
    assert_string_equal(u, "http://localhost:4566");
    assert_true(custom);
    free(u);
    setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9324", 1);
    u = rt_aws_endpoint(sqs, "eu-west-1", &custom);
    assert_string_equal(u, "http://127.0.0.1:9324");
    free(u);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    u = rt_aws_endpoint(sqs, "eu-west-1", &custom);
    assert_string_equal(u, "https://sqs.eu-west-1.amazonaws.com");
    assert_false(custom);
    free(u);
    clear_env();
}

static void camel_case_apis_are_recased(void **state)
{
    (void)state;
    cJSON *in = cJSON_Parse("{\"StateMachineArn\":\"a\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"V\"}],"
                            "\"Input\":\"{\\\"Keep\\\":1}\"}");
    cJSON *low = rt_aws_recase(in, false);
    char *t = cJSON_PrintUnformatted(low);
    assert_string_equal(t, "{\"stateMachineArn\":\"a\",\"tags\":[{\"key\":\"k\",\"value\":\"V\"}],"
                           "\"input\":\"{\\\"Keep\\\":1}\"}");
    free(t);
    cJSON *up = rt_aws_recase(low, true);
    assert_true(cJSON_Compare(up, in, 1));
    cJSON_Delete(in);
    cJSON_Delete(low);
    cJSON_Delete(up);
}

static void aws_bindings_must_say_true(void **state)
{
    (void)state;
    char path[] = "/tmp/aslc-test-awsb-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *good = "{\"resources\": {\"arn:aws:states:::sqs:*\": {\"aws\": true}}}";
    assert_true(write(fd, good, strlen(good)) == (ssize_t)strlen(good));
    close(fd);
    char *err = NULL;
    rt_bindings *bs = rt_bindings_load(path, &err);
    assert_non_null(bs);
    assert_true(bs->any_aws);
    const rt_binding *b = rt_bindings_find(bs, "arn:aws:states:::sqs:sendMessage");
    assert_non_null(b);
    assert_int_equal(b->kind, RT_BIND_AWS);
    rt_bindings_free(bs);
    FILE *f = fopen(path, "w");
    fputs("{\"resources\": {\"x\": {\"aws\": false}}}", f);
    fclose(f);
    assert_null(rt_bindings_load(path, &err));
    assert_non_null(strstr(err, "\"aws\" must be true"));
    free(err);
    f = fopen(path, "w");
    fputs("{\"resources\": {\"x\": {\"aws\": true, \"http\": \"http://h/\"}}}", f);
    fclose(f);
    assert_null(rt_bindings_load(path, &err));
    assert_non_null(strstr(err, "exactly one of"));
    free(err);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xml_reads_what_aws_sends),
        cmocka_unit_test(xml_refuses_malformed_documents),
        cmocka_unit_test(uri_encoding_keeps_only_unreserved),
        cmocka_unit_test(credentials_come_from_env_then_profiles),
        cmocka_unit_test(endpoints_as_the_sdks_resolve_them),
        cmocka_unit_test(camel_case_apis_are_recased),
        cmocka_unit_test(aws_bindings_must_say_true),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
