/*
 * check_map.c - Parallel and Map states: their nested state machines
 * (Branches; Iterator or ItemProcessor), and the Map fields for items,
 * concurrency, tolerated failures, and the distributed-mode ItemReader,
 * ResultWriter and ItemBatcher.
 *
 * Nested machines are checked by check_machine() as scopes of their own:
 * transitions may not cross them, names stay unique across them.
 */
#include <string.h>

#include "check_internal.h"
#include "path.h"

#define BIG 9000000000000000000LL

void check_parallel(check_ctx *c, check_scope *scope, const cJSON *st)
{
    /* clang-format off */
    static const char *const fields[] = {
        "Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "ResultPath",
        "Parameters", "ResultSelector", "Retry", "Catch", "Branches", "Assign", NULL};
    /* clang-format on */
    check_fields(c, st, fields, check_any_state_fields(), "a Parallel state");
    check_next_end(c, scope, st);
    check_data_flow(c, st);
    check_retry_catch(c, scope, st);
    const cJSON *br = check_get(st, "Branches");
    if (!br) {
        diag_key(c->u, DIAG_INVALID_PARALLEL, st, "Parallel state \"%s\" has no \"Branches\"", st->string);
        return;
    }
    if (!check_array(c, br))
        return;
    const cJSON *b;
    cJSON_ArrayForEach (b, br)
        check_machine(c, b, CHECK_BRANCH, scope, c->top_jsonata);
}

/* Two members of which at most one may be given; the literal one is an
 * integer in [lo, hi], the other a Reference Path. */
static void count_pair(check_ctx *c, const cJSON *obj, const char *name, const char *pname, long long lo,
                       long long hi)
{
    const cJSON *v = check_get(obj, name), *p = check_get(obj, pname);
    if (v)
        check_int_range(c, v, lo, hi, DIAG_INVALID_MAP);
    check_path_field(c, p, PATH_REFERENCE);
    check_exclusive(c, v, p);
}

void check_reader_config_values(check_ctx *c, const cJSON *cfg)
{
    /* The values AWS documents for a distributed Map's reader. */
    static const char *const inputs[] = {"CSV", "JSON", "JSONL", "MANIFEST", "PARQUET", NULL};
    static const char *const header_locations[] = {"FIRST_ROW", "GIVEN", NULL};
    static const char *const delimiters[] = {"COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB", NULL};
    check_enum(c, check_get(cfg, "InputType"), inputs, DIAG_INVALID_MAP);
    check_enum(c, check_get(cfg, "CSVHeaderLocation"), header_locations, DIAG_INVALID_MAP);
    check_enum(c, check_get(cfg, "CSVDelimiter"), delimiters, DIAG_INVALID_MAP);
}

static void check_item_reader(check_ctx *c, const cJSON *v)
{
    static const char *const fields[] = {"Resource", "Parameters", "ReaderConfig", NULL};
    static const char *const jsonata_only[] = {"Arguments", NULL};
    static const char *const cfg_fields[] = {"InputType",    "CSVHeaderLocation", "CSVHeaders",
                                             "CSVDelimiter", "MaxItems",          "MaxItemsPath",
                                             "ManifestType", "ItemsPointer",      NULL};
    if (!v || !check_object(c, v))
        return;
    check_fields(c, v, fields, jsonata_only, "\"ItemReader\"");
    const cJSON *res = check_get(v, "Resource");
    if (!res)
        diag_key(c->u, DIAG_INVALID_MAP, v, "\"ItemReader\" needs \"Resource\"");
    else
        check_string(c, res);
    check_template(c, check_get(v, "Parameters"));
    const cJSON *cfg = check_get(v, "ReaderConfig");
    if (cfg && check_object(c, cfg)) {
        check_fields(c, cfg, cfg_fields, NULL, "\"ReaderConfig\"");
        count_pair(c, cfg, "MaxItems", "MaxItemsPath", 1, 100000000);
        const cJSON *h = check_get(cfg, "CSVHeaders"), *e;
        if (h && check_array(c, h))
            cJSON_ArrayForEach (e, h)
                check_string(c, e);
        check_reader_config_values(c, cfg);
    }
}

void check_writer_sets(check_ctx *c, const cJSON *v, const char *params)
{
    /* AWS's three: WriterConfig alone (transform, export nothing),
     * Resource + Parameters (export as is), all three (transform and
     * export). */
    bool res = check_get(v, "Resource"), par = check_get(v, params), cfg = check_get(v, "WriterConfig");
    if (!res && !par && !cfg)
        diag_key(c->u, DIAG_INVALID_MAP, v,
                 "\"ResultWriter\" must not be empty: give \"WriterConfig\", \"Resource\" and \"%s\", or all "
                 "three",
                 params);
    else if (res != par)
        diag_key(c->u, DIAG_INVALID_MAP, v,
                 "\"ResultWriter\" has \"%s\" without \"%s\": the valid sets are \"WriterConfig\" alone, "
                 "\"Resource\" and \"%s\", or all three",
                 res ? "Resource" : params, res ? params : "Resource", params);
}

