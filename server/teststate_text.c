/*
 * teststate_text.c - payload text as AWS's TestState prints it.
 *
 * AWS hands back a value it took from the request untouched as the text
 * it was given: the TestState guide's examples echo an input's blanks in
 * `input` and in a Choice's `output`, and the recorded answers show an
 * `afterItemsPath` cut out of the input with its blanks (`["first",
 * "second", "third"]`) and a Map's `output` that is its mock, as written
 * (`[1, 4, 9]`). Anything computed is compact JSON.
 *
 * But not every value cut out of the input keeps its text: the guide's
 * `afterInputPath` of `{"payload": {"foo": "bar"}}` under InputPath
 * `$.payload` is compact `{"foo":"bar"}`. So, as far as the evidence goes:
 * a payload equal to the whole input or the whole mock is printed as it
 * was written, and so is a Map's `afterItemsPath` that is a value of the
 * input; anything else is compact (teststate_impl.h, add_payload).
 *
 * The request's input and mocked result are scanned once: every value in
 * them, in document order, with the span of text it was written as. Texts
 * over TS_TEXT_MAX are not scanned (every payload is then compact).
 *
 * Owns the span tables (ts_text_free).
 */
#include <stdlib.h>
#include <string.h>

#include "teststate_impl.h"

/* Past this the scan is not worth it: AWS's payloads are at most 256 KiB,
 * and each lookup compares against every value. */
enum { TS_TEXT_MAX = 65536 };

typedef struct ts_span {
    const cJSON *node;
    size_t off, len;
} span;

typedef struct scan {
    const char *s;
    size_t n, i;
    span *v;
    int count, cap;
    bool bad;
} scan;

static void blanks(scan *c)
{
    while (c->i < c->n && strchr(" \t\r\n", c->s[c->i]))
        c->i++;
}

static bool add(scan *c, const cJSON *node, size_t off)
{
    if (c->count == c->cap) {
        int cap = c->cap ? c->cap * 2 : 64;
        span *v = realloc(c->v, (size_t)cap * sizeof *v);
        if (!v)
            return false;
        c->v = v;
        c->cap = cap;
    }
    c->v[c->count++] = (span){node, off, 0};
    return true;
}

static void skip_string(scan *c)
{
    c->i++; /* the opening quote */
    while (c->i < c->n && c->s[c->i] != '"')
        c->i += c->s[c->i] == '\\' ? 2 : 1;
    if (c->i >= c->n)
        c->bad = true;
    c->i++;
}

/* One value at c->i, [node] being the parse of it: its span and, in
 * document order, its members' (cJSON keeps a document's order). */
static void value(scan *c, const cJSON *node, int depth)
{
    blanks(c);
    if (c->bad || !node || c->i >= c->n || depth > 512) {
        c->bad = true;
        return;
    }
    size_t start = c->i;
    int at = c->count;
    if (!add(c, node, start)) {
        c->bad = true;
        return;
    }
    char ch = c->s[c->i];
    if (ch == '{' || ch == '[') {
        c->i++;
        const cJSON *child = node->child;
        blanks(c);
        if (c->i < c->n && c->s[c->i] == (ch == '{' ? '}' : ']')) {
            c->i++;
        } else {
            for (;;) {
                if (ch == '{') {
                    blanks(c);
                    if (c->i >= c->n || c->s[c->i] != '"') {
                        c->bad = true;
                        return;
                    }
                    skip_string(c);
                    blanks(c);
                    if (c->i >= c->n || c->s[c->i] != ':') {
                        c->bad = true;
                        return;
                    }
                    c->i++;
                }
                value(c, child, depth + 1);
                if (c->bad)
                    return;
                child = child->next;
                blanks(c);
                if (c->i < c->n && c->s[c->i] == ',') {
                    c->i++;
                    continue;
                }
                if (c->i < c->n && c->s[c->i] == (ch == '{' ? '}' : ']')) {
                    c->i++;
                    break;
                }
                c->bad = true;
                return;
            }
        }
    } else if (ch == '"') {
        skip_string(c);
    } else {
        while (c->i < c->n && !strchr(" \t\r\n,]}", c->s[c->i]))
            c->i++;
    }
    c->v[at].len = c->i - start;
}

ts_text *ts_text_scan(const char *text, const cJSON *parsed)
{
    if (!text || !parsed)
        return NULL;
    size_t n = strlen(text);
    if (n > TS_TEXT_MAX)
        return NULL;
    scan c = {.s = text, .n = n};
    value(&c, parsed, 0);
    ts_text *t = c.bad ? NULL : malloc(sizeof *t);
    if (!t) {
        free(c.v);
        return NULL;
    }
    t->text = text;
    t->spans = c.v;
    t->count = c.count;
    return t;
}

char *ts_text_of(const ts_text *t, const cJSON *v, bool whole)
{
    const span *s = t ? t->spans : NULL;
    for (int i = 0; s && v && i < (whole ? 1 : t->count); i++)
        if ((s[i].node->type & 0xFF) == (v->type & 0xFF) && cJSON_Compare(s[i].node, v, true))
            return strndup(t->text + s[i].off, s[i].len);
    return NULL;
}

void ts_text_free(ts_text *t)
{
    if (t)
        free(t->spans);
    free(t);
}
