/* The config poller against a small fake configstore on loopback: one apply
 * per new version, health reports after every poll, rejected versions not
 * re-applied, unversioned answers offered as version 0, 404s, fetch
 * failures injected by libfiu, timeouts, and no overlapping polls. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <fiu.h>
#include <fiu-control.h>

#include "fs_addr.h"
#include "fs_http.h"
#include "fs_poll.h"

/* ---- fake configstore ---- */

typedef struct {
    fs_http_server_t *srv;
    struct sockaddr_storage addr;
    uint64_t version; /* served; 0 = never published (404) */
    char body[256];
    /* NULL: X-Config-Version as published; "": none at all (a 200 the
     * fake answers with body, published or not); else this header line. */
    const char *vheader;
    int hold; /* keep GETs unanswered in held[] */
    fs_http_req_t *held[8];
    unsigned nheld;
    unsigned gets, reports;
    char node[32];
    uint64_t rep_version, rep_errors;
    int rep_ok;
} fake_cs_t;

static void fake_cb(fs_http_req_t *req, void *data)
{
    fake_cs_t *f = data;
    const char *path = fs_http_req_path(req);

    if (strcmp(path, "/v1/config/bot/features") == 0 && fs_http_req_method(req) == HTTP_GET) {
        char hdr[64];

        f->gets++;
        if (fs_http_req_query_param(req, "node", f->node, sizeof(f->node)) < 0)
            f->node[0] = '\0';
        if (f->hold && f->nheld < 8) {
            f->held[f->nheld++] = req;
            return;
        }
        if (f->vheader != NULL) {
            fs_http_respond(req, 200, NULL, *f->vheader ? f->vheader : NULL, f->body,
                            strlen(f->body));
            return;
        }
        if (f->version == 0) {
            fs_http_respondf(req, 404, "application/json", NULL, "{\"error\":\"not found\"}");
            return;
        }
        snprintf(hdr, sizeof(hdr), "X-Config-Version: %llu\r\n", (unsigned long long)f->version);
        fs_http_respond(req, 200, "application/octet-stream", hdr, f->body, strlen(f->body));
        return;
    }
    if (strcmp(path, "/v1/health") == 0 && fs_http_req_method(req) == HTTP_POST) {
        size_t len;
        const char *body = fs_http_req_body(req, &len);
        cJSON *o = cJSON_ParseWithLength(body, len);
        const cJSON *node = cJSON_GetObjectItemCaseSensitive(o, "node");
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(o, "key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "version");
        const cJSON *ok = cJSON_GetObjectItemCaseSensitive(o, "ok");
        const cJSON *errors = cJSON_GetObjectItemCaseSensitive(o, "errors");

        assert_true(cJSON_IsString(node) && cJSON_IsString(key) && cJSON_IsNumber(v) &&
                    cJSON_IsBool(ok) && cJSON_IsNumber(errors));
        assert_string_equal(node->valuestring, "n1");
        assert_string_equal(key->valuestring, "bot/features");
        f->reports++;
        f->rep_version = (uint64_t)v->valuedouble;
        f->rep_ok = cJSON_IsTrue(ok);
        f->rep_errors = (uint64_t)errors->valuedouble;
        cJSON_Delete(o);
        fs_http_respond(req, 204, NULL, NULL, NULL, 0);
        return;
    }
    fs_http_respondf(req, 404, "application/json", NULL, "{\"error\":\"not found\"}");
}

static void fake_start(uv_loop_t *loop, fake_cs_t *f)
{
    struct sockaddr_storage any;
    char err[128];

    memset(f, 0, sizeof(*f));
    assert_int_equal(fs_addr_parse("127.0.0.1:0", &any, err, sizeof(err)), 0);
    assert_int_equal(fs_http_server_start(loop, (struct sockaddr *)&any, fake_cb, f, &f->srv), 0);
    assert_int_equal(fs_http_server_addr(f->srv, &f->addr), 0);
    assert_true(fs_addr_port((struct sockaddr *)&f->addr) > 0);
}

static void fake_release(fake_cs_t *f)
{
    for (unsigned i = 0; i < f->nheld; i++)
        fs_http_respondf(f->held[i], 503, "application/json", NULL, "{}");
    f->nheld = 0;
}

static void fake_publish(fake_cs_t *f, uint64_t version, const char *body)
{
    f->version = version;
    f->vheader = NULL;
    snprintf(f->body, sizeof(f->body), "%s", body);
}

/* Answers 200 with body and no version: a dependency that answers but
 * knows nothing (the empty DNS record). */
static void fake_unversioned(fake_cs_t *f, const char *body)
{
    f->vheader = "";
    snprintf(f->body, sizeof(f->body), "%s", body);
}

/* ---- loop helpers ---- */

static void tick_cb(uv_timer_t *t)
{
    (void)t;
}

/* Runs loop until pred(ctx) or ms pass; returns pred's final value. */
static int run_until(uv_loop_t *loop, int (*pred)(void *), void *ctx, uint64_t ms)
{
    uv_timer_t tick;
    uint64_t end;
    int ok;

    uv_update_time(loop);
    end = uv_now(loop) + ms;
    uv_timer_init(loop, &tick);
    uv_timer_start(&tick, tick_cb, 2, 2);
    while (!(ok = pred ? pred(ctx) : 0) && uv_now(loop) < end)
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&tick, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    return ok;
}

/* ---- the service side ---- */

typedef struct {
    fake_cs_t cs;
    unsigned applies;
    uint64_t last_applied;
    uint64_t bad_version; /* apply rejects this one */
    char last_blob[256];
    uint64_t errors;
    unsigned want_reports;
    uint64_t want_version;
} ctx_t;

static int apply_cb(uint64_t version, const char *blob, size_t len, void *data)
{
    ctx_t *c = data;

    c->applies++;
    snprintf(c->last_blob, sizeof(c->last_blob), "%.*s", (int)len, blob);
    if (version == c->bad_version)
        return -EINVAL;
    c->last_applied = version;
    return 0;
}

static uint64_t errors_cb(void *data)
{
    ctx_t *c = data;
    uint64_t n = c->errors;

    c->errors = 0;
    return n;
}

static int reports_reached(void *data)
{
    ctx_t *c = data;

    return c->cs.reports >= c->want_reports && c->cs.rep_version == c->want_version;
}

static fs_poll_t *poll_start(uv_loop_t *loop, ctx_t *c, const struct sockaddr *where,
                             uint64_t interval, uint64_t timeout, fs_log_t *log)
{
    fs_poll_config_t cfg;
    fs_poll_t *p;

    memset(&cfg, 0, sizeof(cfg));
    cfg.key = "bot/features";
    cfg.node = "n1";
    cfg.configstore = where;
    cfg.interval_ms = interval;
    cfg.timeout_ms = timeout;
    cfg.fetch_point = "test/poll/fetch";
    cfg.apply = apply_cb;
    cfg.errors = errors_cb;
    cfg.data = c;
    memset(log, 0, sizeof(*log));
    log->service = "test";
    log->out = fopen("/dev/null", "w");
    assert_non_null(log->out);
    assert_int_equal(fs_poll_start(loop, &cfg, log, &p), 0);
    return p;
}

static void finish(uv_loop_t *loop, ctx_t *c, fs_poll_t *p, fs_log_t *log)
{
    fs_poll_close(p);
    fake_release(&c->cs);
    fs_http_server_close(c->cs.srv);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(loop), 0);
    fclose(log->out);
}

