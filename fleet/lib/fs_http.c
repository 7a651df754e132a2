/* HTTP/1.1 server and keep-alive client pool on libuv. All HTTP parsing is
 * http-parser's; this file only moves bytes, enforces limits and keeps the
 * request/connection lifetimes straight when either side goes away. */
#include "fs_http.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
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
static int buf_append(fs__buf_t *b, const char *at, size_t n, size_t limit)
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

static int hdrs_field(fs__hdrs_t *h, const char *at, size_t n, size_t limit)
{
    if (h->state != 1) {
        if (h->n == FS_HTTP_MAX_HEADERS)
            return -E2BIG;
        if (h->state == 2 && buf_append(&h->b, "", 1, limit) < 0)
            return -E2BIG;
        h->name[h->n++] = (uint32_t)h->b.len;
        h->state = 1;
    }
    return buf_append(&h->b, at, n, limit);
}

static int hdrs_value(fs__hdrs_t *h, const char *at, size_t n, size_t limit)
{
    if (h->state == 0)
        return -EINVAL;
    if (h->state == 1) {
        if (buf_append(&h->b, "", 1, limit) < 0)
            return -E2BIG;
        h->value[h->n - 1] = (uint32_t)h->b.len;
        h->state = 2;
    }
    return buf_append(&h->b, at, n, limit);
}

static const char *hdrs_get(const fs__hdrs_t *h, const char *name)
{
    if (h->state == 1 || !name)
        return NULL;
    for (unsigned i = 0; i < h->n; i++)
        if (strcasecmp(h->b.p + h->name[i], name) == 0)
            return h->b.p + h->value[i];
    return NULL;
}

