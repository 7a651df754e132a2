/* Operator actions behind a session: rollback of a configstore key, and a
 * killswitch added to the WAF rules and published. */
#include "dashboard_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_json.h"

/* Looks the bearer session up; answers 401 and returns -EACCES without one. */
static int authorize(fs_dashboard_t *d, fs_http_req_t *req, const fs_session_t **out)
{
    char id[FS_SESSION_ID_LEN + 1];

    if (fs_login_bearer(fs_http_req_header(req, "Authorization"), id) < 0 ||
        fs_sessions_lookup(d->sessions, id, uv_now(d->loop), out) < 0) {
        fs__dash_reply_error(req, 401, "WWW-Authenticate: Bearer\r\n", "no valid session");
        return -EACCES;
    }
    return 0;
}

static void rollback_done_cb(fs__dash_call_t *c, int status, const fs_http_resp_t *resp)
{
    const char *body, *type;
    char quser[2 * FS_SESSION_USER_MAX + 8];
    size_t len;

    if (status < 0) {
        fs__dash_configstore_failed(c, status);
        return;
    }
    if (status < 200 || status > 599) {
        fs__dash_call_fail(c, 502, NULL, "configstore sent an unexpected status");
        return;
    }
    fs_log(c->d->log, FS_LOG_INFO, "ops_rollback", "user=%s key=%s status=%d",
           fs_log_quote(quser, sizeof(quser), c->user), c->key, status);
    body = fs_http_resp_body(resp, &len);
    type = fs_http_resp_header(resp, "Content-Type");
    fs_http_respond(c->req, status, type ? type : JSON_TYPE, NULL, body, len);
    fs__dash_call_release(c);
}

void fs__dash_rollback(fs_dashboard_t *d, fs_http_req_t *req, const char *key)
{
    const fs_session_t *s;
    fs__dash_call_t *c;
    char target[FS_OPS_KEY_MAX + 32];

    if (fs_http_req_method(req) != HTTP_POST) {
        fs__dash_reply_error(req, 405, "Allow: POST\r\n", "method not allowed");
        return;
    }
    if (authorize(d, req, &s) < 0)
        return;
    if (!fs_ops_key_valid(key)) {
        fs__dash_reply_error(req, 400, NULL, "invalid key: expected [A-Za-z0-9._/-]{1,128}");
        return;
    }
    if ((c = fs__dash_call_new(d, req)) == NULL)
        return;
    snprintf(c->user, sizeof(c->user), "%s", s->user);
    snprintf(c->key, sizeof(c->key), "%s", key);
    snprintf(target, sizeof(target), "/v1/config/%s/rollback", key);
    fs__dash_dep_call(c, DEP_CONFIGSTORE, "POST", target, NULL, NULL, 0, rollback_done_cb);
}

static void killswitch_published_cb(fs__dash_call_t *c, int status, const fs_http_resp_t *resp)
{
    char err[128], quser[2 * FS_SESSION_USER_MAX + 8], qrule[2 * FS_OPS_RULE_MAX + 8];
    const char *body;
    cJSON *doc = NULL, *o;
    double version = 0;
    size_t len;

    if (status < 0) {
        fs__dash_configstore_failed(c, status);
        return;
    }
    if (status != 200) {
        snprintf(err, sizeof(err), "configstore answered %d to the publish", status);
        fs__dash_call_fail(c, 502, NULL, err);
        return;
    }
    body = fs_http_resp_body(resp, &len);
    if (fs_json_parse(body, len, FS_LOGIN_BODY_MAX, &doc, err, sizeof(err)) == 0) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "version");
        if (cJSON_IsNumber(v))
            version = v->valuedouble;
    }
    cJSON_Delete(doc);
    if (!(version >= 1 && version <= 9007199254740992.0)) {
        fs__dash_call_fail(c, 502, NULL, "configstore's publish answer has no version");
        return;
    }
    fs_log(c->d->log, FS_LOG_INFO, "ops_killswitch", "user=%s rule=%s version=%.0f",
           fs_log_quote(quser, sizeof(quser), c->user), fs_log_quote(qrule, sizeof(qrule), c->rule),
           version);
    o = cJSON_CreateObject();
    if (o && !cJSON_AddNumberToObject(o, "version", version)) {
        cJSON_Delete(o);
        o = NULL;
    }
    fs__dash_call_finish(c, 200, NULL, o);
}

