/*
 * main.c - asl_main, the command line of every generated executable (and
 * of `aslc run`, which calls it with the JIT-compiled machine).
 *
 *   PROG [--input JSON | --input-file F] [--wait real|skip|scale=X]
 *        [--name NAME] [--history F] [--report F.html] [--trace] [--bindings F]
 *        [--mock-config F --test-case NAME [--state-machine NAME]]
 *        [--s3-root DIR] [--callback-port P] [--lambda] [--help]
 *
 * With AWS_LAMBDA_RUNTIME_API set (as Lambda sets it for a custom
 * runtime's `bootstrap`) or --lambda, the program serves Lambda
 * invocations instead of running once (lambda.c).
 *
 * Without --input / --input-file the input is read from stdin ({} when
 * stdin is a terminal or empty). On success the output JSON goes to stdout
 * as one compact line; on failure one JSON line goes to stderr:
 *   {"status":"FAILED"|"TIMED_OUT"|"ABORTED","error":...,"cause":...}
 * Exit codes: 0 succeeded, 1 failed, 2 usage, input or output error, 3 timed out,
 * 4 aborted (asl_main's enum in aslrt.h).
 *
 * Before the run starts, the bindings and mock files are read and every
 * Task resource must be bound or mocked (rt_tasks_open, task.c); a problem
 * there is reported like bad usage (exit 2) and nothing runs.
 *
 * Owns: the options, the input text and document until handed to the run,
 * the history file (opened and closed here), the run's task dispatcher
 * (rt_tasks), the printed output.
 *
 * Layer: entry
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "effects.h"
#include "engine.h"
#include "lambda.h"

static const char *prog_name(const char *argv0)
{
    if (!argv0 || !*argv0)
        return "workflow";
    const char *s = strrchr(argv0, '/');
    return s ? s + 1 : argv0;
}

static void usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
}

static void print_help(const char *prog, const asl_machine *m)
{
    /* The names come from file names: written for a terminal. */
    fputs("Usage: ", stdout);
    rt_put_terminal(stdout, prog);
    fputs(" [OPTION]...\nRun the state machine '", stdout);
    rt_put_terminal(stdout, m && m->name ? m->name : "");
    if (m && m->source) {
        fputs("' (", stdout);
        rt_put_terminal(stdout, m->source);
        fputs(")", stdout);
    } else {
        fputs("'", stdout);
    }
    printf(" once and print its output.\n"
           "\n"
           "Input (one of; default: stdin, or {} when stdin is a terminal or empty):\n"
           "  --input JSON          the execution input as JSON text\n"
           "  --input-file FILE     read the execution input from FILE\n"
           "\n"
           "Execution:\n"
           "  --wait MODE           how Wait states pass time: real (default), skip\n"
           "                        (no sleeping; the execution clock jumps ahead), or\n"
           "                        scale=X (sleep X times the duration, e.g. scale=0.01)\n"
           "  --type TYPE           STANDARD or EXPRESS: the workflow's limits (EXPRESS:\n"
           "                        five minutes at most, :express: execution ARNs, no\n"
           "                        25,000-event history limit); default: %s\n"
           "  --name NAME           the execution name, as in $$.Execution.Name\n"
           "                        (default: a random UUID)\n"
           "  --bindings FILE       Task resource bindings (JSON): which local program,\n"
           "                        URL or C function runs each resource ARN\n"
           "  --mock-config FILE    AWS Step Functions Local mock configuration\n"
           "  --test-case NAME      the mock test case to use (with --mock-config)\n"
           "  --state-machine NAME  the mock configuration's state machine (default:\n"
           "                        this machine's name)\n"
           "                        Every Task resource must be bound or mocked: the\n"
           "                        run does not start otherwise.\n"
           "  --aws                 a Task no binding or mock covers calls the real AWS\n"
           "                        service, signed with SigV4 (credentials, region and\n"
           "                        endpoints as the AWS SDKs find them: AWS_PROFILE,\n"
           "                        AWS_REGION, AWS_ENDPOINT_URL, ...)\n"
           "  --callback-port PORT  a .waitForTaskToken Task waits for its token:\n"
           "                        SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat\n"
           "                        are answered on http://127.0.0.1:PORT (AWS JSON 1.0,\n"
           "                        e.g. aws stepfunctions send-task-success\n"
           "                        --endpoint-url http://127.0.0.1:PORT); its handler,\n"
           "                        if bound, is still called and its result ignored.\n"
           "                        0 picks a free port and prints it on stderr\n"
           "  --s3-root DIR         the local folder that stands for Amazon S3 in a\n"
           "                        distributed Map's ItemReader and ResultWriter:\n"
           "                        s3://BUCKET/KEY is DIR/BUCKET/KEY (default: .)\n"
           "\n"
           "Lambda:\n"
           "  --lambda              serve AWS Lambda invocations from the Runtime API\n"
           "                        at $AWS_LAMBDA_RUNTIME_API (the default whenever\n"
           "                        that variable is set): each event is one execution\n"
           "\n"
           "Observing:\n"
           "  --history FILE        write the execution history to FILE, one AWS-shaped\n"
           "                        event per line (JSON lines)\n"
           "  --report FILE.html    write a page about the run: its graph with the states\n"
           "                        taken, a timeline with each state's input and output,\n"
           "                        the variables and the result (one file, no scripts)\n"
           "  --trace               print each step on stderr\n"
           "  --progress            show a live line for long Map states (items done,\n"
           "                        failures, rate, time left) and long Waits; the default\n"
           "                        when stderr is a terminal and --trace is off\n"
           "  --no-progress         never show it\n"
           "  --help                show this help and exit\n"
           "\n"
           "On success the output JSON is printed on stdout. On failure one line goes to\n"
           "stderr: {\"status\":\"FAILED\"|\"TIMED_OUT\"|\"ABORTED\",\"error\":...,\"cause\":...}\n"
           "\n"
           "Exit status:\n"
           "  0  the execution succeeded\n"
           "  1  the execution failed\n"
           "  2  bad usage, unreadable or invalid input JSON, or bad or missing\n"
           "     bindings / mocks\n"
           "  3  the execution timed out (TimeoutSeconds, or five minutes for EXPRESS)\n"
           "  4  the execution was aborted (SIGINT or SIGTERM)\n",
           m && m->express ? "EXPRESS (as built)" : "STANDARD (as built)");
}

