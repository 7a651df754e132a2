#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fiu-control.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../fleet/dashboard/dashboard.h"
#include "../../fleet/dashboard/login.h"
#include "../../fleet/dashboard/ops.h"
#include "fs_addr.h"

#define TOKEN "tok-abc123"
#define BG    "glass-token"
#define RULES                                                                                      \
    "{\"version\":1,\"rules\":[{\"id\":\"block-admin\",\"path_prefix\":\"/admin\","                \
    "\"action\":\"block\"}]}"

/* ---- stderr capture, to read the audit log ---- */

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

/* ---- fake botmod and configstore ---- */

enum { BOT_OK, BOT_REJECT, BOT_ERROR, BOT_HOLD, BOT_GARBAGE };

typedef struct {
    fs_http_server_t *srv;
    struct sockaddr_storage addr;
    int mode; /* botmod: BOT_* */
    int calls;
    char method[16], path[256], body[8192], truth[16];
    fs_http_req_t *held;
    /* configstore: the waf/rules blob */
    char blob[8192];
    int has_blob, version, puts;
} fake_t;

static void fake_record(fake_t *f, fs_http_req_t *req)
{
    const char *body = fs_http_req_body(req, NULL);
    const char *truth = fs_http_req_header(req, "X-Failsmall-Truth");

    f->calls++;
    snprintf(f->method, sizeof(f->method), "%s", http_method_str(fs_http_req_method(req)));
    snprintf(f->path, sizeof(f->path), "%s", fs_http_req_path(req));
    snprintf(f->body, sizeof(f->body), "%s", body);
    snprintf(f->truth, sizeof(f->truth), "%s", truth ? truth : "");
}

static void botmod_cb(fs_http_req_t *req, void *data)
{
    fake_t *f = data;

    fake_record(f, req);
    switch (f->mode) {
    case BOT_OK:
        fs_http_respondf(req, 200, "application/json", NULL, "{\"ok\":true,\"score\":80}");
        break;
    case BOT_REJECT:
        fs_http_respondf(req, 403, "application/json", NULL, "{\"ok\":false,\"score\":5}");
        break;
    case BOT_ERROR:
        fs_http_respondf(req, 500, "application/json", NULL, "{\"error\":\"boom\"}");
        break;
    case BOT_GARBAGE:
        fs_http_respondf(req, 200, "application/json", NULL, "{\"ok\":");
        break;
    default:
        f->held = req; /* answered at teardown */
        break;
    }
}

static void configstore_cb(fs_http_req_t *req, void *data)
{
    fake_t *f = data;
    const char *path = fs_http_req_path(req);
    enum http_method m = fs_http_req_method(req);
    char hdr[64];
    size_t len;

    fake_record(f, req);
    if (m == HTTP_POST && strcmp(path, "/v1/config/none/rollback") == 0) {
        fs_http_respondf(req, 409, "application/json", NULL, "{\"error\":\"nothing to roll\"}");
    } else if (m == HTTP_POST && strncmp(path, "/v1/config/", 11) == 0) {
        fs_http_respondf(req, 200, "application/json", NULL, "{\"key\":\"%.*s\",\"version\":3}",
                         (int)(strlen(path) - 11 - 9), path + 11);
    } else if (m == HTTP_GET && strcmp(path, "/v1/config/waf/rules") == 0) {
        if (!f->has_blob) {
            fs_http_respondf(req, 404, "application/json", NULL, "{\"error\":\"not found\"}");
            return;
        }
        snprintf(hdr, sizeof(hdr), "X-Config-Version: %d\r\n", f->version);
        fs_http_respond(req, 200, "application/octet-stream", hdr, f->blob, strlen(f->blob));
    } else if (m == HTTP_PUT && strcmp(path, "/v1/config/waf/rules") == 0) {
        const char *body = fs_http_req_body(req, &len);
        assert_true(len < sizeof(f->blob));
        memcpy(f->blob, body, len + 1);
        f->has_blob = 1;
        f->version++;
        f->puts++;
        fs_http_respondf(req, 200, "application/json", NULL,
                         "{\"key\":\"waf/rules\",\"version\":%d}", f->version);
    } else {
        fs_http_respondf(req, 404, "application/json", NULL, "{\"error\":\"not found\"}");
    }
}

