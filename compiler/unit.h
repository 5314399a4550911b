/*
 * unit.h - one compilation unit: a definition's text, its JSON tree with a
 * source position for every key and value, its diagnostics, and the arena
 * that owns everything built from it.
 *
 *   unit *u = unit_open("orders.asl.json");   // srcfile.c
 *   load_json(u);                             // load.c: u->root + positions
 *   ... checks report through diag_*()        // diag.c
 *   unit_close(u);                            // one call frees it all
 */
#ifndef ASLC_COMPILER_UNIT_H
#define ASLC_COMPILER_UNIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "arena.h"

struct cJSON;
struct ir_program;
struct load_pos_table;
struct unit_lc_cache;

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_severity;

typedef enum {
#define X(code, sev, aws) DIAG_##code,
#include "diag_codes.def"
#undef X
    DIAG_NUM_CODES
} diag_code;

enum { NO_OFFSET = (size_t)-1 };

typedef struct diag {
    diag_code code;
    diag_severity severity;
    size_t off;          /* byte offset in the text, or NO_OFFSET */
    const char *message; /* lower case, no final period */
    struct diag *next;
    /* Added for --format json / sarif and templates: the definition the
     * diagnostic is about (its JSON pointer is computed from there; NULL:
     * the unit's root) and, in a CloudFormation / SAM template, the
     * resource's logical id (NULL otherwise). Copied from the unit's
     * def_root / def_name when the diagnostic is recorded. */
    const struct cJSON *root;
    const char *where;
} diag;

typedef struct unit {
    arena arena;
    const char *path;      /* as the user gave it */
    char *text;            /* NUL-terminated; in the arena */
    size_t len;
    size_t *line_starts;   /* offset of each line's first byte */
    int nlines;
    struct unit_lc_cache *lc; /* last unit_linecol answer: keeps scans linear */
    struct cJSON *root;    /* load_json's tree; freed by unit_close */
    struct load_pos_table *pos;
    diag *diags, *diag_tail;
    int nerrors, nwarnings;
    struct ir_program *ir;
    /* The definition being checked: NULL means root. A CloudFormation
     * template sets it to each state machine's definition in turn, with
     * def_name the resource's logical id (cfn.c). */
    const struct cJSON *def_root;
    const char *def_name;
    bool yaml; /* the text was read as YAML (yaml.c) */
    /* An EXPRESS workflow: `--type EXPRESS` for a plain ASL file, or the
     * template's StateMachineType / Type (cfn.c); check_limits.c applies
     * AWS's rules for it. */
    bool express;
} unit;

/* ---- srcfile.c ---- */
/* Read [path] ("-" = stdin). On an I/O error returns a unit with no text
 * and a CANNOT_READ_FILE diagnostic. Never NULL. */
unit *unit_open(const char *path);
/* A unit over a copy of [text]. */
unit *unit_from_text(const char *name, const char *text, size_t len);
void unit_close(unit *u);
/* 1-based line and column (in characters) of byte [off]. */
void unit_linecol(const unit *u, size_t off, int *line, int *col);

/* ---- load.c ---- */
/* Parse u->text into u->root, recording positions. Reports JSON syntax
 * errors with their position, duplicate keys and absurd nesting. Returns
 * true when a tree was built (it may still carry diagnostics). */
bool load_json(unit *u);
/* Offsets of a node of u->root: its key (for object members) and its value.
 * NO_OFFSET for a node the loader did not make. */
size_t load_key_off(const unit *u, const struct cJSON *node);
size_t load_val_off(const unit *u, const struct cJSON *node);
/* Record the offsets of [node] (for loaders other than load_json: YAML,
 * definitions recovered from templates). NO_OFFSET for an unknown one. */
void load_set_pos(unit *u, const struct cJSON *node, size_t key_off, size_t val_off);

/* ---- yaml.c ---- */
/* Parse u->text as YAML into u->root (the same tree load_json builds:
 * mappings become objects, sequences arrays, plain scalars null / booleans
 * / numbers / strings as YAML 1.2 core reads them; CloudFormation short
 * tags !Ref, !Sub, !GetAtt, ... become {"Ref": ...}, {"Fn::Sub": ...}).
 * Reports syntax errors, duplicate keys and unsupported constructs with
 * their position. Returns true when a tree was built. */
