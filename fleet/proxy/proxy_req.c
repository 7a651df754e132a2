/* One client request through the proxy: botmod stage (score, with retries
 * and the fail-closed/fail-open decision), bot threshold, WAF, origin stage
 * (with retries and deadline), answer. Each stage is a loop of attempts
 * driven by call callbacks and backoff timers. */
#include "proxy_int.h"

#include <errno.h>
#include <fiu.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "fs_json.h"

#define FS__PROXY_SCORE_MAX 65536 /* a score answer is a few dozen bytes */
#define FS__PROXY_JSON      "application/json"

struct fs__proxy_req_s {
    fs_proxy_t *p;
    fs_http_req_t *req;
    fs__proxy_req_t *prev, *next;
    uv_timer_t timer; /* backoff between attempts */
    int timer_inited;
    fs__proxy_dep_t dep;  /* stage in progress */
    unsigned retries;     /* in this stage */
    uint64_t deadline_at; /* this stage's, absolute loop ms; 0 = none */
    char *score_body;
    const char *truth; /* "human"/"bot" when the client sent it */
    char *target;      /* path and query, for origin */
    int score;         /* -1 until known */
    const char *degraded;
};

static const char *const fs__proxy_degraded[FS_DEP_OUTCOMES] = {NULL, "botmod-error",
                                                                "botmod-timeout", "botmod-refused"};

static void fs__proxy_attempt(fs__proxy_req_t *r);
static void fs__proxy_decide(fs__proxy_req_t *r);

static int fs__proxy_ratelimit(fs__proxy_ratelimit_t *rl, uint64_t now, uint64_t *suppressed)
{
    if (rl->primed && now - rl->last_ms < 1000) {
        rl->suppressed++;
        return 0;
    }
    *suppressed = rl->suppressed;
    rl->suppressed = 0;
    rl->last_ms = now;
    rl->primed = 1;
    return 1;
}

static void fs__proxy_free_cb(uv_handle_t *h)
{
    free(h->data);
}

static void fs__proxy_req_free(fs__proxy_req_t *r)
{
    fs_proxy_t *p = r->p;

    if (r->prev)
        r->prev->next = r->next;
    else if (p->head == r)
        p->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    free(r->score_body);
    free(r->target);
    if (r->timer_inited)
        uv_close((uv_handle_t *)&r->timer, fs__proxy_free_cb);
    else
        free(r);
}

/* Answers with the proxy's headers and frees r. A client that has gone
 * (-ENOTCONN) is not an error: the answer just has nowhere to go. */
static void fs__proxy_respond(fs__proxy_req_t *r, int status, const char *ctype, const char *body,
                              size_t len)
{
    char headers[256];
    int n;

    n = snprintf(headers, sizeof(headers), "X-Failsmall-Node: %s\r\n", r->p->node);
    if (r->score >= 0)
        n += snprintf(headers + n, sizeof(headers) - (size_t)n, "X-Failsmall-Score: %d\r\n",
                      r->score);
    if (r->degraded)
        snprintf(headers + n, sizeof(headers) - (size_t)n, "X-Failsmall-Degraded: %s\r\n",
                 r->degraded);
    fs_http_respond(r->req, status, ctype, headers, body, len);
    r->req = NULL;
    fs__proxy_req_free(r);
}

static void fs__proxy_error(fs__proxy_req_t *r, int status, const char *json)
{
    fs__proxy_respond(r, status, FS__PROXY_JSON, json, strlen(json));
}

void fs__proxy_req_abort(fs__proxy_req_t *r)
{
    if (r->timer_inited)
        uv_timer_stop(&r->timer);
    fs__proxy_error(r, 503, "{\"error\":\"shutting down\"}");
}

/* The client's address: the first X-Forwarded-For entry (the load generator
 * speaks for many clients through one connection), else the peer's host. */
static void fs__proxy_client_ip(fs_http_req_t *req, char *buf, size_t len)
{
    const char *xff = fs_http_req_header(req, "X-Forwarded-For");
    const char *s = xff ? xff : fs_http_req_peer(req), *end;

    while (*s == ' ' || *s == '\t')
        s++;
    if (xff) {
        end = strchr(s, ',');
        end = end ? end : s + strlen(s);
        while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
    } else {
        end = strrchr(s, ':');
        end = end ? end : s + strlen(s);
        if (*s == '[' && end > s && end[-1] == ']') {
            s++;
            end--;
        }
    }
    snprintf(buf, len, "%.*s", (int)(end - s), s);
}

