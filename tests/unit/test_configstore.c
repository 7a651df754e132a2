/* fs-configstore's routes over real loopback sockets: the service runs in
 * process on 127.0.0.1:0 and an fs_http client talks to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fiu.h>
#include <fiu-control.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../fleet/configstore/configstore.h"

#define KEY "bot/features"

typedef struct {
    int done;
    int status;
    char *body; /* NUL-terminated copy */
    size_t len;
    uint64_t version; /* X-Config-Version, 0 when absent */
    char allow[64];
} resp_t;

typedef struct {
    uv_loop_t loop;
    fs_configstore_t *cs;
    fs_http_client_t *client;
    resp_t r;
} fx_t;

/* stderr goes to a tmpfile between these two calls so log lines can be read. */
static FILE *cap_file;
static int cap_saved = -1;

static void cap_start(void)
{
    fflush(stderr);
    cap_file = tmpfile();
    assert_non_null(cap_file);
    cap_saved = dup(STDERR_FILENO);
    assert_true(cap_saved >= 0);
    assert_int_equal(dup2(fileno(cap_file), STDERR_FILENO), STDERR_FILENO);
}

static char *cap_end(void)
{
    static char buf[16384];
    size_t n;

    fflush(stderr);
    dup2(cap_saved, STDERR_FILENO);
    close(cap_saved);
    rewind(cap_file);
    n = fread(buf, 1, sizeof(buf) - 1, cap_file);
    buf[n] = '\0';
    fclose(cap_file);
    return buf;
}

static fx_t *start(fs_rollout_mode_t mode, uint64_t bake_ms)
{
    fs_cli_common_t cli = {.listen = "127.0.0.1:0", .posture = FS_POSTURE_LEGACY};
    fs_configstore_config_t cfg = {.mode = mode, .bake_ms = bake_ms, .tick_ms = 10};
    struct sockaddr_in sin = {.sin_family = AF_INET};
    fx_t *fx = calloc(1, sizeof(*fx));
    char err[256] = "";

    assert_non_null(fx);
    assert_int_equal(uv_loop_init(&fx->loop), 0);
    assert_int_equal(fs_configstore_new(&fx->loop, &cli, &cfg, &fx->cs, err, sizeof(err)), 0);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons((uint16_t)fs_service_port(fs_configstore_service(fx->cs)));
    assert_true(ntohs(sin.sin_port) > 0);
    assert_int_equal(fs_http_client_new(&fx->loop, (struct sockaddr *)&sin, &fx->client), 0);
    return fx;
}

static void stop(fx_t *fx)
{
    free(fx->r.body);
    fs_http_client_close(fx->client);
    fs_service_stop(fs_configstore_service(fx->cs));
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    fs_configstore_free(fx->cs);
    assert_int_equal(uv_loop_close(&fx->loop), 0);
    free(fx);
}

static void call_cb(int status, const fs_http_resp_t *resp, void *data)
{
    resp_t *r = data;
    const char *body, *h;
    size_t len = 0;

    r->done = 1;
    r->status = status;
    if (resp == NULL)
        return;
    body = fs_http_resp_body(resp, &len);
    r->body = malloc(len + 1);
    if (r->body != NULL) {
        memcpy(r->body, body, len);
        r->body[len] = '\0';
        r->len = len;
    }
    h = fs_http_resp_header(resp, "X-Config-Version");
    r->version = h ? strtoull(h, NULL, 10) : 0;
    h = fs_http_resp_header(resp, "Allow");
    snprintf(r->allow, sizeof(r->allow), "%s", h ? h : "");
}

/* Sends one request and runs the loop until its answer; returns the status.
 * The answer stays in fx->r until the next call. */
