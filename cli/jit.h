/*
 * jit.h - compile generated C in memory with libtcc and run it (`aslc run`).
 *
 * The runtime is linked into aslc itself; its public functions are handed
 * to TinyCC by address, and aslrt.h comes from the copy embedded in aslc,
 * so `aslc run` needs no file beside the aslc executable.
 */
#ifndef ASLC_CLI_JIT_H
#define ASLC_CLI_JIT_H

#include <stdio.h>

struct asl_machine;

typedef struct jit_program jit_program;

/* Compile [c_text] (a whole program as cg_emit_program wrote it for the
 * definition [source_name]) in memory. TinyCC's messages go to [err] with
 * `<source_name>.c:LINE` positions that match `aslc emit`'s output. Returns
 * NULL on failure; free the result with jit_free(). */
jit_program *jit_compile(const char *c_text, const char *source_name, FILE *err);

/* The compiled `aslc_machine`; borrowed, valid until jit_free(). */
const struct asl_machine *jit_machine(const jit_program *j);
/* Any other global the program defines (NULL when it has none such). */
void *jit_symbol(const jit_program *j, const char *name);

void jit_free(jit_program *j);

/* Compile [c_text] and run its machine with asl_main([argc], [argv]).
 * Returns asl_main's exit code, or -1 when compilation failed (after
 * printing why to stderr). */
int jit_run(const char *c_text, const char *source_name, int argc, char **argv);

/* The runtime functions handed to TinyCC: [i] from 0; NULL past the end.
 * Tests check this list against what aslrt.h declares. */
const char *jit_runtime_symbol(int i);

#endif
