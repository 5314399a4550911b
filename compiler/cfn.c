/*
 * cfn.c - state machines inside CloudFormation and SAM templates (JSON or
 * YAML): every AWS::StepFunctions::StateMachine and
 * AWS::Serverless::StateMachine resource, whichever way it gives its
 * definition:
 *
 *   Definition        an object in the template: checked where it is;
 *                     strings with ${Name} get DefinitionSubstitutions,
 *                     and CloudFormation functions inside it ({"Ref": ..},
 *                     {"Fn::GetAtt": ..}) become placeholder strings, as
 *                     CloudFormation resolves them before Step Functions
 *                     sees the definition
 *   DefinitionString  a string, or Fn::Sub / Fn::Join building one: the
 *                     JSON text is recovered, each byte remembering where
 *                     in the template it came from, parsed, and put in
 *                     the template's tree in place of the string, so that
 *                     diagnostics point into the template
 *   DefinitionUri     (SAM) a local file: loaded and checked as a unit of
 *                     its own; it must lie inside the template's folder
 *                     (a relative path, no escaping through .. or a
 *                     symbolic link), so that a template from elsewhere
 *                     cannot make aslc print lines of another file
 *
 * ${Name} resolves to the Fn::Sub variable, the DefinitionSubstitutions
 * entry, a pseudo parameter (AWS::Region, ...), a parameter's Default, in
 * that order; anything else (a resource, an attribute) becomes a
 * placeholder: an ARN when it is a whole string (so that a Resource field
 * stays an ARN), else its name. Definitions in S3 cannot be checked: a
 * warning says so. Each machine's StateMachineType (SAM: Type) sets
 * u->express, for the EXPRESS rules of check_limits.c.
 *
 * Called by the driver for a file whose root is a template.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static void oom(void)
{
    fputs("aslc: out of memory\n", stderr);
    exit(2);
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

bool load_cfn_is_template(const unit *u)
{
    return cJSON_IsObject(u->root) && cJSON_IsObject(get(u->root, "Resources")) && !get(u->root, "States") &&
           !get(u->root, "StartAt");
}

/* ==== Where each byte of a string value came from ======================= */

/* map[i] = the template offset of decoded byte i of string [v] (i up to
 * and including its length). JSON strings are walked escape by escape;
 * YAML scalars (plain, quoted, block) are aligned character by character
 * with their source, skipping what the scalar's syntax adds. */
static void string_map(const unit *u, const cJSON *v, size_t *map)
{
    const char *s = v->valuestring;
    size_t n = strlen(s), off = load_val_off(u, v);
    if (off == NO_OFFSET || off >= u->len) {
        for (size_t i = 0; i <= n; i++)
            map[i] = off;
        return;
    }
    const char *t = u->text;
    size_t j = off;
    if (!u->yaml && t[off] == '"') {
        j = off + 1;
        for (size_t i = 0; i < n;) {
            map[i] = j;
            if (t[j] != '\\') {
                i++;
                j++;
                continue;
            }
            size_t adv = 2, bytes = 1;
            if (j + 5 < u->len && t[j + 1] == 'u') {
                char hex[5] = {t[j + 2], t[j + 3], t[j + 4], t[j + 5], 0};
                unsigned cp = (unsigned)strtoul(hex, NULL, 16);
                adv = 6;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    adv = 12;
                    bytes = 4;
                } else {
                    bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
                }
            }
            for (size_t k = 1; k < bytes && i + k < n; k++)
                map[i + k] = j;
            i += bytes;
            j += adv;
        }
        map[n] = j;
        return;
    }
    /* YAML (or anything else): greedy alignment. */
    if (t[j] == '|' || t[j] == '>') {
        while (j < u->len && t[j] != '\n')
            j++;
    } else if (t[j] == '"' || t[j] == '\'') {
        j++;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = j;
        while (k < u->len && t[k] != s[i] && k - j < 256)
            k++;
        if (k < u->len && t[k] == s[i]) {
            map[i] = k;
            j = k + 1;
        } else {
            map[i] = j < u->len ? j : u->len;
        }
    }
    map[n] = j < u->len ? j : u->len;
}