static void addr_format(const struct sockaddr *sa, char *buf, size_t len)
{
    char ip[64] = "";
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
__attribute__((format(printf, 4, 5))) static void *fmt_alloc(size_t before, size_t after,
                                                             size_t *len, const char *fmt, ...)
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

const char *fs_http_status_text(int status)
{
    static const struct {
        int code;
        const char *text;
    } texts[] = {
        {100, "Continue"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {304, "Not Modified"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {413, "Payload Too Large"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        if (texts[i].code == status)
            return texts[i].text;
    return "Unknown";
}

/* ---- server ---- */

typedef struct fs__sconn_s fs__sconn_t;

struct fs_http_server_s {
    uv_loop_t *loop;
    uv_tcp_t listener;
    fs_http_handler_cb handler;
    void *data;
    fs_http_observe_cb observe;
    void *observe_data;
    fs__sconn_t *conns;
    size_t handles; /* listener + connections not yet through close_cb */
    size_t pending; /* requests handed out and not answered yet */
    uint64_t accepted;
    int closing;
};

struct fs__sconn_s {
    uv_tcp_t tcp;
    fs_http_server_t *srv;
    fs__sconn_t *prev, *next;
    http_parser parser;
    char *in; /* read buffer; [in_off, in_len) is not parsed yet */
    size_t in_off, in_len, in_cap;
    fs_http_req_t *cur;     /* being parsed */
    fs_http_req_t *pending; /* with the handler */
    int err_status;         /* decided in a parser callback; -1 = just close */
    size_t drained;
    unsigned msg_done : 1, reading : 1, draining : 1, closing : 1;
    char peer[FS__HTTP_PEER_LEN];
};

struct fs_http_req_s {
    fs_http_server_t *srv;
    fs__sconn_t *conn; /* NULL once the connection has gone */
    enum http_method method;
    fs__buf_t url;
    char *path, *query; /* one allocation, "path\0query\0" */
    fs__hdrs_t hdrs;
    fs__buf_t body;
    int keep_alive;
    uint64_t done_ns;
};

typedef struct {
    uv_write_t w;
    fs__sconn_t *conn;
    char data[];
} fs__swrite_t;

static void server_maybe_free(fs_http_server_t *s)
{
    if (s->closing && s->handles == 0 && s->pending == 0)
        free(s);
}

static fs_http_req_t *req_new(fs__sconn_t *c)
{
    fs_http_req_t *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->srv = c->srv;
    r->conn = c;
    r->method = HTTP_GET;
    return r;
}

static void req_free(fs_http_req_t *r)
{
    if (!r)
        return;
    free(r->url.p);
    free(r->path);
    free(r->hdrs.b.p);
    free(r->body.p);
    free(r);
}

static void conn_close_cb(uv_handle_t *h)
{
    fs__sconn_t *c = h->data;
    fs_http_server_t *s = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c->in);
    free(c);
    s->handles--;
    server_maybe_free(s);
}

/* A request still with the handler outlives its connection: it only loses
 * the back pointer, and fs_http_respond() then reports -ENOTCONN. */
static void conn_close(fs__sconn_t *c)
{
    if (c->closing)
        return;
    c->closing = 1;
    if (c->pending) {
        c->pending->conn = NULL;
        c->pending = NULL;
    }
    req_free(c->cur);
    c->cur = NULL;
    uv_close((uv_handle_t *)&c->tcp, conn_close_cb);
}

static fs__sconn_t *parser_conn(http_parser *p)
{
    return p->data;
}

static int fail_with(fs__sconn_t *c, int rc, int status)
{
    c->err_status = rc == -ENOMEM ? -1 : status;
    return -1;
}

static int on_req_begin(http_parser *p)
{
    fs__sconn_t *c = parser_conn(p);
    c->err_status = 0;
    if (!c->cur && !(c->cur = req_new(c)))
        return fail_with(c, -ENOMEM, 0);
    return 0;
}

static int on_req_url(http_parser *p, const char *at, size_t n)
{
    fs__sconn_t *c = parser_conn(p);
    int rc = buf_append(&c->cur->url, at, n, FS__HTTP_MAX_HEAD);
    return rc < 0 ? fail_with(c, rc, 431) : 0;
}

static int on_req_field(http_parser *p, const char *at, size_t n)
{
    fs__sconn_t *c = parser_conn(p);
    int rc = hdrs_field(&c->cur->hdrs, at, n, FS__HTTP_MAX_HEAD - c->cur->url.len);
    return rc < 0 ? fail_with(c, rc, 431) : 0;
}

static int on_req_value(http_parser *p, const char *at, size_t n)
{
    fs__sconn_t *c = parser_conn(p);
    int rc = hdrs_value(&c->cur->hdrs, at, n, FS__HTTP_MAX_HEAD - c->cur->url.len);
    return rc < 0 ? fail_with(c, rc, 431) : 0;
}

static int split_url(fs_http_req_t *r)
{
    struct http_parser_url u;
    const char *url = r->url.p ? r->url.p : "";
    http_parser_url_init(&u);
    if (http_parser_parse_url(url, r->url.len, r->method == HTTP_CONNECT, &u) != 0)
        return -EINVAL;
    size_t plen = 0, qlen = 0;
    const char *path = "/", *query = "";
    if (u.field_set & (1 << UF_PATH)) {
        path = url + u.field_data[UF_PATH].off;
        plen = u.field_data[UF_PATH].len;
    } else if (r->method == HTTP_CONNECT) {
        path = "";
    } else {
        plen = 1;
    }
    if (u.field_set & (1 << UF_QUERY)) {
        query = url + u.field_data[UF_QUERY].off;
        qlen = u.field_data[UF_QUERY].len;
    }
    if (!(r->path = malloc(plen + qlen + 2)))
        return -ENOMEM;
    memcpy(r->path, path, plen);
    r->path[plen] = '\0';
    r->query = r->path + plen + 1;
    memcpy(r->query, query, qlen);
    r->query[qlen] = '\0';
    return 0;
}

static void conn_write_cb(uv_write_t *w, int status);

/* Clients that wait for it (curl, for large bodies) would otherwise stall
 * a second before sending the body. Best effort: on failure they send it
 * anyway after their own delay. */
static void conn_continue(fs__sconn_t *c)
{
    static const char msg[] = "HTTP/1.1 100 Continue\r\n\r\n";
    fs__swrite_t *wr = malloc(sizeof(*wr) + sizeof(msg));
    if (!wr)
        return;
    memcpy(wr->data, msg, sizeof(msg));
    wr->conn = c;
    uv_buf_t b = uv_buf_init(wr->data, sizeof(msg) - 1);
    if (uv_write(&wr->w, (uv_stream_t *)&c->tcp, &b, 1, conn_write_cb) < 0)
        free(wr);
}

static int on_req_headers(http_parser *p)
{
    fs__sconn_t *c = parser_conn(p);
    fs_http_req_t *r = c->cur;
    if (r->hdrs.state == 1 && hdrs_value(&r->hdrs, "", 0, SIZE_MAX) < 0)
        return fail_with(c, -ENOMEM, 0);
    r->method = (enum http_method)p->method;
    int rc = split_url(r);
    if (rc < 0)
        return fail_with(c, rc, 400);
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > FS_HTTP_MAX_BODY)
        return fail_with(c, -E2BIG, 413);
    const char *expect = hdrs_get(&r->hdrs, "Expect");
    if (expect && strcasecmp(expect, "100-continue") == 0 && p->http_major == 1 &&
        p->http_minor >= 1)
        conn_continue(c);
    return 0;
}

static int on_req_body(http_parser *p, const char *at, size_t n)
{
    fs__sconn_t *c = parser_conn(p);
    int rc = buf_append(&c->cur->body, at, n, FS_HTTP_MAX_BODY);
    return rc < 0 ? fail_with(c, rc, 413) : 0;
}

/* Pausing here makes http_parser_execute() stop right after this message,
 * so pipelined bytes stay in the buffer until the answer has gone out. */
static int on_req_complete(http_parser *p)
{
    fs__sconn_t *c = parser_conn(p);
    c->cur->keep_alive = http_should_keep_alive(p) && !p->upgrade;
    c->cur->done_ns = uv_hrtime();
    c->msg_done = 1;
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings server_settings = {
    .on_message_begin = on_req_begin,
    .on_url = on_req_url,
    .on_header_field = on_req_field,
    .on_header_value = on_req_value,
    .on_headers_complete = on_req_headers,
    .on_body = on_req_body,
    .on_message_complete = on_req_complete,
};

static void conn_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    fs__sconn_t *c = h->data;
    (void)suggested;
    if (c->in_off > 0) {
        memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
        c->in_len -= c->in_off;
        c->in_off = 0;
    }
    if (c->in_cap - c->in_len < FS__HTTP_READ_CHUNK) {
        char *p = realloc(c->in, c->in_len + FS__HTTP_READ_CHUNK);
        if (!p) {
            *buf = uv_buf_init(NULL, 0);
            return;
        }
        c->in = p;
        c->in_cap = c->in_len + FS__HTTP_READ_CHUNK;
    }
    *buf = uv_buf_init(c->in + c->in_len, (unsigned)(c->in_cap - c->in_len));
}

static void conn_dispatch(fs__sconn_t *c, fs_http_req_t *r)
{
    c->pending = r;
    c->srv->pending++;
    c->srv->handler(r, c->srv->data);
}

static void conn_reject(fs__sconn_t *c, enum http_errno e)
{
    int status = c->err_status ? c->err_status : e == HPE_HEADER_OVERFLOW ? 431 : 400;
    fs_http_req_t *r = c->cur ? c->cur : req_new(c);
    c->cur = NULL;
    if (status < 0 || !r) {
        req_free(r);
        conn_close(c);
        return;
    }
    r->keep_alive = 0;
    c->pending = r;
    c->srv->pending++;
    fs_http_respondf(r, status, "application/json", NULL, "{\"error\":\"%s\"}\n",
                     fs_http_status_text(status));
}

/* Feeds buffered input to the parser one message at a time; stops while a
 * request is with the handler (the answer's write_cb calls back in). */
static void conn_process(fs__sconn_t *c)
{
    while (!c->closing && !c->draining && !c->pending && c->in_off < c->in_len) {
        http_parser_pause(&c->parser, 0);
        size_t n = http_parser_execute(&c->parser, &server_settings, c->in + c->in_off,
                                       c->in_len - c->in_off);
        enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
        c->in_off += n;
        if (c->msg_done) {
            fs_http_req_t *r = c->cur;
            c->cur = NULL;
            c->msg_done = 0;
            conn_dispatch(c, r);
        } else if (e != HPE_OK) {
            conn_reject(c, e);
        } else if (n == 0) {
            break; /* cannot happen with http-parser 2.x; never spin on it */
        }
    }
    if (c->in_off == c->in_len)
        c->in_off = c->in_len = 0;
    if (c->pending && c->reading && c->in_len - c->in_off > FS__HTTP_IN_HIGH) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = 0;
    }
}

static void conn_read_cb(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    fs__sconn_t *c = st->data;
    (void)buf;
    if (nread < 0) {
        /* EOF too: a client that stops sending is treated as gone, so a
         * handler still working learns it through -ENOTCONN. */
        conn_close(c);
        return;
    }
    if (c->draining) {
        c->drained += (size_t)nread;
        c->in_off = c->in_len = 0;
        if (c->drained > FS__HTTP_DRAIN_MAX)
            conn_close(c);
        return;
    }
    c->in_len += (size_t)nread;
    conn_process(c);
}

static void conn_shutdown_cb(uv_shutdown_t *sr, int status)
{
    fs__sconn_t *c = sr->handle->data;
    free(sr);
    /* Otherwise keep reading until the peer closes: closing with unread
     * input would send a RST that can destroy the answer in flight. */
    if (status < 0)
        conn_close(c);
}

static void conn_write_cb(uv_write_t *w, int status)
{
    fs__swrite_t *wr = (fs__swrite_t *)w;
    fs__sconn_t *c = wr->conn;
    free(wr);
    if (status < 0) {
        conn_close(c);
        return;
    }
    if (c->closing || c->draining || c->pending)
        return;
    if (!c->reading && uv_read_start((uv_stream_t *)&c->tcp, conn_alloc_cb, conn_read_cb) == 0)
        c->reading = 1;
    conn_process(c);
}

static int conn_send(fs__sconn_t *c, const fs_http_req_t *r, int status, const char *ctype,
                     const char *extra, const char *body, size_t len)
{
    int keep = r->keep_alive && !c->srv->closing;
    char clen[48] = "";
    if (status < 200 || status == 204 || status == 304)
        len = 0; /* these never carry a body, nor a Content-Length */
    else
        snprintf(clen, sizeof(clen), "Content-Length: %zu\r\n", len);
    size_t hlen;
    fs__swrite_t *wr =
        fmt_alloc(offsetof(fs__swrite_t, data), len, &hlen,
                  "HTTP/1.1 %d %s\r\n%s%s%s%sConnection: %s\r\n%s\r\n", status,
                  fs_http_status_text(status), ctype ? "Content-Type: " : "", ctype ? ctype : "",
                  ctype ? "\r\n" : "", clen, keep ? "keep-alive" : "close", extra ? extra : "");
    if (!wr)
        return -ENOMEM;
    if (r->method == HTTP_HEAD)
        len = 0; /* the Content-Length stays: it is what a GET would get */
    if (len)
        memcpy(wr->data + hlen, body, len);
    wr->conn = c;
    uv_buf_t b = uv_buf_init(wr->data, (unsigned)(hlen + len));
    int rc = uv_write(&wr->w, (uv_stream_t *)&c->tcp, &b, 1, conn_write_cb);
    if (rc < 0) {
        free(wr);
        conn_close(c);
        return rc;
    }
    if (keep)
        return 0;
    c->draining = 1;
    uv_shutdown_t *sr = malloc(sizeof(*sr));
    if (!sr || uv_shutdown(sr, (uv_stream_t *)&c->tcp, conn_shutdown_cb) < 0) {
        free(sr);
        conn_close(c);
        return 0;
    }
    if (!c->reading && uv_read_start((uv_stream_t *)&c->tcp, conn_alloc_cb, conn_read_cb) == 0)
        c->reading = 1;
    return 0;
}

int fs_http_respond(fs_http_req_t *req, int status, const char *content_type,
                    const char *extra_headers, const char *body, size_t len)
{
    fs_http_server_t *s = req->srv;
    fs__sconn_t *c = req->conn;
    int rc = -ENOTCONN;
    if (status < 100 || status > 999)
        status = 500;
    if (!body)
        len = 0;
    s->pending--;
    if (c) {
        c->pending = NULL;
        rc = conn_send(c, req, status, content_type, extra_headers, body, len);
    }
    if (s->observe && !s->closing)
        s->observe(req, status, (double)(uv_hrtime() - req->done_ns) / 1e9, s->observe_data);
    req_free(req);
    server_maybe_free(s);
    return rc;
}

int fs_http_respondf(fs_http_req_t *req, int status, const char *content_type,
                     const char *extra_headers, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *body = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!body)
        return fs_http_respond(req, 500, NULL, NULL, NULL, 0);
    va_start(ap, fmt);
    vsnprintf(body, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = fs_http_respond(req, status, content_type, extra_headers, body, (size_t)n);
    free(body);
    return rc;
}

static void on_connection_cb(uv_stream_t *ls, int status)
{
    fs_http_server_t *s = ls->data;
    if (status < 0 || s->closing)
        return;
    fs__sconn_t *c = calloc(1, sizeof(*c));
    if (!c || uv_tcp_init(s->loop, &c->tcp) < 0) {
        free(c);
        return;
    }
    c->srv = s;
    c->tcp.data = c;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->handles++;
    if (uv_accept(ls, (uv_stream_t *)&c->tcp) < 0) {
        conn_close(c);
        return;
    }
    s->accepted++;
    uv_tcp_nodelay(&c->tcp, 1);
    struct sockaddr_storage ss;
    int sl = sizeof(ss);
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sl) == 0)
        addr_format((struct sockaddr *)&ss, c->peer, sizeof(c->peer));
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    if (uv_read_start((uv_stream_t *)&c->tcp, conn_alloc_cb, conn_read_cb) < 0) {
        conn_close(c);
        return;
    }
    c->reading = 1;
}

