/*
 * itemreader.c - a distributed Map's ItemReader, on local files that
 * stand for Amazon S3 (s3local.c). The ResultWriter is resultwriter.c.
 *
 * The mapping: s3://BUCKET/KEY is the file S3_ROOT/BUCKET/KEY, where
 * S3_ROOT is the executable's --s3-root (default: the current directory).
 * A bucket or key with a ".." component, or a bucket with a "/", is refused,
 * so a definition cannot reach outside S3_ROOT.
 *
 * ItemReader (Resource and Parameters as on AWS):
 * - arn:aws:states:::s3:getObject, Parameters {Bucket, Key}, ReaderConfig
 *   InputType
 *     JSON   the object is a JSON array of items (ItemsPointer, a JSON
 *            Pointer, selects the array inside a JSON object);
 *     JSONL  one JSON value per line (blank lines skipped);
 *     CSV    RFC 4180 with quotes; each row becomes an object of strings
 *            keyed by the header: the first row (CSVHeaderLocation
 *            FIRST_ROW, the default) or CSVHeaders (GIVEN); CSVDelimiter
 *            COMMA (default), PIPE, SEMICOLON, SPACE or TAB. A row with
 *            more or fewer fields than the header is an error, and so is
 *            a header that names a column twice;
 *     MANIFEST  an S3 Inventory manifest.json: every listed data file
 *            (CSV, gzip-compressed when its key ends in .gz; gzip -dc
 *            decompresses it) is read with the columns of "fileSchema";
 *            ManifestType ATHENA_DATA: a text file of s3:// URIs, each
 *            data file read as InputType (CSV or JSONL).
 * - arn:aws:states:::s3:listObjectsV2, Parameters {Bucket, Prefix}: one
 *   item per file under the prefix, in key order, shaped as AWS lists
 *   them: {"Etag": "\"<md5>\"", "Key", "LastModified": epoch seconds,
 *   "Size", "StorageClass": "STANDARD"}.
 * MaxItems / MaxItemsPath stop reading after that many items. Anything
 * unreadable or malformed fails the state with States.ItemReaderFailed.
 * Each item's $$.Map.Item.Source is recorded as runs (rt_item_srcs): the
 * bucket's URI for a listing, else the URI of the object the item was read
 * from (for a manifest, the data file, not the manifest), with AWS's
 * documented capital "S3://".
 *
 * Owns: the file buffers and directory listings while reading. Called by
 * map.c.
 *
 * Layer: effects
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


#include "dynlib.h"
#include "s3local.h"

/* ==== Reader configuration =================================================== */

typedef struct reader {
    asl_exec *x;
    const asl_map_dist *d;
    cJSON *items;
    long max;                /* 0: no limit */
    char delim;
    const char *const *given;  /* CSVHeaders with GIVEN */
    int ngiven;
    rt_item_srcs *src;         /* where the items came from */
} reader;

/* The items read from now on come from S3://[bucket]/[key] (or
 * S3://[bucket] when [key] is 0). A run that got no items is replaced. */
