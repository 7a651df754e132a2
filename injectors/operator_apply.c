/* operator.rollback at run time: what an on-call operator does — log in to
 * the dashboard (password, a challenge token from the widget, and the
 * break-glass token they were issued), then POST /ops/rollback/{key} with
 * the session — again every retry_every until it works. Every attempt and
 * its outcome goes on the timeline. The calls go straight to the dashboard
 * on the run's loop (fs_inj_env_dashboard says why), and revert cancels
 * whatever is still in flight. */
#include "inj_operator.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fs_http.h"
#include "jfield.h"
#include "prng.h"

#define FS__OP_SESSION_MAX 64 /* the dashboard's ids are 32 hex digits */
#define FS__OP_UA          "Mozilla/5.0 (X11; Linux x86_64) failsmall-operator"

struct fs__inj_operator_rt_s {
    uv_timer_t retry;
    fs_inj_operator_t *op;
    fs_inj_env_t *env;
    fs_http_client_t *dash;
    fs_inj_dashboard_t creds;
    fs_prng_t rng;     /* challenge tokens */
    unsigned attempts; /* started so far */
    int busy;          /* an attempt is waiting for an answer */
    int done;          /* the rollback worked */
    char session[FS__OP_SESSION_MAX + 1];
};

typedef struct fs__inj_operator_rt_s fs__op_rt_t;

static void fs__op_rollback(fs__op_rt_t *rt);

/* Each call may take until the next attempt is due (or the whole action). */
static uint64_t fs__op_timeout(const fs__op_rt_t *rt)
{
    return rt->op->retry_every_ms ? rt->op->retry_every_ms : rt->op->for_ms;
}

/* "403 Forbidden: challenge rejected" from an answer's {"error":...}, or
 * the transport error. */
static const char *fs__op_outcome(int status, const fs_http_resp_t *resp, char *buf, size_t len)
{
    const char *body, *msg = NULL;
    char q[48] = "";
    cJSON *doc = NULL;
    size_t blen;

    if (status < 0) {
        snprintf(buf, len, "%s", uv_strerror(status));
        return buf;
    }
    body = fs_http_resp_body(resp, &blen);
    doc = cJSON_ParseWithLength(body, blen);
    msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "error"));
    if (msg != NULL)
        fs_jfield_quote(msg, q, sizeof(q));
    snprintf(buf, len, "%d %s%s%s", status, fs_http_status_text(status), q[0] ? ": " : "", q);
    cJSON_Delete(doc);
    return buf;
}

/* The session id of a login answer, if it is one we can send back in a
 * header: letters and digits only. */
static int fs__op_session(fs__op_rt_t *rt, const fs_http_resp_t *resp, int *break_glass)
{
    size_t len;
    const char *body = fs_http_resp_body(resp, &len);
    cJSON *doc = cJSON_ParseWithLength(body, len);
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "session"));
    int rc = -EPROTO;

    *break_glass = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "break_glass"));
    if (id != NULL && id[0] != '\0' && strlen(id) <= FS__OP_SESSION_MAX &&
        strspn(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
            strlen(id)) {
        snprintf(rt->session, sizeof(rt->session), "%s", id);
        rc = 0;
    }
    cJSON_Delete(doc);
    return rc;
}

static void fs__op_rollback_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fs__op_rt_t *rt = data;
    char what[160];
    size_t len;
    const char *body;
    cJSON *doc;
    double v;

    if (status == -ECANCELED)
        return; /* revert: rt is closing, and says so itself */
    rt->busy = 0;
    if (status == 200) {
        body = fs_http_resp_body(resp, &len);
        doc = cJSON_ParseWithLength(body, len);
        v = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "version"));
        cJSON_Delete(doc);
        rt->done = 1;
        uv_timer_stop(&rt->retry);
        if (!isnan(v))
            fs_inj_env_event(rt->env, "operator.rolled_back", rt->op->path,
                             "attempt %u: %s rolled back, configstore serves v%.0f", rt->attempts,
                             rt->op->key, v);
        else
            fs_inj_env_event(rt->env, "operator.rolled_back", rt->op->path,
                             "attempt %u: %s rolled back", rt->attempts, rt->op->key);
        return;
    }
    /* A session that expired or vanished: log in again next time. */
    if (status == 401)
        rt->session[0] = '\0';
    fs_inj_env_event(rt->env, "operator.rollback_failed", rt->op->path,
                     "attempt %u: POST /ops/rollback/%s: %s", rt->attempts, rt->op->key,
                     fs__op_outcome(status, resp, what, sizeof(what)));
}

static void fs__op_login_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fs__op_rt_t *rt = data;
    char what[160];
    int break_glass = 0;

    if (status == -ECANCELED)
        return;
    if (status == 200 && fs__op_session(rt, resp, &break_glass) == 0) {
        fs_inj_env_event(rt->env, "operator.login", rt->op->path, "attempt %u: %s logged in %s",
                         rt->attempts, rt->op->user,
                         break_glass ? "with the break-glass token" : "through the challenge");
        fs__op_rollback(rt);
        return;
    }
    rt->busy = 0;
    if (status == 200)
        snprintf(what, sizeof(what), "200 without a usable session");
    else
        fs__op_outcome(status, resp, what, sizeof(what));
    fs_inj_env_event(rt->env, "operator.login_failed", rt->op->path, "attempt %u: POST /login: %s",
                     rt->attempts, what);
}

