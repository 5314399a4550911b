/*
 * dynlib.c - loads libcurl, Nettle and libmicrohttpd with dlopen the
 * first time a workflow needs them (an HTTP Task, the Lambda Runtime API
 * loop, a hash, the --callback-port listener)
 * and resolves the functions the runtime calls (dynlib.h says why).
 *
 * Owns: the two library handles, for the life of the process (never
 * closed: their functions may run until exit). Each is loaded under a
 * pthread_once, so Map and Parallel threads may ask at the same time.
 *
 * Layer: base
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dynlib.h"

static char load_error[512] = "no library load failed";
static pthread_mutex_t error_lock = PTHREAD_MUTEX_INITIALIZER;

static void set_error(const char *what, const char *soname, const char *why)
{
    pthread_mutex_lock(&error_lock);
    snprintf(load_error, sizeof load_error, "%s is not available (%s: %s)", what, soname,
             why ? why : "unknown error");
    pthread_mutex_unlock(&error_lock);
}

const char *rt_dynlib_error(void)
{
    return load_error;
}

/* Opens the first of [sonames] that loads and resolves [n] symbols
 * [names] into [slots]; false (and the error set) if any is missing. */
static bool load(const char *what, const char *const *sonames, const char *const *names,
                 void **slots, size_t n)
{
    void *h = NULL;
    const char *why = NULL;
    for (const char *const *so = sonames; *so && !h; so++) {
        h = dlopen(*so, RTLD_NOW | RTLD_LOCAL);
        if (!h && !why)
            why = dlerror();
    }
    if (!h) {
        set_error(what, sonames[0], why);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        slots[i] = dlsym(h, names[i]);
        if (!slots[i]) {
            set_error(what, names[i], "symbol not found");
            return false; /* the handle stays open: harmless, loaded once */
        }
    }
    return true;
}

/* ---- libcurl */

static rt_curl_api curl_api;
static bool curl_ok;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void load_curl(void)
{
    static const char *const so[] = {"libcurl.so.4", "libcurl.so", NULL};
    static const char *const names[] = {
        "curl_global_init", "curl_easy_init", "curl_easy_setopt", "curl_easy_perform",
        "curl_easy_getinfo", "curl_easy_reset", "curl_easy_cleanup", "curl_easy_strerror",
        "curl_slist_append", "curl_slist_free_all",
    };
    void *slots[sizeof names / sizeof names[0]];
    if (!load("libcurl (Debian package libcurl4)", so, names, slots, sizeof names / sizeof names[0]))
        return;
    /* POSIX makes a data pointer from dlsym callable; memcpy keeps C11
     * from objecting to the conversion. */
    memcpy(&curl_api.global_init, &slots[0], sizeof(void *));
    memcpy(&curl_api.easy_init, &slots[1], sizeof(void *));
    memcpy(&curl_api.easy_setopt, &slots[2], sizeof(void *));
    memcpy(&curl_api.easy_perform, &slots[3], sizeof(void *));
    memcpy(&curl_api.easy_getinfo, &slots[4], sizeof(void *));
    memcpy(&curl_api.easy_reset, &slots[5], sizeof(void *));
    memcpy(&curl_api.easy_cleanup, &slots[6], sizeof(void *));
    memcpy(&curl_api.easy_strerror, &slots[7], sizeof(void *));
    memcpy(&curl_api.slist_append, &slots[8], sizeof(void *));
    memcpy(&curl_api.slist_free_all, &slots[9], sizeof(void *));
    curl_ok = true;
}

const rt_curl_api *rt_curl(void)
{
    pthread_once(&curl_once, load_curl);
    return curl_ok ? &curl_api : NULL;
}

/* ---- Nettle's hashes */

static const char *const hash_names[] = {"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"};
enum { NHASHES = sizeof hash_names / sizeof hash_names[0] };
static const struct nettle_hash *hashes[NHASHES];
static struct {
    void (*set_key)(struct hmac_sha256_ctx *c, size_t n, const uint8_t *key);
    void (*update)(struct hmac_sha256_ctx *c, size_t n, const uint8_t *d);
    void (*digest)(struct hmac_sha256_ctx *c, size_t n, uint8_t *out);
} hmac256;
static bool nettle_ok;
static pthread_once_t nettle_once = PTHREAD_ONCE_INIT;

