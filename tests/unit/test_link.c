/* The link on real loopback connections, all in one loop: an upstream
 * fs_http server, a link in front of it, and an fs_http client calling the
 * link as a fleet process would. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_http.h"
#include "link.h"
#include "series.h"

#define BIG  20000 /* bytes of /big */
#define RUNS 200   /* requests of the probability test */

typedef struct {
    uv_loop_t loop;
    uv_timer_t guard;
    int guard_fired;
    /* upstream */
    fs_http_server_t *up;
    struct sockaddr_storage up_addr;
    int up_handled;
    fs_http_req_t *up_held; /* /hang: never answered */
    char up_headers[512];   /* "Name=value;" of the last request */
    /* the link and its caller */
    fs_series_t *series;
    fs_link_t *link;
    fs_http_client_t *cli;
    int done, status;
    char body[64], cfgver[16], multi[32], ctype[32];
    size_t body_len;
    uint64_t sent_ns;
    double ms; /* latency of the last call, as the caller saw it */
    int chain; /* sequential requests still to send from the callback */
    unsigned char pattern[RUNS];
} fx_t;

/* ---- upstream ---- */

static void up_handler(fs_http_req_t *req, void *data)
{
    fx_t *fx = data;
    const char *path = fs_http_req_path(req);
    size_t off = 0, n = fs_http_req_header_count(req), blen;
    const char *body = fs_http_req_body(req, &blen);
    fx->up_handled++;
    fx->up_headers[0] = '\0';
    for (size_t i = 0; i < n && off < sizeof(fx->up_headers); i++) {
        const char *name, *value;
        fs_http_req_header_at(req, i, &name, &value);
        off += (size_t)snprintf(fx->up_headers + off, sizeof(fx->up_headers) - off, "%s=%s;", name,
                                value);
    }
    if (strcmp(path, "/hang") == 0) {
        fx->up_held = req;
    } else if (strcmp(path, "/status/500") == 0) {
        fs_http_respondf(req, 500, "application/json", NULL, "{\"error\":\"boom\"}");
    } else if (strcmp(path, "/degraded") == 0) {
        fs_http_respondf(req, 200, "text/plain", "X-Failsmall-Degraded: botmod-timeout\r\n", "ok");
    } else if (strcmp(path, "/v1/score") == 0) {
        fs_http_respondf(req, 200, "application/json", NULL, "{\"score\":10,\"config_version\":1}");
    } else if (strcmp(path, "/v1/challenge/verify") == 0) {
        fs_http_respondf(req, 403, "application/json", NULL, "{\"ok\":false,\"score\":10}");
    } else if (strcmp(path, "/big") == 0) {
        char *big = malloc(BIG);
        memset(big, 'x', BIG);
        fs_http_respond(req, 200, "text/plain", NULL, big, BIG);
        free(big);
    } else {
        fs_http_respondf(req, 200, "text/plain",
                         "X-Config-Version: 7\r\nX-Multi: a\r\nX-Multi: b\r\n", "%s %s?%s %.*s",
                         http_method_str(fs_http_req_method(req)), path, fs_http_req_query(req),
                         (int)blen, body);
    }
}

/* ---- caller ---- */

static void call_cb(int status, const fs_http_resp_t *resp, void *data);

static int call(fx_t *fx, const char *method, const char *target, const char *headers,
                const char *body, uint64_t timeout_ms)
{
    fs_http_call_t c = {.method = method,
                        .target = target,
                        .headers = headers,
                        .body = body,
                        .body_len = body ? strlen(body) : 0,
                        .timeout_ms = timeout_ms};
    fx->sent_ns = uv_hrtime();
    return fs_http_client_request(fx->cli, &c, call_cb, fx);
}

