/*
 * http_echo.c - a tiny loopback HTTP server for testing `http` Task
 * bindings: it stands in for a Lambda function behind the Runtime
 * Interface Emulator.
 *
 *   http_echo [PORT]     listen on 127.0.0.1:PORT (default 0: any free
 *                        port), print the port on stdout, serve until killed
 *
 * Every request is answered by its path:
 *   /echo      200, the request body back (Content-Type: application/json)
 *   /error     200 with X-Amz-Function-Error: Unhandled and a Lambda error
 *              object {"errorType":"HttpBoom",...}, as Lambda reports a
 *              function error
 *   /status500 500 with a plain-text body
 *   /empty     204 without a body
 *   /slow      the /echo answer after 5 seconds
 *   /headers   200, {"x-test": <the X-Test request header or null>}
 * and, for HTTP Tasks (any method):
 *   /reflect...  200, the request as JSON: {"method", "target" (path and
 *                query), "headers" (every one but Host, whose port varies),
 *                "body"}
 *   /status/NNN  status NNN with {"message":"status NNN"}
 *   /text        200 text/plain "plain words"
 *   /binary      200 application/octet-stream
 *   /token       an OAuth token {"access_token":"tok-123",...} when the
 *                request has Basic authorization, else 401
 *   anything else: 404
 * One connection at a time, Connection: close. Test-only: it trusts its
 * client (a request is at most 1 MiB, headers 16 KiB).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAX_HEAD = 16384, MAX_BODY = 1 << 20 };

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void reply_typed(int fd, int status, const char *reason, const char *type,
                        const char *extra, const char *body, size_t len)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%sContent-Length: "
                     "%zu\r\nConnection: close\r\n\r\n",
                     status, reason, type, extra, len);
    send_all(fd, head, (size_t)n);
    send_all(fd, body, len);
}

static void reply(int fd, int status, const char *reason, const char *extra, const char *body,
                  size_t len)
{
    reply_typed(fd, status, reason, "application/json", extra, body, len);
}

/* [s] (n bytes) as a JSON string at out[*k], bounded by cap. */
static void json_str(char *out, size_t cap, size_t *k, const char *s, size_t n)
{
    if (*k + 2 >= cap)
        return;
    out[(*k)++] = '"';
    for (size_t i = 0; i < n && *k + 8 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[(*k)++] = '\\';
            out[(*k)++] = (char)c;
        } else if (c < 0x20) {
            *k += (size_t)snprintf(out + *k, cap - *k, "\\u%04x", c);
        } else {
            out[(*k)++] = (char)c;
        }
    }
    out[(*k)++] = '"';
}

/* The /reflect answer: the request as JSON. */
static void reflect(int fd, const char *method, const char *path, const char *head,
                    const char *body, size_t blen)
{
    static char out[MAX_HEAD * 2 + MAX_BODY * 2];
    size_t k = 0, cap = sizeof out;
    k += (size_t)snprintf(out, cap, "{\"method\":");
    json_str(out, cap, &k, method, strlen(method));
    k += (size_t)snprintf(out + k, cap - k, ",\"target\":");
    json_str(out, cap, &k, path, strlen(path));
    k += (size_t)snprintf(out + k, cap - k, ",\"headers\":{");
    bool first = true;
    for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        size_t len = strcspn(line, "\r\n");
        const char *colon = memchr(line, ':', len);
        if (!colon || (colon - line == 4 && strncasecmp(line, "Host", 4) == 0))
            continue;
        const char *v = colon + 1;
        while (*v == ' ')
            v++;
        if (!first)
            out[k++] = ',';
        first = false;
        json_str(out, cap, &k, line, (size_t)(colon - line));
        out[k++] = ':';
        json_str(out, cap, &k, v, (size_t)(line + len - v));
    }
    k += (size_t)snprintf(out + k, cap - k, "},\"body\":");
    json_str(out, cap, &k, body, blen);
    out[k++] = '}';
    reply(fd, 200, "OK", "", out, k);
}

