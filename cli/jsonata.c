/*
 * jsonata.c - `aslc jsonata`: evaluate one JSONata expression against a
 * JSON document, like jq, with the same parser `aslc check` uses
 * (compiler/jsonata_parse.h) and the runtime's evaluator
 * (runtime/jsonata_eval.h). The result is printed as JSON.stringify would
 * print it, numbers as JavaScript writes them.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "cli.h"
#include "jsonata_eval.h"
#include "jsonata_parse.h"
#include "rt.h"

static void help(void)
{
    printf("usage: aslc jsonata [OPTIONS] [--] EXPR\n"
           "Evaluates the JSONata expression EXPR (with or without {%% %%}) as Step Functions\n"
           "does (JSONata 2.0.6 with $partition $range $hash $random $uuid $parse; no $eval)\n"
           "and prints the result as compact JSON. An undefined result prints nothing.\n"
           "\n"
           "options:\n"
           "  --input JSON       the input document ($), given inline\n"
           "  --input-file F     the input document read from F ('-' for stdin)\n"
           "  --no-input         no input at all ($ is undefined, not null)\n"
           "                     (default: stdin when it is not a terminal, else no input)\n"
           "  --bindings JSON    an object whose members are bound as variables ($name)\n"
           "  --repeat N         evaluate N times (parsed once) and print the last result\n"
           "  --json-errors      report an error as one JSON line on stderr:\n"
           "                     {\"code\":..,\"position\":..,\"token\":..,\"message\":..}\n"
           "  --                 ends the options (for an EXPR that starts with '-')\n"
           "\n"
           "exit codes: 0 evaluated, 1 the expression failed (syntax or evaluation error),\n"
           "            2 bad usage or unreadable input\n");
}

/* ---- the result, as JSON.stringify prints it -------------------------------- */
static void put_string(rt_sbuf *b, const char *s, size_t n)
{
    rt_sb_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': rt_sb_put(b, "\\\"", 2); break;
        case '\\': rt_sb_put(b, "\\\\", 2); break;
        case '\b': rt_sb_put(b, "\\b", 2); break;
        case '\f': rt_sb_put(b, "\\f", 2); break;
        case '\n': rt_sb_put(b, "\\n", 2); break;
        case '\r': rt_sb_put(b, "\\r", 2); break;
        case '\t': rt_sb_put(b, "\\t", 2); break;
        default:
            if (c < 0x20)
                rt_sb_fmt(b, "\\u%04x", c);
            else
                rt_sb_put(b, (const char *)&c, 1);
        }
    }
    rt_sb_put(b, "\"", 1);
}

/* False when [v] prints nothing (undefined, a function in an object). */
static bool put_value(jn_ctx *cx, rt_sbuf *b, const jn_val *v, bool in_array)
{
    if (!v || v->type == JN_FUNCTION) {
        if (in_array)
            rt_sb_str(b, "null");
        return in_array;
    }
    char num[32];
    switch ((jn_type)v->type) {
    case JN_NULL: rt_sb_str(b, "null"); break;
    case JN_BOOL: rt_sb_str(b, v->u.b ? "true" : "false"); break;
    case JN_NUMBER:
        if (!isfinite(v->u.num))
            rt_sb_str(b, "null");
        else {
            jn_num_tostr(v->u.num, num);
            rt_sb_str(b, num);
        }
        break;
    case JN_STRING: put_string(b, v->u.str.s, v->u.str.len); break;
    case JN_ARRAY:
        rt_sb_put(b, "[", 1);
        for (size_t i = 0; i < v->u.arr.n; i++) {
            if (i)
                rt_sb_put(b, ",", 1);
            put_value(cx, b, v->u.arr.items[i], true);
        }
        rt_sb_put(b, "]", 1);
        break;
    case JN_OBJECT: {
        size_t n;
        const jn_pair *p = jn_obj_pairs(cx, v, &n);
        rt_sb_put(b, "{", 1);
        bool first = true;
        for (size_t i = 0; i < n; i++) {
            if (!p[i].val || p[i].val->type == JN_FUNCTION)
                continue;
            if (!first)
                rt_sb_put(b, ",", 1);
            first = false;
            put_string(b, p[i].key, p[i].klen);
            rt_sb_put(b, ":", 1);
            put_value(cx, b, p[i].val, false);
        }
        rt_sb_put(b, "}", 1);
        break;
    }
    case JN_FUNCTION: break;
    }
    return true;
}

