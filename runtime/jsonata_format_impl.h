/*
 * jsonata_format_impl.h - what the picture-string files share (runtime
 * layer: values), private to jsonata_fmtutil.c, jsonata_numfmt.c,
 * jsonata_intfmt.c, jsonata_datetime.c and jsonata_dtparse.c. Nothing else
 * includes it.
 *
 * jsonata-js works on JavaScript strings; these files work on arrays of
 * Unicode code points (jn_ustr), which behave the same for every character
 * of the Basic Multilingual Plane (all the pictures anyone writes). Each
 * call owns one jn_fmt_cx: a chunk arena that every temporary string and
 * table comes from, released by one jn_fmt_cx_free(). An allocation that
 * fails sets cx->oom and the operation becomes a no-op, so code runs on
 * without testing each step; the entry points test cx->oom before they
 * hand a result back. Also here: the JavaScript number behaviours the
 * pictures depend on (Number#toString, #toFixed, parseInt, jsonata's
 * round) and the integer-picture analysis that $formatInteger,
 * $parseInteger and the date/time markers have in common.
 */
#ifndef ASLRT_JSONATA_FORMAT_IMPL_H
#define ASLRT_JSONATA_FORMAT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jsonata_value.h"

/* ==== Per-call arena ===================================================== */
typedef struct jn_fmt_chunk jn_fmt_chunk;
typedef struct jn_fmt_cx {
    jn_fmt_chunk *chunks;
    bool oom;
} jn_fmt_cx;

/* Zeroed memory that lives until jn_fmt_cx_free(); NULL (and cx->oom) on
 * exhaustion. */
void *jn_fmt_alloc(jn_fmt_cx *cx, size_t n);
void jn_fmt_cx_free(jn_fmt_cx *cx);

/* ==== Code-point strings ================================================= */
typedef struct jn_ustr {
    uint32_t *c;
    size_t n, cap;
} jn_ustr;

void jn_us_push(jn_fmt_cx *cx, jn_ustr *s, uint32_t c);
void jn_us_cat(jn_fmt_cx *cx, jn_ustr *s, const uint32_t *c, size_t n);
void jn_us_cat_us(jn_fmt_cx *cx, jn_ustr *s, const jn_ustr *t);
void jn_us_cat_ascii(jn_fmt_cx *cx, jn_ustr *s, const char *a);
/* Insert [t] before index [at] (at <= s->n). */
void jn_us_insert(jn_fmt_cx *cx, jn_ustr *s, size_t at, const jn_ustr *t);
/* UTF-8 -> code points; an ill-formed byte becomes U+FFFD. */
jn_ustr jn_us_from_utf8(jn_fmt_cx *cx, const char *p, size_t len);
jn_ustr jn_us_sub(jn_fmt_cx *cx, const jn_ustr *s, size_t from, size_t to);
/* A malloc'd NUL-terminated UTF-8 copy for the caller, NULL on exhaustion. */
char *jn_us_to_utf8(const jn_ustr *s);
/* JavaScript's indexOf / lastIndexOf (an empty needle matches at [from] /
 * at the end); -1 when absent. */
long jn_us_index(const jn_ustr *h, const jn_ustr *needle, size_t from);
long jn_us_last_index(const jn_ustr *h, const jn_ustr *needle);
long jn_us_index_cp(const jn_ustr *h, uint32_t c, size_t from);
bool jn_us_eq_ascii(const jn_ustr *s, const char *a);
/* JavaScript's `str.charAt(i) === prop` for a one-string property [prop]:
 * out-of-range i is "", which equals only an empty [prop]. */
bool jn_us_char_is(const jn_ustr *s, long i, const jn_ustr *prop);

/* ==== Errors ============================================================= */
/* Fill [err] with [code], jsonata-js's message for it and [value_json]
 * (the `value` field printed as JSON, NULL for none). Returns -1. */
int jn_fmt_error(jn_error *err, const char *code, const char *value_json);
/* The same with a string / number value, printed as JSON. */
int jn_fmt_error_str(jn_error *err, const char *code, const jn_ustr *value);
int jn_fmt_error_num(jn_error *err, const char *code, double value);

/* ==== JavaScript numbers ================================================= */
/* Number#toString(): shortest round-trip digits, JavaScript's layout
 * ("1e+21", "1.5e-7", "NaN"). [out] holds at least 32 bytes. */
void jn_fmt_js_number(double d, char *out);
void jn_us_cat_number(jn_fmt_cx *cx, jn_ustr *s, double d);
/* Number#toFixed(dp) of [x] (0 <= dp <= 100): exact value, a tie rounds
 * away from zero; |x| >= 1e21 gives toString(). Appends to [s]. */
void jn_fmt_to_fixed(jn_fmt_cx *cx, jn_ustr *s, double x, int dp);
/* Math.round and jsonata's $round(x, precision) (half to even, through
 * the decimal string as jsonata-js does it). */