static void wait_reports(uv_loop_t *loop, ctx_t *c, unsigned more, uint64_t version)
{
    c->want_reports = c->cs.reports + more;
    c->want_version = version;
    if (!run_until(loop, reports_reached, c, 3000))
        fail_msg("waited for %u reports of v%llu; have %u, last v%llu", c->want_reports,
                 (unsigned long long)version, c->cs.reports, (unsigned long long)c->cs.rep_version);
}

static void test_apply_once_per_version(void **state)
{
    uv_loop_t loop;
    ctx_t c;
    fs_poll_t *p;
    fs_log_t log;

    (void)state;
    memset(&c, 0, sizeof(c));
    assert_int_equal(uv_loop_init(&loop), 0);
    fake_start(&loop, &c.cs);
    fake_publish(&c.cs, 1, "blob-one");
    p = poll_start(&loop, &c, (struct sockaddr *)&c.cs.addr, 5, 1000, &log);

    wait_reports(&loop, &c, 4, 1);
    assert_int_equal(c.applies, 1);
    assert_string_equal(c.last_blob, "blob-one");
    assert_string_equal(c.cs.node, "n1");
    assert_int_equal(c.cs.rep_ok, 1);
    assert_int_equal(c.cs.rep_errors, 0);
    assert_int_equal(fs_poll_applied_version(p), 1);

    fake_publish(&c.cs, 2, "blob-two");
    wait_reports(&loop, &c, 3, 2);
    assert_int_equal(c.applies, 2);
    assert_string_equal(c.last_blob, "blob-two");
    assert_int_equal(c.cs.rep_ok, 1);
    assert_int_equal(fs_poll_applied_version(p), 2);

    /* An errors callback reporting failures turns one report ok:false. */
    c.errors = 3;
    wait_reports(&loop, &c, 1, 2);
    assert_int_equal(c.cs.rep_ok, 0);
    assert_int_equal(c.cs.rep_errors, 3);
    wait_reports(&loop, &c, 1, 2);
    assert_int_equal(c.cs.rep_ok, 1);
    assert_int_equal(c.applies, 2);
    finish(&loop, &c, p, &log);
}

