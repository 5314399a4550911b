/*
 * jsonata_dtparse.c - $toMillis: timestamps read back with a picture, or
 * as ISO 8601 (runtime layer: values).
 *
 * Layer: values
 *
 * With a picture, jsonata-js 2.0.6 turns each part into a regular
 * expression, matches the whole text case-insensitively, converts each
 * captured component and fills the gaps (datetime.js parseDateTime). The
 * expressions it builds are few: literals, [0-9]+ or [0-9]{n} (with an
 * ordinal suffix), letter runs, roman numerals, an alternation of English
 * number words, and time zones. This file matches exactly those, trying
 * alternatives in the order a backtracking regex engine does, so the
 * captured extents are the ones jsonata-js sees; failed (part, position)
 * states are remembered, which keeps the search polynomial.
 *
 * Without a picture, jsonata-js's ISO 8601 regular expression decides what
 * is accepted (else D3110) and Date.parse reads it; the forms that regular
 * expression lets through but V8 cannot read give NaN there and undefined
 * here. A date-time without a zone is read as UTC.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonata_format.h"
#include "jsonata_format_impl.h"

/* ==== The matcher ========================================================= */
enum { M_LIT, M_DIGITS, M_CLASS, M_WORDS, M_TZ };
enum { CLS_ALPHA, CLS_ROMAN };
enum { P_NONE, P_INT, P_TZ, P_NAME };

typedef struct mpart {
    int kind;
    jn_ustr lit;            /* M_LIT */
    size_t lo, hi;          /* M_DIGITS: how many digits, hi 0 for no limit */
    bool ordinal;           /* M_DIGITS: followed by th|st|nd|rd */
    int cls;                /* M_CLASS */
    bool gmt;               /* M_TZ: "GMT" first */
    uint32_t sep;           /* M_TZ: separator between hours and minutes, 0 none */
    int parse;              /* P_* */
    const jn_dpart *src;
    size_t *stack;          /* M_WORDS: the depth-first search's positions */
    size_t *next_alt;
} mpart;

typedef struct matcher {
    jn_fmt_cx *cx;
    const uint32_t *t;
    size_t len;
    mpart *parts;
    size_t n;
    unsigned char *failed;  /* (part, position) known to fail; bit 2: words state */
    size_t *cap_start, *cap_end;
    long steps;
    bool gave_up;
} matcher;

/* Far more than any real timestamp needs; beyond it the text is treated as
 * not matching rather than searched for minutes. */
#define STEP_BUDGET 20000000L

static uint32_t fold(uint32_t c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool is_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}

static bool in_class(int cls, uint32_t c)
{
    c = fold(c);
    if (cls == CLS_ALPHA)
        return c >= 'a' && c <= 'z';
    return c && strchr("mdclxvi", (int)c) != NULL;
}

/* Length of the [idx]th alternative of the word group matched at [pos], 0
 * if it does not match. Alternatives: the words, "and", then [-, ]. */
static size_t word_alt(const matcher *m, size_t idx, size_t pos)
{
    if (idx < jn_fmt_word_count + 1) {
        const char *w = idx < jn_fmt_word_count ? jn_fmt_word_list[idx] : "and";
        size_t k = strlen(w);
        if (pos + k > m->len)
            return 0;
        for (size_t i = 0; i < k; i++)
            if (fold(m->t[pos + i]) != (unsigned char)w[i])
                return 0;
        return k;
    }
    if (pos < m->len && (m->t[pos] == '-' || m->t[pos] == ',' || m->t[pos] == ' '))
        return 1;
    return 0;
}

#define N_WORD_ALTS (jn_fmt_word_count + 2)

static bool match(matcher *m, size_t i, size_t pos);

static bool failed(const matcher *m, size_t i, size_t pos, int bit)
{
    return m->failed[i * (m->len + 1) + pos] & bit;
}

static void set_failed(matcher *m, size_t i, size_t pos, int bit)
{
    m->failed[i * (m->len + 1) + pos] |= (unsigned char)bit;
}

static bool succeed(matcher *m, size_t i, size_t from, size_t to)
{
    m->cap_start[i] = from;
    m->cap_end[i] = to;
    return true;
}

/* The group (?:alt|alt|...)+, greedy: at each point another iteration is
 * tried (alternatives in order) before leaving the group. */