static void fs__op_rollback(fs__op_rt_t *rt)
{
    char target[64], headers[128];
    fs_http_call_t call = {.method = "POST", .target = target, .headers = headers};
    int rc;

    snprintf(target, sizeof(target), "/ops/rollback/%s", rt->op->key);
    snprintf(headers, sizeof(headers), "Authorization: Bearer %s\r\n", rt->session);
    call.timeout_ms = fs__op_timeout(rt);
    if ((rc = fs_http_client_request(rt->dash, &call, fs__op_rollback_cb, rt)) < 0) {
        rt->busy = 0;
        fs_inj_env_event(rt->env, "operator.rollback_failed", rt->op->path,
                         "attempt %u: POST /ops/rollback/%s: %s", rt->attempts, rt->op->key,
                         uv_strerror(rc));
    }
}

/* The login body: the widget's token is any well-formed one (botmod judges
 * the request, not the token), seeded so runs repeat. */
static char *fs__op_login_body(fs__op_rt_t *rt)
{
    cJSON *o = cJSON_CreateObject();
    char token[32];
    char *text = NULL;

    snprintf(token, sizeof(token), "tok-%016" PRIx64, fs_prng_next(&rt->rng));
    if (o != NULL && cJSON_AddStringToObject(o, "user", rt->op->user) &&
        cJSON_AddStringToObject(o, "password", rt->creds.password) &&
        cJSON_AddStringToObject(o, "challenge", token) &&
        cJSON_AddStringToObject(o, "break_glass", rt->creds.break_glass))
        text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

static void fs__op_login(fs__op_rt_t *rt)
{
    /* A person at a browser; the ground truth travels like the load's so
     * the dashboard->botmod link can judge the challenge's answer. */
    static const char headers[] = "Content-Type: application/json\r\n"
                                  "User-Agent: " FS__OP_UA "\r\n"
                                  "Accept-Language: en-US\r\n"
                                  "X-Failsmall-Truth: human\r\n";
    fs_http_call_t call = {.method = "POST", .target = "/login", .headers = headers};
    char *body = fs__op_login_body(rt);
    int rc = -ENOMEM;

    if (body != NULL) {
        call.body = body;
        call.body_len = strlen(body);
        call.timeout_ms = fs__op_timeout(rt);
        rc = fs_http_client_request(rt->dash, &call, fs__op_login_cb, rt);
        cJSON_free(body);
    }
    if (rc < 0) {
        rt->busy = 0;
        fs_inj_env_event(rt->env, "operator.login_failed", rt->op->path,
                         "attempt %u: POST /login: %s", rt->attempts,
                         rc == -ENOMEM ? "out of memory" : uv_strerror(rc));
    }
}

static void fs__op_attempt(fs__op_rt_t *rt)
{
    rt->attempts++;
    rt->busy = 1;
    if (rt->session[0] != '\0')
        fs__op_rollback(rt);
    else
        fs__op_login(rt);
}

/* On the grid at + k × retry_every; an attempt still waiting for an answer
 * holds off the next one. */
static void fs__op_retry_cb(uv_timer_t *t)
{
    fs__op_rt_t *rt = t->data;

    if (!rt->done && !rt->busy)
        fs__op_attempt(rt);
}

int fs__inj_operator_apply(void *state, fs_inj_env_t *env, char *err, size_t errlen)
{
    fs_inj_operator_t *o = state;
    fs__op_rt_t *rt;
    char stream[64];
    int rc;

    if (o->rt != NULL) {
        snprintf(err, errlen, "already applied");
        return -EALREADY;
    }
    if ((rt = calloc(1, sizeof(*rt))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    rt->op = o;
    rt->env = env;
    if ((rc = fs_inj_env_dashboard(env, &rt->creds)) < 0) {
        snprintf(err, errlen, "no dashboard in this fleet");
        goto fail;
    }
    if ((rc = fs_http_client_new(fs_inj_env_loop(env), (const struct sockaddr *)&rt->creds.addr,
                                 &rt->dash)) < 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    snprintf(stream, sizeof(stream), "operator.rollback.%s", o->key);
    fs_prng_seed(&rt->rng, fs_inj_env_seed(env, stream));
    uv_timer_init(fs_inj_env_loop(env), &rt->retry);
    rt->retry.data = rt;
    if (o->retry_every_ms)
        uv_timer_start(&rt->retry, fs__op_retry_cb, o->retry_every_ms, o->retry_every_ms);
    o->rt = rt;
    fs__op_attempt(rt);
    return 0;

fail:
    free(rt);
    return rc;
}

static void fs__op_rt_free_cb(uv_handle_t *h)
{
    free(h->data);
}

int fs__inj_operator_revert(void *state, fs_inj_env_t *env, char *err, size_t errlen)
{
    fs_inj_operator_t *o = state;
    fs__op_rt_t *rt = o->rt;

    (void)err;
    (void)errlen;
    if (rt == NULL)
        return 0;
    if (!rt->done)
        fs_inj_env_event(env, "operator.gave_up", o->path,
                         "%s not rolled back after %u attempt%s%s", o->key, rt->attempts,
                         rt->attempts == 1 ? "" : "s",
                         rt->busy ? " (the last one cancelled in flight)" : "");
    /* Pending calls fail with -ECANCELED from inside here; their callbacks
     * leave rt alone, which lives until its timer has closed. */
    fs_http_client_close(rt->dash);
    rt->dash = NULL;
    uv_timer_stop(&rt->retry);
    uv_close((uv_handle_t *)&rt->retry, fs__op_rt_free_cb);
    o->rt = NULL;
    return 0;
}
