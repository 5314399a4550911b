/*
 * json.c - JSON values for the runtime: strict parsing, compact printing,
 * equality, deep copies.
 *
 * Owns nothing long-lived. rt_json_parse is the only place the runtime turns
 * text into a tree (the execution input, --input, mocks, handler replies):
 * it validates the text against RFC 8259 first, because cJSON alone is
 * lenient (it takes "01", any byte <= 0x20 as blank space, raw control
 * characters inside strings, and it truncates strings at "\u0000"), and a
 * lenient parse would be a silent wrong answer. The validator also reports
 * where the text went wrong, which cJSON's global error pointer cannot do
 * safely from several threads.
 *
 * Called by main.c (input), exec.c / history.c (printing events), the
 * data-flow modules (copies) and generated code (asl_copy, asl_free).
 *
 * Layer: base
 */
#include <float.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

/* Serialises cJSON_Parse* (see rt_json_parse). */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

/* cJSON refuses deeper documents; say so ourselves, with a position. */
#define MAX_DEPTH CJSON_NESTING_LIMIT

/* ==== Strict validation ================================================= */

typedef struct {
    const unsigned char *s;
    size_t n, i;
    const char *msg; /* first problem found, static text */
    size_t at;       /* its byte offset */
} scan;

static bool bad(scan *p, const char *msg)
{
    if (!p->msg) {
        p->msg = msg;
        p->at = p->i;
    }
    return false;
}