static bool match_words(matcher *m, size_t i, size_t pos)
{
    mpart *p = &m->parts[i];
    size_t depth = 1;
    p->stack[0] = pos;
    p->next_alt[0] = 0;
    while (depth > 0) {
        if (++m->steps > STEP_BUDGET) {
            m->gave_up = true;
            return false;
        }
        size_t at = p->stack[depth - 1];
        bool pushed = false;
        while (p->next_alt[depth - 1] < N_WORD_ALTS) {
            size_t k = word_alt(m, p->next_alt[depth - 1]++, at);
            if (k && !failed(m, i, at + k, 2)) {
                p->stack[depth] = at + k;
                p->next_alt[depth] = 0;
                depth++;
                pushed = true;
                break;
            }
        }
        if (pushed)
            continue;
        if (depth > 1) {
            if (match(m, i + 1, at))
                return succeed(m, i, pos, at);
            if (m->gave_up)
                return false;
            set_failed(m, i, at, 2);
        }
        depth--;
    }
    return false;
}

static size_t digit_run(const matcher *m, size_t pos)
{
    size_t k = 0;
    while (pos + k < m->len && is_digit(m->t[pos + k]))
        k++;
    return k;
}

static bool ordinal_at(const matcher *m, size_t pos)
{
    if (pos + 2 > m->len)
        return false;
    uint32_t a = fold(m->t[pos]), b = fold(m->t[pos + 1]);
    return (a == 't' && b == 'h') || (a == 's' && b == 't') || (a == 'n' && b == 'd') ||
           (a == 'r' && b == 'd');
}

static bool match_tz(matcher *m, size_t i, size_t pos)
{
    const mpart *p = &m->parts[i];
    size_t q = pos;
    if (p->gmt) {
        if (q + 3 > m->len || fold(m->t[q]) != 'g' || fold(m->t[q + 1]) != 'm' ||
            fold(m->t[q + 2]) != 't')
            return false;
        q += 3;
    }
    if (q >= m->len || (m->t[q] != '-' && m->t[q] != '+'))
        return false;
    q++;
    for (size_t k1 = digit_run(m, q); k1 >= 1; k1--) {
        size_t r = q + k1;
        if (!p->sep) {
            if (match(m, i + 1, r))
                return succeed(m, i, pos, r);
            if (m->gave_up)
                return false;
            continue;
        }
        if (r >= m->len || fold(m->t[r]) != fold(p->sep))
            continue;
        r++;
        for (size_t k2 = digit_run(m, r); k2 >= 1; k2--) {
            if (match(m, i + 1, r + k2))
                return succeed(m, i, pos, r + k2);
            if (m->gave_up)
                return false;
        }
    }
    return false;
}

static bool match(matcher *m, size_t i, size_t pos)
{
    if (i == m->n)
        return pos == m->len;
    if (failed(m, i, pos, 1) || m->gave_up)
        return false;
    if (++m->steps > STEP_BUDGET) {
        m->gave_up = true;
        return false;
    }
    const mpart *p = &m->parts[i];
    bool ok = false;
    switch (p->kind) {
    case M_LIT: {
        size_t k = p->lit.n;
        if (pos + k > m->len)
            break;
        size_t j = 0;
        while (j < k && fold(m->t[pos + j]) == fold(p->lit.c[j]))
            j++;
        if (j == k && match(m, i + 1, pos + k))
            ok = succeed(m, i, pos, pos + k);
        break;
    }
    case M_DIGITS: {
        size_t run = digit_run(m, pos);
        size_t hi = p->hi && p->hi < run ? p->hi : run;
        if (run < p->lo)
            break;
        for (size_t k = hi;; k--) {
            size_t end = pos + k;
            if (!p->ordinal || ordinal_at(m, end)) {
                end += p->ordinal ? 2 : 0;
                if (match(m, i + 1, end)) {
                    ok = succeed(m, i, pos, end);
                    break;
                }
                if (m->gave_up)
                    break;
            }
            if (k == p->lo)
                break;
        }
        break;
    }
    case M_CLASS: {
        size_t run = 0;
        while (pos + run < m->len && in_class(p->cls, m->t[pos + run]))
            run++;
        for (size_t k = run; k >= 1 && !ok && !m->gave_up; k--)
            if (match(m, i + 1, pos + k))
                ok = succeed(m, i, pos, pos + k);
        break;
    }
    case M_WORDS:
        ok = match_words(m, i, pos);
        break;
    case M_TZ:
        ok = match_tz(m, i, pos);
        break;
    }
    if (!ok && !m->gave_up)
        set_failed(m, i, pos, 1);
    return ok;
}