static void test_rejected_not_reapplied(void **state)
{
    uv_loop_t loop;
    ctx_t c;
    fs_poll_t *p;
    fs_log_t log;

    (void)state;
    memset(&c, 0, sizeof(c));
    c.bad_version = 2;
    assert_int_equal(uv_loop_init(&loop), 0);
    fake_start(&loop, &c.cs);
    fake_publish(&c.cs, 1, "good");
    p = poll_start(&loop, &c, (struct sockaddr *)&c.cs.addr, 5, 1000, &log);
    wait_reports(&loop, &c, 1, 1);

    fake_publish(&c.cs, 2, "bad");
    wait_reports(&loop, &c, 4, 2);
    assert_int_equal(c.applies, 2);
    assert_int_equal(c.cs.rep_ok, 0);
    assert_int_equal(fs_poll_applied_version(p), 1);

    /* Rolled back: v1 is offered again and applied again. */
    fake_publish(&c.cs, 1, "good");
    wait_reports(&loop, &c, 2, 1);
    assert_int_equal(c.applies, 3);
    assert_int_equal(c.cs.rep_ok, 1);

    /* v2 comes back: reported ok:false without another apply. */
    fake_publish(&c.cs, 2, "bad");
    wait_reports(&loop, &c, 3, 2);
    assert_int_equal(c.applies, 3);
    assert_int_equal(c.cs.rep_ok, 0);
    assert_int_equal(fs_poll_applied_version(p), 1);
    finish(&loop, &c, p, &log);
}

static int gets_reached(void *data)
{
    ctx_t *c = data;

    return c->cs.gets >= c->want_reports;
}

/* An empty, unversioned answer is offered once as version 0; rejected, it
 * is reported ok:false on every poll without another apply, the applied
 * version stays; the real version coming back is applied as usual, and a
 * second unversioned run is known bad already. */
static void test_unversioned_rejected(void **state)
{
    uv_loop_t loop;
    ctx_t c;
    fs_poll_t *p;
    fs_log_t log;

    (void)state;
    memset(&c, 0, sizeof(c));
    c.bad_version = 0; /* the service rejects version 0 */
    assert_int_equal(uv_loop_init(&loop), 0);
    fake_start(&loop, &c.cs);
    fake_publish(&c.cs, 1, "good");
    p = poll_start(&loop, &c, (struct sockaddr *)&c.cs.addr, 5, 1000, &log);
    wait_reports(&loop, &c, 1, 1);
    assert_int_equal(c.applies, 1);

    fake_unversioned(&c.cs, "");
    wait_reports(&loop, &c, 1, 0);
    assert_int_equal(c.applies, 2);
    assert_string_equal(c.last_blob, "");
    assert_int_equal(c.cs.rep_ok, 0);
    wait_reports(&loop, &c, 3, 0);
    assert_int_equal(c.applies, 2);
    assert_int_equal(c.cs.rep_ok, 0);
    assert_int_equal(fs_poll_applied_version(p), 1);

    fake_publish(&c.cs, 1, "good");
    wait_reports(&loop, &c, 2, 1);
    assert_int_equal(c.applies, 3);
    assert_string_equal(c.last_blob, "good");
    assert_int_equal(c.cs.rep_ok, 1);

    fake_unversioned(&c.cs, "");
    wait_reports(&loop, &c, 3, 0);
    assert_int_equal(c.applies, 3);
    assert_int_equal(c.cs.rep_ok, 0);
    assert_int_equal(fs_poll_applied_version(p), 1);
    finish(&loop, &c, p, &log);
}