static void listener_close_cb(uv_handle_t *h)
{
    fs_http_server_t *s = h->data;
    s->handles--;
    server_maybe_free(s);
}

int fs_http_server_start(uv_loop_t *loop, const struct sockaddr *addr, fs_http_handler_cb handler,
                         void *data, fs_http_server_t **out)
{
    if (!loop || !addr || !handler || !out)
        return UV_EINVAL;
    fs_http_server_t *s = calloc(1, sizeof(*s));
    if (!s)
        return UV_ENOMEM;
    s->loop = loop;
    s->handler = handler;
    s->data = data;
    int rc = uv_tcp_init(loop, &s->listener);
    if (rc < 0)
        goto fail;
    s->listener.data = s;
    s->handles = 1;
    if ((rc = uv_tcp_bind(&s->listener, addr, 0)) < 0 ||
        (rc = uv_listen((uv_stream_t *)&s->listener, 511, on_connection_cb)) < 0) {
        /* The handle exists now, so the memory goes in its close_cb. */
        s->closing = 1;
        uv_close((uv_handle_t *)&s->listener, listener_close_cb);
        return rc;
    }
    *out = s;
    return 0;
fail:
    free(s);
    return rc;
}

int fs_http_server_addr(const fs_http_server_t *s, struct sockaddr_storage *out)
{
    int len = sizeof(*out);
    return uv_tcp_getsockname(&s->listener, (struct sockaddr *)out, &len);
}

