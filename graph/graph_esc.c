/*
 * graph_esc.c - the one escaping function per drawing language. Nothing
 * else in graph/ writes a string from the definition.
 *
 * Both escapers decode UTF-8 first, so a code point is written as a single
 * numeric entity and a stray byte can never reach a renderer (Graphviz
 * rejects invalid UTF-8; Mermaid would render garbage).
 */
#include "graph.h"

/* Next code point of [*s]; advances it. Invalid sequences give U+FFFD and
 * consume one byte. */
static unsigned long next_cp(const unsigned char **s)
{
    const unsigned char *p = *s;
    unsigned long c = p[0];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0) {
        *s = p + 1;
        return 0xFFFD;
    }
    c &= n == 0 ? 0x7F : n == 1 ? 0x1F : n == 2 ? 0x0F : 0x07;
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *s = p + 1;
            return 0xFFFD;
        }
        c = (c << 6) | (p[i] & 0x3F);
    }
    /* overlong forms, surrogates and out-of-range values are not text */
    static const unsigned long min[] = {0, 0x80, 0x800, 0x10000};
    if (c < min[n] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) {
        *s = p + 1;
        return 0xFFFD;
    }
    *s = p + n + 1;
    return c;
}

/* [c] (valid, decoded by next_cp) as UTF-8. */
static void put_utf8(FILE *f, unsigned long c)
{
    if (c < 0x800) {
        fputc((int)(0xC0 | (c >> 6)), f);
    } else if (c < 0x10000) {
        fputc((int)(0xE0 | (c >> 12)), f);
        fputc((int)(0x80 | ((c >> 6) & 0x3F)), f);
    } else {
        fputc((int)(0xF0 | (c >> 18)), f);
        fputc((int)(0x80 | ((c >> 12) & 0x3F)), f);
        fputc((int)(0x80 | ((c >> 6) & 0x3F)), f);
    }
    fputc((int)(0x80 | (c & 0x3F)), f);
}

void graph_esc_dot(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned long c = next_cp(&p);
        /* \ starts DOT escapes (\n, \N); " ends the string; < > & would be
         * markup in SVG output if Graphviz passed them through; { } | are
         * record-label syntax. */
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' &&
            c != '{' && c != '}' && c != '|')
            fputc((int)c, f);
        else if (c == '\\')
            fputs("\\\\", f); /* an entity would be decoded first, then read as \n */
        else if (c >= 0x80)
            put_utf8(f, c); /* Graphviz 2.43 mis-encodes entities above U+FFFF */
        else
            fprintf(f, "&#%lu;", c < 0x20 || c == 0x7F ? 0xFFFDUL : c);
    }
}

void graph_esc_mermaid(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned long c = next_cp(&p);
        /* Mermaid turns #NNN; into the character after parsing, so only
         * plain letters and a few punctuation marks are written as is. */
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == ' ' || c == '.' || c == ',' || c == '_' || c == '-' || c == ':')
            fputc((int)c, f);
        else
            fprintf(f, "#%lu;", c < 0x20 || c == 0x7F ? 0xFFFDUL : c);
    }
}
