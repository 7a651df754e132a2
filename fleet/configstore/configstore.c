/* The configstore's HTTP face: routes onto the store, a timer that drives
 * bake expiry, and every state change turned into a log line and metrics. */
#include "configstore.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fiu.h>

#include "fs_json.h"

#define JSON_TYPE "application/json"
#define BLOB_TYPE "application/octet-stream"

#define CONFIG_PREFIX   "/v1/config/"
#define ROLLOUT_PREFIX  "/v1/rollout/"
#define ROLLBACK_SUFFIX "/rollback"

/* JSON numbers are doubles: versions beyond 2^53 would not read back. */
#define JSON_INT_MAX 9007199254740992.0

struct fs_configstore_s {
    fs_service_t *svc;
    uv_loop_t *loop;
    fs_store_t *store;
    uv_timer_t timer;
    uint64_t start_ms; /* uv_now at start: the events' t_ms zero */
    int stopped;
};

fs_rollout_mode_t fs_configstore_default_mode(fs_posture_t posture)
{
    return posture == FS_POSTURE_HARDENED ? FS_ROLLOUT_STAGED : FS_ROLLOUT_INSTANT;
}

uint64_t fs_configstore_now(const fs_configstore_t *cs)
{
    return uv_now(cs->loop) - cs->start_ms;
}

fs_service_t *fs_configstore_service(fs_configstore_t *cs)
{
    return cs->svc;
}

fs_store_t *fs_configstore_store(fs_configstore_t *cs)
{
    return cs->store;
}

/* ---- answers ---- */

static void fs__cs_json(fs_http_req_t *req, int status, cJSON *obj)
{
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;

    if (text == NULL) {
        fs_http_respondf(req, 500, JSON_TYPE, NULL, "{\"error\":\"out of memory\"}");
    } else {
        fs_http_respond(req, status, JSON_TYPE, NULL, text, strlen(text));
        cJSON_free(text);
    }
    cJSON_Delete(obj);
}

/* {"error":msg}, escaped by cJSON: messages may quote what the client sent. */
static void fs__cs_error(fs_http_req_t *req, int status, const char *msg)
{
    cJSON *o = cJSON_CreateObject();

    if (o != NULL && !cJSON_AddStringToObject(o, "error", msg)) {
        cJSON_Delete(o);
        o = NULL;
    }
    fs__cs_json(req, status, o);
}

static void fs__cs_method(fs_http_req_t *req, const char *allow)
{
    char hdr[64];

    snprintf(hdr, sizeof(hdr), "Allow: %s\r\n", allow);
    fs_http_respondf(req, 405, JSON_TYPE, hdr, "{\"error\":\"method not allowed\"}");
}

static void fs__cs_key_version(fs_http_req_t *req, const char *key, uint64_t version)
{
    cJSON *o = cJSON_CreateObject();

    if (o != NULL && (!cJSON_AddStringToObject(o, "key", key) ||
                      !cJSON_AddNumberToObject(o, "version", (double)version))) {
        cJSON_Delete(o);
        o = NULL;
    }
    fs__cs_json(req, 200, o);
}

static void fs__cs_bad_key(fs_http_req_t *req)
{
    fs__cs_error(req, 400, "invalid key: expected 1 to 128 of [A-Za-z0-9._/-]");
}

static void fs__cs_internal(fs_http_req_t *req, int rc)
{
    fs__cs_error(req, 500, strerror(-rc));
}

/* ---- routes ---- */

static void fs__cs_put(fs_configstore_t *cs, fs_http_req_t *req, const char *key)
{
    const char *body;
    uint64_t version = 0;
    size_t len;
    int rc;

    if (fiu_fail("configstore/put")) {
        fs__cs_error(req, 500, "injected failure");
        return;
    }
    if (!fs_store_key_valid(key)) {
        fs__cs_bad_key(req);
        return;
    }
    body = fs_http_req_body(req, &len);
    rc = fs_store_publish(cs->store, key, body, len, fs_configstore_now(cs), &version);
    if (rc == -ENOSPC)
        fs__cs_error(req, 507, "too many keys");
    else if (rc < 0)
        fs__cs_internal(req, rc);
    else
        fs__cs_key_version(req, key, version);
}

