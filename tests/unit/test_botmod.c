/* fs-botmod in process: the service on 127.0.0.1:0 fed by a fake
 * configstore, exercised over real loopback sockets under each posture,
 * and the panic path in a forked child. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <fiu.h>
#include <fiu-control.h>

#include "../../fleet/botmod/botmod.h"
#include "fs_addr.h"
#include "fs_http.h"

static const char good_v1[] =
    "{\"version\":1,\"features\":[{\"name\":\"ua:curl\",\"weight\":0.6},"
    "{\"name\":\"lang:missing\",\"weight\":0.2},{\"name\":\"cookie:missing\",\"weight\":0.1}]}";
static const char good_v3[] =
    "{\"version\":3,\"features\":[{\"name\":\"ua:curl\",\"weight\":0.8}]}";
static const char malformed[] = "{\"version\":2,\"features\":[{\"name\":\"ua:curl\",\"weight\":";

#define HUMAN                                                                                      \
    "\"ua\":\"Mozilla/5.0 (X11)\",\"ip\":\"10.0.0.7\",\"method\":\"GET\","                         \
    "\"path\":\"/shop\",\"accept_language\":true,\"cookie\":true"
#define BOT "\"ua\":\"curl/8.4.0\",\"ip\":\"10.0.0.8\",\"method\":\"GET\",\"path\":\"/shop\""

/* The incident's file: 120 features, every row twice. Caller frees. */
static char *dup_file(size_t *len)
{
    size_t cap = 240 * 48 + 64, off;
    char *buf = malloc(cap);

    assert_non_null(buf);
    off = (size_t)snprintf(buf, cap, "{\"version\":2,\"features\":[");
    for (int i = 0; i < 240; i++)
        off += (size_t)snprintf(buf + off, cap - off, "%s{\"name\":\"f%d\",\"weight\":0.5}",
                                i ? "," : "", i / 2);
    off += (size_t)snprintf(buf + off, cap - off, "]}");
    *len = off;
    return buf;
}

/* ---- fake configstore ---- */

typedef struct {
    fs_http_server_t *srv;
    struct sockaddr_storage addr;
    uint64_t version; /* 0 = never published (404) */
    char *body;
    size_t len;
    unsigned reports;
    uint64_t rep_version;
    int rep_ok;
} fake_cs_t;

static void fake_cb(fs_http_req_t *req, void *data)
{
    fake_cs_t *f = data;
    const char *path = fs_http_req_path(req);

    if (strcmp(path, "/v1/config/bot/features") == 0) {
        char hdr[64];

        if (f->version == 0) {
            fs_http_respondf(req, 404, "application/json", NULL, "{\"error\":\"not found\"}");
            return;
        }
        snprintf(hdr, sizeof(hdr), "X-Config-Version: %llu\r\n", (unsigned long long)f->version);
        fs_http_respond(req, 200, "application/octet-stream", hdr, f->body, f->len);
        return;
    }
    if (strcmp(path, "/v1/health") == 0) {
        size_t len;
        const char *body = fs_http_req_body(req, &len);
        cJSON *o = cJSON_ParseWithLength(body, len);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "version");
        const cJSON *ok = cJSON_GetObjectItemCaseSensitive(o, "ok");

        assert_true(cJSON_IsNumber(v) && cJSON_IsBool(ok));
        f->reports++;
        f->rep_version = (uint64_t)v->valuedouble;
        f->rep_ok = cJSON_IsTrue(ok);
        cJSON_Delete(o);
        fs_http_respond(req, 204, NULL, NULL, NULL, 0);
        return;
    }
    fs_http_respondf(req, 404, "application/json", NULL, "{\"error\":\"not found\"}");
}

static void fake_publish(fake_cs_t *f, uint64_t version, const char *body, size_t len)
{
    free(f->body);
    f->body = malloc(len + 1);
    assert_non_null(f->body);
    memcpy(f->body, body, len);
    f->len = len;
    f->version = version;
}

/* ---- fixture: loop, fake configstore, botmod, client ---- */