void fs_http_server_set_observer(fs_http_server_t *s, fs_http_observe_cb cb, void *data)
{
    s->observe = cb;
    s->observe_data = data;
}

uint64_t fs_http_server_accepted(const fs_http_server_t *s)
{
    return s->accepted;
}

void fs_http_server_close(fs_http_server_t *s)
{
    if (!s || s->closing)
        return;
    s->closing = 1;
    uv_close((uv_handle_t *)&s->listener, listener_close_cb);
    for (fs__sconn_t *c = s->conns; c; c = c->next)
        conn_close(c);
}

enum http_method fs_http_req_method(const fs_http_req_t *r)
{
    return r->method;
}

const char *fs_http_req_path(const fs_http_req_t *r)
{
    return r->path ? r->path : "";
}

const char *fs_http_req_query(const fs_http_req_t *r)
{
    return r->query ? r->query : "";
}

int fs_http_req_query_param(const fs_http_req_t *r, const char *name, char *buf, size_t len)
{
    size_t nlen = strlen(name);
    const char *q = fs_http_req_query(r);
    while (*q) {
        size_t seg = strcspn(q, "&");
        size_t klen = strcspn(q, "=&");
        if (klen == nlen && memcmp(q, name, nlen) == 0) {
            const char *v = klen < seg ? q + klen + 1 : q + klen;
            size_t vlen = (size_t)(q + seg - v);
            if (vlen + 1 > len)
                return -ENOSPC;
            memcpy(buf, v, vlen);
            buf[vlen] = '\0';
            return 0;
        }
        q += seg;
        if (*q == '&')
            q++;
    }
    return -ENOENT;
}

