/*
 * main.c - the aslc command line: usage, the dispatch to one function per
 * command, and the small commands (emit, build, run). `check` is check.c;
 * the pipeline the commands share is pipeline.c:
 *
 *   unit_open -> load_json -> check_and_lower -> cg_emit_program -> cc or libtcc
 *
 * A new command gets a file of its own in cli/ (drv_cmd_NAME, declared in
 * cli.h) and one line in main() and usage(). Owns the C text it emits;
 * frees it before returning. Nothing else calls into this file.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "cli.h"
#include "graph_cmd.h"
#include "jit.h"
#include "serve_cmd.h"

/* ==== help texts ========================================================= */

static void usage(FILE *f)
{
    fputs("usage: aslc COMMAND [OPTIONS] FILE...\n"
          "\n"
          "Compile AWS Step Functions state machines (Amazon States Language) to C.\n"
          "\n"
          "commands:\n"
          "  check FILE...            validate definitions; gcc-style diagnostics\n"
          "  emit FILE [-o OUT.c]     print the generated C\n"
          "  build FILE -o NAME       build a native executable for the workflow\n"
          "  run FILE [OPTIONS]       compile in memory (TinyCC) and run now\n"
          "  graph FILE [-o OUT]      draw the states (dot, mermaid, svg, png)\n"
          "  jsonata EXPR [OPTIONS]   evaluate a JSONata expression, like jq\n"
          "  serve [OPTIONS]          a local Step Functions endpoint for the AWS CLI / SDKs\n"
          "  test-state --definition F  test one state as AWS's TestState API does\n"
          "\n"
          "  aslc COMMAND --help      options and exit codes of a command\n"
          "  aslc --version           print the version\n",
          f);
}

static void help_emit(void)
{
    printf("usage: aslc emit [OPTIONS] FILE [-o OUT.c]\n"
           "\n"
           "Check FILE and write the C program aslc generates for it (stdout, or OUT.c).\n"
           "It includes only \"aslrt.h\" and links against libaslrt.\n"
           "\n"
           "options:\n"
           "  -o OUT.c         write the C to OUT.c (\"-\": stdout)\n%s%s"
           "\n"
           "exit codes: 0 written, 1 the definition has errors, 2 bad usage or I/O error\n",
           drv_template_option_help, drv_diag_options_help);
}

static void help_build(void)
{
    printf("usage: aslc build [OPTIONS] FILE -o NAME | --zip FILE\n"
           "\n"
           "Check FILE, generate C and build the native executable NAME, linked with\n"
           "libaslrt.a (found beside aslc, or in ../lib of its directory, or in %s).\n"
           "\n"
           "options:\n"
           "  -o NAME          the executable to write (required)\n"
           "  --cc CC          the C compiler command (default: $CC, else cc, gcc or\n"
           "                   clang on PATH, else TinyCC inside aslc; \"libtcc\" forces that)\n"
           "  -O0 .. -O3       optimisation level (default -O2)\n"
           "  --lambda         build for AWS Lambda's provided.al2023 runtime: PCRE2\n"
           "                   linked in, cJSON looked for in lib/ beside the program;\n"
           "                   with AWS_LAMBDA_RUNTIME_API set it serves invocations\n"
           "  --zip FILE       also write the Lambda deployment package FILE: bootstrap\n"
           "                   (the program) and lib/libcjson.so.1 (implies --lambda;\n"
           "                   -o is then optional)\n"
           "  --bindings F     with --zip: F goes into the package as bindings.json and\n"
           "                   the function runs with it (Lambda passes no arguments)\n"
           "  --aws            with --zip: the function's Tasks that nothing else covers\n"
           "                   call AWS, with the function's own role\n%s%s"
           "\n"
           "The executable takes --input JSON | --input-file F | stdin, --wait, --name,\n"
           "--history, --trace, ... (run it with --help).\n"
           "\n"
           "exit codes: 0 built, 1 the definition has errors, 2 bad usage or unreadable\n"
           "file, 3 the C compiler failed or the runtime library was not found\n",
           ASLC_LIBDIR, drv_template_option_help, drv_diag_options_help);
}