static void call_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fx_t *fx = data;
    fx->ms = (double)(uv_hrtime() - fx->sent_ns) / 1e6;
    fx->status = status;
    fx->body[0] = fx->cfgver[0] = fx->multi[0] = fx->ctype[0] = '\0';
    fx->body_len = 0;
    if (resp) {
        const char *b = fs_http_resp_body(resp, &fx->body_len);
        const char *v = fs_http_resp_header(resp, "X-Config-Version");
        const char *ct = fs_http_resp_header(resp, "Content-Type");
        snprintf(fx->body, sizeof(fx->body), "%s", b);
        snprintf(fx->cfgver, sizeof(fx->cfgver), "%s", v ? v : "");
        snprintf(fx->ctype, sizeof(fx->ctype), "%s", ct ? ct : "");
        for (size_t i = 0; i < fs_http_resp_header_count(resp); i++) {
            const char *name, *value;
            fs_http_resp_header_at(resp, i, &name, &value);
            if (strcmp(name, "X-Multi") == 0)
                strncat(fx->multi, value, sizeof(fx->multi) - strlen(fx->multi) - 1);
        }
    }
    if (fx->done < RUNS)
        fx->pattern[fx->done] = status == 503;
    fx->done++;
    if (fx->chain > 0) {
        fx->chain--;
        call(fx, "GET", "/p", NULL, NULL, 0);
    }
}

/* ---- fixture ---- */

static void guard_cb(uv_timer_t *t)
{
    fx_t *fx = t->data;
    fx->guard_fired = 1;
    uv_stop(&fx->loop);
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

static void wait_done(fx_t *fx, int n)
{
    assert_true(run_until(fx, done_at_least, &n));
}

static int up_held(fx_t *fx, void *arg)
{
    (void)arg;
    return fx->up_held != NULL;
}

static int link_calls_at_least(fx_t *fx, void *arg)
{
    fs_link_stats_t st;
    fs_link_stats(fx->link, &st);
    return st.calls >= (uint64_t) * (int *)arg;
}

/* Replaces the link (and the caller's client) with a new one. */
static void link_up(fx_t *fx, uint64_t seed, const struct sockaddr *upstream)
{
    struct sockaddr_storage addr;
    fs_link_config_t cfg = {.name = "proxy[1]->botmod[1]",
                            .upstream = upstream,
                            .series = fx->series,
                            .t0_ns = uv_hrtime(),
                            .seed = seed,
                            .judge_threshold = 30};
    fs_http_client_close(fx->cli);
    fs_link_close(fx->link);
    fx->cli = NULL;
    fx->link = NULL;
    assert_int_equal(fs_link_start(&fx->loop, &cfg, &fx->link), 0);
    assert_string_equal(fs_link_name(fx->link), "proxy[1]->botmod[1]");
    assert_int_equal(fs_link_addr(fx->link, &addr), 0);
    assert_int_equal(fs_http_client_new(&fx->loop, (struct sockaddr *)&addr, &fx->cli), 0);
}

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));
    struct sockaddr_in any;
    if (!fx || uv_loop_init(&fx->loop) != 0)
        return -1;
    uv_timer_init(&fx->loop, &fx->guard);
    fx->guard.data = fx;
    uv_ip4_addr("127.0.0.1", 0, &any);
    if (fs_http_server_start(&fx->loop, (struct sockaddr *)&any, up_handler, fx, &fx->up) != 0 ||
        fs_http_server_addr(fx->up, &fx->up_addr) != 0)
        return -1;
    if (fs_series_new(100, 60000, 1000, &fx->series) != 0)
        return -1;
    *state = fx;
    link_up(fx, 42, (struct sockaddr *)&fx->up_addr);
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;
    if (fx->up_held)
        fs_http_respond(fx->up_held, 500, NULL, NULL, NULL, 0);
    fs_http_client_close(fx->cli);
    fs_link_close(fx->link);
    fs_http_server_close(fx->up);
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
    fs_series_free(fx->series);
    free(fx);
    return 0;
}

typedef struct {
    uint32_t calls, good, degraded, wrong, errors;
} sums_t;

static sums_t sums(const fx_t *fx)
{
    sums_t s = {0};
    for (size_t i = 0; i < fs_series_len(fx->series); i++) {
        const fs_bucket_t *b = fs_series_bucket(fx->series, i);
        s.calls += b->calls;
        s.good += b->good;
        s.degraded += b->degraded;
        s.wrong += b->wrong;
        s.errors += b->errors;
    }
    return s;
}