static void fs__cs_get(fs_configstore_t *cs, fs_http_req_t *req, const char *key)
{
    char node[FS_ROLLOUT_NODE_MAX + 2], hdr[64];
    const void *blob = NULL;
    uint64_t version = 0;
    size_t len = 0;
    int rc;

    if (fiu_fail("configstore/get")) {
        fs__cs_error(req, 500, "injected failure");
        return;
    }
    if (!fs_store_key_valid(key)) {
        fs__cs_bad_key(req);
        return;
    }
    rc = fs_http_req_query_param(req, "node", node, sizeof(node));
    if (rc == -ENOENT) {
        node[0] = '\0';
    } else if (rc < 0 || !fs_rollout_node_valid(node)) {
        fs__cs_error(req, 400, "invalid node: expected 1 to 32 of [A-Za-z0-9_-]");
        return;
    }
    rc = fs_store_get(cs->store, key, node[0] ? node : NULL, &blob, &len, &version);
    if (rc == -ENOENT) {
        fs__cs_error(req, 404, "unknown key");
        return;
    }
    if (rc < 0) {
        fs__cs_internal(req, rc);
        return;
    }
    snprintf(hdr, sizeof(hdr), "X-Config-Version: %" PRIu64 "\r\n", version);
    fs_http_respond(req, 200, BLOB_TYPE, hdr, blob, len);
}

static void fs__cs_rollback(fs_configstore_t *cs, fs_http_req_t *req, const char *key)
{
    uint64_t served = 0;
    int rc;

    if (!fs_store_key_valid(key)) {
        fs__cs_bad_key(req);
        return;
    }
    rc = fs_store_rollback(cs->store, key, fs_configstore_now(cs), &served);
    if (rc == -ENOENT)
        fs__cs_error(req, 404, "unknown key");
    else if (rc == -EALREADY)
        fs__cs_error(req, 409, "nothing to roll back to");
    else if (rc < 0)
        fs__cs_internal(req, rc);
    else
        fs__cs_key_version(req, key, served);
}

/* /v1/config/{key} and /v1/config/{key}/rollback: keys hold '/', so the
 * route is a prefix and the rest is the key. */
static void fs__cs_config(fs_configstore_t *cs, fs_http_req_t *req, const char *rest)
{
    size_t n = strlen(rest), sn = strlen(ROLLBACK_SUFFIX);
    char key[FS_STORE_KEY_MAX + 1];

    switch (fs_http_req_method(req)) {
    case HTTP_PUT:
        fs__cs_put(cs, req, rest);
        return;
    case HTTP_GET:
        fs__cs_get(cs, req, rest);
        return;
    case HTTP_POST:
        if (n > sn && strcmp(rest + n - sn, ROLLBACK_SUFFIX) == 0) {
            if (n - sn >= sizeof(key)) {
                fs__cs_bad_key(req);
                return;
            }
            memcpy(key, rest, n - sn);
            key[n - sn] = '\0';
            fs__cs_rollback(cs, req, key);
            return;
        }
        break;
    default:
        break;
    }
    fs__cs_method(req, "GET, PUT, POST");
}

static void fs__cs_rollout(fs_configstore_t *cs, fs_http_req_t *req, const char *key)
{
    cJSON *o = NULL;
    int rc;

    if (fs_http_req_method(req) != HTTP_GET) {
        fs__cs_method(req, "GET");
        return;
    }
    if (!fs_store_key_valid(key)) {
        fs__cs_bad_key(req);
        return;
    }
    rc = fs_store_rollout_json(cs->store, key, &o);
    if (rc == -ENOENT)
        fs__cs_error(req, 404, "unknown key");
    else if (rc < 0)
        fs__cs_internal(req, rc);
    else
        fs__cs_json(req, 200, o);
}