static bool source_begin(reader *r, const char *bucket, const char *key)
{
    rt_item_srcs *s = r->src;
    long start = cJSON_GetArraySize(r->items);
    rt_buf b = {0};
    if (!(rt_buf_str(&b, "S3://") && rt_buf_str(&b, bucket) &&
          (!key || (rt_buf_str(&b, "/") && rt_buf_str(&b, key))))) {
        free(b.p);
        return asl_fail_with(r->x, "States.Runtime", "Out of memory."), false;
    }
    if (s->n > 0 && s->v[s->n - 1].start == start) {
        free(s->v[s->n - 1].uri);
        s->v[s->n - 1].uri = b.p;
        return true;
    }
    if (s->n == s->cap) {
        long cap = s->cap ? 2 * s->cap : 4;
        rt_item_src *v = realloc(s->v, (size_t)cap * sizeof *v);
        if (!v) {
            free(b.p);
            return asl_fail_with(r->x, "States.Runtime", "Out of memory."), false;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (rt_item_src){start, b.p};
    return true;
}

const char *rt_item_source(const rt_item_srcs *s, long i)
{
    if (!s || s->n == 0)
        return NULL;
    long lo = 0, hi = s->n - 1; /* the last run starting at or before i */
    while (lo < hi) {
        long mid = lo + (hi - lo + 1) / 2;
        if (s->v[mid].start <= i)
            lo = mid;
        else
            hi = mid - 1;
    }
    return s->v[lo].uri;
}

void rt_item_srcs_free(rt_item_srcs *s)
{
    for (long k = 0; k < s->n; k++)
        free(s->v[k].uri);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* False (stop) once MaxItems is reached. */
static bool room(const reader *r)
{
    return r->max <= 0 || cJSON_GetArraySize(r->items) < r->max;
}

static bool add_item(reader *r, cJSON *v)
{
    if (!v)
        return false;
    if (!cJSON_AddItemToArray(r->items, v)) {
        cJSON_Delete(v);
        return false;
    }
    return true;
}

/* ==== CSV ==================================================================== */

typedef struct csv {
    const char *p, *end;
    char delim;
    long row;                /* 1-based, for messages */
} csv;

/* One record's fields (strings) into [out]; false at the end of input.
 * *bad is set on a malformed quote. */
static bool csv_record(csv *c, cJSON *out, bool *bad)
{
    if (c->p >= c->end)
        return false;
    c->row++;
    rt_buf f = {0};
    for (;;) {
        f.n = 0;
        if (!rt_buf_add(&f, "", 0)) {
            *bad = true;
            break;
        }
        if (c->p < c->end && *c->p == '"') {
            c->p++;
            for (;;) {
                if (c->p >= c->end) {
                    *bad = true;
                    free(f.p);
                    return true;
                }
                if (*c->p == '"') {
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        rt_buf_add(&f, "\"", 1);
                        c->p += 2;
                        continue;
                    }
                    c->p++;
                    break;
                }
                rt_buf_add(&f, c->p, 1);
                c->p++;
            }
            if (c->p < c->end && *c->p != c->delim && *c->p != '\n' && *c->p != '\r') {
                *bad = true;
                free(f.p);
                return true;
            }
        } else {
            const char *s = c->p;
            while (c->p < c->end && *c->p != c->delim && *c->p != '\n' && *c->p != '\r')
                c->p++;
            rt_buf_add(&f, s, (size_t)(c->p - s));
        }
        cJSON *v = cJSON_CreateString(f.p ? f.p : "");
        if (!v || !cJSON_AddItemToArray(out, v)) {
            cJSON_Delete(v);
            *bad = true;
            break;
        }
        if (c->p < c->end && *c->p == c->delim) {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '\r')
            c->p++;
        if (c->p < c->end && *c->p == '\n')
            c->p++;
        break;
    }
    free(f.p);
    return true;
}

static char delimiter(const char *name)
{
    if (!name || strcmp(name, "COMMA") == 0)
        return ',';
    if (strcmp(name, "PIPE") == 0)
        return '|';
    if (strcmp(name, "SEMICOLON") == 0)
        return ';';
    if (strcmp(name, "SPACE") == 0)
        return ' ';
    if (strcmp(name, "TAB") == 0)
        return '\t';
    return 0;
}

/* qsort order of header names (pointers to strings). */
static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether [header] names a column twice. Sorted, so a wide hostile header
 * costs n log n rather than n^2. -1 when out of memory. */
static int has_duplicate(const cJSON *header)
{
    int n = cJSON_GetArraySize(header);
    if (n < 2)
        return 0;
    const char **names = malloc((size_t)n * sizeof *names);
    if (!names)
        return -1;
    int i = 0;
    for (const cJSON *h = header->child; h && i < n; h = h->next)
        names[i++] = cJSON_IsString(h) ? h->valuestring : "";
    qsort(names, (size_t)i, sizeof *names, cmp_name);
    int dup = 0;
    for (int k = 1; k < i && !dup; k++)
        dup = strcmp(names[k - 1], names[k]) == 0;
    free(names);
    return dup;
}

/* The rows of CSV [text] as objects keyed by [header] (borrowed array of
 * strings), or by the first row when [header] is 0. [what] names the
 * object for messages. */
static bool read_csv(reader *r, const char *text, size_t len, const cJSON *header, const char *what)
{
    csv c = {text, text + len, r->delim, 0};
    cJSON *first = NULL;
    if (!header) {
        first = cJSON_CreateArray();
        bool bad = false;
        if (!first || !csv_record(&c, first, &bad) || bad) {
            cJSON_Delete(first);
            if (!first)
                return asl_fail_with(r->x, "States.Runtime", "Out of memory."), false;
            rt_s3_fail(r->x, READER_ERROR, "The CSV file %s has no valid header row.", what, NULL);
            return false;
        }
        header = first;
    }
    int dup = has_duplicate(header);
    if (dup) {
        cJSON_Delete(first);
        if (dup < 0)
            return asl_fail_with(r->x, "States.Runtime", "Out of memory."), false;
        asl_fail_with(r->x, READER_ERROR, "CSV headers cannot contain duplicates.");
        return false;
    }
    int nh = cJSON_GetArraySize(header);
    bool ok = true;
    while (ok && room(r)) {
        cJSON *row = cJSON_CreateArray();
        bool bad = false;
        if (!row) {
            ok = false;
            asl_fail_with(r->x, "States.Runtime", "Out of memory.");
            break;
        }
        if (!csv_record(&c, row, &bad)) {
            cJSON_Delete(row);
            break;
        }
        int nf = cJSON_GetArraySize(row);
        if (!bad && nf == 1 && row->child->valuestring[0] == '\0' && c.p >= c.end) {
            cJSON_Delete(row); /* the empty line after the last row */
            break;
        }
        if (bad || nf != nh) {
            char rowno[32], counts[64];
            snprintf(rowno, sizeof rowno, "%ld", c.row);
            if (bad)
                snprintf(counts, sizeof counts, "a malformed quoted field");
            else
                snprintf(counts, sizeof counts, "%d fields where the header has %d", nf, nh);
            rt_buf m = {0};
            rt_buf_str(&m, what);
            rt_buf_str(&m, ": row ");
            rt_buf_str(&m, rowno);
            rt_s3_fail(r->x, READER_ERROR, "The CSV file %s has %s.", m.p ? m.p : what, counts);
            free(m.p);
            cJSON_Delete(row);
            ok = false;
            break;
        }
        cJSON *obj = cJSON_CreateObject();
        const cJSON *h = header->child, *v = row->child;
        for (; obj && h && v; h = h->next, v = v->next) {
            cJSON *s = cJSON_CreateString(v->valuestring);
            if (!s || !cJSON_AddItemToObject(obj, cJSON_IsString(h) ? h->valuestring : "", s)) {
                cJSON_Delete(s);
                cJSON_Delete(obj);
                obj = NULL;
            }
        }
        cJSON_Delete(row);
        if (!add_item(r, obj)) {
            asl_fail_with(r->x, "States.Runtime", "Out of memory.");
            ok = false;
        }
    }
    cJSON_Delete(first);
    return ok;
}

/* ==== JSON, JSON Lines ======================================================= */

/* RFC 6901: "/a/0/b~1c". Returns the value (borrowed) or 0. */
static const cJSON *json_pointer(const cJSON *root, const char *ptr)
{
    if (!ptr || !*ptr)
        return root;
    if (*ptr != '/')
        return NULL;
    const cJSON *cur = root;
    const char *p = ptr + 1;
    for (;;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *tok = malloc(n + 1);
        if (!tok)
            return NULL;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (p[i] == '~' && i + 1 < n && (p[i + 1] == '0' || p[i + 1] == '1')) {
                tok[k++] = p[i + 1] == '0' ? '~' : '/';
                i++;
            } else {
                tok[k++] = p[i];
            }
        }
        tok[k] = '\0';
        if (cJSON_IsArray(cur)) {
            char *endp;
            long idx = strtol(tok, &endp, 10);
            cur = *tok && !*endp && idx >= 0 ? cJSON_GetArrayItem(cur, (int)idx) : NULL;
        } else if (cJSON_IsObject(cur)) {
            cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
        } else {
            cur = NULL;
        }
        free(tok);
        if (!cur || !e)
            return cur;
        p = e + 1;
    }
}

static bool read_json(reader *r, const char *text, size_t len, const char *what)
{
    char err[128] = "";
    cJSON *doc = rt_json_parse(text, len, err, sizeof err);
    if (!doc) {
        rt_s3_fail(r->x, READER_ERROR, "The JSON file %s is not valid JSON: %s", what, err);
        return false;
    }
    const cJSON *arr = json_pointer(doc, r->d->items_pointer);
    if (!cJSON_IsArray(arr)) {
        rt_s3_fail(r->x, READER_ERROR,
             r->d->items_pointer ? "The ItemsPointer %s does not select a JSON array in %s."
                                 : "%sThe JSON file %s does not hold a JSON array.",
             r->d->items_pointer ? r->d->items_pointer : "", what);
        cJSON_Delete(doc);
        return false;
    }
    bool ok = true;
    for (const cJSON *v = arr->child; ok && v && room(r); v = v->next)
        if (!add_item(r, cJSON_Duplicate(v, 1))) {
            asl_fail_with(r->x, "States.Runtime", "Out of memory.");
            ok = false;
        }
    cJSON_Delete(doc);
    return ok;
}

static bool read_jsonl(reader *r, const char *text, size_t len, const char *what)
{
    const char *p = text, *end = text + len;
    long line = 0;
    while (p < end && room(r)) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        line++;
        const char *s = p;
        while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s < e) {
            char err[128] = "";
            cJSON *v = rt_json_parse(s, (size_t)(e - s), err, sizeof err);
            if (!v) {
                char num[32];
                snprintf(num, sizeof num, "%ld", line);
                rt_buf m = {0};
                rt_buf_str(&m, what);
                rt_buf_str(&m, " line ");
                rt_buf_str(&m, num);
                rt_s3_fail(r->x, READER_ERROR, "The JSON Lines file %s is not valid JSON: %s",
                     m.p ? m.p : what, err);
                free(m.p);
                return false;
            }
            if (!add_item(r, v)) {
                asl_fail_with(r->x, "States.Runtime", "Out of memory.");
                return false;
            }
        }
        p = nl ? nl + 1 : end;
    }
    return true;
}