static void fake_start(uv_loop_t *loop, fake_t *f, fs_http_handler_cb cb)
{
    char err[128];

    assert_int_equal(fs_addr_parse("127.0.0.1:0", &f->addr, err, sizeof(err)), 0);
    assert_int_equal(fs_http_server_start(loop, (struct sockaddr *)&f->addr, cb, f, &f->srv), 0);
    assert_int_equal(fs_http_server_addr(f->srv, &f->addr), 0);
}

static void fake_close(fake_t *f)
{
    if (f->held) {
        fs_http_respond(f->held, 500, "text/plain", NULL, "", 0);
        f->held = NULL;
    }
    if (f->srv)
        fs_http_server_close(f->srv);
    f->srv = NULL;
}

/* ---- the dashboard under test ---- */

typedef struct {
    uv_loop_t loop;
    fake_t botmod, configstore;
    fs_cli_common_t cli;
    fs_dashboard_t *dash;
    fs_http_client_t *client;
} fx_t;

typedef struct {
    int done, status;
    char body[8192];
} result_t;

typedef struct {
    int break_glass;
    uint64_t challenge_deadline_ms;
    int botmod_down; /* nothing listens at the botmod address */
    const uint8_t *session_seed;
} opts_t;

static fx_t *fx_start(const opts_t *o)
{
    fx_t *f = calloc(1, sizeof(*f));
    fs_dashboard_config_t cfg = {0};
    struct sockaddr_storage ss;
    char err[256];

    assert_non_null(f);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    fake_start(&f->loop, &f->botmod, botmod_cb);
    fake_start(&f->loop, &f->configstore, configstore_cb);
    if (o->botmod_down) {
        /* the port was just free and nothing listens there any more */
        fake_close(&f->botmod);
        uv_run(&f->loop, UV_RUN_NOWAIT);
    }
    f->cli.listen = "127.0.0.1:0";
    f->cli.posture = o->break_glass ? FS_POSTURE_HARDENED : FS_POSTURE_LEGACY;
    cfg.botmod = (struct sockaddr *)&f->botmod.addr;
    cfg.configstore = (struct sockaddr *)&f->configstore.addr;
    cfg.break_glass = o->break_glass;
    cfg.break_glass_token = BG;
    cfg.challenge_deadline_ms = o->challenge_deadline_ms;
    cfg.configstore_deadline_ms = 2000;
    cfg.password = "secret";
    cfg.session_ttl_ms = 60000;
    cfg.session_seed = o->session_seed;
    assert_int_equal(fs_dashboard_new(&f->loop, &f->cli, &cfg, &f->dash, err, sizeof(err)), 0);
    assert_int_equal(fs_addr_parse("127.0.0.1:0", &ss, err, sizeof(err)), 0);
    ((struct sockaddr_in *)&ss)->sin_port =
        htons((uint16_t)fs_service_port(fs_dashboard_service(f->dash)));
    assert_int_equal(fs_http_client_new(&f->loop, (struct sockaddr *)&ss, &f->client), 0);
    return f;
}

static void fx_stop(fx_t *f)
{
    fs_service_stop(fs_dashboard_service(f->dash));
    fs_http_client_close(f->client);
    fake_close(&f->botmod);
    fake_close(&f->configstore);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(fs_dashboard_pending(f->dash), 0);
    fs_dashboard_free(f->dash);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    free(f);
}

static void result_cb(int status, const fs_http_resp_t *resp, void *data)
{
    result_t *r = data;
    const char *body;
    size_t len;

    r->done = 1;
    r->status = status;
    if (resp) {
        body = fs_http_resp_body(resp, &len);
        snprintf(r->body, sizeof(r->body), "%.*s", (int)len, body);
    }
}

static void issue(fx_t *f, const char *method, const char *target, const char *headers,
                  const char *body, result_t *r)
{
    fs_http_call_t call = {.method = method,
                           .target = target,
                           .headers = headers,
                           .body = body,
                           .body_len = body ? strlen(body) : 0,
                           .timeout_ms = 5000};

    memset(r, 0, sizeof(*r));
    assert_int_equal(fs_http_client_request(f->client, &call, result_cb, r), 0);
}

static int request(fx_t *f, const char *method, const char *target, const char *headers,
                   const char *body, result_t *r)
{
    issue(f, method, target, headers, body, r);
    while (!r->done)
        uv_run(&f->loop, UV_RUN_ONCE);
    return r->status;
}