/* ==== From picture parts to patterns ===================================== */
static int build_part(jn_fmt_cx *cx, const jn_dpart *d, mpart *mp, size_t len, jn_error *err)
{
    memset(mp, 0, sizeof *mp);
    mp->src = d;
    if (d->literal) {
        mp->kind = M_LIT;
        mp->lit = d->text;
        return 0;
    }
    uint32_t c = d->comp;
    jn_ustr comp = {0};
    jn_us_push(cx, &comp, c);
    if (c == 'Z' || c == 'z') {
        mp->kind = M_TZ;
        mp->parse = P_TZ;
        mp->gmt = c == 'z';
        if (d->ifmt.regular)
            mp->sep = d->ifmt.reg_ch;
        return 0;
    }
    if (d->has_ifmt) {
        const jn_ipic *f = &d->ifmt;
        mp->parse = P_INT;
        switch (f->primary) {
        case JN_IP_LETTERS:
            mp->kind = M_CLASS;
            mp->cls = CLS_ALPHA;   /* [A-Z]+ or [a-z]+, case-insensitively */
            return 0;
        case JN_IP_ROMAN:
            mp->kind = M_CLASS;
            mp->cls = CLS_ROMAN;
            return 0;
        case JN_IP_WORDS:
            mp->kind = M_WORDS;
            mp->stack = jn_fmt_alloc(cx, (len + 2) * sizeof *mp->stack);
            mp->next_alt = jn_fmt_alloc(cx, (len + 2) * sizeof *mp->next_alt);
            return 0;
        case JN_IP_DECIMAL:
            mp->kind = M_DIGITS;
            mp->ordinal = f->ordinal;
            mp->lo = 1;
            /* Y, M and D with a known digit count n: [0-9]{n}, or
             * {n - optional, n} when the picture has optional digits. */
            if ((c == 'Y' || c == 'M' || c == 'D') && d->n > 0 && d->n < 1e9) {
                double lo = f->optional == 0 ? d->n : d->n - f->optional;
                mp->lo = lo > 0 ? (size_t)lo : 0;
                mp->hi = (size_t)d->n;
            }
            return 0;
        default:
            return jn_fmt_error_str(err, "D3130", &f->token);
        }
    }
    if (c == 'M' || c == 'x' || c == 'F' || c == 'P') {
        mp->kind = M_CLASS;
        mp->cls = CLS_ALPHA;
        mp->parse = P_NAME;
        return 0;
    }
    return jn_fmt_error_str(err, "D3133", &comp);
}

/* The value jsonata-js's `parse` gives one captured part; false for its
 * undefined (a name that is not in the table). */
static bool parse_part(jn_fmt_cx *cx, const mpart *mp, const jn_ustr *text, double *v)
{
    const jn_dpart *d = mp->src;
    if (mp->parse == P_INT) {
        *v = jn_ipic_parse(cx, &d->ifmt, text);
        return true;
    }
    if (mp->parse == P_TZ) {
        jn_ustr s = *text;
        if (d->comp == 'z')
            s = jn_us_sub(cx, text, 3, text->n);
        double hours = 0, minutes = 0;
        if (mp->sep) {
            long at = jn_us_index_cp(&s, mp->sep, 0);
            size_t cut = at < 0 ? 0 : (size_t)at;
            hours = jn_fmt_parse_int(s.c, cut);
            minutes = at < 0 ? jn_fmt_parse_int(s.c, s.n) : jn_fmt_parse_int(s.c + cut + 1, s.n - cut - 1);
        } else if (s.n <= 3) {
            hours = jn_fmt_parse_int(s.c, s.n);
        } else {
            hours = jn_fmt_parse_int(s.c, 3);
            minutes = jn_fmt_parse_int(s.c + 3, s.n - 3);
        }
        *v = hours * 60 + minutes;
        return true;
    }
    /* Names: looked up exactly as written (the match itself ignored case),
     * the later entry winning when a width makes two names alike. */
    double maxw = d->has_width && d->max_def && d->wmax > 0 ? d->wmax : 0;
    const char *const *names = NULL;
    int first = 0, count = 0, base = 0;
    if (d->comp == 'M' || d->comp == 'x') {
        names = jn_dt_month_names;
        count = 12;
        base = 1;
    } else if (d->comp == 'F') {
        names = jn_dt_day_names;
        first = 1;
        count = 8;
    } else {
        static const char *const ampm[] = {"am", "AM", "pm", "PM"};
        for (int k = 0; k < 4; k++)
            if (jn_us_eq_ascii(text, ampm[k])) {
                *v = k >= 2;
                return true;
            }
        return false;
    }
    for (int k = count - 1; k >= first; k--) {
        const char *nm = names[k];
        size_t n = strlen(nm);
        if (maxw > 0 && (double)n > maxw)
            n = (size_t)maxw;
        if (text->n != n)
            continue;
        size_t j = 0;
        while (j < n && text->c[j] == (unsigned char)nm[j])
            j++;
        if (j == n) {
            *v = k + base;
            return true;
        }
    }
    return false;
}