/* Reads all of [f] into a malloc'd NUL-terminated buffer; 0 on error. */
static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        if (cap - n < 2) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                return NULL;
            }
            buf = b;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* AWS's rule for execution names: 1 to 80 characters, none of them
 * whitespace, brackets, wildcards, the listed punctuation or control
 * characters (U+0000-U+001F, U+007F-U+009F). Returns a reason or 0. */
static const char *bad_execution_name(const char *s)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) != 0x80)
            chars++;
        if (*p <= 0x20 || *p == 0x7F || strchr("<>{}[]?*\"#%\\^|~`$&,;:/", *p))
            return "must not contain whitespace, brackets, wildcards, control characters "
                   "or any of \" # % \\ ^ | ~ ` $ & , ; : /";
        /* U+0080-U+009F are encoded C2 80 - C2 9F. */
        if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            return "must not contain control characters";
    }
    if (chars == 0 || chars > 80)
        return "must be 1 to 80 characters long";
    return NULL;
}

/* Matches "--name VALUE" or "--name=VALUE"; advances *i past a separate
 * value. Returns the value, or 0 when argv[*i] is another option. Sets
 * *missing when the option is there but its value is not. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

/* Stores V in *SLOT unless OPTION was given before: a repeated option is a
 * usage error, not "the last one wins", so that `--input A --input B`
 * cannot run silently on input the caller did not mean. */
static bool set_once(const char *prog, const char *option, const char **slot, const char *v)
{
    if (*slot) {
        usage_error(prog, "option '%s' given more than once", option);
        return false;
    }
    *slot = v;
    return true;
}

static bool parse_wait(const char *v, rt_options *opt)
{
    if (strcmp(v, "real") == 0) {
        opt->wait_mode = RT_WAIT_REAL;
        return true;
    }
    if (strcmp(v, "skip") == 0) {
        opt->wait_mode = RT_WAIT_SKIP;
        return true;
    }
    if (strncmp(v, "scale=", 6) == 0 && v[6]) {
        char *end;
        errno = 0;
        double x = strtod(v + 6, &end);
        if (*end || errno || !isfinite(x) || x < 0)
            return false;
        opt->wait_mode = RT_WAIT_SCALE;
        opt->wait_scale = x;
        return true;
    }
    return false;
}

