/*
 * intrinsics_math.c - States.MathAdd and States.MathRandom.
 *
 * MathAdd rounds each argument half up first (recorded on AWS:
 * MathAdd(-0.5, 0.5) is 1, MathAdd(-1.5, 0) is -1) and keeps to Java's int
 * range. MathRandom cuts its ends towards zero (observed on AWS:
 * MathRandom(1.6, 5.4) draws from 1 to 4; MathRandom(1.4, 1.6) fails) and
 * draws from start up to end, end excluded. With a seed it is
 * deterministic, computed as java.util.Random would (the same seed gives
 * the same number; AWS's seeded values themselves are not recorded);
 * without one it draws from the kernel's CSPRNG. Called through
 * intrinsics.c's table.
 *
 * Layer: values
 */
#include <math.h>
#include <stdint.h>

#include "intrinsics_impl.h"

/* Java's Math.round: halves go up (towards +infinity). */
static double round_half_up(double d)
{
    double r = floor(d);
    return d - r >= 0.5 ? r + 1 : r;
}

/* Operand [k] (its value [v]; NULL for a literal [lit]) of MathAdd as an
 * integer, rounded as AWS rounds. */
static bool add_operand(asl_exec *x, const asl_call *c, int k, const cJSON *v, double lit, long long *out)
{
    /* the type test is inline: cJSON_IsNumber is a call into the library */
    if (v && (v->type & 0xFF) != cJSON_Number) {
        rt_intr_invalid(x, c, "argument %d must be a number, found %s", k + 1, rt_intr_type_name(v));
        return false;
    }
    double raw = v ? v->valuedouble : lit;
    if (raw >= -2147483648.0 && raw <= 2147483647.0 && (double)(long long)raw == raw) {
        *out = (long long)raw; /* the common case, an integer in range: nothing to round */
        return true;
    }
    double d = round_half_up(raw);
    if (!(d >= -2147483648.0 && d <= 2147483647.0)) {
        rt_intr_invalid(x, c, "argument %d must be an integer between -2147483648 and 2147483647", k + 1);
        return false;
    }
    *out = (long long)d;
    return true;
}

/* MathAdd of two operands as add_operand takes them. A sum outside
 * Java's int range is an error rather than a wrapped value. */
static cJSON *add(asl_exec *x, const asl_call *c, const cJSON *const v[2], const double lit[2])
{
    long long l, r;
    if (!add_operand(x, c, 0, v[0], lit[0], &l) || !add_operand(x, c, 1, v[1], lit[1], &r))
        return NULL;
    long long sum = l + r;
    if (sum < -2147483648LL || sum > 2147483647LL)
        return rt_intr_invalid(x, c, "the sum %lld is outside the integer range -2147483648 to 2147483647", sum);
    cJSON *out = rt_node_number((double)sum);
    return out ? out : rt_intr_oom(x);
}

/* States.MathAdd(a, b). */
cJSON *rt_fn_math_add(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    const double lit[2] = {0, 0};
    return add(x, c, a->v, lit);
}

/* The hot path of loops ("i.$": "States.MathAdd($.i, 1)"): numbers
 * read straight from literals and paths, without building the argument
 * list. Returns false (nothing set) when an argument is a nested call or
 * a path that selects nothing, so the caller takes the general way. */
bool rt_math_add_direct(asl_exec *x, const asl_call *c, const cJSON *in, cJSON **out)
{
    const cJSON *v[2];
    double lit[2];
    for (int k = 0; k < 2; k++) {
        const asl_tmpl *t = &c->args[k];
        v[k] = NULL;
        lit[k] = t->num;
        if (t->kind == ASL_T_PATH) {
            v[k] = asl_select_quiet(x, t->path, in);
            if (!v[k])
                return false;
        } else if (t->kind != ASL_T_NUMBER) {
            return false;
        }
    }
    *out = add(x, c, v, lit);
    return true;
}

/* ==== java.util.Random ==================================================== */

typedef struct jrandom {
    uint64_t seed; /* 48 bits */
} jrandom;

static void jrandom_init(jrandom *r, int64_t seed)
{
    r->seed = ((uint64_t)seed ^ 0x5DEECE66DULL) & ((1ULL << 48) - 1);
}

static int32_t jrandom_next(jrandom *r, int bits)
{
    r->seed = (r->seed * 0x5DEECE66DULL + 0xBULL) & ((1ULL << 48) - 1);
    return (int32_t)(uint32_t)(r->seed >> (48 - bits));
}

/* nextInt(bound) for 0 < bound <= 2^31 - 1. */
static int32_t jrandom_next_int(jrandom *r, int32_t bound)
{
    int32_t v = jrandom_next(r, 31);
    int32_t m = bound - 1;
    if ((bound & m) == 0)
        return (int32_t)(((int64_t)bound * v) >> 31);
    for (int32_t u = v; (int32_t)((uint32_t)u - (uint32_t)(v = u % bound) + (uint32_t)m) < 0;
         u = jrandom_next(r, 31))
        ;
    return v;
}

/* A uniform draw from [0, bound) for bound up to 2^32. */
static bool draw(jrandom *seeded, uint64_t bound, uint64_t *out)
{
    if (seeded) {
        if (bound <= 0x7FFFFFFFu) {
            *out = (uint64_t)jrandom_next_int(seeded, (int32_t)bound);
            return true;
        }
        /* wider than Java's nextInt(bound): nextInt() until it fits */
        for (;;) {
            uint32_t v = (uint32_t)jrandom_next(seeded, 32);
            if (v < bound) {
                *out = v;
                return true;
            }
        }
    }
    /* unbiased: reject the top partial block of 2^64 */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound, v;
    do {
        if (!rt_random_bytes(&v, sizeof v))
            return false;
    } while (v >= limit);
    *out = v % bound;
    return true;
}

/* States.MathRandom(start, end[, seed]). */
cJSON *rt_fn_math_random(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    long long start, end;
    if (!rt_intr_int(x, c, a, 0, "the start", &start) || !rt_intr_int(x, c, a, 1, "the end", &end))
        return NULL;
    if (start >= end)
        return rt_intr_invalid(x, c, "the start (%lld) must be less than the end (%lld), which is excluded", start,
                               end);
    jrandom jr, *seeded = NULL;
    if (a->n > 2) {
        const cJSON *s = a->v[2];
        if (!cJSON_IsNumber(s))
            return rt_intr_invalid(x, c, "the seed (argument 3) must be a number, found %s", rt_intr_type_name(s));
        double d = trunc(s->valuedouble);
        int64_t seed = d >= 9223372036854775807.0 ? INT64_MAX : d <= -9223372036854775808.0 ? INT64_MIN : (int64_t)d;
        jrandom_init(&jr, seed);
        seeded = &jr;
    }
    uint64_t off;
    if (!draw(seeded, (uint64_t)(end - start), &off)) {
        asl_fail_runtime(x, "States.MathRandom: no random source is available");
        return NULL;
    }
    cJSON *v = cJSON_CreateNumber((double)(start + (long long)off));
    return v ? v : rt_intr_oom(x);
}
