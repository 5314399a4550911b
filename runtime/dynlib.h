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

/* The libcrypto functions the runtime calls (hashes, HMAC). */
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
    /* HMAC, for the SigV4 signatures libcurl cannot compute (aws_sign.c) */
    unsigned char *(*hmac)(const EVP_MD *md, const void *key, int keylen,
                           const unsigned char *d, size_t n, unsigned char *out,
                           unsigned int *outlen);
} rt_crypto_api;

/* The library, loaded once (thread-safe), or NULL when it cannot be
 * loaded; rt_dynlib_error then says why (a constant string, never NULL). */
const rt_curl_api *rt_curl(void);
const rt_crypto_api *rt_crypto(void);
const char *rt_dynlib_error(void);

/* The EVP_MD of a hash named as States.Hash and $hash name them (MD5,
 * SHA-1, SHA-256, SHA-384, SHA-512; [n] bytes of [name]), NULL if it is
 * none of them. Needs the loaded [api]. */
const EVP_MD *rt_crypto_md(const rt_crypto_api *api, const char *name, size_t n);

#endif