/* ==== Recovered text ==================================================== */

typedef struct tbuf {
    char *s;
    size_t *map;
    size_t n, cap;
    bool in_str, esc; /* JSON string state at the end of the text so far */
    bool tree;        /* building a string value, not JSON text: no escaping */
} tbuf;

/* Is a substitution at this point a whole JSON string ([next]: the
 * character after it)? Then a placeholder must look like an ARN. */
static bool whole_string(const tbuf *b, char next)
{
    if (b->tree)
        return b->n == 0 && next == '\0';
    return b->in_str && b->n > 0 && b->s[b->n - 1] == '"' && (next == '"' || next == '\0');
}

static void tb_put(tbuf *b, char ch, size_t off)
{
    if (b->n + 2 > b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->s = realloc(b->s, b->cap);
        b->map = realloc(b->map, b->cap * sizeof *b->map);
        if (!b->s || !b->map)
            oom();
    }
    b->s[b->n] = ch;
    b->map[b->n] = off;
    b->n++;
    b->s[b->n] = '\0';
    if (b->esc)
        b->esc = false;
    else if (b->in_str && ch == '\\')
        b->esc = true;
    else if (ch == '"')
        b->in_str = !b->in_str;
}

/* Text that replaces ${...}: escaped for a JSON string when inside one. */
static void tb_insert(tbuf *b, const char *s, size_t off)
{
    bool quote = b->in_str && !b->tree;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (quote && (ch == '"' || ch == '\\')) {
            tb_put(b, '\\', off);
            tb_put(b, (char)ch, off);
        } else if (quote && ch < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", ch);
            for (const char *p = e; *p; p++)
                tb_put(b, *p, off);
        } else {
            tb_put(b, (char)ch, off);
        }
    }
}

typedef struct cfn {
    unit *u;
    const cJSON *subs;   /* DefinitionSubstitutions */
    const cJSON *params; /* the template's Parameters */
    const char *res;     /* the resource's logical id */
} cfn;

/* The value ${name} stands for, as text; [whole]: it is a whole JSON
 * string (then a placeholder is an ARN). [buf] holds placeholders. */
static const char *resolve(const cfn *f, const cJSON *vars, const char *name, bool whole, char *buf,
                           size_t cap)
{
    const cJSON *v = get(vars, name);
    if (!v)
        v = get(f->subs, name);
    if (!v) {
        static const char *const pseudo[][2] = {
            {"AWS::Region", "us-east-1"},
            {"AWS::AccountId", "123456789012"},
            {"AWS::Partition", "aws"},
            {"AWS::URLSuffix", "amazonaws.com"},
            {"AWS::StackName", "stack"},
            {"AWS::NoValue", ""},
            {"AWS::StackId", "arn:aws:cloudformation:us-east-1:123456789012:stack/stack/id"},
        };
        for (size_t k = 0; k < sizeof pseudo / sizeof *pseudo; k++)
            if (strcmp(pseudo[k][0], name) == 0)
                return pseudo[k][1];
        const cJSON *p = get(f->params, name);
        v = get(p, "Default");
    }
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v) || cJSON_IsBool(v)) {
        char *t = cJSON_PrintUnformatted(v);
        if (t) {
            snprintf(buf, cap, "%s", t);
            cJSON_free(t);
            return buf;
        }
    }
    /* A resource, an attribute, or a function value we cannot know. */
    if (whole)
        snprintf(buf, cap, "arn:aws:states:us-east-1:123456789012:placeholder:%s", name);
    else
        snprintf(buf, cap, "%s", name);
    for (char *p = buf; *p; p++)
        if (*p == '"' || *p == '\\')
            *p = '_';
    return buf;
}

/* Append the string [v] to [b], expanding ${Name} ([sub]: Fn::Sub rules,
 * where ${!Name} is the literal ${Name}). */
