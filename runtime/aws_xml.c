/*
 * aws_xml.c - the little XML the query protocol (SNS, STS) and REST-XML
 * (S3) answer with, read into a tree of elements and their text, and the
 * percent-encoding SigV4 canonical requests and form bodies use.
 *
 * The reader takes what AWS sends: a prolog, elements with attributes
 * (skipped: AWS's replies carry only xmlns), text with the five entities
 * and numeric references, CDATA and comments. No DTDs. Anything else is
 * an error, never a guess.
 *
 * Layer: effects (with the aws*.c files it serves; pure otherwise).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "rt.h"

typedef struct xp {
    const char *s, *end;
    char *err;
    size_t errlen;
    int depth;
} xp;

static bool xfail(xp *p, const char *what)
{
    if (p->err[0] == '\0')
        snprintf(p->err, p->errlen, "%s at byte %ld", what, (long)(p->end - p->s));
    return false;
}

static void skip_space(xp *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\r' || *p->s == '\n'))
        p->s++;
}

static bool starts(const xp *p, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(p->end - p->s) >= n && memcmp(p->s, lit, n) == 0;
}

/* Skips up to and past [lit]. */
static bool skip_past(xp *p, const char *lit)
{
    size_t n = strlen(lit);
    for (; p->end - p->s >= (long)n; p->s++)
        if (memcmp(p->s, lit, n) == 0) {
            p->s += n;
            return true;
        }
    return xfail(p, "unterminated markup");
}