/* ---- errors ------------------------------------------------------------------ */
/* The byte offset of UTF-16 index [u] in [s]. */
static size_t byte_at(const char *s, size_t len, long u)
{
    return u <= 0 ? 0 : jn_utf16_to_byte(s, len, (size_t)u);
}

static void report(const char *expr, size_t len, const char *code, long position,
                   size_t byte, const char *token, const char *message, bool json)
{
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", code);
        cJSON_AddNumberToObject(o, "position", (double)position);
        if (token && *token)
            cJSON_AddStringToObject(o, "token", token);
        cJSON_AddStringToObject(o, "message", message);
        char *t = cJSON_PrintUnformatted(o);
        fprintf(stderr, "%s\n", t ? t : "{}");
        free(t);
        cJSON_Delete(o);
        return;
    }
    /* gcc style: the column of the token's first character (1-based) */
    size_t line_start = 0, line = 1;
    for (size_t i = 0; i < byte && i < len; i++)
        if (expr[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    size_t col = 1;
    for (size_t i = line_start; i < byte && i < len; i++)
        if (((unsigned char)expr[i] & 0xc0) != 0x80)
            col++;
    fprintf(stderr, "expression:%zu:%zu: error: %s [%s]\n", line, col, message, code);
    size_t end = line_start;
    while (end < len && expr[end] != '\n')
        end++;
    fprintf(stderr, "    %.*s\n    %*s^\n", (int)(end - line_start), expr + line_start,
            (int)(col - 1), "");
}

/* Where an evaluation error points: the start of its token when the
 * token ends at [position] (jsonata-js positions are just after it). */
static size_t error_byte(const char *expr, size_t len, const jn_error *e)
{
    size_t after = byte_at(expr, len, e->position);
    size_t tl = strlen(e->token);
    if (tl && after >= tl && memcmp(expr + after - tl, e->token, tl) == 0)
        return after - tl;
    return after;
}

/* ---- the command --------------------------------------------------------------- */
static char *read_stream(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (buf) {
        buf[n] = 0;
        *len = n;
    }
    return buf;
}

static int usage(const char *fmt, const char *arg)
{
    return drv_bad_usage("jsonata", fmt, arg);
}

/* Parse a JSON option value; NULL with a message printed. */
static cJSON *parse_json(const char *what, const char *text, size_t len)
{
    char err[256];
    cJSON *j = rt_json_parse(text, len, err, sizeof err);
    if (!j)
        fprintf(stderr, "aslc jsonata: %s is not JSON: %s\n", what, err);
    return j;
}

int drv_cmd_jsonata(int argc, char **argv)
{
    const char *expr_arg = NULL, *input_text = NULL, *input_file = NULL, *bindings_text = NULL;
    bool no_input = false, json_errors = false, options_done = false;
    long repeat = 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && a[0] == '-' && a[1]) {
            if (strcmp(a, "--") == 0) {
                options_done = true;
                continue;
            }
            if (drv_want_help(a)) {
                help();
                return EXIT_OK;
            }
            if (strcmp(a, "--no-input") == 0) {
                no_input = true;
                continue;
            }
            if (strcmp(a, "--json-errors") == 0) {
                json_errors = true;
                continue;
            }
            if (strcmp(a, "--input") == 0 || strcmp(a, "--input-file") == 0 ||
                strcmp(a, "--bindings") == 0 || strcmp(a, "--repeat") == 0) {
                if (i + 1 >= argc)
                    return usage("%s needs a value", a);
                const char *v = argv[++i];
                /* a repeated option is an error, not "the last one wins" */
                if ((strcmp(a, "--input") == 0 && input_text) || (strcmp(a, "--input-file") == 0 && input_file) ||
                    (strcmp(a, "--bindings") == 0 && bindings_text))
                    return usage("%s given more than once", a);
                if (strcmp(a, "--input") == 0)
                    input_text = v;
                else if (strcmp(a, "--input-file") == 0)
                    input_file = v;
                else if (strcmp(a, "--bindings") == 0)
                    bindings_text = v;
                else {
                    char *end;
                    errno = 0;
                    repeat = strtol(v, &end, 10);
                    if (errno || *end || repeat < 1)
                        return usage("--repeat needs a count of 1 or more, not '%s'", v);
                }
                continue;
            }
            return usage("unknown option '%s'", a);
        }
        if (expr_arg)
            return usage("one EXPR only (got '%s' too; quote the expression)", a);
        expr_arg = a;
    }
    if (!expr_arg)
        return usage("%sno EXPR given", "");
    if ((input_text != NULL) + (input_file != NULL) + no_input > 1)
        return usage("%s--input, --input-file and --no-input exclude each other", "");

    /* {% expr %}, as in a definition */
    const char *expr = expr_arg;
    size_t len = strlen(expr);
    while (len && (expr[0] == ' ' || expr[0] == '\t' || expr[0] == '\n')) {
        expr++;
        len--;
    }
    while (len && (expr[len - 1] == ' ' || expr[len - 1] == '\t' || expr[len - 1] == '\n'))
        len--;
    if (len >= 4 && memcmp(expr, "{%", 2) == 0 && memcmp(expr + len - 2, "%}", 2) == 0) {
        expr += 2;
        len -= 4;
    }

    cJSON *input = NULL, *bindings = NULL;
    char *file_text = NULL;
    int rc = EXIT_USAGE;
    if (input_text) {
        if (!(input = parse_json("--input", input_text, strlen(input_text))))
            goto out;
    } else if (input_file || (!no_input && !isatty(0))) {
        FILE *f = stdin;
        if (input_file && strcmp(input_file, "-") != 0 && !(f = fopen(input_file, "rb"))) {
            fprintf(stderr, "aslc jsonata: cannot read %s: %s\n", input_file, strerror(errno));
            goto out;
        }
        size_t n = 0;
        file_text = read_stream(f, &n);
        if (f != stdin)
            fclose(f);
        if (!file_text) {
            fprintf(stderr, "aslc jsonata: out of memory reading the input\n");
            goto out;
        }
        if (!(input = parse_json(input_file ? input_file : "stdin", file_text, n)))
            goto out;
    }
    if (bindings_text) {
        if (!(bindings = parse_json("--bindings", bindings_text, strlen(bindings_text))))
            goto out;
        if (!cJSON_IsObject(bindings)) {
            fprintf(stderr, "aslc jsonata: --bindings must be a JSON object of variables\n");
            goto out;
        }
    }

    arena a = {0};
    jsonata_syntax_error se;
    const asl_jnode *root = jsonata_parse(&a, expr, len, &se);
    if (!root) {
        report(expr, len, se.code, se.position, se.byte_offset, se.token, se.message, json_errors);
        arena_free(&a);
        rc = EXIT_ERRORS;
        goto out;
    }
    rc = EXIT_OK;
    for (long k = 0; k < repeat; k++) {
        jn_ctx cx;
        jn_ctx_init(&cx, NULL);
        jn_val *r = jn_evaluate_bindings(&cx, root, input, bindings);
        if (jn_failed(&cx)) {
            const jn_error *e = jn_ctx_error(&cx);
            report(expr, len, e->code, e->position, error_byte(expr, len, e), e->token,
                   e->message, json_errors);
            jn_ctx_free(&cx);
            rc = EXIT_ERRORS;
            break;
        }
        if (k == repeat - 1 && r) {
            rt_sbuf b = {0};
            if (put_value(&cx, &b, r, false)) {
                if (b.oom) {
                    fprintf(stderr, "aslc jsonata: out of memory printing the result\n");
                    rc = EXIT_USAGE;
                } else {
                    fwrite(b.p, 1, b.n, stdout);
                    fputc('\n', stdout);
                }
            }
            free(b.p);
        }
        jn_ctx_free(&cx);
    }
    arena_free(&a);
out:
    cJSON_Delete(input);
    cJSON_Delete(bindings);
    free(file_text);
    errno = 0;
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == EXIT_OK) {
        fprintf(stderr, "aslc jsonata: cannot write to stdout: %s\n", errno ? strerror(errno) : "write error");
        rc = EXIT_USAGE;
    }
    return rc;
}
