/* The HTTP/1.1 server: keep-alive connections whose requests are handed to
 * a handler one at a time and may be answered asynchronously. All parsing is
 * http-parser's; this file only moves bytes, enforces limits and keeps the
 * request/connection lifetimes straight when either side goes away. */
#include "fs_http_int.h"

#include <stddef.h>

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
    uv_tcp_t *listener; /* NULL while paused; its own allocation, so a
                           resume need not wait for the old one's close_cb */
    struct sockaddr_storage bound;
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
 * the back pointer, and fs_http_respond() then reports -ENOTCONN. With
 * reset, the peer gets a RST instead of a FIN. */
static void conn_close_ex(fs__sconn_t *c, int reset)
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
    /* close_reset refuses a handle that is shutting down; a FIN is then
     * already on its way and a plain close is all that is left. */
    if (!reset || uv_tcp_close_reset(&c->tcp, conn_close_cb) < 0)
        uv_close((uv_handle_t *)&c->tcp, conn_close_cb);
}

static void conn_close(fs__sconn_t *c)
{
    conn_close_ex(c, 0);
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
    int rc = fs__buf_append(&c->cur->url, at, n, FS__HTTP_MAX_HEAD);
    return rc < 0 ? fail_with(c, rc, 431) : 0;
}

static int on_req_field(http_parser *p, const char *at, size_t n)
{
    fs__sconn_t *c = parser_conn(p);
    int rc = fs__hdrs_field(&c->cur->hdrs, at, n, FS__HTTP_MAX_HEAD - c->cur->url.len);
    return rc < 0 ? fail_with(c, rc, 431) : 0;
}

static int on_req_value(http_parser *p, const char *at, size_t n)
{
    fs__sconn_t *c = parser_conn(p);
    int rc = fs__hdrs_value(&c->cur->hdrs, at, n, FS__HTTP_MAX_HEAD - c->cur->url.len);
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
    if (r->hdrs.state == 1 && fs__hdrs_value(&r->hdrs, "", 0, SIZE_MAX) < 0)
        return fail_with(c, -ENOMEM, 0);
    r->method = (enum http_method)p->method;
    int rc = split_url(r);
    if (rc < 0)
        return fail_with(c, rc, 400);
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > FS_HTTP_MAX_BODY)
        return fail_with(c, -E2BIG, 413);
    const char *expect = fs__hdrs_get(&r->hdrs, "Expect");
    if (expect && strcasecmp(expect, "100-continue") == 0 && p->http_major == 1 &&
        p->http_minor >= 1)
        conn_continue(c);
    return 0;
}

static int on_req_body(http_parser *p, const char *at, size_t n)
{
    fs__sconn_t *c = parser_conn(p);
    int rc = fs__buf_append(&c->cur->body, at, n, FS_HTTP_MAX_BODY);
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
    fs__swrite_t *wr = fs__fmt_alloc(offsetof(fs__swrite_t, data), len, &hlen,
                                     "HTTP/1.1 %d %s\r\n%s%s%s%sConnection: %s\r\n%s\r\n", status,
                                     fs_http_status_text(status), ctype ? "Content-Type: " : "",
                                     ctype ? ctype : "", ctype ? "\r\n" : "", clen,
                                     keep ? "keep-alive" : "close", extra ? extra : "");
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

int fs_http_req_abort(fs_http_req_t *req, int reset)
{
    fs_http_server_t *s = req->srv;
    fs__sconn_t *c = req->conn;
    s->pending--;
    if (c) {
        c->pending = NULL;
        conn_close_ex(c, reset);
    }
    req_free(req);
    server_maybe_free(s);
    return c ? 0 : -ENOTCONN;
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
        fs__addr_format((struct sockaddr *)&ss, c->peer, sizeof(c->peer));
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
    free(h);
    s->handles--;
    server_maybe_free(s);
}

/* Binds and listens on a fresh handle. On failure the handle, if it came to
 * exist, is closed (s->handles counts it until its close_cb). */
static int server_listen(fs_http_server_t *s, const struct sockaddr *addr)
{
    uv_tcp_t *l = malloc(sizeof(*l));
    if (!l)
        return UV_ENOMEM;
    int rc = uv_tcp_init(s->loop, l);
    if (rc < 0) {
        free(l);
        return rc;
    }
    l->data = s;
    s->handles++;
    if ((rc = uv_tcp_bind(l, addr, 0)) < 0 ||
        (rc = uv_listen((uv_stream_t *)l, 511, on_connection_cb)) < 0) {
        uv_close((uv_handle_t *)l, listener_close_cb);
        return rc;
    }
    s->listener = l;
    return 0;
}

int fs_http_server_start(uv_loop_t *loop, const struct sockaddr *addr, fs_http_handler_cb handler,
                         void *data, fs_http_server_t **out)
{
    if (!loop || !addr || !handler || !out)
        return UV_EINVAL;
    /* Every listener of the fleet and the harness starts here. */
    if (!fs_addr_is_loopback(addr))
        return UV_EADDRNOTAVAIL;
    fs_http_server_t *s = calloc(1, sizeof(*s));
    if (!s)
        return UV_ENOMEM;
    s->loop = loop;
    s->handler = handler;
    s->data = data;
    int rc = server_listen(s, addr);
    if (rc < 0)
        goto fail;
    int len = sizeof(s->bound);
    if ((rc = uv_tcp_getsockname(s->listener, (struct sockaddr *)&s->bound, &len)) < 0) {
        fs_http_server_close(s);
        return rc;
    }
    *out = s;
    return 0;
fail:
    /* A handle that came to exist frees s in its close_cb. */
    s->closing = 1;
    if (s->handles == 0)
        free(s);
    return rc;
}

int fs_http_server_addr(const fs_http_server_t *s, struct sockaddr_storage *out)
{
    memcpy(out, &s->bound, sizeof(*out));
    return 0;
}

int fs_http_server_pause(fs_http_server_t *s)
{
    if (s->closing)
        return UV_EINVAL;
    if (s->listener) {
        uv_close((uv_handle_t *)s->listener, listener_close_cb);
        s->listener = NULL;
    }
    return 0;
}

int fs_http_server_resume(fs_http_server_t *s)
{
    if (s->closing)
        return UV_EINVAL;
    return s->listener ? 0 : server_listen(s, (const struct sockaddr *)&s->bound);
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
    if (s->listener) {
        uv_close((uv_handle_t *)s->listener, listener_close_cb);
        s->listener = NULL;
    }
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
    return fs__hdrs_get(&r->hdrs, name);
}

size_t fs_http_req_header_count(const fs_http_req_t *r)
{
    return fs__hdrs_count(&r->hdrs);
}

int fs_http_req_header_at(const fs_http_req_t *r, size_t i, const char **name, const char **value)
{
    return fs__hdrs_at(&r->hdrs, i, name, value);
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