static void tb_string(const cfn *f, tbuf *b, const cJSON *v, const cJSON *vars, bool sub)
{
    const char *s = v->valuestring;
    size_t n = strlen(s);
    size_t *map = malloc((n + 1) * sizeof *map);
    if (!map)
        oom();
    string_map(f->u, v, map);
    for (size_t i = 0; i < n;) {
        if (s[i] == '$' && s[i + 1] == '{') {
            const char *close = strchr(s + i + 2, '}');
            if (close) {
                size_t len = (size_t)(close - (s + i + 2));
                if (sub && len > 0 && s[i + 2] == '!') {
                    tb_put(b, '$', map[i]);
                    tb_put(b, '{', map[i]);
                    for (size_t k = i + 3; k <= i + 2 + len; k++)
                        tb_put(b, s[k], map[k]);
                    i += len + 3;
                    continue;
                }
                char name[256], buf[512];
                snprintf(name, sizeof name, "%.*s", (int)len, s + i + 2);
                bool whole = whole_string(b, close[1]);
                tb_insert(b, resolve(f, vars, name, whole, buf, sizeof buf), map[i]);
                i += len + 3;
                continue;
            }
        }
        tb_put(b, s[i], map[i]);
        i++;
    }
    free(map);
}

static bool is_intrinsic(const cJSON *v)
{
    return cJSON_IsObject(v) && v->child && !v->child->next &&
           (strcmp(v->child->string, "Ref") == 0 || strncmp(v->child->string, "Fn::", 4) == 0);
}

/* A value of a template string expression: a string, Fn::Sub, Fn::Join,
 * or (unknowable) Ref / Fn::GetAtt / ... as a placeholder. */
static bool tb_value(const cfn *f, tbuf *b, const cJSON *v, int depth)
{
    if (depth > 20)
        return false;
    if (cJSON_IsString(v)) {
        tb_string(f, b, v, NULL, false);
        return true;
    }
    if (!is_intrinsic(v)) {
        if (cJSON_IsNumber(v) || cJSON_IsBool(v)) {
            char *t = cJSON_PrintUnformatted(v);
            if (!t)
                oom();
            tb_insert(b, t, load_val_off(f->u, v));
            cJSON_free(t);
            return true;
        }
        return false;
    }
    const cJSON *fn = v->child;
    if (strcmp(fn->string, "Fn::Sub") == 0) {
        if (cJSON_IsString(fn)) {
            tb_string(f, b, fn, NULL, true);
            return true;
        }
        const cJSON *text = cJSON_GetArrayItem(fn, 0), *vars = cJSON_GetArrayItem(fn, 1);
        if (cJSON_IsArray(fn) && cJSON_IsString(text)) {
            tb_string(f, b, text, vars, true);
            return true;
        }
        return false;
    }
    if (strcmp(fn->string, "Fn::Join") == 0) {
        const cJSON *delim = cJSON_GetArrayItem(fn, 0), *parts = cJSON_GetArrayItem(fn, 1), *p;
        if (!cJSON_IsArray(fn) || !cJSON_IsString(delim) || !cJSON_IsArray(parts))
            return false;
        cJSON_ArrayForEach (p, parts) {
            if (p != parts->child)
                for (const char *d = delim->valuestring; *d; d++)
                    tb_put(b, *d, load_val_off(f->u, delim));
            if (!tb_value(f, b, p, depth + 1))
                return false;
        }
        return true;
    }
    /* Ref, Fn::GetAtt, Fn::ImportValue, ...: a placeholder named after it. */
    char name[256], buf[512];
    const cJSON *arg = fn;
    if (cJSON_IsArray(arg))
        arg = arg->child;
    snprintf(name, sizeof name, "%s", cJSON_IsString(arg) ? arg->valuestring : "value");
    bool whole = whole_string(b, '\0');
    tb_insert(b, resolve(f, NULL, name, whole, buf, sizeof buf), load_val_off(f->u, v));
    return true;
}

/* ==== Definitions in the template's tree ================================ */

