/*
 * resultwriter.c - a distributed Map's ResultWriter, on local files that
 * stand for Amazon S3 (s3local.c).
 *
 * ResultWriter (Resource arn:aws:states:::s3:putObject, Parameters
 * {Bucket, Prefix}): writes PREFIX/MAP_RUN_ID/SUCCEEDED_0.json,
 * FAILED_0.json and PENDING_0.json (each only when it has entries; a JSON
 * array, or JSON Lines with WriterConfig OutputType JSONL) and
 * manifest.json {"DestinationBucket", "MapRunArn", "ResultFiles": {"FAILED":
 * [{"Key", "Size"}], "PENDING": [...], "SUCCEEDED": [...]}}, the files AWS
 * writes. Failures: States.ResultWriterFailed.
 *
 *
 * Layer: effects. Owns the texts while writing. Called by map.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "s3local.h"

/* ==== The ResultWriter ======================================================= */

/* mkdir -p [path] (its last component included). */
static bool make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        bool ok = mkdir(path, 0777) == 0 || errno == EEXIST;
        *p = '/';
        if (!ok)
            return false;
    }
    return mkdir(path, 0777) == 0 || errno == EEXIST;
}

static bool write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(text, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* One results file for [entries] when it has any: its {"Key", "Size"}
 * goes into [list]. */
static bool write_entries(asl_exec *x, const char *dir, const char *keydir, const char *name,
                          const cJSON *entries, bool jsonl, cJSON *list)
{
    if (cJSON_GetArraySize(entries) == 0)
        return true;
    rt_buf text = {0};
    bool ok = true;
    if (jsonl) {
        for (const cJSON *e = entries->child; ok && e; e = e->next) {
            char *t = rt_json_print(e);
            ok = t && rt_buf_str(&text, t) && rt_buf_str(&text, "\n");
            free(t);
        }
    } else {
        char *t = rt_json_print(entries);
        ok = t && rt_buf_str(&text, t);
        free(t);
    }
    rt_buf path = {0}, key = {0};
    ok = ok && rt_buf_str(&path, dir) && rt_buf_str(&path, "/") && rt_buf_str(&path, name) &&
         rt_buf_str(&key, keydir) && rt_buf_str(&key, name);
    if (ok && !write_text(path.p, text.p ? text.p : "", text.n)) {
        rt_s3_fail(x, WRITER_ERROR, "Cannot write the result file %s: %s", path.p, strerror(errno));
        ok = false;
    } else if (ok) {
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddStringToObject(o, "Key", key.p) &&
             cJSON_AddNumberToObject(o, "Size", (double)text.n) &&
             (cJSON_AddItemToArray(list, o) || (cJSON_Delete(o), false));
        if (!ok)
            asl_fail_with(x, "States.Runtime", "Out of memory.");
    } else {
        asl_fail_with(x, "States.Runtime", "Out of memory.");
    }
    free(text.p);
    free(path.p);
    free(key.p);
    return ok;
}

cJSON *rt_write_results(asl_exec *x, const asl_map_dist *d, const cJSON *eff, const cJSON *args,
                        const char *map_run_arn, const char *map_run_id,
                        const cJSON *succeeded, const cJSON *failed, const cJSON *pending)
{
    cJSON *params = args ? cJSON_Duplicate(args, 1)
                  : d->writer_parameters ? asl_build(x, d->writer_parameters, eff) : NULL;
    if ((args || d->writer_parameters) && !params)
        return asl_failed(x) ? NULL : (asl_fail_with(x, "States.Runtime", "Out of memory."), NULL);
    const char *bucket = rt_s3_param(params, "Bucket"), *prefix = rt_s3_param(params, "Prefix");
    if (!bucket) {
        cJSON_Delete(params);
        return rt_s3_fail(x, WRITER_ERROR, "The ResultWriter's Parameters have no \"Bucket\" string.", NULL,
                    NULL);
    }
    /* KEYDIR = PREFIX/MAP_RUN_ID/ (no doubled slash; no prefix: MAP_RUN_ID/) */
    rt_buf keydir = {0};
    bool ok = true;
    if (prefix && *prefix)
        ok = rt_buf_str(&keydir, prefix) && (rt_ends_with(prefix, "/") || rt_buf_str(&keydir, "/"));
    ok = ok && rt_buf_str(&keydir, map_run_id) && rt_buf_str(&keydir, "/");
    char *dir = ok ? rt_s3_path(x, WRITER_ERROR, bucket, keydir.p) : NULL;
    cJSON *result = NULL, *manifest = NULL;
    if (!ok) {
        asl_fail_with(x, "States.Runtime", "Out of memory.");
    } else if (dir) {
        size_t dl = strlen(dir);
        if (dl > 1 && dir[dl - 1] == '/')
            dir[dl - 1] = '\0';
        bool jsonl = d->output_type && strcmp(d->output_type, "JSONL") == 0;
        manifest = cJSON_CreateObject();
        cJSON *files = NULL, *lf = NULL, *lp = NULL, *ls = NULL;
        ok = manifest && cJSON_AddStringToObject(manifest, "DestinationBucket", bucket) &&
             cJSON_AddStringToObject(manifest, "MapRunArn", map_run_arn) &&
             (files = cJSON_AddObjectToObject(manifest, "ResultFiles")) &&
             (lf = cJSON_AddArrayToObject(files, "FAILED")) &&
             (lp = cJSON_AddArrayToObject(files, "PENDING")) &&
             (ls = cJSON_AddArrayToObject(files, "SUCCEEDED"));
        if (!ok) {
            asl_fail_with(x, "States.Runtime", "Out of memory.");
        } else if (!make_dirs(dir)) {
            rt_s3_fail(x, WRITER_ERROR, "Cannot create the result folder %s: %s", dir, strerror(errno));
            ok = false;
        } else {
            ok = write_entries(x, dir, keydir.p, "SUCCEEDED_0.json", succeeded, jsonl, ls) &&
                 write_entries(x, dir, keydir.p, "FAILED_0.json", failed, jsonl, lf) &&
                 write_entries(x, dir, keydir.p, "PENDING_0.json", pending, jsonl, lp);
        }
        rt_buf mkey = {0};
        char *mtext = ok ? rt_json_print(manifest) : NULL;
        if (ok && (!mtext || !rt_buf_str(&mkey, keydir.p) || !rt_buf_str(&mkey, "manifest.json"))) {
            asl_fail_with(x, "States.Runtime", "Out of memory.");
            ok = false;
        }
        if (ok) {
            rt_buf mpath = {0};
            ok = rt_buf_str(&mpath, dir) && rt_buf_str(&mpath, "/manifest.json");
            if (ok && !write_text(mpath.p, mtext, strlen(mtext))) {
                rt_s3_fail(x, WRITER_ERROR, "Cannot write %s: %s", mpath.p, strerror(errno));
                ok = false;
            }
            free(mpath.p);
        }
        if (ok) {
            result = cJSON_CreateObject();
            cJSON *det = NULL;
            if (!result || !cJSON_AddStringToObject(result, "MapRunArn", map_run_arn) ||
                !(det = cJSON_AddObjectToObject(result, "ResultWriterDetails")) ||
                !cJSON_AddStringToObject(det, "Bucket", bucket) ||
                !cJSON_AddStringToObject(det, "Key", mkey.p)) {
                cJSON_Delete(result);
                result = NULL;
                asl_fail_with(x, "States.Runtime", "Out of memory.");
            }
        }
        free(mtext);
        free(mkey.p);
    }
    cJSON_Delete(manifest);
    free(dir);
    free(keydir.p);
    cJSON_Delete(params);
    return result;
}