static void help_run(void)
{
    printf("usage: aslc run [OPTIONS] FILE [EXECUTABLE OPTIONS]\n"
           "\n"
           "Check FILE, compile it in memory with TinyCC and run the workflow now,\n"
           "exactly as the executable from `aslc build` would. Everything after FILE\n"
           "is passed to it: --input JSON | --input-file F (default: stdin, or {}\n"
           "when stdin is a terminal), --wait real|skip|scale=X, --name NAME,\n"
           "--history F, --trace, --bindings F, --mock-config F, --test-case NAME,\n"
           "--aws (Tasks nothing else covers call AWS);\n"
           "`aslc run FILE --help` lists them.\n"
           "\n"
           "options (before FILE):\n%s%s"
           "\n"
           "The output JSON is printed on stdout; a failure prints one line\n"
           "{\"status\":...,\"error\":...,\"cause\":...} on stderr.\n"
           "exit codes: 0 succeeded, 1 failed, 2 bad usage, invalid input or a definition\n"
           "with errors, 3 timed out, 4 aborted\n",
           drv_template_option_help, drv_diag_options_help);
}

/* Parses `FILE [-o OUT]` plus diagnostics options, for emit and build;
 * build also takes --cc and -O. Returns -1 to go on, else an exit code. */
static int parse_one_file(const char *cmd, int argc, char **argv, drv_opts *o, const char **file,
                          const char **out, drv_build_opts *b, void (*help)(void))
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (drv_want_help(a)) {
            help();
            return EXIT_OK;
        }
        int d = drv_diag_option(cmd, a, o);
        if (d == 0)
            d = drv_front_option(cmd, argc, argv, &i, o);
        if (d < 0)
            return EXIT_USAGE;
        if (d > 0)
            continue;
        if (strcmp(a, "-o") == 0) {
            if (i + 1 >= argc)
                return drv_bad_usage(cmd, "%s needs a file name", a);
            *out = argv[++i];
        } else if (b && strcmp(a, "--cc") == 0) {
            if (i + 1 >= argc)
                return drv_bad_usage(cmd, "%s needs a compiler command", a);
            b->cc = argv[++i];
        } else if (b && strcmp(a, "--lambda") == 0) {
            b->lambda = true;
        } else if (b && strcmp(a, "--zip") == 0) {
            if (i + 1 >= argc)
                return drv_bad_usage(cmd, "%s needs a file name", a);
            b->zip = argv[++i];
            b->lambda = true;
        } else if (b && strcmp(a, "--bindings") == 0) {
            if (i + 1 >= argc)
                return drv_bad_usage(cmd, "%s needs a file name", a);
            b->zip_bindings = argv[++i];
        } else if (b && strcmp(a, "--aws") == 0) {
            b->zip_aws = true;
        } else if (b && a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
            b->opt_level = a[2] - '0';
        } else if (a[0] == '-' && a[1] != '\0') {
            return drv_bad_usage(cmd, "unknown option '%s'", a);
        } else if (*file) {
            return drv_bad_usage(cmd, "one FILE only (got '%s' too)", a);
        } else {
            *file = a;
        }
    }
    if (!*file)
        return drv_bad_usage(cmd, "%sno FILE given", "");
    if (drv_same_file(*file, *out))
        return drv_bad_usage(cmd, "-o '%s' is the input file: it would be overwritten", *out);
    if (b && drv_same_file(*file, b->zip))
        return drv_bad_usage(cmd, "--zip '%s' is the input file: it would be overwritten", b->zip);
    if (b && !b->zip && (b->zip_bindings || b->zip_aws))
        return drv_bad_usage(cmd, "%s goes with --zip (a package's bootstrap passes it); give it to "
                                  "the executable itself when you run it",
                             b->zip_bindings ? "--bindings" : "--aws");
    return -1;
}

