/*
 * diag.c - diagnostics: recording them against a unit, and printing them
 * the way gcc does (file:line:col: severity: message [CODE], the source
 * line, a caret), or as one machine-readable document for a whole run:
 * --format json (aslc's schema, documented in README.md, "aslc check
 * --format json") and --format sarif (SARIF 2.1.0, for code-scanning
 * UIs). Codes, severities and AWS's codes come from diag_codes.def; each
 * diagnostic also gets the JSON pointer of the node it is about (the
 * "location" AWS's ValidateStateMachineDefinition gives).
 *
 * Called by every stage that reports (load, check, cfn, yaml) and by the
 * driver (cli/check.c), which owns the reports it creates.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static const struct {
    const char *name;
    diag_severity severity;
    const char *aws;
} code_info[] = {
#define X(code, sev, aws) {#code, sev, aws},
#include "diag_codes.def"
#undef X
};

static bool disabled[DIAG_NUM_CODES];

const char *diag_code_name(diag_code code) { return code_info[code].name; }
const char *diag_aws_code(diag_code code) { return code_info[code].aws; }

bool diag_code_by_name(const char *name, diag_code *out)
{
    for (int i = 0; i < DIAG_NUM_CODES; i++)
        if (strcmp(code_info[i].name, name) == 0) {
            *out = (diag_code)i;
            return true;
        }
    return false;
}

bool diag_disable(const char *name)
{
    diag_code c;
    if (!diag_code_by_name(name, &c))
        return false;
    disabled[c] = true;
    return true;
}

static void append(unit *u, diag *d)
{
    if (u->diag_tail)
        u->diag_tail->next = d;
    else
        u->diags = d;
    u->diag_tail = d;
}

void diag_vat(unit *u, diag_code code, size_t off, const char *fmt, va_list ap)
{
    diag_severity sev = code_info[code].severity;
    if (disabled[code] && sev != DIAG_ERROR)
        return;
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    char *msg = arena_alloc(&u->arena, (size_t)(n < 0 ? 0 : n) + 1);
    vsnprintf(msg, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
    diag *d = arena_new(&u->arena, diag);
    d->code = code;
    d->severity = sev;
    d->off = off;
    d->message = msg;
    d->root = u->def_root;
    d->where = u->def_name;
    append(u, d);
    if (sev == DIAG_ERROR)
        u->nerrors++;
    else if (sev == DIAG_WARNING)
        u->nwarnings++;
}

void diag_at(unit *u, diag_code code, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vat(u, code, off, fmt, ap);
    va_end(ap);
}

void diag_key(unit *u, diag_code code, const cJSON *node, const char *fmt, ...)
{
    size_t off = node ? load_key_off(u, node) : NO_OFFSET;
    if (off == NO_OFFSET && node)
        off = load_val_off(u, node);
    va_list ap;
    va_start(ap, fmt);
    diag_vat(u, code, off, fmt, ap);
    va_end(ap);
}

void diag_val(unit *u, diag_code code, const cJSON *node, const char *fmt, ...)
{
    size_t off = node ? load_val_off(u, node) : NO_OFFSET;
    va_list ap;
    va_start(ap, fmt);
    diag_vat(u, code, off, fmt, ap);
    va_end(ap);
}

void diag_note(unit *u, size_t off, const char *fmt, ...)
{
    if (!u->diag_tail)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = arena_alloc(&u->arena, (size_t)(n < 0 ? 0 : n) + 1);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
    va_end(ap);
    diag *d = arena_new(&u->arena, diag);
    d->code = u->diag_tail->code;
    d->severity = DIAG_NOTE;
    d->off = off;
    d->message = msg;
    d->root = u->diag_tail->root;
    d->where = u->diag_tail->where;
    append(u, d);
}

/* Length in bytes of the token at [off] worth underlining: a JSON string
 * (with quotes) or a run of literal characters; at least 1. */
static size_t token_len(const unit *u, size_t off)
{
    const char *t = u->text + off, *end = u->text + u->len;
    if (t >= end)
        return 1;
    if (*t == '"') {
        const char *p = t + 1;
        while (p < end && *p != '"' && *p != '\n') {
            if (*p == '\\' && p + 1 < end)
                p++;
            p++;
        }
        return (size_t)(p < end && *p == '"' ? p + 1 - t : p - t);
    }
    const char *p = t;
    while (p < end && (p == t || strchr(" \t\r\n,:{}[]", *p) == NULL))
        p++;
    return (size_t)(p - t);
}

/* Lines longer than this are shown as a window around the caret, so that
 * a minified definition does not print its whole text per diagnostic. */
enum { MAX_SHOWN = 120 };