/* The POST /v1/score body for req, per PROTOCOL.md. */
static char *fs__proxy_score_body(fs_http_req_t *req)
{
    const char *ua = fs_http_req_header(req, "User-Agent");
    cJSON *o = cJSON_CreateObject();
    char ip[64];
    char *text = NULL;

    if (o == NULL)
        return NULL;
    fs__proxy_client_ip(req, ip, sizeof(ip));
    if ((ua && !cJSON_AddStringToObject(o, "ua", ua)) || !cJSON_AddStringToObject(o, "ip", ip) ||
        !cJSON_AddStringToObject(o, "method", http_method_str(fs_http_req_method(req))) ||
        !cJSON_AddStringToObject(o, "path", fs_http_req_path(req)) ||
        !cJSON_AddBoolToObject(o, "accept_language",
                               fs_http_req_header(req, "Accept-Language") != NULL) ||
        !cJSON_AddBoolToObject(o, "cookie", fs_http_req_header(req, "Cookie") != NULL))
        goto out;
    text = cJSON_PrintUnformatted(o);
out:
    cJSON_Delete(o);
    return text;
}

static int fs__proxy_parse_score(const fs_http_resp_t *resp, int *out)
{
    const cJSON *s;
    cJSON *root = NULL;
    const char *body;
    char err[128];
    size_t len = 0;
    int rc = -EINVAL;

    if (resp == NULL || (body = fs_http_resp_body(resp, &len)) == NULL)
        return -EINVAL;
    if (fs_json_parse(body, len, FS__PROXY_SCORE_MAX, &root, err, sizeof(err)) < 0)
        return -EINVAL;
    s = cJSON_GetObjectItemCaseSensitive(root, "score");
    if (cJSON_IsNumber(s) && isfinite(s->valuedouble) && s->valuedouble >= 0 &&
        s->valuedouble <= 100) {
        *out = (int)s->valuedouble;
        rc = 0;
    }
    cJSON_Delete(root);
    return rc;
}

static void fs__proxy_stage(fs__proxy_req_t *r, fs__proxy_dep_t dep)
{
    fs_proxy_t *p = r->p;
    uint64_t deadline = dep == FS__PROXY_BOTMOD ? p->cfg.deadline_ms : p->cfg.origin_deadline_ms;

    r->dep = dep;
    r->retries = 0;
    r->deadline_at = deadline ? uv_now(p->loop) + deadline : 0;
    fs_retry_first_attempt(p->retry[dep]);
    fs__proxy_attempt(r);
}

/* The stage ran out of attempts: botmod fails closed or open, origin maps
 * to 504 for its deadline and 502 for anything else (a 5xx included, so
 * the status a client sees names the interface that failed). */
static void fs__proxy_failed(fs__proxy_req_t *r, fs_dep_outcome_t outcome)
{
    fs_proxy_t *p = r->p;
    uint64_t suppressed;

    if (r->dep == FS__PROXY_ORIGIN) {
        if (outcome == FS_DEP_TIMEOUT)
            fs__proxy_error(r, 504, "{\"error\":\"origin timed out\"}");
        else
            fs__proxy_error(r, 502, "{\"error\":\"origin failed\"}");
        return;
    }
    if (!p->cfg.bot_fail_open) {
        fs__proxy_error(r, 503, "{\"error\":\"bot module unavailable\"}");
        return;
    }
    r->score = (int)p->cfg.default_score;
    r->degraded = fs__proxy_degraded[outcome];
    fs_metric_add(p->m_fallbacks[outcome], 1);
    if (fs__proxy_ratelimit(&p->fallback_log, uv_now(p->loop), &suppressed))
        fs_log(p->log, FS_LOG_WARN, "botmod_fallback", "reason=%s score=%d suppressed=%llu",
               r->degraded, r->score, (unsigned long long)suppressed);
    fs__proxy_decide(r);
}

