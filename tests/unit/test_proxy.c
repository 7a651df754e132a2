/* Unit tests for fleet/proxy: the proxy runs in-process on 127.0.0.1:0 with
 * fake botmod, origin and configstore servers in the same loop, and a test
 * client sends it requests. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fiu.h>
#include <fiu-control.h>

#include "fs_http.h"
#include "fs_service.h"
#include "../../fleet/proxy/proxy.h"

enum { FAKE_OK, FAKE_500, FAKE_HANG, FAKE_GARBAGE };

#define MAX_HELD 16

typedef struct {
    uv_loop_t loop;
    uv_timer_t guard;
    int expired;
    fs_http_server_t *botmod, *origin, *cs;
    uv_tcp_t refuser; /* bound, never listening: connections are refused */
    struct sockaddr_storage refuser_addr;
    fs_proxy_t *proxy;
    fs_http_client_t *client;
    /* fakes */
    int botmod_mode, origin_mode;
    int botmod_calls, origin_calls, health_reports;
    fs_http_req_t *held[MAX_HELD];
    int nheld;
    char score_body[512], truth[16], origin_node[40], origin_target[128], health[256];
    const char *rules;
    int rules_version;
    /* the client's answer */
    int done, status;
    char score[16], degraded[40], node[40], body[256];
    uint64_t t_sent, t_done;
} ctx_t;

