/*
 * fuzz_check.c - libFuzzer target: the whole of `aslc check` on one file,
 * a definition (JSON or YAML, sniffed as for stdin) or a CloudFormation /
 * SAM template (each state machine in it), with the diagnostics printed in
 * the three formats (text, json, sarif).
 */
#include <stdio.h>

#include "check.h"
#include "cli.h"
#include "fuzz.h"
#include "unit.h"

static FILE *devnull;

static void report(const unit *u)
{
    diag_print_text(devnull, u, true);
    diag_report *j = diag_report_new(DIAG_FORMAT_JSON, "fuzz");
    diag_report *s = diag_report_new(DIAG_FORMAT_SARIF, "fuzz");
    diag_report_add(j, u, u->nerrors > 0);
    diag_report_add(s, u, u->nerrors > 0);
    diag_report_finish(j, devnull);
    diag_report_finish(s, devnull);
}

typedef struct tctx {
    const unit *tmpl;
} tctx;

static void machine(unit *def, void *ctx)
{
    tctx *t = ctx;
    if (def->root)
        check_definition(def);
    if (def != t->tmpl)
        report(def);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        return 0;
    /* No extension: YAML when the text cannot be JSON, as for stdin. */
    unit *u = unit_from_text("fuzz-input", (const char *)data, size);
    if (drv_load_definition(u)) {
        if (load_cfn_is_template(u)) {
            tctx t = {u};
            load_cfn_definitions(u, machine, &t);
        } else {
            check_definition(u);
        }
    }
    report(u);
    unit_close(u);
    return 0;
}
