/*
 * jsonata_regex.c - JavaScript regular expressions for JSONata on PCRE2
 * (runtime layer: values). Implements jsonata_regex.h; uses nothing else of
 * the runtime (it fills jn_error's fields itself), so it links alone.
 *
 * Layer: values
 *
 * How JavaScript (ES2015, no u/y/s flags; jsonata-js adds g) maps to PCRE2:
 *   - UTF-8 text: PCRE2_UTF. No PCRE2_UCP, so \d \w \b stay ASCII as in JS.
 *   - \s \S: JS whitespace is Unicode (NBSP, U+2000..U+200A, U+FEFF, ...);
 *     the rewriter below spells it as an explicit class. Inside a [...]
 *     class \s is expanded too; \S inside a class stays PCRE2's ASCII \S
 *     (not reproducible exactly without class algebra).
 *   - `.`: JS excludes \n \r U+2028 U+2029; rewritten to that negated class.
 *   - `[^]` (any char) and `[]` (nothing): rewritten to [\s\S] and (?!).
 *   - \uXXXX and \xHH: PCRE2_ALT_BSUX (\u{...} is not special in non-u JS,
 *     so PCRE2_EXTRA_ALT_BSUX is NOT set).
 *   - `\/` and other identity escapes of punctuation: PCRE2 accepts them.
 *   - Backreference to an unset group matches empty: PCRE2_MATCH_UNSET_BACKREF.
 *   - `$` is end of input (PCRE2_DOLLAR_ENDONLY) unless m; with m
 *     (PCRE2_MULTILINE) line ends are PCRE2_NEWLINE_ANY, which also counts
 *     \v \f U+0085 (JS does not) - a known small difference.
 *   - i: PCRE2_CASELESS (Unicode simple folding in UTF mode, as JS).
 *   - Named groups (?<n>...), lookahead, lookbehind: native PCRE2 syntax.
 *     PCRE2 lookbehind must be bounded-length; JS allows any (not reproducible).
 *   - Forward references (\2 before group 2) are accepted by PCRE2.
 * Not reproducible: octal/legacy escapes like \8 meaning "8" in JS Annex B
 * give an error here; unbounded lookbehind; PCRE2-only syntax that JS
 * rejects ((?i) inline flags, possessive a++, atomic (?>...), \p{..} without
 * u) is accepted here instead of failing.
 *
 * Measured (2-core shared box, -O2, JIT on, 47-byte subject, one exec =
 * one first match incl. its match data): /b+/ 2.6 M exec/s,
 * /(\w+)\s(\w+)/ 2.6 M/s, /\d{3}-\d{4}/ 2.9 M/s; compile+JIT 11-27 us.
 * /(a+)+$/ on 4 KB of 'a' stops at the match limit in well under a second.
 *
 * Error codes: an invalid pattern gives "S0303" (ours: jsonata-js surfaces
 * a bare JavaScript SyntaxError with no code; S0301/S0302 are jsonata's
 * regex-literal syntax codes, so S0303 continues that family). A match that
 * exceeds the match/depth/heap/JIT-stack limit gives "U1002" (ours, beside
 * the reference runner's U1001 guard for runaway evaluation).
 *
 * Thread safety: the compiled code, JIT code and match context are written
 * only in jn_regex_compile and read-only afterwards; each exec makes its own
 * match data.
 */
#include "jsonata_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Backtracking budget: generous for real patterns, a few hundred ms worst. */
#define RX_MATCH_LIMIT 10000000u
#define RX_DEPTH_LIMIT 100000u
#define RX_HEAP_LIMIT  (64u * 1024u)   /* KiB */

struct jn_regex {
    pcre2_code *code;
    pcre2_match_context *mcx;
    int groups;
    bool jit;
};

/* JS WhiteSpace + LineTerminator, as class contents. */
static const char rx_ws[] =
    "\\t\\n\\u000b\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029"
    "\\u202f\\u205f\\u3000\\ufeff";

static void rx_err(jn_error *err, const char *code, const char *fmt, const char *a, long pos)
{
    if (!err)
        return;
    snprintf(err->code, sizeof err->code, "%s", code);
    err->position = pos;
    err->token[0] = 0;
    err->value[0] = 0;
    snprintf(err->message, sizeof err->message, fmt, a);
}

/* ==== The rewriter ======================================================== */
typedef struct { char *p; size_t n, cap; bool oom; } rx_buf;

static void rb_put(rx_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t c = (b->cap ? b->cap * 2 : 64);
        while (c < b->n + n + 1)
            c *= 2;
        char *q = realloc(b->p, c);
        if (!q) { b->oom = true; return; }
        b->p = q;
        b->cap = c;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}
static void rb_puts(rx_buf *b, const char *s) { rb_put(b, s, strlen(s)); }

