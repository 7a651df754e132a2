/* Unit tests for injectors/operator_apply.c (operator.rollback at run time)
 * against a fake dashboard on a real loopback socket. The test provides the
 * injector environment itself (the run's harness/run_env.c is not linked),
 * so it can watch every timeline line the operator stamps. Parsing is in
 * test_scenario.c, with the other kinds. */
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

#include "fs_addr.h"
#include "fs_http.h"
#include "inj_operator.h"

#define SESSION "0123456789abcdef0123456789abcdef"

/* ---- the environment the run would give ---- */

#define MAX_EVENTS 64

struct fs_inj_env_s {
    uv_loop_t loop;
    int has_dashboard;
    struct sockaddr_storage dashboard;
    size_t nevents;
    char kind[MAX_EVENTS][48], source[MAX_EVENTS][48], what[MAX_EVENTS][512];
};

uv_loop_t *fs_inj_env_loop(fs_inj_env_t *env)
{
    return &env->loop;
}

uint64_t fs_inj_env_seed(const fs_inj_env_t *env, const char *stream)
{
    (void)env;
    return strlen(stream);
}

void fs_inj_env_event(fs_inj_env_t *env, const char *kind, const char *source, const char *fmt, ...)
{
    va_list ap;

    assert_true(env->nevents < MAX_EVENTS);
    snprintf(env->kind[env->nevents], sizeof(env->kind[0]), "%s", kind);
    snprintf(env->source[env->nevents], sizeof(env->source[0]), "%s", source);
    va_start(ap, fmt);
    vsnprintf(env->what[env->nevents], sizeof(env->what[0]), fmt, ap);
    va_end(ap);
    env->nevents++;
}

int fs_inj_env_dashboard(fs_inj_env_t *env, fs_inj_dashboard_t *out)
{
    if (!env->has_dashboard)
        return -ENOENT;
    memcpy(&out->addr, &env->dashboard, sizeof(out->addr));
    out->password = "pw";
    out->break_glass = "glass";
    return 0;
}

/* How many lines of kind, and the what of the last one. */
static size_t events(const fs_inj_env_t *env, const char *kind, const char **last)
{
    size_t n = 0;

    for (size_t i = 0; i < env->nevents; i++) {
        if (strcmp(env->kind[i], kind) == 0) {
            n++;
            if (last)
                *last = env->what[i];
        }
    }
    return n;
}

/* ---- the fake dashboard ---- */

enum { LOGIN_OK, LOGIN_BREAK_GLASS, LOGIN_REJECT, LOGIN_HOLD, LOGIN_NO_SESSION };
enum { ROLLBACK_OK, ROLLBACK_CONFLICT, ROLLBACK_EXPIRED_ONCE };

typedef struct {
    fs_http_server_t *srv;
    int login_mode, rollback_mode;
    int logins, rollbacks;
    char login_body[1024], login_truth[16], login_ua[128], auth[128], rollback_path[128];
    fs_http_req_t *held;
} dash_t;

static void dash_cb(fs_http_req_t *req, void *data)
{
    dash_t *d = data;
    const char *path = fs_http_req_path(req), *h;

    if (strcmp(path, "/login") == 0) {
        d->logins++;
        snprintf(d->login_body, sizeof(d->login_body), "%s", fs_http_req_body(req, NULL));
        h = fs_http_req_header(req, "X-Failsmall-Truth");
        snprintf(d->login_truth, sizeof(d->login_truth), "%s", h ? h : "");
        h = fs_http_req_header(req, "User-Agent");
        snprintf(d->login_ua, sizeof(d->login_ua), "%s", h ? h : "");
        switch (d->login_mode) {
        case LOGIN_OK:
        case LOGIN_BREAK_GLASS:
            fs_http_respondf(req, 200, "application/json", NULL,
                             "{\"session\":\"" SESSION "\",\"break_glass\":%s}",
                             d->login_mode == LOGIN_OK ? "false" : "true");
            break;
        case LOGIN_REJECT:
            fs_http_respondf(req, 403, "application/json", NULL,
                             "{\"error\":\"challenge rejected\"}");
            break;
        case LOGIN_NO_SESSION:
            fs_http_respondf(req, 200, "application/json", NULL,
                             "{\"session\":\"x\\r\\nX-Evil: 1\"}");
            break;
        default:
            d->held = req;
            break;
        }
        return;
    }
    d->rollbacks++;
    snprintf(d->rollback_path, sizeof(d->rollback_path), "%s", path);
    h = fs_http_req_header(req, "Authorization");
    snprintf(d->auth, sizeof(d->auth), "%s", h ? h : "");
    if (d->rollback_mode == ROLLBACK_CONFLICT ||
        (d->rollback_mode == ROLLBACK_EXPIRED_ONCE && d->rollbacks > 1))
        fs_http_respondf(req, 409, "application/json", NULL,
                         "{\"error\":\"nothing to roll back\"}");
    else if (d->rollback_mode == ROLLBACK_EXPIRED_ONCE)
        fs_http_respondf(req, 401, "application/json", NULL, "{\"error\":\"no valid session\"}");
    else
        fs_http_respondf(req, 200, "application/json", NULL,
                         "{\"key\":\"bot/features\",\"version\":1}");
}