/* ==== Manifests ============================================================== */

/* "arn:aws:s3:::bucket" or "bucket" */
static const char *bucket_of(const char *s)
{
    const char *p = strstr(s, ":::");
    return p ? p + 3 : s;
}

/* s3://bucket/key into fresh bucket and key strings. */
static bool split_uri(const char *uri, char **bucket, char **key)
{
    if (strncmp(uri, "s3://", 5) != 0)
        return false;
    const char *b = uri + 5, *slash = strchr(b, '/');
    if (!slash || slash == b)
        return false;
    *bucket = strndup(b, (size_t)(slash - b));
    *key = strdup(slash + 1);
    return *bucket && *key;
}

static bool read_inventory(reader *r, const char *text, size_t len, const char *what)
{
    char err[128] = "";
    cJSON *m = rt_json_parse(text, len, err, sizeof err);
    const cJSON *dest = m ? cJSON_GetObjectItemCaseSensitive(m, "destinationBucket") : NULL;
    const cJSON *schema = m ? cJSON_GetObjectItemCaseSensitive(m, "fileSchema") : NULL;
    const cJSON *files = m ? cJSON_GetObjectItemCaseSensitive(m, "files") : NULL;
    const cJSON *format = m ? cJSON_GetObjectItemCaseSensitive(m, "fileFormat") : NULL;
    if (!cJSON_IsString(dest) || !cJSON_IsString(schema) || !cJSON_IsArray(files)) {
        rt_s3_fail(r->x, READER_ERROR,
             "The manifest %s is not an S3 Inventory manifest (destinationBucket, fileSchema and files%s).",
             what, err[0] ? ", or not JSON" : "");
        cJSON_Delete(m);
        return false;
    }
    if (cJSON_IsString(format) && strcmp(format->valuestring, "CSV") != 0) {
        rt_s3_fail(r->x, READER_ERROR, "The manifest %s lists %s files; only CSV inventories can be read.",
             what, format->valuestring);
        cJSON_Delete(m);
        return false;
    }
    /* "Bucket, Key, Size" -> ["Bucket", "Key", "Size"] */
    cJSON *header = cJSON_CreateArray();
    for (const char *p = schema->valuestring; header && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *s = p;
        while (*p && *p != ',')
            p++;
        const char *e = p;
        while (e > s && e[-1] == ' ')
            e--;
        if (e > s) {
            char *name = strndup(s, (size_t)(e - s));
            cJSON *v = name ? cJSON_CreateString(name) : NULL;
            free(name);
            if (!v || !cJSON_AddItemToArray(header, v)) {
                cJSON_Delete(v);
                cJSON_Delete(header);
                header = NULL;
            }
        }
    }
    bool ok = header != NULL;
    if (!ok)
        asl_fail_with(r->x, "States.Runtime", "Out of memory.");
    char saved = r->delim;
    r->delim = ',';
    const char *bucket = bucket_of(dest->valuestring);
    for (const cJSON *f = files->child; ok && f && room(r); f = f->next) {
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(f, "key");
        if (!cJSON_IsString(key)) {
            rt_s3_fail(r->x, READER_ERROR, "The manifest %s has a file without a \"key\".", what, NULL);
            ok = false;
            break;
        }
        size_t n = 0;
        char *data = source_begin(r, bucket, key->valuestring)
                         ? rt_s3_read(r->x, bucket, key->valuestring, &n) : NULL;
        if (!data) {
            ok = false;
            break;
        }
        ok = read_csv(r, data, n, header, key->valuestring);
        free(data);
    }
    r->delim = saved;
    cJSON_Delete(header);
    cJSON_Delete(m);
    return ok;
}