static int cmd_emit(int argc, char **argv, drv_opts *o)
{
    const char *file = NULL, *out = NULL;
    int rc = parse_one_file("emit", argc, argv, o, &file, &out, NULL, help_emit);
    if (rc >= 0)
        return rc;
    char *c = NULL;
    rc = drv_compile(file, o, &c);
    if (rc != EXIT_OK)
        return rc;
    bool to_stdout = !out || strcmp(out, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(out, "wb");
    bool ok = f && fputs(c, f) >= 0;
    if (f && !to_stdout)
        ok = fclose(f) == 0 && ok;
    else if (f)
        ok = fflush(f) == 0 && ok;
    if (!ok) {
        fprintf(stderr, "aslc emit: cannot write %s\n", to_stdout ? "to stdout" : out);
        rc = EXIT_USAGE;
    }
    free(c);
    return rc;
}

static int cmd_build(int argc, char **argv, drv_opts *o)
{
    const char *file = NULL;
    drv_build_opts b = {.opt_level = 2};
    int rc = parse_one_file("build", argc, argv, o, &file, &b.output, &b, help_build);
    if (rc >= 0)
        return rc;
    if (!b.output && !b.zip)
        return drv_bad_usage("build", "%s-o NAME (or --zip FILE) is required", "");
    char *c = NULL;
    o->embed_graph = true; /* every executable can write a --report page */
    rc = drv_compile(file, o, &c);
    if (rc == EXIT_OK)
        rc = b.zip ? drv_package_zip(c, file, &b) : drv_build(c, file, &b);
    free(c);
    return rc;
}

static int cmd_run(int argc, char **argv, drv_opts *o)
{
    int i = 0;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (drv_want_help(argv[i])) {
            help_run();
            return EXIT_OK;
        }
        int d = drv_diag_option("run", argv[i], o);
        if (d == 0)
            d = drv_front_option("run", argc, argv, &i, o);
        if (d < 0)
            return EXIT_USAGE;
        if (d == 0)
            return drv_bad_usage("run", "unknown option '%s' (executable options go after FILE)",
                             argv[i]);
    }
    if (i >= argc)
        return drv_bad_usage("run", "%sno FILE given", "");
    const char *file = argv[i];
    /* Graphviz runs only when this run writes a report page. */
    for (int k = i + 1; k < argc; k++) {
        if (strcmp(argv[k], "--report") == 0 || strncmp(argv[k], "--report=", 9) == 0)
            o->embed_graph = true;
        /* The executable's own --type (its run-time limits): the check
         * applies the EXPRESS rules for it too. */
        if (!o->type_given && ((strcmp(argv[k], "--type") == 0 && k + 1 < argc && strcmp(argv[k + 1], "EXPRESS") == 0) ||
                               strcmp(argv[k], "--type=EXPRESS") == 0))
            o->express = true;
    }
    char *c = NULL;
    int rc = drv_compile(file, o, &c);
    if (rc != EXIT_OK)
        return EXIT_USAGE; /* 1 would read as "the workflow failed" */
    /* The workflow's argv: a name for its messages ("aslc run x.asl.json":
     * no slash, since the runtime keeps only what follows the last one),
     * then everything after FILE. */
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    size_t nlen = strlen(base) + sizeof "aslc run ";
    char *name = malloc(nlen);
    if (!name) {
        free(c);
        return EXIT_USAGE;
    }
    snprintf(name, nlen, "aslc run %s", base);
    argv[i] = name;
    rc = jit_run(c, file, argc - i, argv + i);
    argv[i] = (char *)file;
    free(name);
    free(c);
    return rc < 0 ? EXIT_USAGE : rc;
}

static int dispatch(int argc, char **argv)
{
    const char *nc = getenv("NO_COLOR");
    drv_opts o = {.color = isatty(STDERR_FILENO) && !(nc && *nc)};
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (drv_want_help(cmd) || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("aslc %s\n", ASLC_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "check") == 0)
        return drv_cmd_check(argc - 2, argv + 2, &o);
    if (strcmp(cmd, "emit") == 0)
        return cmd_emit(argc - 2, argv + 2, &o);
    if (strcmp(cmd, "build") == 0)
        return cmd_build(argc - 2, argv + 2, &o);
    if (strcmp(cmd, "graph") == 0)
        return graph_cmd(argc - 2, argv + 2, o.color);
    if (strcmp(cmd, "serve") == 0) /* server/, issue 13 */
        return serve_cmd(argc - 2, argv + 2);
    if (strcmp(cmd, "test-state") == 0) /* server/teststate.c, issue 14 */
        return drv_cmd_test_state(argc - 2, argv + 2);
    if (strcmp(cmd, "jsonata") == 0)
        return drv_cmd_jsonata(argc - 2, argv + 2);
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2, &o);
    fprintf(stderr, "aslc: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}

/* Output lost to a full disk or a closed pipe (`aslc check x.json >
 * /dev/full`) must not exit 0. A command that already failed (emit, graph,
 * a run's own writer) has said why: its exit code stands. */
int main(int argc, char **argv)
{
    int rc = dispatch(argc, argv);
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (rc == EXIT_OK) {
            fprintf(stderr, "aslc: cannot write to stdout: %s\n", errno ? strerror(errno) : "write error");
            rc = EXIT_USAGE;
        }
    }
    return rc;
}
