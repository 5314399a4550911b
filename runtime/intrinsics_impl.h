/*
 * intrinsics_impl.h - what the intrinsics_*.c files share; nothing outside
 * them includes it (the runtime's entry point is asl_call_intrinsic in
 * aslrt.h).
 *
 * intrinsics.c       dispatch, argument evaluation, errors, integers
 * intrinsics_text.c  how AWS (Java) prints values; Format, StringSplit,
 *                    StringToJson, JsonToString
 * intrinsics_array.c Array*, JsonMerge
 * intrinsics_codec.c Base64Encode / Decode, Hash (Nettle), UUID and the
 *                    random source
 * intrinsics_math.c  MathAdd, MathRandom
 *
 * Every function has the shape rt_intrinsic_fn: it gets its arguments
 * already evaluated (left to right, as AWS does) and returns a fresh tree
 * the caller owns, or NULL with the execution's error set.
 *
 * Layer: values
 */
#ifndef ASLRT_INTRINSICS_IMPL_H
#define ASLRT_INTRINSICS_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "values.h"

/* ==== Evaluated arguments ================================================ */
enum { RT_IARGS_SMALL = 4 };

/* The values of one call's arguments. v[k] is always readable; it is
 * borrowed from the input (a path), points at lit[k] (a scalar literal,
 * built without allocating), or is owned[k] (a nested call's fresh
 * result, freed by rt_iargs_free unless taken). */
typedef struct rt_iargs {
    int n;
    const cJSON **v;
    cJSON **owned;
    cJSON *lit;
    const cJSON *v_small[RT_IARGS_SMALL];
    cJSON *owned_small[RT_IARGS_SMALL];
    cJSON lit_small[RT_IARGS_SMALL];
} rt_iargs;

/* Evaluate every argument of [c] against [in] into [a]. A path that
 * selects nothing fails as AWS does ("The JsonPath argument for the field
 * ... could not be found in the input ..."). Returns false with the error
 * set; [a] then holds nothing to free. */
bool rt_iargs_eval(asl_exec *x, const asl_call *c, const cJSON *in, rt_iargs *a);
/* Free what [a] owns. */
void rt_iargs_free(rt_iargs *a);
/* Argument [k] as a tree the caller owns: moved out of [a] when [a] owns
 * it, else a deep copy. NULL only when out of memory (error set). */
cJSON *rt_iargs_take(asl_exec *x, rt_iargs *a, int k);

/* One intrinsic function. */
typedef cJSON *(*rt_intrinsic_fn)(asl_exec *x, const asl_call *c, rt_iargs *a);

/* ==== Errors ============================================================== */
/* States.Runtime with AWS's prefix and "Invalid arguments in <name>: "
 * followed by the printf-formatted detail. Always returns NULL. */
cJSON *rt_intr_invalid(asl_exec *x, const asl_call *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Out of memory: States.Runtime. Returns NULL. */
cJSON *rt_intr_oom(asl_exec *x);
/* "a string", "an array", ... for messages. */
const char *rt_intr_type_name(const cJSON *v);

/* Argument [k] as the integer AWS reads: a number, cut towards zero as
 * Java's (int) cast does, within Java's int range. [what] names the
 * argument in the message ("the index"). False with the error set. */
bool rt_intr_int(asl_exec *x, const asl_call *c, const rt_iargs *a, int k, const char *what, long long *out);
/* The argument must be [type] (cJSON_String, cJSON_Array, cJSON_Object);
 * else false with "argument K must be ..." set. */
bool rt_intr_want(asl_exec *x, const asl_call *c, const rt_iargs *a, int k, int type);

/* ==== Text ================================================================= */
/* A growing byte buffer; on allocation failure it sets oom and drops
 * further writes. */
typedef struct rt_ibuf {
    char *p;
    size_t n, cap;
    bool oom;
} rt_ibuf;

void rt_ibuf_put(rt_ibuf *b, const char *s, size_t n);
void rt_ibuf_puts(rt_ibuf *b, const char *s);
void rt_ibuf_putc(rt_ibuf *b, char c);
/* The buffer as a fresh JSON string (the buffer is freed). NULL with the
 * error set when memory ran out. */
cJSON *rt_ibuf_to_string(asl_exec *x, rt_ibuf *b);

/* A number as AWS prints it: integral values as integers, others as
 * Java's Double.toString (shortest digits; 1.0E-5 and 1.23E7 outside
 * [0.001, 10^7)). */
void rt_java_number(rt_ibuf *b, double d);
/* A value as Java's String.valueOf prints the object AWS converts it to
 * (what States.Format inserts): strings as they are, objects as
 * {k=v, k2=v2}, arrays as [a, b], null as null. */
void rt_java_text(rt_ibuf *b, const cJSON *v);
/* A value as compact JSON, the way AWS's Jackson writes it. */
void rt_java_json(rt_ibuf *b, const cJSON *v);
/* The length of UTF-8 text in UTF-16 units (Java's String.length()): AWS's
 * 10,000-character limits count those. */
size_t rt_utf16_len(const char *s, size_t n);


/* ==== The functions ======================================================== */
cJSON *rt_fn_format(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_string_to_json(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_json_to_string(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_string_split(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_array(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_array_partition(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_array_contains(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_array_range(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_array_get_item(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_array_length(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_array_unique(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_json_merge(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_base64_encode(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_base64_decode(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_hash(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_uuid(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_math_add(asl_exec *x, const asl_call *c, rt_iargs *a);
cJSON *rt_fn_math_random(asl_exec *x, const asl_call *c, rt_iargs *a);
/* MathAdd over literals and paths only, without an rt_iargs: true with
 * *out set (or the error) when it could; false, nothing done, otherwise. */
bool rt_math_add_direct(asl_exec *x, const asl_call *c, const cJSON *in, cJSON **out);

#endif