const char *fs_http_req_header(const fs_http_req_t *r, const char *name)
{
    return hdrs_get(&r->hdrs, name);
}

const char *fs_http_req_body(const fs_http_req_t *r, size_t *len)
{
    if (len)
        *len = r->body.len;
    return r->body.p ? r->body.p : "";
}

const char *fs_http_req_peer(const fs_http_req_t *r)
{
    return r->conn ? r->conn->peer : "";
}

/* ---- client ---- */

typedef struct fs__creq_s fs__creq_t;
typedef struct fs__cconn_s fs__cconn_t;

struct fs_http_resp_s {
    fs__hdrs_t hdrs;
    fs__buf_t body;
};

struct fs__creq_s {
    fs_http_client_t *cl;
    fs__creq_t *prev, *next; /* the wait queue */
    fs__cconn_t *conn;
    uv_timer_t timer;
    char *wire;
    size_t wire_len;
    fs_http_client_cb cb;
    void *data;
    unsigned queued : 1, retried : 1, has_timer : 1, is_head : 1;
};

struct fs__cconn_s {
    uv_tcp_t tcp;
    uv_connect_t connect;
    fs_http_client_t *cl;
    fs__cconn_t *prev, *next;   /* every live connection */
    fs__cconn_t *iprev, *inext; /* idle ones */
    http_parser parser;
    fs__creq_t *req;
    fs_http_resp_t *resp;
    char *rbuf;
    unsigned connected : 1, idle : 1, reused : 1, got_bytes : 1, msg_done : 1, closing : 1;
};

typedef struct {
    uv_write_t w;
    fs__cconn_t *conn;
    char data[];
} fs__cwrite_t;

struct fs_http_client_s {
    uv_loop_t *loop;
    struct sockaddr_storage upstream;
    char host[FS__HTTP_PEER_LEN];
    fs__cconn_t *conns, *idle;
    fs__creq_t *qhead, *qtail;
    size_t nconns;  /* live, not closing */
    size_t handles; /* connections and timers not yet through close_cb */
    size_t pending; /* requests whose cb has not fired */
    int closing;
};

static void client_maybe_free(fs_http_client_t *cl)
{
    if (cl->closing && cl->handles == 0)
        free(cl);
}

static void resp_free(fs_http_resp_t *r)
{
    if (!r)
        return;
    free(r->hdrs.b.p);
    free(r->body.p);
    free(r);
}

static void queue_push(fs_http_client_t *cl, fs__creq_t *r, int front)
{
    r->queued = 1;
    if (front) {
        r->prev = NULL;
        r->next = cl->qhead;
        if (cl->qhead)
            cl->qhead->prev = r;
        else
            cl->qtail = r;
        cl->qhead = r;
    } else {
        r->next = NULL;
        r->prev = cl->qtail;
        if (cl->qtail)
            cl->qtail->next = r;
        else
            cl->qhead = r;
        cl->qtail = r;
    }
}

static void queue_unlink(fs_http_client_t *cl, fs__creq_t *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        cl->qhead = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        cl->qtail = r->prev;
    r->prev = r->next = NULL;
    r->queued = 0;
}

static void idle_unlink(fs_http_client_t *cl, fs__cconn_t *cc)
{
    if (!cc->idle)
        return;
    if (cc->iprev)
        cc->iprev->inext = cc->inext;
    else
        cl->idle = cc->inext;
    if (cc->inext)
        cc->inext->iprev = cc->iprev;
    cc->iprev = cc->inext = NULL;
    cc->idle = 0;
}