static void load_nettle(void)
{
    static const char *const so[] = {"libnettle.so.8", "libnettle.so", NULL};
    /* Nettle describes each hash with a struct nettle_hash (nettle-meta.h):
     * its sizes and its init / update / digest functions */
    static const char *const names[] = {
        "nettle_md5", "nettle_sha1", "nettle_sha256", "nettle_sha384", "nettle_sha512",
        "nettle_hmac_sha256_set_key", "nettle_hmac_sha256_update", "nettle_hmac_sha256_digest",
    };
    enum { NSYMS = sizeof names / sizeof names[0] };
    void *slots[NSYMS];
    if (!load("Nettle (Debian package libnettle8)", so, names, slots, NSYMS))
        return;
    memcpy(&hmac256.set_key, &slots[NHASHES], sizeof(void *));
    memcpy(&hmac256.update, &slots[NHASHES + 1], sizeof(void *));
    memcpy(&hmac256.digest, &slots[NHASHES + 2], sizeof(void *));
    for (size_t i = 0; i < NHASHES; i++) {
        hashes[i] = slots[i];
        if (hashes[i]->context_size > sizeof(rt_hash_ctx) || hashes[i]->digest_size > RT_HASH_MAX) {
            set_error("Nettle (Debian package libnettle8)", names[i],
                      "a hash state larger than this program was built for");
            return;
        }
    }
    nettle_ok = true;
}

const struct nettle_hash *rt_hash(const char *name, size_t n)
{
    size_t k = 0;
    while (k < NHASHES && !(strlen(hash_names[k]) == n && memcmp(hash_names[k], name, n) == 0))
        k++;
    if (k == NHASHES)
        return NULL;
    pthread_once(&nettle_once, load_nettle);
    return nettle_ok ? hashes[k] : NULL;
}

bool rt_sha256(const void *d, size_t n, unsigned char out[32])
{
    const struct nettle_hash *h = rt_hash("SHA-256", 7);
    if (!h)
        return false;
    rt_hash_ctx ctx;
    h->init(&ctx);
    h->update(&ctx, n, d);
    h->digest(&ctx, 32, out);
    return true;
}

bool rt_hmac_sha256(const unsigned char *key, size_t keylen, const void *d, size_t n,
                    unsigned char out[32])
{
    pthread_once(&nettle_once, load_nettle);
    if (!nettle_ok)
        return false;
    struct hmac_sha256_ctx ctx;
    hmac256.set_key(&ctx, keylen, key);
    hmac256.update(&ctx, n, d);
    hmac256.digest(&ctx, 32, out);
    return true;
}

/* ---- libmicrohttpd */

static rt_mhd_api mhd_api;
static bool mhd_ok;
static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;

static void load_mhd(void)
{
    static const char *const so[] = {"libmicrohttpd.so.12", "libmicrohttpd.so", NULL};
    static const char *const names[] = {
        "MHD_start_daemon", "MHD_stop_daemon", "MHD_get_daemon_info",
        "MHD_lookup_connection_value", "MHD_create_response_from_buffer",
        "MHD_add_response_header", "MHD_queue_response", "MHD_destroy_response",
        "MHD_quiesce_daemon",
    };
    void *slots[sizeof names / sizeof names[0]];
    if (!load("libmicrohttpd (Debian package libmicrohttpd12)", so, names, slots,
              sizeof names / sizeof names[0]))
        return;
    memcpy(&mhd_api.start_daemon, &slots[0], sizeof(void *));
    memcpy(&mhd_api.stop_daemon, &slots[1], sizeof(void *));
    memcpy(&mhd_api.get_daemon_info, &slots[2], sizeof(void *));
    memcpy(&mhd_api.lookup_connection_value, &slots[3], sizeof(void *));
    memcpy(&mhd_api.create_response_from_buffer, &slots[4], sizeof(void *));
    memcpy(&mhd_api.add_response_header, &slots[5], sizeof(void *));
    memcpy(&mhd_api.queue_response, &slots[6], sizeof(void *));
    memcpy(&mhd_api.destroy_response, &slots[7], sizeof(void *));
    memcpy(&mhd_api.quiesce_daemon, &slots[8], sizeof(void *));
    mhd_ok = true;
}

const rt_mhd_api *rt_mhd(void)
{
    pthread_once(&mhd_once, load_mhd);
    return mhd_ok ? &mhd_api : NULL;
}
