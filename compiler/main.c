/*
 * main.c - the aslc driver: command line, and the pipeline on one screen.
 *
 *   unit_open -> load_json -> check_and_lower -> cg_emit_program -> cc or libtcc
 *
 * Each stage hands the next a finished product and the driver stops after
 * the first stage that reports errors (every error of that stage is
 * printed). Commands: check, emit, build, run (see usage() and each
 * command's --help). Owns the units it opens and the C text it emits;
 * frees both before returning. Nothing else calls into this file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "check.h"
#include "emit.h"
#include "graph_cmd.h"
#include "jit.h"
#include "serve_cmd.h"
#include "unit.h"

#define ASLC_VERSION "0.1.0"

/* Exit codes shared by the commands (run uses the executable's codes). */
enum {
    EXIT_OK = 0,
    EXIT_ERRORS = 1, /* the definition has errors (or warnings with -Werror) */
    EXIT_USAGE = 2,  /* bad command line, unreadable file, I/O error */
};

/* Options every command accepts. */
typedef struct drv_opts {
    bool werror;    /* -Werror: warnings fail the command */
    bool color;     /* colour diagnostics */
    /* check only: */
    diag_format format;             /* --format text | json | sarif */
    bool werror_code[DIAG_NUM_CODES]; /* -Werror=CODE */
} drv_opts;

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
          "  serve [OPTIONS]          a local Step Functions endpoint for the AWS CLI / SDKs\n"
          "\n"
          "  aslc COMMAND --help      options and exit codes of a command\n"
          "  aslc --version           print the version\n",
          f);
}

static const char diag_options_help[] =
    "  -Werror          treat warnings as errors\n"
    "  -Wno-CODE        do not report the warning CODE (the name in [brackets])\n"
    "Diagnostics are coloured when stderr is a terminal and NO_COLOR is not set.\n";

static void help_check(void)
{
    printf("usage: aslc check [OPTIONS] FILE...\n"
           "\n"
           "Validate each definition (\"-\" reads stdin) and print every problem as\n"
           "  file:line:col: error: message [CODE]\n"
           "with the source line and a caret, on stderr. Every rule AWS applies, for\n"
           "JSONPath and JSONata states, plus warnings for likely mistakes.\n"
           "\n"
           "FILE may be ASL in JSON (.json, .asl.json) or YAML (.yaml, .yml, .asl.yaml),\n"
           "or a CloudFormation / SAM template (JSON or YAML): then every\n"
           "AWS::StepFunctions::StateMachine and AWS::Serverless::StateMachine in it is\n"
           "checked (Definition, DefinitionString with Fn::Sub / Fn::Join, a local\n"
           "DefinitionUri; DefinitionSubstitutions applied), with positions in the template.\n"
           "\n"
           "options:\n"
           "  --format FORMAT  text (default; on stderr), json or sarif (SARIF 2.1.0),\n"
           "                   one document for all files, on stdout\n"
           "  -Werror=CODE     treat the warning CODE as an error\n%s"
           "\n"
           "exit codes: 0 no errors, 1 errors found (or warnings under -Werror),\n"
           "2 bad usage or unreadable file\n",
           diag_options_help);
}

static void help_emit(void)
{
    printf("usage: aslc emit [OPTIONS] FILE [-o OUT.c]\n"
           "\n"
           "Check FILE and write the C program aslc generates for it (stdout, or OUT.c).\n"
           "It includes only \"aslrt.h\" and links against libaslrt.\n"
           "\n"
           "options:\n"
           "  -o OUT.c         write the C to OUT.c (\"-\": stdout)\n%s"
           "\n"
           "exit codes: 0 written, 1 the definition has errors, 2 bad usage or I/O error\n",
           diag_options_help);
}

