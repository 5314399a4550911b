/*
 * fuzz_lower.c - libFuzzer target: what `aslc emit` does with a
 * definition (JSON or YAML): check_and_lower, and for whatever it accepts
 * the IR written out as C by cg_emit_program. Anything check accepts must
 * compile (issue 15): an abort in codegen is a finding.
 */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "cli.h"
#include "emit.h"
#include "fuzz.h"
#include "unit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unit *u = unit_from_text("fuzz-input", (const char *)data, size);
    ir_program *ir = NULL;
    if (drv_load_definition(u) && u->nerrors == 0)
        ir = check_and_lower(u);
    if (ir) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (f) {
            cg_emit_program(f, ir);
            fclose(f);
        }
        free(text);
    }
    unit_close(u);
    return 0;
}
