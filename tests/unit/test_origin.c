#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fiu-control.h>
#include <stdio.h>
#include <string.h>

#include "../../fleet/origin/origin.h"
#include "fs_addr.h"

typedef struct {
    int done, status;
    char body[1024];
    uint64_t at_ns; /* when the answer arrived */
} result_t;

typedef struct {
    uv_loop_t loop;
    fs_cli_common_t cli;
    fs_origin_t *origin;
    fs_http_client_t *client;
} fx_t;

static void result_cb(int status, const fs_http_resp_t *resp, void *data)
{
    result_t *r = data;
    const char *body;
    size_t len;

    r->done = 1;
    r->status = status;
    r->at_ns = uv_hrtime();
    if (resp) {
        body = fs_http_resp_body(resp, &len);
        snprintf(r->body, sizeof(r->body), "%.*s", (int)len, body);
    }
}

static void issue(fx_t *f, const char *method, const char *target, result_t *r)
{
    fs_http_call_t call = {.method = method, .target = target, .timeout_ms = 5000};

    memset(r, 0, sizeof(*r));
    assert_int_equal(fs_http_client_request(f->client, &call, result_cb, r), 0);
}

static void wait_for(fx_t *f, result_t *r)
{
    while (!r->done)
        uv_run(&f->loop, UV_RUN_ONCE);
}

static void fx_start_cfg(fx_t *f, const fs_origin_config_t *cfg);

static void fx_start(fx_t *f, uint64_t latency_ms)
{
    fs_origin_config_t cfg = {.latency_ms = latency_ms};

    fx_start_cfg(f, &cfg);
}

static void fx_start_cfg(fx_t *f, const fs_origin_config_t *cfg)
{
    struct sockaddr_storage ss;
    char err[256];

    memset(f, 0, sizeof(*f));
    assert_int_equal(uv_loop_init(&f->loop), 0);
    f->cli.listen = "127.0.0.1:0";
    f->cli.posture = FS_POSTURE_LEGACY;
    assert_int_equal(fs_origin_new(&f->loop, &f->cli, cfg, &f->origin, err, sizeof(err)), 0);
    assert_true(fs_service_port(fs_origin_service(f->origin)) > 0);
    assert_int_equal(fs_addr_parse("127.0.0.1:0", &ss, err, sizeof(err)), 0);
    ((struct sockaddr_in *)&ss)->sin_port =
        htons((uint16_t)fs_service_port(fs_origin_service(f->origin)));
    assert_int_equal(fs_http_client_new(&f->loop, (struct sockaddr *)&ss, &f->client), 0);
}

static void fx_stop(fx_t *f)
{
    fs_service_stop(fs_origin_service(f->origin));
    fs_http_client_close(f->client);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(fs_origin_pending(f->origin), 0);
    fs_origin_free(f->origin);
    assert_int_equal(uv_loop_close(&f->loop), 0);
}

static void test_get_and_methods(void **state)
{
    fx_t f;
    result_t r;

    (void)state;
    fx_start(&f, 0);
    issue(&f, "GET", "/", &r);
    wait_for(&f, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "origin ok\n");

    issue(&f, "GET", "/shop/item?id=3", &r);
    wait_for(&f, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "origin ok\n");

    issue(&f, "POST", "/", &r);
    wait_for(&f, &r);
    assert_int_equal(r.status, 405);
    issue(&f, "DELETE", "/x", &r);
    wait_for(&f, &r);
    assert_int_equal(r.status, 405);

    issue(&f, "GET", "/healthz", &r);
    wait_for(&f, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"service\":\"origin\""));
    fx_stop(&f);
}

static void test_fiu_serve(void **state)
{
    fx_t f;
    result_t r;

    (void)state;
    fx_start(&f, 0);
    assert_int_equal(fiu_enable("origin/serve", 1, NULL, 0), 0);
    issue(&f, "GET", "/", &r);
    wait_for(&f, &r);
    fiu_disable("origin/serve");
    assert_int_equal(r.status, 500);
    issue(&f, "GET", "/", &r);
    wait_for(&f, &r);
    assert_int_equal(r.status, 200);
    fx_stop(&f);
}

static void test_latency(void **state)
{
    fx_t f;
    result_t r1, r2;
    uint64_t start;
    double ms1, ms2;

    (void)state;
    fx_start(&f, 80);
    /* warm the connection so the measurement is the origin's latency */
    issue(&f, "GET", "/warm", &r1);
    wait_for(&f, &r1);
    assert_int_equal(r1.status, 200);

    /* two at once overlap: each waits its own 80 ms, not 160 in a row */
    start = uv_hrtime();
    issue(&f, "GET", "/a", &r1);
    issue(&f, "GET", "/b", &r2);
    wait_for(&f, &r1);
    wait_for(&f, &r2);
    assert_int_equal(r1.status, 200);
    assert_int_equal(r2.status, 200);
    ms1 = (double)(r1.at_ns - start) / 1e6;
    ms2 = (double)(r2.at_ns - start) / 1e6;
    print_message("latency: %.1f ms, %.1f ms\n", ms1, ms2);
    assert_true(ms1 >= 75 && ms1 < 1000);
    assert_true(ms2 >= 75 && ms2 < 150);
    fx_stop(&f);
}