static fs_link_stats_t stats(const fx_t *fx)
{
    fs_link_stats_t st;
    fs_link_stats(fx->link, &st);
    return st;
}

static unsigned add(fx_t *fx, const fs_link_fault_t *f)
{
    unsigned id = 0;
    assert_int_equal(fs_link_add_fault(fx->link, f, &id), 0);
    assert_int_not_equal(id, 0);
    return id;
}

/* ---- tests ---- */

static void test_relay(void **state)
{
    fx_t *fx = *state;
    assert_int_equal(call(fx, "GET", "/echo?x=1",
                          "X-Custom: a\r\nX-Failsmall-Truth: bot\r\nProxy-Authorization: x\r\n"
                          "TE: trailers\r\nKeep-Alive: timeout=5\r\n",
                          NULL, 0),
                     0);
    wait_done(fx, 1);
    assert_int_equal(fx->status, 200);
    assert_string_equal(fx->body, "GET /echo?x=1 ");
    assert_string_equal(fx->cfgver, "7");
    assert_string_equal(fx->multi, "ab"); /* repeated headers, in order */
    assert_string_equal(fx->ctype, "text/plain");
    assert_non_null(strstr(fx->up_headers, "X-Custom=a;X-Failsmall-Truth=bot;"));
    assert_null(strstr(fx->up_headers, "Proxy-"));
    assert_null(strstr(fx->up_headers, "TE="));
    assert_null(strstr(fx->up_headers, "Keep-Alive"));

    assert_int_equal(call(fx, "POST", "/echo", "Content-Type: text/plain\r\n", "hello", 0), 0);
    wait_done(fx, 2);
    assert_int_equal(fx->status, 200);
    assert_string_equal(fx->body, "POST /echo? hello");
    assert_non_null(strstr(fx->up_headers, "Content-Length=5;"));
}

static void test_keepalive(void **state)
{
    fx_t *fx = *state;
    fx->chain = 4;
    assert_int_equal(call(fx, "GET", "/p", NULL, NULL, 0), 0);
    wait_done(fx, 5);
    assert_int_equal(fx->status, 200);
    assert_int_equal(stats(fx).calls, 5);
    assert_int_equal(stats(fx).connections, 1);
    assert_int_equal(fs_http_server_accepted(fx->up), 1);
}

static void test_series_counts(void **state)
{
    fx_t *fx = *state;
    static const struct {
        const char *method, *target, *headers;
        int status;
    } calls[] = {
        {"GET", "/ok", NULL, 200},
        {"GET", "/status/500", NULL, 500},
        {"GET", "/degraded", NULL, 200},
        {"POST", "/v1/score", "X-Failsmall-Truth: human\r\n", 200}, /* 10 < 30: wrong */
        {"POST", "/v1/score", "X-Failsmall-Truth: bot\r\n", 200},   /* right */
        {"POST", "/v1/challenge/verify", "X-Failsmall-Truth: human\r\n", 403},
        {"POST", "/v1/challenge/verify", NULL, 403}, /* no truth: cannot judge */
    };
    for (int i = 0; i < 7; i++) {
        assert_int_equal(call(fx, calls[i].method, calls[i].target, calls[i].headers, "{}", 0), 0);
        wait_done(fx, i + 1);
        assert_int_equal(fx->status, calls[i].status);
    }
    sums_t s = sums(fx);
    assert_int_equal(s.calls, 7);
    assert_int_equal(s.good, 4); /* ok, degraded, bot score, unjudged 403 */
    assert_int_equal(s.degraded, 1);
    assert_int_equal(s.wrong, 2);
    assert_int_equal(s.errors, 1);
    fs_link_stats_t st = stats(fx);
    assert_int_equal(st.calls, 7);
    assert_int_equal(st.ok, 3);
    assert_int_equal(st.degraded, 1);
    assert_int_equal(st.wrong, 2);
    assert_int_equal(st.errors, 1);
    assert_int_equal(st.faulted_calls, 0);
}