/* ==== Filling in the components ========================================== */
typedef struct comps {
    bool key[128];     /* the component was captured (even as undefined) */
    bool def[128];     /* ... and has a value */
    double v[128];
    bool pm_str[128];  /* P defaulted from now: a string, never === 1 */
} comps;

static bool truthy(const comps *c, char k)
{
    return c->def[(int)k] && (c->pm_str[(int)k] || (c->v[(int)k] != 0 && !isnan(c->v[(int)k])));
}

static int mask_of(const comps *c, const char *order)
{
    int mask = 0;
    for (const char *p = order; *p; p++)
        mask = mask << 1 | (truthy(c, *p) ? 1 : 0);
    return mask;
}

static bool is_type(int type, int mask)
{
    return !(~type & mask) && (type & mask);
}

static int assemble(comps *c, double now_ms, double *ms, jn_error *err)
{
    int dmask = mask_of(c, "YXMxWwdD");
    bool dateA = is_type(161, dmask);
    bool dateB = !dateA && is_type(130, dmask);
    bool dateC = is_type(84, dmask);
    bool dateD = !dateC && is_type(72, dmask);
    int tmask = mask_of(c, "PHhmsf");
    bool timeA = is_type(23, tmask);
    bool timeB = !timeA && is_type(47, tmask);
    char order[16];
    strcpy(order, dateB ? "YD" : dateC ? "XxwF" : dateD ? "XWF" : "YMD");
    strcat(order, timeB ? "Phmsf" : "Hmsf");
    jn_jdate now = jn_dt_of(now_ms);
    bool started = false, ended = false;
    for (const char *p = order; *p; p++) {
        int k = *p;
        if (!c->def[k]) {
            if (started) {
                c->v[k] = strchr("MDd", k) ? 1 : 0;
                c->def[k] = true;
                ended = true;
            } else {
                bool pm = false;
                c->def[k] = jn_dt_fragment(&now, (uint32_t)k, &c->v[k], &pm);
                if (k == 'P')
                    c->pm_str[k] = true;
            }
        } else {
            started = true;
            if (ended)
                return jn_fmt_error(err, "D3136", NULL);
        }
    }
    double M = c->def['M'] && c->v['M'] > 0 ? c->v['M'] - 1 : 0;
    double D = c->def['D'] ? c->v['D'] : NAN;
    if (dateB) {
        double jan1 = jn_dt_utc(c->def['Y'] ? c->v['Y'] : NAN, 0, 1, 0, 0, 0, 0);
        jn_jdate derived = jn_dt_of(jan1 + (c->v['d'] - 1) * 86400000.0);
        M = derived.month;
        D = derived.date;
    }
    if (dateC || dateD)
        return jn_fmt_error(err, "D3136", NULL);   /* not supported by jsonata-js either */
    double H = c->def['H'] ? c->v['H'] : NAN;
    if (timeB) {
        double h = c->def['h'] ? c->v['h'] : NAN;
        H = h == 12 ? 0 : h;
        if (c->def['P'] && !c->pm_str['P'] && c->v['P'] == 1)
            H += 12;
    }
#define GET(k) (c->def[k] ? c->v[k] : NAN)
    double t = jn_dt_utc(GET('Y'), M, D, H, GET('m'), GET('s'), GET('f'));
    double zone = truthy(c, 'Z') ? c->v['Z'] : truthy(c, 'z') ? c->v['z'] : 0;
#undef GET
    if (zone != 0)
        t -= zone * 60 * 1000;
    *ms = t;
    return isnan(t) ? 1 : 0;
}