typedef struct {
    uv_loop_t loop;
    fake_cs_t cs;
    fs_cli_common_t cli;
    fs_botmod_t *b;
    fs_http_client_t *client;
    FILE *devnull;
    int fd_saved; /* the real stderr while the service's logs go to /dev/null */
    uint64_t capacity, service_ms, queue_timeout_ms; /* set before fix_start */
} fix_t;

static int fix_setup(void **state)
{
    fix_t *x = calloc(1, sizeof(*x));

    if (x == NULL)
        return -1;
    x->fd_saved = -1;
    *state = x;
    return 0;
}

/* Runs even when a test failed, so cmocka's report reaches the terminal. */
static int fix_teardown(void **state)
{
    fix_t *x = *state;

    if (x->fd_saved >= 0) {
        fflush(stderr);
        dup2(x->fd_saved, 2);
        close(x->fd_saved);
        fclose(x->devnull);
    }
    free(x->cs.body);
    free(x);
    return 0;
}

static void fix_start(fix_t *x, fs_posture_t posture, fs_botmod_engine_t engine)
{
    struct sockaddr_storage any, me;
    fs_botmod_config_t cfg;
    char err[256];

    assert_int_equal(uv_loop_init(&x->loop), 0);
    assert_int_equal(fs_addr_parse("127.0.0.1:0", &any, err, sizeof(err)), 0);
    assert_int_equal(
        fs_http_server_start(&x->loop, (struct sockaddr *)&any, fake_cb, &x->cs, &x->cs.srv), 0);
    assert_int_equal(fs_http_server_addr(x->cs.srv, &x->cs.addr), 0);

    /* The service logs to stderr; keep the test output readable. */
    fflush(stderr);
    x->fd_saved = dup(2);
    x->devnull = fopen("/dev/null", "w");
    dup2(fileno(x->devnull), 2);

    memset(&cfg, 0, sizeof(cfg));
    cfg.configstore = x->cs.addr;
    cfg.engine = engine;
    cfg.on_bad_config = fs_botmod_default_on_bad(posture, engine);
    cfg.poll_ms = 5;
    cfg.config_timeout_ms = 1000;
    cfg.capacity = x->capacity;
    cfg.service_ms = x->service_ms;
    cfg.queue_timeout_ms = x->queue_timeout_ms;
    x->cli.listen = "127.0.0.1:0";
    x->cli.node = "n1";
    x->cli.posture = posture;
    assert_int_equal(fs_botmod_new(&x->loop, &x->cli, &cfg, &x->b, err, sizeof(err)), 0);
    assert_int_equal(fs_addr_parse("127.0.0.1:0", &me, err, sizeof(err)), 0);
    ((struct sockaddr_in *)&me)->sin_port =
        htons((uint16_t)fs_service_port(fs_botmod_service(x->b)));
    assert_int_equal(fs_http_client_new(&x->loop, (struct sockaddr *)&me, &x->client), 0);
}

static void fix_stop(fix_t *x)
{
    fs_service_stop(fs_botmod_service(x->b));
    fs_http_client_close(x->client);
    fs_http_server_close(x->cs.srv);
    uv_run(&x->loop, UV_RUN_DEFAULT);
    fs_botmod_free(x->b);
    x->b = NULL;
    assert_int_equal(uv_loop_close(&x->loop), 0);
}

static void tick_cb(uv_timer_t *t)
{
    (void)t;
}

static int run_until(uv_loop_t *loop, int (*pred)(void *), void *ctx, uint64_t ms)
{
    uv_timer_t tick;
    uint64_t end;
    int ok;

    uv_update_time(loop);
    end = uv_now(loop) + ms;
    uv_timer_init(loop, &tick);
    uv_timer_start(&tick, tick_cb, 2, 2);
    while (!(ok = pred(ctx)) && uv_now(loop) < end)
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&tick, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    return ok;
}

typedef struct {
    int done, status;
    char body[16384];
} resp_t;