bool load_yaml(unit *u);
/* True when [path] names a YAML file (.yaml / .yml). */
bool load_is_yaml_path(const char *path);
/* True when [text] does not start (after white space, comments and a
 * byte order mark) with '{' or '[', i.e. it can only be YAML. */
bool load_looks_like_yaml(const char *text, size_t len);

/* ---- cfn.c ---- */
/* True when u->root is a CloudFormation / SAM template (an object with a
 * "Resources" object and no "States"). */
bool load_cfn_is_template(const unit *u);
/* For every AWS::StepFunctions::StateMachine / AWS::Serverless::StateMachine
 * resource of the template in u->root: recover its definition (Definition,
 * DefinitionString with Fn::Sub / Fn::Join, DefinitionUri naming a local
 * file), apply DefinitionSubstitutions, set u->def_root / u->def_name and
 * call [fn]. Positions of the recovered definition point into the
 * template; problems of the template itself are reported on [u]. A
 * DefinitionUri file is opened as a unit of its own and passed to [fn]
 * instead (then [fn] owns nothing: the unit is closed after the call).
 * Returns the number of state machines found. */
int load_cfn_definitions(unit *u, void (*fn)(unit *def, void *ctx), void *ctx);
/* The same for the one state machine whose logical id is [name] (aslc
 * run / build of a template); returns 1, or 0 when there is none. */
int load_cfn_definition(unit *u, const char *name, void (*fn)(unit *def, void *ctx), void *ctx);
/* Duplicate keys of the template outside its state machines' Definition
 * objects: CloudFormation keeps the last, so the earlier ones are dropped
 * and their DUPLICATE_JSON_KEY errors become DUPLICATE_TEMPLATE_KEY
 * warnings. Call once, after loading, when u->root is a template. */
void load_cfn_duplicate_keys(unit *u);
/* The logical ids of the template's state machines, in order: the first
 * [cap] into [names] (pointers into u->root); returns how many there are. */
int load_cfn_machine_names(const unit *u, const char **names, int cap);
/* ---- diag.c ---- */
/* Record a diagnostic at byte [off] (NO_OFFSET: no position). */
void diag_at(unit *u, diag_code code, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_vat(unit *u, diag_code code, size_t off, const char *fmt, va_list ap);
/* At a node's key (object members) or, failing that, its value. */
void diag_key(unit *u, diag_code code, const struct cJSON *node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* At a node's value. */
void diag_val(unit *u, diag_code code, const struct cJSON *node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Record a note attached to the previous diagnostic. */
void diag_note(unit *u, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *diag_code_name(diag_code code);
const char *diag_aws_code(diag_code code);
/* gcc-style text: file:line:col: severity: message [CODE], the source line
 * and a caret; colour when [color]. Diagnostics print in source order. */
void diag_print_text(FILE *out, const unit *u, bool color);
/* Disable a code (-Wno-CODE); returns false for an unknown name. */
bool diag_disable(const char *name);
bool diag_code_by_name(const char *name, diag_code *out);
/* The JSON pointer (RFC 6901, AWS style: "/" for the root) of the node a
 * diagnostic points at, relative to its definition; "" when unknown.
 * Writes at most [cap] bytes (NUL included) into [buf]. */
void diag_pointer(const unit *u, const diag *d, char *buf, size_t cap);

/* Machine-readable reports: --format json (aslc's own schema, README.md)
 * and --format sarif (SARIF 2.1.0). Add each unit once it is checked;
 * finish prints the document and frees the report. [failed] is the
 * unit's verdict (errors, or warnings under -Werror). */
typedef enum { DIAG_FORMAT_TEXT, DIAG_FORMAT_JSON, DIAG_FORMAT_SARIF } diag_format;
typedef struct diag_report diag_report;
diag_report *diag_report_new(diag_format fmt, const char *tool_version);
void diag_report_add(diag_report *r, const unit *u, bool failed);
/* Prints to [out]; returns false on an output error. */
bool diag_report_finish(diag_report *r, FILE *out);
#endif