static void closed_cb(uv_handle_t *h)
{
    *(int *)h->data = 1;
}

static int flag_set(fx_t *fx, void *arg)
{
    (void)fx;
    return *(int *)arg;
}

static void test_upstream_refused(void **state)
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
    uv_close((uv_handle_t *)&probe, closed_cb);
    assert_true(run_until(fx, flag_set, &closed));

    link_up(fx, 42, (struct sockaddr *)&dead);
    assert_int_equal(call(fx, "GET", "/x", NULL, NULL, 2000), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status, -ECONNRESET);
    sums_t s = sums(fx);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.errors, 1);
    assert_int_equal(stats(fx).errors, 1);
}

/* A link listens on 127.0.0.1 only (its API takes no bind address), and
 * refuses to relay to anything but loopback. */
static void test_loopback_only(void **state)
{
    fx_t *fx = *state;
    struct sockaddr_storage addr;
    struct sockaddr_in far, *bound = (struct sockaddr_in *)&addr;
    fs_link_t *l = NULL;
    fs_link_config_t cfg = {.name = "proxy[0]->origin[0]", .upstream = (struct sockaddr *)&far};
    char ip[32];

    assert_int_equal(fs_link_addr(fx->link, &addr), 0);
    assert_int_equal(addr.ss_family, AF_INET);
    assert_non_null(inet_ntop(AF_INET, &bound->sin_addr, ip, sizeof(ip)));
    assert_string_equal(ip, "127.0.0.1");
    assert_true(ntohs(bound->sin_port) > 0);

    assert_int_equal(uv_ip4_addr("192.0.2.1", 80, &far), 0);
    assert_int_equal(fs_link_start(&fx->loop, &cfg, &l), -EADDRNOTAVAIL);
    assert_null(l);
    assert_int_equal(uv_ip4_addr("0.0.0.0", 80, &far), 0);
    assert_int_equal(fs_link_start(&fx->loop, &cfg, &l), -EADDRNOTAVAIL);
    assert_null(l);
}

static void test_down(void **state)
{
    fx_t *fx = *state;
    struct sockaddr_storage before, after;
    fs_link_fault_t down = {.type = FS_LINK_DOWN};
    assert_int_equal(fs_link_addr(fx->link, &before), 0);
    assert_int_equal(call(fx, "GET", "/a", NULL, NULL, 0), 0); /* a kept-alive connection */
    wait_done(fx, 1);
    assert_int_equal(fx->status, 200);

    unsigned id = add(fx, &down);
    /* The open connection is reset; the client's retry is refused. */
    assert_int_equal(call(fx, "GET", "/b", NULL, NULL, 2000), 0);
    wait_done(fx, 2);
    assert_true(fx->status == -ECONNREFUSED || fx->status == -ECONNRESET);
    assert_int_equal(call(fx, "GET", "/c", NULL, NULL, 2000), 0);
    wait_done(fx, 3);
    assert_int_equal(fx->status, -ECONNREFUSED);
    assert_int_equal(fx->up_handled, 1);
    assert_int_equal(stats(fx).faulted_calls, 1);
    assert_int_equal(sums(fx).errors, 1);

    assert_int_equal(fs_link_remove_fault(fx->link, id), 0);
    assert_int_equal(fs_link_remove_fault(fx->link, id), -ENOENT);
    assert_int_equal(call(fx, "GET", "/d", NULL, NULL, 2000), 0);
    wait_done(fx, 4);
    assert_int_equal(fx->status, 200);
    assert_int_equal(fs_link_addr(fx->link, &after), 0);
    assert_memory_equal(&before, &after, sizeof(struct sockaddr_in));
}