static int login(fx_t *f, const char *password, const char *break_glass, result_t *r)
{
    char body[512];

    if (break_glass)
        snprintf(body, sizeof(body),
                 "{\"user\":\"ops\",\"password\":\"%s\",\"challenge\":\"" TOKEN
                 "\",\"break_glass\":\"%s\"}",
                 password, break_glass);
    else
        snprintf(body, sizeof(body),
                 "{\"user\":\"ops\",\"password\":\"%s\",\"challenge\":\"" TOKEN "\"}", password);
    return request(f, "POST", "/login",
                   "User-Agent: Mozilla/5.0 (X11)\r\nAccept-Language: en\r\n"
                   "X-Failsmall-Truth: human\r\n",
                   body, r);
}

/* Logs in and writes "Authorization: Bearer ID\r\n" into auth. */
static void session(fx_t *f, char *auth, size_t len)
{
    result_t r;
    cJSON *doc, *s;

    assert_int_equal(login(f, "secret", NULL, &r), 200);
    doc = cJSON_Parse(r.body);
    assert_non_null(doc);
    s = cJSON_GetObjectItem(doc, "session");
    assert_true(cJSON_IsString(s));
    assert_int_equal(strlen(s->valuestring), 32);
    snprintf(auth, len, "Authorization: Bearer %s\r\n", s->valuestring);
    cJSON_Delete(doc);
}

static double metric(fx_t *f, const char *series)
{
    result_t r;
    const char *p;

    assert_int_equal(request(f, "GET", "/metrics", NULL, NULL, &r), 200);
    p = strstr(r.body, series);
    if (p == NULL)
        fail_msg("series %s missing from:\n%s", series, r.body);
    return strtod(p + strlen(series), NULL);
}

/* ---- login ---- */

static void test_login_ok(void **state)
{
    opts_t o = {0};
    fx_t *f = fx_start(&o);
    result_t r;
    cJSON *doc;

    (void)state;
    assert_int_equal(login(f, "secret", NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"break_glass\":false"));
    assert_non_null(strstr(r.body, "\"session\":\""));

    /* what botmod was asked */
    assert_int_equal(f->botmod.calls, 1);
    assert_string_equal(f->botmod.method, "POST");
    assert_string_equal(f->botmod.path, "/v1/challenge/verify");
    assert_string_equal(f->botmod.truth, "human");
    doc = cJSON_Parse(f->botmod.body);
    assert_non_null(doc);
    assert_string_equal(cJSON_GetObjectItem(doc, "token")->valuestring, TOKEN);
    assert_string_equal(cJSON_GetObjectItem(doc, "ua")->valuestring, "Mozilla/5.0 (X11)");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(doc, "accept_language")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(doc, "cookie")));
    assert_string_equal(cJSON_GetObjectItem(doc, "ip")->valuestring, "127.0.0.1");
    assert_string_equal(cJSON_GetObjectItem(doc, "path")->valuestring, "/login");
    assert_string_equal(cJSON_GetObjectItem(doc, "method")->valuestring, "POST");
    cJSON_Delete(doc);
    assert_true(metric(f, "failsmall_dependency_calls_total{service=\"dashboard\","
                          "dep=\"botmod\",outcome=\"ok\"}") == 1);
    fx_stop(f);
}

/* The first session id of a dashboard, from a login. */
static void first_session(const opts_t *o, char *out, size_t len)
{
    fx_t *f = fx_start(o);
    result_t r;
    cJSON *doc;

    assert_int_equal(login(f, "secret", NULL, &r), 200);
    doc = cJSON_Parse(r.body);
    assert_non_null(doc);
    assert_true(cJSON_IsString(cJSON_GetObjectItem(doc, "session")));
    snprintf(out, len, "%s", cJSON_GetObjectItem(doc, "session")->valuestring);
    cJSON_Delete(doc);
    fx_stop(f);
}

/* A session seed (the fuzzers') makes the ids the same from run to run;
 * without one they come from /dev/urandom and differ. */
static void test_session_seed(void **state)
{
    static const uint8_t seed[32] = "0123456789abcdef0123456789abcde";
    opts_t seeded = {.session_seed = seed}, random = {0};
    char a[128], b[128], c[128], d[128];

    (void)state;
    first_session(&seeded, a, sizeof(a));
    first_session(&seeded, b, sizeof(b));
    assert_true(strlen(a) > 0);
    assert_string_equal(a, b);
    first_session(&random, c, sizeof(c));
    first_session(&random, d, sizeof(d));
    assert_string_not_equal(c, d);
    assert_string_not_equal(a, c);
}

