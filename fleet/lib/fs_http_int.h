/* What the HTTP server and client share: limits, growable buffers, the
 * packed header list both sides fill from http-parser's callbacks, and two
 * formatting helpers. Internal to fs_http_server.c and fs_http_client.c. */
#ifndef FS_HTTP_INT_H
#define FS_HTTP_INT_H

#include "fs_addr.h"
#include "fs_http.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FS__HTTP_MAX_HEAD   (64u << 10) /* URL + header bytes of a request */
#define FS__HTTP_READ_CHUNK (64u << 10)
#define FS__HTTP_IN_HIGH    (256u << 10) /* stop reading pipelined input here */
#define FS__HTTP_DRAIN_MAX  (4u << 20)   /* discarded after a closing answer */
#define FS__HTTP_MAX_CONNS  512
#define FS__HTTP_MAX_RESP   (4 * (size_t)FS_HTTP_MAX_BODY)
#define FS__HTTP_PEER_LEN   64

/* ---- growable buffers and header lists, shared by both sides ---- */

typedef struct {
    char *p;
    size_t len, cap;
} fs__buf_t;

/* Keeps p NUL-terminated so bodies and header strings need no extra step. */
static inline int fs__buf_append(fs__buf_t *b, const char *at, size_t n, size_t limit)
{
    if (n > limit || b->len > limit - n)
        return -E2BIG;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, at, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

/* http-parser hands names and values over in pieces; they are packed as
 * "name\0value\0..." and located by offset because the buffer moves. */
typedef struct {
    fs__buf_t b;
    uint32_t name[FS_HTTP_MAX_HEADERS], value[FS_HTTP_MAX_HEADERS];
    unsigned n;
    int state; /* 0 nothing yet, 1 inside a name, 2 inside a value */
} fs__hdrs_t;

static inline int fs__hdrs_field(fs__hdrs_t *h, const char *at, size_t n, size_t limit)
{
    if (h->state != 1) {
        if (h->n == FS_HTTP_MAX_HEADERS)
            return -E2BIG;
        if (h->state == 2 && fs__buf_append(&h->b, "", 1, limit) < 0)
            return -E2BIG;
        h->name[h->n++] = (uint32_t)h->b.len;
        h->state = 1;
    }
    return fs__buf_append(&h->b, at, n, limit);
}

static inline int fs__hdrs_value(fs__hdrs_t *h, const char *at, size_t n, size_t limit)
{
    if (h->state == 0)
        return -EINVAL;
    if (h->state == 1) {
        if (fs__buf_append(&h->b, "", 1, limit) < 0)
            return -E2BIG;
        h->value[h->n - 1] = (uint32_t)h->b.len;
        h->state = 2;
    }
    return fs__buf_append(&h->b, at, n, limit);
}

static inline const char *fs__hdrs_get(const fs__hdrs_t *h, const char *name)
{
    if (h->state == 1 || !name)
        return NULL;
    for (unsigned i = 0; i < h->n; i++)
        if (strcasecmp(h->b.p + h->name[i], name) == 0)
            return h->b.p + h->value[i];
    return NULL;
}

/* A name without its value (state 1) exists only mid-parse; it is not
 * counted, so iteration never sees a half-built entry. */
static inline size_t fs__hdrs_count(const fs__hdrs_t *h)
{
    return h->n - (h->state == 1);
}

static inline int fs__hdrs_at(const fs__hdrs_t *h, size_t i, const char **name, const char **value)
{
    if (i >= fs__hdrs_count(h))
        return -ERANGE;
    if (name)
        *name = h->b.p + h->name[i];
    if (value)
        *value = h->b.p + h->value[i];
    return 0;
}

static inline void fs__addr_format(const struct sockaddr *sa, char *buf, size_t len)
{
    char ip[INET6_ADDRSTRLEN] = "";
    buf[0] = '\0';
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        uv_ip4_name(in, ip, sizeof(ip));
        snprintf(buf, len, "%s:%d", ip, ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        uv_ip6_name(in6, ip, sizeof(ip));
        snprintf(buf, len, "[%s]:%d", ip, ntohs(in6->sin6_port));
    }
}

/* printf into a new block with room for `before` bytes ahead of the text and
 * `after` behind it (a write request's header, a body). */
__attribute__((format(printf, 4, 5))) static inline void *
fs__fmt_alloc(size_t before, size_t after, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = malloc(before + (size_t)n + 1 + after);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p + before, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *len = (size_t)n;
    return p;
}

#endif
