/*
 * emit.h - IR to C. The one entry point of codegen/.
 */
#ifndef ASLC_CODEGEN_EMIT_H
#define ASLC_CODEGEN_EMIT_H

#include <stdio.h>

#include "aslrt.h"
#include "ir.h"

/* Write the C program for [prog] to [out]: it includes only "aslrt.h",
 * defines `const asl_machine aslc_machine`, and a main() calling asl_main()
 * unless ASLC_NO_MAIN is defined (the JIT defines it). Deterministic:
 * the same IR gives the same bytes. Returns 0, or -1 on a write error. */
int cg_emit_program(FILE *out, const ir_program *prog);

/* Write the parsed JSONata expression [root] as static const data, each
 * node named `<prefix>_<n>` ([prefix] must be a C identifier of the
 * caller's). Returns the root's n (so the tree is `&<prefix>_<n>`), or -1
 * on a write error. The output needs only "aslrt.h" and compiles without
 * warnings under gcc -Wall -Wextra and TinyCC. */
int cg_write_jsonata(FILE *out, const char *prefix, const asl_jnode *root);

#endif