static void test_login_refusals(void **state)
{
    opts_t o = {0};
    fx_t *f = fx_start(&o);
    result_t r;

    (void)state;
    /* wrong password: refused before botmod is asked */
    assert_int_equal(login(f, "guess", NULL, &r), 401);
    assert_int_equal(f->botmod.calls, 0);
    assert_int_equal(login(f, "", NULL, &r), 401);
    assert_int_equal(login(f, "secretX", NULL, &r), 401);

    f->botmod.mode = BOT_REJECT;
    assert_int_equal(login(f, "secret", NULL, &r), 403);
    assert_non_null(strstr(r.body, "challenge rejected"));
    assert_int_equal(f->botmod.calls, 1);
    /* legacy has no break-glass: the token changes nothing */
    assert_int_equal(login(f, "secret", BG, &r), 403);
    assert_int_equal(f->botmod.calls, 2);

    assert_int_equal(request(f, "GET", "/login", NULL, NULL, &r), 405);
    assert_int_equal(request(f, "GET", "/nowhere", NULL, NULL, &r), 404);
    fx_stop(f);
}

static void test_login_malformed(void **state)
{
    static const struct {
        const char *body, *want;
    } cases[] = {
        {"", "$: empty body"},
        {"not json", "$: not JSON"},
        {"[1,2]", "$: expected an object"},
        {"{\"password\":\"secret\",\"challenge\":\"x\"}", "$.user: missing"},
        {"{\"user\":1,\"password\":\"secret\",\"challenge\":\"x\"}", "$.user: expected a string"},
        {"{\"user\":\"\",\"password\":\"secret\",\"challenge\":\"x\"}", "$.user: expected 1..64"},
        {"{\"user\":\"a\\nb\",\"password\":\"secret\",\"challenge\":\"x\"}", "$.user: control"},
        {"{\"user\":\"a\",\"password\":null,\"challenge\":\"x\"}", "$.password: expected a string"},
        {"{\"user\":\"a\",\"password\":\"secret\"}", "$.challenge: missing"},
        {"{\"user\":\"a\",\"password\":\"secret\",\"challenge\":\"x\",\"break_glass\":7}",
         "$.break_glass: expected a string"},
    };
    opts_t o = {0};
    fx_t *f = fx_start(&o);
    result_t r;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(request(f, "POST", "/login", NULL, cases[i].body, &r), 400);
        if (strstr(r.body, cases[i].want) == NULL)
            fail_msg("body %s: got %s, want %s", cases[i].body, r.body, cases[i].want);
    }
    assert_int_equal(f->botmod.calls, 0);
    fx_stop(f);
}

static void test_login_fiu(void **state)
{
    opts_t o = {0};
    fx_t *f = fx_start(&o);
    result_t r;

    (void)state;
    assert_int_equal(fiu_enable("dashboard/login", 1, NULL, 0), 0);
    assert_int_equal(login(f, "secret", NULL, &r), 500);
    fiu_disable("dashboard/login");
    assert_int_equal(login(f, "secret", NULL, &r), 200);
    fx_stop(f);
}

/* ---- challenge service down ---- */

static void test_refused_legacy(void **state)
{
    opts_t o = {.botmod_down = 1};
    fx_t *f = fx_start(&o);
    result_t r;

    (void)state;
    assert_int_equal(login(f, "secret", NULL, &r), 503);
    assert_string_equal(r.body, "{\"error\":\"challenge unavailable\"}");
    /* legacy has no break-glass, token or not */
    assert_int_equal(login(f, "secret", BG, &r), 503);
    assert_true(metric(f, "failsmall_dependency_calls_total{service=\"dashboard\","
                          "dep=\"botmod\",outcome=\"refused\"}") == 2);
    fx_stop(f);
}