static void copy(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

static void hold_or_answer(ctx_t *c, fs_http_req_t *req, int mode, const char *ok_ctype,
                           const char *ok_body)
{
    if (mode == FAKE_HANG && c->nheld < MAX_HELD) {
        c->held[c->nheld++] = req;
    } else if (mode == FAKE_500) {
        fs_http_respond(req, 500, "application/json", NULL, "{\"error\":\"x\"}", 13);
    } else if (mode == FAKE_GARBAGE) {
        fs_http_respond(req, 200, "application/json", NULL, "{\"score\":", 9);
    } else {
        fs_http_respond(req, 200, ok_ctype, NULL, ok_body, strlen(ok_body));
    }
}

static void botmod_cb(fs_http_req_t *req, void *data)
{
    ctx_t *c = data;
    size_t len;
    const char *body = fs_http_req_body(req, &len);
    char answer[64];

    c->botmod_calls++;
    copy(c->score_body, sizeof(c->score_body), body);
    copy(c->truth, sizeof(c->truth), fs_http_req_header(req, "X-Failsmall-Truth"));
    assert_int_equal(fs_http_req_method(req), HTTP_POST);
    assert_string_equal(fs_http_req_path(req), "/v1/score");
    snprintf(answer, sizeof(answer), "{\"score\":%d,\"config_version\":1}",
             strstr(body, "curl") ? 10 : 80);
    hold_or_answer(c, req, c->botmod_mode, "application/json", answer);
}

static void origin_cb(fs_http_req_t *req, void *data)
{
    ctx_t *c = data;
    const char *q = fs_http_req_query(req);

    c->origin_calls++;
    copy(c->origin_node, sizeof(c->origin_node), fs_http_req_header(req, "X-Failsmall-Node"));
    snprintf(c->origin_target, sizeof(c->origin_target), "%s%s%s", fs_http_req_path(req),
             *q ? "?" : "", q);
    hold_or_answer(c, req, c->origin_mode, "text/plain", "origin ok\n");
}

static void configstore_cb(fs_http_req_t *req, void *data)
{
    ctx_t *c = data;
    const char *path = fs_http_req_path(req);
    char hdr[64];

    if (strcmp(path, "/v1/health") == 0) {
        c->health_reports++;
        copy(c->health, sizeof(c->health), fs_http_req_body(req, NULL));
        fs_http_respond(req, 204, NULL, NULL, "", 0);
        return;
    }
    assert_string_equal(path, "/v1/config/waf/rules");
    if (c->rules == NULL) {
        fs_http_respond(req, 404, "application/json", NULL, "{\"error\":\"not found\"}", 21);
        return;
    }
    snprintf(hdr, sizeof(hdr), "X-Config-Version: %d\r\n", c->rules_version);
    fs_http_respond(req, 200, "application/json", hdr, c->rules, strlen(c->rules));
}

static int start_fake(ctx_t *c, fs_http_handler_cb cb, fs_http_server_t **out,
                      struct sockaddr_storage *addr)
{
    struct sockaddr_in any;

    uv_ip4_addr("127.0.0.1", 0, &any);
    assert_int_equal(fs_http_server_start(&c->loop, (struct sockaddr *)&any, cb, c, out), 0);
    return fs_http_server_addr(*out, addr);
}

static void guard_cb(uv_timer_t *t)
{
    ctx_t *c = t->data;

    c->expired = 1;
}

/* Runs the loop until *flag is set or ms have passed; returns whether it was set. */
static int run_until(ctx_t *c, const int *flag, uint64_t ms)
{
    c->expired = 0;
    uv_timer_start(&c->guard, guard_cb, ms, 0);
    while (!*flag && !c->expired)
        uv_run(&c->loop, UV_RUN_ONCE);
    uv_timer_stop(&c->guard);
    return *flag;
}

/* Runs the loop until cond holds (ok gets it) or 5 s have passed. */
#define WAIT_FOR(c, ok, cond)                                                                      \
    do {                                                                                           \
        (c)->expired = 0;                                                                          \
        uv_timer_start(&(c)->guard, guard_cb, 5000, 0);                                            \
        while (!((ok) = (cond)) && !(c)->expired)                                                  \
            uv_run(&(c)->loop, UV_RUN_ONCE);                                                       \
        uv_timer_stop(&(c)->guard);                                                                \
    } while (0)

/* Runs the loop for ms (lets in-flight work settle). */
static void run_for(ctx_t *c, uint64_t ms)
{
    int never = 0;

    run_until(c, &never, ms);
}

typedef void (*tweak_fn)(fs_proxy_config_t *cfg);

static ctx_t *setup(fs_posture_t posture, tweak_fn tweak, int botmod_refuses, int origin_refuses)
{
    ctx_t *c = calloc(1, sizeof(*c));
    struct sockaddr_storage bm, og, cs;
    struct sockaddr_in any;
    struct sockaddr_storage paddr;
    fs_cli_common_t cli = {.listen = "127.0.0.1:0", .posture = posture, .node = "7"};
    fs_proxy_config_t cfg;
    char err[256] = "";
    int len = sizeof(c->refuser_addr), rc;

    assert_non_null(c);
    assert_int_equal(uv_loop_init(&c->loop), 0);
    uv_timer_init(&c->loop, &c->guard);
    c->guard.data = c;
    uv_tcp_init(&c->loop, &c->refuser);
    uv_ip4_addr("127.0.0.1", 0, &any);
    assert_int_equal(uv_tcp_bind(&c->refuser, (struct sockaddr *)&any, 0), 0);
    assert_int_equal(uv_tcp_getsockname(&c->refuser, (struct sockaddr *)&c->refuser_addr, &len), 0);
    assert_int_equal(start_fake(c, botmod_cb, &c->botmod, &bm), 0);
    assert_int_equal(start_fake(c, origin_cb, &c->origin, &og), 0);
    assert_int_equal(start_fake(c, configstore_cb, &c->cs, &cs), 0);

    fs_proxy_config_default(&cfg, posture);
    cfg.botmod = botmod_refuses ? c->refuser_addr : bm;
    cfg.origin = origin_refuses ? c->refuser_addr : og;
    cfg.configstore = cs;
    cfg.poll_ms = 20;
    cfg.seed = fs_proxy_seed("7");
    if (tweak)
        tweak(&cfg);
    rc = fs_proxy_new(&c->loop, &cli, &cfg, &c->proxy, err, sizeof(err));
    if (rc != 0)
        print_error("fs_proxy_new: %s\n", err);
    assert_int_equal(rc, 0);
    uv_ip4_addr("127.0.0.1", fs_service_port(fs_proxy_service(c->proxy)),
                (struct sockaddr_in *)&paddr);
    assert_int_equal(fs_http_client_new(&c->loop, (struct sockaddr *)&paddr, &c->client), 0);
    return c;
}

static void teardown(ctx_t *c)
{
    for (int i = 0; i < c->nheld; i++)
        fs_http_respond(c->held[i], 500, NULL, NULL, "", 0);
    fs_service_stop(fs_proxy_service(c->proxy));
    if (c->client)
        fs_http_client_close(c->client);
    fs_http_server_close(c->botmod);
    fs_http_server_close(c->origin);
    fs_http_server_close(c->cs);
    uv_close((uv_handle_t *)&c->refuser, NULL);
    uv_close((uv_handle_t *)&c->guard, NULL);
    uv_run(&c->loop, UV_RUN_DEFAULT);
    fs_proxy_free(c->proxy);
    assert_int_equal(uv_loop_close(&c->loop), 0);
    free(c);
}

static void answer_cb(int status, const fs_http_resp_t *resp, void *data)
{
    ctx_t *c = data;
    size_t len;

    c->done = 1;
    c->status = status;
    c->t_done = uv_now(&c->loop);
    c->score[0] = c->degraded[0] = c->node[0] = c->body[0] = '\0';
    if (resp == NULL)
        return;
    copy(c->score, sizeof(c->score), fs_http_resp_header(resp, "X-Failsmall-Score"));
    copy(c->degraded, sizeof(c->degraded), fs_http_resp_header(resp, "X-Failsmall-Degraded"));
    copy(c->node, sizeof(c->node), fs_http_resp_header(resp, "X-Failsmall-Node"));
    copy(c->body, sizeof(c->body), fs_http_resp_body(resp, &len));
}

static void send_req(ctx_t *c, const char *method, const char *target, const char *headers)
{
    fs_http_call_t call = {.method = method, .target = target, .headers = headers};

    c->done = 0;
    c->status = 0;
    uv_update_time(&c->loop);
    c->t_sent = uv_now(&c->loop);
    assert_int_equal(fs_http_client_request(c->client, &call, answer_cb, c), 0);
}

#define HUMAN "User-Agent: Mozilla/5.0 (X11)\r\nAccept-Language: en\r\nCookie: a=1\r\n"
#define BOT   "User-Agent: curl/8.5\r\n"

/* Sends one request and waits (at most 5 s) for its answer. */
static int request(ctx_t *c, const char *target, const char *headers)
{
    send_req(c, "GET", target, headers);
    if (!run_until(c, &c->done, 5000))
        fail_msg("no answer to GET %s within 5 s", target);
    return c->status;
}

static double metric(ctx_t *c, const char *name, const char *labels)
{
    fs_metrics_t *m = fs_service_metrics(fs_proxy_service(c->proxy));

    return fs_metric_value(fs_metrics_series(m, FS_METRIC_COUNTER, name, "", labels));
}

static double calls(ctx_t *c, const char *dep, const char *outcome)
{
    char labels[96];

    snprintf(labels, sizeof(labels), "dep=\"%s\",outcome=\"%s\"", dep, outcome);
    return metric(c, "failsmall_dependency_calls_total", labels);
}

static double fallbacks(ctx_t *c, const char *reason)
{
    return fs_metric_value(fs_service_fallbacks(fs_proxy_service(c->proxy), reason));
}

static void test_human_and_bot(void **state)
{
    ctx_t *c = setup(FS_POSTURE_LEGACY, NULL, 0, 0);

    (void)state;
    assert_int_equal(request(c, "/shop/item?id=3",
                             HUMAN "X-Forwarded-For: 10.0.0.7, 192.0.2.1\r\n"
                                   "X-Failsmall-Truth: human\r\n"),
                     200);
    assert_string_equal(c->body, "origin ok\n");
    assert_string_equal(c->score, "80");
    assert_string_equal(c->node, "7");
    assert_string_equal(c->degraded, "");
    assert_string_equal(c->truth, "human");
    assert_string_equal(c->origin_node, "7");
    assert_string_equal(c->origin_target, "/shop/item?id=3");
    assert_non_null(strstr(c->score_body, "\"ua\":\"Mozilla/5.0 (X11)\""));
    assert_non_null(strstr(c->score_body, "\"ip\":\"10.0.0.7\""));
    assert_non_null(strstr(c->score_body, "\"method\":\"GET\""));
    assert_non_null(strstr(c->score_body, "\"path\":\"/shop/item\""));
    assert_non_null(strstr(c->score_body, "\"accept_language\":true"));
    assert_non_null(strstr(c->score_body, "\"cookie\":true"));

    assert_int_equal(request(c, "/shop", BOT "X-Failsmall-Truth: bot\r\n"), 403);
    assert_string_equal(c->score, "10");
    assert_string_equal(c->truth, "bot");
    assert_int_equal(c->origin_calls, 1);
    /* Without X-Forwarded-For the peer's address is the client's. */
    assert_non_null(strstr(c->score_body, "\"ip\":\"127.0.0.1\""));
    assert_non_null(strstr(c->score_body, "\"accept_language\":false"));
    assert_non_null(strstr(c->score_body, "\"cookie\":false"));

    send_req(c, "POST", "/shop", HUMAN);
    assert_true(run_until(c, &c->done, 5000));
    assert_int_equal(c->status, 405);
    assert_int_equal(c->botmod_calls, 2);
    assert_int_equal(calls(c, "botmod", "ok"), 2);
    assert_int_equal(calls(c, "origin", "ok"), 1);
    teardown(c);
}

static void test_botmod_refused_legacy_fails_closed(void **state)
{
    ctx_t *c = setup(FS_POSTURE_LEGACY, NULL, 1, 0);

    (void)state;
    assert_int_equal(request(c, "/", HUMAN), 503);
    assert_string_equal(c->degraded, "");
    assert_string_equal(c->score, "");
    assert_int_equal(c->origin_calls, 0);
    /* Immediate retries: the first attempt and three more. */
    assert_int_equal(calls(c, "botmod", "refused"), 4);
    assert_int_equal(metric(c, "failsmall_retries_total", "dep=\"botmod\""), 3);
    teardown(c);
}

static void test_botmod_refused_hardened_fails_open(void **state)
{
    ctx_t *c = setup(FS_POSTURE_HARDENED, NULL, 1, 0);

    (void)state;
    assert_int_equal(request(c, "/", HUMAN), 200);
    assert_string_equal(c->degraded, "botmod-refused");
    assert_string_equal(c->score, "50");
    assert_string_equal(c->body, "origin ok\n");
    assert_int_equal(fallbacks(c, "botmod-refused"), 1);
    /* The budget starts empty: no retry on the first call. */
    assert_int_equal(calls(c, "botmod", "refused"), 1);
    teardown(c);
}

static void short_deadline(fs_proxy_config_t *cfg)
{
    cfg->deadline_ms = 100;
    cfg->origin_deadline_ms = 100;
}

static void test_botmod_hang_hardened_deadline(void **state)
{
    ctx_t *c = setup(FS_POSTURE_HARDENED, short_deadline, 0, 0);
    uint64_t took;

    (void)state;
    c->botmod_mode = FAKE_HANG;
    assert_int_equal(request(c, "/", HUMAN), 200);
    took = c->t_done - c->t_sent;
    assert_in_range(took, 90, 600);
    assert_string_equal(c->degraded, "botmod-timeout");
    assert_string_equal(c->score, "50");
    assert_int_equal(calls(c, "botmod", "timeout"), 1);
    assert_int_equal(fallbacks(c, "botmod-timeout"), 1);
    teardown(c);
}

static void test_botmod_hang_legacy_waits(void **state)
{
    ctx_t *c = setup(FS_POSTURE_LEGACY, NULL, 0, 0);

    (void)state;
    c->botmod_mode = FAKE_HANG;
    send_req(c, "GET", "/", HUMAN);
    /* No deadline: the client is still waiting well after the hardened one. */
    assert_false(run_until(c, &c->done, 300));
    assert_int_equal(c->nheld, 1);
    teardown(c);
}

static void test_botmod_500_legacy_retries(void **state)
{
    ctx_t *c = setup(FS_POSTURE_LEGACY, NULL, 0, 0);

    (void)state;
    c->botmod_mode = FAKE_500;
    assert_int_equal(request(c, "/", HUMAN), 503);
    assert_int_equal(c->botmod_calls, 4);
    assert_int_equal(request(c, "/", HUMAN), 503);
    assert_int_equal(c->botmod_calls, 8);
    assert_int_equal(calls(c, "botmod", "error"), 8);
    teardown(c);
}

static void test_botmod_500_hardened_budget(void **state)
{
    ctx_t *c = setup(FS_POSTURE_HARDENED, NULL, 0, 0);
    int n = 30;

    (void)state;
    c->botmod_mode = FAKE_500;
    for (int i = 0; i < n; i++) {
        assert_int_equal(request(c, "/", HUMAN), 200);
        assert_string_equal(c->degraded, "botmod-error");
    }
    /* 30 first attempts at 0.1 token each: 3 retries in all, not 60. */
    assert_int_equal(c->botmod_calls, n + 3);
    assert_int_equal(metric(c, "failsmall_retries_total", "dep=\"botmod\""), 3);
    teardown(c);
}

static void test_botmod_garbage(void **state)
{
    ctx_t *c = setup(FS_POSTURE_HARDENED, NULL, 0, 0);

    (void)state;
    c->botmod_mode = FAKE_GARBAGE;
    assert_int_equal(request(c, "/", HUMAN), 200);
    assert_string_equal(c->degraded, "botmod-error");
    teardown(c);
}

static void test_fiu_botmod_call(void **state)
{
    ctx_t *c = setup(FS_POSTURE_LEGACY, NULL, 0, 0);
    int status;

    (void)state;
    assert_int_equal(fiu_enable("proxy/botmod/call", 1, NULL, 0), 0);
    status = request(c, "/", HUMAN);
    /* Disabled before any assertion, so a failure here cannot leak into
     * the next test. */
    assert_int_equal(fiu_disable("proxy/botmod/call"), 0);
    assert_int_equal(status, 503);
    assert_int_equal(c->botmod_calls, 0);
    assert_int_equal(calls(c, "botmod", "error"), 4);
    assert_int_equal(request(c, "/", HUMAN), 200);
    teardown(c);
}

static const char killswitched[] =
    "{\"version\":2,\"rules\":["
    "{\"id\":\"block-admin\",\"path_prefix\":\"/admin\",\"action\":\"block\"},"
    "{\"id\":\"block-debug\",\"path_prefix\":\"/debug\",\"action\":\"block\"}],"
    "\"killswitch\":[\"block-debug\"]}";

static void old_engine(fs_proxy_config_t *cfg)
{
    cfg->engine = FS_WAF_ENGINE_OLD;
}

/* Serves rules from the fake configstore and waits until the proxy runs them. */
static void load_rules(ctx_t *c, const char *rules)
{
    int loaded = 0;

    c->rules = rules;
    c->rules_version++;
    WAIT_FOR(c, loaded, fs_proxy_rules_version(c->proxy) == (uint64_t)c->rules_version);
    assert_true(loaded);
}

static void test_killswitch_old_engine_legacy(void **state)
{
    ctx_t *c = setup(FS_POSTURE_LEGACY, old_engine, 0, 0);
    int reported = 0;

    (void)state;
    assert_int_equal(request(c, "/shop", HUMAN), 200);
    load_rules(c, killswitched);
    assert_int_equal(request(c, "/shop", HUMAN), 500);
    assert_int_equal(request(c, "/admin", HUMAN), 500);
    assert_int_equal(c->origin_calls, 1);
    assert_int_equal(fs_proxy_waf_errors(c->proxy), 2);
    /* The next health report carries the errors, so a rollout sees them. */
    WAIT_FOR(c, reported, strstr(c->health, "\"ok\":false") != NULL);
    assert_true(reported);
    assert_non_null(strstr(c->health, "\"errors\":2"));
    teardown(c);
}

static void test_killswitch_old_engine_hardened(void **state)
{
    ctx_t *c = setup(FS_POSTURE_HARDENED, old_engine, 0, 0);

    (void)state;
    load_rules(c, killswitched);
    assert_int_equal(request(c, "/shop", HUMAN), 200);
    assert_int_equal(request(c, "/debug", HUMAN), 200);
    assert_int_equal(request(c, "/admin", HUMAN), 403);
    assert_int_equal(fs_proxy_waf_errors(c->proxy), 0);
    teardown(c);
}

static void test_killswitch_new_engine_legacy(void **state)
{
    ctx_t *c = setup(FS_POSTURE_LEGACY, NULL, 0, 0);

    (void)state;
    load_rules(c, killswitched);
    assert_int_equal(request(c, "/debug", HUMAN), 200);
    assert_int_equal(request(c, "/admin/x", HUMAN), 403);
    assert_int_equal(c->origin_calls, 1);
    teardown(c);
}

static void test_invalid_rules_keep_last_good(void **state)
{
    ctx_t *c = setup(FS_POSTURE_LEGACY, NULL, 0, 0);
    fs_metric_t *rejected = fs_service_config_rejected(fs_proxy_service(c->proxy), "waf/rules");
    int seen = 0;

    (void)state;
    load_rules(c, killswitched);
    c->rules = "{\"rules\":[{\"id\":1}]}";
    c->rules_version++;
    WAIT_FOR(c, seen, fs_metric_value(rejected) >= 1);
    assert_true(seen);
    assert_int_equal(fs_proxy_rules_version(c->proxy), 1);
    assert_int_equal(request(c, "/admin", HUMAN), 403);
    assert_int_equal(request(c, "/shop", HUMAN), 200);
    teardown(c);
}

static void test_fiu_config_load(void **state)
{
    ctx_t *c = setup(FS_POSTURE_LEGACY, NULL, 0, 0);
    fs_metric_t *rejected = fs_service_config_rejected(fs_proxy_service(c->proxy), "waf/rules");
    int seen = 0;

    (void)state;
    assert_int_equal(fiu_enable("proxy/config/load", 1, NULL, 0), 0);
    c->rules = killswitched;
    c->rules_version = 1;
    WAIT_FOR(c, seen, fs_metric_value(rejected) >= 1);
    assert_int_equal(fiu_disable("proxy/config/load"), 0);
    assert_true(seen);
    assert_int_equal(fs_proxy_rules_version(c->proxy), 0);
    /* No rules loaded: nothing is blocked by the WAF. */
    assert_int_equal(request(c, "/admin", HUMAN), 200);
    teardown(c);
}

static void test_origin_refused(void **state)
{
    ctx_t *c = setup(FS_POSTURE_LEGACY, NULL, 0, 1);

    (void)state;
    assert_int_equal(request(c, "/", HUMAN), 502);
    assert_string_equal(c->score, "80");
    assert_int_equal(calls(c, "origin", "refused"), 4);
    teardown(c);
}

static void test_origin_deadline(void **state)
{
    ctx_t *c = setup(FS_POSTURE_HARDENED, short_deadline, 0, 0);

    (void)state;
    c->origin_mode = FAKE_HANG;
    assert_int_equal(request(c, "/", HUMAN), 504);
    assert_int_equal(calls(c, "origin", "timeout"), 1);
    teardown(c);
}

static void attempt_timeout(fs_proxy_config_t *cfg)
{
    cfg->attempt_timeout_ms = 50;
}

/* A per-attempt timeout on a hanging origin: legacy retries immediately, so
 * one client request becomes four origin calls, each timing out. */
static void test_origin_attempt_timeout_multiplies(void **state)
{
    ctx_t *c = setup(FS_POSTURE_LEGACY, attempt_timeout, 0, 0);
    uint64_t took;

    (void)state;
    c->origin_mode = FAKE_HANG;
    assert_int_equal(request(c, "/", HUMAN), 504);
    took = c->t_done - c->t_sent;
    assert_in_range(took, 190, 1000);
    assert_int_equal(calls(c, "origin", "timeout"), 4);
    assert_int_equal(metric(c, "failsmall_retries_total", "dep=\"origin\""), 3);
    teardown(c);
}

static void test_client_gone_mid_flight(void **state)
{
    ctx_t *c = setup(FS_POSTURE_LEGACY, NULL, 0, 0);
    fs_http_req_t *held;

    (void)state;
    c->botmod_mode = FAKE_HANG;
    send_req(c, "GET", "/", HUMAN);
    run_for(c, 50);
    assert_int_equal(c->nheld, 1);
    fs_http_client_close(c->client);
    c->client = NULL;
    assert_true(c->done);
    assert_int_equal(c->status, -ECANCELED);
    run_for(c, 20);
    /* botmod answers after the client left: the proxy goes on to origin and
     * its answer finds nobody; it must finish without fuss. */
    held = c->held[0];
    c->nheld = 0;
    fs_http_respond(held, 200, "application/json", NULL, "{\"score\":80}", 12);
    run_for(c, 100);
    assert_int_equal(c->origin_calls, 1);
    teardown(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_human_and_bot),
        cmocka_unit_test(test_botmod_refused_legacy_fails_closed),
        cmocka_unit_test(test_botmod_refused_hardened_fails_open),
        cmocka_unit_test(test_botmod_hang_hardened_deadline),
        cmocka_unit_test(test_botmod_hang_legacy_waits),
        cmocka_unit_test(test_botmod_500_legacy_retries),
        cmocka_unit_test(test_botmod_500_hardened_budget),
        cmocka_unit_test(test_botmod_garbage),
        cmocka_unit_test(test_fiu_botmod_call),
        cmocka_unit_test(test_killswitch_old_engine_legacy),
        cmocka_unit_test(test_killswitch_old_engine_hardened),
        cmocka_unit_test(test_killswitch_new_engine_legacy),
        cmocka_unit_test(test_invalid_rules_keep_last_good),
        cmocka_unit_test(test_fiu_config_load),
        cmocka_unit_test(test_origin_refused),
        cmocka_unit_test(test_origin_deadline),
        cmocka_unit_test(test_origin_attempt_timeout_multiplies),
        cmocka_unit_test(test_client_gone_mid_flight),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
