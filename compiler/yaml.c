/*
 * yaml.c - definitions (and CloudFormation / SAM templates) written in
 * YAML: libyaml's event parser turned into the same cJSON tree, with the
 * same byte offsets per key and value, that load.c builds from JSON, so
 * every check and every diagnostic works unchanged.
 *
 * Scalars: a plain (unquoted, untagged) scalar is null, a boolean, a
 * number or a string as the YAML 1.2 core schema reads it; quoted and
 * block scalars are strings; "!!str", "!!int", ... force a type.
 * CloudFormation's short tags become the long form: "!Ref X" is
 * {"Ref": "X"}, "!GetAtt a.b" is {"Fn::GetAtt": ["a", "b"]}, any other
 * "!Name v" is {"Fn::Name": v}. Anchors and aliases are expanded (the
 * copy keeps the original's positions). Reported: syntax errors,
 * duplicate keys, keys that are not scalars, more than one document,
 * nesting deeper than 200.
 *
 * Called by the driver (load_yaml, the file-type helpers) and by cfn.c
 * for files a DefinitionUri names.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "unit.h"

/* MAX_ALIAS_NODES bounds what aliases may copy in all ("billion laughs":
 * ten aliases of ten aliases of ... is a few hundred bytes that expand to
 * gigabytes). Nodes written out are bounded by the file's size already. */
enum { MAX_DEPTH = 200, MAX_ALIAS_NODES = 100000 };

typedef struct anchor {
    char *name;
    const cJSON *node;
    size_t size; /* nodes in the anchored value, aliases' copies included */
    struct anchor *next;
} anchor;

typedef struct yp {
    unit *u;
    yaml_parser_t p;
    bool failed;
    anchor *anchors;
    size_t nodes;       /* nodes made so far, aliases' copies included */
    size_t alias_nodes; /* of which copied by aliases */
} yp;

static void oom(void)
{
    fputs("aslc: out of memory\n", stderr);
    exit(2);
}

/* Byte offset of a libyaml mark (its line and column count characters). */
static size_t mark_off(const unit *u, yaml_mark_t m)
{
    if ((int)m.line >= u->nlines)
        return u->len;
    size_t off = u->line_starts[m.line];
    if (m.line == 0 && u->len >= 3 && memcmp(u->text, "\xEF\xBB\xBF", 3) == 0)
        off = 3;
    for (size_t col = 0; col < m.column && off < u->len && u->text[off] != '\n'; col++) {
        off++;
        while (off < u->len && ((unsigned char)u->text[off] & 0xC0) == 0x80)
            off++;
    }
    return off;
}

static void yaml_fail(yp *y, size_t off, const char *msg, const char *detail)
{
    if (y->failed)
        return;
    y->failed = true;
    if (detail)
        diag_at(y->u, DIAG_INVALID_JSON_DESCRIPTION, off, "invalid YAML: %s %s", msg, detail);
    else
        diag_at(y->u, DIAG_INVALID_JSON_DESCRIPTION, off, "invalid YAML: %s", msg);
}

static bool next_event(yp *y, yaml_event_t *ev)
{
    if (y->failed)
        return false;
    if (!yaml_parser_parse(&y->p, ev)) {
        const char *what = y->p.problem ? y->p.problem : "syntax error";
        yaml_fail(y, mark_off(y->u, y->p.problem_mark), what, y->p.context);
        return false;
    }
    return true;
}

/* Skip the rest of a node whose first event was [ev] (already deleted by
 * the caller's loop): collections are read to their end. */
static void skip_node(yp *y, yaml_event_type_t type)
{
    if (type != YAML_SEQUENCE_START_EVENT && type != YAML_MAPPING_START_EVENT)
        return;
    int depth = 1;
    yaml_event_t ev;
    while (depth > 0 && next_event(y, &ev)) {
        if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
            depth++;
        else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
            depth--;
        yaml_event_delete(&ev);
    }
}

static bool all_digits(const char *s, const char *set)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!strchr(set, *s))
            return false;
    return true;
}