static int parse_with_picture(jn_fmt_cx *cx, const jn_ustr *text, const jn_ustr *pic, double now_ms,
                              double *ms, jn_error *err)
{
    jn_dpic spec;
    if (jn_dt_analyse(cx, pic, &spec, err))
        return -1;
    matcher m;
    memset(&m, 0, sizeof m);
    m.cx = cx;
    m.t = text->c;
    m.len = text->n;
    m.n = spec.n;
    m.parts = jn_fmt_alloc(cx, (spec.n + 1) * sizeof *m.parts);
    m.failed = jn_fmt_alloc(cx, (spec.n + 1) * (text->n + 1));
    m.cap_start = jn_fmt_alloc(cx, (spec.n + 1) * sizeof *m.cap_start);
    m.cap_end = jn_fmt_alloc(cx, (spec.n + 1) * sizeof *m.cap_end);
    if (cx->oom)
        return jn_fmt_error(err, "D1001", NULL);
    for (size_t i = 0; i < spec.n; i++)
        if (build_part(cx, &spec.parts[i], &m.parts[i], text->n, err))
            return -1;
    if (cx->oom)
        return jn_fmt_error(err, "D1001", NULL);
    if (!match(&m, 0, 0))
        return 1;   /* no match: undefined */
    comps c;
    memset(&c, 0, sizeof c);
    bool any = false;
    for (size_t i = 0; i < m.n; i++) {
        const mpart *mp = &m.parts[i];
        if (mp->parse == P_NONE)
            continue;
        uint32_t k = mp->src->comp;
        if (k >= 128)
            continue;
        jn_ustr cap = jn_us_sub(cx, text, m.cap_start[i], m.cap_end[i]);
        double v;
        bool def = parse_part(cx, mp, &cap, &v);
        c.key[k] = true;
        c.def[k] = def;
        c.v[k] = def ? v : NAN;
        c.pm_str[k] = false;
        any = true;
    }
    if (!any)
        return 1;   /* nothing specified */
    return assemble(&c, now_ms, ms, err);
}

/* ==== ISO 8601 ============================================================ */
/* Length of what a single "-[0-3]d" / "T[0-2]d:[0-5]d:[0-5]d" group
 * matches at [p], 0 if none. */
static bool dig(const jn_ustr *s, size_t p, char lo, char hi)
{
    return p < s->n && s->c[p] >= (uint32_t)lo && s->c[p] <= (uint32_t)hi;
}

static bool date_group(const jn_ustr *s, size_t p)
{
    return p < s->n && s->c[p] == '-' && dig(s, p + 1, '0', '3') && dig(s, p + 2, '0', '9');
}

static bool time_group(const jn_ustr *s, size_t p)
{
    return p < s->n && s->c[p] == 'T' && dig(s, p + 1, '0', '2') && dig(s, p + 2, '0', '9') &&
           p + 3 < s->n && s->c[p + 3] == ':' && dig(s, p + 4, '0', '5') && dig(s, p + 5, '0', '9') &&
           p + 6 < s->n && s->c[p + 6] == ':' && dig(s, p + 7, '0', '5') && dig(s, p + 8, '0', '9');
}

static bool tz_tail(const jn_ustr *s, size_t p)
{
    if (p == s->n)
        return true;
    if (s->c[p] == 'Z')
        return p + 1 == s->n;
    if (s->c[p] != '+' && s->c[p] != '-')
        return false;
    if (!dig(s, p + 1, '0', '2') || !dig(s, p + 2, '0', '9'))
        return false;
    size_t q = p + 3;
    if (q < s->n && s->c[q] == ':')
        q++;
    return dig(s, q, '0', '5') && dig(s, q + 1, '0', '9') && q + 2 == s->n;
}

static bool frac_tz_tail(const jn_ustr *s, size_t p)
{
    if (p < s->n && s->c[p] == '.' && dig(s, p + 1, '0', '9')) {
        size_t q = p + 1;
        while (dig(s, q, '0', '9'))
            q++;
        /* The digits are greedy but may give back: a zone never starts
         * with a digit, so only the full run can be followed by one. */
        if (tz_tail(s, q))
            return true;
    }
    return tz_tail(s, p);
}

/* jsonata-js's iso8601regex:
 * ^\d{4}(-[01]\d)*(-[0-3]\d)*(T[0-2]\d:[0-5]\d:[0-5]\d)*(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$
 * The two date groups together accept any run of "-[0-3]d". */
static bool iso_regex(const jn_ustr *s)
{
    if (s->n < 4)
        return false;
    for (size_t i = 0; i < 4; i++)
        if (!dig(s, i, '0', '9'))
            return false;
    for (size_t p = 4;; p += 3) {
        for (size_t q = p;; q += 9) {
            if (frac_tz_tail(s, q))
                return true;
            if (!time_group(s, q))
                break;
        }
        if (!date_group(s, p))
            return false;
    }
}