/* A non-negative integer that survives the trip through a double. */
static int fs__cs_uint_field(const cJSON *root, const char *name, int required, uint64_t *out,
                             char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, name);

    if (v == NULL) {
        if (!required)
            return 0;
        snprintf(err, errlen, "$.%s: required", name);
        return -EINVAL;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
        v->valuedouble > JSON_INT_MAX || floor(v->valuedouble) != v->valuedouble) {
        snprintf(err, errlen, "$.%s: expected a non-negative integer", name);
        return -EINVAL;
    }
    *out = (uint64_t)v->valuedouble;
    return 0;
}

static int fs__cs_health_parse(const cJSON *root, const char **node, const char **key,
                               uint64_t *version, int *ok, uint64_t *errors, char *err,
                               size_t errlen)
{
    const cJSON *n, *k, *o;

    if (!cJSON_IsObject(root)) {
        snprintf(err, errlen, "$: expected an object");
        return -EINVAL;
    }
    n = cJSON_GetObjectItemCaseSensitive(root, "node");
    if (!cJSON_IsString(n) || !fs_rollout_node_valid(n->valuestring)) {
        snprintf(err, errlen, "$.node: expected 1 to 32 of [A-Za-z0-9_-]");
        return -EINVAL;
    }
    k = cJSON_GetObjectItemCaseSensitive(root, "key");
    if (!cJSON_IsString(k) || !fs_store_key_valid(k->valuestring)) {
        snprintf(err, errlen, "$.key: expected 1 to 128 of [A-Za-z0-9._/-]");
        return -EINVAL;
    }
    o = cJSON_GetObjectItemCaseSensitive(root, "ok");
    if (!cJSON_IsBool(o)) {
        snprintf(err, errlen, "$.ok: expected true or false");
        return -EINVAL;
    }
    if (fs__cs_uint_field(root, "version", 1, version, err, errlen) < 0 ||
        fs__cs_uint_field(root, "errors", 0, errors, err, errlen) < 0)
        return -EINVAL;
    *node = n->valuestring;
    *key = k->valuestring;
    *ok = cJSON_IsTrue(o);
    return 0;
}

static void fs__cs_health(fs_configstore_t *cs, fs_http_req_t *req)
{
    const char *body, *node = NULL, *key = NULL;
    uint64_t version = 0, errors = 0;
    cJSON *root = NULL;
    char err[256];
    size_t len;
    int ok = 0, rc;

    if (fs_http_req_method(req) != HTTP_POST) {
        fs__cs_method(req, "POST");
        return;
    }
    body = fs_http_req_body(req, &len);
    if (fs_json_parse(body, len, FS_CONFIGSTORE_HEALTH_BODY, &root, err, sizeof(err)) < 0 ||
        fs__cs_health_parse(root, &node, &key, &version, &ok, &errors, err, sizeof(err)) < 0) {
        cJSON_Delete(root);
        fs__cs_error(req, 400, err);
        return;
    }
    rc = fs_store_health(cs->store, key, node, version, ok, errors, fs_configstore_now(cs));
    fs_log(fs_service_log(cs->svc), FS_LOG_DEBUG, "health",
           "key=%s node=%s version=%" PRIu64 " ok=%s errors=%" PRIu64 "%s", key, node, version,
           ok ? "true" : "false", errors, rc == -ENOENT ? " unknown_key=true" : "");
    cJSON_Delete(root);
    /* A report about a key never published has nothing to gate: accepted
     * all the same, so a node that polls early is not told it failed. */
    fs_http_respond(req, 204, NULL, NULL, NULL, 0);
}

