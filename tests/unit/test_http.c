/* fs_http server and client against each other (and against raw sockets
 * playing a misbehaving peer) on real loopback connections, one loop each. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "fs_http.h"

#define MAX_HELD 4

#define MANY 520 /* more than the client's 512 connections */

enum { MODE_ECHO, MODE_ASYNC, MODE_HOLD, MODE_INSPECT, MODE_PIPE, MODE_HOLD_MANY };

typedef struct {
    uv_loop_t loop;
    uv_timer_t guard, work;
    int guard_fired;
    fs_http_server_t *srv;
    fs_http_client_t *cli;
    struct sockaddr_storage addr;
    /* server side */
    int mode;
    int handled, outstanding, max_outstanding;
    fs_http_req_t *held[MAX_HELD];
    int nheld;
    fs_http_req_t **many;
    int nmany;
    int order[MANY]; /* request number of each request, as handled */
    int observed, last_status;
    double last_secs;
    char peer[3][64];
    char path[64], query[128], qx[16], qnode[16], qempty[16], qflag[16];
    int rc_missing, rc_nospc, rc_prefix, method;
    const char *hdr_lower, *hdr_upper, *hdr_missing;
    char hdr_lower_copy[32];
    char req_hdrs[256];
    size_t req_hdr_count;
    int rc_req_range;
    /* client side */
    int done, ok;
    int status[4];
    char *body[4];
    size_t body_len[4];
    char reply_hdr[32], ctype[32];
    char resp_hdrs[256];
    int rc_resp_range;
    int chain;           /* requests still to issue from the callback */
    int close_in_cb;     /* close the client from inside the callback */
    int rc_in_cancel_cb; /* fs_http_client_request() while closing */
} fx_t;

/* ---- fixture ---- */

static void guard_cb(uv_timer_t *t)
{
    fx_t *fx = t->data;
    fx->guard_fired = 1;
    uv_stop(&fx->loop);
}

static void hold(fx_t *fx, fs_http_req_t *req)
{
    if (fx->nheld < MAX_HELD)
        fx->held[fx->nheld++] = req;
    else
        fs_http_respond(req, 503, NULL, NULL, NULL, 0);
}

static fs_http_req_t *unhold(fx_t *fx)
{
    return fx->nheld ? fx->held[--fx->nheld] : NULL;
}

static void work_cb(uv_timer_t *t)
{
    fx_t *fx = t->data;
    fs_http_req_t *req = unhold(fx);
    if (!req)
        return;
    fx->outstanding--;
    if (fx->mode == MODE_PIPE)
        fs_http_respond(req, 200, "text/plain", NULL, fs_http_req_path(req),
                        strlen(fs_http_req_path(req)));
    else
        fs_http_respondf(req, 201, "text/plain", NULL, "later %d", 42);
}

/* "name=value;" for every header, in order. */
static void join_headers(char *buf, size_t len, size_t n,
                         int (*at)(const void *, size_t, const char **, const char **),
                         const void *r)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && off < len; i++) {
        const char *name = NULL, *value = NULL;
        if (at(r, i, &name, &value) != 0)
            break;
        off += (size_t)snprintf(buf + off, len - off, "%s=%s;", name, value);
    }
}

static int req_at(const void *r, size_t i, const char **name, const char **value)
{
    return fs_http_req_header_at(r, i, name, value);
}

static int resp_at(const void *r, size_t i, const char **name, const char **value)
{
    return fs_http_resp_header_at(r, i, name, value);
}

static void inspect(fx_t *fx, fs_http_req_t *req)
{
    char small[5];
    fx->req_hdr_count = fs_http_req_header_count(req);
    join_headers(fx->req_hdrs, sizeof(fx->req_hdrs), fx->req_hdr_count, req_at, req);
    fx->rc_req_range = fs_http_req_header_at(req, fx->req_hdr_count, NULL, NULL);
    snprintf(fx->path, sizeof(fx->path), "%s", fs_http_req_path(req));
    snprintf(fx->query, sizeof(fx->query), "%s", fs_http_req_query(req));
    fx->method = (int)fs_http_req_method(req);
    fs_http_req_query_param(req, "x", fx->qx, sizeof(fx->qx));
    fs_http_req_query_param(req, "node", fx->qnode, sizeof(fx->qnode));
    fs_http_req_query_param(req, "empty", fx->qempty, sizeof(fx->qempty));
    fs_http_req_query_param(req, "flag", fx->qflag, sizeof(fx->qflag));
    fx->rc_missing = fs_http_req_query_param(req, "missing", small, sizeof(small));
    fx->rc_nospc = fs_http_req_query_param(req, "long", small, sizeof(small));
    fx->rc_prefix = fs_http_req_query_param(req, "nod", small, sizeof(small));
    fx->hdr_lower = fs_http_req_header(req, "x-custom-thing");
    fx->hdr_upper = fs_http_req_header(req, "X-CUSTOM-THING");
    fx->hdr_missing = fs_http_req_header(req, "X-Absent");
    snprintf(fx->hdr_lower_copy, sizeof(fx->hdr_lower_copy), "%s",
             fx->hdr_lower ? fx->hdr_lower : "(null)");
    fx->hdr_lower = fx->hdr_lower ? fx->hdr_lower_copy : NULL;
    fx->hdr_upper = fx->hdr_upper ? fx->hdr_lower_copy : NULL;
}