static void help_build(void)
{
    printf("usage: aslc build [OPTIONS] FILE -o NAME\n"
           "\n"
           "Check FILE, generate C and build the native executable NAME, linked with\n"
           "libaslrt.a (found beside aslc, or in ../lib of its directory, or in %s).\n"
           "\n"
           "options:\n"
           "  -o NAME          the executable to write (required)\n"
           "  --cc CC          the C compiler command (default: $CC, else cc, gcc or\n"
           "                   clang on PATH, else TinyCC inside aslc; \"libtcc\" forces that)\n"
           "  -O0 .. -O3       optimisation level (default -O2)\n%s"
           "\n"
           "The executable takes --input JSON | --input-file F | stdin, --wait, --name,\n"
           "--history, --trace, ... (run it with --help).\n"
           "\n"
           "exit codes: 0 built, 1 the definition has errors, 2 bad usage or unreadable\n"
           "file, 3 the C compiler failed or the runtime library was not found\n",
           ASLC_LIBDIR, diag_options_help);
}

static void help_run(void)
{
    printf("usage: aslc run [OPTIONS] FILE [EXECUTABLE OPTIONS]\n"
           "\n"
           "Check FILE, compile it in memory with TinyCC and run the workflow now,\n"
           "exactly as the executable from `aslc build` would. Everything after FILE\n"
           "is passed to it: --input JSON | --input-file F (default: stdin, or {}\n"
           "when stdin is a terminal), --wait real|skip|scale=X, --name NAME,\n"
           "--history F, --trace, --bindings F, --mock-config F, --test-case NAME;\n"
           "`aslc run FILE --help` lists them.\n"
           "\n"
           "options (before FILE):\n%s"
           "\n"
           "The output JSON is printed on stdout; a failure prints one line\n"
           "{\"status\":...,\"error\":...,\"cause\":...} on stderr.\n"
           "exit codes: 0 succeeded, 1 failed, 2 bad usage, invalid input or a definition\n"
           "with errors, 3 timed out, 4 aborted\n",
           diag_options_help);
}

/* ==== the pipeline ======================================================= */