static void fs__cs_events(fs_configstore_t *cs, fs_http_req_t *req)
{
    unsigned long since = 0;
    char buf[32];
    cJSON *o = NULL;
    int rc;

    if (fs_http_req_method(req) != HTTP_GET) {
        fs__cs_method(req, "GET");
        return;
    }
    rc = fs_http_req_query_param(req, "since", buf, sizeof(buf));
    if (rc != -ENOENT && (rc < 0 || fs_cli_uint(buf, (unsigned long)-1, &since) < 0)) {
        fs__cs_error(req, 400, "since: expected a non-negative integer");
        return;
    }
    rc = fs_store_events_json(cs->store, since, &o);
    /* The reader maps t_ms onto its own clock through now_ms. */
    if (rc == 0 && !cJSON_AddNumberToObject(o, "now_ms", (double)fs_configstore_now(cs))) {
        cJSON_Delete(o);
        rc = -ENOMEM;
    }
    if (rc < 0)
        fs__cs_internal(req, rc);
    else
        fs__cs_json(req, 200, o);
}

static void fs__cs_handle_cb(fs_http_req_t *req, void *data)
{
    fs_configstore_t *cs = data;
    const char *path = fs_http_req_path(req);

    if (strncmp(path, CONFIG_PREFIX, strlen(CONFIG_PREFIX)) == 0)
        fs__cs_config(cs, req, path + strlen(CONFIG_PREFIX));
    else if (strncmp(path, ROLLOUT_PREFIX, strlen(ROLLOUT_PREFIX)) == 0)
        fs__cs_rollout(cs, req, path + strlen(ROLLOUT_PREFIX));
    else if (strcmp(path, "/v1/health") == 0)
        fs__cs_health(cs, req);
    else if (strcmp(path, "/v1/events") == 0)
        fs__cs_events(cs, req);
    else
        fs__cs_error(req, 404, "not found");
}

/* ---- events, timer, life cycle ---- */

static void fs__cs_log_event(fs_configstore_t *cs, const fs_store_event_t *se)
{
    const fs_log_t *log = fs_service_log(cs->svc);
    const fs_rollout_event_t *ev = se->ev;
    char reason[256];

    switch (ev->kind) {
    case FS_ROLLOUT_EV_PUBLISHED:
        fs_log(log, FS_LOG_INFO, "published",
               "key=%s version=%" PRIu64 " served=%" PRIu64 " seq=%" PRIu64, se->key, ev->version,
               ev->served, se->seq);
        break;
    case FS_ROLLOUT_EV_STAGE:
        /* Node ids need no quoting; an empty stage (no nodes yet) does. */
        fs_log(log, FS_LOG_INFO, "rollout_stage",
               "key=%s version=%" PRIu64 " stage=%s nodes=%s seq=%" PRIu64, se->key, ev->version,
               fs_rollout_stage_name(ev->stage), ev->nodes && ev->nodes[0] ? ev->nodes : "\"\"",
               se->seq);
        break;
    case FS_ROLLOUT_EV_COMPLETE:
        fs_log(log, FS_LOG_INFO, "rollout_complete", "key=%s version=%" PRIu64 " seq=%" PRIu64,
               se->key, ev->version, se->seq);
        break;
    case FS_ROLLOUT_EV_ROLLED_BACK:
        fs_log(log, FS_LOG_WARN, "rollout_rolled_back",
               "key=%s version=%" PRIu64 " served=%" PRIu64 " reason=%s seq=%" PRIu64, se->key,
               ev->version, ev->served, fs_log_quote(reason, sizeof(reason), ev->reason), se->seq);
        break;
    case FS_ROLLOUT_EV_ROLLBACK:
        fs_log(log, FS_LOG_WARN, "rollback",
               "key=%s version=%" PRIu64 " served=%" PRIu64 " reason=%s seq=%" PRIu64, se->key,
               ev->version, ev->served, fs_log_quote(reason, sizeof(reason), ev->reason), se->seq);
        break;
    }
}