static void test_refused_hardened(void **state)
{
    opts_t o = {.break_glass = 1, .botmod_down = 1};
    fx_t *f = fx_start(&o);
    result_t r;
    char *log;

    (void)state;
    assert_int_equal(login(f, "secret", NULL, &r), 503);
    assert_non_null(strstr(r.body, "\"break_glass\":\"available\""));
    assert_int_equal(login(f, "secret", "wrong-token", &r), 503);
    assert_non_null(strstr(r.body, "\"break_glass\":\"available\""));
    /* the right token with the wrong password is still refused */
    assert_int_equal(login(f, "nope", BG, &r), 401);

    cap_start();
    login(f, "secret", BG, &r);
    log = cap_end();
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"break_glass\":true"));
    assert_non_null(strstr(log, "level=warn event=break_glass_login user=ops peer="));
    assert_true(metric(f, "failsmall_fallbacks_total{service=\"dashboard\","
                          "reason=\"break_glass\"}") == 1);
    fx_stop(f);
}

/* A challenge that rejects everyone (a poisoned feature file) is as broken
 * as one that is down: the token stands in for a rejection too. */
static void test_rejected_hardened(void **state)
{
    opts_t o = {.break_glass = 1};
    fx_t *f = fx_start(&o);
    result_t r;
    char *log;

    (void)state;
    f->botmod.mode = BOT_REJECT;
    assert_int_equal(login(f, "secret", NULL, &r), 403);
    assert_string_equal(r.body, "{\"error\":\"challenge rejected\"}");
    cap_start();
    login(f, "secret", "wrong-token", &r);
    log = cap_end();
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(log, "level=warn event=break_glass_denied user=ops peer="));
    assert_int_equal(login(f, "nope", BG, &r), 401);

    cap_start();
    login(f, "secret", BG, &r);
    log = cap_end();
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"break_glass\":true"));
    assert_non_null(strstr(log, "level=warn event=break_glass_login user=ops peer="));
    assert_non_null(strstr(log, " reason=challenge-rejected"));
    assert_true(metric(f, "failsmall_fallbacks_total{service=\"dashboard\","
                          "reason=\"break_glass\"}") == 1);
    /* the challenge was asked every time but for the wrong password */
    assert_int_equal(f->botmod.calls, 3);
    fx_stop(f);
}

static void test_botmod_error_timeout_fiu(void **state)
{
    opts_t o = {.break_glass = 1, .challenge_deadline_ms = 100};
    fx_t *f = fx_start(&o);
    result_t r;
    uint64_t start;

    (void)state;
    f->botmod.mode = BOT_ERROR;
    assert_int_equal(login(f, "secret", NULL, &r), 503);
    assert_int_equal(login(f, "secret", BG, &r), 200);

    f->botmod.mode = BOT_GARBAGE;
    assert_int_equal(login(f, "secret", NULL, &r), 503);

    /* botmod hangs: the deadline turns it into "unavailable" quickly */
    f->botmod.mode = BOT_HOLD;
    start = uv_hrtime();
    assert_int_equal(login(f, "secret", BG, &r), 200);
    assert_true(uv_hrtime() - start < 1000000000ull);
    assert_true(metric(f, "failsmall_dependency_calls_total{service=\"dashboard\","
                          "dep=\"botmod\",outcome=\"timeout\"}") == 1);

    f->botmod.mode = BOT_OK;
    assert_int_equal(fiu_enable("dashboard/challenge/call", 1, NULL, 0), 0);
    assert_int_equal(login(f, "secret", NULL, &r), 503);
    assert_int_equal(login(f, "secret", BG, &r), 200);
    assert_non_null(strstr(r.body, "\"break_glass\":true"));
    fiu_disable("dashboard/challenge/call");
    assert_true(metric(f, "failsmall_fallbacks_total{service=\"dashboard\","
                          "reason=\"break_glass\"}") == 3);
    fx_stop(f);
}

/* A login waiting on botmod when the service stops is cancelled cleanly. */
static void test_stop_with_pending_call(void **state)
{
    opts_t o = {0};
    fx_t *f = fx_start(&o);
    result_t r;

    (void)state;
    f->botmod.mode = BOT_HOLD;
    issue(f, "POST", "/login", NULL,
          "{\"user\":\"ops\",\"password\":\"secret\",\"challenge\":\"" TOKEN "\"}", &r);
    while (f->botmod.held == NULL)
        uv_run(&f->loop, UV_RUN_ONCE);
    assert_int_equal(fs_dashboard_pending(f->dash), 1);
    fx_stop(f); /* asserts nothing pending and the loop closes */
    assert_int_equal(r.done, 1);
    assert_true(r.status < 0 || r.status == 503);
}

/* ---- operator actions ---- */

