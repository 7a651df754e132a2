/* POST /login: password, then botmod's challenge, then a session; with
 * break-glass on, a pre-provisioned token stands in for the challenge when
 * botmod cannot answer it or rejects it. */
#include "dashboard_int.h"

#include <errno.h>
#include <fiu.h>
#include <stdio.h>
#include <string.h>

#include "fs_json.h"

/* Issues a session; reason is NULL for a login through the challenge, else
 * why the break-glass token stood in for it (audited). */
static void login_issue(fs__dash_call_t *c, const char *reason)
{
    int break_glass = reason != NULL;
    fs_dashboard_t *d = c->d;
    const fs_session_t *s;
    char quser[2 * FS_SESSION_USER_MAX + 8], qpeer[2 * FS_ADDR_STRLEN];
    cJSON *o;

    if (fs_sessions_create(d->sessions, c->login.user, break_glass, uv_now(d->loop), &s) < 0) {
        fs__dash_call_fail(c, 500, NULL, "cannot create a session");
        return;
    }
    fs_log_quote(quser, sizeof(quser), c->login.user);
    fs_log_quote(qpeer, sizeof(qpeer), c->peer);
    if (break_glass) {
        fs_metric_add(d->break_glass_logins, 1);
        fs_log(d->log, FS_LOG_WARN, "break_glass_login", "user=%s peer=%s reason=%s", quser, qpeer,
               reason);
    } else {
        fs_log(d->log, FS_LOG_DEBUG, "login", "user=%s peer=%s", quser, qpeer);
    }
    o = cJSON_CreateObject();
    if (o && (!cJSON_AddStringToObject(o, "session", s->id) ||
              !cJSON_AddBoolToObject(o, "break_glass", break_glass))) {
        cJSON_Delete(o);
        o = NULL;
    }
    fs__dash_call_finish(c, 200, NULL, o);
}

static void login_unavailable(fs__dash_call_t *c, const char *reason)
{
    fs_dashboard_t *d = c->d;
    char quser[2 * FS_SESSION_USER_MAX + 8], qpeer[2 * FS_ADDR_STRLEN];
    cJSON *o;

    fs_log_quote(quser, sizeof(quser), c->login.user);
    fs_log_quote(qpeer, sizeof(qpeer), c->peer);
    fs_log(d->log, FS_LOG_WARN, "challenge_unavailable", "user=%s peer=%s reason=%s", quser, qpeer,
           reason);
    if (!d->break_glass) {
        fs__dash_call_fail(c, 503, NULL, "challenge unavailable");
        return;
    }
    if (c->login.has_break_glass && fs_login_secret_equal(d->token, c->login.break_glass)) {
        login_issue(c, reason);
        return;
    }
    if (c->login.has_break_glass)
        fs_log(d->log, FS_LOG_WARN, "break_glass_denied", "user=%s peer=%s", quser, qpeer);
    o = fs__dash_error_obj("challenge unavailable");
    if (o && !cJSON_AddStringToObject(o, "break_glass", "available")) {
        cJSON_Delete(o);
        o = NULL;
    }
    fs__dash_call_finish(c, 503, NULL, o);
}

/* The challenge said no. A challenge that rejects every human is as broken
 * as one that does not answer, and the token exists so that repairing it
 * does not depend on it: with break-glass on, a valid token stands in for a
 * rejection too (audited like any break-glass login). */
static void login_rejected(fs__dash_call_t *c)
{
    fs_dashboard_t *d = c->d;
    char quser[2 * FS_SESSION_USER_MAX + 8], qpeer[2 * FS_ADDR_STRLEN];

    fs_log_quote(quser, sizeof(quser), c->login.user);
    if (d->break_glass && c->login.has_break_glass) {
        if (fs_login_secret_equal(d->token, c->login.break_glass)) {
            login_issue(c, "challenge-rejected");
            return;
        }
        fs_log(d->log, FS_LOG_WARN, "break_glass_denied", "user=%s peer=%s", quser,
               fs_log_quote(qpeer, sizeof(qpeer), c->peer));
    }
    fs_log(d->log, FS_LOG_INFO, "login_refused", "user=%s reason=challenge", quser);
    fs__dash_call_fail(c, 403, NULL, "challenge rejected");
}

/* 1 when a 200 from botmod says {"ok":true}, 0 when it says otherwise,
 * -EINVAL when it is not the answer the protocol promises. */
static int verify_answer(const fs_http_resp_t *resp)
{
    const char *body;
    size_t len;
    cJSON *doc = NULL, *ok;
    char err[128];
    int rc;

    body = fs_http_resp_body(resp, &len);
    if (fs_json_parse(body, len, FS_LOGIN_BODY_MAX, &doc, err, sizeof(err)) < 0)
        return -EINVAL;
    ok = cJSON_GetObjectItemCaseSensitive(doc, "ok");
    rc = cJSON_IsBool(ok) ? cJSON_IsTrue(ok) : -EINVAL;
    cJSON_Delete(doc);
    return rc;
}