static void fs__cs_event_cb(const fs_store_event_t *se, void *data)
{
    fs_configstore_t *cs = data;
    fs_metrics_t *m = fs_service_metrics(cs->svc);
    const fs_rollout_t *r = fs_store_rollout(cs->store, se->key);
    char labels[FS_STORE_KEY_MAX + 16];
    fs_metric_t *rollbacks;

    fs__cs_log_event(cs, se);
    /* Keys hold only [A-Za-z0-9._/-]: nothing to escape in the label. */
    snprintf(labels, sizeof(labels), "key=\"%s\"", se->key);
    fs_metric_set(fs_service_config_version(cs->svc, se->key), (double)se->ev->served);
    fs_metric_set(fs_metrics_series(m, FS_METRIC_GAUGE, "failsmall_rollout_stage",
                                    "Rollout stage per key: 0 idle or complete, 1 canary, "
                                    "2 25%, 3 100%.",
                                    labels),
                  r && fs_rollout_state(r) == FS_ROLLOUT_BAKING ? (double)fs_rollout_stage(r) : 0);
    /* Created on the key's first event so that it reads 0, not absent. */
    rollbacks = fs_metrics_series(m, FS_METRIC_COUNTER, "failsmall_rollbacks_total",
                                  "Rollbacks per key, automatic and manual.", labels);
    if (se->ev->kind == FS_ROLLOUT_EV_ROLLED_BACK || se->ev->kind == FS_ROLLOUT_EV_ROLLBACK)
        fs_metric_add(rollbacks, 1);
}

static void fs__cs_tick_cb(uv_timer_t *t)
{
    fs_configstore_t *cs = t->data;

    fs_store_tick(cs->store, fs_configstore_now(cs));
}

static void fs__cs_stop_cb(void *data)
{
    fs_configstore_t *cs = data;

    if (cs->stopped)
        return;
    cs->stopped = 1;
    uv_timer_stop(&cs->timer);
    uv_close((uv_handle_t *)&cs->timer, NULL);
}

int fs_configstore_new(uv_loop_t *loop, const fs_cli_common_t *cli,
                       const fs_configstore_config_t *cfg, fs_configstore_t **out, char *err,
                       size_t errlen)
{
    fs_store_config_t scfg = {
        .mode = cfg->mode,
        .bake_ms = cfg->bake_ms ? cfg->bake_ms : FS_CONFIGSTORE_BAKE_MS,
        .canary = cfg->canary,
        .cb = fs__cs_event_cb,
    };
    fs_service_config_t svc_cfg = {.name = "configstore", .cli = cli, .handler = fs__cs_handle_cb};
    uint64_t tick = cfg->tick_ms ? cfg->tick_ms : FS_CONFIGSTORE_TICK_MS;
    fs_configstore_t *cs;
    int rc;

    *out = NULL;
    cs = calloc(1, sizeof(*cs));
    if (cs == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    cs->loop = loop;
    cs->start_ms = uv_now(loop);
    scfg.data = cs;
    rc = fs_store_new(&scfg, &cs->store);
    if (rc < 0) {
        snprintf(err, errlen, rc == -EINVAL ? "--canary: invalid node id" : "out of memory");
        goto fail;
    }
    svc_cfg.data = cs;
    rc = fs_service_new(loop, &svc_cfg, &cs->svc, err, errlen);
    if (rc < 0)
        goto fail;
    /* Nothing below fails: from here a stop closes the timer. */
    uv_timer_init(loop, &cs->timer);
    cs->timer.data = cs;
    uv_timer_start(&cs->timer, fs__cs_tick_cb, tick, tick);
    fs_service_on_stop(cs->svc, fs__cs_stop_cb, cs);
    fs_log(fs_service_log(cs->svc), FS_LOG_INFO, "rollout_policy",
           "mode=%s bake_ms=%" PRIu64 " canary=%s", fs_rollout_mode_name(cfg->mode), scfg.bake_ms,
           cfg->canary ? cfg->canary : "first");
    *out = cs;
    return 0;
fail:
    fs_store_free(cs->store);
    free(cs);
    return rc;
}

void fs_configstore_free(fs_configstore_t *cs)
{
    if (cs == NULL)
        return;
    fs_service_free(cs->svc);
    fs_store_free(cs->store);
    free(cs);
}