static int call_len(fx_t *fx, const char *method, const char *target, const char *body, size_t len)
{
    fs_http_call_t c = {
        .method = method, .target = target, .body = body, .body_len = len, .timeout_ms = 5000};

    free(fx->r.body);
    memset(&fx->r, 0, sizeof(fx->r));
    assert_int_equal(fs_http_client_request(fx->client, &c, call_cb, &fx->r), 0);
    while (!fx->r.done)
        uv_run(&fx->loop, UV_RUN_ONCE);
    return fx->r.status;
}

static int call(fx_t *fx, const char *method, const char *target, const char *body)
{
    return call_len(fx, method, target, body, body ? strlen(body) : 0);
}

static void health(fx_t *fx, const char *node, uint64_t version, int ok)
{
    char body[160];

    snprintf(body, sizeof(body),
             "{\"node\":\"%s\",\"key\":\"" KEY "\",\"version\":%llu,\"ok\":%s,\"errors\":0}", node,
             (unsigned long long)version, ok ? "true" : "false");
    assert_int_equal(call(fx, "POST", "/v1/health", body), 204);
}

/* GET as node; returns the version served. */
static uint64_t get_as(fx_t *fx, const char *node)
{
    char target[96];

    snprintf(target, sizeof(target), "/v1/config/" KEY "?node=%s", node);
    assert_int_equal(call(fx, "GET", target, NULL), 200);
    return fx->r.version;
}

static const fs_rollout_t *rollout(fx_t *fx)
{
    return fs_store_rollout(fs_configstore_store(fx->cs), KEY);
}

/* Runs the loop until the rollout leaves state and stage, or fails after a
 * generous deadline. */
static void run_until_change(fx_t *fx, fs_rollout_state_t state, fs_rollout_stage_t stage)
{
    uint64_t t0 = fs_configstore_now(fx->cs);

    while (fs_rollout_state(rollout(fx)) == state && fs_rollout_stage(rollout(fx)) == stage) {
        assert_true(fs_configstore_now(fx->cs) - t0 < 3000);
        uv_run(&fx->loop, UV_RUN_ONCE);
    }
}

static cJSON *body_json(fx_t *fx)
{
    cJSON *o = cJSON_Parse(fx->r.body ? fx->r.body : "");

    assert_non_null(o);
    return o;
}

static void test_put_get(void **state)
{
    fx_t *fx = start(FS_ROLLOUT_INSTANT, 0);

    (void)state;
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "{\"v\":1}"), 200);
    assert_string_equal(fx->r.body, "{\"key\":\"bot/features\",\"version\":1}");
    assert_int_equal(call(fx, "GET", "/v1/config/" KEY "?node=0", NULL), 200);
    assert_string_equal(fx->r.body, "{\"v\":1}");
    assert_int_equal(fx->r.version, 1);
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "{\"v\":2}"), 200);
    assert_string_equal(fx->r.body, "{\"key\":\"bot/features\",\"version\":2}");
    /* Instant: every node, and the node-less reader, at once. */
    assert_int_equal(get_as(fx, "0"), 2);
    assert_int_equal(get_as(fx, "1"), 2);
    assert_int_equal(call(fx, "GET", "/v1/config/" KEY, NULL), 200);
    assert_int_equal(fx->r.version, 2);
    assert_string_equal(fx->r.body, "{\"v\":2}");
    /* Empty blobs are blobs. */
    assert_int_equal(call(fx, "PUT", "/v1/config/waf/rules", NULL), 200);
    assert_int_equal(call(fx, "GET", "/v1/config/waf/rules", NULL), 200);
    assert_int_equal(fx->r.len, 0);
    assert_int_equal(fx->r.version, 1);
    stop(fx);
}

static void test_binary_blob(void **state)
{
    fx_t *fx = start(FS_ROLLOUT_INSTANT, 0);
    size_t n = 100000;
    char *blob = malloc(n);

    (void)state;
    assert_non_null(blob);
    for (size_t i = 0; i < n; i++)
        blob[i] = (char)(i * 7);
    assert_int_equal(call_len(fx, "PUT", "/v1/config/bin", blob, n), 200);
    assert_int_equal(call(fx, "GET", "/v1/config/bin?node=x", NULL), 200);
    assert_int_equal(fx->r.len, n);
    assert_memory_equal(fx->r.body, blob, n);
    free(blob);
    stop(fx);
}