static void resp_cb(int status, const fs_http_resp_t *r, void *data)
{
    resp_t *out = data;
    size_t len = 0;
    const char *b = r ? fs_http_resp_body(r, &len) : "";

    out->status = status;
    snprintf(out->body, sizeof(out->body), "%.*s", (int)len, b);
    out->done = 1;
}

static int resp_done(void *data)
{
    return ((resp_t *)data)->done;
}

/* One request to botmod; returns the status, body in out. */
static int call(fix_t *x, const char *method, const char *target, const char *body, resp_t *out)
{
    fs_http_call_t c = {.method = method,
                        .target = target,
                        .body = body,
                        .body_len = body ? strlen(body) : 0,
                        .timeout_ms = 2000};

    memset(out, 0, sizeof(*out));
    assert_int_equal(fs_http_client_request(x->client, &c, resp_cb, out), 0);
    assert_true(run_until(&x->loop, resp_done, out, 3000));
    return out->status;
}

/* POST /v1/score; returns the score and checks the config version. */
static int score(fix_t *x, const char *fields, uint64_t want_version)
{
    char body[512], want[64];
    resp_t r;
    int s = -1;

    snprintf(body, sizeof(body), "{%s}", fields);
    assert_int_equal(call(x, "POST", "/v1/score", body, &r), 200);
    assert_int_equal(sscanf(r.body, "{\"score\":%d,", &s), 1);
    snprintf(want, sizeof(want), ",\"config_version\":%llu}", (unsigned long long)want_version);
    if (strstr(r.body, want) == NULL)
        fail_msg("%s: expected config_version %llu", r.body, (unsigned long long)want_version);
    assert_in_range(s, 0, 99);
    return s;
}

static int verify(fix_t *x, const char *token, const char *fields, int *score_out)
{
    char body[512];
    resp_t r;

    snprintf(body, sizeof(body), "{\"token\":%s%s%s}", token, *fields ? "," : "", fields);
    call(x, "POST", "/v1/challenge/verify", body, &r);
    if (r.status == 200 || r.status == 403) {
        char want[32];

        snprintf(want, sizeof(want), "{\"ok\":%s,", r.status == 200 ? "true" : "false");
        assert_non_null(strstr(r.body, want));
        assert_int_equal(sscanf(strstr(r.body, "\"score\":"), "\"score\":%d", score_out), 1);
    }
    return r.status;
}

typedef struct {
    fix_t *x;
    uint64_t version;
    int ok;
} wait_t;

static int version_in_use(void *data)
{
    wait_t *w = data;

    return fs_scorer_version(fs_botmod_scorer(w->x->b)) == w->version;
}

static int reported(void *data)
{
    wait_t *w = data;

    return w->x->cs.reports > 0 && w->x->cs.rep_version == w->version && w->x->cs.rep_ok == w->ok;
}

static void publish_and_wait(fix_t *x, uint64_t v, const char *body, size_t len, int ok)
{
    wait_t w = {x, v, ok};

    fake_publish(&x->cs, v, body, len);
    if (!run_until(&x->loop, reported, &w, 3000))
        fail_msg("no health report for v%llu ok=%d", (unsigned long long)v, ok);
}

static double metric(fix_t *x, int which)
{
    fs_service_t *s = fs_botmod_service(x->b);

    switch (which) {
    case 0:
        return fs_metric_value(fs_service_config_version(s, FS_BOTMOD_KEY));
    case 1:
        return fs_metric_value(fs_service_config_rejected(s, FS_BOTMOD_KEY));
    default:
        return fs_metric_value(fs_service_fallbacks(s, "builtin_defaults"));
    }
}

/* ---- tests ---- */