static void test_ops_need_session(void **state)
{
    opts_t o = {0};
    fx_t *f = fx_start(&o);
    result_t r;

    (void)state;
    assert_int_equal(request(f, "POST", "/ops/rollback/bot/features", NULL, NULL, &r), 401);
    assert_int_equal(request(f, "POST", "/ops/killswitch", NULL, "{\"rule\":\"x\"}", &r), 401);
    assert_int_equal(request(f, "POST", "/ops/rollback/bot/features",
                             "Authorization: Bearer 0123456789abcdef0123456789abcdef\r\n", NULL,
                             &r),
                     401);
    assert_int_equal(request(f, "POST", "/ops/killswitch",
                             "Authorization: Basic b3BzOnNlY3JldA==\r\n", "{\"rule\":\"x\"}", &r),
                     401);
    assert_int_equal(request(f, "GET", "/ops/killswitch", NULL, NULL, &r), 405);
    assert_int_equal(f->configstore.calls, 0);
    fx_stop(f);
}

static void test_rollback(void **state)
{
    opts_t o = {0};
    fx_t *f = fx_start(&o);
    char auth[128];
    result_t r;

    (void)state;
    session(f, auth, sizeof(auth));
    assert_int_equal(request(f, "POST", "/ops/rollback/bot/features", auth, NULL, &r), 200);
    assert_string_equal(r.body, "{\"key\":\"bot/features\",\"version\":3}");
    assert_string_equal(f->configstore.method, "POST");
    assert_string_equal(f->configstore.path, "/v1/config/bot/features/rollback");

    /* configstore's refusal is relayed as is */
    assert_int_equal(request(f, "POST", "/ops/rollback/none", auth, NULL, &r), 409);
    assert_string_equal(r.body, "{\"error\":\"nothing to roll\"}");

    assert_int_equal(request(f, "POST", "/ops/rollback/bad%20key", auth, NULL, &r), 400);
    assert_int_equal(request(f, "POST", "/ops/rollback/", auth, NULL, &r), 400);
    assert_int_equal(f->configstore.calls, 2);

    assert_int_equal(fiu_enable("dashboard/configstore/call", 1, NULL, 0), 0);
    assert_int_equal(request(f, "POST", "/ops/rollback/bot/features", auth, NULL, &r), 502);
    fiu_disable("dashboard/configstore/call");
    assert_int_equal(f->configstore.calls, 2);
    fx_stop(f);
}

static void test_killswitch(void **state)
{
    opts_t o = {0};
    fx_t *f = fx_start(&o);
    char auth[128];
    result_t r;
    cJSON *doc, *ks, *rules;

    (void)state;
    session(f, auth, sizeof(auth));
    /* never published: nothing to switch off in */
    assert_int_equal(request(f, "POST", "/ops/killswitch", auth, "{\"rule\":\"block-admin\"}", &r),
                     409);

    snprintf(f->configstore.blob, sizeof(f->configstore.blob), "%s", RULES);
    f->configstore.has_blob = 1;
    f->configstore.version = 1;
    assert_int_equal(request(f, "POST", "/ops/killswitch", auth, "{\"rule\":\"block-admin\"}", &r),
                     200);
    assert_string_equal(r.body, "{\"version\":2}");
    assert_int_equal(f->configstore.puts, 1);
    doc = cJSON_Parse(f->configstore.blob);
    assert_non_null(doc);
    ks = cJSON_GetObjectItem(doc, "killswitch");
    assert_true(cJSON_IsArray(ks));
    assert_int_equal(cJSON_GetArraySize(ks), 1);
    assert_string_equal(cJSON_GetArrayItem(ks, 0)->valuestring, "block-admin");
    rules = cJSON_GetObjectItem(doc, "rules");
    assert_int_equal(cJSON_GetArraySize(rules), 1); /* the rest is kept */
    assert_int_equal(cJSON_GetObjectItem(doc, "version")->valueint, 1);
    cJSON_Delete(doc);

    /* the same rule again: no duplicate, no new publish */
    assert_int_equal(request(f, "POST", "/ops/killswitch", auth, "{\"rule\":\"block-admin\"}", &r),
                     200);
    assert_non_null(strstr(r.body, "\"version\":2"));
    assert_int_equal(f->configstore.puts, 1);

    assert_int_equal(request(f, "POST", "/ops/killswitch", auth, "{\"rule\":\"other\"}", &r), 200);
    assert_string_equal(r.body, "{\"version\":3}");
    assert_non_null(strstr(f->configstore.blob, "\"killswitch\":[\"block-admin\",\"other\"]"));

    /* a bad body, and stored rules that are not what they should be */
    assert_int_equal(request(f, "POST", "/ops/killswitch", auth, "{\"rule\":5}", &r), 400);
    assert_non_null(strstr(r.body, "$.rule"));
    snprintf(f->configstore.blob, sizeof(f->configstore.blob), "[1,2]");
    assert_int_equal(request(f, "POST", "/ops/killswitch", auth, "{\"rule\":\"x\"}", &r), 502);
    assert_non_null(strstr(r.body, "not a JSON object"));
    snprintf(f->configstore.blob, sizeof(f->configstore.blob), "{\"killswitch\":\"x\"}");
    assert_int_equal(request(f, "POST", "/ops/killswitch", auth, "{\"rule\":\"x\"}", &r), 502);
    assert_non_null(strstr(r.body, "$.killswitch: expected an array"));
    assert_int_equal(f->configstore.puts, 2);
    fx_stop(f);
}