static void test_errors(void **state)
{
    fx_t *fx = start(FS_ROLLOUT_INSTANT, 0);

    (void)state;
    assert_int_equal(call(fx, "GET", "/v1/config/nope", NULL), 404);
    assert_int_equal(call(fx, "GET", "/v1/rollout/nope", NULL), 404);
    assert_int_equal(call(fx, "POST", "/v1/config/nope/rollback", NULL), 404);
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "x"), 200);
    assert_int_equal(call(fx, "GET", "/v1/config/" KEY "?node=a%20b", NULL), 400);
    assert_int_equal(call(fx, "GET", "/v1/config/" KEY "?node=", NULL), 400);
    assert_int_equal(
        call(fx, "GET", "/v1/config/" KEY "?node=012345678901234567890123456789012", NULL), 400);
    assert_int_equal(call(fx, "GET", "/v1/config/" KEY "?node=a/b", NULL), 400);
    assert_int_equal(call(fx, "GET", "/v1/config/a%20b", NULL), 400);
    assert_int_equal(call(fx, "PUT", "/v1/config/", "x"), 400);
    assert_int_equal(call(fx, "PUT", "/v1/config/a:b", "x"), 400);
    assert_int_equal(call(fx, "GET", "/v1/nope", NULL), 404);
    assert_string_equal(fx->r.body, "{\"error\":\"not found\"}");
    assert_int_equal(call(fx, "DELETE", "/v1/config/" KEY, NULL), 405);
    assert_string_equal(fx->r.allow, "GET, PUT, POST");
    assert_int_equal(call(fx, "POST", "/v1/config/" KEY, "x"), 405);
    assert_int_equal(call(fx, "POST", "/v1/events", NULL), 405);
    assert_int_equal(call(fx, "GET", "/v1/health", NULL), 405);
    assert_int_equal(call(fx, "PUT", "/v1/rollout/" KEY, NULL), 405);
    /* Health: the body must be the report. */
    assert_int_equal(call(fx, "POST", "/v1/health", ""), 400);
    assert_int_equal(call(fx, "POST", "/v1/health", "{\"node\":"), 400);
    assert_int_equal(call(fx, "POST", "/v1/health", "[1]"), 400);
    assert_int_equal(call(fx, "POST", "/v1/health",
                          "{\"node\":\"a b\",\"key\":\"k\",\"version\":1,\"ok\":true}"),
                     400);
    assert_string_equal(fx->r.body, "{\"error\":\"$.node: expected 1 to 32 of [A-Za-z0-9_-]\"}");
    assert_int_equal(
        call(fx, "POST", "/v1/health", "{\"node\":\"0\",\"key\":\"k\",\"version\":-1,\"ok\":true}"),
        400);
    assert_int_equal(
        call(fx, "POST", "/v1/health", "{\"node\":\"0\",\"key\":\"k\",\"version\":1,\"ok\":\"y\"}"),
        400);
    assert_int_equal(
        call(fx, "POST", "/v1/health",
             "{\"node\":\"0\",\"key\":\"k\",\"version\":1,\"ok\":true,\"errors\":1e300}"),
        400);
    /* A well-formed report about a key nobody published is accepted. */
    assert_int_equal(
        call(fx, "POST", "/v1/health", "{\"node\":\"0\",\"key\":\"k\",\"version\":1,\"ok\":true}"),
        204);
    assert_int_equal(fx->r.len, 0);
    stop(fx);
}