static void test_hardened(void **state)
{
    fix_t *x = *state;
    wait_t w = {x, 0, 0};
    resp_t r;
    int human, bot, s;
    size_t len;
    char *dup;

    (void)state;
    fix_start(x, FS_POSTURE_HARDENED, FS_BOTMOD_ENGINE_NEW);

    /* Nothing published: the built-in defaults score, and say so. */
    assert_true(score(x, HUMAN, 0) >= 90);
    assert_true(score(x, BOT, 0) < 30);
    assert_true(metric(x, 2) == 2);

    publish_and_wait(x, 1, good_v1, strlen(good_v1), 1);
    human = score(x, HUMAN, 1);
    bot = score(x, BOT, 1);
    assert_true(human >= 90);
    assert_true(bot < 30);
    assert_int_equal(score(x, BOT, 1), bot); /* deterministic */
    assert_true(metric(x, 0) == 1);
    assert_true(metric(x, 2) == 2); /* no longer on the defaults */

    /* The incident's file: rejected, counted, reported, scores unchanged. */
    dup = dup_file(&len);
    publish_and_wait(x, 2, dup, len, 0);
    free(dup);
    assert_true(metric(x, 1) == 1);
    assert_true(metric(x, 0) == 1);
    assert_int_equal(score(x, HUMAN, 1), human);
    assert_int_equal(score(x, BOT, 1), bot);

    /* The challenge. */
    assert_int_equal(verify(x, "\"tok-abc123\"", HUMAN, &s), 200);
    assert_int_equal(s, human);
    assert_int_equal(verify(x, "\"tok-abc123\"", BOT, &s), 403);
    assert_int_equal(s, bot);
    assert_int_equal(verify(x, "\"tok-\"", HUMAN, &s), 403);
    assert_int_equal(verify(x, "\"tok-a_b\"", HUMAN, &s), 403);
    assert_int_equal(verify(x, "\"abc\"", HUMAN, &s), 403);
    assert_int_equal(verify(x, "null", HUMAN, &s), 403);
    assert_int_equal(verify(x, "5", HUMAN, &s), 400);

    /* Bad requests. */
    assert_int_equal(call(x, "POST", "/v1/score", "{\"ua\":", &r), 400);
    assert_non_null(strstr(r.body, "line 1 column"));
    assert_int_equal(call(x, "POST", "/v1/score", "{\"cookie\":\"yes\"}", &r), 400);
    assert_non_null(strstr(r.body, "$.cookie: expected a boolean"));
    assert_int_equal(call(x, "POST", "/v1/score", "[1]", &r), 400);
    assert_int_equal(call(x, "GET", "/v1/score", NULL, &r), 405);
    assert_int_equal(call(x, "GET", "/v1/challenge/verify", NULL, &r), 405);
    assert_int_equal(call(x, "POST", "/v1/nope", "{}", &r), 404);
    assert_string_equal(r.body, "{\"error\":\"not found\"}");
    assert_int_equal(call(x, "POST", "/v1/score", NULL, &r), 200); /* all fields optional */
    assert_int_equal(call(x, "GET", "/healthz", NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"posture\":\"hardened\""));

    /* A good file after the rejection is taken. */
    publish_and_wait(x, 3, good_v3, strlen(good_v3), 1);
    assert_true(metric(x, 0) == 3);
    assert_true(score(x, BOT, 3) < 30);

    /* botmod/score: both handlers answer 500, and the next health report
     * turns ok:false for the version in use, then recovers. */
    assert_int_equal(fiu_enable("botmod/score", 1, NULL, 0), 0);
    assert_int_equal(call(x, "POST", "/v1/score", "{}", &r), 500);
    assert_int_equal(verify(x, "\"tok-a\"", HUMAN, &s), 500);
    fiu_disable("botmod/score");
    w.version = 3;
    w.ok = 0;
    assert_true(run_until(&x->loop, reported, &w, 3000));
    w.ok = 1;
    assert_true(run_until(&x->loop, reported, &w, 3000));
    assert_int_equal(call(x, "GET", "/metrics", NULL, &r), 200);
    assert_non_null(strstr(r.body, "failsmall_config_rejected_total{service=\"botmod\",node=\"n1\","
                                   "key=\"bot/features\"} 1"));
    assert_non_null(strstr(r.body, "failsmall_errors_total{service=\"botmod\",node=\"n1\"} 2"));
    fix_stop(x);
}