/* Put [repl] in [old]'s place in [parent] (keeping its key: cJSON's
 * replace-by-pointer leaves the key to the caller). Frees [old]. */
static bool replace_node(cJSON *parent, cJSON *old, cJSON *repl)
{
    if (old->string) {
        repl->string = strdup(old->string);
        if (!repl->string)
            oom();
        repl->type &= ~cJSON_StringIsConst;
    }
    return cJSON_ReplaceItemViaPointer(parent, old, repl);
}

static cJSON *placeholder_for(const cfn *f, const cJSON *v)
{
    tbuf b = {0};
    b.tree = true;
    if (!tb_value(f, &b, v, 0)) {
        char buf[512];
        tb_insert(&b, resolve(f, NULL, v->child->string, true, buf, sizeof buf), load_val_off(f->u, v));
    }
    cJSON *s = cJSON_CreateString(b.s ? b.s : "");
    free(b.s);
    free(b.map);
    if (!s)
        oom();
    return s;
}

/* Substitute ${Name} in every string of [v] and resolve CloudFormation
 * functions, in place; positions are kept. */
static void substitute_tree(const cfn *f, cJSON *v, int depth)
{
    if (depth > 200)
        return;
    cJSON *c = v ? v->child : NULL;
    while (c) {
        cJSON *next = c->next;
        if (is_intrinsic(c)) {
            cJSON *s = placeholder_for(f, c);
            load_set_pos(f->u, s, load_key_off(f->u, c), load_val_off(f->u, c));
            if (!replace_node(v, c, s))
                cJSON_Delete(s);
        } else if (cJSON_IsString(c) && strstr(c->valuestring, "${")) {
            tbuf b = {0};
            b.tree = true;
            tb_string(f, &b, c, NULL, false);
            if (!cJSON_SetValuestring(c, b.s ? b.s : ""))
                oom();
            free(b.s);
            free(b.map);
        } else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            substitute_tree(f, c, depth + 1);
        }
        c = next;
    }
}

static size_t map_off(const tbuf *b, size_t o, size_t last)
{
    return o == NO_OFFSET ? NO_OFFSET : o < b->n ? b->map[o] : last;
}

/* Every node of [n] (parsed in [sub]) gets its offsets in the template. */
static void remap(unit *u, const unit *sub, const cJSON *n, const tbuf *b, size_t last)
{
    load_set_pos(u, n, map_off(b, load_key_off(sub, n), last), map_off(b, load_val_off(sub, n), last));
    for (const cJSON *ch = n->child; ch; ch = ch->next)
        remap(u, sub, ch, b, last);
}

/* Parse recovered JSON text and graft it into the template in place of
 * [at] (a member of [props]); positions map through [b.map]. */
static cJSON *graft(cfn *f, cJSON *props, const cJSON *at, tbuf *b)
{
    unit *u = f->u;
    unit *sub = unit_from_text(u->path, b->s ? b->s : "", b->n);
    load_json(sub);
    size_t last = b->n ? b->map[b->n - 1] : load_val_off(u, at);
#define MAPOFF(o) map_off(b, (o), last)
    for (const diag *d = sub->diags; d; d = d->next) {
        if (d->severity == DIAG_NOTE)
            diag_note(u, MAPOFF(d->off), "%s", d->message);
        else
            diag_at(u, d->code, MAPOFF(d->off), "in the definition text: %s", d->message);
    }
    cJSON *root = sub->root;
    if (root) {
        sub->root = NULL;
        remap(u, sub, root, b, last);
        load_set_pos(u, root, load_key_off(u, at), load_val_off(u, at));
        if (!replace_node(props, (cJSON *)at, root)) {
            cJSON_Delete(root);
            root = NULL;
        }
    }
#undef MAPOFF
    unit_close(sub);
    return root;
}

static bool is_express(const cJSON *props)
{
    const cJSON *t = get(props, "StateMachineType");
    if (!t)
        t = get(props, "Type"); /* SAM */
    return cJSON_IsString(t) && strcmp(t->valuestring, "EXPRESS") == 0;
}

