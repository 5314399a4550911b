/*
 * load.c - the definition's JSON, parsed strictly (RFC 8259) into a cJSON
 * tree, with the byte offset of every key and value.
 *
 * cJSON has no positions and quietly accepts things a validator must flag
 * (duplicate keys, "\u0000" truncating a string), so the text is parsed
 * here and cJSON only holds the result. Positions live in a hash table keyed
 * by node address, in the unit's arena. Errors stop the parse at the first
 * syntax error (there is no sound way to resynchronise JSON).
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* Deeper nesting than this is refused: no definition needs it, and the
 * recursive parser and every later pass must not run out of stack. */
enum { MAX_DEPTH = 200 };

typedef struct pos_entry {
    const cJSON *node;
    size_t key_off, val_off;
} pos_entry;

struct load_pos_table {
    pos_entry *slots;
    size_t cap, count;
};

static size_t hash_ptr(const void *p)
{
    uintptr_t v = (uintptr_t)p;
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdULL;
    v ^= v >> 33;
    return (size_t)v;
}

static void pos_put(unit *u, const cJSON *node, size_t key_off, size_t val_off);

static void pos_grow(unit *u)
{
    struct load_pos_table *t = u->pos;
    pos_entry *old = t->slots;
    size_t oldcap = t->cap;
    t->cap = oldcap ? oldcap * 2 : 256;
    t->slots = arena_array(&u->arena, t->cap, sizeof *t->slots);
    t->count = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].node)
            pos_put(u, old[i].node, old[i].key_off, old[i].val_off);
}

static void pos_put(unit *u, const cJSON *node, size_t key_off, size_t val_off)
{
    struct load_pos_table *t = u->pos;
    if ((t->count + 1) * 2 > t->cap)
        pos_grow(u);
    size_t i = hash_ptr(node) & (t->cap - 1);
    while (t->slots[i].node && t->slots[i].node != node)
        i = (i + 1) & (t->cap - 1);
    if (!t->slots[i].node)
        t->count++;
    t->slots[i] = (pos_entry){node, key_off, val_off};
}

static const pos_entry *pos_get(const unit *u, const cJSON *node)
{
    const struct load_pos_table *t = u->pos;
    if (!t || !t->cap || !node)
        return NULL;
    size_t i = hash_ptr(node) & (t->cap - 1);
    while (t->slots[i].node) {
        if (t->slots[i].node == node)
            return &t->slots[i];
        i = (i + 1) & (t->cap - 1);
    }
    return NULL;
}

size_t load_key_off(const unit *u, const cJSON *node)
{
    const pos_entry *e = pos_get(u, node);
    return e ? e->key_off : NO_OFFSET;
}

size_t load_val_off(const unit *u, const cJSON *node)
{
    const pos_entry *e = pos_get(u, node);
    return e ? e->val_off : NO_OFFSET;
}

void load_set_pos(unit *u, const cJSON *node, size_t key_off, size_t val_off)
{
    if (!node)
        return;
    if (!u->pos)
        u->pos = arena_new(&u->arena, struct load_pos_table);
    pos_put(u, node, key_off, val_off);
}

/* ==== The parser ======================================================== */

typedef struct parser {
    unit *u;
    const char *s;
    size_t len, i;
    bool failed;
} parser;

static void syntax_error(parser *p, size_t off, const char *msg)
{
    if (!p->failed)
        diag_at(p->u, DIAG_INVALID_JSON_DESCRIPTION, off, "invalid JSON: %s", msg);
    p->failed = true;
}

static void oom(void)
{
    fputs("aslc: out of memory\n", stderr);
    exit(2);
}

static void skip_ws(parser *p)
{
    while (p->i < p->len) {
        char c = p->s[p->i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            p->i++;
        else
            break;
    }
}

static const char *describe(parser *p)
{
    if (p->i >= p->len)
        return "end of file";
    static char buf[32];
    unsigned char c = (unsigned char)p->s[p->i];
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, sizeof buf, "'%c'", c);
    else
        snprintf(buf, sizeof buf, "byte 0x%02x", c);
    return buf;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool read_hex4(parser *p, unsigned *out)
{
    if (p->len - p->i < 4)
        return false;
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(p->s[p->i + (size_t)k]);
        if (h < 0)
            return false;
        v = v * 16 + (unsigned)h;
    }
    p->i += 4;
    *out = v;
    return true;
}