static void test_hardened_load_point(void **state)
{
    fix_t *x = *state;

    (void)state;
    fix_start(x, FS_POSTURE_HARDENED, FS_BOTMOD_ENGINE_NEW);
    publish_and_wait(x, 1, good_v1, strlen(good_v1), 1);
    assert_int_equal(fiu_enable("botmod/config/load", 1, NULL, 0), 0);
    publish_and_wait(x, 3, good_v3, strlen(good_v3), 0);
    fiu_disable("botmod/config/load");
    assert_true(metric(x, 1) == 1);
    assert_true(score(x, HUMAN, 1) >= 90);
    fix_stop(x);
}

static void test_old_engine_zero(void **state)
{
    fix_t *x = *state;
    wait_t w = {x, 2, 0};
    int s;

    (void)state;
    fix_start(x, FS_POSTURE_LEGACY, FS_BOTMOD_ENGINE_OLD);
    /* Legacy has no built-in defaults: until a file loads, a bot passes. */
    assert_true(score(x, BOT, 0) >= 90);
    assert_true(metric(x, 2) == 0);

    publish_and_wait(x, 1, good_v1, strlen(good_v1), 1);
    assert_true(score(x, HUMAN, 1) >= 90);

    publish_and_wait(x, 2, malformed, strlen(malformed), 0);
    assert_true(run_until(&x->loop, version_in_use, &w, 1000));
    assert_int_equal(score(x, HUMAN, 2), 0);
    assert_int_equal(score(x, BOT, 2), 0);
    assert_int_equal(verify(x, "\"tok-abc\"", HUMAN, &s), 403);
    assert_int_equal(s, 0);
    assert_true(metric(x, 0) == 2);
    assert_true(metric(x, 1) == 0); /* legacy does not count what it took */

    publish_and_wait(x, 3, good_v3, strlen(good_v3), 1);
    assert_true(score(x, HUMAN, 3) >= 90);
    assert_int_equal(verify(x, "\"tok-abc\"", HUMAN, &s), 200);
    fix_stop(x);
}

/* Runs fs_scorer_apply(blob) in a child under `mode`, with the load point
 * on when asked; returns its wait status and what it logged. */
static int apply_in_child(fs_scorer_on_bad_t mode, const char *blob, size_t len, int load_point,
                          char *log_out, size_t log_len)
{
    int fds[2], status = 0;
    ssize_t n, got = 0;
    pid_t pid;

    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit none = {0, 0};
        fs_scorer_config_t cfg = {.on_bad = mode, .key = FS_BOTMOD_KEY};
        fs_log_t log = {.service = "botmod", .node = "n1"};
        fs_scorer_t *s;

        setrlimit(RLIMIT_CORE, &none);
        close(fds[0]);
        log.out = fdopen(fds[1], "w");
        cfg.log = &log;
        if (load_point)
            fiu_enable("botmod/config/load", 1, NULL, 0);
        if (log.out == NULL || fs_scorer_new(&cfg, &s) < 0)
            _exit(3);
        fs_scorer_apply(s, 2, blob, len);
        _exit(0);
    }
    close(fds[1]);
    while (got + 1 < (ssize_t)log_len && (n = read(fds[0], log_out + got, log_len - 1 - got)) > 0)
        got += n;
    log_out[got] = '\0';
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void test_new_engine_panics(void **state)
{
    char log[2048];
    size_t len;
    char *dup = dup_file(&len);
    int st;

    (void)state;
    st = apply_in_child(FS_SCORER_PANIC, dup, len, 0, log, sizeof(log));
    free(dup);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
    assert_non_null(strstr(log, "event=panic reason=\"$.features: 240 features, limit 200\""));

    st = apply_in_child(FS_SCORER_PANIC, malformed, strlen(malformed), 0, log, sizeof(log));
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
    assert_non_null(strstr(log, "event=panic reason=\"line 1 column"));

    /* The load point alone is enough. */
    st = apply_in_child(FS_SCORER_PANIC, good_v1, strlen(good_v1), 1, log, sizeof(log));
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);

    /* A good file does not. */
    st = apply_in_child(FS_SCORER_PANIC, good_v1, strlen(good_v1), 0, log, sizeof(log));
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_non_null(strstr(log, "event=features_loaded"));
}

