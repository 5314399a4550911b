/*
 * dynlib.h - libcurl, Nettle's hashes and libmicrohttpd (the
 * --callback-port listener), loaded on first use (dlopen) instead of
 * linked: a workflow that makes no HTTP call and computes no hash does not
 * pay the dynamic loader for them (libcurl alone pulls in some thirty
 * libraries, about 10 ms of start-up), and neither does `aslc check`. Only the types and constants of their headers are used at
 * compile time.
 *
 * Hashes come from Nettle, not OpenSSL's libcrypto: measured on this
 * project's machines, loading libcrypto and its first digest cost 3-4 ms
 * of CPU (OpenSSL 3 initialises its providers), Nettle 0.3 ms, and one
 * States.Hash was then most of a 50-state workflow's run.
 *
 * Layer: base
 */
#ifndef ASLC_DYNLIB_H
#define ASLC_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>
#include <microhttpd.h>
#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

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

/* The libmicrohttpd functions the --callback-port listener
 * (callback_listen.c) and `aslc serve` (server/http.c) call: executables
 * must not need it to start, and aslc's other commands must not pay for
 * it (with GnuTLS behind it, linking it cost every aslc command 2.5 ms). */
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
    MHD_socket (*quiesce_daemon)(struct MHD_Daemon *d);
} rt_mhd_api;

/* A hash function's state, big enough for every hash rt_hash names. */
typedef union rt_hash_ctx {
    struct md5_ctx md5;
    struct sha1_ctx sha1;
    struct sha256_ctx sha256;
    struct sha512_ctx sha512; /* also SHA-384's */
} rt_hash_ctx;

/* The library, loaded once (thread-safe), or NULL when it cannot be
 * loaded; rt_dynlib_error then says why (a constant string, never NULL). */
const rt_curl_api *rt_curl(void);
const rt_mhd_api *rt_mhd(void);
const char *rt_dynlib_error(void);

/* The hash named as States.Hash and $hash name them (MD5, SHA-1, SHA-256,
 * SHA-384, SHA-512; [n] bytes of [name]), from Nettle loaded on first
 * use (thread-safe). NULL when it is none of them or when Nettle cannot
 * be loaded; rt_dynlib_error then says why. Use it as
 * h->init(&ctx), h->update(&ctx, len, data), h->digest(&ctx, h->digest_size, out),
 * with an rt_hash_ctx; digests are at most RT_HASH_MAX bytes. */
const struct nettle_hash *rt_hash(const char *name, size_t n);
enum { RT_HASH_MAX = 64 };

/* SHA-256 of [n] bytes and HMAC-SHA256 of them under [key] (the SigV4
 * pieces libcurl does not compute for us: aws_sign.c, aws_s3.c), from
 * Nettle. false when Nettle cannot be loaded. */
bool rt_sha256(const void *d, size_t n, unsigned char out[32]);
bool rt_hmac_sha256(const unsigned char *key, size_t keylen, const void *d, size_t n,
                    unsigned char out[32]);

#endif