/* LIFO: the most recently used connection is the least likely to be dead. */
static void idle_push(fs_http_client_t *cl, fs__cconn_t *cc)
{
    cc->idle = 1;
    cc->iprev = NULL;
    cc->inext = cl->idle;
    if (cl->idle)
        cl->idle->iprev = cc;
    cl->idle = cc;
}

static void creq_close_cb(uv_handle_t *h)
{
    fs__creq_t *r = h->data;
    fs_http_client_t *cl = r->cl;
    free(r);
    cl->handles--;
    client_maybe_free(cl);
}

static void creq_free(fs__creq_t *r)
{
    free(r->wire);
    r->wire = NULL;
    if (r->has_timer)
        uv_close((uv_handle_t *)&r->timer, creq_close_cb);
    else
        free(r);
}

/* r must be detached from queue and connection; the callback may re-enter
 * the client (new request, close) before r is released. */
static void creq_finish(fs__creq_t *r, int status, const fs_http_resp_t *resp)
{
    r->cl->pending--;
    if (r->has_timer)
        uv_timer_stop(&r->timer);
    r->cb(status, status < 0 ? NULL : resp, r->data);
    creq_free(r);
}

static void cconn_close_cb(uv_handle_t *h)
{
    fs__cconn_t *cc = h->data;
    fs_http_client_t *cl = cc->cl;
    free(cc->rbuf);
    resp_free(cc->resp);
    free(cc);
    cl->handles--;
    client_maybe_free(cl);
}

static void cconn_close(fs__cconn_t *cc)
{
    fs_http_client_t *cl = cc->cl;
    if (cc->closing)
        return;
    cc->closing = 1;
    idle_unlink(cl, cc);
    if (cc->prev)
        cc->prev->next = cc->next;
    else
        cl->conns = cc->next;
    if (cc->next)
        cc->next->prev = cc->prev;
    cl->nconns--;
    uv_close((uv_handle_t *)&cc->tcp, cconn_close_cb);
}

static void client_pump(fs_http_client_t *cl);
static int creq_dispatch(fs__creq_t *r, int fresh);

/* A request that met a dead keep-alive connection before any response byte
 * was never seen by the server, so it is sent once more on a new one. */
static void cconn_fail(fs__cconn_t *cc, int status)
{
    fs_http_client_t *cl = cc->cl;
    fs__creq_t *r = cc->req;
    int retry = r && status == -ECONNRESET && cc->reused && !cc->got_bytes && !r->retried;
    cc->req = NULL;
    cconn_close(cc);
    if (r) {
        r->conn = NULL;
        if (retry && !cl->closing) {
            r->retried = 1;
            int rc = creq_dispatch(r, 1);
            if (rc == -EAGAIN)
                queue_push(cl, r, 1);
            if (rc == 0 || rc == -EAGAIN)
                r = NULL;
            else
                status = rc;
        }
        if (r)
            creq_finish(r, status, NULL);
    }
    client_pump(cl);
}

static void cconn_complete(fs__cconn_t *cc, int clean)
{
    fs_http_client_t *cl = cc->cl;
    fs__creq_t *r = cc->req;
    fs_http_resp_t *resp = cc->resp;
    int status = cc->parser.status_code;
    int keep = clean && http_should_keep_alive(&cc->parser) && !cl->closing;
    cc->resp = NULL;
    cc->req = NULL;
    cc->msg_done = 0;
    r->conn = NULL;
    if (keep) {
        cc->reused = 1;
        idle_push(cl, cc);
    } else {
        cconn_close(cc);
    }
    creq_finish(r, status, resp);
    resp_free(resp);
    client_pump(cl);
}

static fs__cconn_t *cparser_conn(http_parser *p)
{
    return p->data;
}

static int on_resp_field(http_parser *p, const char *at, size_t n)
{
    return hdrs_field(&cparser_conn(p)->resp->hdrs, at, n, FS__HTTP_MAX_HEAD) < 0 ? -1 : 0;
}

static int on_resp_value(http_parser *p, const char *at, size_t n)
{
    return hdrs_value(&cparser_conn(p)->resp->hdrs, at, n, FS__HTTP_MAX_HEAD) < 0 ? -1 : 0;
}

static int on_resp_headers(http_parser *p)
{
    fs__cconn_t *cc = cparser_conn(p);
    if (cc->resp->hdrs.state == 1 && hdrs_value(&cc->resp->hdrs, "", 0, SIZE_MAX) < 0)
        return -1;
    return cc->req->is_head ? 1 : 0; /* 1 = this response has no body */
}

static int on_resp_body(http_parser *p, const char *at, size_t n)
{
    return buf_append(&cparser_conn(p)->resp->body, at, n, FS__HTTP_MAX_RESP) < 0 ? -1 : 0;
}