/* A SAM DefinitionUri naming a local file, relative to the template. */
/* Whether PATH (resolved, symbolic links followed) is below DIR (resolved
 * too): 0 when it is, 1 when it is elsewhere, -1 with errno set when either
 * cannot be resolved (a missing file, say). */
static int outside_dir(const char *dir, const char *path)
{
    char *rd = realpath(dir, NULL);
    if (!rd)
        return -1;
    char *rp = realpath(path, NULL);
    if (!rp) {
        int e = errno;
        free(rd);
        errno = e;
        return -1;
    }
    size_t n = strlen(rd);
    int out = !(strncmp(rd, rp, n) == 0 && (rp[n] == '/' || (n == 1 && rd[0] == '/')));
    free(rd);
    free(rp);
    return out;
}

/* A DefinitionUri file's text with each ${Name} of DefinitionSubstitutions
 * replaced, as CloudFormation substitutes the text before Step Functions
 * parses it ("TimeoutSeconds": ${Timeout} becomes a number; in a string
 * the value is escaped as JSON). Other ${...} stay as they are. NULL when
 * nothing was replaced; else malloc'd, its length in *n. */
static char *substitute_text(const cfn *f, const unit *d, bool yaml, size_t *n)
{
    if (!cJSON_IsObject(f->subs) || !memmem(d->text, d->len, "${", 2))
        return NULL;
    tbuf b = {0};
    b.tree = yaml; /* YAML: the text goes in as written */
    bool replaced = false;
    for (size_t i = 0; i < d->len;) {
        const char *s = d->text + i;
        const char *close = s[0] == '$' && s[1] == '{' ? memchr(s + 2, '}', d->len - i - 2) : NULL;
        char name[256];
        if (close && (size_t)(close - s - 2) < sizeof name) {
            snprintf(name, sizeof name, "%.*s", (int)(close - s - 2), s + 2);
            if (get(f->subs, name)) {
                char q = i > 0 ? d->text[i - 1] : '\0', buf[512];
                bool whole = (q == '"' || q == '\'') && close[1] == q;
                bool in_str = b.in_str;
                b.tree = yaml || !in_str; /* tb_insert escapes only inside a JSON string */
                tb_insert(&b, resolve(f, NULL, name, whole, buf, sizeof buf), i);
                b.tree = yaml;
                b.in_str = in_str;
                i = (size_t)(close - d->text) + 1;
                replaced = true;
                continue;
            }
        }
        tb_put(&b, d->text[i], i);
        i++;
    }
    free(b.map);
    if (!replaced) {
        free(b.s);
        return NULL;
    }
    *n = b.n;
    return b.s ? b.s : strdup("");
}