/* Appends UTF-8 of code point [c] to buf. */
static size_t put_utf8(char *o, unsigned long c)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Appends decoded text [s, e) to *text. */
static bool add_text(xp *p, char **text, size_t *n, const char *s, const char *e, bool raw)
{
    char *t = realloc(*text, *n + (size_t)(e - s) + 1);
    if (!t)
        return xfail(p, "out of memory");
    *text = t;
    while (s < e) {
        if (raw || *s != '&') {
            t[(*n)++] = *s++;
            continue;
        }
        const char *semi = memchr(s, ';', (size_t)(e - s));
        if (!semi || semi - s > 12)
            return xfail(p, "bad entity reference");
        size_t len = (size_t)(semi - s - 1);
        const char *name = s + 1;
        static const struct { const char *n; char c; } ents[] = {
            {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
        bool done = false;
        for (size_t k = 0; k < 5 && !done; k++)
            if (strlen(ents[k].n) == len && memcmp(ents[k].n, name, len) == 0) {
                t[(*n)++] = ents[k].c;
                done = true;
            }
        if (!done && len >= 2 && name[0] == '#') {
            char num[16];
            snprintf(num, sizeof num, "%.*s", (int)len - 1, name + 1);
            char *endp;
            unsigned long c = num[0] == 'x' ? strtoul(num + 1, &endp, 16) : strtoul(num, &endp, 10);
            if (*endp || c == 0 || c > 0x10FFFF)
                return xfail(p, "bad character reference");
            /* a reference is at least 4 bytes (&#N;): UTF-8 of it fits */
            *n += put_utf8(t + *n, c);
            done = true;
        }
        if (!done)
            return xfail(p, "unknown entity");
        s = semi + 1;
    }
    t[*n] = '\0';
    return true;
}

static rt_xml *element(xp *p);

/* Skips comments, processing instructions and blanks between elements. */
static bool misc(xp *p)
{
    for (;;) {
        skip_space(p);
        if (starts(p, "<!--")) {
            if (!skip_past(p, "-->"))
                return false;
        } else if (starts(p, "<?")) {
            if (!skip_past(p, "?>"))
                return false;
        } else if (starts(p, "<!")) {
            return xfail(p, "DTDs are not supported");
        } else {
            return true;
        }
    }
}

static rt_xml *element(xp *p)
{
    if (++p->depth > 64)
        return xfail(p, "elements nested too deeply"), NULL;
    if (!starts(p, "<"))
        return xfail(p, "expected an element"), NULL;
    p->s++;
    const char *name = p->s;
    while (p->s < p->end && !strchr(" \t\r\n/>", *p->s))
        p->s++;
    if (p->s == name || p->s >= p->end)
        return xfail(p, "bad element name"), NULL;
    rt_xml *x = calloc(1, sizeof *x);
    if (!x || !(x->name = rt_fmt("%.*s", (int)(p->s - name), name)))
        goto bad;
    size_t nlen = (size_t)(p->s - name);
    /* attributes: skipped, quotes respected */
    while (p->s < p->end && *p->s != '>' && *p->s != '/') {
        if (*p->s == '"' || *p->s == '\'') {
            const char *q = memchr(p->s + 1, *p->s, (size_t)(p->end - p->s - 1));
            if (!q) {
                xfail(p, "unterminated attribute");
                goto bad;
            }
            p->s = q;
        }
        p->s++;
    }
    if (p->s >= p->end) {
        xfail(p, "unterminated tag");
        goto bad;
    }
    size_t tn = 0;
    if (*p->s == '/') {
        if (p->s + 1 >= p->end || p->s[1] != '>') {
            xfail(p, "bad empty-element tag");
            goto bad;
        }
        p->s += 2;
        if (!(x->text = rt_fmt("%s", "")))
            goto bad;
        p->depth--;
        return x;
    }
    p->s++;
    rt_xml **tail = &x->child;
    for (;;) {
        const char *t = p->s;
        while (p->s < p->end && *p->s != '<')
            p->s++;
        if (!add_text(p, &x->text, &tn, t, p->s, false))
            goto bad;
        if (p->s >= p->end) {
            xfail(p, "unterminated element");
            goto bad;
        }
        if (starts(p, "</")) {
            p->s += 2;
            if ((size_t)(p->end - p->s) < nlen || memcmp(p->s, x->name, nlen) != 0) {
                xfail(p, "mismatched end tag");
                goto bad;
            }
            p->s += nlen;
            skip_space(p);
            if (p->s >= p->end || *p->s != '>') {
                xfail(p, "bad end tag");
                goto bad;
            }
            p->s++;
            break;
        } else if (starts(p, "<![CDATA[")) {
            p->s += 9;
            const char *c = p->s;
            if (!skip_past(p, "]]>") || !add_text(p, &x->text, &tn, c, p->s - 3, true))
                goto bad;
        } else if (starts(p, "<!--")) {
            if (!skip_past(p, "-->"))
                goto bad;
        } else if (starts(p, "<?")) {
            if (!skip_past(p, "?>"))
                goto bad;
        } else {
            rt_xml *c = element(p);
            if (!c)
                goto bad;
            *tail = c;
            tail = &c->next;
        }
    }
    if (!x->text && !(x->text = rt_fmt("%s", "")))
        goto bad;
    p->depth--;
    return x;
bad:
    xfail(p, "out of memory");
    rt_xml_free(x);
    return NULL;
}

rt_xml *rt_xml_parse(const char *text, size_t len, char *err, size_t errlen)
{
    char dummy[8];
    xp p = {.s = text, .end = text + len, .err = err ? err : dummy,
            .errlen = err ? errlen : sizeof dummy};
    p.err[0] = '\0';
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p.s += 3;
    if (!misc(&p))
        return NULL;
    rt_xml *root = element(&p);
    if (root && (!misc(&p) || p.s != p.end)) {
        xfail(&p, "content after the document element");
        rt_xml_free(root);
        return NULL;
    }
    return root;
}

void rt_xml_free(rt_xml *x)
{
    while (x) {
        rt_xml *next = x->next;
        rt_xml_free(x->child);
        free(x->name);
        free(x->text);
        free(x);
        x = next;
    }
}

const rt_xml *rt_xml_child(const rt_xml *x, const char *name)
{
    for (const rt_xml *c = x ? x->child : NULL; c; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

const char *rt_xml_text(const rt_xml *x, const char *path)
{
    char part[128];
    while (x && *path) {
        const char *slash = strchr(path, '/');
        size_t n = slash ? (size_t)(slash - path) : strlen(path);
        snprintf(part, sizeof part, "%.*s", (int)n, path);
        x = rt_xml_child(x, part);
        path += n + (slash ? 1 : 0);
    }
    return x ? x->text : NULL;
}

char *rt_aws_uri_encode(const char *s, bool keep_slash)
{
    size_t n = strlen(s);
    char *o = malloc(n * 3 + 1);
    if (!o)
        return NULL;
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            o[k++] = (char)c;
        } else {
            o[k++] = '%';
            o[k++] = hex[c >> 4];
            o[k++] = hex[c & 15];
        }
    }
    o[k] = '\0';
    return o;
}
