/*
 * jsonata_format.h - JSONata's picture-string functions, as pure C
 * (runtime layer: values). No evaluator types: plain numbers and UTF-8
 * text in, malloc'd text (caller frees with free()) or an error out, so the
 * built-ins in jsonata_builtins*.c wrap them and this file is tested alone.
 *
 * Semantics are jsonata-js 2.0.6's (its datetime.js and functions.js),
 * which follow XPath/XQuery 3.1 F&O: fn:format-number, fn:format-integer,
 * fn:format-dateTime. Errors use jsonata-js's codes (D3xxx) and fill
 * [err] (jsonata_value.h) with code, token/value where the message names
 * them, and jsonata-js's message; position stays -1 (the caller sets it).
 *
 * Each function returns 0 on success, 1 for an `undefined` result (e.g.
 * $toMillis of a string that does not match the picture), -1 on error.
 */
#ifndef ASLRT_JSONATA_FORMAT_H
#define ASLRT_JSONATA_FORMAT_H

#include <stddef.h>

#include "jsonata_value.h"

/* $formatNumber's third argument: any field may be NULL (the default).
 * Each holds one character (UTF-8) except the two strings at the end. */
typedef struct jn_decimal_format {
    const char *decimal_separator;   /* "." */
    const char *grouping_separator;  /* "," */
    const char *exponent_separator;  /* "e" */
    const char *minus_sign;          /* "-" */
    const char *infinity;            /* "Infinity" */
    const char *nan;                 /* "NaN" */
    const char *percent;             /* "%" */
    const char *per_mille;           /* "\u2030" */
    const char *zero_digit;          /* "0" */
    const char *digit;               /* "#" */
    const char *pattern_separator;   /* ";" */
} jn_decimal_format;

/* $formatNumber(value, picture[, options]). */
int jn_format_number(double value, const char *picture, size_t plen,
                     const jn_decimal_format *fmt, char **out, jn_error *err);

/* $formatInteger(value, picture): decimal digit patterns with grouping,
 * any Unicode decimal digit family, "a"/"A" letters, "i"/"I" roman,
 * "w"/"W"/"Ww" words, ordinals (";o"). */
int jn_format_integer(double value, const char *picture, size_t plen, char **out, jn_error *err);

/* $parseInteger(string, picture): the inverse of jn_format_integer. */
int jn_parse_integer(const char *s, size_t len, const char *picture, size_t plen,
                     double *out, jn_error *err);

/* $fromMillis(ms[, picture[, timezone]]): [picture] NULL means ISO 8601
 * with milliseconds ("2017-11-07T15:07:54.972Z"); [tz] NULL means UTC,
 * else "±HHMM" as jsonata-js accepts it. */
int jn_format_datetime(double ms, const char *picture, size_t plen,
                       const char *tz, size_t tzlen, char **out, jn_error *err);

/* $toMillis(timestamp[, picture]): [picture] NULL means ISO 8601 (the
 * forms jsonata-js accepts); returns 1 (undefined) when [s] does not match
 * a picture. */
int jn_parse_datetime(const char *s, size_t len, const char *picture, size_t plen,
                      double *ms, jn_error *err);
/* The same with the evaluation's timestamp [now_ms] (what $now() gives):
 * a picture that leaves out the leading components ("[H]:[m]") takes them
 * from it, as jsonata-js takes them from its environment's timestamp.
 * jn_parse_datetime uses the clock instead; the built-in should call this
 * one so that one evaluation sees one "now". */
int jn_parse_datetime_at(const char *s, size_t len, const char *picture, size_t plen,
                         double now_ms, double *ms, jn_error *err);

/* $formatBase(number[, radix]) and the digit rendering $formatInteger
 * shares: radix 2..36, lower-case digits, as Number#toString(radix) after
 * rounding to an integer. */
int jn_format_base(double value, int radix, char **out, jn_error *err);

#endif