static void test_rollback(void **state)
{
    fx_t *fx = start(FS_ROLLOUT_INSTANT, 0);

    (void)state;
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "one"), 200);
    assert_int_equal(call(fx, "POST", "/v1/config/" KEY "/rollback", NULL), 409);
    assert_string_equal(fx->r.body, "{\"error\":\"nothing to roll back to\"}");
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "two"), 200);
    assert_int_equal(call(fx, "POST", "/v1/config/" KEY "/rollback", NULL), 200);
    assert_string_equal(fx->r.body, "{\"key\":\"bot/features\",\"version\":1}");
    assert_int_equal(call(fx, "GET", "/v1/config/" KEY "?node=3", NULL), 200);
    assert_int_equal(fx->r.version, 1);
    assert_string_equal(fx->r.body, "one");
    assert_int_equal(call(fx, "POST", "/v1/config/" KEY "/rollback", NULL), 409);
    /* A key may itself end in "rollback" segments; only POST strips it. */
    assert_int_equal(call(fx, "PUT", "/v1/config/x/rollback", "r"), 200);
    assert_int_equal(call(fx, "GET", "/v1/config/x/rollback", NULL), 200);
    assert_string_equal(fx->r.body, "r");
    stop(fx);
}

static void test_rollout_json(void **state)
{
    fx_t *fx = start(FS_ROLLOUT_STAGED, 60000);
    cJSON *o;

    (void)state;
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "one"), 200);
    assert_int_equal(get_as(fx, "1"), 1);
    assert_int_equal(get_as(fx, "0"), 1);
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "two"), 200);
    assert_int_equal(call(fx, "GET", "/v1/rollout/" KEY, NULL), 200);
    o = body_json(fx);
    assert_string_equal(cJSON_GetObjectItem(o, "key")->valuestring, KEY);
    assert_string_equal(cJSON_GetObjectItem(o, "mode")->valuestring, "staged");
    assert_string_equal(cJSON_GetObjectItem(o, "state")->valuestring, "baking");
    assert_int_equal(cJSON_GetObjectItem(o, "good_version")->valuedouble, 1);
    assert_int_equal(cJSON_GetObjectItem(o, "target_version")->valuedouble, 2);
    assert_string_equal(cJSON_GetObjectItem(o, "stage")->valuestring, "canary");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "stage_nodes")), 1);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "stage_nodes"), 0)->valuestring,
                        "0");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "nodes")), 2);
    assert_int_equal(cJSON_GetObjectItem(o, "bake_ms")->valuedouble, 60000);
    cJSON_Delete(o);
    /* The canary gets the new version; the other node and readers the old. */
    assert_int_equal(get_as(fx, "0"), 2);
    assert_string_equal(fx->r.body, "two");
    assert_int_equal(get_as(fx, "1"), 1);
    assert_int_equal(call(fx, "GET", "/v1/config/" KEY, NULL), 200);
    assert_int_equal(fx->r.version, 1);
    stop(fx);
}