static void check_result_writer(check_ctx *c, const cJSON *v)
{
    static const char *const fields[] = {"Resource", "Parameters", "WriterConfig", NULL};
    static const char *const elsewhere[] = {"Arguments", "ReaderConfig", NULL};
    static const char *const cfg_fields[] = {"OutputType", "Transformation", NULL};
    static const char *const outputs[] = {"JSON", "JSONL", NULL};
    static const char *const transforms[] = {"NONE", "COMPACT", "FLATTEN", NULL};
    if (!v || !check_object(c, v))
        return;
    check_fields(c, v, fields, elsewhere, "\"ResultWriter\"");
    check_writer_sets(c, v, "Parameters");
    const cJSON *res = check_get(v, "Resource");
    if (res)
        check_string(c, res);
    check_template(c, check_get(v, "Parameters"));
    const cJSON *cfg = check_get(v, "WriterConfig");
    if (cfg && check_object(c, cfg)) {
        check_fields(c, cfg, cfg_fields, NULL, "\"WriterConfig\"");
        const cJSON *o = check_get(cfg, "OutputType");
        if (!o)
            diag_key(c->u, DIAG_INVALID_MAP, cfg, "\"WriterConfig\" needs \"OutputType\"");
        else
            check_enum(c, o, outputs, DIAG_INVALID_MAP);
        check_enum(c, check_get(cfg, "Transformation"), transforms, DIAG_INVALID_MAP);
    }
}

static void check_item_batcher(check_ctx *c, const cJSON *v)
{
    static const char *const fields[] = {
        "MaxItemsPerBatch",          "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
        "MaxInputBytesPerBatchPath", "BatchInput",           NULL};
    if (!v || !check_object(c, v))
        return;
    check_fields(c, v, fields, NULL, "\"ItemBatcher\"");
    count_pair(c, v, "MaxItemsPerBatch", "MaxItemsPerBatchPath", 1, BIG);
    count_pair(c, v, "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath", 1, 262144);
    check_template(c, check_get(v, "BatchInput"));
    if (!check_get(v, "MaxItemsPerBatch") && !check_get(v, "MaxItemsPerBatchPath") &&
        !check_get(v, "MaxInputBytesPerBatch") && !check_get(v, "MaxInputBytesPerBatchPath"))
        diag_key(c->u, DIAG_INVALID_MAP, v,
                 "\"ItemBatcher\" needs \"MaxItemsPerBatch\", \"MaxInputBytesPerBatch\" or one of their "
                 "*Path forms");
}

void check_map(check_ctx *c, check_scope *scope, const cJSON *st)
{
    /* clang-format off */
    static const char *const fields[] = {
        "Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "ResultPath",
        "Parameters", "ItemSelector", "ResultSelector", "Retry", "Catch", "Iterator", "ItemProcessor",
        "ItemsPath", "MaxConcurrency", "MaxConcurrencyPath", "ItemReader", "ResultWriter", "ItemBatcher",
        "ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath", "Label", "Assign", NULL};
    /* clang-format on */
    check_fields(c, st, fields, check_any_state_fields(), "a Map state");
    check_next_end(c, scope, st);
    check_data_flow(c, st);
    check_retry_catch(c, scope, st);

    const cJSON *it = check_get(st, "Iterator"), *proc = check_get(st, "ItemProcessor");
    if (!it && !proc)
        diag_key(c->u, DIAG_INVALID_MAP, st,
                 "Map state \"%s\" needs \"ItemProcessor\" (or the older \"Iterator\")", st->string);
    check_exclusive(c, it, proc);
    if (it)
        check_machine(c, it, CHECK_ITERATOR, scope, c->top_jsonata);
    if (proc)
        check_machine(c, proc, CHECK_PROCESSOR, scope, c->top_jsonata);

    check_path_field(c, check_get(st, "ItemsPath"), PATH_REFERENCE); /* AWS: a Reference Path */
    const cJSON *sel = check_get(st, "ItemSelector");
    check_template(c, sel);
    check_exclusive(c, check_get(st, "Parameters"), sel);
    count_pair(c, st, "MaxConcurrency", "MaxConcurrencyPath", 0, BIG);
    count_pair(c, st, "ToleratedFailureCount", "ToleratedFailureCountPath", 0, BIG);
    const cJSON *pct = check_get(st, "ToleratedFailurePercentage");
    if (pct) {
        if (!cJSON_IsNumber(pct))
            diag_val(c->u, DIAG_WRONG_TYPE, pct, "\"ToleratedFailurePercentage\" must be a number, found %s",
                     check_type_name(pct));
        else if (pct->valuedouble < 0 || pct->valuedouble > 100)
            diag_val(c->u, DIAG_INVALID_MAP, pct,
                     "\"ToleratedFailurePercentage\" must be between 0 and 100, found %g", pct->valuedouble);
    }
    const cJSON *pctp = check_get(st, "ToleratedFailurePercentagePath");
    check_path_field(c, pctp, PATH_REFERENCE);
    check_exclusive(c, pct, pctp);
    const cJSON *label = check_get(st, "Label");
    if (label)
        check_string(c, label);
    check_item_reader(c, check_get(st, "ItemReader"));
    check_result_writer(c, check_get(st, "ResultWriter"));
    check_item_batcher(c, check_get(st, "ItemBatcher"));
}
