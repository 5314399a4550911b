/*
 * pipeline.c - what every aslc command shares: reading a definition (JSON
 * or YAML), the pipeline up to the generated C, and the diagnostics options.
 *
 *   unit_open -> load_json / load_yaml -> check_and_lower -> cg_emit_program
 *
 * Each stage hands the next a finished product and drv_compile stops after
 * the first stage that reports errors (every error of that stage is
 * printed). Owns the unit it opens; the C text is handed to the caller.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "cli.h"
#include "emit.h"
#include "graph_cmd.h"
#include "unit.h"

const char drv_diag_options_help[] =
    "  --type TYPE      STANDARD (default) or EXPRESS: the workflow type of a plain\n"
    "                   ASL file; EXPRESS refuses .sync, .waitForTaskToken and activities\n"
    "  -Werror          treat warnings as errors\n"
    "  -Wno-CODE        do not report the warning CODE (the name in [brackets])\n"
    "Diagnostics are coloured when stderr is a terminal and NO_COLOR is not set.\n";

const char drv_template_option_help[] =
    "  --state-machine NAME  of a CloudFormation / SAM template FILE, the state machine\n"
    "                   (logical id) to use; needed when the template has several\n";

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
bool drv_load_definition(unit *u)
{
    size_t n = strlen(u->path);
    bool json = n >= 5 && strcmp(u->path + n - 5, ".json") == 0;
    bool ok = load_is_yaml_path(u->path) || (!json && load_looks_like_yaml(u->text, u->len)) ? load_yaml(u)
                                                                                            : load_json(u);
    if (ok)
        load_cfn_duplicate_keys(u); /* a template's: warnings, the last one kept */
    return ok;
}

/* Check and lower [u] (its definition: u->def_root, else u->root), print
 * its diagnostics, and generate the C into *c_text when asked. */
static int compile_unit(unit *u, const drv_opts *o, char **c_text, bool unreadable)
{
    ir_program *ir = NULL;
    if (u->nerrors == 0)
        ir = check_and_lower(u);                 /* every rule; then the IR */
    diag_print_text(stderr, u, o->color);
    int rc = EXIT_OK;
    if (unreadable)
        rc = EXIT_USAGE;
    else if (u->nerrors > 0 || !ir || (o->werror && u->nwarnings > 0))
        rc = EXIT_ERRORS;
    char *svg = NULL;
    if (rc == EXIT_OK && c_text && o->embed_graph) /* the --report page's picture */
        ir->graph_svg = svg = graph_report_svg(ir);
    if (rc == EXIT_OK && c_text && !(*c_text = emit_to_string(ir))) { /* IR -> C */
        fprintf(stderr, "aslc: %s: cannot generate C (out of memory)\n", u->path);
        rc = EXIT_USAGE;
    }
    free(svg);
    return rc;
}

/* One state machine of a template, called back by cfn.c while its
 * definition (in the template, or a DefinitionUri file's unit) is alive. */
typedef struct template_job {
    const drv_opts *o;
    char **c_text;
    const unit *tmpl;
    int rc;
    bool called, printed_tmpl;
} template_job;

static void compile_machine(unit *def, void *ctx)
{
    template_job *j = ctx;
    j->called = true;
    j->printed_tmpl |= def == j->tmpl;
    j->rc = compile_unit(def, j->o, j->c_text, false);
}

/* `aslc run / build / emit` of a CloudFormation / SAM template: its one
 * state machine, or the one --state-machine names. */
static int compile_template(unit *u, const drv_opts *o, char **c_text)
{
    enum { SHOWN = 20 };
    const char *names[SHOWN];
    int n = load_cfn_machine_names(u, names, SHOWN);
    const char *want = o->state_machine;
    bool found = false;
    for (int i = 0; want && i < n && i < SHOWN; i++)
        found |= strcmp(names[i], want) == 0;
    if (n == 0 || (!want && n > 1) || (want && !found)) {
        diag_print_text(stderr, u, o->color);
        if (n == 0) {
            fprintf(stderr, "aslc: %s: this template has no AWS::StepFunctions::StateMachine or "
                            "AWS::Serverless::StateMachine resource\n", u->path);
            return EXIT_ERRORS;
        }
        if (want)
            fprintf(stderr, "aslc: %s: the template has no state machine called '%s'; it has ", u->path, want);
        else
            fprintf(stderr, "aslc: %s: the template has %d state machines: ", u->path, n);
        for (int i = 0; i < n && i < SHOWN; i++)
            fprintf(stderr, "%s%s", i ? ", " : "", names[i]);
        fprintf(stderr, "%s; choose one with --state-machine NAME\n", n > SHOWN ? ", ..." : "");
        return EXIT_USAGE;
    }
    if (u->nerrors > 0) { /* the template's text itself (duplicate keys in a definition, ...) */
        diag_print_text(stderr, u, o->color);
        return EXIT_ERRORS;
    }
    template_job j = {o, c_text, u, EXIT_ERRORS, false, false};
    load_cfn_definition(u, want ? want : names[0], compile_machine, &j);
    if (!j.printed_tmpl)
        diag_print_text(stderr, u, o->color); /* the template's own problems */
    if (!j.called) {
        fprintf(stderr, "aslc: %s: the definition of state machine '%s' could not be loaded\n", u->path,
                want ? want : names[0]);
        return EXIT_ERRORS;
    }
    if (j.rc == EXIT_OK && (u->nerrors > 0 || (o->werror && u->nwarnings > 0)))
        j.rc = EXIT_ERRORS; /* the template had errors of its own */
    if (j.rc != EXIT_OK && c_text) {
        free(*c_text);
        *c_text = NULL;
    }
    return j.rc;
}