static void handler(fs_http_req_t *req, void *data)
{
    fx_t *fx = data;
    if (fx->handled < 3)
        snprintf(fx->peer[fx->handled], sizeof(fx->peer[0]), "%s", fs_http_req_peer(req));
    fx->handled++;
    fx->outstanding++;
    if (fx->outstanding > fx->max_outstanding)
        fx->max_outstanding = fx->outstanding;
    switch (fx->mode) {
    case MODE_ECHO: {
        size_t len;
        const char *body = fs_http_req_body(req, &len);
        fx->outstanding--;
        if (fs_http_req_method(req) == HTTP_POST)
            fs_http_respond(req, 200, "application/octet-stream", "X-Reply: yes\r\n", body, len);
        else
            fs_http_respondf(req, 200, "text/plain", "X-Reply: yes\r\n", "%s %s",
                             http_method_str(fs_http_req_method(req)), fs_http_req_path(req));
        break;
    }
    case MODE_ASYNC:
        hold(fx, req);
        uv_update_time(&fx->loop); /* so the 20 ms count from now */
        uv_timer_start(&fx->work, work_cb, 20, 0);
        break;
    case MODE_HOLD:
        hold(fx, req);
        break;
    case MODE_INSPECT:
        inspect(fx, req);
        fx->outstanding--;
        fs_http_respond(req, 204, NULL, NULL, NULL, 0);
        break;
    case MODE_HOLD_MANY:
        if (fx->handled <= MANY)
            fx->order[fx->handled - 1] = atoi(fs_http_req_path(req) + 3);
        fx->many[fx->nmany++] = req;
        break;
    case MODE_PIPE:
        if (strcmp(fs_http_req_path(req), "/slow") == 0) {
            hold(fx, req);
            uv_timer_start(&fx->work, work_cb, 30, 0);
        } else {
            fx->outstanding--;
            fs_http_respond(req, 200, "text/plain", NULL, fs_http_req_path(req),
                            strlen(fs_http_req_path(req)));
        }
        break;
    }
}

static void observe(const fs_http_req_t *req, int status, double secs, void *data)
{
    fx_t *fx = data;
    (void)req;
    fx->observed++;
    fx->last_status = status;
    fx->last_secs = secs;
}

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));
    struct sockaddr_in any;
    if (!fx || uv_loop_init(&fx->loop) != 0)
        return -1;
    uv_timer_init(&fx->loop, &fx->guard);
    uv_timer_init(&fx->loop, &fx->work);
    fx->guard.data = fx->work.data = fx;
    uv_ip4_addr("127.0.0.1", 0, &any);
    if (fs_http_server_start(&fx->loop, (struct sockaddr *)&any, handler, fx, &fx->srv) != 0)
        return -1;
    fs_http_server_set_observer(fx->srv, observe, fx);
    if (fs_http_server_addr(fx->srv, &fx->addr) != 0)
        return -1;
    if (fs_http_client_new(&fx->loop, (struct sockaddr *)&fx->addr, &fx->cli) != 0)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;
    fs_http_req_t *req;
    while ((req = unhold(fx)))
        fs_http_respond(req, 500, NULL, NULL, NULL, 0);
    for (int i = 0; i < fx->nmany; i++)
        fs_http_respond(fx->many[i], 500, NULL, NULL, NULL, 0);
    free(fx->many);
    fs_http_client_close(fx->cli);
    fs_http_server_close(fx->srv);
    uv_close((uv_handle_t *)&fx->work, NULL);
    /* Unreferenced, the guard only bounds the drain: a leaked handle makes
     * the test fail instead of hang. */
    fx->guard_fired = 0;
    uv_unref((uv_handle_t *)&fx->guard);
    uv_timer_start(&fx->guard, guard_cb, 3000, 0);
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    assert_int_equal(fx->guard_fired, 0);
    uv_close((uv_handle_t *)&fx->guard, NULL);
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&fx->loop), 0);
    for (int i = 0; i < 4; i++)
        free(fx->body[i]);
    free(fx);
    return 0;
}

typedef int (*pred_fn)(fx_t *fx, void *arg);

/* Runs the loop until pred holds or 5 s pass; returns whether it held. */
static int run_until(fx_t *fx, pred_fn pred, void *arg)
{
    fx->guard_fired = 0;
    uv_timer_start(&fx->guard, guard_cb, 5000, 0);
    while (!pred(fx, arg) && !fx->guard_fired)
        uv_run(&fx->loop, UV_RUN_ONCE);
    uv_timer_stop(&fx->guard);
    return pred(fx, arg);
}

static int done_at_least(fx_t *fx, void *arg)
{
    return fx->done >= *(int *)arg;
}

static int handled_at_least(fx_t *fx, void *arg)
{
    return fx->handled >= *(int *)arg;
}

static int held_peer_gone(fx_t *fx, void *arg)
{
    (void)arg;
    return fx->nheld > 0 && fs_http_req_peer(fx->held[0])[0] == '\0';
}

static void wait_done(fx_t *fx, int n)
{
    assert_true(run_until(fx, done_at_least, &n));
}

/* ---- client helpers ---- */

static void client_cb(int status, const fs_http_resp_t *resp, void *data);

static int get(fx_t *fx, const char *target, const char *headers, uint64_t timeout_ms)
{
    fs_http_call_t call = {
        .method = "GET", .target = target, .headers = headers, .timeout_ms = timeout_ms};
    return fs_http_client_request(fx->cli, &call, client_cb, fx);
}