static void test_latency(void **state)
{
    fx_t *fx = *state;
    fs_link_fault_t lat = {.type = FS_LINK_LATENCY, .ms = 120};
    unsigned id = add(fx, &lat);
    assert_int_equal(call(fx, "GET", "/slow", NULL, NULL, 0), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status, 200);
    assert_true(fx->ms >= 120 && fx->ms < 1000);
    assert_int_equal(fs_link_remove_fault(fx->link, id), 0);

    lat.ms = 60;
    lat.direction = FS_LINK_DIR_BOTH; /* counted twice */
    id = add(fx, &lat);
    assert_int_equal(call(fx, "GET", "/slow", NULL, NULL, 0), 0);
    wait_done(fx, 2);
    assert_true(fx->ms >= 120 && fx->ms < 1000);
    assert_int_equal(fs_link_remove_fault(fx->link, id), 0);

    assert_int_equal(call(fx, "GET", "/fast", NULL, NULL, 0), 0);
    wait_done(fx, 3);
    assert_true(fx->ms < 110);
    assert_int_equal(stats(fx).faulted_calls, 2);
    /* The link observed the added latency too. */
    assert_true(fs_series_quantile_ms(fx->series, 0, fs_series_len(fx->series) - 1, 0.5) >= 100);
}

static void test_jitter(void **state)
{
    fx_t *fx = *state;
    fs_link_fault_t lat = {.type = FS_LINK_LATENCY, .ms = 60, .jitter_ms = 40};
    double lo = 1e9, hi = 0;
    add(fx, &lat);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(call(fx, "GET", "/j", NULL, NULL, 0), 0);
        wait_done(fx, i + 1);
        lo = fx->ms < lo ? fx->ms : lo;
        hi = fx->ms > hi ? fx->ms : hi;
    }
    assert_true(lo >= 20);
    assert_true(hi < 500);
    assert_true(hi - lo >= 5); /* 8 draws from 81 values are not all alike */
}

static void test_http_error(void **state)
{
    fx_t *fx = *state;
    fs_link_fault_t err = {.type = FS_LINK_HTTP_ERROR, .status = 503};
    unsigned id = add(fx, &err);
    assert_int_equal(call(fx, "GET", "/x", NULL, NULL, 0), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status, 503);
    assert_non_null(strstr(fx->body, "Service Unavailable"));
    assert_string_equal(fx->ctype, "application/json");
    assert_int_equal(fx->up_handled, 0);
    assert_int_equal(sums(fx).errors, 1);
    assert_int_equal(stats(fx).faulted_calls, 1);
    assert_int_equal(fs_link_remove_fault(fx->link, id), 0);
    assert_int_equal(call(fx, "GET", "/x", NULL, NULL, 0), 0);
    wait_done(fx, 2);
    assert_int_equal(fx->status, 200);
    assert_int_equal(fx->up_handled, 1);
}

/* The empty answer is a bare 200: no body, none of upstream's headers (no
 * X-Config-Version), no Content-Type; upstream is never called, the caller
 * cannot tell it apart by status, and the link files it as wrong. */
static void test_empty(void **state)
{
    fx_t *fx = *state;
    fs_link_fault_t empty = {.type = FS_LINK_EMPTY};
    fs_link_fault_t err = {.type = FS_LINK_HTTP_ERROR, .status = 502};
    unsigned id = add(fx, &empty);
    assert_int_equal(call(fx, "GET", "/v1/config/bot/features?node=0", NULL, NULL, 0), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status, 200);
    assert_int_equal(fx->body_len, 0);
    assert_string_equal(fx->cfgver, "");
    assert_string_equal(fx->ctype, "");
    assert_string_equal(fx->multi, "");
    assert_int_equal(call(fx, "POST", "/v1/health", "Content-Type: application/json\r\n", "{}", 0),
                     0);
    wait_done(fx, 2);
    assert_int_equal(fx->status, 200);
    assert_int_equal(fx->body_len, 0);
    assert_int_equal(fx->up_handled, 0);
    sums_t s = sums(fx);
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.wrong, 2);
    assert_int_equal(s.good, 0);
    fs_link_stats_t st = stats(fx);
    assert_int_equal(st.wrong, 2);
    assert_int_equal(st.faulted_calls, 2);

    /* The link answers once: the answering fault added first wins. */
    unsigned id2 = add(fx, &err);
    assert_int_equal(call(fx, "GET", "/x", NULL, NULL, 0), 0);
    wait_done(fx, 3);
    assert_int_equal(fx->status, 200);
    assert_int_equal(fs_link_remove_fault(fx->link, id), 0);
    assert_int_equal(call(fx, "GET", "/x", NULL, NULL, 0), 0);
    wait_done(fx, 4);
    assert_int_equal(fx->status, 502);
    assert_int_equal(fs_link_remove_fault(fx->link, id2), 0);

    /* Reverted: upstream answers again, headers and all. */
    assert_int_equal(call(fx, "GET", "/x", NULL, NULL, 0), 0);
    wait_done(fx, 5);
    assert_int_equal(fx->status, 200);
    assert_string_equal(fx->cfgver, "7");
    assert_int_equal(fx->up_handled, 1);
}