/*
 * Read, parse, check and lower [path], printing its diagnostics. With
 * [c_text] non-NULL, also generate the C into *c_text (malloc'd).
 * Returns EXIT_OK, EXIT_ERRORS, or EXIT_USAGE for an unreadable file.
 */
int drv_compile(const char *path, const drv_opts *o, char **c_text)
{
    unit *u = unit_open(path);                   /* the text and its line map */
    bool unreadable = u->nerrors > 0;
    u->express = o->express;
    if (u->nerrors == 0)
        drv_load_definition(u);                      /* JSON tree with positions */
    int rc;
    if (!unreadable && u->root && load_cfn_is_template(u)) {
        rc = compile_template(u, o, c_text);     /* its (chosen) state machine */
    } else if (o->state_machine && !unreadable && u->root) {
        diag_print_text(stderr, u, o->color);
        fprintf(stderr, "aslc: %s: --state-machine chooses a state machine of a CloudFormation / SAM "
                        "template; this file is not one\n", path);
        rc = EXIT_USAGE;
    } else {
        rc = compile_unit(u, o, c_text, unreadable);
    }
    unit_close(u);
    return rc;
}

/* ==== command line ======================================================= */

int drv_bad_usage(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "aslc %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "; see 'aslc %s --help'\n", cmd);
    return EXIT_USAGE;
}

/* -Werror / -Wno-CODE. Returns 1 when [arg] was one of them, 0 when it is
 * not a diagnostics option, -1 when it is a bad one (reported). */
int drv_diag_option(const char *cmd, const char *arg, drv_opts *o)
{
    if (strcmp(arg, "-Werror") == 0) {
        o->werror = true;
        return 1;
    }
    if (strncmp(arg, "-Werror=", 8) == 0) {
        diag_code code;
        if (!diag_code_by_name(arg + 8, &code)) {
            drv_bad_usage(cmd, "unknown diagnostic code '%s'", arg + 8);
            return -1;
        }
        o->werror_code[code] = true;
        return 1;
    }
    if (strncmp(arg, "-Wno-", 5) == 0) {
        if (!diag_disable(arg + 5)) {
            drv_bad_usage(cmd, "unknown diagnostic code '%s'", arg + 5);
            return -1;
        }
        return 1;
    }
    return 0;
}

int drv_front_option(const char *cmd, int argc, char **argv, int *i, drv_opts *o)
{
    const char *a = argv[*i], *v;
    if (strcmp(cmd, "check") != 0 && (strcmp(a, "--state-machine") == 0 || strncmp(a, "--state-machine=", 16) == 0)) {
        if (a[15] == '=')
            v = a + 16;
        else if (*i + 1 < argc)
            v = argv[++*i];
        else
            v = NULL;
        if (!v || !*v) {
            drv_bad_usage(cmd, "%s--state-machine needs the logical id of a state machine of the template", "");
            return -1;
        }
        if (o->state_machine) {
            drv_bad_usage(cmd, "'%s' given more than once", "--state-machine");
            return -1;
        }
        o->state_machine = v;
        return 1;
    }
    if (strcmp(a, "--type") == 0) {
        if (*i + 1 >= argc) {
            drv_bad_usage(cmd, "%s--type needs STANDARD or EXPRESS", "");
            return -1;
        }
        v = argv[++*i];
    } else if (strncmp(a, "--type=", 7) == 0) {
        v = a + 7;
    } else {
        return 0;
    }
    if (o->type_given) {
        drv_bad_usage(cmd, "'%s' given more than once", "--type");
        return -1;
    }
    if (strcmp(v, "STANDARD") != 0 && strcmp(v, "EXPRESS") != 0) {
        drv_bad_usage(cmd, "unknown workflow type '%s' (STANDARD or EXPRESS)", v);
        return -1;
    }
    o->type_given = true;
    o->express = strcmp(v, "EXPRESS") == 0;
    return 1;
}

bool drv_want_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

bool drv_same_file(const char *in, const char *out)
{
    struct stat a, b;
    return in && out && stat(in, &a) == 0 && stat(out, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}