/* A service that takes whatever it is given applies version 0 once per
 * run of unversioned answers; a version header that is there but bad is
 * still a failed fetch. */
static void test_unversioned_accepted(void **state)
{
    uv_loop_t loop;
    ctx_t c;
    fs_poll_t *p;
    fs_log_t log;

    (void)state;
    memset(&c, 0, sizeof(c));
    c.bad_version = 99;
    assert_int_equal(uv_loop_init(&loop), 0);
    fake_start(&loop, &c.cs);
    fake_unversioned(&c.cs, "whatever");
    p = poll_start(&loop, &c, (struct sockaddr *)&c.cs.addr, 5, 1000, &log);
    wait_reports(&loop, &c, 3, 0);
    assert_int_equal(c.applies, 1);
    assert_string_equal(c.last_blob, "whatever");
    assert_int_equal(c.cs.rep_ok, 1);
    assert_int_equal(fs_poll_applied_version(p), 0);

    fake_publish(&c.cs, 2, "two");
    wait_reports(&loop, &c, 1, 2);
    assert_int_equal(c.applies, 2);
    assert_int_equal(fs_poll_applied_version(p), 2);

    fake_unversioned(&c.cs, "again");
    wait_reports(&loop, &c, 2, 0);
    assert_int_equal(c.applies, 3);
    assert_string_equal(c.last_blob, "again");

    static const char *const bad[] = {"X-Config-Version: abc\r\n", "X-Config-Version: 0\r\n",
                                      "X-Config-Version: 3x\r\n",
                                      "X-Config-Version: 99999999999999999999999\r\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned reports;

        c.cs.vheader = bad[i];
        /* Reports of fetches before the switch land before the next fetch. */
        c.want_reports = c.cs.gets + 1;
        assert_true(run_until(&loop, gets_reached, &c, 3000));
        reports = c.cs.reports;
        c.want_reports = c.cs.gets + 3;
        assert_true(run_until(&loop, gets_reached, &c, 3000));
        assert_int_equal(c.cs.reports, reports);
    }
    assert_int_equal(c.applies, 3);
    finish(&loop, &c, p, &log);
}

static void test_not_published(void **state)
{
    uv_loop_t loop;
    ctx_t c;
    fs_poll_t *p;
    fs_log_t log;

    (void)state;
    memset(&c, 0, sizeof(c));
    assert_int_equal(uv_loop_init(&loop), 0);
    fake_start(&loop, &c.cs);
    p = poll_start(&loop, &c, (struct sockaddr *)&c.cs.addr, 5, 1000, &log);
    c.want_reports = 5;
    assert_true(run_until(&loop, gets_reached, &c, 3000));
    assert_int_equal(c.applies, 0);
    assert_int_equal(c.cs.reports, 0);
    assert_int_equal(fs_poll_applied_version(p), 0);

    fake_publish(&c.cs, 7, "late");
    wait_reports(&loop, &c, 1, 7);
    assert_int_equal(c.applies, 1);
    finish(&loop, &c, p, &log);
}

static void test_fetch_point(void **state)
{
    uv_loop_t loop;
    ctx_t c;
    fs_poll_t *p;
    fs_log_t log;

    (void)state;
    memset(&c, 0, sizeof(c));
    assert_int_equal(uv_loop_init(&loop), 0);
    fake_start(&loop, &c.cs);
    fake_publish(&c.cs, 1, "x");
    assert_int_equal(fiu_enable("test/poll/fetch", 1, NULL, 0), 0);
    p = poll_start(&loop, &c, (struct sockaddr *)&c.cs.addr, 5, 1000, &log);
    run_until(&loop, NULL, NULL, 60);
    assert_int_equal(c.cs.gets, 0);
    assert_int_equal(c.applies, 0);

    fiu_disable("test/poll/fetch");
    wait_reports(&loop, &c, 1, 1);
    assert_int_equal(c.applies, 1);
    finish(&loop, &c, p, &log);
}