static bool read_one(reader *r, const char *type, const char *text, size_t len, const char *what);

/* ATHENA_DATA: the manifest is a list of s3:// URIs of data files. */
static bool read_athena(reader *r, const char *text, size_t len, const char *type, const char *what)
{
    const char *p = text, *end = text + len;
    bool ok = true;
    while (ok && p < end && room(r)) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        while (e > p && (e[-1] == '\r' || e[-1] == ' '))
            e--;
        if (e > p) {
            char *uri = strndup(p, (size_t)(e - p)), *bucket = NULL, *key = NULL;
            if (!uri || !split_uri(uri, &bucket, &key)) {
                rt_s3_fail(r->x, READER_ERROR, "The manifest %s lists \"%s\", which is not an s3:// URI.",
                     what, uri ? uri : "");
                ok = false;
            } else {
                size_t n = 0;
                char *data = source_begin(r, bucket, key) ? rt_s3_read(r->x, bucket, key, &n) : NULL;
                ok = data && read_one(r, type, data, n, uri);
                free(data);
            }
            free(uri);
            free(bucket);
            free(key);
        }
        p = nl ? nl + 1 : end;
    }
    return ok;
}

static bool read_one(reader *r, const char *type, const char *text, size_t len, const char *what)
{
    if (strcmp(type, "JSON") == 0)
        return read_json(r, text, len, what);
    if (strcmp(type, "JSONL") == 0)
        return read_jsonl(r, text, len, what);
    if (strcmp(type, "CSV") == 0) {
        cJSON *given = NULL;
        const char *loc = r->d->csv_header_location;
        if (loc && strcmp(loc, "GIVEN") == 0) {
            given = cJSON_CreateStringArray(r->given, r->ngiven);
            if (!given)
                return asl_fail_with(r->x, "States.Runtime", "Out of memory."), false;
        }
        bool ok = read_csv(r, text, len, given, what);
        cJSON_Delete(given);
        return ok;
    }
    rt_s3_fail(r->x, READER_ERROR, "InputType %s cannot be read here (JSON, JSONL, CSV or MANIFEST).", type,
         NULL);
    return false;
}