/* Writes [n] bytes of [s] for a terminal: a control character (from a
 * state name, say "Nope\u001b[2J") is written as the JSON escape it was
 * written with in the source, so it cannot drive the terminal. Tabs stay. */
static void put_terminal_text(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
}

static void print_source_line(FILE *out, const unit *u, size_t off, int line, bool color)
{
    size_t start = u->line_starts[line - 1];
    size_t end = start;
    while (end < u->len && u->text[end] != '\n' && u->text[end] != '\r')
        end++;
    bool cut_left = false, cut_right = false;
    if (end - start > MAX_SHOWN) {
        if (off > start + MAX_SHOWN / 3) {
            start = off - MAX_SHOWN / 3;
            while (start < off && ((unsigned char)u->text[start] & 0xC0) == 0x80)
                start++; /* never split a UTF-8 sequence */
            cut_left = true;
        }
        if (end - start > MAX_SHOWN) {
            end = start + MAX_SHOWN;
            while (end > off && ((unsigned char)u->text[end] & 0xC0) == 0x80)
                end--;
            cut_right = true;
        }
    }
    fprintf(out, "%5d | %s", line, cut_left ? "..." : "");
    put_terminal_text(out, u->text + start, end - start);
    fprintf(out, "%s\n", cut_right ? "..." : "");
    fputs(cut_left ? "      |    " : "      | ", out);
    for (size_t i = start; i < off && i < end; i++) {
        unsigned char c = (unsigned char)u->text[i];
        if ((c & 0xC0) == 0x80)
            continue;
        fputc(c == '\t' ? '\t' : ' ', out);
    }
    size_t n = token_len(u, off);
    if (off + n > end)
        n = end > off ? end - off : 1;
    if (color)
        fputs("\033[1;32m", out);
    fputc('^', out);
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)u->text[off + i] & 0xC0) != 0x80)
            fputc('~', out);
    if (color)
        fputs("\033[0m", out);
    fputc('\n', out);
}

static int cmp_diag(const void *a, const void *b)
{
    const diag *x = *(const diag *const *)a, *y = *(const diag *const *)b;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    return 0;
}

void diag_print_text(FILE *out, const unit *u, bool color)
{
    int n = 0;
    for (const diag *d = u->diags; d; d = d->next)
        n++;
    if (n == 0)
        return;
    /* Sort top-level diagnostics by position, keeping notes after theirs. */
    const diag **groups = malloc((size_t)n * sizeof *groups);
    if (!groups)
        return;
    int g = 0;
    for (const diag *d = u->diags; d; d = d->next)
        if (d->severity != DIAG_NOTE)
            groups[g++] = d;
    qsort(groups, (size_t)g, sizeof *groups, cmp_diag);
    static const char *sev_name[] = {"error", "warning", "note"};
    static const char *sev_color[] = {"\033[1;31m", "\033[1;35m", "\033[1;36m"};
    const char *where = NULL;
    for (int i = 0; i < g; i++) {
        /* In a template, say which state machine (as gcc says "In
         * function 'f':") whenever that changes. */
        const char *w = groups[i]->where;
        if (w && (!where || strcmp(w, where) != 0)) {
            fprintf(out, "%s: In state machine '", u->path);
            put_terminal_text(out, w, strlen(w));
            fputs("':\n", out);
        }
        where = w;
        for (const diag *d = groups[i]; d; d = d->next) {
            if (d != groups[i] && d->severity != DIAG_NOTE)
                break;
            int line, col;
            unit_linecol(u, d->off, &line, &col);
            if (color)
                fputs("\033[1m", out);
            if (line > 0)
                fprintf(out, "%s:%d:%d: ", u->path, line, col);
            else
                fprintf(out, "%s: ", u->path);
            if (color)
                fprintf(out, "%s%s:\033[0m\033[1m ", sev_color[d->severity], sev_name[d->severity]);
            else
                fprintf(out, "%s: ", sev_name[d->severity]);
            put_terminal_text(out, d->message, strlen(d->message));
            if (d->severity != DIAG_NOTE)
                fprintf(out, " [%s]", code_info[d->code].name);
            if (color)
                fputs("\033[0m", out);
            fputc('\n', out);
            if (line > 0)
                print_source_line(out, u, d->off, line, color);
        }
    }
    free(groups);
}

/* ==== JSON pointers ===================================================== */

static size_t node_start(const unit *u, const cJSON *n)
{
    size_t k = load_key_off(u, n);
    return k != NO_OFFSET ? k : load_val_off(u, n);
}

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_putc(sbuf *b, char c)
{
    if (b->n + 1 < b->cap)
        b->p[b->n++] = c;
    if (b->cap)
        b->p[b->n < b->cap ? b->n : b->cap - 1] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    for (; *s; s++)
        sb_putc(b, *s);
}