/* The generated C for [prog], as a malloc'd string; NULL on failure. */
static char *emit_to_string(const ir_program *prog)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    int rc = cg_emit_program(f, prog);
    if (fclose(f) != 0 || rc != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Parse u->text: YAML for .yaml / .yml files, JSON for .json files; for
 * other names and stdin, YAML when the text cannot be JSON. */
static bool load_definition(unit *u)
{
    size_t n = strlen(u->path);
    bool json = n >= 5 && strcmp(u->path + n - 5, ".json") == 0;
    if (load_is_yaml_path(u->path) || (!json && load_looks_like_yaml(u->text, u->len)))
        return load_yaml(u);
    return load_json(u);
}

/*
 * Read, parse, check and lower [path], printing its diagnostics. With
 * [c_text] non-NULL, also generate the C into *c_text (malloc'd).
 * Returns EXIT_OK, EXIT_ERRORS, or EXIT_USAGE for an unreadable file.
 */
static int compile(const char *path, const drv_opts *o, char **c_text)
{
    unit *u = unit_open(path);                   /* the text and its line map */
    bool unreadable = u->nerrors > 0;
    if (u->nerrors == 0)
        load_definition(u);                      /* JSON tree with positions */
    ir_program *ir = NULL;
    if (u->nerrors == 0)
        ir = check_and_lower(u);                 /* every rule; then the IR */
    diag_print_text(stderr, u, o->color);
    int rc = EXIT_OK;
    if (unreadable)
        rc = EXIT_USAGE;
    else if (u->nerrors > 0 || !ir || (o->werror && u->nwarnings > 0))
        rc = EXIT_ERRORS;
    else if (c_text && !(*c_text = emit_to_string(ir))) { /* IR -> C */
        fprintf(stderr, "aslc: %s: cannot generate C (out of memory)\n", path);
        rc = EXIT_USAGE;
    }
    unit_close(u);
    return rc;
}

/* ==== command line ======================================================= */

static int bad_usage(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "aslc %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "; see 'aslc %s --help'\n", cmd);
    return EXIT_USAGE;
}

/* -Werror / -Wno-CODE. Returns 1 when [arg] was one of them, 0 when it is
 * not a diagnostics option, -1 when it is a bad one (reported). */
static int diag_option(const char *cmd, const char *arg, drv_opts *o)
{
    if (strcmp(arg, "-Werror") == 0) {
        o->werror = true;
        return 1;
    }
    if (strncmp(arg, "-Werror=", 8) == 0) {
        diag_code code;
        if (!diag_code_by_name(arg + 8, &code)) {
            bad_usage(cmd, "unknown diagnostic code '%s'", arg + 8);
            return -1;
        }
        o->werror_code[code] = true;
        return 1;
    }
    if (strncmp(arg, "-Wno-", 5) == 0) {
        if (!diag_disable(arg + 5)) {
            bad_usage(cmd, "unknown diagnostic code '%s'", arg + 5);
            return -1;
        }
        return 1;
    }
    return 0;
}

static bool want_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* ==== check ============================================================== */

typedef struct check_run {
    const drv_opts *o;
    diag_report *report;
    int rc;
} check_run;

/* Does [u] fail the check: errors, or warnings made errors? */
static bool check_failed(const unit *u, const drv_opts *o)
{
    if (u->nerrors > 0 || (o->werror && u->nwarnings > 0))
        return true;
    for (const diag *d = u->diags; d; d = d->next)
        if (d->severity == DIAG_WARNING && o->werror_code[d->code])
            return true;
    return false;
}

/* Print or record [u]'s diagnostics and fold its verdict into run->rc. */
static void check_report(check_run *run, const unit *u, bool unreadable)
{
    bool failed = check_failed(u, run->o);
    if (run->o->format == DIAG_FORMAT_TEXT)
        diag_print_text(stderr, u, run->o->color);
    diag_report_add(run->report, u, failed);
    int r = unreadable ? EXIT_USAGE : failed ? EXIT_ERRORS : EXIT_OK;
    if (r > run->rc)
        run->rc = r; /* 2 (unreadable) outranks 1 (errors) */
}

/* What cfn.c calls back with: the template's own state machines (def_root
 * set on the template unit), or a DefinitionUri file as a unit of its own. */
typedef struct template_ctx {
    check_run *run;
    const unit *tmpl;
} template_ctx;

static void check_template_machine(unit *def, void *ctx)
{
    template_ctx *t = ctx;
    if (def->root)
        check_definition(def);
    if (def != t->tmpl)
        check_report(t->run, def, false); /* a file of its own */
}

static void check_file(check_run *run, const char *path)
{
    unit *u = unit_open(path);                   /* the text and its line map */
    bool unreadable = u->nerrors > 0;
    if (!unreadable && load_definition(u)) {     /* the tree, with positions */
        if (load_cfn_is_template(u)) {           /* each state machine in it */
            template_ctx t = {run, u};
            if (load_cfn_definitions(u, check_template_machine, &t) == 0)
                diag_at(u, DIAG_NO_STATE_MACHINE, load_val_off(u, u->root),
                        "this CloudFormation template has no AWS::StepFunctions::StateMachine or "
                        "AWS::Serverless::StateMachine resource to check");
        } else {
            check_definition(u);                 /* every rule */
        }
    }
    check_report(run, u, unreadable);
    unit_close(u);
}

static int cmd_check(int argc, char **argv, drv_opts *o)
{
    int nfiles = 0;
    for (int i = 0; i < argc; i++) {
        if (want_help(argv[i])) {
            help_check();
            return EXIT_OK;
        }
        const char *fmt = NULL;
        if (strcmp(argv[i], "--format") == 0) {
            if (i + 1 >= argc)
                return bad_usage("check", "%s--format needs text, json or sarif", "");
            fmt = argv[++i];
        } else if (strncmp(argv[i], "--format=", 9) == 0) {
            fmt = argv[i] + 9;
        }
        if (fmt) {
            if (strcmp(fmt, "text") == 0)
                o->format = DIAG_FORMAT_TEXT;
            else if (strcmp(fmt, "json") == 0)
                o->format = DIAG_FORMAT_JSON;
            else if (strcmp(fmt, "sarif") == 0)
                o->format = DIAG_FORMAT_SARIF;
            else
                return bad_usage("check", "unknown format '%s' (text, json or sarif)", fmt);
            continue;
        }
        int d = diag_option("check", argv[i], o);
        if (d < 0)
            return EXIT_USAGE;
        if (d == 0 && argv[i][0] == '-' && argv[i][1] != '\0')
            return bad_usage("check", "unknown option '%s'", argv[i]);
        if (d == 0)
            argv[nfiles++] = argv[i]; /* keep the files, in order */
    }
    if (nfiles == 0)
        return bad_usage("check", "%sno FILE given", "");
    check_run run = {o, diag_report_new(o->format, ASLC_VERSION), EXIT_OK};
    if (!run.report) {
        fputs("aslc: out of memory\n", stderr);
        return EXIT_USAGE;
    }
    for (int i = 0; i < nfiles; i++)
        check_file(&run, argv[i]);
    if (!diag_report_finish(run.report, stdout)) {
        fputs("aslc check: cannot write the report\n", stderr);
        return EXIT_USAGE;
    }
    if (o->format != DIAG_FORMAT_TEXT && fflush(stdout) != 0)
        return EXIT_USAGE;
    return run.rc;
}

/* Parses `FILE [-o OUT]` plus diagnostics options, for emit and build;
 * build also takes --cc and -O. Returns -1 to go on, else an exit code. */
static int parse_one_file(const char *cmd, int argc, char **argv, drv_opts *o, const char **file,
                          const char **out, drv_build_opts *b, void (*help)(void))
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (want_help(a)) {
            help();
            return EXIT_OK;
        }
        int d = diag_option(cmd, a, o);
        if (d < 0)
            return EXIT_USAGE;
        if (d > 0)
            continue;
        if (strcmp(a, "-o") == 0) {
            if (i + 1 >= argc)
                return bad_usage(cmd, "%s needs a file name", a);
            *out = argv[++i];
        } else if (b && strcmp(a, "--cc") == 0) {
            if (i + 1 >= argc)
                return bad_usage(cmd, "%s needs a compiler command", a);
            b->cc = argv[++i];
        } else if (b && a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
            b->opt_level = a[2] - '0';
        } else if (a[0] == '-' && a[1] != '\0') {
            return bad_usage(cmd, "unknown option '%s'", a);
        } else if (*file) {
            return bad_usage(cmd, "one FILE only (got '%s' too)", a);
        } else {
            *file = a;
        }
    }
    if (!*file)
        return bad_usage(cmd, "%sno FILE given", "");
    return -1;
}