static void client_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fx_t *fx = data;
    int i = fx->done < 4 ? fx->done : 3;
    fx->status[i] = status;
    fx->ok += status == 200;
    if (status < 0) {
        if (resp != NULL)
            fx->status[i] = -9999; /* the contract says NULL */
        if (status == -ECANCELED)
            fx->rc_in_cancel_cb = get(fx, "/again", NULL, 0);
    } else {
        const char *b = fs_http_resp_body(resp, &fx->body_len[i]);
        const char *h = fs_http_resp_header(resp, "x-REPLY");
        const char *ct = fs_http_resp_header(resp, "content-type");
        free(fx->body[i]);
        fx->body[i] = malloc(fx->body_len[i] + 1);
        memcpy(fx->body[i], b, fx->body_len[i] + 1);
        snprintf(fx->reply_hdr, sizeof(fx->reply_hdr), "%s", h ? h : "");
        snprintf(fx->ctype, sizeof(fx->ctype), "%s", ct ? ct : "");
        size_t n = fs_http_resp_header_count(resp);
        join_headers(fx->resp_hdrs, sizeof(fx->resp_hdrs), n, resp_at, resp);
        fx->rc_resp_range = fs_http_resp_header_at(resp, n, NULL, NULL);
    }
    fx->done++;
    if (fx->chain > 0) {
        fx->chain--;
        get(fx, "/next", NULL, 0);
    }
    if (fx->close_in_cb && fx->cli) {
        fs_http_client_close(fx->cli);
        fx->cli = NULL;
    }
}

/* ---- raw peers: a client that writes bytes as given, a server that
 * answers badly ---- */

typedef struct {
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_write_t w;
    char *out;
    size_t out_len;
    char in[1 << 16];
    size_t in_len;
    int eof, closed, closing;
    int err; /* the read error that ended it: UV_EOF, UV_ECONNRESET */
} raw_t;

static void raw_close_cb(uv_handle_t *h)
{
    ((raw_t *)h->data)->closed = 1;
}

static void raw_close(raw_t *r)
{
    if (!r->closing) {
        r->closing = 1;
        uv_close((uv_handle_t *)&r->tcp, raw_close_cb);
    }
}

static void raw_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    raw_t *r = h->data;
    (void)suggested;
    *buf = uv_buf_init(r->in + r->in_len, (unsigned)(sizeof(r->in) - 1 - r->in_len));
}

static void raw_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    raw_t *r = s->data;
    (void)buf;
    if (n > 0) {
        r->in_len += (size_t)n;
        r->in[r->in_len] = '\0';
    } else if (n < 0) {
        r->eof = 1;
        r->err = (int)n;
        raw_close(r);
    }
}

static void raw_write_cb(uv_write_t *w, int status)
{
    (void)w;
    (void)status;
}

static void raw_connect_cb(uv_connect_t *c, int status)
{
    raw_t *r = c->data;
    if (status < 0) {
        raw_close(r);
        return;
    }
    uv_buf_t b = uv_buf_init(r->out, (unsigned)r->out_len);
    uv_read_start((uv_stream_t *)&r->tcp, raw_alloc_cb, raw_read_cb);
    uv_write(&r->w, (uv_stream_t *)&r->tcp, &b, 1, raw_write_cb);
}

static raw_t *raw_send(fx_t *fx, const char *data, size_t len)
{
    raw_t *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    r->out = malloc(len);
    memcpy(r->out, data, len);
    r->out_len = len;
    uv_tcp_init(&fx->loop, &r->tcp);
    r->tcp.data = r->connect.data = r;
    assert_int_equal(
        uv_tcp_connect(&r->connect, &r->tcp, (struct sockaddr *)&fx->addr, raw_connect_cb), 0);
    return r;
}

static int raw_is_closed(fx_t *fx, void *arg)
{
    (void)fx;
    return ((raw_t *)arg)->closed;
}

static void raw_free(raw_t *r)
{
    free(r->out);
    free(r);
}

/* Sends data, waits for the server to close, and returns what came back. */
static raw_t *raw_exchange(fx_t *fx, const char *data, size_t len)
{
    raw_t *r = raw_send(fx, data, len);
    assert_true(run_until(fx, raw_is_closed, r));
    assert_true(r->eof);
    return r;
}

enum { BAD_PARTIAL, BAD_ONE_SHOT };

typedef struct {
    uv_tcp_t listener;
    uv_tcp_t conns[4];
    uv_write_t w[4];
    char buf[4][4096];
    size_t len[4];
    int accepted, behaviour, open;
    struct sockaddr_storage addr;
} badsrv_t;

static void bad_close_cb(uv_handle_t *h)
{
    badsrv_t *b = h->data;
    b->open--;
}

static void bad_write_cb(uv_write_t *w, int status)
{
    (void)status;
    uv_close((uv_handle_t *)w->handle, bad_close_cb);
}

static void bad_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    badsrv_t *b = h->data;
    int i = (int)((uv_tcp_t *)h - b->conns);
    (void)suggested;
    *buf = uv_buf_init(b->buf[i] + b->len[i], (unsigned)(sizeof(b->buf[i]) - 1 - b->len[i]));
}