static void skip_blank(scan *p)
{
    while (p->i < p->n) {
        unsigned char c = p->s[p->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->i++;
    }
}

static bool literal(scan *p, const char *word)
{
    size_t len = strlen(word);
    if (p->n - p->i < len || memcmp(p->s + p->i, word, len) != 0)
        return bad(p, "invalid literal (expected true, false or null)");
    p->i += len;
    return true;
}

static bool digits(scan *p)
{
    size_t start = p->i;
    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
        p->i++;
    return p->i > start;
}

/* A number as JSON spells it; one that no double can hold is refused
 * rather than turned into infinity (which would print as null). */
static bool number(scan *p)
{
    size_t start = p->i;
    if (p->s[p->i] == '-')
        p->i++;
    if (p->i < p->n && p->s[p->i] == '0') {
        p->i++;
        if (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            return bad(p, "leading zeros are not allowed in numbers");
    } else if (!digits(p)) {
        return bad(p, "invalid number");
    }
    if (p->i < p->n && p->s[p->i] == '.') {
        p->i++;
        if (!digits(p))
            return bad(p, "expected a digit after the decimal point");
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
            p->i++;
        if (!digits(p))
            return bad(p, "expected a digit in the exponent");
    }
    size_t len = p->i - start;
    /* without an exponent, fewer than 309 digits stay below DBL_MAX: no
     * strtod for the common number (cJSON converts it again anyway) */
    if (len < 309 && !memchr(p->s + start, 'e', len) && !memchr(p->s + start, 'E', len))
        return true;
    char small[128];
    char *buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf)
        return bad(p, "out of memory");
    memcpy(buf, p->s + start, len);
    buf[len] = 0;
    double d = strtod(buf, NULL);
    if (buf != small)
        free(buf);
    if (isinf(d)) {
        p->i = start;
        return bad(p, "number out of range");
    }
    return true;
}

static int hex4(const unsigned char *h)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        int c = h[k], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* One UTF-8 sequence starting at p->i (first byte >= 0x80). */
static bool utf8(scan *p)
{
    const unsigned char *s = p->s + p->i;
    size_t left = p->n - p->i;
    unsigned c = s[0];
    unsigned need, min, cp;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1, min = 0x80, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, min = 0x800, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, min = 0x10000, cp = c & 0x07;
    } else {
        return bad(p, "invalid UTF-8 in string");
    }
    if (left <= need)
        return bad(p, "invalid UTF-8 in string");
    for (unsigned k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return bad(p, "invalid UTF-8 in string");
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return bad(p, "invalid UTF-8 in string");
    p->i += need + 1;
    return true;
}

static bool string(scan *p)
{
    p->i++; /* opening quote */
    for (;;) {
        if (p->i >= p->n)
            return bad(p, "unterminated string");
        unsigned char c = p->s[p->i];
        if (c == '"') {
            p->i++;
            return true;
        }
        if (c < 0x20)
            return bad(p, "control character in string (must be escaped)");
        if (c >= 0x80) {
            if (!utf8(p))
                return false;
            continue;
        }
        if (c != '\\') {
            p->i++;
            continue;
        }
        if (p->i + 1 >= p->n)
            return bad(p, "unterminated string");
        c = p->s[p->i + 1];
        if (strchr("\"\\/bfnrt", c) && c) {
            p->i += 2;
            continue;
        }
        if (c != 'u')
            return bad(p, "invalid escape in string");
        int u = p->n - p->i >= 6 ? hex4(p->s + p->i + 2) : -1;
        if (u < 0)
            return bad(p, "invalid \\u escape in string");
        /* cJSON cannot hold U+0000 (strings are NUL-terminated) nor a lone
         * surrogate; refuse them instead of truncating or mangling. */
        if (u == 0)
            return bad(p, "\\u0000 in strings is not supported");
        if (u >= 0xDC00 && u <= 0xDFFF)
            return bad(p, "unpaired surrogate in \\u escape");
        if (u >= 0xD800 && u <= 0xDBFF) {
            int lo = p->n - p->i >= 12 && p->s[p->i + 6] == '\\' && p->s[p->i + 7] == 'u'
                         ? hex4(p->s + p->i + 8)
                         : -1;
            if (lo < 0xDC00 || lo > 0xDFFF)
                return bad(p, "unpaired surrogate in \\u escape");
            p->i += 12;
            continue;
        }
        p->i += 6;
    }
}

static bool value(scan *p, int depth);

static bool container(scan *p, int depth, bool object)
{
    if (depth >= MAX_DEPTH)
        return bad(p, "nesting too deep");
    unsigned char close = object ? '}' : ']';
    p->i++;
    skip_blank(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        return true;
    }
    for (;;) {
        if (object) {
            if (p->i >= p->n || p->s[p->i] != '"')
                return bad(p, "expected a string as object key");
            if (!string(p))
                return false;
            skip_blank(p);
            if (p->i >= p->n || p->s[p->i] != ':')
                return bad(p, "expected ':' after an object key");
            p->i++;
            skip_blank(p);
        }
        if (!value(p, depth + 1))
            return false;
        skip_blank(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            skip_blank(p);
            continue;
        }
        if (p->i < p->n && p->s[p->i] == close) {
            p->i++;
            return true;
        }
        return bad(p, object ? "expected ',' or '}' after an object member"
                             : "expected ',' or ']' after an array element");
    }
}

static bool value(scan *p, int depth)
{
    if (p->i >= p->n)
        return bad(p, "unexpected end of input");
    switch (p->s[p->i]) {
    case '{':
        return container(p, depth, true);
    case '[':
        return container(p, depth, false);
    case '"':
        return string(p);
    case 't':
        return literal(p, "true");
    case 'f':
        return literal(p, "false");
    case 'n':
        return literal(p, "null");
    default:
        if (p->s[p->i] == '-' || (p->s[p->i] >= '0' && p->s[p->i] <= '9'))
            return number(p);
        return bad(p, "unexpected character");
    }
}

static void position(const unsigned char *s, size_t at, long *line, long *col)
{
    *line = 1;
    *col = 1;
    for (size_t k = 0; k < at; k++) {
        if (s[k] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* ==== Public functions ================================================== */

/* Returns a fresh tree the caller owns, or 0 with a message in [err]
 * ("line L, column C: what"). [text] need not be NUL-terminated. */
cJSON *rt_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = 0;
    if (!text) {
        if (err && errlen)
            snprintf(err, errlen, "no JSON text");
        return NULL;
    }
    scan p = {.s = (const unsigned char *)text, .n = len};
    skip_blank(&p);
    bool ok = value(&p, 0);
    if (ok) {
        skip_blank(&p);
        if (p.i < p.n)
            ok = bad(&p, "unexpected text after the JSON value");
    }
    if (!ok) {
        if (err && errlen) {
            long line, col;
            position(p.s, p.at, &line, &col);
            snprintf(err, errlen, "line %ld, column %ld: %s", line, col, p.msg);
        }
        return NULL;
    }
    /* The text is known to be valid and complete, so cJSON needs no
     * terminator check (its require_null_terminated mode would demand a
     * NUL inside [len]). */
    /* cJSON's parser resets a global error record on every call: Map and
     * Parallel threads parse at once, so one lock around it. */
    pthread_mutex_lock(&parse_lock);
    cJSON *v = cJSON_ParseWithLengthOpts(text, len, NULL, 0);
    pthread_mutex_unlock(&parse_lock);
    if (!v && err && errlen)
        snprintf(err, errlen, "out of memory while parsing JSON");
    return v;
}

/* rt_json_size_bound walks the tree but allocates nothing: the loop
 * checks every state's output against AWS's limit with it. */
/* The bytes a string's characters take in JSON text, stopping past [cap]. */
static size_t escaped_len(const char *s, size_t n, size_t cap)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p && n <= cap; p++)
        n += *p == '"' || *p == '\\' ? 2 : *p < 0x20 ? 6 : 1;
    return n;
}

size_t rt_json_size_bound(const cJSON *v, size_t cap)
{
    /* the type tests are inline: cJSON_Is* are calls into the library,
     * and this runs after most states */
    switch (v ? v->type & 0xFF : cJSON_NULL) {
    case cJSON_Object:
    case cJSON_Array: {
        const bool obj = (v->type & 0xFF) == cJSON_Object;
        size_t n = 2;
        for (const cJSON *c = v->child; c && n <= cap; c = c->next) {
            if (c != v->child)
                n++;
            if (obj && c->string)
                n = escaped_len(c->string, n + 3, cap); /* quotes and colon */
            n += rt_json_size_bound(c, cap - (n < cap ? n : cap));
        }
        return n;
    }
    case cJSON_String:
        return escaped_len(v->valuestring, 2, cap);
    case cJSON_Number: {
        /* a number that equals its int value prints as its digits (cJSON's
         * "%1.15g" and rt_json_print agree there), so count them: a Map
         * of 10,000 integers is not 260 KB; anything else takes at most
         * 26 bytes */
        if (v->valuedouble != (double)v->valueint)
            return 26;
        long long i = v->valueint;
        size_t d = i < 0 ? 2 : 1;
        unsigned long long u = i < 0 ? -(unsigned long long)i : (unsigned long long)i;
        /* a ladder of compares for the common small counts, then divide */
        for (; u >= 10000; u /= 10000)
            d += 4;
        d += (u >= 10) + (u >= 100) + (u >= 1000);
        return d;
    }
    case cJSON_Raw:
        return v->valuestring ? strlen(v->valuestring) : 0;
    default:
        return 5; /* true, false, null */
    }
}

/* ==== Compact printing ================================================== */

/* cJSON_PrintUnformatted's text, byte for byte, written here because its
 * number printer pays a "%1.15g" sprintf and an sscanf round trip per
 * number (cJSON 1.7.15 has no integer shortcut): a Map's output of 10,000
 * integers spent a quarter of the run there. Integers below 1e15 in
 * magnitude are exactly what "%1.15g" prints, digit for digit; every
 * other number goes the way cJSON goes. */
typedef struct {
    char *p;
    size_t n, cap;
    bool oom;
} outbuf;

static bool ob_room(outbuf *b, size_t more)
{
    if (b->oom)
        return false;
    if (b->n + more < b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap <= b->n + more)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

static void ob_put(outbuf *b, const char *s, size_t n)
{
    if (ob_room(b, n)) {
        memcpy(b->p + b->n, s, n);
        b->n += n;
    }
}

/* cJSON's compare_double: equal within a relative DBL_EPSILON. */
static bool near_equal(double a, double b)
{
    double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return fabs(a - b) <= m * DBL_EPSILON;
}

static void ob_number(outbuf *b, double d)
{
    char t[32];
    int len;
    if (isnan(d) || isinf(d)) {
        ob_put(b, "null", 4);
        return;
    }
    if (d == trunc(d) && fabs(d) < 1e15) {
        /* exact in an int64; "-0" for negative zero, as "%1.15g" */
        unsigned long long u = (unsigned long long)(d < 0 ? -d : d);
        char *e = t + sizeof t, *q = e;
        do
            *--q = (char)('0' + u % 10);
        while ((u /= 10) != 0);
        if (signbit(d))
            *--q = '-';
        ob_put(b, q, (size_t)(e - q));
        return;
    }
    len = snprintf(t, sizeof t, "%1.15g", d);
    double back;
    if (sscanf(t, "%lg", &back) != 1 || !near_equal(back, d))
        len = snprintf(t, sizeof t, "%1.17g", d);
    if (len < 0 || len >= 26) { /* cJSON's buffer: it fails the print */
        b->oom = true;
        return;
    }
    /* cJSON writes '.' whatever the locale's decimal point */
    const char *dp = localeconv()->decimal_point;
    if (dp && dp[0] && dp[0] != '.' && !dp[1])
        for (char *q = t; *q; q++)
            if (*q == dp[0])
                *q = '.';
    ob_put(b, t, (size_t)len);
}

static void ob_string(outbuf *b, const char *s)
{
    if (!ob_room(b, 1))
        return;
    b->p[b->n++] = '"';
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    for (;;) {
        size_t run = 0;
        while (u[run] && u[run] != '"' && u[run] != '\\' && u[run] >= 0x20)
            run++;
        ob_put(b, (const char *)u, run);
        u += run;
        if (!*u)
            break;
        char e[8];
        int n = 2;
        e[0] = '\\';
        switch (*u) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\b': e[1] = 'b'; break;
        case '\f': e[1] = 'f'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        default: n = snprintf(e, sizeof e, "\\u%04x", *u); break;
        }
        ob_put(b, e, (size_t)n);
        u++;
    }
    ob_put(b, "\"", 1);
}

static void ob_value(outbuf *b, const cJSON *v)
{
    switch (v->type & 0xFF) {
    case cJSON_NULL: ob_put(b, "null", 4); return;
    case cJSON_False: ob_put(b, "false", 5); return;
    case cJSON_True: ob_put(b, "true", 4); return;
    case cJSON_Number: ob_number(b, v->valuedouble); return;
    case cJSON_String: ob_string(b, v->valuestring); return;
    case cJSON_Raw:
        if (!v->valuestring)
            b->oom = true; /* cJSON refuses it too */
        else
            ob_put(b, v->valuestring, strlen(v->valuestring));
        return;
    case cJSON_Array:
    case cJSON_Object: {
        const bool obj = (v->type & 0xFF) == cJSON_Object;
        ob_put(b, obj ? "{" : "[", 1);
        for (const cJSON *c = v->child; c && !b->oom; c = c->next) {
            if (c != v->child)
                ob_put(b, ",", 1);
            if (obj) {
                ob_string(b, c->string);
                ob_put(b, ":", 1);
            }
            ob_value(b, c);
        }
        ob_put(b, obj ? "}" : "]", 1);
        return;
    }
    default: /* cJSON_Invalid: cJSON prints nothing */
        b->oom = true;
        return;
    }
}

/* Compact JSON as cJSON_PrintUnformatted writes it; malloc'd, freed by
 * the caller with free(). 0 on failure (out of memory, an invalid node). */
char *rt_json_print(const cJSON *v)
{
    if (!v)
        return NULL;
    outbuf b = {0};
    ob_value(&b, v);
    if (ob_room(&b, 1))
        b.p[b.n] = '\0';
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static int kind(const cJSON *v)
{
    return v->type & 0xFF;
}

static const cJSON *member(const cJSON *obj, const char *key)
{
    for (const cJSON *c = obj->child; c; c = c->next)
        if (c->string && strcmp(c->string, key) == 0)
            return c;
    return NULL;
}

bool rt_json_equal(const cJSON *a, const cJSON *b)
{
    if (!a || !b)
        return a == b;
    if (kind(a) != kind(b))
        return false;
    switch (kind(a)) {
    case cJSON_Number:
        return a->valuedouble == b->valuedouble;
    case cJSON_String:
    case cJSON_Raw:
        if (!a->valuestring || !b->valuestring)
            return a->valuestring == b->valuestring;
        return strcmp(a->valuestring, b->valuestring) == 0;
    case cJSON_Array: {
        const cJSON *x = a->child, *y = b->child;
        for (; x && y; x = x->next, y = y->next)
            if (!rt_json_equal(x, y))
                return false;
        return !x && !y;
    }
    case cJSON_Object: {
        int na = 0, nb = 0;
        for (const cJSON *c = a->child; c; c = c->next)
            na++;
        for (const cJSON *c = b->child; c; c = c->next)
            nb++;
        if (na != nb)
            return false;
        for (const cJSON *c = a->child; c; c = c->next) {
            const cJSON *d = c->string ? member(b, c->string) : NULL;
            if (!d || !rt_json_equal(c, d))
                return false;
        }
        return true;
    }
    default: /* null, true, false: the kind says it all */
        return true;
    }
}

/* A fresh copy of [v] without v's own key (the copy is a standalone value;
 * whoever links it into an object gives it its key). Children keep theirs.
 * Allocates only the new nodes and strings. */
cJSON *asl_copy(const cJSON *v)
{
    if (!v)
        return NULL;
    cJSON *c;
    switch (kind(v)) {
    case cJSON_Number:
        return rt_node_number(v->valuedouble);
    case cJSON_String:
        return cJSON_CreateString(v->valuestring ? v->valuestring : "");
    case cJSON_True:
    case cJSON_False:
    case cJSON_NULL:
        return rt_node_new(kind(v));
    case cJSON_Array:
        c = cJSON_CreateArray();
        break;
    case cJSON_Object:
        c = cJSON_CreateObject();
        break;
    default:
        /* cJSON_Raw never comes out of our parser; copy it faithfully. */
        c = cJSON_Duplicate(v, 1);
        if (c && c->string) {
            if (!(c->type & cJSON_StringIsConst))
                cJSON_free(c->string);
            c->string = NULL;
            c->type &= ~cJSON_StringIsConst;
        }
        return c;
    }
    if (!c)
        return NULL;
    /* cJSON_AddItemToArray only links the node (keeping the key that
     * cJSON_Duplicate copied), so it serves objects as well. */
    for (const cJSON *e = v->child; e; e = e->next) {
        cJSON *d = cJSON_Duplicate(e, 1);
        if (!d || !cJSON_AddItemToArray(c, d)) {
            cJSON_Delete(d);
            cJSON_Delete(c);
            return NULL;
        }
    }
    return c;
}

/* ==== Recycled nodes ===================================================== */
/* A loop of Pass states frees a document and builds one of the same shape
 * after every state: malloc and free were a fifth of its time. Inside an
 * execution loop (rt_node_cache_enter / leave, exec.c) the nodes that
 * asl_free releases wait in a short per-thread list for the builders
 * (rt_node_new: flow.c, intrinsics, asl_copy) to take them again. Every node
 * in the list came from cJSON's allocator and goes back to it, through
 * cJSON_Delete or the flush when the outermost loop on the thread ends, so
 * whoever frees a recycled node later may do it the usual way. */
enum { NODE_CACHE_MAX = 128 };
/* Per thread through a pthread key, not _Thread_local: TinyCC cannot link
 * thread-local storage (aslc build --cc libtcc, tests/hardening). */
typedef struct node_cache {
    cJSON *head;
    int n;
    int depth;
} node_cache;
static pthread_key_t node_key;
static pthread_once_t node_once = PTHREAD_ONCE_INIT;
static bool node_key_ok;

static void node_flush(node_cache *c)
{
    while (c->head) {
        cJSON *n = c->head;
        c->head = n->next;
        cJSON_free(n);
    }
    c->n = 0;
}

static void node_cache_free(void *p)
{
    /* a thread that ends inside a loop (it should not) frees its list */
    node_flush(p);
    free(p);
}

static void node_key_init(void)
{
    /* published atomically: threads that never entered a loop read it too */
    __atomic_store_n(&node_key_ok, pthread_key_create(&node_key, node_cache_free) == 0,
                     __ATOMIC_RELEASE);
}

static node_cache *node_cache_get(void)
{
    return __atomic_load_n(&node_key_ok, __ATOMIC_ACQUIRE) ? pthread_getspecific(node_key) : NULL;
}

void rt_node_cache_enter(void)
{
    pthread_once(&node_once, node_key_init);
    node_cache *c = node_cache_get();
    if (!c && __atomic_load_n(&node_key_ok, __ATOMIC_ACQUIRE)) {
        /* no list (out of memory) only means no recycling */
        c = calloc(1, sizeof *c);
        if (c && pthread_setspecific(node_key, c) != 0) {
            free(c);
            c = NULL;
        }
    }
    if (c)
        c->depth++;
}

void rt_node_cache_leave(void)
{
    node_cache *c = node_cache_get();
    if (!c || --c->depth > 0)
        return;
    pthread_setspecific(node_key, NULL);
    node_cache_free(c);
}

cJSON *rt_node_new(int type)
{
    node_cache *c = node_cache_get();
    cJSON *n = c ? c->head : NULL;
    if (!n) {
        n = cJSON_CreateNull();
        if (n)
            n->type = type;
        return n;
    }
    c->head = n->next;
    c->n--;
    memset(n, 0, sizeof *n);
    n->type = type;
    return n;
}

cJSON *rt_node_number(double d)
{
    cJSON *n = rt_node_new(cJSON_Number);
    if (n) { /* as cJSON_CreateNumber sets it */
        n->valuedouble = d;
        n->valueint = d >= INT_MAX ? INT_MAX : d <= (double)INT_MIN ? INT_MIN : (int)d;
    }
    return n;
}

static void node_free(node_cache *c, cJSON *v)
{
    while (v) {
        cJSON *next = v->next;
        if (!(v->type & cJSON_IsReference) && v->child)
            node_free(c, v->child);
        if (!(v->type & cJSON_IsReference) && v->valuestring)
            cJSON_free(v->valuestring);
        if (!(v->type & cJSON_StringIsConst) && v->string)
            cJSON_free(v->string);
        if (c->n < NODE_CACHE_MAX) {
            v->next = c->head;
            c->head = v;
            c->n++;
        } else {
            cJSON_free(v);
        }
        v = next;
    }
}

/* Takes ownership of [v] and frees it; 0 is fine. What cJSON_Delete does
 * (the whole sibling chain, references' children and strings left alone),
 * keeping node structs for rt_node_new while a loop runs on this thread. */
void asl_free(cJSON *v)
{
    node_cache *c = v ? node_cache_get() : NULL;
    if (c)
        node_free(c, v);
    else
        cJSON_Delete(v);
}