/* The value of header [name] in [head] (a static copy), or 0. */
static const char *header(const char *head, const char *name)
{
    static char val[256];
    size_t n = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            size_t k = strcspn(v, "\r\n");
            if (k >= sizeof val)
                k = sizeof val - 1;
            memcpy(val, v, k);
            val[k] = '\0';
            return val;
        }
    }
    return NULL;
}

static void serve(int fd)
{
    static char buf[MAX_HEAD + MAX_BODY + 1];
    size_t got = 0;
    char *end = NULL;
    while (!end && got < MAX_HEAD) {
        ssize_t r = recv(fd, buf + got, MAX_HEAD - got, 0);
        if (r <= 0)
            return;
        got += (size_t)r;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end)
        return;
    *end = '\0';
    char *body = end + 4;
    size_t have = got - (size_t)(body - buf);
    const char *cl = header(buf, "Content-Length");
    size_t want = cl ? strtoul(cl, NULL, 10) : 0;
    if (want > MAX_BODY)
        want = MAX_BODY;
    while (have < want) {
        ssize_t r = recv(fd, body + have, want - have, 0);
        if (r <= 0)
            break;
        have += (size_t)r;
    }
    char method[16] = "", path[256] = "";
    sscanf(buf, "%15s %255s", method, path);
    /* routes match the path without its query; /reflect shows the query */
    char target[256];
    memcpy(target, path, sizeof target);
    path[strcspn(path, "?")] = '\0';
    if (strcmp(path, "/echo") == 0) {
        reply(fd, 200, "OK", "", body, have);
    } else if (strcmp(path, "/slow") == 0) {
        sleep(5);
        reply(fd, 200, "OK", "", body, have);
    } else if (strcmp(path, "/error") == 0) {
        static const char e[] = "{\"errorType\":\"HttpBoom\",\"errorMessage\":\"the function "
                                "failed\"}";
        reply(fd, 200, "OK", "X-Amz-Function-Error: Unhandled\r\n", e, sizeof e - 1);
    } else if (strcmp(path, "/status500") == 0) {
        static const char e[] = "internal error";
        reply(fd, 500, "Internal Server Error", "", e, sizeof e - 1);
    } else if (strcmp(path, "/empty") == 0) {
        reply(fd, 204, "No Content", "", "", 0);
    } else if (strcmp(path, "/headers") == 0) {
        const char *h = header(buf, "X-Test");
        char out[400];
        int n = h ? snprintf(out, sizeof out, "{\"x-test\":\"%s\"}", h)
                  : snprintf(out, sizeof out, "{\"x-test\":null}");
        reply(fd, 200, "OK", "", out, (size_t)n);
    } else if (strncmp(path, "/reflect", 8) == 0) {
        reflect(fd, method, target, buf, body, have);
    } else if (strncmp(path, "/status/", 8) == 0) {
        int code = atoi(path + 8);
        char out[64];
        int n = snprintf(out, sizeof out, "{\"message\":\"status %d\"}", code);
        reply(fd, code >= 100 && code <= 999 ? code : 500, "Status Given", "", out, (size_t)n);
    } else if (strcmp(path, "/text") == 0) {
        reply_typed(fd, 200, "OK", "text/plain", "", "plain words", 11);
    } else if (strcmp(path, "/binary") == 0) {
        reply_typed(fd, 200, "OK", "application/octet-stream", "", "\x01\x02", 2);
    } else if (strncmp(path, "/token", 6) == 0) {
        const char *auth = header(buf, "Authorization");
        static const char tok[] = "{\"access_token\":\"tok-123\",\"token_type\":\"Bearer\","
                                  "\"expires_in\":3600}";
        if (auth && strncmp(auth, "Basic ", 6) == 0)
            reply(fd, 200, "OK", "", tok, sizeof tok - 1);
        else
            reply(fd, 401, "Unauthorized", "", "{}", 2);
    } else {
        reply(fd, 404, "Not Found", "", "{}", 2);
    }
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(argc > 1 ? atoi(argv[1]) : 0)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 16) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) != 0) {
        perror("http_echo");
        return 1;
    }
    printf("%d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0)
            continue;
        serve(c);
        shutdown(c, SHUT_WR);
        close(c);
    }
}