static int on_resp_complete(http_parser *p)
{
    fs__cconn_t *cc = cparser_conn(p);
    if (p->status_code >= 100 && p->status_code < 200 && p->status_code != 101) {
        /* An interim answer; the real one follows on the same connection. */
        fs_http_resp_t *fresh = calloc(1, sizeof(*fresh));
        if (!fresh)
            return -1;
        resp_free(cc->resp);
        cc->resp = fresh;
        return 0;
    }
    cc->msg_done = 1;
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings client_settings = {
    .on_header_field = on_resp_field,
    .on_header_value = on_resp_value,
    .on_headers_complete = on_resp_headers,
    .on_body = on_resp_body,
    .on_message_complete = on_resp_complete,
};

static void cconn_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    fs__cconn_t *cc = h->data;
    (void)suggested;
    if (!cc->rbuf)
        cc->rbuf = malloc(FS__HTTP_READ_CHUNK);
    *buf = uv_buf_init(cc->rbuf, cc->rbuf ? FS__HTTP_READ_CHUNK : 0);
}

static void cconn_read_cb(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    fs__cconn_t *cc = st->data;
    if (nread == 0 || cc->closing)
        return;
    if (!cc->req) {
        /* Idle: EOF or an error means the server dropped it; stray bytes
         * mean it can no longer be trusted. Either way it leaves the pool. */
        cconn_close(cc);
        return;
    }
    if (nread < 0) {
        if (nread == UV_EOF && cc->got_bytes) {
            /* A body delimited by the end of the connection ends here. */
            http_parser_execute(&cc->parser, &client_settings, NULL, 0);
            if (cc->msg_done) {
                cconn_complete(cc, 0);
                return;
            }
        }
        cconn_fail(cc, -ECONNRESET);
        return;
    }
    cc->got_bytes = 1;
    size_t n = http_parser_execute(&cc->parser, &client_settings, buf->base, (size_t)nread);
    if (cc->msg_done)
        cconn_complete(cc, n == (size_t)nread);
    else if (HTTP_PARSER_ERRNO(&cc->parser) != HPE_OK || n != (size_t)nread)
        cconn_fail(cc, -EPROTO);
}

static void cconn_write_cb(uv_write_t *w, int status)
{
    fs__cwrite_t *wr = (fs__cwrite_t *)w;
    fs__cconn_t *cc = wr->conn;
    free(wr);
    if (status < 0 && !cc->closing && cc->req)
        cconn_fail(cc, -ECONNRESET);
}

static int cconn_write(fs__cconn_t *cc)
{
    fs__creq_t *r = cc->req;
    fs__cwrite_t *wr = malloc(sizeof(*wr) + r->wire_len);
    if (!wr)
        return -ENOMEM;
    memcpy(wr->data, r->wire, r->wire_len);
    wr->conn = cc;
    uv_buf_t b = uv_buf_init(wr->data, (unsigned)r->wire_len);
    int rc = uv_write(&wr->w, (uv_stream_t *)&cc->tcp, &b, 1, cconn_write_cb);
    if (rc < 0)
        free(wr);
    return rc;
}

static void cconn_connect_cb(uv_connect_t *creq, int status)
{
    fs__cconn_t *cc = creq->data;
    if (cc->closing)
        return;
    if (status < 0) {
        cconn_fail(cc, status);
        return;
    }
    cc->connected = 1;
    int rc = uv_read_start((uv_stream_t *)&cc->tcp, cconn_alloc_cb, cconn_read_cb);
    if (rc == 0 && cc->req)
        rc = cconn_write(cc);
    if (rc < 0)
        cconn_fail(cc, rc);
    else if (!cc->req)
        idle_push(cc->cl, cc);
}

static int cconn_open(fs_http_client_t *cl, fs__cconn_t **out)
{
    fs__cconn_t *cc = calloc(1, sizeof(*cc));
    if (!cc)
        return -ENOMEM;
    int rc = uv_tcp_init(cl->loop, &cc->tcp);
    if (rc < 0) {
        free(cc);
        return rc;
    }
    cc->cl = cl;
    cc->tcp.data = cc;
    cc->connect.data = cc;
    cc->next = cl->conns;
    if (cl->conns)
        cl->conns->prev = cc;
    cl->conns = cc;
    cl->nconns++;
    cl->handles++;
    uv_tcp_nodelay(&cc->tcp, 1);
    rc = uv_tcp_connect(&cc->connect, &cc->tcp, (const struct sockaddr *)&cl->upstream,
                        cconn_connect_cb);
    if (rc < 0) {
        cconn_close(cc);
        return rc;
    }
    *out = cc;
    return 0;
}

static int cconn_assign(fs__cconn_t *cc, fs__creq_t *r)
{
    resp_free(cc->resp);
    if (!(cc->resp = calloc(1, sizeof(*cc->resp))))
        return -ENOMEM;
    cc->req = r;
    r->conn = cc;
    cc->got_bytes = 0;
    cc->msg_done = 0;
    http_parser_init(&cc->parser, HTTP_RESPONSE);
    cc->parser.data = cc;
    return cc->connected ? cconn_write(cc) : 0;
}

/* Puts r on an idle connection (unless fresh) or a new one. Returns 0,
 * -EAGAIN at the connection cap, or an error opening a connection. */