/* A plain scalar as the YAML 1.2 core schema reads it. */
static cJSON *plain_scalar(const char *s)
{
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
        return cJSON_CreateNull();
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        return cJSON_CreateTrue();
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return cJSON_CreateFalse();
    const char *d = s + (*s == '-' || *s == '+');
    if (all_digits(d, "0123456789"))
        return cJSON_CreateNumber(strtod(s, NULL));
    if (!strncmp(s, "0x", 2) && all_digits(s + 2, "0123456789abcdefABCDEF"))
        return cJSON_CreateNumber((double)strtoull(s + 2, NULL, 16));
    if (!strncmp(s, "0o", 2) && all_digits(s + 2, "01234567"))
        return cJSON_CreateNumber((double)strtoull(s + 2, NULL, 8));
    /* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
    const char *p = d;
    size_t int_digits = strspn(p, "0123456789");
    p += int_digits;
    size_t frac_digits = 0;
    if (*p == '.') {
        p++;
        frac_digits = strspn(p, "0123456789");
        p += frac_digits;
    }
    if ((int_digits || frac_digits) && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        if (*q == '+' || *q == '-')
            q++;
        size_t e = strspn(q, "0123456789");
        p = e ? q + e : p;
    }
    if ((int_digits || frac_digits) && *p == '\0')
        return cJSON_CreateNumber(strtod(s, NULL));
    return cJSON_CreateString(s);
}

/* CloudFormation's short tag [tag] ("!Ref", "!GetAtt", ...) around
 * [v]: the long form. NULL when [tag] is not one. */
static cJSON *cfn_wrap(const char *tag, cJSON *v)
{
    if (!tag || tag[0] != '!' || tag[1] == '!' || tag[1] == '\0')
        return NULL;
    const char *name = tag + 1;
    char key[64];
    if (!strcmp(name, "Ref") || !strcmp(name, "Condition"))
        snprintf(key, sizeof key, "%s", name);
    else
        snprintf(key, sizeof key, "Fn::%s", name);
    if (!strcmp(name, "GetAtt") && cJSON_IsString(v)) {
        /* "!GetAtt Res.Attr" is ["Res", "Attr"] */
        const char *dot = strchr(v->valuestring, '.');
        if (dot) {
            cJSON *arr = cJSON_CreateArray();
            cJSON *a = cJSON_CreateString(v->valuestring);
            cJSON *b = cJSON_CreateString(dot + 1);
            if (!arr || !a || !b)
                oom();
            a->valuestring[dot - v->valuestring] = '\0';
            if (!cJSON_AddItemToArray(arr, a) || !cJSON_AddItemToArray(arr, b))
                oom();
            cJSON_Delete(v);
            v = arr;
        }
    }
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToObject(o, key, v))
        oom();
    return o;
}

/* Copy positions from [from] to its copy [to], recursively. */
static void copy_pos(unit *u, const cJSON *from, const cJSON *to, size_t key_off, size_t val_off)
{
    load_set_pos(u, to, key_off, val_off);
    const cJSON *a = from ? from->child : NULL, *b = to->child;
    for (; a && b; a = a->next, b = b->next)
        copy_pos(u, a, b, load_key_off(u, a), load_val_off(u, a));
}

static void add_anchor(yp *y, const unsigned char *name, const cJSON *node, size_t size)
{
    if (!name)
        return;
    anchor *a = arena_new(&y->u->arena, anchor);
    a->name = arena_strdup(&y->u->arena, (const char *)name);
    a->node = node;
    a->size = size;
    a->next = y->anchors;
    y->anchors = a;
}

static cJSON *node(yp *y, yaml_event_t *ev, size_t key_off, int depth);

static cJSON *scalar(yp *y, yaml_event_t *ev, size_t off)
{
    const char *s = (const char *)ev->data.scalar.value;
    const char *tag = (const char *)ev->data.scalar.tag;
    if (memchr(s, '\0', ev->data.scalar.length)) {
        yaml_fail(y, off, "a NUL character in a scalar is not supported", NULL);
        return NULL;
    }
    cJSON *v;
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (tag && !strncmp(tag, "tag:yaml.org,2002:", 18)) {
        const char *t = tag + 18;
        if (!strcmp(t, "str"))
            v = cJSON_CreateString(s);
        else {
            v = plain_scalar(s);
            bool ok = (!strcmp(t, "null") && cJSON_IsNull(v)) || (!strcmp(t, "bool") && cJSON_IsBool(v)) ||
                      ((!strcmp(t, "int") || !strcmp(t, "float")) && cJSON_IsNumber(v));
            if (!ok) {
                cJSON_Delete(v);
                yaml_fail(y, off, "the value does not match its tag", tag);
                return NULL;
            }
        }
    } else if (plain && (!tag || !strcmp(tag, "?"))) {
        v = plain_scalar(s);
    } else {
        v = cJSON_CreateString(s);
    }
    if (!v)
        oom();
    if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) /* as load.c says of JSON */
        diag_at(y->u, DIAG_INVALID_VALUE, off,
                "number out of range: beyond the largest double (about 1.8e308); no JSON value can hold it");
    return v;
}

static cJSON *collection(yp *y, yaml_event_t *ev, size_t off, int depth)
{
    bool map = ev->type == YAML_MAPPING_START_EVENT;
    cJSON *c = map ? cJSON_CreateObject() : cJSON_CreateArray();
    if (!c)
        oom();
    load_set_pos(y->u, c, NO_OFFSET, off);
    for (;;) {
        yaml_event_t e;
        if (!next_event(y, &e))
            break;
        if (e.type == YAML_MAPPING_END_EVENT || e.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&e);
            return c;
        }
        if (!map) {
            cJSON *item = node(y, &e, NO_OFFSET, depth + 1);
            yaml_event_delete(&e);
            if (!item)
                break;
            if (!cJSON_AddItemToArray(c, item))
                oom();
            continue;
        }
        size_t koff = mark_off(y->u, e.start_mark);
        if (e.type != YAML_SCALAR_EVENT) {
            yaml_event_type_t t = e.type;
            yaml_event_delete(&e);
            yaml_fail(y, koff, "a mapping key must be a plain string, not a collection or an alias", NULL);
            skip_node(y, t);
            break;
        }
        char *key = strdup((const char *)e.data.scalar.value);
        if (!key)
            oom();
        yaml_event_delete(&e);
        yaml_event_t v;
        if (!next_event(y, &v)) {
            free(key);
            break;
        }
        cJSON *val = node(y, &v, koff, depth + 1);
        yaml_event_delete(&v);
        if (!val) {
            free(key);
            break;
        }
        const cJSON *dup = cJSON_GetObjectItemCaseSensitive(c, key);
        if (dup) {
            diag_at(y->u, DIAG_DUPLICATE_JSON_KEY, koff, "duplicate key \"%s\" in one mapping", key);
            diag_note(y->u, load_key_off(y->u, dup), "first used here");
        }
        if (!cJSON_AddItemToObject(c, key, val))
            oom();
        free(key);
    }
    cJSON_Delete(c);
    return NULL;
}