/* ==== listObjectsV2 ========================================================== */

/* The hex MD5 of a file's bytes (Nettle), for the Etag of a listed
 * object. */
static bool file_md5(const char *path, char out[33])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    const struct nettle_hash *h = rt_hash("MD5", 3);
    if (!h) {
        fclose(f);
        return false;
    }
    rt_hash_ctx ctx;
    h->init(&ctx);
    unsigned char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        h->update(&ctx, n, chunk);
    bool ok = !ferror(f);
    fclose(f);
    unsigned char md[16];
    h->digest(&ctx, sizeof md, md);
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; ok && i < 16; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[32] = '\0';
    return ok;
}

/* Every regular file under [dir] whose key (relative path) starts with
 * [prefix], appended to [keys] (an array of strings). */
static bool list_dir(const char *dir, const char *rel, const char *prefix, cJSON *keys)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT || errno == ENOTDIR;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        rt_buf path = {0}, key = {0};
        ok = rt_buf_str(&path, dir) && rt_buf_str(&path, "/") && rt_buf_str(&path, e->d_name) &&
             rt_buf_str(&key, rel) && (!*rel || rt_buf_str(&key, "/")) && rt_buf_str(&key, e->d_name);
        struct stat st;
        if (ok && stat(path.p, &st) == 0) {
            size_t kl = strlen(key.p), pl = strlen(prefix);
            /* descend only where the prefix can still match */
            bool could = strncmp(key.p, prefix, kl < pl ? kl : pl) == 0;
            if (S_ISDIR(st.st_mode) && could)
                ok = list_dir(path.p, key.p, prefix, keys);
            else if (S_ISREG(st.st_mode) && kl >= pl && strncmp(key.p, prefix, pl) == 0) {
                cJSON *s = cJSON_CreateString(key.p);
                ok = s && (cJSON_AddItemToArray(keys, s) || (cJSON_Delete(s), false));
            }
        }
        free(path.p);
        free(key.p);
    }
    closedir(d);
    return ok;
}