static void login_verified_cb(fs__dash_call_t *c, int status, const fs_http_resp_t *resp)
{
    char why[64];
    int ok;

    if (status == -ECANCELED) {
        fs__dash_call_fail(c, 503, NULL, "shutting down");
        return;
    }
    if (status == 200) {
        ok = verify_answer(resp);
        if (ok == 1) {
            login_issue(c, NULL);
            return;
        }
        if (ok < 0) {
            login_unavailable(c, "bad-answer");
            return;
        }
    }
    if (status == 403 || status == 200) {
        login_rejected(c);
        return;
    }
    /* Transport errors, timeouts, 5xx and anything botmod should not say:
     * the challenge could not be checked. */
    login_unavailable(c, fs__dash_dep_failure(status, why, sizeof(why)));
}

/* "HOST:PORT" or "[V6]:PORT" → HOST / V6. */
static void peer_host(const char *peer, char *buf, size_t len)
{
    const char *end;

    if (peer[0] == '[') {
        peer++;
        end = strchr(peer, ']');
    } else {
        end = strrchr(peer, ':');
    }
    if (end == NULL)
        end = peer + strlen(peer);
    snprintf(buf, len, "%.*s", (int)(end - peer), peer);
}

/* The score fields botmod wants, taken from the login request itself. */
static char *verify_body(const fs__dash_call_t *c)
{
    const char *ua = fs_http_req_header(c->req, "User-Agent");
    char ip[FS_ADDR_STRLEN];
    char *text = NULL;
    cJSON *o = cJSON_CreateObject();

    peer_host(c->peer, ip, sizeof(ip));
    if (o == NULL || !cJSON_AddStringToObject(o, "token", c->login.challenge) ||
        (ua && !cJSON_AddStringToObject(o, "ua", ua)) ||
        !cJSON_AddBoolToObject(o, "accept_language",
                               fs_http_req_header(c->req, "Accept-Language") != NULL) ||
        !cJSON_AddBoolToObject(o, "cookie", fs_http_req_header(c->req, "Cookie") != NULL) ||
        (ip[0] && !cJSON_AddStringToObject(o, "ip", ip)) ||
        !cJSON_AddStringToObject(o, "path", "/login") ||
        !cJSON_AddStringToObject(o, "method", "POST"))
        goto out;
    text = cJSON_PrintUnformatted(o);
out:
    cJSON_Delete(o);
    return text;
}

void fs__dash_login(fs_dashboard_t *d, fs_http_req_t *req)
{
    char err[256], headers[128], quser[2 * FS_SESSION_USER_MAX + 8];
    const char *body, *truth;
    fs__dash_call_t *c;
    size_t len;
    char *text;
    int rc;

    if (fiu_fail("dashboard/login")) {
        fs__dash_reply_error(req, 500, NULL, "injected failure");
        return;
    }
    if (fs_http_req_method(req) != HTTP_POST) {
        fs__dash_reply_error(req, 405, "Allow: POST\r\n", "method not allowed");
        return;
    }
    if ((c = fs__dash_call_new(d, req)) == NULL)
        return;
    body = fs_http_req_body(req, &len);
    rc = fs_login_parse(body, len, &c->login, err, sizeof(err));
    if (rc < 0) {
        fs__dash_call_fail(c, rc == -E2BIG ? 413 : 400, NULL, err);
        return;
    }
    /* The password first: a wrong one costs no call to botmod. */
    if (!fs_login_secret_equal(d->password, c->login.password)) {
        fs_log(d->log, FS_LOG_INFO, "login_refused", "user=%s reason=password",
               fs_log_quote(quser, sizeof(quser), c->login.user));
        fs__dash_call_fail(c, 401, NULL, "wrong password");
        return;
    }
    text = verify_body(c);
    if (text == NULL) {
        fs__dash_call_fail(c, 500, NULL, "out of memory");
        return;
    }
    /* The load generator's ground truth travels on so a link can judge. */
    truth = fs_http_req_header(req, "X-Failsmall-Truth");
    if (truth && (strcmp(truth, "human") == 0 || strcmp(truth, "bot") == 0))
        snprintf(headers, sizeof(headers), JSON_HEADER "X-Failsmall-Truth: %s\r\n", truth);
    else
        snprintf(headers, sizeof(headers), JSON_HEADER);
    fs__dash_dep_call(c, DEP_BOTMOD, "POST", "/v1/challenge/verify", headers, text, strlen(text),
                      login_verified_cb);
    cJSON_free(text);
}
