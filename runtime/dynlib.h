/*
 * dynlib.h - libcurl and libcrypto, loaded on first use (dlopen) instead
 * of linked: a workflow that makes no HTTP call and computes no hash does
 * not pay the dynamic loader for them (libcurl alone pulls in some thirty
 * libraries, about 10 ms of start-up), and neither does `aslc check`.
 * Only the types and constants of their headers are used at compile time.
 *
 * Layer: base
 */
#ifndef ASLC_DYNLIB_H
#define ASLC_DYNLIB_H

#include <stddef.h>

#include <curl/curl.h>
#include <microhttpd.h>
#include <openssl/evp.h>

/* The libcurl functions the runtime calls (http.c, lambda.c). */
typedef struct rt_curl_api {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *c);
    CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
    void (*easy_reset)(CURL *c);
    void (*easy_cleanup)(CURL *c);
    const char *(*easy_strerror)(CURLcode rc);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
} rt_curl_api;

/* The libcrypto functions the runtime calls (hashes). */
typedef struct rt_crypto_api {
    int (*digest)(const void *data, size_t n, unsigned char *md, unsigned int *mdlen,
                  const EVP_MD *type, ENGINE *impl);
    const EVP_MD *(*md5)(void);
    const EVP_MD *(*sha1)(void);
    const EVP_MD *(*sha256)(void);
    const EVP_MD *(*sha384)(void);
    const EVP_MD *(*sha512)(void);
    EVP_MD_CTX *(*ctx_new)(void);
    void (*ctx_free)(EVP_MD_CTX *ctx);
    int (*digest_init)(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl);
    int (*digest_update)(EVP_MD_CTX *ctx, const void *d, size_t n);
    int (*digest_final)(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *n);
} rt_crypto_api;

/* The libmicrohttpd functions the --callback-port listener calls
 * (callback_listen.c): executables must not need it to start. */
typedef struct rt_mhd_api {
    struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
                                       void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls,
                                       ...);
    void (*stop_daemon)(struct MHD_Daemon *d);
    const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *d,
                                                   enum MHD_DaemonInfoType info, ...);
    const char *(*lookup_connection_value)(struct MHD_Connection *c, enum MHD_ValueKind kind,
                                           const char *key);
    struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer,
                                                        enum MHD_ResponseMemoryMode mode);
    enum MHD_Result (*add_response_header)(struct MHD_Response *r, const char *header,
                                           const char *content);
    enum MHD_Result (*queue_response)(struct MHD_Connection *c, unsigned int status,
                                      struct MHD_Response *r);
    void (*destroy_response)(struct MHD_Response *r);
} rt_mhd_api;

/* The library, loaded once (thread-safe), or NULL when it cannot be
 * loaded; rt_dynlib_error then says why (a constant string, never NULL). */
const rt_curl_api *rt_curl(void);
const rt_crypto_api *rt_crypto(void);
const rt_mhd_api *rt_mhd(void);
const char *rt_dynlib_error(void);

/* The EVP_MD of a hash named as States.Hash and $hash name them (MD5,
 * SHA-1, SHA-256, SHA-384, SHA-512; [n] bytes of [name]), NULL if it is
 * none of them. Needs the loaded [api]. */
const EVP_MD *rt_crypto_md(const rt_crypto_api *api, const char *name, size_t n);

#endif
