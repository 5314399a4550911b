/*
 * fuzz.h - what the libFuzzer targets of tests/fuzz/fuzz_*.c share
 * (util.c): splitting one fuzzer input into parts, NUL-terminated copies,
 * a memory file for loaders that take a path, an execution to evaluate
 * paths and intrinsics in, and the compiler's parsed paths and calls laid
 * out as the runtime's structures, as codegen writes them.
 *
 * Built only by `make fuzz` (clang, -fsanitize=fuzzer,address,undefined).
 */
#ifndef ASLC_TESTS_FUZZ_H
#define ASLC_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ir.h"
#include "rt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Up to [max] parts of [data] separated by [sep]; the last part takes the
 * rest. Returns how many parts there are (at least 1). */
size_t fuzz_split(const uint8_t *data, size_t size, char sep, const char **parts,
                  size_t *lens, size_t max);

/* A malloc'd NUL-terminated copy of [n] bytes. */
char *fuzz_strndup(const char *s, size_t n);

/* A file holding [n] bytes of [s] (memfd, nothing on disk); writes its
 * path (/proc/self/fd/N) into [path]. Returns the descriptor to close,
 * or -1. */
int fuzz_memfile(const char *s, size_t n, char *path, size_t cap);

/* An execution of a one-state machine, as the unit tests make it. */
typedef struct fuzz_exec {
    rt_options opt;
    rt_run run;
    asl_exec x;
} fuzz_exec;
void fuzz_exec_init(fuzz_exec *f);
/* Forget the last evaluation's error and scratch values. */
void fuzz_exec_reset(fuzz_exec *f);
void fuzz_exec_dispose(fuzz_exec *f);

/* The compiler's trees as codegen lays them out for the runtime; every
 * node in [a]. */
const asl_path *fuzz_to_path(arena *a, const ir_path *p);
const asl_call *fuzz_to_call(arena *a, const ir_call *c);

#endif