static size_t utf8_put(char *d, unsigned cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of a valid UTF-8 sequence at s (max n bytes), or 0. */
static size_t utf8_valid(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        min = 0x80;
        c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        min = 0x800;
        c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        min = 0x10000;
        c &= 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    return len;
}

/* Parse a string at p->i (which is '"'); returns malloc'd UTF-8 or NULL. */
static char *parse_string(parser *p)
{
    size_t start = p->i++;
    /* decoded text is never longer than the source text */
    size_t cap = 16;
    for (size_t k = p->i; k < p->len && p->s[k] != '"'; k++) {
        if (p->s[k] == '\\')
            k++;
        cap++;
    }
    char *out = malloc(cap + 1);
    if (!out)
        oom();
    size_t n = 0;
    for (;;) {
        if (p->i >= p->len) {
            syntax_error(p, start, "unterminated string");
            free(out);
            return NULL;
        }
        unsigned char c = (unsigned char)p->s[p->i];
        if (c == '"') {
            p->i++;
            break;
        }
        if (c < 0x20) {
            syntax_error(p, p->i, c == '\n' ? "unterminated string (newline inside it)"
                                            : "control character inside a string (escape it)");
            free(out);
            return NULL;
        }
        if (c == '\\') {
            size_t esc = p->i++;
            if (p->i >= p->len) {
                syntax_error(p, esc, "unterminated string");
                free(out);
                return NULL;
            }
            char e = p->s[p->i++];
            switch (e) {
            case '"': out[n++] = '"'; break;
            case '\\': out[n++] = '\\'; break;
            case '/': out[n++] = '/'; break;
            case 'b': out[n++] = '\b'; break;
            case 'f': out[n++] = '\f'; break;
            case 'n': out[n++] = '\n'; break;
            case 'r': out[n++] = '\r'; break;
            case 't': out[n++] = '\t'; break;
            case 'u': {
                unsigned cp;
                if (!read_hex4(p, &cp)) {
                    syntax_error(p, esc, "\\u must be followed by four hex digits");
                    free(out);
                    return NULL;
                }
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned lo;
                    if (p->len - p->i >= 6 && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u') {
                        p->i += 2;
                        if (!read_hex4(p, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                            syntax_error(p, esc, "invalid UTF-16 surrogate pair");
                            free(out);
                            return NULL;
                        }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else {
                        syntax_error(p, esc, "lone UTF-16 surrogate");
                        free(out);
                        return NULL;
                    }
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    syntax_error(p, esc, "lone UTF-16 surrogate");
                    free(out);
                    return NULL;
                }
                if (cp == 0) {
                    syntax_error(p, esc, "\\u0000 (a NUL character) is not supported in strings");
                    free(out);
                    return NULL;
                }
                n += utf8_put(out + n, cp);
                break;
            }
            default:
                syntax_error(p, esc, "invalid escape sequence");
                free(out);
                return NULL;
            }
            continue;
        }
        size_t k = utf8_valid((const unsigned char *)p->s + p->i, p->len - p->i);
        if (k == 0) {
            syntax_error(p, p->i, "invalid UTF-8 in string");
            free(out);
            return NULL;
        }
        memcpy(out + n, p->s + p->i, k);
        n += k;
        p->i += k;
    }
    out[n] = '\0';
    return out;
}

static cJSON *parse_value(parser *p, int depth, size_t key_off);

static cJSON *parse_number(parser *p)
{
    size_t start = p->i;
    const char *s = p->s;
    if (p->i < p->len && s[p->i] == '-')
        p->i++;
    if (p->i >= p->len || s[p->i] < '0' || s[p->i] > '9') {
        syntax_error(p, start, "invalid number");
        return NULL;
    }
    if (s[p->i] == '0') {
        p->i++;
        if (p->i < p->len && s[p->i] >= '0' && s[p->i] <= '9') {
            syntax_error(p, start, "numbers may not have leading zeros");
            return NULL;
        }
    } else {
        while (p->i < p->len && s[p->i] >= '0' && s[p->i] <= '9')
            p->i++;
    }
    if (p->i < p->len && s[p->i] == '.') {
        p->i++;
        if (p->i >= p->len || s[p->i] < '0' || s[p->i] > '9') {
            syntax_error(p, start, "a digit must follow the decimal point");
            return NULL;
        }
        while (p->i < p->len && s[p->i] >= '0' && s[p->i] <= '9')
            p->i++;
    }
    if (p->i < p->len && (s[p->i] == 'e' || s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->len && (s[p->i] == '+' || s[p->i] == '-'))
            p->i++;
        if (p->i >= p->len || s[p->i] < '0' || s[p->i] > '9') {
            syntax_error(p, start, "invalid exponent");
            return NULL;
        }
        while (p->i < p->len && s[p->i] >= '0' && s[p->i] <= '9')
            p->i++;
    }
    char buf[64];
    size_t n = p->i - start;
    char *tmp = n < sizeof buf ? buf : malloc(n + 1);
    if (!tmp)
        oom();
    memcpy(tmp, s + start, n);
    tmp[n] = '\0';
    double d = strtod(tmp, NULL);
    if (tmp != buf)
        free(tmp);
    /* 1e999: Step Functions' JSON output cannot hold an infinity, and the
     * generated C could not write it; refuse it here, where its position is. */
    if (!isfinite(d))
        diag_at(p->u, DIAG_INVALID_VALUE, start,
                "number out of range: beyond the largest double (about 1.8e308); no JSON value can hold it");
    cJSON *v = cJSON_CreateNumber(d);
    if (!v)
        oom();
    return v;
}

static bool match_word(parser *p, const char *w)
{
    size_t n = strlen(w);
    if (p->len - p->i >= n && memcmp(p->s + p->i, w, n) == 0) {
        p->i += n;
        return true;
    }
    return false;
}

/* The keys of one object being parsed, for the duplicate check: a linear
 * scan would make an object of n members cost n^2 / 2 comparisons (a
 * 1000-state "States" object: half a million). Open addressing over the
 * members' nodes, grown as the object grows; freed with the object. */
typedef struct keyset {
    const cJSON **slot;
    size_t cap, n;
} keyset;

static size_t hash_key(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void keyset_put(keyset *ks, const cJSON *item)
{
    size_t h = hash_key(item->string) & (ks->cap - 1);
    while (ks->slot[h]) {
        if (strcmp(ks->slot[h]->string, item->string) == 0)
            return; /* the first one stays */
        h = (h + 1) & (ks->cap - 1);
    }
    ks->slot[h] = item;
    ks->n++;
}

/* The earlier member of [obj] with [item]'s key, or NULL. [item] was
 * just added to [obj]. Small objects are scanned; from 8 members on, a
 * hash set of the keys is kept. */
static const cJSON *keyset_add(keyset *ks, const cJSON *obj, const cJSON *item)
{
    if (!ks->cap) {
        int n = 0;
        for (const cJSON *c = obj->child; c && c != item; c = c->next, n++)
            if (strcmp(c->string, item->string) == 0)
                return c;
        if (n < 8)
            return NULL;
        ks->cap = 32;
        ks->slot = calloc(ks->cap, sizeof *ks->slot);
        if (!ks->slot)
            oom();
        for (const cJSON *c = obj->child; c && c != item; c = c->next)
            keyset_put(ks, c);
    }
    if ((ks->n + 1) * 2 > ks->cap) {
        keyset old = *ks;
        ks->cap *= 2;
        ks->n = 0;
        ks->slot = calloc(ks->cap, sizeof *ks->slot);
        if (!ks->slot)
            oom();
        for (size_t i = 0; i < old.cap; i++)
            if (old.slot[i])
                keyset_put(ks, old.slot[i]);
        free(old.slot);
    }
    size_t h = hash_key(item->string) & (ks->cap - 1);
    while (ks->slot[h]) {
        if (strcmp(ks->slot[h]->string, item->string) == 0)
            return ks->slot[h];
        h = (h + 1) & (ks->cap - 1);
    }
    ks->slot[h] = item;
    ks->n++;
    return NULL;
}

static cJSON *parse_object(parser *p, int depth)
{
    size_t open = p->i++;
    cJSON *obj = cJSON_CreateObject();
    keyset keys = {NULL, 0, 0};
    if (!obj)
        oom();
    skip_ws(p);
    if (p->i < p->len && p->s[p->i] == '}') {
        p->i++;
        return obj;
    }
    for (;;) {
        skip_ws(p);
        if (p->i >= p->len || p->s[p->i] != '"') {
            if (p->i < p->len && p->s[p->i] == '}')
                syntax_error(p, p->i, "trailing comma before '}'");
            else if (p->i >= p->len)
                syntax_error(p, open, "unterminated object (no matching '}')");
            else {
                char msg[64];
                snprintf(msg, sizeof msg, "expected a string key, found %s", describe(p));
                syntax_error(p, p->i, msg);
            }
            break;
        }
        size_t key_off = p->i;
        char *key = parse_string(p);
        if (!key)
            break;
        skip_ws(p);
        if (p->i >= p->len || p->s[p->i] != ':') {
            char msg[64];
            snprintf(msg, sizeof msg, "expected ':' after the key, found %s", describe(p));
            syntax_error(p, p->i, msg);
            free(key);
            break;
        }
        p->i++;
        skip_ws(p);
        cJSON *val = parse_value(p, depth + 1, key_off);
        if (!val) {
            free(key);
            break;
        }
        if (!cJSON_AddItemToObject(obj, key, val))
            oom();
        const cJSON *dup = keyset_add(&keys, obj, val);
        if (dup) {
            diag_at(p->u, DIAG_DUPLICATE_JSON_KEY, key_off, "duplicate key \"%s\" in one object", key);
            diag_note(p->u, load_key_off(p->u, dup), "first used here");
        }
        free(key);
        skip_ws(p);
        if (p->i < p->len && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->len && p->s[p->i] == '}') {
            p->i++;
            free(keys.slot);
            return obj;
        }
        if (p->i >= p->len)
            syntax_error(p, open, "unterminated object (no matching '}')");
        else {
            char msg[64];
            snprintf(msg, sizeof msg, "expected ',' or '}', found %s", describe(p));
            syntax_error(p, p->i, msg);
        }
        break;
    }
    free(keys.slot);
    cJSON_Delete(obj);
    return NULL;
}

static cJSON *parse_array(parser *p, int depth)
{
    size_t open = p->i++;
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        oom();
    skip_ws(p);
    if (p->i < p->len && p->s[p->i] == ']') {
        p->i++;
        return arr;
    }
    for (;;) {
        skip_ws(p);
        if (p->i < p->len && p->s[p->i] == ']') {
            syntax_error(p, p->i, "trailing comma before ']'");
            break;
        }
        cJSON *val = parse_value(p, depth + 1, NO_OFFSET);
        if (!val)
            break;
        if (!cJSON_AddItemToArray(arr, val))
            oom();
        skip_ws(p);
        if (p->i < p->len && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->len && p->s[p->i] == ']') {
            p->i++;
            return arr;
        }
        if (p->i >= p->len)
            syntax_error(p, open, "unterminated array (no matching ']')");
        else {
            char msg[64];
            snprintf(msg, sizeof msg, "expected ',' or ']', found %s", describe(p));
            syntax_error(p, p->i, msg);
        }
        break;
    }
    cJSON_Delete(arr);
    return NULL;
}

static cJSON *parse_value(parser *p, int depth, size_t key_off)
{
    skip_ws(p);
    size_t at = p->i;
    if (depth > MAX_DEPTH) {
        if (!p->failed)
            diag_at(p->u, DIAG_NESTING_TOO_DEEP, at, "JSON nested more than %d levels deep", MAX_DEPTH);
        p->failed = true;
        return NULL;
    }
    cJSON *v = NULL;
    if (p->i >= p->len) {
        syntax_error(p, at, "unexpected end of file, expected a value");
        return NULL;
    }
    switch (p->s[p->i]) {
    case '{': v = parse_object(p, depth); break;
    case '[': v = parse_array(p, depth); break;
    case '"': {
        char *s = parse_string(p);
        if (s) {
            v = cJSON_CreateString(s);
            free(s);
            if (!v)
                oom();
        }
        break;
    }
    case 't':
    case 'f':
    case 'n':
        if (match_word(p, "true"))
            v = cJSON_CreateTrue();
        else if (match_word(p, "false"))
            v = cJSON_CreateFalse();
        else if (match_word(p, "null"))
            v = cJSON_CreateNull();
        else
            syntax_error(p, at, "invalid literal (expected true, false or null)");
        break;
    default:
        if (p->s[p->i] == '-' || (p->s[p->i] >= '0' && p->s[p->i] <= '9'))
            v = parse_number(p);
        else {
            char msg[64];
            snprintf(msg, sizeof msg, "expected a value, found %s", describe(p));
            syntax_error(p, at, msg);
        }
    }
    if (v)
        pos_put(p->u, v, key_off, at);
    return v;
}

bool load_json(unit *u)
{
    if (!u->text)
        return false;
    if (!u->pos)
        u->pos = arena_new(&u->arena, struct load_pos_table);
    parser p = {u, u->text, u->len, 0, false};
    /* A UTF-8 byte order mark is tolerated, as most JSON readers do. */
    if (p.len >= 3 && memcmp(p.s, "\xEF\xBB\xBF", 3) == 0)
        p.i = 3;
    cJSON *root = parse_value(&p, 0, NO_OFFSET);
    if (root) {
        skip_ws(&p);
        if (p.i < p.len) {
            syntax_error(&p, p.i, "unexpected text after the JSON document");
            cJSON_Delete(root);
            root = NULL;
        }
    }
    u->root = root;
    return root != NULL;
}