static int cmd_emit(int argc, char **argv, drv_opts *o)
{
    const char *file = NULL, *out = NULL;
    int rc = parse_one_file("emit", argc, argv, o, &file, &out, NULL, help_emit);
    if (rc >= 0)
        return rc;
    char *c = NULL;
    rc = compile(file, o, &c);
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
    if (!b.output)
        return bad_usage("build", "%s-o NAME is required", "");
    char *c = NULL;
    rc = compile(file, o, &c);
    if (rc == EXIT_OK)
        rc = drv_build(c, file, &b);
    free(c);
    return rc;
}

static int cmd_run(int argc, char **argv, drv_opts *o)
{
    int i = 0;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (want_help(argv[i])) {
            help_run();
            return EXIT_OK;
        }
        int d = diag_option("run", argv[i], o);
        if (d < 0)
            return EXIT_USAGE;
        if (d == 0)
            return bad_usage("run", "unknown option '%s' (executable options go after FILE)",
                             argv[i]);
    }
    if (i >= argc)
        return bad_usage("run", "%sno FILE given", "");
    const char *file = argv[i];
    char *c = NULL;
    int rc = compile(file, o, &c);
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

int main(int argc, char **argv)
{
    const char *nc = getenv("NO_COLOR");
    drv_opts o = {.color = isatty(STDERR_FILENO) && !(nc && *nc)};
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (want_help(cmd) || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("aslc %s\n", ASLC_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 2, argv + 2, &o);
    if (strcmp(cmd, "emit") == 0)
        return cmd_emit(argc - 2, argv + 2, &o);
    if (strcmp(cmd, "build") == 0)
        return cmd_build(argc - 2, argv + 2, &o);
    if (strcmp(cmd, "graph") == 0)
        return graph_cmd(argc - 2, argv + 2, o.color);
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2, &o);
    if (strcmp(cmd, "serve") == 0) /* server/, issue 13 */
        return serve_cmd(argc - 2, argv + 2);
    fprintf(stderr, "aslc: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