static void test_staged_bad_version_rolled_back(void **state)
{
    fx_t *fx;
    const char *log;
    cJSON *o, *events, *last;

    (void)state;
    cap_start();
    fx = start(FS_ROLLOUT_STAGED, 100);
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "good"), 200);
    for (int i = 0; i < 4; i++) {
        char id[4] = {(char)('0' + i), 0};

        assert_int_equal(get_as(fx, id), 1);
    }
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "bad"), 200);
    assert_int_equal(get_as(fx, "0"), 2);
    /* Another node's failure, or the canary's for another version: no effect. */
    health(fx, "3", 2, 0);
    health(fx, "0", 1, 0);
    assert_int_equal(fs_rollout_state(rollout(fx)), FS_ROLLOUT_BAKING);
    health(fx, "0", 2, 0);
    assert_int_equal(fs_rollout_state(rollout(fx)), FS_ROLLOUT_ROLLED_BACK);
    assert_int_equal(get_as(fx, "0"), 1);
    assert_string_equal(fx->r.body, "good");

    assert_int_equal(call(fx, "GET", "/v1/events?since=0", NULL), 200);
    o = body_json(fx);
    events = cJSON_GetObjectItem(o, "events");
    last = cJSON_GetArrayItem(events, cJSON_GetArraySize(events) - 1);
    assert_string_equal(cJSON_GetObjectItem(last, "event")->valuestring, "rolled_back");
    assert_int_equal(cJSON_GetObjectItem(last, "version")->valuedouble, 2);
    assert_string_equal(cJSON_GetObjectItem(last, "reason")->valuestring,
                        "node 0 reported failure");
    cJSON_Delete(o);

    assert_int_equal(call(fx, "GET", "/metrics", NULL), 200);
    assert_non_null(strstr(fx->r.body, "failsmall_rollbacks_total{service=\"configstore\","
                                       "key=\"bot/features\"} 1\n"));
    assert_non_null(strstr(fx->r.body, "failsmall_config_version{service=\"configstore\","
                                       "key=\"bot/features\"} 1\n"));
    assert_non_null(strstr(fx->r.body, "failsmall_rollout_stage{service=\"configstore\","
                                       "key=\"bot/features\"} 0\n"));
    stop(fx);
    log = cap_end();
    assert_non_null(strstr(log, "event=rollout_stage key=bot/features version=2 stage=canary "
                                "nodes=0 "));
    assert_non_null(strstr(log, "event=rollout_rolled_back key=bot/features version=2 served=1 "
                                "reason=\"node 0 reported failure\""));
    assert_non_null(strstr(log, "event=published key=bot/features version=2"));
}

static void test_staged_advances_with_time(void **state)
{
    fx_t *fx = start(FS_ROLLOUT_STAGED, 100);
    static const char *const nodes[] = {"0", "1", "2", "3"};
    uint64_t t0;

    (void)state;
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "one"), 200);
    for (int i = 0; i < 4; i++)
        assert_int_equal(get_as(fx, nodes[i]), 1);
    t0 = fs_configstore_now(fx->cs);
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "two"), 200);
    health(fx, "0", get_as(fx, "0"), 1);
    run_until_change(fx, FS_ROLLOUT_BAKING, FS_ROLLOUT_STAGE_CANARY);
    assert_int_equal(fs_rollout_stage(rollout(fx)), FS_ROLLOUT_STAGE_QUARTER);
    /* Held for the whole bake although the canary reported at once. */
    assert_true(fs_configstore_now(fx->cs) - t0 >= 100);
    assert_int_equal(call(fx, "GET", "/metrics", NULL), 200);
    assert_non_null(strstr(fx->r.body, "failsmall_rollout_stage{service=\"configstore\","
                                       "key=\"bot/features\"} 2\n"));
    for (int i = 0; i < 2; i++)
        health(fx, nodes[i], get_as(fx, nodes[i]), 1);
    assert_int_equal(get_as(fx, "2"), 1);
    run_until_change(fx, FS_ROLLOUT_BAKING, FS_ROLLOUT_STAGE_QUARTER);
    assert_int_equal(fs_rollout_stage(rollout(fx)), FS_ROLLOUT_STAGE_ALL);
    for (int i = 0; i < 4; i++)
        health(fx, nodes[i], get_as(fx, nodes[i]), 1);
    run_until_change(fx, FS_ROLLOUT_BAKING, FS_ROLLOUT_STAGE_ALL);
    assert_int_equal(fs_rollout_state(rollout(fx)), FS_ROLLOUT_COMPLETE);
    assert_int_equal(call(fx, "GET", "/v1/config/" KEY, NULL), 200);
    assert_int_equal(fx->r.version, 2);
    stop(fx);
}

