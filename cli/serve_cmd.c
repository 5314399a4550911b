/*
 * serve_cmd.c - the command line of `aslc serve` (issue 13): options into
 * srv_opts, then srv_main (server/). Called by main.c's dispatch only.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"
#include "serve_cmd.h"

static void help_serve(void)
{
    printf("usage: aslc serve [--port 8083] [--host 127.0.0.1] [--region us-east-1]\n"
           "                  [--account 123456789012] [--port-file F] [--state-dir DIR]\n"
           "                  [--bindings F] [--mock-config F] [--wait real|skip|scale=X]\n"
           "                  [--aws]\n"
           "\n"
           "A local AWS Step Functions endpoint (AWS JSON 1.0 protocol, POST /,\n"
           "X-Amz-Target: AWSStepFunctions.<Action>) for the AWS CLI and SDKs:\n"
           "  aws stepfunctions --endpoint-url http://127.0.0.1:8083 ...\n"
           "Requests are accepted whatever their SigV4 signature (any credentials do).\n"
           "Listens on loopback unless --host says otherwise. --port 0 picks a free\n"
           "port; --port-file writes the port chosen. SIGINT / SIGTERM stop it.\n"
           "\n"
           "The SDKs send StartSyncExecution and TestState to the host 'sync-' + the\n"
           "endpoint's host, which does not resolve for 127.0.0.1; turn that off with\n"
           "AWS_DISABLE_HOST_PREFIX_INJECTION=true (AWS CLI, boto3) or\n"
           "disableHostPrefix: true (JavaScript SDK v3 client options).\n"
           "\n"
           "Executions run the machine's compiled program on threads of their own.\n"
           "Their Tasks use --bindings F and the Step Functions Local mock file\n"
           "--mock-config F (default: $SFN_MOCK_CONFIG), as aslc run does;\n"
           "StartExecution on 'STATE_MACHINE_ARN#TestCase' runs that test case.\n"
           "--aws: a Task no binding or mock covers calls the real AWS service, as\n"
           "with aslc run --aws.\n"
           "--wait: real (default) sleeps through Wait states, skip jumps the clock,\n"
           "scale=X sleeps X times as long.\n"
           "--state-dir DIR keeps state machines, executions and their histories in\n"
           "DIR/state.sqlite (created when missing), so that a restarted server\n"
           "still lists and describes them; executions running when it stopped are\n"
           "ABORTED. Without it everything lives in memory.\n"
           "\n"
           "Actions: CreateStateMachine, DescribeStateMachine, UpdateStateMachine,\n"
           "DeleteStateMachine, ListStateMachines, ValidateStateMachineDefinition,\n"
           "StartExecution, StartSyncExecution (EXPRESS), DescribeExecution,\n"
           "ListExecutions, StopExecution, GetExecutionHistory,\n"
           "DescribeStateMachineForExecution, TestState.\n"
           "Exit codes: 0 stopped cleanly, 2 bad usage, cannot listen, or the state\n"
           "dir is unusable (corrupt, unwritable, in use by another server).\n");
}

static bool valid_wait(const char *w)
{
    if (strcmp(w, "real") == 0 || strcmp(w, "skip") == 0)
        return true;
    if (strncmp(w, "scale=", 6) != 0 || !w[6])
        return false;
    char *end;
    double x = strtod(w + 6, &end);
    return !*end && isfinite(x) && x >= 0;
}

int serve_cmd(int argc, char **argv)
{
    srv_opts o = {.host = "127.0.0.1", .port = 8083, .region = "us-east-1",
                  .account = "123456789012"};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help_serve();
            return 0;
        }
        const char **dst = NULL;
        const char *port = NULL;
        if (strcmp(a, "--aws") == 0) {
            o.aws = true;
            continue;
        }
        if (strcmp(a, "--host") == 0)
            dst = &o.host;
        else if (strcmp(a, "--region") == 0)
            dst = &o.region;
        else if (strcmp(a, "--account") == 0)
            dst = &o.account;
        else if (strcmp(a, "--port-file") == 0)
            dst = &o.port_file;
        else if (strcmp(a, "--port") == 0)
            dst = &port;
        else if (strcmp(a, "--bindings") == 0)
            dst = &o.bindings;
        else if (strcmp(a, "--mock-config") == 0)
            dst = &o.mock_config;
        else if (strcmp(a, "--wait") == 0)
            dst = &o.wait;
        else if (strcmp(a, "--state-dir") == 0)
            dst = &o.state_dir;
        else {
            fprintf(stderr, "aslc serve: unknown option '%s'; see 'aslc serve --help'\n", a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "aslc serve: %s needs a value; see 'aslc serve --help'\n", a);
            return 2;
        }
        *dst = argv[++i];
        if (port) {
            char *end;
            long p = strtol(port, &end, 10);
            if (*end || end == port || p < 0 || p > 65535) {
                fprintf(stderr, "aslc serve: --port '%s' is not a port number\n", port);
                return 2;
            }
            o.port = (int)p;
        }
    }
    if (!o.mock_config) {
        const char *env = getenv("SFN_MOCK_CONFIG"); /* as Step Functions Local reads it */
        if (env && *env)
            o.mock_config = env;
    }
    if (o.wait && !valid_wait(o.wait)) {
        fprintf(stderr, "aslc serve: invalid --wait '%s': expected real, skip or scale=X (X >= 0)\n",
                o.wait);
        return 2;
    }
    /* Read now, so that a wrong path is a usage error rather than a failing
     * StartExecution later. */
    const char *files[] = {o.bindings, o.mock_config};
    for (int k = 0; k < 2; k++) {
        FILE *f = files[k] ? fopen(files[k], "r") : NULL;
        if (files[k] && !f) {
            fprintf(stderr, "aslc serve: cannot read %s '%s'\n",
                    k ? "the mock configuration" : "the bindings file", files[k]);
            return 2;
        }
        if (f)
            fclose(f);
    }
    return srv_main(&o);
}