/* ---- pure helpers ---- */

static void test_helpers(void **state)
{
    char id[FS_SESSION_ID_LEN + 1], err[128], *out = NULL;
    int changed;

    (void)state;
    assert_int_equal(fs_login_secret_equal("abc", "abc"), 1);
    assert_int_equal(fs_login_secret_equal("abc", "abd"), 0);
    assert_int_equal(fs_login_secret_equal("abc", "ab"), 0);
    assert_int_equal(fs_login_secret_equal("abc", "abcd"), 0);
    assert_int_equal(fs_login_secret_equal("", ""), 1);
    assert_int_equal(fs_login_secret_equal("a", ""), 0);

    assert_int_equal(fs_login_bearer("Bearer 0123456789abcdef0123456789abcdef", id), 0);
    assert_string_equal(id, "0123456789abcdef0123456789abcdef");
    assert_int_equal(fs_login_bearer("bearer  0123456789abcdef0123456789abcdef ", id), 0);
    assert_int_equal(fs_login_bearer("Bearer 0123", id), -ENOENT);
    assert_int_equal(fs_login_bearer("Bearer0123456789abcdef0123456789abcdef", id), -ENOENT);
    assert_int_equal(fs_login_bearer("Bearer 0123456789abcdef0123456789abcdef x", id), -ENOENT);
    assert_int_equal(fs_login_bearer(NULL, id), -ENOENT);

    assert_int_equal(fs_ops_key_valid("bot/features"), 1);
    assert_int_equal(fs_ops_key_valid("a.b_c-d"), 1);
    assert_int_equal(fs_ops_key_valid(""), 0);
    assert_int_equal(fs_ops_key_valid("a b"), 0);
    assert_int_equal(fs_ops_key_valid("a%2F"), 0);

    assert_int_equal(fs_ops_killswitch_add("{}", 2, "r", &out, &changed, err, sizeof(err)), 0);
    assert_int_equal(changed, 1);
    assert_string_equal(out, "{\"killswitch\":[\"r\"]}");
    cJSON_free(out);
    assert_int_equal(fs_ops_killswitch_add("{\"killswitch\":[1,\"r\"]}", 22, "r", &out, &changed,
                                           err, sizeof(err)),
                     0);
    assert_int_equal(changed, 0);
    assert_null(out);
    assert_int_equal(fs_ops_killswitch_add("", 0, "r", &out, &changed, err, sizeof(err)), -EINVAL);
    assert_int_equal(fs_ops_killswitch_add("{\"a\":", 5, "r", &out, &changed, err, sizeof(err)),
                     -EINVAL);
    assert_non_null(strstr(err, "not JSON"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_ok),
        cmocka_unit_test(test_session_seed),
        cmocka_unit_test(test_login_refusals),
        cmocka_unit_test(test_login_malformed),
        cmocka_unit_test(test_login_fiu),
        cmocka_unit_test(test_refused_legacy),
        cmocka_unit_test(test_refused_hardened),
        cmocka_unit_test(test_rejected_hardened),
        cmocka_unit_test(test_botmod_error_timeout_fiu),
        cmocka_unit_test(test_stop_with_pending_call),
        cmocka_unit_test(test_ops_need_session),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_killswitch),
        cmocka_unit_test(test_helpers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