/* The deepest node under [root] whose text starts at or before [off]
 * (nodes come in text order), appended to [b] as "/seg/seg". Returns
 * false when [off] lies before [root]. */
static bool pointer_walk(const unit *u, const cJSON *root, size_t off, sbuf *b)
{
    size_t rs = load_val_off(u, root);
    if (rs == NO_OFFSET || off < node_start(u, root))
        return false;
    const cJSON *cur = root;
    while (cJSON_IsObject(cur) || cJSON_IsArray(cur)) {
        const cJSON *best = NULL, *c;
        int best_i = -1, i = 0;
        cJSON_ArrayForEach (c, cur) {
            size_t st = node_start(u, c);
            if (st != NO_OFFSET && st <= off) {
                best = c;
                best_i = i;
            }
            i++;
        }
        if (!best)
            break;
        sb_putc(b, '/');
        if (cJSON_IsObject(cur)) {
            for (const char *k = best->string; *k; k++) {
                if (*k == '~')
                    sb_puts(b, "~0");
                else if (*k == '/')
                    sb_puts(b, "~1");
                else
                    sb_putc(b, *k);
            }
        } else {
            char num[24];
            snprintf(num, sizeof num, "%d", best_i);
            sb_puts(b, num);
        }
        cur = best;
    }
    return true;
}

void diag_pointer(const unit *u, const diag *d, char *buf, size_t cap)
{
    sbuf b = {buf, 0, cap};
    if (cap)
        buf[0] = '\0';
    const cJSON *root = d->root ? d->root : u->root;
    if (!root || d->off == NO_OFFSET)
        return;
    if (!pointer_walk(u, root, d->off, &b)) {
        if (root == u->root || !u->root)
            return;
        b.n = 0;
        if (!pointer_walk(u, u->root, d->off, &b))
            return;
    }
    if (b.n == 0)
        sb_putc(&b, '/'); /* AWS writes the root as "/" */
}

/* ==== Machine-readable reports ========================================== */

struct diag_report {
    diag_format fmt;
    const char *version;
    cJSON *doc;                     /* the whole document */
    cJSON *files;                   /* json: "files" */
    cJSON *results;                 /* sarif: runs[0].results */
    cJSON *rules;                   /* sarif: runs[0].tool.driver.rules */
    int rule_index[DIAG_NUM_CODES]; /* sarif: index in rules + 1; 0: not listed yet */
    bool oom;
    int nfiles, nvalid, nerrors, nwarnings;
};

static cJSON *add_obj(diag_report *r, cJSON *to, const char *key)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !(key ? cJSON_AddItemToObject(to, key, o) : cJSON_AddItemToArray(to, o))) {
        cJSON_Delete(o);
        r->oom = true;
        return NULL;
    }
    return o;
}

static cJSON *add_arr(diag_report *r, cJSON *to, const char *key)
{
    cJSON *a = cJSON_CreateArray();
    if (!a || !cJSON_AddItemToObject(to, key, a)) {
        cJSON_Delete(a);
        r->oom = true;
        return NULL;
    }
    return a;
}

static void add_str(diag_report *r, cJSON *to, const char *key, const char *v)
{
    if (to && !(v ? cJSON_AddStringToObject(to, key, v) : cJSON_AddNullToObject(to, key)))
        r->oom = true;
}

static void add_num(diag_report *r, cJSON *to, const char *key, double v)
{
    if (to && !cJSON_AddNumberToObject(to, key, v))
        r->oom = true;
}

static void add_bool(diag_report *r, cJSON *to, const char *key, bool v)
{
    if (to && !cJSON_AddBoolToObject(to, key, v))
        r->oom = true;
}

/* The text span a diagnostic underlines: start and end (exclusive)
 * line:column, 1-based, columns in Unicode characters. */
static void span(const unit *u, size_t off, int *l0, int *c0, int *l1, int *c1)
{
    unit_linecol(u, off, l0, c0);
    *l1 = *l0;
    *c1 = *c0;
    if (*l0 <= 0)
        return;
    size_t n = token_len(u, off);
    for (size_t i = off; i < off + n && i < u->len; i++) {
        if (u->text[i] == '\n')
            break;
        if (((unsigned char)u->text[i] & 0xC0) != 0x80)
            (*c1)++;
    }
}

static const char *sev_word(diag_severity s)
{
    return s == DIAG_ERROR ? "error" : s == DIAG_WARNING ? "warning" : "note";
}