static void killswitch_fetched_cb(fs__dash_call_t *c, int status, const fs_http_resp_t *resp)
{
    char err[256], msg[300];
    const char *body;
    char *blob = NULL;
    int changed, rc;
    size_t len;

    if (status < 0) {
        fs__dash_configstore_failed(c, status);
        return;
    }
    if (status == 404) {
        fs__dash_call_fail(c, 409, NULL, WAF_KEY " has never been published");
        return;
    }
    if (status != 200) {
        snprintf(msg, sizeof(msg), "configstore answered %d to the read of " WAF_KEY, status);
        fs__dash_call_fail(c, 502, NULL, msg);
        return;
    }
    body = fs_http_resp_body(resp, &len);
    rc = fs_ops_killswitch_add(body, len, c->rule, &blob, &changed, err, sizeof(err));
    if (rc < 0) {
        snprintf(msg, sizeof(msg), WAF_KEY ": %s", err);
        fs_log(c->d->log, FS_LOG_WARN, "killswitch_failed", "reason=\"stored rules invalid\"");
        fs__dash_call_fail(c, rc == -ENOMEM ? 500 : 502, NULL, msg);
        return;
    }
    if (!changed) {
        /* Already switched off: a second publish would only restart a
         * staged rollout for nothing. */
        const char *hv = fs_http_resp_header(resp, "X-Config-Version");
        unsigned long v;
        cJSON *o;

        if (hv == NULL || fs_cli_uint(hv, 9007199254740991ul, &v) < 0) {
            fs__dash_call_fail(c, 502, NULL, "configstore sent no X-Config-Version");
            return;
        }
        o = cJSON_CreateObject();
        if (o && (!cJSON_AddNumberToObject(o, "version", (double)v) ||
                  !cJSON_AddBoolToObject(o, "changed", 0))) {
            cJSON_Delete(o);
            o = NULL;
        }
        fs__dash_call_finish(c, 200, NULL, o);
        return;
    }
    fs__dash_dep_call(c, DEP_CONFIGSTORE, "PUT", "/v1/config/" WAF_KEY, JSON_HEADER, blob,
                      strlen(blob), killswitch_published_cb);
    cJSON_free(blob);
}

void fs__dash_killswitch(fs_dashboard_t *d, fs_http_req_t *req)
{
    const fs_session_t *s;
    fs__dash_call_t *c;
    const char *body;
    char err[256];
    size_t len;
    int rc;

    if (fs_http_req_method(req) != HTTP_POST) {
        fs__dash_reply_error(req, 405, "Allow: POST\r\n", "method not allowed");
        return;
    }
    if (authorize(d, req, &s) < 0)
        return;
    if ((c = fs__dash_call_new(d, req)) == NULL)
        return;
    snprintf(c->user, sizeof(c->user), "%s", s->user);
    body = fs_http_req_body(req, &len);
    rc = fs_ops_parse_rule(body, len, c->rule, err, sizeof(err));
    if (rc < 0) {
        fs__dash_call_fail(c, rc == -E2BIG ? 413 : 400, NULL, err);
        return;
    }
    /* Two killswitches at once would each read the same rules and the
     * second publish would drop the first one's rule. */
    if (d->killswitch_busy) {
        fs__dash_call_fail(c, 409, "Retry-After: 1\r\n", "another killswitch is being published");
        return;
    }
    d->killswitch_busy = 1;
    c->holds_killswitch = 1;
    fs__dash_dep_call(c, DEP_CONFIGSTORE, "GET", "/v1/config/" WAF_KEY, NULL, NULL, 0,
                      killswitch_fetched_cb);
}