typedef struct {
    fs_inj_env_t env;
    dash_t dash;
    fs_inj_operator_t *op;
} fx_t;

static fx_t *fx_start(int login_mode, int rollback_mode, uint64_t retry_every_ms)
{
    fx_t *f = calloc(1, sizeof(*f));
    char err[128];

    assert_non_null(f);
    assert_int_equal(uv_loop_init(&f->env.loop), 0);
    f->dash.login_mode = login_mode;
    f->dash.rollback_mode = rollback_mode;
    assert_int_equal(fs_addr_parse("127.0.0.1:0", &f->env.dashboard, err, sizeof(err)), 0);
    assert_int_equal(fs_http_server_start(&f->env.loop, (struct sockaddr *)&f->env.dashboard,
                                          dash_cb, &f->dash, &f->dash.srv),
                     0);
    assert_int_equal(fs_http_server_addr(f->dash.srv, &f->env.dashboard), 0);
    f->env.has_dashboard = 1;
    f->op = calloc(1, sizeof(*f->op));
    assert_non_null(f->op);
    snprintf(f->op->key, sizeof(f->op->key), "bot/features");
    snprintf(f->op->user, sizeof(f->op->user), "oncall");
    snprintf(f->op->path, sizeof(f->op->path), "$.faults[1]");
    f->op->retry_every_ms = retry_every_ms;
    f->op->for_ms = 5000;
    return f;
}

/* Runs the loop for ms. */
static void run_for(fx_t *f, uint64_t ms)
{
    uint64_t end = uv_hrtime() + ms * 1000000ull;

    while (uv_hrtime() < end)
        uv_run(&f->env.loop, UV_RUN_NOWAIT);
}

static int apply(fx_t *f)
{
    char err[256] = "";

    return fs_inj_operator_rollback_ops.apply(f->op, &f->env, err, sizeof(err));
}

static void revert(fx_t *f)
{
    char err[256] = "";

    assert_int_equal(fs_inj_operator_rollback_ops.revert(f->op, &f->env, err, sizeof(err)), 0);
    assert_null(f->op->rt);
}

/* Closes everything and checks nothing was left on the loop. */
static void fx_stop(fx_t *f)
{
    if (f->dash.held) {
        fs_http_respond(f->dash.held, 500, "text/plain", NULL, "", 0);
        f->dash.held = NULL;
    }
    fs_http_server_close(f->dash.srv);
    uv_run(&f->env.loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->env.loop), 0);
    fs_inj_operator_rollback_ops.free(f->op);
    free(f);
}

static void test_break_glass_then_rollback(void **state)
{
    fx_t *f = fx_start(LOGIN_BREAK_GLASS, ROLLBACK_OK, 50);
    const char *what = NULL;
    cJSON *body;

    (void)state;
    assert_int_equal(apply(f), 0);
    run_for(f, 300);
    /* one attempt was enough: no retries after it worked */
    assert_int_equal(f->dash.logins, 1);
    assert_int_equal(f->dash.rollbacks, 1);
    body = cJSON_Parse(f->dash.login_body);
    assert_non_null(body);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(body, "user")), "oncall");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(body, "password")), "pw");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(body, "break_glass")), "glass");
    assert_int_equal(
        strncmp(cJSON_GetStringValue(cJSON_GetObjectItem(body, "challenge")), "tok-", 4), 0);
    assert_int_equal(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(body, "challenge"))), 20);
    cJSON_Delete(body);
    assert_string_equal(f->dash.login_truth, "human");
    assert_non_null(strstr(f->dash.login_ua, "Mozilla/5.0"));
    assert_string_equal(f->dash.rollback_path, "/ops/rollback/bot/features");
    assert_string_equal(f->dash.auth, "Bearer " SESSION);

    assert_int_equal(events(&f->env, "operator.login", &what), 1);
    assert_string_equal(what, "attempt 1: oncall logged in with the break-glass token");
    assert_int_equal(events(&f->env, "operator.rolled_back", &what), 1);
    assert_string_equal(what, "attempt 1: bot/features rolled back, configstore serves v1");
    assert_string_equal(f->env.source[0], "$.faults[1]");
    revert(f);
    assert_int_equal(events(&f->env, "operator.gave_up", NULL), 0);
    assert_int_equal(f->env.nevents, 2);
    fx_stop(f);
}