static void bad_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    badsrv_t *b = s->data;
    int i = (int)((uv_tcp_t *)s - b->conns);
    static const char partial[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc";
    static const char oneshot[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    (void)buf;
    if (n < 0) {
        if (!uv_is_closing((uv_handle_t *)s))
            uv_close((uv_handle_t *)s, bad_close_cb);
        return;
    }
    b->len[i] += (size_t)n;
    b->buf[i][b->len[i]] = '\0';
    if (!strstr(b->buf[i], "\r\n\r\n"))
        return;
    /* Answer (part of) it, then hang up as soon as it is written. */
    uv_read_stop(s);
    const char *ans = b->behaviour == BAD_PARTIAL ? partial : oneshot;
    uv_buf_t out = uv_buf_init((char *)ans, (unsigned)strlen(ans));
    uv_write(&b->w[i], s, &out, 1, bad_write_cb);
}

static void bad_connection_cb(uv_stream_t *ls, int status)
{
    badsrv_t *b = ls->data;
    if (status < 0 || b->accepted == 4)
        return;
    uv_tcp_t *c = &b->conns[b->accepted];
    uv_tcp_init(ls->loop, c);
    c->data = b;
    b->open++;
    uv_accept(ls, (uv_stream_t *)c);
    b->accepted++;
    uv_read_start((uv_stream_t *)c, bad_alloc_cb, bad_read_cb);
}

static void bad_start(fx_t *fx, badsrv_t *b, int behaviour)
{
    struct sockaddr_in any;
    int len = sizeof(b->addr);
    memset(b, 0, sizeof(*b));
    b->behaviour = behaviour;
    uv_ip4_addr("127.0.0.1", 0, &any);
    uv_tcp_init(&fx->loop, &b->listener);
    b->listener.data = b;
    b->open = 1;
    assert_int_equal(uv_tcp_bind(&b->listener, (struct sockaddr *)&any, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&b->listener, 8, bad_connection_cb), 0);
    uv_tcp_getsockname(&b->listener, (struct sockaddr *)&b->addr, &len);
    /* Point the fixture's client at it instead of the fs_http server. */
    fs_http_client_close(fx->cli);
    assert_int_equal(fs_http_client_new(&fx->loop, (struct sockaddr *)&b->addr, &fx->cli), 0);
}

static int bad_is_closed(fx_t *fx, void *arg)
{
    (void)fx;
    return ((badsrv_t *)arg)->open == 0;
}

static void bad_stop(fx_t *fx, badsrv_t *b)
{
    for (int i = 0; i < b->accepted; i++)
        if (!uv_is_closing((uv_handle_t *)&b->conns[i]))
            uv_close((uv_handle_t *)&b->conns[i], bad_close_cb);
    uv_close((uv_handle_t *)&b->listener, bad_close_cb);
    assert_true(run_until(fx, bad_is_closed, b));
}

/* ---- tests ---- */

static void test_status_text(void **state)
{
    (void)state;
    assert_string_equal(fs_http_status_text(200), "OK");
    assert_string_equal(fs_http_status_text(404), "Not Found");
    assert_string_equal(fs_http_status_text(413), "Payload Too Large");
    assert_string_equal(fs_http_status_text(431), "Request Header Fields Too Large");
    assert_string_equal(fs_http_status_text(503), "Service Unavailable");
    assert_string_equal(fs_http_status_text(799), "Unknown");
}

static void test_sync_response(void **state)
{
    fx_t *fx = *state;
    fx->close_in_cb = 1; /* the client may go away from inside its callback */
    assert_int_equal(get(fx, "/hello", "X-Req: 1\r\n", 0), 0);
    assert_int_equal(fs_http_client_pending(fx->cli), 1);
    wait_done(fx, 1);
    assert_int_equal(fx->status[0], 200);
    assert_string_equal(fx->body[0], "GET /hello");
    assert_int_equal(fx->body_len[0], strlen("GET /hello"));
    assert_string_equal(fx->reply_hdr, "yes");
    assert_string_equal(fx->ctype, "text/plain");
    assert_null(fx->cli);
    assert_int_equal(fx->observed, 1);
    assert_int_equal(fx->last_status, 200);
    assert_true(fx->last_secs >= 0 && fx->last_secs < 1);
}

static void test_async_response(void **state)
{
    fx_t *fx = *state;
    fx->mode = MODE_ASYNC;
    assert_int_equal(get(fx, "/later", NULL, 0), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status[0], 201);
    assert_string_equal(fx->body[0], "later 42");
    assert_int_equal(fs_http_client_pending(fx->cli), 0);
    assert_int_equal(fx->observed, 1);
    assert_true(fx->last_secs >= 0.015);
}

static void test_keepalive_reuse(void **state)
{
    fx_t *fx = *state;
    fx->chain = 2; /* each answer's callback sends the next request */
    assert_int_equal(get(fx, "/first", NULL, 0), 0);
    wait_done(fx, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(fx->status[i], 200);
    assert_string_equal(fx->body[2], "GET /next");
    assert_int_equal(fs_http_server_accepted(fx->srv), 1);
    assert_string_not_equal(fx->peer[0], "");
    assert_string_equal(fx->peer[0], fx->peer[1]);
    assert_string_equal(fx->peer[1], fx->peer[2]);
}

static void test_pipelined_in_order(void **state)
{
    fx_t *fx = *state;
    static const char reqs[] = "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"
                               "GET /fast HTTP/1.1\r\nHost: t\r\n\r\n"
                               "GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    fx->mode = MODE_PIPE;
    raw_t *r = raw_exchange(fx, reqs, strlen(reqs));
    char *slow = strstr(r->in, "\r\n\r\n/slow");
    char *fast = strstr(r->in, "\r\n\r\n/fast");
    char *last = strstr(r->in, "\r\n\r\n/last");
    assert_non_null(slow);
    assert_non_null(fast);
    assert_non_null(last);
    assert_true(slow < fast && fast < last);
    assert_non_null(strstr(fast, "Connection: close"));
    assert_non_null(strstr(r->in, "Connection: keep-alive\r\n\r\n/slow"));
    assert_int_equal(fx->handled, 3);
    assert_int_equal(fx->max_outstanding, 1);
    raw_free(r);
}

static void test_http10_closes(void **state)
{
    fx_t *fx = *state;
    static const char req[] = "GET /old HTTP/1.0\r\n\r\n";
    raw_t *r = raw_exchange(fx, req, strlen(req));
    assert_memory_equal(r->in, "HTTP/1.1 200 OK\r\n", 17);
    assert_non_null(strstr(r->in, "Connection: close\r\n"));
    assert_non_null(strstr(r->in, "\r\n\r\nGET /old"));
    raw_free(r);
}

static void test_post_roundtrip(void **state)
{
    fx_t *fx = *state;
    size_t big = 1u << 20;
    char *data = malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (char)('a' + (i * 7) % 26);
    fs_http_call_t small = {.method = "POST", .target = "/echo", .body = "k=v", .body_len = 3};
    fs_http_call_t large = {.method = "POST", .target = "/echo", .body = data, .body_len = big};
    assert_int_equal(fs_http_client_request(fx->cli, &small, client_cb, fx), 0);
    assert_int_equal(fs_http_client_request(fx->cli, &large, client_cb, fx), 0);
    memset(data, 0, 16); /* the call was copied */
    wait_done(fx, 2);
    for (size_t i = 0; i < 16; i++)
        data[i] = (char)('a' + (i * 7) % 26);
    /* Two requests at once went on two connections; either may finish first. */
    int l = fx->body_len[0] == big ? 0 : 1;
    assert_int_equal(fx->status[0], 200);
    assert_int_equal(fx->status[1], 200);
    assert_int_equal(fx->body_len[l], big);
    assert_memory_equal(fx->body[l], data, big);
    assert_int_equal(fx->body[l][big], '\0');
    assert_string_equal(fx->body[1 - l], "k=v");
    free(data);

    static const char chunked[] = "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                                  "Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    raw_t *r = raw_exchange(fx, chunked, strlen(chunked));
    assert_non_null(strstr(r->in, "Content-Length: 11\r\n"));
    assert_non_null(strstr(r->in, "\r\n\r\nhello world"));
    raw_free(r);
}

static void test_body_too_large(void **state)
{
    fx_t *fx = *state;
    char req[128];
    snprintf(req, sizeof(req), "POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: %u\r\n\r\n",
             FS_HTTP_MAX_BODY + 1);
    raw_t *r = raw_exchange(fx, req, strlen(req));
    assert_memory_equal(r->in, "HTTP/1.1 413 ", 13);
    assert_non_null(strstr(r->in, "Connection: close\r\n"));
    assert_int_equal(fx->handled, 0);
    assert_int_equal(fx->observed, 1);
    assert_int_equal(fx->last_status, 413);
    raw_free(r);
}

static void test_garbage_is_400(void **state)
{
    fx_t *fx = *state;
    static const char junk[] = "\x01\x02 what is this\r\n\r\n";
    raw_t *r = raw_exchange(fx, junk, strlen(junk));
    assert_memory_equal(r->in, "HTTP/1.1 400 ", 13);
    assert_int_equal(fx->handled, 0);
    raw_free(r);

    static const char bad_version[] = "GET / HTTP/9x\r\n\r\n";
    r = raw_exchange(fx, bad_version, strlen(bad_version));
    assert_memory_equal(r->in, "HTTP/1.1 400 ", 13);
    assert_int_equal(fx->handled, 0);
    raw_free(r);
}

static void test_header_limits_431(void **state)
{
    fx_t *fx = *state;
    size_t cap = 100000, len = 0;
    char *req = malloc(cap);
    len += (size_t)snprintf(req + len, cap - len, "GET / HTTP/1.1\r\n");
    for (int i = 0; i <= FS_HTTP_MAX_HEADERS; i++)
        len += (size_t)snprintf(req + len, cap - len, "X-H%d: v\r\n", i);
    len += (size_t)snprintf(req + len, cap - len, "\r\n");
    raw_t *r = raw_exchange(fx, req, len);
    assert_memory_equal(r->in, "HTTP/1.1 431 ", 13);
    raw_free(r);

    len = (size_t)snprintf(req, cap, "GET / HTTP/1.1\r\nX-Big: ");
    memset(req + len, 'b', 70000);
    len += 70000;
    len += (size_t)snprintf(req + len, cap - len, "\r\n\r\n");
    r = raw_exchange(fx, req, len);
    assert_memory_equal(r->in, "HTTP/1.1 431 ", 13);
    raw_free(r);
    free(req);
    assert_int_equal(fx->handled, 0);

    /* Exactly the limit is fine. */
    req = malloc(cap);
    len = (size_t)snprintf(req, cap, "GET /ok HTTP/1.1\r\n");
    for (int i = 0; i < FS_HTTP_MAX_HEADERS - 1; i++)
        len += (size_t)snprintf(req + len, cap - len, "X-H%d: v\r\n", i);
    len += (size_t)snprintf(req + len, cap - len, "Connection: close\r\n\r\n");
    r = raw_exchange(fx, req, len);
    assert_memory_equal(r->in, "HTTP/1.1 200 ", 13);
    raw_free(r);
    free(req);
}

static void test_query_params(void **state)
{
    fx_t *fx = *state;
    fx->mode = MODE_INSPECT;
    assert_int_equal(get(fx, "/v1/score?x=1&node=abc&empty=&flag&long=abcdefghij", NULL, 0), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status[0], 204);
    assert_int_equal(fx->body_len[0], 0);
    assert_string_equal(fx->path, "/v1/score");
    assert_string_equal(fx->query, "x=1&node=abc&empty=&flag&long=abcdefghij");
    assert_int_equal(fx->method, HTTP_GET);
    assert_string_equal(fx->qx, "1");
    assert_string_equal(fx->qnode, "abc");
    assert_string_equal(fx->qempty, "");
    assert_string_equal(fx->qflag, "");
    assert_int_equal(fx->rc_missing, -ENOENT);
    assert_int_equal(fx->rc_nospc, -ENOSPC);
    assert_int_equal(fx->rc_prefix, -ENOENT);

    assert_int_equal(get(fx, "/plain", NULL, 0), 0);
    wait_done(fx, 2);
    assert_string_equal(fx->path, "/plain");
    assert_string_equal(fx->query, "");
    assert_int_equal(fx->rc_missing, -ENOENT);
}

static void test_header_case_insensitive(void **state)
{
    fx_t *fx = *state;
    fx->mode = MODE_INSPECT;
    assert_int_equal(get(fx, "/h", "X-Custom-Thing: Value 1\r\nX-Other: 2\r\n", 0), 0);
    wait_done(fx, 1);
    assert_non_null(fx->hdr_lower);
    assert_string_equal(fx->hdr_lower_copy, "Value 1");
    assert_non_null(fx->hdr_upper);
    assert_null(fx->hdr_missing);
}

static void test_client_timeout(void **state)
{
    fx_t *fx = *state;
    fx->mode = MODE_HOLD;
    uint64_t t0 = uv_hrtime();
    assert_int_equal(get(fx, "/never", NULL, 200), 0);
    wait_done(fx, 1);
    double ms = (double)(uv_hrtime() - t0) / 1e6;
    assert_int_equal(fx->status[0], -ETIMEDOUT);
    assert_true(ms >= 199 && ms < 3000);
    assert_int_equal(fs_http_client_pending(fx->cli), 0);
    assert_int_equal(fx->handled, 1); /* it did reach the server */
    /* The client dropped that connection, so the late answer has nowhere to go. */
    assert_true(run_until(fx, held_peer_gone, NULL));
    assert_int_equal(fs_http_respond(unhold(fx), 200, NULL, NULL, "late", 4), -ENOTCONN);

    /* The pool still works afterwards, on a new connection. */
    fx->mode = MODE_ECHO;
    assert_int_equal(get(fx, "/after", NULL, 1000), 0);
    wait_done(fx, 2);
    assert_int_equal(fx->status[1], 200);
    assert_int_equal(fs_http_server_accepted(fx->srv), 2);
}

static void refused_close_cb(uv_handle_t *h)
{
    *(int *)h->data = 1;
}

static int flag_set(fx_t *fx, void *arg)
{
    (void)fx;
    return *(int *)arg;
}

static void test_connection_refused(void **state)
{
    fx_t *fx = *state;
    uv_tcp_t probe;
    struct sockaddr_in any;
    struct sockaddr_storage dead;
    int len = sizeof(dead), closed = 0;
    uv_ip4_addr("127.0.0.1", 0, &any);
    uv_tcp_init(&fx->loop, &probe);
    probe.data = &closed;
    assert_int_equal(uv_tcp_bind(&probe, (struct sockaddr *)&any, 0), 0);
    assert_int_equal(uv_tcp_getsockname(&probe, (struct sockaddr *)&dead, &len), 0);
    uv_close((uv_handle_t *)&probe, refused_close_cb);
    assert_true(run_until(fx, flag_set, &closed));

    fs_http_client_close(fx->cli);
    assert_int_equal(fs_http_client_new(&fx->loop, (struct sockaddr *)&dead, &fx->cli), 0);
    assert_int_equal(get(fx, "/", NULL, 1000), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status[0], -ECONNREFUSED);
}

/* Whatever the caller got wrong, nothing but loopback is ever bound or
 * called: the server and the client refuse before touching a socket. */
static void test_loopback_only(void **state)
{
    fx_t *fx = *state;
    const char *v4[] = {"0.0.0.0", "10.0.0.1", "192.0.2.1"};
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
    fs_http_server_t *srv = NULL;
    fs_http_client_t *cli = NULL;

    for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
        assert_int_equal(uv_ip4_addr(v4[i], 0, &in4), 0);
        assert_int_equal(
            fs_http_server_start(&fx->loop, (struct sockaddr *)&in4, handler, fx, &srv),
            UV_EADDRNOTAVAIL);
        assert_null(srv);
        in4.sin_port = htons(80);
        assert_int_equal(fs_http_client_new(&fx->loop, (struct sockaddr *)&in4, &cli),
                         -EADDRNOTAVAIL);
        assert_null(cli);
    }
    assert_int_equal(uv_ip6_addr("::", 0, &in6), 0);
    assert_int_equal(fs_http_server_start(&fx->loop, (struct sockaddr *)&in6, handler, fx, &srv),
                     UV_EADDRNOTAVAIL);
    assert_int_equal(uv_ip6_addr("::ffff:127.0.0.1", 80, &in6), 0);
    assert_int_equal(fs_http_client_new(&fx->loop, (struct sockaddr *)&in6, &cli), -EADDRNOTAVAIL);
    /* The rest of 127.0.0.0/8 is loopback too. */
    assert_int_equal(uv_ip4_addr("127.0.0.2", 80, &in4), 0);
    assert_int_equal(fs_http_client_new(&fx->loop, (struct sockaddr *)&in4, &cli), 0);
    fs_http_client_close(cli);
}

static void test_reset_mid_response(void **state)
{
    fx_t *fx = *state;
    badsrv_t bad;
    bad_start(fx, &bad, BAD_PARTIAL);
    assert_int_equal(get(fx, "/", NULL, 2000), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status[0], -ECONNRESET);
    assert_int_equal(bad.accepted, 1); /* a response had begun: no retry */
    fs_http_client_close(fx->cli);
    fx->cli = NULL;
    bad_stop(fx, &bad);
}

static void test_retry_dead_keepalive(void **state)
{
    fx_t *fx = *state;
    badsrv_t bad;
    bad_start(fx, &bad, BAD_ONE_SHOT);
    fx->chain = 1; /* sent at once on the connection the server is dropping */
    assert_int_equal(get(fx, "/", NULL, 2000), 0);
    wait_done(fx, 2);
    assert_int_equal(fx->status[0], 200);
    assert_int_equal(fx->status[1], 200);
    assert_string_equal(fx->body[1], "ok");
    assert_int_equal(bad.accepted, 2);
    fs_http_client_close(fx->cli);
    fx->cli = NULL;
    bad_stop(fx, &bad);
}

static void test_cancel_on_close(void **state)
{
    fx_t *fx = *state;
    int two = 2;
    fx->mode = MODE_HOLD;
    assert_int_equal(get(fx, "/a", NULL, 0), 0);
    assert_int_equal(get(fx, "/b", NULL, 5000), 0);
    assert_true(run_until(fx, handled_at_least, &two));
    assert_int_equal(fs_http_client_pending(fx->cli), 2);
    fx->rc_in_cancel_cb = 0;
    fs_http_client_close(fx->cli); /* callbacks fire from in here */
    fx->cli = NULL;
    assert_int_equal(fx->done, 2);
    assert_int_equal(fx->status[0], -ECANCELED);
    assert_int_equal(fx->status[1], -ECANCELED);
    assert_int_equal(fx->rc_in_cancel_cb, -ECANCELED);
}

static void test_respond_after_disconnect(void **state)
{
    fx_t *fx = *state;
    static const char req[] = "GET /hold HTTP/1.1\r\nHost: t\r\n\r\n";
    int one = 1;
    fx->mode = MODE_HOLD;
    raw_t *r = raw_send(fx, req, strlen(req));
    assert_true(run_until(fx, handled_at_least, &one));
    assert_string_not_equal(fs_http_req_peer(fx->held[0]), "");
    assert_string_equal(fs_http_req_path(fx->held[0]), "/hold");
    raw_close(r);
    assert_true(run_until(fx, held_peer_gone, NULL));
    /* Still a valid request, only without a connection. */
    assert_string_equal(fs_http_req_path(fx->held[0]), "/hold");
    assert_int_equal(fs_http_respond(unhold(fx), 200, NULL, NULL, "x", 1), -ENOTCONN);
    assert_int_equal(fx->observed, 1);
    assert_true(run_until(fx, raw_is_closed, r));
    raw_free(r);
}

static void test_server_close_with_pending(void **state)
{
    fx_t *fx = *state;
    int one = 1;
    fx->mode = MODE_HOLD;
    assert_int_equal(get(fx, "/hold", NULL, 0), 0);
    assert_true(run_until(fx, handled_at_least, &one));
    fs_http_server_close(fx->srv);
    fx->srv = NULL;
    wait_done(fx, 1);
    assert_int_equal(fx->status[0], -ECONNRESET);
    /* The server's memory waits for this answer (ASan checks it goes). */
    assert_int_equal(fs_http_respond(unhold(fx), 200, NULL, NULL, NULL, 0), -ENOTCONN);
}

static void test_head_has_no_body(void **state)
{
    fx_t *fx = *state;
    fs_http_call_t head = {.method = "HEAD", .target = "/x"};
    assert_int_equal(fs_http_client_request(fx->cli, &head, client_cb, fx), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status[0], 200);
    assert_int_equal(fx->body_len[0], 0);
    /* The connection's framing survived: the next answer is intact. */
    assert_int_equal(get(fx, "/y", NULL, 0), 0);
    wait_done(fx, 2);
    assert_string_equal(fx->body[1], "GET /y");
    assert_int_equal(fs_http_server_accepted(fx->srv), 1);
}

static void test_expect_continue(void **state)
{
    fx_t *fx = *state;
    static const char req[] = "POST /echo HTTP/1.1\r\nContent-Length: 5\r\n"
                              "Expect: 100-continue\r\nConnection: close\r\n\r\nhello";
    raw_t *r = raw_exchange(fx, req, strlen(req));
    assert_memory_equal(r->in, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", 42);
    assert_non_null(strstr(r->in, "\r\n\r\nhello"));
    raw_free(r);
}

static void test_client_honours_close(void **state)
{
    fx_t *fx = *state;
    fx->chain = 1;
    assert_int_equal(get(fx, "/bye", "Connection: close\r\n", 0), 0);
    wait_done(fx, 2);
    assert_int_equal(fx->status[0], 200);
    assert_int_equal(fx->status[1], 200);
    assert_int_equal(fs_http_server_accepted(fx->srv), 2);
}

static int pending_at_most(fx_t *fx, void *arg)
{
    return fs_http_client_pending(fx->cli) <= (size_t) * (int *)arg;
}

static void test_queue_beyond_cap(void **state)
{
    fx_t *fx = *state;
    struct rlimit rl;
    char target[32];
    int cap = 512, waiting = MANY, none = 0;
    /* Both ends of 512 connections live in this process. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1200) {
        rl.rlim_cur = rl.rlim_max < 2048 ? rl.rlim_max : 2048;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < 1200)
        skip();
    fx->mode = MODE_HOLD_MANY;
    fx->many = calloc(MANY + 1, sizeof(*fx->many));
    for (int i = 0; i < MANY; i++) {
        snprintf(target, sizeof(target), "/q/%d", i);
        assert_int_equal(get(fx, target, NULL, 0), 0);
    }
    /* Queued behind the others, it times out without a connection. */
    assert_int_equal(get(fx, "/q/late", NULL, 100), 0);
    assert_true(run_until(fx, handled_at_least, &cap));
    wait_done(fx, 1);
    assert_int_equal(fx->status[0], -ETIMEDOUT);
    assert_int_equal(fx->handled, cap);
    assert_int_equal(fs_http_server_accepted(fx->srv), cap);
    assert_int_equal(fs_http_client_pending(fx->cli), MANY);

    for (int i = 0; i < fx->nmany; i++)
        fs_http_respond(fx->many[i], 200, NULL, NULL, "ok", 2);
    fx->nmany = 0;
    assert_true(run_until(fx, handled_at_least, &waiting));
    for (int i = 0; i < fx->nmany; i++)
        fs_http_respond(fx->many[i], 200, NULL, NULL, "ok", 2);
    fx->nmany = 0;
    assert_true(run_until(fx, pending_at_most, &none));
    assert_int_equal(fx->ok, MANY);
    assert_int_equal(fs_http_server_accepted(fx->srv), cap);
    for (int i = cap; i < MANY; i++) /* the queue is FIFO */
        assert_int_equal(fx->order[i], i);
}

static void test_req_header_iteration(void **state)
{
    fx_t *fx = *state;
    fx->mode = MODE_INSPECT;
    assert_int_equal(get(fx, "/h", "X-Dup: a\r\nX-Other: 2\r\nX-Dup: b\r\n", 0), 0);
    wait_done(fx, 1);
    /* Host and Content-Length come from the client, then ours in order. */
    assert_int_equal(fx->req_hdr_count, 5);
    assert_non_null(strstr(fx->req_hdrs, "Host=127.0.0.1:"));
    assert_non_null(strstr(fx->req_hdrs, ";Content-Length=0;X-Dup=a;X-Other=2;X-Dup=b;"));
    assert_int_equal(fx->rc_req_range, -ERANGE);
}

static void test_resp_header_iteration(void **state)
{
    fx_t *fx = *state;
    assert_int_equal(get(fx, "/hello", NULL, 0), 0);
    wait_done(fx, 1);
    assert_string_equal(fx->resp_hdrs, "Content-Type=text/plain;Content-Length=10;"
                                       "Connection=keep-alive;X-Reply=yes;");
    assert_int_equal(fx->rc_resp_range, -ERANGE);
}

static int held_one(fx_t *fx, void *arg)
{
    (void)arg;
    return fx->nheld == 1;
}

/* A held request aborted with or without reset: the peer reads what the
 * flag promises, and nothing is observed. */
static void abort_raw(fx_t *fx, int reset, int expect_err)
{
    static const char req[] = "GET /hold HTTP/1.1\r\nHost: t\r\n\r\n";
    fx->mode = MODE_HOLD;
    raw_t *r = raw_send(fx, req, strlen(req));
    assert_true(run_until(fx, held_one, NULL));
    assert_int_equal(fs_http_req_abort(unhold(fx), reset), 0);
    assert_true(run_until(fx, raw_is_closed, r));
    assert_int_equal(r->err, expect_err);
    assert_int_equal(r->in_len, 0); /* not a byte of an answer */
    assert_int_equal(fx->observed, 0);
    raw_free(r);
}

static void test_abort_reset(void **state)
{
    abort_raw(*state, 1, UV_ECONNRESET);
}

static void test_abort_plain(void **state)
{
    abort_raw(*state, 0, UV_EOF);
}

static void test_abort_fails_client_call(void **state)
{
    fx_t *fx = *state;
    int one = 1;
    fx->mode = MODE_HOLD;
    assert_int_equal(get(fx, "/x", NULL, 2000), 0);
    assert_true(run_until(fx, handled_at_least, &one));
    assert_int_equal(fs_http_req_abort(unhold(fx), 1), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status[0], -ECONNRESET);
    /* A request whose client has gone is released all the same. */
    assert_int_equal(get(fx, "/y", NULL, 100), 0);
    wait_done(fx, 2);
    assert_int_equal(fx->status[1], -ETIMEDOUT);
    assert_true(run_until(fx, held_peer_gone, NULL));
    assert_int_equal(fs_http_req_abort(unhold(fx), 1), -ENOTCONN);
}

static void test_pause_resume(void **state)
{
    fx_t *fx = *state;
    fs_http_client_t *other = NULL;
    fs_http_call_t call = {.method = "GET", .target = "/o", .timeout_ms = 2000};
    struct sockaddr_storage again;
    assert_int_equal(get(fx, "/a", NULL, 0), 0); /* a kept-alive connection */
    wait_done(fx, 1);
    assert_int_equal(fs_http_server_pause(fx->srv), 0);
    assert_int_equal(fs_http_server_pause(fx->srv), 0);
    assert_int_equal(fs_http_client_new(&fx->loop, (struct sockaddr *)&fx->addr, &other), 0);
    assert_int_equal(fs_http_client_request(other, &call, client_cb, fx), 0);
    wait_done(fx, 2);
    assert_int_equal(fx->status[1], -ECONNREFUSED);
    /* The open connection is still served. */
    assert_int_equal(get(fx, "/b", NULL, 0), 0);
    wait_done(fx, 3);
    assert_int_equal(fx->status[2], 200);
    assert_int_equal(fs_http_server_resume(fx->srv), 0);
    assert_int_equal(fs_http_server_resume(fx->srv), 0);
    assert_int_equal(fs_http_server_addr(fx->srv, &again), 0);
    assert_memory_equal(&again, &fx->addr, sizeof(struct sockaddr_in));
    assert_int_equal(fs_http_client_request(other, &call, client_cb, fx), 0);
    wait_done(fx, 4);
    assert_int_equal(fx->status[3], 200);
    assert_int_equal(fs_http_server_accepted(fx->srv), 2);
    fs_http_client_close(other);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_text),
        T(test_sync_response),
        T(test_loopback_only),
        T(test_async_response),
        T(test_keepalive_reuse),
        T(test_pipelined_in_order),
        T(test_http10_closes),
        T(test_post_roundtrip),
        T(test_body_too_large),
        T(test_garbage_is_400),
        T(test_header_limits_431),
        T(test_query_params),
        T(test_header_case_insensitive),
        T(test_client_timeout),
        T(test_connection_refused),
        T(test_reset_mid_response),
        T(test_retry_dead_keepalive),
        T(test_cancel_on_close),
        T(test_respond_after_disconnect),
        T(test_server_close_with_pending),
        T(test_head_has_no_body),
        T(test_expect_continue),
        T(test_client_honours_close),
        T(test_queue_beyond_cap),
        T(test_req_header_iteration),
        T(test_resp_header_iteration),
        T(test_abort_reset),
        T(test_abort_plain),
        T(test_abort_fails_client_call),
        T(test_pause_resume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