static void peek_cb(uv_timer_t *t)
{
    fx_t *f = t->data;

    /* the request is waiting out its latency: stop now */
    assert_int_equal(fs_origin_pending(f->origin), 1);
    fs_service_stop(fs_origin_service(f->origin));
    uv_close((uv_handle_t *)t, NULL);
}

static void test_stop_while_pending(void **state)
{
    fx_t f;
    result_t r;
    uv_timer_t peek;

    (void)state;
    fx_start(&f, 10000);
    issue(&f, "GET", "/slow", &r);
    assert_int_equal(uv_timer_init(&f.loop, &peek), 0);
    peek.data = &f;
    assert_int_equal(uv_timer_start(&peek, peek_cb, 50, 0), 0);
    wait_for(&f, &r);
    /* the connection closed under the request; it never got the 200 */
    assert_true(r.status < 0 || r.status == 503);
    assert_int_equal(fs_origin_pending(f.origin), 0);
    fx_stop(&f);
}

/* Capacity 1: three requests at once are served one after the other, so
 * the third answers after three service times, not one. */
static void test_capacity_queues(void **state)
{
    fs_origin_config_t cfg = {.latency_ms = 60, .capacity = 1};
    fx_t f;
    result_t r[3];
    uint64_t start;
    double ms;

    (void)state;
    fx_start_cfg(&f, &cfg);
    issue(&f, "GET", "/warm", &r[0]);
    wait_for(&f, &r[0]);
    start = uv_hrtime();
    for (int i = 0; i < 3; i++)
        issue(&f, "GET", "/q", &r[i]);
    for (int i = 0; i < 3; i++) {
        wait_for(&f, &r[i]);
        assert_int_equal(r[i].status, 200);
    }
    ms = (double)(r[2].at_ns - start) / 1e6;
    print_message("third answer after %.1f ms\n", ms);
    assert_true(ms >= 175 && ms < 1000);
    fx_stop(&f);
}

/* With a queue timeout, what waited too long for a slot is shed with a fast
 * 503 and Retry-After instead of being served late. */
static void test_queue_timeout_sheds(void **state)
{
    fs_origin_config_t cfg = {.latency_ms = 100, .capacity = 1, .queue_timeout_ms = 30};
    fx_t f;
    result_t r[3];

    (void)state;
    fx_start_cfg(&f, &cfg);
    issue(&f, "GET", "/warm", &r[0]);
    wait_for(&f, &r[0]);
    for (int i = 0; i < 3; i++)
        issue(&f, "GET", "/q", &r[i]);
    for (int i = 0; i < 3; i++)
        wait_for(&f, &r[i]);
    assert_int_equal(r[0].status, 200);
    assert_int_equal(r[1].status, 503);
    assert_non_null(strstr(r[1].body, "overloaded"));
    assert_int_equal(r[2].status, 503);
    /* the slot is free again: a new request is served */
    issue(&f, "GET", "/after", &r[0]);
    wait_for(&f, &r[0]);
    assert_int_equal(r[0].status, 200);
    fx_stop(&f);
}

static void test_posture_defaults(void **state)
{
    fs_origin_config_t cfg;

    (void)state;
    fs_origin_config_default(&cfg, FS_POSTURE_LEGACY);
    assert_int_equal(cfg.queue_timeout_ms, 0);
    assert_int_equal(cfg.capacity, 0);
    fs_origin_config_default(&cfg, FS_POSTURE_HARDENED);
    assert_int_equal(cfg.queue_timeout_ms, FS_ORIGIN_QUEUE_TIMEOUT_HARDENED);
}

static void peek_queued_cb(uv_timer_t *t)
{
    fx_t *f = t->data;

    assert_int_equal(fs_origin_pending(f->origin), 2);
    fs_service_stop(fs_origin_service(f->origin));
    uv_close((uv_handle_t *)t, NULL);
}

/* A stop answers what is queued as well as what is in service. */
static void test_stop_while_queued(void **state)
{
    fs_origin_config_t cfg = {.latency_ms = 10000, .capacity = 1};
    fx_t f;
    result_t r[2];
    uv_timer_t peek;

    (void)state;
    fx_start_cfg(&f, &cfg);
    issue(&f, "GET", "/a", &r[0]);
    issue(&f, "GET", "/b", &r[1]);
    assert_int_equal(uv_timer_init(&f.loop, &peek), 0);
    peek.data = &f;
    assert_int_equal(uv_timer_start(&peek, peek_queued_cb, 50, 0), 0);
    wait_for(&f, &r[0]);
    wait_for(&f, &r[1]);
    assert_true(r[0].status != 200 && r[1].status != 200);
    assert_int_equal(fs_origin_pending(f.origin), 0);
    fx_stop(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_and_methods),  cmocka_unit_test(test_fiu_serve),
        cmocka_unit_test(test_latency),          cmocka_unit_test(test_stop_while_pending),
        cmocka_unit_test(test_capacity_queues),  cmocka_unit_test(test_queue_timeout_sheds),
        cmocka_unit_test(test_posture_defaults), cmocka_unit_test(test_stop_while_queued),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