static int creq_dispatch(fs__creq_t *r, int fresh)
{
    fs_http_client_t *cl = r->cl;
    for (;;) {
        fs__cconn_t *cc = fresh ? NULL : cl->idle;
        int rc;
        if (cc) {
            idle_unlink(cl, cc);
        } else if (cl->nconns >= FS__HTTP_MAX_CONNS) {
            return -EAGAIN;
        } else if ((rc = cconn_open(cl, &cc)) < 0) {
            return rc;
        }
        int was_new = !cc->reused;
        if ((rc = cconn_assign(cc, r)) == 0)
            return 0;
        cc->req = NULL;
        r->conn = NULL;
        cconn_close(cc);
        if (was_new)
            return rc;
    }
}

static void client_pump(fs_http_client_t *cl)
{
    while (cl->qhead && !cl->closing) {
        fs__creq_t *r = cl->qhead;
        queue_unlink(cl, r);
        int rc = creq_dispatch(r, r->retried);
        if (rc == -EAGAIN) {
            queue_push(cl, r, 1);
            break;
        }
        if (rc < 0)
            creq_finish(r, rc, NULL);
    }
}

static void creq_timeout_cb(uv_timer_t *t)
{
    fs__creq_t *r = t->data;
    fs_http_client_t *cl = r->cl;
    if (r->queued) {
        queue_unlink(cl, r);
    } else if (r->conn) {
        /* The answer may still come; the connection cannot be reused. */
        r->conn->req = NULL;
        cconn_close(r->conn);
        r->conn = NULL;
    }
    creq_finish(r, -ETIMEDOUT, NULL);
    client_pump(cl);
}

int fs_http_client_new(uv_loop_t *loop, const struct sockaddr *upstream, fs_http_client_t **out)
{
    if (!loop || !upstream || !out)
        return -EINVAL;
    size_t alen =
        upstream->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    fs_http_client_t *cl = calloc(1, sizeof(*cl));
    if (!cl)
        return -ENOMEM;
    cl->loop = loop;
    memcpy(&cl->upstream, upstream, alen);
    addr_format(upstream, cl->host, sizeof(cl->host));
    *out = cl;
    return 0;
}

int fs_http_client_request(fs_http_client_t *c, const fs_http_call_t *call, fs_http_client_cb cb,
                           void *data)
{
    if (!c || !call || !call->method || !call->target || !cb)
        return -EINVAL;
    if (c->closing)
        return -ECANCELED;
    size_t blen = call->body ? call->body_len : 0, hlen = 0;
    int rc = -ENOMEM;
    fs__creq_t *r = calloc(1, sizeof(*r));
    if (!r)
        goto fail;
    r->wire =
        fmt_alloc(0, blen, &hlen, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %zu\r\n%s\r\n",
                  call->method, call->target, c->host, blen, call->headers ? call->headers : "");
    if (!r->wire)
        goto fail;
    if (blen)
        memcpy(r->wire + hlen, call->body, blen);
    r->wire_len = hlen + blen;
    r->cl = c;
    r->cb = cb;
    r->data = data;
    r->is_head = strcasecmp(call->method, "HEAD") == 0;
    if (call->timeout_ms > 0) {
        if ((rc = uv_timer_init(c->loop, &r->timer)) < 0)
            goto fail;
        r->timer.data = r;
        r->has_timer = 1;
        c->handles++;
        /* The loop's cached time may be a whole callback old; the deadline
         * counts from this call, not from the start of the iteration. */
        uv_update_time(c->loop);
        uv_timer_start(&r->timer, creq_timeout_cb, call->timeout_ms, 0);
    }
    /* FIFO: nobody overtakes requests already waiting for a connection. */
    rc = c->qhead ? -EAGAIN : creq_dispatch(r, 0);
    if (rc == -EAGAIN) {
        queue_push(c, r, 0);
        rc = 0;
    }
    if (rc < 0) {
        creq_free(r);
        return rc;
    }
    c->pending++;
    return 0;
fail:
    if (r)
        free(r->wire);
    free(r);
    return rc;
}

const char *fs_http_resp_header(const fs_http_resp_t *r, const char *name)
{
    return hdrs_get(&r->hdrs, name);
}

const char *fs_http_resp_body(const fs_http_resp_t *r, size_t *len)
{
    if (len)
        *len = r->body.len;
    return r->body.p ? r->body.p : "";
}

size_t fs_http_client_pending(const fs_http_client_t *c)
{
    return c->pending;
}

void fs_http_client_close(fs_http_client_t *c)
{
    if (!c || c->closing)
        return;
    c->closing = 1;
    fs__creq_t *r;
    while ((r = c->qhead)) {
        queue_unlink(c, r);
        creq_finish(r, -ECANCELED, NULL);
    }
    while (c->conns) {
        fs__cconn_t *cc = c->conns;
        r = cc->req;
        cc->req = NULL;
        cconn_close(cc);
        if (r) {
            r->conn = NULL;
            creq_finish(r, -ECANCELED, NULL);
        }
    }
    client_maybe_free(c);
}