/* The node whose first event is [ev] (which the caller deletes). */
static cJSON *node(yp *y, yaml_event_t *ev, size_t key_off, int depth)
{
    size_t off = mark_off(y->u, ev->start_mark);
    if (depth > MAX_DEPTH) {
        if (!y->failed)
            diag_at(y->u, DIAG_NESTING_TOO_DEEP, off, "YAML nested more than %d levels deep", MAX_DEPTH);
        y->failed = true;
        return NULL;
    }
    cJSON *v = NULL;
    const unsigned char *anchor_name = NULL, *tag = NULL;
    size_t first = y->nodes++;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        v = scalar(y, ev, off);
        anchor_name = ev->data.scalar.anchor;
        tag = ev->data.scalar.tag;
        break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        v = collection(y, ev, off, depth);
        anchor_name = ev->type == YAML_MAPPING_START_EVENT ? ev->data.mapping_start.anchor
                                                           : ev->data.sequence_start.anchor;
        tag = ev->type == YAML_MAPPING_START_EVENT ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
        break;
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        for (const anchor *a = y->anchors; a; a = a->next)
            if (!strcmp(a->name, name)) {
                /* Counted before copying, so the budget bounds the work too. */
                y->alias_nodes += a->size;
                y->nodes += a->size - 1;
                if (y->alias_nodes > MAX_ALIAS_NODES) {
                    if (!y->failed)
                        diag_at(y->u, DIAG_INVALID_JSON_DESCRIPTION, off,
                                "invalid YAML: aliases expand to more than %d values (alias \"%s\")",
                                MAX_ALIAS_NODES, name);
                    y->failed = true;
                    return NULL;
                }
                v = cJSON_Duplicate(a->node, true);
                if (!v)
                    oom();
                copy_pos(y->u, a->node, v, key_off, off);
                return v;
            }
        yaml_fail(y, off, "unknown alias", name);
        return NULL;
    }
    default: yaml_fail(y, off, "unexpected YAML event", NULL); return NULL;
    }
    if (!v)
        return NULL;
    load_set_pos(y->u, v, key_off, off);
    cJSON *w = cfn_wrap((const char *)tag, v);
    if (w) {
        load_set_pos(y->u, w, key_off, off);
        v = w;
    }
    add_anchor(y, anchor_name, v, y->nodes - first);
    return v;
}

bool load_yaml(unit *u)
{
    if (!u->text)
        return false;
    u->yaml = true;
    yp y = {0};
    y.u = u;
    if (!yaml_parser_initialize(&y.p))
        oom();
    yaml_parser_set_input_string(&y.p, (const unsigned char *)u->text, u->len);
    yaml_parser_set_encoding(&y.p, YAML_UTF8_ENCODING);
    cJSON *root = NULL;
    int docs = 0;
    for (;;) {
        yaml_event_t ev;
        if (!next_event(&y, &ev))
            break;
        yaml_event_type_t t = ev.type;
        if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            yaml_fail(&y, mark_off(u, ev.start_mark),
                      "a definition holds one YAML document, found a second one", NULL);
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT ||
            t == YAML_ALIAS_EVENT) {
            root = node(&y, &ev, NO_OFFSET, 0);
            yaml_event_delete(&ev);
            if (!root)
                break;
            continue;
        }
        yaml_event_delete(&ev);
        if (t == YAML_STREAM_END_EVENT)
            break;
    }
    yaml_parser_delete(&y.p);
    if (y.failed) {
        cJSON_Delete(root);
        root = NULL;
    } else if (!root) {
        /* An empty file: what JSON's "unexpected end of file" says. */
        diag_at(u, DIAG_INVALID_JSON_DESCRIPTION, 0, "the YAML document is empty");
    }
    u->root = root;
    return root != NULL;
}

bool load_is_yaml_path(const char *path)
{
    size_t n = strlen(path);
    return (n > 5 && strcmp(path + n - 5, ".yaml") == 0) || (n > 4 && strcmp(path + n - 4, ".yml") == 0);
}

bool load_looks_like_yaml(const char *text, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len) {
        char ch = text[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
            i++;
        } else if (ch == '#') {
            while (i < len && text[i] != '\n')
                i++;
        } else {
            return ch != '{' && ch != '[';
        }
    }
    return false;
}