static void test_silent_canary_rolled_back_by_timer(void **state)
{
    fx_t *fx = start(FS_ROLLOUT_STAGED, 100);

    (void)state;
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "one"), 200);
    assert_int_equal(get_as(fx, "0"), 1);
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "two"), 200);
    run_until_change(fx, FS_ROLLOUT_BAKING, FS_ROLLOUT_STAGE_CANARY);
    assert_int_equal(fs_rollout_state(rollout(fx)), FS_ROLLOUT_ROLLED_BACK);
    assert_int_equal(get_as(fx, "0"), 1);
    stop(fx);
}

static void test_events(void **state)
{
    fx_t *fx = start(FS_ROLLOUT_INSTANT, 0);
    cJSON *o, *events;

    (void)state;
    assert_int_equal(call(fx, "GET", "/v1/events", NULL), 200);
    o = body_json(fx);
    assert_int_equal(cJSON_GetObjectItem(o, "next")->valuedouble, 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "events")), 0);
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(o, "now_ms")));
    cJSON_Delete(o);
    assert_int_equal(call(fx, "PUT", "/v1/config/a", "1"), 200);
    assert_int_equal(call(fx, "PUT", "/v1/config/a", "2"), 200);
    assert_int_equal(call(fx, "POST", "/v1/config/a/rollback", NULL), 200);
    assert_int_equal(call(fx, "GET", "/v1/events?since=0", NULL), 200);
    o = body_json(fx);
    assert_int_equal(cJSON_GetObjectItem(o, "next")->valuedouble, 5);
    events = cJSON_GetObjectItem(o, "events");
    assert_int_equal(cJSON_GetArraySize(events), 5);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(events, 0), "event")->valuestring,
                        "published");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(events, 4), "event")->valuestring,
                        "rollback");
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetArrayItem(events, 0), "t_ms")));
    /* now_ms is never before the newest event */
    assert_true(cJSON_GetObjectItem(o, "now_ms")->valuedouble >=
                cJSON_GetObjectItem(cJSON_GetArrayItem(events, 4), "t_ms")->valuedouble);
    cJSON_Delete(o);
    assert_int_equal(call(fx, "GET", "/v1/events?since=3", NULL), 200);
    o = body_json(fx);
    events = cJSON_GetObjectItem(o, "events");
    assert_int_equal(cJSON_GetArraySize(events), 2);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(events, 0), "seq")->valuedouble, 4);
    cJSON_Delete(o);
    assert_int_equal(call(fx, "GET", "/v1/events?since=abc", NULL), 400);
    assert_int_equal(call(fx, "GET", "/v1/events?since=-1", NULL), 400);
    assert_int_equal(call(fx, "GET", "/v1/events?since=", NULL), 400);
    stop(fx);
}

static void test_fiu_points(void **state)
{
    fx_t *fx = start(FS_ROLLOUT_INSTANT, 0);

    (void)state;
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "x"), 200);
    assert_int_equal(fiu_enable("configstore/get", 1, NULL, 0), 0);
    assert_int_equal(call(fx, "GET", "/v1/config/" KEY, NULL), 500);
    assert_int_equal(fiu_disable("configstore/get"), 0);
    assert_int_equal(call(fx, "GET", "/v1/config/" KEY, NULL), 200);
    assert_int_equal(fiu_enable("configstore/put", 1, NULL, 0), 0);
    assert_int_equal(call(fx, "PUT", "/v1/config/" KEY, "y"), 500);
    assert_int_equal(fiu_disable("configstore/put"), 0);
    assert_int_equal(call(fx, "GET", "/v1/config/" KEY, NULL), 200);
    assert_int_equal(fx->r.version, 1);
    assert_int_equal(call(fx, "GET", "/metrics", NULL), 200);
    assert_non_null(strstr(fx->r.body, "failsmall_errors_total{service=\"configstore\"} 2\n"));
    stop(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get),
        cmocka_unit_test(test_binary_blob),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_rollout_json),
        cmocka_unit_test(test_staged_bad_version_rolled_back),
        cmocka_unit_test(test_staged_advances_with_time),
        cmocka_unit_test(test_silent_canary_rolled_back_by_timer),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_fiu_points),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
