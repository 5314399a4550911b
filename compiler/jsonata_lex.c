/*
 * jsonata_lex.c - JSONata's tokens, read as jsonata-js 2.0.6's tokenizer
 * reads them: names run to white space or an operator character, a '/'
 * starts a regular expression only where an operand is expected, strings
 * take JSON's escapes, numbers JSON's syntax without the sign (a '-' is
 * always an operator). Used by jsonata_parse.c only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata_parse_impl.h"

bool jl_is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v'; }

/* The single-character operators of jsonata-js's operator table: a name
 * ends at any of them. */
static bool is_op_char(char ch) { return ch && strchr(".[]{}(),@#;:?+-*/%|=<>^&!~", ch) != NULL; }

long jl_utf16_pos(const jl *p, size_t byte)
{
    long n = 0;
    if (byte > p->len)
        byte = p->len;
    for (size_t i = 0; i < byte; i++) {
        unsigned char c = (unsigned char)p->s[i];
        if ((c & 0xC0) != 0x80)
            n += c >= 0xF0 ? 2 : 1; /* a 4-byte sequence is a surrogate pair */
    }
    return n;
}

void jl_fail(jl *p, const char *code, size_t at, const char *token, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    jsonata_syntax_error *e = p->err;
    snprintf(e->code, sizeof e->code, "%s", code);
    e->byte_offset = at > p->len ? p->len : at;
    e->position = jl_utf16_pos(p, p->t_end > at ? p->t_end : at);
    snprintf(e->token, sizeof e->token, "%s", token ? token : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

/* A regular expression literal after its '/': to the closing '/' that is
 * not escaped and not inside (), [] or {}; then flags i and m. */
static void scan_regex(jl *p, jtok *t)
{
    size_t start = p->pos;
    int depth = 0;
    while (p->pos < p->len) {
        char ch = p->s[p->pos];
        if (ch == '/' && depth == 0) {
            size_t bs = 0;
            while (p->pos - bs > start && p->s[p->pos - bs - 1] == '\\')
                bs++;
            if (bs % 2 == 0) {
                if (p->pos == start) {
                    jl_fail(p, "S0301", start - 1, NULL, "Empty regular expressions are not allowed");
                    return;
                }
                t->kind = JT_REGEX;
                t->at = start - 1;
                t->str = p->s + start;
                t->slen = p->pos - start;
                p->pos++;
                size_t f = p->pos;
                while (p->pos < p->len && (p->s[p->pos] == 'i' || p->s[p->pos] == 'm'))
                    p->pos++;
                t->flags_at = f;
                t->flags_len = p->pos - f;
                t->len = p->pos - t->at;
                return;
            }
        }
        bool escaped = p->pos > 0 && p->s[p->pos - 1] == '\\';
        if ((ch == '(' || ch == '[' || ch == '{') && !escaped)
            depth++;
        if ((ch == ')' || ch == ']' || ch == '}') && !escaped)
            depth--;
        p->pos++;
    }
    jl_fail(p, "S0302", start - 1, NULL, "No terminating / in regular expression");
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static size_t put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) { /* a lone surrogate comes out as its 3-byte form */
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static unsigned long hex4(const char *s)
{
    unsigned long v = 0;
    for (int k = 0; k < 4; k++)
        v = v * 16 + (unsigned long)hexval(s[k]);
    return v;
}

/* A quoted string from p->pos (its quote) into t, decoded. */
static void lex_string(jl *p, jtok *t)
{
    const char *s = p->s;
    char q = s[p->pos];
    size_t i = p->pos + 1;
    /* decoded text is never longer than the source */
    char *out = arena_alloc(p->a, p->len - p->pos + 1);
    size_t o = 0;
    while (i < p->len) {
        char c2 = s[i];
        if (c2 == '\\') {
            char e = i + 1 < p->len ? s[i + 1] : '\0';
            const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
            const char *k = e ? strchr(from, e) : NULL;
            if (k) {
                out[o++] = to[k - from];
                i += 2;
                continue;
            }
            if (e == 'u') {
                for (int d = 0; d < 4; d++)
                    if (i + 2 + (size_t)d >= p->len || hexval(s[i + 2 + (size_t)d]) < 0) {
                        p->t_end = i;
                        jl_fail(p, "S0104", i, NULL,
                                "The escape sequence \\u must be followed by 4 hex digits");
                        t->kind = JT_END;
                        return;
                    }
                unsigned long cp = hex4(s + i + 2);
                i += 6;
                if (cp >= 0xD800 && cp < 0xDC00 && i + 5 < p->len && s[i] == '\\' && s[i + 1] == 'u') {
                    bool ok = true;
                    for (int d = 0; d < 4; d++)
                        ok = ok && hexval(s[i + 2 + (size_t)d]) >= 0;
                    unsigned long lo = ok ? hex4(s + i + 2) : 0;
                    if (ok && lo >= 0xDC00 && lo < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        i += 6;
                    }
                }
                o += put_utf8(out + o, cp);
                continue;
            }
            char tok[8];
            snprintf(tok, sizeof tok, "%c", e ? e : ' ');
            p->t_end = i + 2;
            jl_fail(p, "S0103", i, tok, "Unsupported escape sequence: \\%s", tok);
            t->kind = JT_END;
            return;
        }
        if (c2 == q) {
            t->kind = JT_STRING;
            t->len = i + 1 - p->pos;
            out[o] = '\0';
            t->str = out;
            t->slen = o;
            p->pos = i + 1;
            return;
        }
        out[o++] = c2;
        i++;
    }
    p->t_end = p->len;
    jl_fail(p, "S0101", p->pos, NULL, "String literal must be terminated by a matching quote");
    t->kind = JT_END;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)? with the '-' an operator. */
static void lex_number(jl *p, jtok *t)
{
    const char *s = p->s;
    size_t i = p->pos;
    if (s[i] == '0')
        i++;
    else
        while (i < p->len && s[i] >= '0' && s[i] <= '9')
            i++;
    if (i + 1 < p->len && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        i++;
        while (i < p->len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < p->len && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < p->len && s[j] >= '0' && s[j] <= '9') {
            while (j < p->len && s[j] >= '0' && s[j] <= '9')
                j++;
            i = j;
        }
    }
    char *buf = arena_strndup(p->a, s + p->pos, i - p->pos);
    double d = strtod(buf, NULL);
    if (!isfinite(d)) {
        p->t_end = i;
        jl_fail(p, "S0102", p->pos, buf, "Number out of range: %s", buf);
        t->kind = JT_END;
        return;
    }
    t->kind = JT_NUMBER;
    t->num = d;
    t->len = i - p->pos;
    p->pos = i;
}

void jl_next(jl *p, bool infix)
{
    jtok *t = &p->t;
    memset(t, 0, sizeof *t);
    for (;;) {
        while (p->pos < p->len && jl_is_space(p->s[p->pos]))
            p->pos++;
        if (p->pos + 1 < p->len && p->s[p->pos] == '/' && p->s[p->pos + 1] == '*') {
            size_t open = p->pos;
            p->pos += 2;
            while (p->pos + 1 < p->len && !(p->s[p->pos] == '*' && p->s[p->pos + 1] == '/'))
                p->pos++;
            if (p->pos + 1 >= p->len) {
                p->t_end = p->len;
                jl_fail(p, "S0106", open, NULL, "Comment has no closing tag");
                t->kind = JT_END;
                t->at = p->len;
                return;
            }
            p->pos += 2;
            continue;
        }
        break;
    }
    t->at = p->pos;
    if (p->pos >= p->len) {
        t->kind = JT_END;
        p->t_end = p->len;
        return;
    }
    const char *s = p->s;
    char ch = s[p->pos], nx = p->pos + 1 < p->len ? s[p->pos + 1] : '\0';
    if (!infix && ch == '/') {
        p->pos++;
        scan_regex(p, t);
        p->t_end = p->pos;
        return;
    }
    static const char *const two[] = {"..", ":=", "!=", ">=", "<=", "**", "~>", NULL};
    for (const char *const *o = two; *o; o++)
        if (ch == (*o)[0] && nx == (*o)[1]) {
            t->kind = JT_OP;
            memcpy(t->op, *o, 3);
            t->len = 2;
            p->pos += 2;
            p->t_end = p->pos;
            return;
        }
    if (is_op_char(ch)) {
        t->kind = JT_OP;
        t->op[0] = ch;
        t->len = 1;
        p->pos++;
        p->t_end = p->pos;
        return;
    }
    if (ch == '"' || ch == '\'') {
        lex_string(p, t);
        p->t_end = p->pos;
        return;
    }
    if (ch >= '0' && ch <= '9') {
        lex_number(p, t);
        p->t_end = p->pos;
        return;
    }
    if (ch == '`') {
        const char *end = memchr(s + p->pos + 1, '`', p->len - p->pos - 1);
        if (!end) {
            p->t_end = p->len;
            jl_fail(p, "S0105", p->pos, NULL, "Quoted property name must be terminated with a backquote (`)");
            t->kind = JT_END;
            p->pos = p->len;
            return;
        }
        t->kind = JT_NAME;
        t->str = s + p->pos + 1;
        t->slen = (size_t)(end - (s + p->pos + 1));
        t->len = t->slen + 2;
        p->pos = (size_t)(end - s) + 1;
        p->t_end = p->pos;
        return;
    }
    size_t i = p->pos;
    while (i < p->len && !jl_is_space(s[i]) && !is_op_char(s[i]))
        i++;
    size_t n = i - p->pos;
    t->len = n;
    p->pos = i;
    p->t_end = i;
    if (ch == '$') {
        t->kind = JT_VAR;
        t->str = s + t->at + 1;
        t->slen = n - 1;
        return;
    }
    t->str = s + t->at;
    t->slen = n;
    if ((n == 2 && memcmp(t->str, "or", 2) == 0) || (n == 2 && memcmp(t->str, "in", 2) == 0) ||
        (n == 3 && memcmp(t->str, "and", 3) == 0)) {
        t->kind = JT_OP;
        memcpy(t->op, t->str, n);
        t->op[n] = '\0';
        return;
    }
    if ((n == 4 && memcmp(t->str, "true", 4) == 0) || (n == 5 && memcmp(t->str, "false", 5) == 0) ||
        (n == 4 && memcmp(t->str, "null", 4) == 0)) {
        t->kind = JT_VALUE;
        return;
    }
    t->kind = JT_NAME;
}