static int cmp_keys(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->valuestring, y->valuestring);
}

static bool read_listing(reader *r, const char *bucket, const char *prefix)
{
    char *root = rt_s3_path(r->x, READER_ERROR, bucket, NULL);
    if (!root)
        return false;
    struct stat st;
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        rt_s3_fail(r->x, READER_ERROR, "The bucket %s does not exist (no local folder %s).", bucket, root);
        free(root);
        return false;
    }
    cJSON *keys = cJSON_CreateArray();
    bool ok = keys && list_dir(root, "", prefix ? prefix : "", keys);
    int n = ok ? cJSON_GetArraySize(keys) : 0;
    cJSON **v = n > 0 ? malloc((size_t)n * sizeof *v) : NULL;
    if (n > 0 && !v)
        ok = false;
    if (!ok) {
        asl_fail_with(r->x, "States.Runtime", "Out of memory while listing objects.");
    } else {
        int i = 0;
        for (cJSON *k = keys->child; k; k = k->next)
            v[i++] = k;
        qsort(v, (size_t)n, sizeof *v, cmp_keys); /* S3 lists keys in byte order */
        for (i = 0; ok && i < n && room(r); i++) {
            char *path = rt_s3_path(r->x, READER_ERROR, bucket, v[i]->valuestring);
            char md[33], etag[40];
            if (!path || stat(path, &st) != 0 || !file_md5(path, md)) {
                if (path)
                    rt_s3_fail(r->x, READER_ERROR, "Cannot read s3://%s/%s.", bucket, v[i]->valuestring);
                free(path);
                ok = false;
                break;
            }
            free(path);
            snprintf(etag, sizeof etag, "\"%s\"", md);
            cJSON *o = cJSON_CreateObject();
            bool good = o && cJSON_AddStringToObject(o, "Etag", etag) &&
                        cJSON_AddStringToObject(o, "Key", v[i]->valuestring) &&
                        cJSON_AddNumberToObject(o, "LastModified", (double)st.st_mtime) &&
                        cJSON_AddNumberToObject(o, "Size", (double)st.st_size) &&
                        cJSON_AddStringToObject(o, "StorageClass", "STANDARD");
            if (!good) {
                cJSON_Delete(o);
                o = NULL;
            }
            if (!add_item(r, o)) {
                asl_fail_with(r->x, "States.Runtime", "Out of memory.");
                ok = false;
            }
        }
    }
    free(v);
    cJSON_Delete(keys);
    free(root);
    return ok;
}