/* RUNS sequential requests through a fresh link seeded with seed, under an
 * http_error fault of probability 0.5; returns the faulted count. */
static int run_pattern(fx_t *fx, uint64_t seed, unsigned char *pattern)
{
    fs_link_fault_t err = {.type = FS_LINK_HTTP_ERROR, .status = 503, .probability = 0.5};
    link_up(fx, seed, (struct sockaddr *)&fx->up_addr);
    add(fx, &err);
    fx->done = 0;
    fx->chain = RUNS - 1;
    assert_int_equal(call(fx, "GET", "/p", NULL, NULL, 0), 0);
    wait_done(fx, RUNS);
    memcpy(pattern, fx->pattern, RUNS);
    int n = 0;
    for (int i = 0; i < RUNS; i++)
        n += pattern[i];
    assert_int_equal(stats(fx).faulted_calls, (uint64_t)n);
    return n;
}

static void test_probability_seeded(void **state)
{
    fx_t *fx = *state;
    unsigned char a[RUNS], b[RUNS], c[RUNS];
    int na = run_pattern(fx, 7, a);
    int nb = run_pattern(fx, 7, b);
    int nc = run_pattern(fx, 8, c);
    assert_true(na >= 70 && na <= 130);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, RUNS);
    assert_memory_not_equal(a, c, RUNS);
    assert_true(nc >= 70 && nc <= 130);
}

static void test_blackhole(void **state)
{
    fx_t *fx = *state;
    int two = 2;
    fs_link_fault_t bh = {.type = FS_LINK_BLACKHOLE};
    unsigned id = add(fx, &bh);
    assert_int_equal(call(fx, "GET", "/x", NULL, NULL, 100), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status, -ETIMEDOUT); /* the caller's own deadline */
    assert_true(fx->ms >= 99);
    /* Without a deadline it waits until the fault goes, then reads EOF. */
    assert_int_equal(call(fx, "GET", "/y", NULL, NULL, 0), 0);
    assert_true(run_until(fx, link_calls_at_least, &two));
    assert_int_equal(fx->done, 1);
    assert_int_equal(fs_link_remove_fault(fx->link, id), 0);
    wait_done(fx, 2);
    assert_int_equal(fx->status, -ECONNRESET);
    assert_int_equal(fx->up_handled, 0);
    sums_t s = sums(fx);
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.good, 0);
    assert_int_equal(s.errors, 0); /* begun, never ended */
    assert_int_equal(stats(fx).faulted_calls, 2);

    assert_int_equal(call(fx, "GET", "/z", NULL, NULL, 0), 0);
    wait_done(fx, 3);
    assert_int_equal(fx->status, 200);
}

/* Blackholed on the way back: the callee does the work, the caller never
 * hears of it. */