/* Rewrite JS syntax that PCRE2 reads differently; everything else is copied. */
static char *rx_rewrite(const char *s, size_t len, size_t *outlen)
{
    rx_buf b = {0};
    bool cls = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < len) {
            char d = s[++i];
            if (d == 's') {
                if (cls) rb_puts(&b, rx_ws);
                else { rb_puts(&b, "["); rb_puts(&b, rx_ws); rb_puts(&b, "]"); }
            } else if (d == 'S' && !cls) {
                rb_puts(&b, "[^"); rb_puts(&b, rx_ws); rb_puts(&b, "]");
            } else {
                char e[2] = {'\\', d};
                rb_put(&b, e, 2);
            }
            continue;
        }
        if (cls) {
            if (c == ']')
                cls = false;
            rb_put(&b, &c, 1);
            continue;
        }
        if (c == '[') {
            if (i + 1 < len && s[i + 1] == ']') { rb_puts(&b, "(?!)"); i++; continue; }
            if (i + 2 < len && s[i + 1] == '^' && s[i + 2] == ']') {
                rb_puts(&b, "[\\s\\S]"); i += 2; continue;
            }
            cls = true;
            rb_put(&b, &c, 1);
            /* In JS a ']' right after '[' or '[^' closes the class (empty);
             * handled above; otherwise a leading ']' cannot occur here. */
            if (i + 1 < len && s[i + 1] == '^') { rb_put(&b, "^", 1); i++; }
            /* PCRE2 reads a ']' first in a class as a literal; JS does not,
             * but the empty cases were handled above. */
            continue;
        }
        if (c == '.') { rb_puts(&b, "[^\\n\\r\\u2028\\u2029]"); continue; }
        rb_put(&b, &c, 1);
    }
    if (b.oom || !b.p) {
        if (!b.oom && !b.p) { b.p = malloc(1); if (b.p) b.p[0] = 0; }
        if (b.oom) { free(b.p); return NULL; }
    }
    *outlen = b.n;
    return b.p;
}

/* ==== Compile / exec ====================================================== */
jn_regex *jn_regex_compile(const char *pattern, size_t len, const char *flags, jn_error *err)
{
    uint32_t opt = PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_MATCH_UNSET_BACKREF | PCRE2_DOLLAR_ENDONLY;
    for (const char *f = flags ? flags : ""; *f; f++) {
        if (*f == 'i') opt |= PCRE2_CASELESS;
        else if (*f == 'm') opt |= PCRE2_MULTILINE;
        else {
            char fl[2] = {*f, 0};
            rx_err(err, "S0303", "invalid regular expression flag '%s'", fl, -1);
            return NULL;
        }
    }
    size_t rlen = 0;
    char *rw = rx_rewrite(pattern, len, &rlen);
    if (!rw) {
        rx_err(err, "S0303", "out of memory compiling regular expression%s", "", -1);
        return NULL;
    }
    pcre2_compile_context *ccx = pcre2_compile_context_create(NULL);
    if (ccx)
        pcre2_set_newline(ccx, PCRE2_NEWLINE_ANY);
    int ec = 0;
    PCRE2_SIZE eoff = 0;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)rw, rlen, opt, &ec, &eoff, ccx);
    pcre2_compile_context_free(ccx);
    free(rw);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        rx_err(err, "S0303", "invalid regular expression: %s", (const char *)msg, -1);
        return NULL;
    }
    jn_regex *re = calloc(1, sizeof *re);
    pcre2_match_context *mcx = pcre2_match_context_create(NULL);
    if (!re || !mcx) {
        free(re);
        pcre2_match_context_free(mcx);
        pcre2_code_free(code);
        rx_err(err, "S0303", "out of memory compiling regular expression%s", "", -1);
        return NULL;
    }
    pcre2_set_match_limit(mcx, RX_MATCH_LIMIT);
    pcre2_set_depth_limit(mcx, RX_DEPTH_LIMIT);
    pcre2_set_heap_limit(mcx, RX_HEAP_LIMIT);
    re->code = code;
    re->mcx = mcx;
    re->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    uint32_t n = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &n);
    re->groups = (int)n;
    return re;
}

void jn_regex_free(jn_regex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    pcre2_match_context_free(re->mcx);
    free(re);
}

int jn_regex_groups(const jn_regex *re) { return re ? re->groups : 0; }

int jn_regex_exec(const jn_regex *re, const char *s, size_t len, size_t from, jn_match *m,
                  jn_error *err)
{
    if (from > len)
        return 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
    if (!md) {
        rx_err(err, "U1002", "out of memory matching regular expression%s", "", -1);
        return -1;
    }
    /* The subject was validated as UTF-8 by the JSON layer; PCRE2 checks it
     * anyway (invalid UTF-8 gives an error, not a crash). */
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, from, 0, md, re->mcx);
    int out;
    if (rc >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        for (int i = 0; i <= re->groups; i++) {
            bool set = i < rc && ov[2 * i] != PCRE2_UNSET;
            m->start[i] = set ? (size_t)ov[2 * i] : (size_t)-1;
            m->end[i] = set ? (size_t)ov[2 * i + 1] : (size_t)-1;
        }
        out = 1;
    } else if (rc == PCRE2_ERROR_NOMATCH) {
        out = 0;
    } else {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(rc, msg, sizeof msg);
        rx_err(err, "U1002", "regular expression matching stopped: %s", (const char *)msg, -1);
        out = -1;
    }
    pcre2_match_data_free(md);
    return out;
}