static void test_rejected_every_time(void **state)
{
    fx_t *f = fx_start(LOGIN_REJECT, ROLLBACK_OK, 50);
    const char *what = NULL;
    size_t n;

    (void)state;
    assert_int_equal(apply(f), 0);
    assert_int_equal(apply(f), -EALREADY);
    run_for(f, 230); /* attempts at 0, 50, 100, 150, 200 ms */
    revert(f);
    n = events(&f->env, "operator.login_failed", &what);
    assert_true(n >= 3 && n <= 6);
    assert_int_equal((size_t)f->dash.logins, n);
    assert_int_equal(f->dash.rollbacks, 0);
    assert_int_equal(strncmp(what, "attempt ", 8), 0);
    assert_non_null(strstr(what, ": POST /login: 403 Forbidden: challenge rejected"));
    assert_int_equal(events(&f->env, "operator.gave_up", &what), 1);
    assert_non_null(strstr(what, "bot/features not rolled back after "));
    /* revert twice is harmless, and nothing more happens after it */
    revert(f);
    run_for(f, 120);
    assert_int_equal((size_t)f->dash.logins, n);
    fx_stop(f);
}

/* Ctrl-C or the end of the run while a login hangs: the call is cancelled,
 * nothing fires later, and the loop closes with nothing left on it. */
static void test_cancelled_in_flight(void **state)
{
    fx_t *f = fx_start(LOGIN_HOLD, ROLLBACK_OK, 0);
    const char *what = NULL;

    (void)state;
    assert_int_equal(apply(f), 0);
    while (f->dash.held == NULL)
        uv_run(&f->env.loop, UV_RUN_ONCE);
    revert(f);
    assert_int_equal(events(&f->env, "operator.gave_up", &what), 1);
    assert_string_equal(what, "bot/features not rolled back after 1 attempt (the last one "
                              "cancelled in flight)");
    assert_int_equal(events(&f->env, "operator.login_failed", NULL), 0);
    fx_stop(f);
    /* The scenario's state can be applied again on the next posture. */
}

static void test_session_reuse_and_expiry(void **state)
{
    fx_t *f = fx_start(LOGIN_OK, ROLLBACK_EXPIRED_ONCE, 50);
    const char *what = NULL;

    (void)state;
    assert_int_equal(apply(f), 0);
    run_for(f, 180);
    revert(f);
    /* 1: login, rollback 401 (session dropped); 2: login again, rollback
     * 409; 3..: the same session, rollback 409, no login */
    assert_int_equal(f->dash.logins, 2);
    assert_true(f->dash.rollbacks >= 3);
    assert_int_equal(events(&f->env, "operator.login", &what), 2);
    assert_string_equal(what, "attempt 2: oncall logged in through the challenge");
    assert_true(events(&f->env, "operator.rollback_failed", &what) >= 3);
    assert_non_null(strstr(what, "POST /ops/rollback/bot/features: 409 Conflict: nothing to "
                                 "roll back"));
    assert_string_equal(f->env.what[1], "attempt 1: POST /ops/rollback/bot/features: 401 "
                                        "Unauthorized: no valid session");
    fx_stop(f);
}

static void test_bad_answers_and_no_dashboard(void **state)
{
    fx_t *f = fx_start(LOGIN_NO_SESSION, ROLLBACK_OK, 0);
    const char *what = NULL;
    char err[256] = "";

    (void)state;
    assert_int_equal(apply(f), 0);
    run_for(f, 100);
    /* a session id that cannot go into a header is not used */
    assert_int_equal(events(&f->env, "operator.login_failed", &what), 1);
    assert_string_equal(what, "attempt 1: POST /login: 200 without a usable session");
    assert_int_equal(f->dash.rollbacks, 0);
    revert(f);

    f->env.has_dashboard = 0;
    assert_int_equal(fs_inj_operator_rollback_ops.apply(f->op, &f->env, err, sizeof(err)), -ENOENT);
    assert_string_equal(err, "no dashboard in this fleet");
    assert_null(f->op->rt);

    /* nothing listens: a transport error, then the timeline says so */
    f->env.has_dashboard = 1;
    fs_http_server_close(f->dash.srv);
    f->dash.srv = NULL;
    uv_run(&f->env.loop, UV_RUN_NOWAIT);
    assert_int_equal(apply(f), 0);
    run_for(f, 100);
    assert_int_equal(events(&f->env, "operator.login_failed", &what), 2);
    assert_string_equal(what, "attempt 1: POST /login: connection refused");
    revert(f);
    uv_run(&f->env.loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->env.loop), 0);
    fs_inj_operator_rollback_ops.free(f->op);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_break_glass_then_rollback),
        cmocka_unit_test(test_rejected_every_time),
        cmocka_unit_test(test_cancelled_in_flight),
        cmocka_unit_test(test_session_reuse_and_expiry),
        cmocka_unit_test(test_bad_answers_and_no_dashboard),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