static void test_no_overlap_and_timeout(void **state)
{
    uv_loop_t loop;
    ctx_t c;
    fs_poll_t *p;
    fs_log_t log;

    (void)state;
    memset(&c, 0, sizeof(c));
    assert_int_equal(uv_loop_init(&loop), 0);
    fake_start(&loop, &c.cs);
    fake_publish(&c.cs, 1, "x");
    c.cs.hold = 1;
    /* Ticks every 2 ms, deadline 300 ms: while a fetch hangs no other one
     * starts; once the deadline fails it, polling resumes. */
    p = poll_start(&loop, &c, (struct sockaddr *)&c.cs.addr, 2, 300, &log);
    run_until(&loop, NULL, NULL, 50);
    assert_int_equal(c.cs.gets, 1);
    c.want_reports = 2;
    assert_true(run_until(&loop, gets_reached, &c, 3000));
    assert_int_equal(c.applies, 0);

    c.cs.hold = 0;
    fake_release(&c.cs);
    wait_reports(&loop, &c, 1, 1);
    assert_int_equal(c.applies, 1);
    finish(&loop, &c, p, &log);
}

static void test_refused(void **state)
{
    struct sockaddr_storage dead;
    uv_loop_t loop;
    uv_tcp_t probe;
    ctx_t c;
    fs_poll_t *p;
    fs_log_t log;
    char err[64];
    int len = sizeof(dead);

    (void)state;
    memset(&c, 0, sizeof(c));
    assert_int_equal(uv_loop_init(&loop), 0);
    fake_start(&loop, &c.cs);
    /* A port that was just free: bind, read it back, close. */
    assert_int_equal(fs_addr_parse("127.0.0.1:0", &dead, err, sizeof(err)), 0);
    uv_tcp_init(&loop, &probe);
    assert_int_equal(uv_tcp_bind(&probe, (struct sockaddr *)&dead, 0), 0);
    uv_tcp_getsockname(&probe, (struct sockaddr *)&dead, &len);
    uv_close((uv_handle_t *)&probe, NULL);
    p = poll_start(&loop, &c, (struct sockaddr *)&dead, 5, 1000, &log);
    run_until(&loop, NULL, NULL, 60);
    assert_int_equal(c.applies, 0);
    assert_int_equal(fs_poll_applied_version(p), 0);
    finish(&loop, &c, p, &log);
}

static void test_bad_config(void **state)
{
    fs_poll_config_t cfg;
    struct sockaddr_storage a;
    uv_loop_t loop;
    fs_poll_t *p = (fs_poll_t *)&cfg;
    fs_log_t log = {.service = "t"};
    char err[64];

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(fs_addr_parse("127.0.0.1:1", &a, err, sizeof(err)), 0);
    memset(&cfg, 0, sizeof(cfg));
    cfg.key = "bot/features";
    cfg.node = "n1";
    cfg.configstore = (struct sockaddr *)&a;
    cfg.interval_ms = 10;
    assert_int_equal(fs_poll_start(&loop, &cfg, &log, &p), -EINVAL); /* no apply */
    assert_null(p);
    cfg.apply = apply_cb;
    cfg.key = "bad key?";
    assert_int_equal(fs_poll_start(&loop, &cfg, &log, &p), -EINVAL);
    cfg.key = "bot/features";
    cfg.node = "n 1";
    assert_int_equal(fs_poll_start(&loop, &cfg, &log, &p), -EINVAL);
    cfg.node = "n1";
    cfg.interval_ms = 0;
    assert_int_equal(fs_poll_start(&loop, &cfg, &log, &p), -EINVAL);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_once_per_version),
        cmocka_unit_test(test_rejected_not_reapplied),
        cmocka_unit_test(test_unversioned_rejected),
        cmocka_unit_test(test_unversioned_accepted),
        cmocka_unit_test(test_not_published),
        cmocka_unit_test(test_fetch_point),
        cmocka_unit_test(test_no_overlap_and_timeout),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_bad_config),
    };

    fiu_init(0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