static void fs__proxy_relay(fs__proxy_req_t *r, int status, const fs_http_resp_t *resp)
{
    const char *ctype = fs_http_resp_header(resp, "Content-Type");
    size_t len = 0;
    const char *body = fs_http_resp_body(resp, &len);

    fs__proxy_respond(r, status, ctype ? ctype : "text/plain", body ? body : "", body ? len : 0);
}

static void fs__proxy_backoff_cb(uv_timer_t *t)
{
    fs__proxy_attempt(t->data);
}

/* One attempt finished with status (HTTP status or negative code). */
static void fs__proxy_done(fs__proxy_req_t *r, int status, const fs_http_resp_t *resp)
{
    fs_proxy_t *p = r->p;
    fs_dep_outcome_t outcome;
    int retryable = 0, score = -1;
    uint64_t delay;

    if (status == -ECANCELED || p->stopping) {
        fs__proxy_req_abort(r);
        return;
    }
    outcome = fs_dep_classify(status);
    if (outcome != FS_DEP_OK) {
        retryable = 1;
    } else if (r->dep == FS__PROXY_BOTMOD &&
               (status != 200 || fs__proxy_parse_score(resp, &score) < 0)) {
        /* An answer that is not a score will not become one on a retry. */
        outcome = FS_DEP_ERROR;
    }
    fs_dep_count(&p->m_deps[r->dep], outcome);
    if (outcome == FS_DEP_OK) {
        if (r->dep == FS__PROXY_ORIGIN) {
            fs__proxy_relay(r, status, resp);
        } else {
            r->score = score;
            fs__proxy_decide(r);
        }
        return;
    }
    if (retryable &&
        fs_retry_next(p->retry[r->dep], r->retries, uv_now(p->loop), r->deadline_at, &delay) == 0) {
        r->retries++;
        fs_dep_retry(&p->m_deps[r->dep]);
        if (delay == 0) {
            fs__proxy_attempt(r);
            return;
        }
        if (!r->timer_inited) {
            uv_timer_init(p->loop, &r->timer);
            r->timer.data = r;
            r->timer_inited = 1;
        }
        uv_timer_start(&r->timer, fs__proxy_backoff_cb, delay, 0);
        return;
    }
    fs__proxy_failed(r, outcome);
}

static void fs__proxy_call_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fs__proxy_done(data, status, resp);
}

static void fs__proxy_attempt(fs__proxy_req_t *r)
{
    fs_proxy_t *p = r->p;
    fs_http_client_t *c = p->client[r->dep];
    uint64_t now = uv_now(p->loop);
    fs_http_call_t call;
    char headers[160];
    int rc;

    if (p->stopping || c == NULL) {
        fs__proxy_req_abort(r);
        return;
    }
    if (r->deadline_at && now >= r->deadline_at) {
        fs__proxy_done(r, -ETIMEDOUT, NULL);
        return;
    }
    /* Checked per attempt, so a failure point with a probability fails
     * some attempts and lets the retry policy show what it does. */
    if (fiu_fail(r->dep == FS__PROXY_BOTMOD ? "proxy/botmod/call" : "proxy/origin/call")) {
        fs__proxy_done(r, -EIO, NULL);
        return;
    }
    memset(&call, 0, sizeof(call));
    call.headers = headers;
    call.timeout_ms = r->deadline_at ? r->deadline_at - now : 0;
    /* A per-attempt timeout turns a slow answer into a retry: the knob that,
     * without a budget, multiplies load on a dependency that is already
     * slow. */
    if (p->cfg.attempt_timeout_ms &&
        (call.timeout_ms == 0 || p->cfg.attempt_timeout_ms < call.timeout_ms))
        call.timeout_ms = p->cfg.attempt_timeout_ms;
    if (r->dep == FS__PROXY_BOTMOD) {
        snprintf(headers, sizeof(headers), "Content-Type: application/json\r\n%s%s%s",
                 r->truth ? "X-Failsmall-Truth: " : "", r->truth ? r->truth : "",
                 r->truth ? "\r\n" : "");
        call.method = "POST";
        call.target = "/v1/score";
        call.body = r->score_body;
        call.body_len = strlen(r->score_body);
    } else {
        snprintf(headers, sizeof(headers), "X-Failsmall-Node: %s\r\n", p->node);
        call.method = "GET";
        call.target = r->target;
    }
    if ((rc = fs_http_client_request(c, &call, fs__proxy_call_cb, r)) < 0)
        fs__proxy_done(r, rc == -ECANCELED ? -EIO : rc, NULL);
}