/* Prints {"status":...,"error":...,"cause":...} on stderr. */
static void print_failure(const asl_exec *x, rt_status st)
{
    static const char *const names[] = {
        [RT_SUCCEEDED] = "SUCCEEDED", [RT_FAILED] = "FAILED",
        [RT_TIMED_OUT] = "TIMED_OUT", [RT_ABORTED] = "ABORTED",
    };
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddStringToObject(o, "status", names[st]) &&
              (x->error ? cJSON_AddStringToObject(o, "error", x->error)
                        : cJSON_AddNullToObject(o, "error")) &&
              (x->cause ? cJSON_AddStringToObject(o, "cause", x->cause)
                        : cJSON_AddNullToObject(o, "cause"));
    char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
    if (text) {
        fprintf(stderr, "%s\n", text);
        cJSON_free(text);
    } else {
        fprintf(stderr, "{\"status\":\"%s\",\"error\":null,\"cause\":null}\n", names[st]);
    }
    cJSON_Delete(o);
}

int asl_main(int argc, char **argv, const asl_machine *m)
{
    const char *prog = prog_name(argc > 0 ? argv[0] : NULL);
    rt_options opt = {.wait_mode = RT_WAIT_REAL, .wait_scale = 1.0};
    const char *input_json = NULL, *input_file = NULL, *history_file = NULL, *report_file = NULL,
               *wait_arg = NULL, *type_arg = NULL;
    const char *lambda_api = getenv("AWS_LAMBDA_RUNTIME_API");
    bool lambda = lambda_api && *lambda_api;
    int callback_port = -1; /* --callback-port; -1: not given */

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        bool missing = false;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(prog, m);
            return ASL_EXIT_SUCCEEDED;
        } else if (strcmp(a, "--lambda") == 0) {
            lambda = true;
        } else if (strcmp(a, "--trace") == 0) {
            opt.trace = true;
        } else if (strcmp(a, "--aws") == 0) {
            opt.aws = true;
        } else if (strcmp(a, "--progress") == 0) {
            opt.progress = RT_PROGRESS_ON;
        } else if (strcmp(a, "--no-progress") == 0) {
            opt.progress = RT_PROGRESS_OFF;
        } else if ((v = opt_value(argc, argv, &i, "--input-file", &missing))) {
            if (!set_once(prog, "--input-file", &input_file, v))
                return ASL_EXIT_USAGE;
        } else if ((v = opt_value(argc, argv, &i, "--input", &missing))) {
            if (!set_once(prog, "--input", &input_json, v))
                return ASL_EXIT_USAGE;
        } else if ((v = opt_value(argc, argv, &i, "--wait", &missing))) {
            if (!set_once(prog, "--wait", &wait_arg, v))
                return ASL_EXIT_USAGE;
            if (!parse_wait(v, &opt)) {
                usage_error(prog, "invalid --wait '%s': expected real, skip or scale=X (X >= 0)",
                            v);
                return ASL_EXIT_USAGE;
            }
        } else if ((v = opt_value(argc, argv, &i, "--type", &missing))) {
            if (!set_once(prog, "--type", &type_arg, v))
                return ASL_EXIT_USAGE;
            if (strcmp(v, "STANDARD") == 0) {
                opt.type = RT_TYPE_STANDARD;
            } else if (strcmp(v, "EXPRESS") == 0) {
                opt.type = RT_TYPE_EXPRESS;
            } else {
                usage_error(prog, "invalid --type '%s': expected STANDARD or EXPRESS", v);
                return ASL_EXIT_USAGE;
            }
        } else if ((v = opt_value(argc, argv, &i, "--name", &missing))) {
            const char *why = bad_execution_name(v);
            if (why) {
                usage_error(prog, "invalid execution name '%s': it %s", v, why);
                return ASL_EXIT_USAGE;
            }
            if (!set_once(prog, "--name", &opt.execution_name, v))
                return ASL_EXIT_USAGE;
        } else if ((v = opt_value(argc, argv, &i, "--history", &missing))) {
            if (!set_once(prog, "--history", &history_file, v))
                return ASL_EXIT_USAGE;
        } else if ((v = opt_value(argc, argv, &i, "--report", &missing))) {
            if (!set_once(prog, "--report", &report_file, v))
                return ASL_EXIT_USAGE;
        } else if ((v = opt_value(argc, argv, &i, "--bindings", &missing))) {
            if (!set_once(prog, "--bindings", &opt.bindings_file, v))
                return ASL_EXIT_USAGE;
        } else if ((v = opt_value(argc, argv, &i, "--mock-config", &missing))) {
            if (!set_once(prog, "--mock-config", &opt.mock_config, v))
                return ASL_EXIT_USAGE;
        } else if ((v = opt_value(argc, argv, &i, "--test-case", &missing))) {
            if (!set_once(prog, "--test-case", &opt.test_case, v))
                return ASL_EXIT_USAGE;
        } else if ((v = opt_value(argc, argv, &i, "--state-machine", &missing))) {
            if (!set_once(prog, "--state-machine", &opt.state_machine, v))
                return ASL_EXIT_USAGE;
        } else if ((v = opt_value(argc, argv, &i, "--callback-port", &missing))) {
            char *end;
            errno = 0;
            long p = strtol(v, &end, 10);
            if (!*v || *end || errno || p < 0 || p > 65535) {
                usage_error(prog, "invalid --callback-port '%s': expected a port number "
                                  "(0 to 65535; 0 picks a free one)",
                            v);
                return ASL_EXIT_USAGE;
            }
            if (callback_port >= 0) {
                usage_error(prog, "option '--callback-port' given more than once");
                return ASL_EXIT_USAGE;
            }
            callback_port = (int)p;
            opt.callbacks = true;
        } else if ((v = opt_value(argc, argv, &i, "--s3-root", &missing))) {
            if (!set_once(prog, "--s3-root", &opt.s3_root, v))
                return ASL_EXIT_USAGE;
        } else if (missing) {
            usage_error(prog, "option '%s' needs a value", a);
            return ASL_EXIT_USAGE;
        } else {
            usage_error(prog, "unknown option '%s'", a);
            return ASL_EXIT_USAGE;
        }
    }
    if (!m) {
        fprintf(stderr, "%s: no state machine to run\n", prog);
        return ASL_EXIT_USAGE;
    }
    if (input_json && input_file) {
        usage_error(prog, "--input and --input-file cannot be used together");
        return ASL_EXIT_USAGE;
    }

    if (lambda) {
        if (input_json || input_file) {
            usage_error(prog, "--input and --input-file do not apply to Lambda invocations");
            return ASL_EXIT_USAGE;
        }
        if (report_file) {
            usage_error(prog, "--report does not apply to Lambda invocations (use --history)");
            return ASL_EXIT_USAGE;
        }
        if (callback_port >= 0) {
            usage_error(prog, "--callback-port does not apply to Lambda invocations");
            return ASL_EXIT_USAGE;
        }
        return rt_lambda_main(prog, lambda_api, &opt, m, history_file);
    }

    /* ---- the input ---- */
    char *text = NULL;
    size_t len = 0;
    const char *source = "--input";
    if (input_json) {
        text = malloc(strlen(input_json) + 1);
        if (text) {
            len = strlen(input_json);
            memcpy(text, input_json, len + 1);
        }
    } else if (input_file) {
        source = input_file;
        FILE *f = fopen(input_file, "rb");
        if (!f) {
            fprintf(stderr, "%s: cannot read input file '%s': %s\n", prog, input_file,
                    strerror(errno));
            return ASL_EXIT_USAGE;
        }
        text = read_all(f, &len);
        int err = errno;
        fclose(f);
        if (!text) {
            fprintf(stderr, "%s: cannot read input file '%s': %s\n", prog, input_file,
                    strerror(err));
            return ASL_EXIT_USAGE;
        }
    } else if (isatty(STDIN_FILENO)) {
        source = "stdin";
        text = malloc(3);
        if (text) {
            memcpy(text, "{}", 3);
            len = 2;
        }
    } else {
        source = "stdin";
        text = read_all(stdin, &len);
        if (!text) {
            fprintf(stderr, "%s: cannot read the input from stdin: %s\n", prog, strerror(errno));
            return ASL_EXIT_USAGE;
        }
        if (blank(text)) {
            /* Nothing piped in: AWS's default input. */
            free(text);
            text = malloc(3);
            if (text) {
                memcpy(text, "{}", 3);
                len = 2;
            }
        }
    }
    if (!text) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return ASL_EXIT_USAGE;
    }
    /* StartExecution refuses an input over 256 KiB before anything runs;
     * so does this program, rather than fail it in its first state. */
    enum { MAX_EXECUTION_INPUT = 262144 };
    if (len > MAX_EXECUTION_INPUT) {
        fprintf(stderr,
                "%s: the input from %s is %zu bytes; an execution input may be at most "
                "262144 bytes (256 KiB), as StartExecution requires\n",
                prog, source, len);
        free(text);
        return ASL_EXIT_USAGE;
    }
    char err[256] = "";
    cJSON *input = rt_json_parse(text, len, err, sizeof err);
    free(text);
    if (!input) {
        fprintf(stderr, "%s: the input from %s is not valid JSON: %s\n", prog, source,
                err[0] ? err : "parse error");
        return ASL_EXIT_USAGE;
    }

    /* ---- bindings and mocks: nothing starts with a Task left unbound ---- */
    char *terr = NULL;
    rt_tasks *tasks = rt_tasks_open(&opt, m, &terr);
    if (!tasks) {
        fprintf(stderr, "%s: %s\n", prog, terr ? terr : "out of memory");
        free(terr);
        cJSON_Delete(input);
        return ASL_EXIT_USAGE;
    }

    /* ---- the history file; a report reads it back (w+), or a temporary one ---- */
    if (history_file || report_file) {
        opt.history = history_file ? fopen(history_file, report_file ? "w+" : "w") : tmpfile();
        if (!opt.history) {
            if (!history_file)
                history_file = "(temporary)";
            fprintf(stderr, "%s: cannot write history file '%s': %s\n", prog, history_file,
                    strerror(errno));
            cJSON_Delete(input);
            rt_tasks_close(tasks);
            return ASL_EXIT_USAGE;
        }
    }

    /* ---- the callback listener: before the run, so no answer is missed ---- */
    if (callback_port >= 0) {
        char lerr[300] = "";
        int bound = rt_cb_listen(callback_port, lerr, sizeof lerr);
        if (bound < 0) {
            fprintf(stderr, "%s: %s\n", prog, lerr);
            if (opt.history)
                fclose(opt.history);
            cJSON_Delete(input);
            rt_tasks_close(tasks);
            return ASL_EXIT_USAGE;
        }
        if (callback_port == 0) /* the caller must learn which port was picked */
            fprintf(stderr, "%s: callback endpoint http://127.0.0.1:%d\n", prog, bound);
    }

    /* ---- the run ---- */
    rt_run run = {.opt = &opt, .tasks = tasks};
    asl_exec x = {.run = &run};
    cJSON *output = NULL;
    rt_status st = rt_run_machine(&x, m, input, &output);

    int code;
    if (st == RT_SUCCEEDED) {
        char *out = rt_json_print(output);
        if (out) {
            fputs(out, stdout);
            fputc('\n', stdout);
            free(out);
            code = ASL_EXIT_SUCCEEDED;
        } else {
            fprintf(stderr, "%s: out of memory printing the output\n", prog);
            code = ASL_EXIT_FAILED;
        }
        cJSON_Delete(output);
    } else {
        print_failure(&x, st);
        code = st == RT_TIMED_OUT ? ASL_EXIT_TIMED_OUT
             : st == RT_ABORTED   ? ASL_EXIT_ABORTED
                                  : ASL_EXIT_FAILED;
    }
    /* A full disk or a closed pipe loses the output: say so, and a run that
     * succeeded must not exit 0 (the caller would read an empty output). */
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write the output to stdout: %s\n", prog,
                errno ? strerror(errno) : "write error");
        if (code == ASL_EXIT_SUCCEEDED)
            code = ASL_EXIT_USAGE;
    }

    /* The same for the history and the report: what was asked for and not
     * written is a failure of an otherwise successful run. */
    if (report_file) {
        char rerr[300] = "";
        if (rt_report_write(report_file, opt.history, m, rerr, sizeof rerr) != 0) {
            fprintf(stderr, "%s: --report: %s\n", prog, rerr);
            if (code == ASL_EXIT_SUCCEEDED)
                code = ASL_EXIT_USAGE;
        }
    }
    if (opt.history && (ferror(opt.history) | fclose(opt.history)) != 0) {
        fprintf(stderr, "%s: error writing history file '%s': %s\n", prog, history_file,
                errno ? strerror(errno) : "write error");
        if (code == ASL_EXIT_SUCCEEDED)
            code = ASL_EXIT_USAGE;
    }
    rt_cb_listen_stop();
    rt_exec_dispose(&x);
    rt_tasks_close(tasks);
    return code;
}