/* ==== The ItemReader ========================================================= */



cJSON *rt_read_items(asl_exec *x, const asl_map_dist *d, const cJSON *eff, const cJSON *args,
                     rt_item_srcs *src)
{
    reader r = {.x = x, .d = d, .max = d->max_items, .src = src};
    if (d->max_items_path) {
        const cJSON *v = asl_select(x, d->max_items_path, eff);
        if (!v)
            return NULL;
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble != (double)(long)v->valuedouble) {
            char *t = rt_json_print(v);
            asl_fail_runtime(x, "The MaxItemsPath field refers to value \"%s\" which is not a valid integer: %s",
                             t ? t : "", d->max_items_path->text);
            free(t);
            return NULL;
        }
        r.max = (long)v->valuedouble;
    }
    r.delim = delimiter(d->csv_delimiter);
    if (!r.delim)
        return rt_s3_fail(x, READER_ERROR, "CSVDelimiter %s is not one of COMMA, PIPE, SEMICOLON, SPACE, TAB.",
                    d->csv_delimiter, NULL);
    r.given = d->csv_headers;
    r.ngiven = d->ncsv_headers;

    cJSON *params = args ? cJSON_Duplicate(args, 1)
                  : d->reader_parameters ? asl_build(x, d->reader_parameters, eff) : NULL;
    if ((args || d->reader_parameters) && !params)
        return asl_failed(x) ? NULL : (asl_fail_with(x, "States.Runtime", "Out of memory."), NULL);
    const char *bucket = rt_s3_param(params, "Bucket"), *key = rt_s3_param(params, "Key");
    const char *res = d->reader_resource;
    r.items = cJSON_CreateArray();
    bool ok = r.items != NULL;
    if (!ok) {
        asl_fail_with(x, "States.Runtime", "Out of memory.");
    } else if (!bucket) {
        rt_s3_fail(x, READER_ERROR, "The ItemReader's Parameters have no \"Bucket\" string.", NULL, NULL);
        ok = false;
    } else if (rt_ends_with(res, "s3:listObjectsV2")) {
        /* no Transformation here: every listed item's Source is the bucket */
        ok = source_begin(&r, bucket, NULL) && read_listing(&r, bucket, rt_s3_param(params, "Prefix"));
    } else if (rt_ends_with(res, "s3:getObject")) {
        const char *type = d->input_type ? d->input_type : "JSON";
        size_t len = 0;
        char *text = NULL;
        if (!key) {
            rt_s3_fail(x, READER_ERROR, "The ItemReader's Parameters have no \"Key\" string.", NULL, NULL);
            ok = false;
        } else if (!(text = rt_s3_read(x, bucket, key, &len))) {
            ok = false;
        } else if (strcmp(type, "MANIFEST") == 0) {
            if (d->manifest_type && strcmp(d->manifest_type, "ATHENA_DATA") == 0)
                ok = read_athena(&r, text, len, "CSV", key);
            else
                ok = read_inventory(&r, text, len, key);
        } else {
            ok = source_begin(&r, bucket, key) && read_one(&r, type, text, len, key);
        }
        free(text);
    } else {
        rt_s3_fail(x, READER_ERROR,
             "The ItemReader resource %s is not supported (s3:getObject or s3:listObjectsV2).", res,
             NULL);
        ok = false;
    }
    cJSON_Delete(params);
    if (!ok) {
        cJSON_Delete(r.items);
        return NULL;
    }
    return r.items;
}