static int num_at(const jn_ustr *s, size_t p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (int)(s->c[p + i] - '0');
    return v;
}

/* Date.parse for what the regex let through: YYYY[-MM[-DD]] with an
 * optional THH:mm:ss[.fff...] and zone, a date alone with "Z", and the
 * two "legacy" shapes V8 reads in its fallback parser that the regex also
 * lets through: YYYY.M (a month) and YYYY-MM.D (a day). NaN for the rest,
 * as V8 gives for them (2018-01-02-03, 2018-05:00, ...). */
static double iso_parse(const jn_ustr *s)
{
    size_t p = 4;
    int year = num_at(s, 0, 4), month = 1, day = 1, groups = 0;
    if (date_group(s, p) && dig(s, p + 1, '0', '1')) {
        month = num_at(s, p + 1, 2);
        p += 3;
        groups = 1;
        if (date_group(s, p)) {
            day = num_at(s, p + 1, 2);
            p += 3;
            groups = 2;
        }
    }
    double h = 0, mi = 0, sec = 0, ms = 0, zone = 0;
    if (p < s->n && s->c[p] == '.' && groups < 2) {
        double v = 0;
        size_t q = p + 1;
        while (dig(s, q, '0', '9') && v < 1000)
            v = v * 10 + (s->c[q++] - '0');
        if (dig(s, q, '0', '9'))
            return NAN;
        if (q < s->n && s->c[q] == 'Z')
            q++;
        if (q != s->n)
            return NAN;
        if (groups == 0) {
            if (v < 1 || v > 12)
                return NAN;
            month = (int)v;
        } else {
            if (v < 1 || v > 31)
                return NAN;
            day = (int)v;
        }
        p = q;
    }
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return NAN;
    if (time_group(s, p)) {
        h = num_at(s, p + 1, 2);
        mi = num_at(s, p + 4, 2);
        sec = num_at(s, p + 7, 2);
        p += 9;
        if (p < s->n && s->c[p] == '.') {
            /* V8 keeps the first three fraction digits */
            size_t q = p + 1, k = 0;
            double f = 0;
            while (dig(s, q, '0', '9')) {
                if (k < 3) {
                    f = f * 10 + (s->c[q] - '0');
                    k++;
                }
                q++;
            }
            while (k < 3) {
                f *= 10;
                k++;
            }
            ms = f;
            p = q;
        }
        if (h > 24 || (h == 24 && (mi || sec || ms)))
            return NAN;
        if (p < s->n && s->c[p] != 'Z') {
            double sign = s->c[p] == '-' ? -1 : 1;
            double zh = num_at(s, p + 1, 2);
            size_t q = p + 3;
            if (q < s->n && s->c[q] == ':')
                q++;
            double zm = num_at(s, q, 2);
            if (zh > 23)
                return NAN;
            zone = sign * (zh * 60 + zm);
            p = q + 2;
        }
    }
    if (p < s->n && s->c[p] == 'Z')
        p++;
    if (p != s->n)
        return NAN;
    double t = jn_dt_make(year, month - 1, day, h, mi, sec, ms);
    return t - zone * 60000.0;
}

/* ==== Entry points ======================================================== */
int jn_parse_datetime_at(const char *s, size_t len, const char *picture, size_t plen, double now_ms,
                         double *ms, jn_error *err)
{
    *ms = NAN;
    jn_fmt_cx cx = {0};
    jn_ustr text = jn_us_from_utf8(&cx, s, len);
    int rc;
    if (!picture) {
        if (!iso_regex(&text)) {
            rc = jn_fmt_error_str(err, "D3110", &text);
        } else {
            *ms = iso_parse(&text);
            rc = isnan(*ms) ? 1 : 0;
        }
    } else {
        jn_ustr pic = jn_us_from_utf8(&cx, picture, plen);
        rc = parse_with_picture(&cx, &text, &pic, now_ms, ms, err);
    }
    if (rc == 1)
        *ms = NAN;
    jn_fmt_cx_free(&cx);
    return rc;
}

int jn_parse_datetime(const char *s, size_t len, const char *picture, size_t plen, double *ms,
                      jn_error *err)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double now = (double)ts.tv_sec * 1000.0 + (double)(ts.tv_nsec / 1000000);
    return jn_parse_datetime_at(s, len, picture, plen, now, ms, err);
}
