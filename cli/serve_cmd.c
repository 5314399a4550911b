/*
 * serve_cmd.c - the command line of `aslc serve` (issue 13): options into
 * srv_opts, then srv_main (server/). Called by main.c's dispatch only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"
#include "serve_cmd.h"

static void help_serve(void)
{
    printf("usage: aslc serve [--port 8083] [--host 127.0.0.1] [--region us-east-1]\n"
           "                  [--account 123456789012] [--port-file F] [--state-dir DIR]\n"
           "\n"
           "A local AWS Step Functions endpoint (AWS JSON 1.0 protocol, POST /,\n"
           "X-Amz-Target: AWSStepFunctions.<Action>) for the AWS CLI and SDKs:\n"
           "  aws stepfunctions --endpoint-url http://127.0.0.1:8083 ...\n"
           "Requests are accepted whatever their SigV4 signature (any credentials do).\n"
           "Listens on loopback unless --host says otherwise. --port 0 picks a free\n"
           "port; --port-file writes the port chosen. SIGINT / SIGTERM stop it.\n"
           "--state-dir DIR keeps state machines, executions and their histories in\n"
           "DIR/state.sqlite (created when missing), so that a restarted server\n"
           "still lists and describes them; executions running when it stopped are\n"
           "ABORTED. Without it everything lives in memory.\n"
           "\n"
           "Actions: CreateStateMachine, DescribeStateMachine, UpdateStateMachine,\n"
           "DeleteStateMachine, ListStateMachines, ValidateStateMachineDefinition.\n"
           "Exit codes: 0 stopped cleanly, 2 bad usage, cannot listen, or the state\n"
           "dir is unusable (corrupt, unwritable, in use by another server).\n");
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
        if (strcmp(a, "--host") == 0)
            dst = &o.host;
        else if (strcmp(a, "--region") == 0)
            dst = &o.region;
        else if (strcmp(a, "--account") == 0)
            dst = &o.account;
        else if (strcmp(a, "--port-file") == 0)
            dst = &o.port_file;
        else if (strcmp(a, "--state-dir") == 0)
            dst = &o.state_dir;
        else if (strcmp(a, "--port") == 0)
            dst = &port;
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
    return srv_main(&o);
}
