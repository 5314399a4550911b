/*
 * check.c - `aslc check`: validate definitions and report every problem,
 * as text on stderr or as one JSON / SARIF document for all the files.
 * CloudFormation / SAM templates are checked machine by machine (cfn.c).
 * Owns the units it opens and the report; frees both before returning.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "unit.h"

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
           drv_diag_options_help);
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
    u->express = run->o->express;
    if (!unreadable && drv_load_definition(u)) {     /* the tree, with positions */
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

int drv_cmd_check(int argc, char **argv, drv_opts *o)
{
    int nfiles = 0;
    for (int i = 0; i < argc; i++) {
        if (drv_want_help(argv[i])) {
            help_check();
            return EXIT_OK;
        }
        const char *fmt = NULL;
        if (strcmp(argv[i], "--format") == 0) {
            if (i + 1 >= argc)
                return drv_bad_usage("check", "%s--format needs text, json or sarif", "");
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
                return drv_bad_usage("check", "unknown format '%s' (text, json or sarif)", fmt);
            continue;
        }
        int d = drv_diag_option("check", argv[i], o);
        if (d == 0)
            d = drv_front_option("check", argc, argv, &i, o);
        if (d < 0)
            return EXIT_USAGE;
        if (d == 0 && argv[i][0] == '-' && argv[i][1] != '\0')
            return drv_bad_usage("check", "unknown option '%s'", argv[i]);
        if (d == 0)
            argv[nfiles++] = argv[i]; /* keep the files, in order */
    }
    if (nfiles == 0)
        return drv_bad_usage("check", "%sno FILE given", "");
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
