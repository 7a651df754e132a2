/* The HTTP/1.1 client: a pool of keep-alive connections to one upstream,
 * a FIFO wait queue at the connection cap, one retry for requests that met
 * a dead idle connection, and an optional per-call deadline. */
#include "fs_http_int.h"

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
    return fs__hdrs_field(&cparser_conn(p)->resp->hdrs, at, n, FS__HTTP_MAX_HEAD) < 0 ? -1 : 0;
}

static int on_resp_value(http_parser *p, const char *at, size_t n)
{
    return fs__hdrs_value(&cparser_conn(p)->resp->hdrs, at, n, FS__HTTP_MAX_HEAD) < 0 ? -1 : 0;
}

static int on_resp_headers(http_parser *p)
{
    fs__cconn_t *cc = cparser_conn(p);
    if (cc->resp->hdrs.state == 1 && fs__hdrs_value(&cc->resp->hdrs, "", 0, SIZE_MAX) < 0)
        return -1;
    return cc->req->is_head ? 1 : 0; /* 1 = this response has no body */
}

static int on_resp_body(http_parser *p, const char *at, size_t n)
{
    return fs__buf_append(&cparser_conn(p)->resp->body, at, n, FS__HTTP_MAX_RESP) < 0 ? -1 : 0;
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
    /* The last line of defence behind fs_addr_parse: every call the fleet
     * and the harness make goes through a client made here. */
    if (!fs_addr_is_loopback(upstream))
        return -EADDRNOTAVAIL;
    size_t alen =
        upstream->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    fs_http_client_t *cl = calloc(1, sizeof(*cl));
    if (!cl)
        return -ENOMEM;
    cl->loop = loop;
    memcpy(&cl->upstream, upstream, alen);
    fs__addr_format(upstream, cl->host, sizeof(cl->host));
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
    r->wire = fs__fmt_alloc(
        0, blen, &hlen, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %zu\r\n%s\r\n", call->method,
        call->target, c->host, blen, call->headers ? call->headers : "");
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
    return fs__hdrs_get(&r->hdrs, name);
}

size_t fs_http_resp_header_count(const fs_http_resp_t *r)
{
    return fs__hdrs_count(&r->hdrs);
}

int fs_http_resp_header_at(const fs_http_resp_t *r, size_t i, const char **name, const char **value)
{
    return fs__hdrs_at(&r->hdrs, i, name, value);
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