static void test_blackhole_response(void **state)
{
    fx_t *fx = *state;
    fs_link_fault_t bh = {.type = FS_LINK_BLACKHOLE, .direction = FS_LINK_DIR_RESPONSE};
    unsigned id = add(fx, &bh);

    assert_int_equal(call(fx, "GET", "/x", NULL, NULL, 200), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status, -ETIMEDOUT);
    assert_int_equal(fx->up_handled, 1); /* it reached the callee */
    assert_int_equal(sums(fx).good, 0);
    assert_int_equal(fs_link_remove_fault(fx->link, id), 0);
    assert_int_equal(call(fx, "GET", "/z", NULL, NULL, 0), 0);
    wait_done(fx, 2);
    assert_int_equal(fx->status, 200);
}

static void test_reset(void **state)
{
    fx_t *fx = *state;
    fs_link_fault_t rst = {.type = FS_LINK_RESET};
    add(fx, &rst);
    assert_int_equal(call(fx, "GET", "/x", NULL, NULL, 2000), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status, -ECONNRESET);
    assert_int_equal(fx->up_handled, 1); /* it was forwarded */
    assert_int_equal(sums(fx).errors, 1);
}

static void test_bandwidth(void **state)
{
    fx_t *fx = *state;
    fs_link_fault_t bw = {.type = FS_LINK_BANDWIDTH, .bytes_per_s = 100000};
    unsigned id = add(fx, &bw);
    assert_int_equal(call(fx, "GET", "/big", NULL, NULL, 0), 0); /* 20000 B: 200 ms */
    wait_done(fx, 1);
    assert_int_equal(fx->status, 200);
    assert_int_equal(fx->body_len, BIG);
    assert_true(fx->ms >= 190 && fx->ms < 1000);
    assert_int_equal(fs_link_remove_fault(fx->link, id), 0);

    char body[10001];
    memset(body, 'b', 10000);
    body[10000] = '\0';
    bw.direction = FS_LINK_DIR_REQUEST; /* 10000 B up: 100 ms; the answer is small */
    add(fx, &bw);
    assert_int_equal(call(fx, "POST", "/up", NULL, body, 0), 0);
    wait_done(fx, 2);
    assert_int_equal(fx->status, 200);
    assert_true(fx->ms >= 95 && fx->ms < 1000);
}

static void test_bad_faults(void **state)
{
    fx_t *fx = *state;
    unsigned id;
    fs_link_fault_t f = {.type = FS_LINK_LATENCY, .ms = 10, .probability = 1.5};
    assert_int_equal(fs_link_add_fault(fx->link, &f, &id), -EINVAL);
    f.probability = -0.1;
    assert_int_equal(fs_link_add_fault(fx->link, &f, &id), -EINVAL);
    f.probability = 1;
    f.direction = 4;
    assert_int_equal(fs_link_add_fault(fx->link, &f, &id), -EINVAL);
    f = (fs_link_fault_t){.type = FS_LINK_BANDWIDTH};
    assert_int_equal(fs_link_add_fault(fx->link, &f, &id), -EINVAL);
    f = (fs_link_fault_t){.type = FS_LINK_HTTP_ERROR, .status = 700};
    assert_int_equal(fs_link_add_fault(fx->link, &f, &id), -EINVAL);
    f = (fs_link_fault_t){.type = (fs_link_fault_type_t)99};
    assert_int_equal(fs_link_add_fault(fx->link, &f, &id), -EINVAL);
    assert_int_equal(fs_link_remove_fault(fx->link, 12345), -ENOENT);
    f = (fs_link_fault_t){.type = FS_LINK_RESET};
    for (int i = 0; i < FS_LINK_MAX_FAULTS; i++)
        assert_int_equal(fs_link_add_fault(fx->link, &f, &id), 0);
    assert_int_equal(fs_link_add_fault(fx->link, &f, &id), -ENOSPC);
}

/* Closing a link with calls in every state (delayed, held, upstream)
 * answers nothing further and leaks nothing (teardown checks every handle
 * closed; ASan the memory). */