static void from_file(cfn *f, const cJSON *uri, const cJSON *props, void (*fn)(unit *, void *), void *ctx)
{
    char path[4096], dir[4096];
    const char *dir_end = strrchr(f->u->path, '/');
    if (dir_end)
        snprintf(dir, sizeof dir, "%.*s", dir_end == f->u->path ? 1 : (int)(dir_end - f->u->path), f->u->path);
    else
        snprintf(dir, sizeof dir, ".");
    if (uri->valuestring[0] == '/') {
        diag_val(f->u, DIAG_CANNOT_READ_FILE, uri,
                 "the state machine's DefinitionUri \"%s\" is an absolute path: aslc reads only a relative path "
                 "inside the template's folder",
                 uri->valuestring);
        return;
    }
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, uri->valuestring) >= sizeof path) {
        diag_val(f->u, DIAG_CANNOT_READ_FILE, uri, "the state machine's DefinitionUri is too long");
        return;
    }
    int out = outside_dir(dir, path);
    if (out != 0) {
        if (out < 0)
            diag_val(f->u, DIAG_CANNOT_READ_FILE, uri, "the state machine's DefinitionUri \"%s\" cannot be read: %s",
                     uri->valuestring, strerror(errno));
        else
            diag_val(f->u, DIAG_CANNOT_READ_FILE, uri,
                     "the state machine's DefinitionUri \"%s\" is outside the template's folder: aslc reads only "
                     "files inside it",
                     uri->valuestring);
        return;
    }
    unit *d = unit_open(path);
    if (d->nerrors > 0) {
        diag_val(f->u, DIAG_CANNOT_READ_FILE, uri,
                 "the state machine's DefinitionUri \"%s\" cannot be read: %s", uri->valuestring,
                 d->diags ? d->diags->message : "error");
        unit_close(d);
        return;
    }
    size_t plen = strlen(path);
    bool json = plen >= 5 && strcmp(path + plen - 5, ".json") == 0;
    bool yaml = load_is_yaml_path(path) || (!json && load_looks_like_yaml(d->text, d->len));
    size_t slen = 0;
    char *subst = substitute_text(f, d, yaml, &slen);
    if (subst) { /* positions after a substitution on a line shift by its length difference */
        unit *s = unit_from_text(path, subst, slen);
        free(subst);
        unit_close(d);
        d = s;
    }
    if (yaml ? load_yaml(d) : load_json(d)) {
        cfn g = *f;
        g.u = d;
        substitute_tree(&g, d->root, 0);
        d->def_name = f->res;
        d->express = is_express(props);
        fn(d, ctx);
    } else {
        d->def_name = f->res;
        fn(d, ctx); /* its syntax errors */
    }
    unit_close(d);
}

static bool is_machine(const cJSON *r)
{
    const cJSON *type = get(r, "Type");
    return cJSON_IsString(type) && (strcmp(type->valuestring, "AWS::StepFunctions::StateMachine") == 0 ||
                                    strcmp(type->valuestring, "AWS::Serverless::StateMachine") == 0);
}

int load_cfn_machine_names(const unit *u, const char **names, int cap)
{
    const cJSON *r;
    int count = 0;
    cJSON_ArrayForEach (r, get(u->root, "Resources"))
        if (is_machine(r)) {
            if (count < cap)
                names[count] = r->string;
            count++;
        }
    return count;
}

/* load_cfn_definitions, for every machine or only the one called [only]. */
static int each_definition(unit *u, const char *only, void (*fn)(unit *def, void *ctx), void *ctx)
{
    const cJSON *resources = get(u->root, "Resources"), *r;
    int count = 0;
    bool express = u->express; /* each machine says its own type */
    cJSON_ArrayForEach (r, resources) {
        if (!is_machine(r) || (only && strcmp(r->string, only) != 0))
            continue;
        count++;
        cJSON *props = (cJSON *)get(r, "Properties");
        cfn f = {u, get(props, "DefinitionSubstitutions"), get(u->root, "Parameters"), r->string};
        u->def_name = r->string;
        u->def_root = NULL;
        u->express = is_express(props);
        const cJSON *def = get(props, "Definition"), *str = get(props, "DefinitionString"),
                    *uri = get(props, "DefinitionUri"), *s3 = get(props, "DefinitionS3Location");
        if (f.subs && !cJSON_IsObject(f.subs))
            diag_val(u, DIAG_WRONG_TYPE, f.subs, "\"DefinitionSubstitutions\" must be an object, found %s",
                     cJSON_IsArray(f.subs) ? "an array" : "another value");
        if (cJSON_IsObject(def)) {
            substitute_tree(&f, (cJSON *)def, 0);
            u->def_root = def;
            fn(u, ctx);
        } else if (str) {
            tbuf b = {0};
            if (!tb_value(&f, &b, str, 0)) {
                diag_val(u, DIAG_DEFINITION_NOT_CHECKED, str,
                         "the DefinitionString of \"%s\" is built in a way aslc cannot follow (only strings, "
                         "Fn::Sub and Fn::Join): it is not checked",
                         r->string);
            } else {
                cJSON *root = graft(&f, props, str, &b);
                if (root) {
                    u->def_root = root;
                    fn(u, ctx);
                }
            }
            free(b.s);
            free(b.map);
        } else if (cJSON_IsString(uri)) {
            from_file(&f, uri, props, fn, ctx);
        } else if (uri || s3) {
            diag_val(
                u, DIAG_DEFINITION_NOT_CHECKED, uri ? uri : s3,
                "the definition of \"%s\" is in Amazon S3: aslc checks definitions written in the template "
                "or in a local file",
                r->string);
        } else if (def) {
            diag_val(u, DIAG_WRONG_TYPE, def,
                     "\"Definition\" must be an object (the state machine), found %s",
                     cJSON_IsString(def) ? "a string (use DefinitionString for JSON text)" : "another value");
        } else {
            diag_key(u, DIAG_MISSING_FIELD, r,
                     "state machine resource \"%s\" has no Definition, DefinitionString or DefinitionUri",
                     r->string);
        }
        u->def_root = NULL;
        u->def_name = NULL;
    }
    u->express = express;
    return count;
}

