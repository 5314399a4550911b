/*
 * dynlib.c - loads libcurl, libcrypto and libmicrohttpd with dlopen the
 * first time a workflow needs them (an HTTP Task, the Lambda Runtime API
 * loop, a hash, the --callback-port listener)
 * and resolves the functions the runtime calls (dynlib.h says why).
 *
 * Owns: the library handles, for the life of the process (never
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

/* ---- libcrypto */

static rt_crypto_api crypto_api;
static bool crypto_ok;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void load_crypto(void)
{
    static const char *const so[] = {"libcrypto.so.3", "libcrypto.so", NULL};
    static const char *const names[] = {
        "EVP_Digest", "EVP_md5", "EVP_sha1", "EVP_sha256", "EVP_sha384", "EVP_sha512",
        "EVP_MD_CTX_new", "EVP_MD_CTX_free", "EVP_DigestInit_ex", "EVP_DigestUpdate",
        "EVP_DigestFinal_ex",
    };
    void *slots[sizeof names / sizeof names[0]];
    if (!load("libcrypto (Debian package libssl3)", so, names, slots, sizeof names / sizeof names[0]))
        return;
    memcpy(&crypto_api.digest, &slots[0], sizeof(void *));
    memcpy(&crypto_api.md5, &slots[1], sizeof(void *));
    memcpy(&crypto_api.sha1, &slots[2], sizeof(void *));
    memcpy(&crypto_api.sha256, &slots[3], sizeof(void *));
    memcpy(&crypto_api.sha384, &slots[4], sizeof(void *));
    memcpy(&crypto_api.sha512, &slots[5], sizeof(void *));
    memcpy(&crypto_api.ctx_new, &slots[6], sizeof(void *));
    memcpy(&crypto_api.ctx_free, &slots[7], sizeof(void *));
    memcpy(&crypto_api.digest_init, &slots[8], sizeof(void *));
    memcpy(&crypto_api.digest_update, &slots[9], sizeof(void *));
    memcpy(&crypto_api.digest_final, &slots[10], sizeof(void *));
    crypto_ok = true;
}

const rt_crypto_api *rt_crypto(void)
{
    pthread_once(&crypto_once, load_crypto);
    return crypto_ok ? &crypto_api : NULL;
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
    mhd_ok = true;
}

const rt_mhd_api *rt_mhd(void)
{
    pthread_once(&mhd_once, load_mhd);
    return mhd_ok ? &mhd_api : NULL;
}

const EVP_MD *rt_crypto_md(const rt_crypto_api *api, const char *name, size_t n)
{
    const struct {
        const char *name;
        const EVP_MD *(*md)(void);
    } algs[] = {
        {"MD5", api->md5}, {"SHA-1", api->sha1}, {"SHA-256", api->sha256},
        {"SHA-384", api->sha384}, {"SHA-512", api->sha512},
    };
    for (size_t k = 0; k < sizeof algs / sizeof algs[0]; k++)
        if (strlen(algs[k].name) == n && memcmp(algs[k].name, name, n) == 0)
            return algs[k].md();
    return NULL;
}