diag_report *diag_report_new(diag_format fmt, const char *tool_version)
{
    diag_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->fmt = fmt;
    r->version = tool_version;
    if (fmt == DIAG_FORMAT_TEXT)
        return r;
    r->doc = cJSON_CreateObject();
    if (!r->doc) {
        free(r);
        return NULL;
    }
    if (fmt == DIAG_FORMAT_JSON) {
        add_num(r, r->doc, "version", 1);
        cJSON *tool = add_obj(r, r->doc, "tool");
        add_str(r, tool, "name", "aslc");
        add_str(r, tool, "version", tool_version);
        r->files = add_arr(r, r->doc, "files");
        return r;
    }
    add_str(r, r->doc, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    add_str(r, r->doc, "version", "2.1.0");
    cJSON *runs = add_arr(r, r->doc, "runs");
    cJSON *run = runs ? add_obj(r, runs, NULL) : NULL;
    cJSON *tool = run ? add_obj(r, run, "tool") : NULL;
    cJSON *drv = tool ? add_obj(r, tool, "driver") : NULL;
    add_str(r, drv, "name", "aslc");
    add_str(r, drv, "version", tool_version);
    add_str(r, drv, "informationUri", "https://states-language.net/");
    /* Rules are listed as results first use them (ruleIndex follows). */
    r->rules = drv ? add_arr(r, drv, "rules") : NULL;
    add_str(r, run, "columnKind", "unicodeCodePoints");
    r->results = run ? add_arr(r, run, "results") : NULL;
    return r;
}

/* One diagnostic (and its notes) in aslc's JSON schema. */
static void json_diag(diag_report *r, cJSON *arr, const unit *u, const diag *d)
{
    cJSON *o = add_obj(r, arr, NULL);
    if (!o)
        return;
    int l0, c0, l1, c1;
    span(u, d->off, &l0, &c0, &l1, &c1);
    add_str(r, o, "severity", sev_word(d->severity));
    add_str(r, o, "code", code_info[d->code].name);
    add_str(r, o, "awsCode", code_info[d->code].aws);
    add_str(r, o, "message", d->message);
    if (l0 > 0) {
        add_num(r, o, "line", l0);
        add_num(r, o, "column", c0);
        add_num(r, o, "endLine", l1);
        add_num(r, o, "endColumn", c1);
    }
    char ptr[1024];
    diag_pointer(u, d, ptr, sizeof ptr);
    add_str(r, o, "location", ptr[0] ? ptr : NULL);
    add_str(r, o, "stateMachine", d->where);
    cJSON *notes = add_arr(r, o, "notes");
    for (const diag *n = d->next; notes && n && n->severity == DIAG_NOTE; n = n->next) {
        cJSON *no = add_obj(r, notes, NULL);
        int nl, nc, el, ec;
        span(u, n->off, &nl, &nc, &el, &ec);
        add_str(r, no, "message", n->message);
        if (nl > 0) {
            add_num(r, no, "line", nl);
            add_num(r, no, "column", nc);
        }
    }
}

static cJSON *sarif_location(diag_report *r, cJSON *arr, const unit *u, const diag *d)
{
    cJSON *loc = add_obj(r, arr, NULL);
    cJSON *phys = loc ? add_obj(r, loc, "physicalLocation") : NULL;
    cJSON *art = phys ? add_obj(r, phys, "artifactLocation") : NULL;
    add_str(r, art, "uri", strcmp(u->path, "-") == 0 ? "stdin" : u->path);
    int l0, c0, l1, c1;
    span(u, d->off, &l0, &c0, &l1, &c1);
    if (l0 > 0 && phys) {
        cJSON *reg = add_obj(r, phys, "region");
        add_num(r, reg, "startLine", l0);
        add_num(r, reg, "startColumn", c0);
        add_num(r, reg, "endLine", l1);
        add_num(r, reg, "endColumn", c1);
    }
    return loc;
}

/* The index of [code] in the run's rules, listing it on first use. */
static int sarif_rule(diag_report *r, diag_code code)
{
    if (!r->rule_index[code] && r->rules) {
        cJSON *rule = add_obj(r, r->rules, NULL);
        add_str(r, rule, "id", code_info[code].name);
        cJSON *cfg = rule ? add_obj(r, rule, "defaultConfiguration") : NULL;
        add_str(r, cfg, "level", sev_word(code_info[code].severity));
        cJSON *props = rule ? add_obj(r, rule, "properties") : NULL;
        add_str(r, props, "awsCode", code_info[code].aws);
        r->rule_index[code] = cJSON_GetArraySize(r->rules);
    }
    return r->rule_index[code] - 1;
}

static void sarif_diag(diag_report *r, const unit *u, const diag *d)
{
    cJSON *res = add_obj(r, r->results, NULL);
    if (!res)
        return;
    add_str(r, res, "ruleId", code_info[d->code].name);
    add_num(r, res, "ruleIndex", sarif_rule(r, d->code));
    add_str(r, res, "level", sev_word(d->severity));
    cJSON *msg = add_obj(r, res, "message");
    add_str(r, msg, "text", d->message);
    cJSON *locs = add_arr(r, res, "locations");
    cJSON *loc = locs ? sarif_location(r, locs, u, d) : NULL;
    char ptr[1024];
    diag_pointer(u, d, ptr, sizeof ptr);
    if (loc && (ptr[0] || d->where)) {
        cJSON *lls = add_arr(r, loc, "logicalLocations");
        cJSON *ll = lls ? add_obj(r, lls, NULL) : NULL;
        char full[1200];
        snprintf(full, sizeof full, "%s%s", d->where ? d->where : "", ptr);
        add_str(r, ll, "fullyQualifiedName", full);
        add_str(r, ll, "kind", "member");
    }
    if (d->next && d->next->severity == DIAG_NOTE) {
        cJSON *rel = add_arr(r, res, "relatedLocations");
        int id = 1;
        for (const diag *n = d->next; rel && n && n->severity == DIAG_NOTE; n = n->next) {
            cJSON *nl = sarif_location(r, rel, u, n);
            add_num(r, nl, "id", id++);
            cJSON *nm = nl ? add_obj(r, nl, "message") : NULL;
            add_str(r, nm, "text", n->message);
        }
    }
    if (d->where) {
        cJSON *props = add_obj(r, res, "properties");
        add_str(r, props, "stateMachine", d->where);
        add_str(r, props, "awsCode", code_info[d->code].aws);
    } else if (code_info[d->code].aws) {
        cJSON *props = add_obj(r, res, "properties");
        add_str(r, props, "awsCode", code_info[d->code].aws);
    }
}

/* The unit's top-level diagnostics in source order (notes follow theirs
 * in the list). Returns a malloc'd array and its length in *n. */
static const diag **sorted_diags(const unit *u, int *n)
{
    int k = 0;
    for (const diag *d = u->diags; d; d = d->next)
        k += d->severity != DIAG_NOTE;
    const diag **v = malloc((size_t)(k ? k : 1) * sizeof *v);
    if (!v) {
        *n = 0;
        return NULL;
    }
    k = 0;
    for (const diag *d = u->diags; d; d = d->next)
        if (d->severity != DIAG_NOTE)
            v[k++] = d;
    qsort(v, (size_t)k, sizeof *v, cmp_diag);
    *n = k;
    return v;
}

void diag_report_add(diag_report *r, const unit *u, bool failed)
{
    if (!r)
        return;
    r->nfiles++;
    r->nvalid += !failed;
    r->nerrors += u->nerrors;
    r->nwarnings += u->nwarnings;
    if (r->fmt == DIAG_FORMAT_TEXT)
        return;
    int n;
    const diag **v = sorted_diags(u, &n);
    if (!v) {
        r->oom = true;
        return;
    }
    if (r->fmt == DIAG_FORMAT_JSON) {
        cJSON *f = add_obj(r, r->files, NULL);
        add_str(r, f, "file", u->path);
        add_bool(r, f, "valid", !failed);
        add_num(r, f, "errors", u->nerrors);
        add_num(r, f, "warnings", u->nwarnings);
        cJSON *arr = f ? add_arr(r, f, "diagnostics") : NULL;
        for (int i = 0; arr && i < n; i++)
            json_diag(r, arr, u, v[i]);
    } else {
        for (int i = 0; r->results && i < n; i++)
            sarif_diag(r, u, v[i]);
    }
    free(v);
}

bool diag_report_finish(diag_report *r, FILE *out)
{
    if (!r)
        return false;
    bool ok = !r->oom;
    if (r->fmt == DIAG_FORMAT_JSON) {
        cJSON *sum = add_obj(r, r->doc, "summary");
        add_num(r, sum, "files", r->nfiles);
        add_num(r, sum, "valid", r->nvalid);
        add_num(r, sum, "errors", r->nerrors);
        add_num(r, sum, "warnings", r->nwarnings);
    }
    if (r->doc) {
        char *text = cJSON_Print(r->doc);
        if (text) {
            ok = fputs(text, out) >= 0 && fputc('\n', out) != EOF && ok;
            cJSON_free(text);
        } else {
            ok = false;
        }
        cJSON_Delete(r->doc);
    }
    free(r);
    return ok;
}