double jn_fmt_math_round(double x);
double jn_fmt_round(double x, int precision);
/* parseInt(s) with no radix: leading white space, a sign, "0x" -> hex,
 * then the longest run of digits; NaN when there is none. */
double jn_fmt_parse_int(const uint32_t *c, size_t n);
bool jn_fmt_is_space(uint32_t c);

/* ==== Integer pictures (fn:format-integer) =============================== */
enum { JN_IP_DECIMAL, JN_IP_LETTERS, JN_IP_ROMAN, JN_IP_WORDS, JN_IP_SEQUENCE };
enum { JN_CASE_LOWER, JN_CASE_UPPER, JN_CASE_TITLE };

typedef struct jn_ipic_sep {
    double position;   /* digits to its right */
    uint32_t ch;
} jn_ipic_sep;

typedef struct jn_ipic {
    int primary;           /* JN_IP_* */
    int tcase;             /* JN_CASE_* */
    bool ordinal;
    /* JN_IP_DECIMAL only: */
    uint32_t zero;         /* first code point of the digit family */
    double mandatory;      /* mandatory digits (a date width may raise it) */
    double optional;
    bool regular;          /* one separator repeated every reg_pos digits */
    double reg_pos;
    uint32_t reg_ch;
    jn_ipic_sep *seps;     /* irregular: in the order found, right to left */
    size_t nseps;
    jn_ustr token;         /* JN_IP_SEQUENCE: the unsupported picture */
} jn_ipic;

/* Analyse an integer picture ("#,##0;o", "Ww", "i", ...). -1 on D3131. */
int jn_ipic_analyse(jn_fmt_cx *cx, const jn_ustr *pic, jn_ipic *f, jn_error *err);
/* jsonata-js's _formatInteger: [value] is already an integer. Appends to
 * [out]; -1 on D3130 (a sequence picture) or an impossible length. */
int jn_ipic_format(jn_fmt_cx *cx, double value, const jn_ipic *f, jn_ustr *out, jn_error *err);
/* The `parse` half of jsonata-js's integer matcher: the value of text that
 * [f] describes (NaN when it has none). The caller has already refused
 * JN_IP_SEQUENCE with D3130. */
double jn_ipic_parse(jn_fmt_cx *cx, const jn_ipic *f, const jn_ustr *text);

/* The words that $parseInteger and date pictures recognise, in jsonata-js's
 * order (the order its regular expression tries them). */
extern const char *const jn_fmt_word_list[];
extern const size_t jn_fmt_word_count;

/* ==== Date/time pictures (jsonata_datetime.c, used by jsonata_dtparse.c) == */
/* A JavaScript Date's UTC fields. */
typedef struct jn_jdate {
    double t;          /* the time value; NaN: an invalid date */
    double year, month /* 0..11 */, date, hours, minutes, seconds, millis, wday /* 0 = Sunday */;
} jn_jdate;

enum { JN_NAMES_NONE, JN_NAMES_LOWER, JN_NAMES_UPPER, JN_NAMES_TITLE };

/* One part of an analysed date/time picture: a literal or a marker. */
typedef struct jn_dpart {
    bool literal;
    jn_ustr text;                 /* a literal's text */
    uint32_t comp;                /* a marker's component letter */
    bool has_width;
    bool min_def, max_def;        /* width bounds given (not "*") */
    double wmin, wmax;            /* parseInt of them: may be NaN */
    jn_ustr pres1;                /* first presentation modifier */
    uint32_t pres2;               /* second ('a', 't', 'c', 'o'), 0 for none */
    int names;                    /* JN_NAMES_* */
    bool has_ifmt;
    jn_ipic ifmt;                 /* integer components and Z/z */
    double n;                     /* Y, M, D: digit count, -1 for any */
} jn_dpart;

typedef struct jn_dpic {
    jn_dpart *parts;
    size_t n, cap;
} jn_dpic;

/* analyseDateTimePicture; -1 on D3131, D3132, D3135. */
int jn_dt_analyse(jn_fmt_cx *cx, const jn_ustr *pic, jn_dpic *out, jn_error *err);
/* new Date(t) (time-clipped) and Date.UTC(...), years 0-99 meaning 19xx. */
jn_jdate jn_dt_of(double t);
double jn_dt_utc(double y, double m, double d, double h, double mi, double s, double ms);
/* The same without the two-digit-year rule (what Date.parse uses). */
double jn_dt_make(double y, double m, double d, double h, double mi, double s, double ms);
/* getDateTimeFragment: false for a component without a value; the P
 * component goes to [is_pm]. */
bool jn_dt_fragment(const jn_jdate *dt, uint32_t comp, double *v, bool *is_pm);
extern const char *const jn_dt_month_names[];
extern const char *const jn_dt_day_names[];

#endif