/* With a capacity of one, scores are served one at a time; what waited
 * longer than the queue timeout is shed with a fast 503. */
static void test_capacity_sheds(void **state)
{
    fix_t *x = *state;
    const char *body = "{\"ua\":\"curl/8\",\"ip\":\"10.0.0.1\"}";
    fs_http_call_t c = {.method = "POST",
                        .target = "/v1/score",
                        .body = body,
                        .body_len = strlen(body),
                        .timeout_ms = 2000};
    resp_t r[3];

    x->capacity = 1;
    x->service_ms = 60;
    x->queue_timeout_ms = 20;
    fix_start(x, FS_POSTURE_HARDENED, FS_BOTMOD_ENGINE_NEW);
    memset(r, 0, sizeof(r));
    for (int i = 0; i < 3; i++)
        assert_int_equal(fs_http_client_request(x->client, &c, resp_cb, &r[i]), 0);
    for (int i = 0; i < 3; i++)
        assert_true(run_until(&x->loop, resp_done, &r[i], 3000));
    assert_int_equal(r[0].status, 200);
    assert_non_null(strstr(r[0].body, "\"score\""));
    assert_int_equal(r[1].status, 503);
    assert_non_null(strstr(r[1].body, "overloaded"));
    assert_int_equal(r[2].status, 503);
    fix_stop(x);
}

static void test_defaults_and_names(void **state)
{
    (void)state;
    assert_int_equal(fs_botmod_default_on_bad(FS_POSTURE_LEGACY, FS_BOTMOD_ENGINE_NEW),
                     FS_SCORER_PANIC);
    assert_int_equal(fs_botmod_default_on_bad(FS_POSTURE_LEGACY, FS_BOTMOD_ENGINE_OLD),
                     FS_SCORER_ZERO);
    assert_int_equal(fs_botmod_default_on_bad(FS_POSTURE_HARDENED, FS_BOTMOD_ENGINE_NEW),
                     FS_SCORER_REJECT);
    assert_int_equal(fs_botmod_default_on_bad(FS_POSTURE_HARDENED, FS_BOTMOD_ENGINE_OLD),
                     FS_SCORER_REJECT);
    assert_true(fs_botmod_token_ok("tok-A1"));
    assert_false(fs_botmod_token_ok("tok-"));
    assert_false(fs_botmod_token_ok("Tok-a"));
    assert_false(fs_botmod_token_ok("tok-a b"));
    assert_false(fs_botmod_token_ok(NULL));
    char tok[80] = "tok-";
    memset(tok + 4, 'z', 64);
    tok[68] = '\0';
    assert_true(fs_botmod_token_ok(tok));
    tok[68] = 'z';
    tok[69] = '\0';
    assert_false(fs_botmod_token_ok(tok));
}

static void test_bad_listen(void **state)
{
    fs_cli_common_t cli = {.listen = "10.1.2.3:0", .node = "n1"};
    fs_botmod_config_t cfg;
    fs_botmod_t *b = (fs_botmod_t *)&cfg;
    uv_loop_t loop;
    char err[256] = "";

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.poll_ms = 10;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_true(fs_botmod_new(&loop, &cli, &cfg, &b, err, sizeof(err)) < 0);
    assert_null(b);
    assert_non_null(strstr(err, "--listen"));
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hardened, fix_setup, fix_teardown),
        cmocka_unit_test_setup_teardown(test_hardened_load_point, fix_setup, fix_teardown),
        cmocka_unit_test_setup_teardown(test_old_engine_zero, fix_setup, fix_teardown),
        cmocka_unit_test_setup_teardown(test_capacity_sheds, fix_setup, fix_teardown),
        cmocka_unit_test(test_new_engine_panics),
        cmocka_unit_test(test_defaults_and_names),
        cmocka_unit_test(test_bad_listen),
    };

    signal(SIGPIPE, SIG_IGN);
    fiu_init(0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
