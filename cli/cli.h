/*
 * cli.h - what the aslc commands share (pipeline.c) and the commands that
 * live in files of their own (check.c, jsonata.c). The driver is the only part of
 * aslc that knows every stage: it includes compiler/, codegen/ and
 * runtime's public header; nothing includes cli/.
 */
#ifndef ASLC_CLI_CLI_H
#define ASLC_CLI_CLI_H

#include <stdbool.h>

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
    bool embed_graph; /* build, run --report: embed the graph's SVG for --report pages */
    /* --type STANDARD | EXPRESS (check, emit, build, run): the workflow
     * type of a plain ASL file (a template's machines say their own) */
    bool express;
    bool type_given;
    /* --state-machine NAME (emit, build, run): which state machine of a
     * CloudFormation / SAM template (needed when it has several) */
    const char *state_machine;
    /* check only: */
    diag_format format;             /* --format text | json | sarif */
    bool werror_code[DIAG_NUM_CODES]; /* -Werror=CODE */
} drv_opts;

/* The --help lines of the diagnostics options (-Werror, -Wno-CODE) and
 * --type; of --state-machine (emit, build, run). */
extern const char drv_diag_options_help[];
extern const char drv_template_option_help[];

/* Parse u->text: YAML for .yaml / .yml files, JSON for .json files; for
 * other names and stdin, YAML when the text cannot be JSON. */
bool drv_load_definition(unit *u);

/* Read, parse, check and lower [path], printing its diagnostics. With
 * [c_text] non-NULL, also generate the C into *c_text (malloc'd).
 * Returns EXIT_OK, EXIT_ERRORS, or EXIT_USAGE for an unreadable file. */
int drv_compile(const char *path, const drv_opts *o, char **c_text);

/* Print "aslc CMD: <fmt with arg>; see 'aslc CMD --help'"; returns EXIT_USAGE. */
int drv_bad_usage(const char *cmd, const char *fmt, const char *arg);

/* -Werror / -Werror=CODE / -Wno-CODE. Returns 1 when [arg] was one of them,
 * 0 when it is not a diagnostics option, -1 when it is a bad one (reported). */
int drv_diag_option(const char *cmd, const char *arg, drv_opts *o);

/* --type STANDARD|EXPRESS or (unless [cmd] is "check") --state-machine
 * NAME, also as --opt=VALUE, at argv[*i]: returns 1 when it was one (its
 * value consumed: *i advanced), 0 when it is not, -1 when it is a bad
 * one (reported). */
int drv_front_option(const char *cmd, int argc, char **argv, int *i, drv_opts *o);

/* --help or -h. */
bool drv_want_help(const char *arg);

/* Whether OUT names the same file as IN (through another spelling, a hard
 * or a symbolic link): an output there would destroy the input. */
bool drv_same_file(const char *in, const char *out);

/* `aslc jsonata ARGS...` (jsonata.c); returns the exit code. */
int drv_cmd_jsonata(int argc, char **argv);

/* `aslc test-state ARGS...` (test_state.c, linked with server/); returns
 * the exit code. */
int drv_cmd_test_state(int argc, char **argv);

/* `aslc check ARGS...` (check.c); returns the exit code. */
int drv_cmd_check(int argc, char **argv, drv_opts *o);

#endif
