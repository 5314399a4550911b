/*
 * fuzz_load_yaml.c - libFuzzer target: a definition's text through
 * load_yaml (compiler/yaml.c: anchors, aliases, CloudFormation short
 * tags, duplicate keys), then every node's recorded position turned into
 * a line and column, and the diagnostics printed.
 */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "fuzz.h"
#include "unit.h"

static FILE *devnull;

static void walk(unit *u, const cJSON *n, int depth)
{
    for (; n; n = n->next) {
        int line, col;
        size_t k = load_key_off(u, n), v = load_val_off(u, n);
        if (k != NO_OFFSET)
            unit_linecol(u, k, &line, &col);
        if (v != NO_OFFSET)
            unit_linecol(u, v, &line, &col);
        if (depth < 1000)
            walk(u, n->child, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        return 0;
    unit *u = unit_from_text("fuzz.asl.yaml", (const char *)data, size);
    if (load_yaml(u))
        walk(u, u->root, 0);
    diag_print_text(devnull, u, false);
    unit_close(u);
    return 0;
}