static void test_close_with_calls_in_flight(void **state)
{
    fx_t *fx = *state;
    int one = 1, two = 2, four = 4;
    fs_link_fault_t lat = {.type = FS_LINK_LATENCY, .ms = 2000};
    fs_link_fault_t bh = {.type = FS_LINK_BLACKHOLE};
    unsigned id = add(fx, &lat);
    assert_int_equal(call(fx, "GET", "/delayed", NULL, NULL, 0), 0);
    assert_true(run_until(fx, link_calls_at_least, &one));
    assert_int_equal(fs_link_remove_fault(fx->link, id), 0);
    id = add(fx, &bh);
    assert_int_equal(call(fx, "GET", "/held", NULL, NULL, 0), 0);
    assert_true(run_until(fx, link_calls_at_least, &two));
    assert_int_equal(fs_link_remove_fault(fx->link, id), 0);
    /* (its held call is dropped: the caller's second answer) */
    assert_int_equal(call(fx, "GET", "/hang", NULL, NULL, 0), 0);
    assert_true(run_until(fx, up_held, NULL));
    assert_int_equal(fx->done, 1);
    assert_int_equal(fx->status, -ECONNRESET);
    add(fx, &bh);
    assert_int_equal(call(fx, "GET", "/held2", NULL, NULL, 0), 0);
    assert_true(run_until(fx, link_calls_at_least, &four));
    fs_link_close(fx->link);
    fx->link = NULL;
    wait_done(fx, 4);
    assert_int_equal(fx->status, -ECONNRESET);
    assert_int_equal(fx->up_handled, 1);
    assert_int_equal(fs_http_respond(fx->up_held, 200, NULL, NULL, NULL, 0), -ENOTCONN);
    fx->up_held = NULL;
}

typedef struct {
    int calls;
    char cfgver[16];
} seen_t;

static void seen_cb(void *data, const fs_link_t *link, int status, const fs_http_resp_t *resp)
{
    seen_t *seen = data;
    const char *v = fs_http_resp_header(resp, "X-Config-Version");
    (void)link;
    seen->calls += status == 200;
    snprintf(seen->cfgver, sizeof(seen->cfgver), "%s", v ? v : "");
}

/* Fleet start-up is relayed but not filed; the observer sees answers. */
static void test_t0_and_observer(void **state)
{
    fx_t *fx = *state;
    seen_t seen = {0};
    struct sockaddr_storage addr;
    fs_link_config_t cfg = {.name = "botmod[0]->configstore[0]",
                            .upstream = (struct sockaddr *)&fx->up_addr,
                            .series = fx->series,
                            .t0_ns = UINT64_MAX,
                            .seed = 1,
                            .on_response = seen_cb,
                            .data = &seen};
    fs_http_client_close(fx->cli);
    fs_link_close(fx->link);
    assert_int_equal(fs_link_start(&fx->loop, &cfg, &fx->link), 0);
    assert_int_equal(fs_link_addr(fx->link, &addr), 0);
    assert_int_equal(fs_http_client_new(&fx->loop, (struct sockaddr *)&addr, &fx->cli), 0);

    assert_int_equal(call(fx, "GET", "/echo", NULL, NULL, 0), 0);
    wait_done(fx, 1);
    assert_int_equal(fx->status, 200);
    assert_int_equal(sums(fx).calls, 0);
    assert_int_equal(stats(fx).calls, 1);
    assert_int_equal(seen.calls, 1);
    assert_string_equal(seen.cfgver, "7");

    fs_link_set_t0(fx->link, uv_hrtime());
    assert_int_equal(call(fx, "GET", "/echo", NULL, NULL, 0), 0);
    wait_done(fx, 2);
    assert_int_equal(sums(fx).calls, 1);
    assert_int_equal(sums(fx).good, 1);
    assert_int_equal(seen.calls, 2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_relay),
        T(test_loopback_only),
        T(test_keepalive),
        T(test_series_counts),
        T(test_upstream_refused),
        T(test_down),
        T(test_latency),
        T(test_jitter),
        T(test_http_error),
        T(test_empty),
        T(test_probability_seeded),
        T(test_blackhole),
        T(test_blackhole_response),
        T(test_reset),
        T(test_bandwidth),
        T(test_bad_faults),
        T(test_close_with_calls_in_flight),
        T(test_t0_and_observer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