int load_cfn_definitions(unit *u, void (*fn)(unit *def, void *ctx), void *ctx)
{
    return each_definition(u, NULL, fn, ctx);
}

int load_cfn_definition(unit *u, const char *name, void (*fn)(unit *def, void *ctx), void *ctx)
{
    return each_definition(u, name, fn, ctx);
}

/* ==== Duplicate keys ===================================================== */

static bool is_definition_of_machine(const cJSON *parent, const cJSON *node, int depth)
{
    /* Resources.<machine>.Properties.Definition: depth 3 below the root */
    return depth == 3 && strcmp(node->string, "Definition") == 0 && parent && parent->string &&
           strcmp(parent->string, "Properties") == 0;
}

/* Record (in [offs]) the key offsets of members a later sibling of the same
 * name overrides, and drop them: CloudFormation keeps the last. */
static void drop_overridden(unit *u, cJSON *obj, int depth, bool in_machine, size_t **offs, size_t *n,
                            size_t *cap)
{
    if (depth > 200)
        return;
    cJSON *m = obj->child;
    while (m) {
        cJSON *next = m->next;
        bool machine = in_machine || (depth == 1 && is_machine(m));
        if (cJSON_IsObject(m) || cJSON_IsArray(m)) {
            if (!(machine && depth == 3 && is_definition_of_machine(obj, m, depth)))
                drop_overridden(u, m, depth + 1, machine, offs, n, cap);
        }
        if (cJSON_IsObject(obj) && m->string) {
            const cJSON *later = next;
            while (later && strcmp(later->string, m->string) != 0)
                later = later->next;
            if (later) {
                if (*n == *cap) {
                    *cap = *cap ? *cap * 2 : 16;
                    *offs = realloc(*offs, *cap * sizeof **offs);
                    if (!*offs)
                        oom();
                }
                (*offs)[(*n)++] = load_key_off(u, later);
                cJSON_Delete(cJSON_DetachItemViaPointer(obj, m));
            }
        }
        m = next;
    }
}

void load_cfn_duplicate_keys(unit *u)
{
    bool any = false;
    for (const diag *d = u->diags; d && !any; d = d->next)
        any = d->code == DIAG_DUPLICATE_JSON_KEY;
    if (!any || !load_cfn_is_template(u))
        return;
    size_t *offs = NULL, n = 0, cap = 0;
    drop_overridden(u, u->root, 0, false, &offs, &n, &cap);
    for (diag *d = u->diags; d; d = d->next) {
        if (d->code != DIAG_DUPLICATE_JSON_KEY)
            continue;
        for (size_t k = 0; k < n; k++)
            if (offs[k] == d->off) {
                size_t len = strlen(d->message) + 64;
                char *msg = arena_alloc(&u->arena, len);
                snprintf(msg, len, "%s: CloudFormation keeps the last one", d->message);
                d->message = msg;
                d->code = DIAG_DUPLICATE_TEMPLATE_KEY;
                d->severity = DIAG_WARNING;
                u->nerrors--;
                u->nwarnings++;
                break;
            }
    }
    free(offs);
}