static void fs__proxy_decide(fs__proxy_req_t *r)
{
    fs_proxy_t *p = r->p;
    const char *path = fs_http_req_path(r->req);
    fs_waf_result_t res;
    uint64_t suppressed;
    char err[128], qerr[160], qpath[256];

    if (r->score < (int)p->cfg.threshold) {
        fs__proxy_error(r, 403, "{\"error\":\"blocked\",\"reason\":\"bot\"}");
        return;
    }
    if (fs_waf_eval(p->rules, p->cfg.engine, p->cfg.nil_guard, path, &res, err, sizeof(err)) < 0) {
        p->waf_errors++;
        fs_metric_add(p->m_waf_errors, 1);
        if (fs__proxy_ratelimit(&p->waf_log, uv_now(p->loop), &suppressed))
            fs_log(p->log, FS_LOG_ERROR, "waf_error",
                   "error=%s engine=%s rules_version=%llu suppressed=%llu",
                   fs_log_quote(qerr, sizeof(qerr), err), fs_waf_engine_name(p->cfg.engine),
                   (unsigned long long)p->rules_version, (unsigned long long)suppressed);
        fs__proxy_error(r, 500, "{\"error\":\"waf error\"}");
        return;
    }
    /* A `log` rule exists to leave a trace; under load one line a second
     * with a count is the trace. */
    if (res.verdict != FS_WAF_PASS &&
        fs__proxy_ratelimit(&p->match_log, uv_now(p->loop), &suppressed))
        fs_log(p->log, FS_LOG_INFO, "waf_match", "rule=%s action=%s path=%s suppressed=%llu",
               fs_log_quote(qerr, sizeof(qerr), res.rule),
               res.verdict == FS_WAF_BLOCK ? "block" : "log",
               fs_log_quote(qpath, sizeof(qpath), path), (unsigned long long)suppressed);
    if (res.verdict == FS_WAF_BLOCK) {
        fs__proxy_error(r, 403, "{\"error\":\"blocked\",\"reason\":\"waf\"}");
        return;
    }
    fs__proxy_stage(r, FS__PROXY_ORIGIN);
}

static const char *fs__proxy_truth(fs_http_req_t *req)
{
    const char *t = fs_http_req_header(req, "X-Failsmall-Truth");

    /* Only the two values the protocol knows travel on: anything else
     * could smuggle header bytes into the botmod call. */
    if (t && strcmp(t, "human") == 0)
        return "human";
    if (t && strcmp(t, "bot") == 0)
        return "bot";
    return NULL;
}

void fs__proxy_req_cb(fs_http_req_t *req, void *data)
{
    fs_proxy_t *p = data;
    const char *query = fs_http_req_query(req);
    fs__proxy_req_t *r;
    size_t tlen;
    char hdr[160];

    if (fs_http_req_method(req) != HTTP_GET) {
        snprintf(hdr, sizeof(hdr), "Allow: GET\r\nX-Failsmall-Node: %s\r\n", p->node);
        fs_http_respond(req, 405, FS__PROXY_JSON, hdr, "{\"error\":\"method not allowed\"}", 30);
        return;
    }
    if ((r = calloc(1, sizeof(*r))) == NULL)
        goto fail;
    r->p = p;
    r->req = req;
    r->score = -1;
    r->next = p->head;
    if (p->head)
        p->head->prev = r;
    p->head = r;
    r->truth = fs__proxy_truth(req);
    tlen = strlen(fs_http_req_path(req)) + strlen(query) + 2;
    if ((r->target = malloc(tlen)) == NULL || (r->score_body = fs__proxy_score_body(req)) == NULL) {
        fs__proxy_error(r, 500, "{\"error\":\"out of memory\"}");
        return;
    }
    snprintf(r->target, tlen, "%s%s%s", fs_http_req_path(req), *query ? "?" : "", query);
    fs__proxy_stage(r, FS__PROXY_BOTMOD);
    return;
fail:
    snprintf(hdr, sizeof(hdr), "X-Failsmall-Node: %s\r\n", p->node);
    fs_http_respond(req, 500, FS__PROXY_JSON, hdr, "{\"error\":\"out of memory\"}", 25);
}
