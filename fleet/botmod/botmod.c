/* fs-botmod's routes and wiring: POST /v1/score, POST /v1/challenge/verify,
 * and the poller that feeds the scorer. */
#include "botmod.h"

#include "fs_queue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fiu.h>

#include "fs_json.h"
#include "fs_dep.h"
#include "fs_poll.h"

#define JSON_TYPE "application/json"

struct fs_botmod_s {
    fs_botmod_config_t cfg;
    fs_service_t *svc;
    const fs_log_t *log;
    fs_scorer_t *scorer;
    fs_poll_t *poll;
    fs_dep_t configstore; /* the poller's calls */
    fs_queue_t *queue;    /* the module's capacity, see fs_queue.h */
    /* Answers this node failed (5xx) since the last health report. */
    uint64_t errors, errors_reported;
};

fs_scorer_on_bad_t fs_botmod_default_on_bad(fs_posture_t posture, fs_botmod_engine_t engine)
{
    if (posture == FS_POSTURE_HARDENED)
        return FS_SCORER_REJECT;
    return engine == FS_BOTMOD_ENGINE_OLD ? FS_SCORER_ZERO : FS_SCORER_PANIC;
}

const char *fs_botmod_engine_name(fs_botmod_engine_t e)
{
    return e == FS_BOTMOD_ENGINE_OLD ? "old" : "new";
}

int fs_botmod_token_ok(const char *s)
{
    size_t n = 0;

    if (s == NULL || strncmp(s, "tok-", 4) != 0)
        return 0;
    for (s += 4; s[n]; n++) {
        char c = s[n];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return 0;
    }
    return n >= 1 && n <= FS_BOTMOD_TOKEN_MAX;
}

/* {"error":msg}, escaped by cJSON: messages quote the caller's input. */
static void fs__botmod_error(fs_botmod_t *b, fs_http_req_t *req, int status, const char *msg)
{
    cJSON *o = cJSON_CreateObject();
    char *text = o && cJSON_AddStringToObject(o, "error", msg) ? cJSON_PrintUnformatted(o) : NULL;

    if (status >= 500)
        b->errors++;
    if (text)
        fs_http_respond(req, status, JSON_TYPE, NULL, text, strlen(text));
    else
        fs_http_respondf(req, status, JSON_TYPE, NULL, "{\"error\":\"out of memory\"}");
    free(text);
    cJSON_Delete(o);
}

/* Parses the body as a JSON object; an empty body is an empty object, since
 * every score field is optional. Returns 0 or answers 400 and returns <0. */
static int fs__botmod_body(fs_botmod_t *b, fs_http_req_t *req, cJSON **root)
{
    char err[256], msg[300];
    size_t len;
    const char *body = fs_http_req_body(req, &len);
    int rc = fs_json_parse(body, len, FS_HTTP_MAX_BODY, root, err, sizeof(err));

    if (rc == -ENODATA)
        *root = cJSON_CreateObject();
    else if (rc < 0) {
        snprintf(msg, sizeof(msg), "body: %s", err);
        fs__botmod_error(b, req, 400, msg);
        return rc;
    }
    if (*root == NULL) {
        fs__botmod_error(b, req, 500, "out of memory");
        return -ENOMEM;
    }
    return 0;
}

static void fs__botmod_score_route(fs_botmod_t *b, fs_http_req_t *req, int verify)
{
    const cJSON *token = NULL;
    fs_score_req_t sr;
    cJSON *root = NULL;
    uint64_t version;
    char err[256];
    int score, ok;

    if (fs_http_req_method(req) != HTTP_POST) {
        fs_http_respondf(req, 405, JSON_TYPE, "Allow: POST\r\n",
                         "{\"error\":\"method not allowed\"}");
        return;
    }
    if (fiu_fail("botmod/score")) {
        fs__botmod_error(b, req, 500, "injected failure (botmod/score)");
        return;
    }
    if (fs__botmod_body(b, req, &root) < 0)
        return;
    if (fs_score_req_from_json(root, &sr, err, sizeof(err)) < 0) {
        fs__botmod_error(b, req, 400, err);
        goto out;
    }
    if (verify) {
        token = cJSON_GetObjectItemCaseSensitive(root, "token");
        if (token && !cJSON_IsNull(token) && !cJSON_IsString(token)) {
            fs__botmod_error(b, req, 400, "$.token: expected a string");
            goto out;
        }
    }
    score = fs_scorer_score(b->scorer, &sr, &version);
    if (!verify) {
        fs_http_respondf(req, 200, JSON_TYPE, NULL, "{\"score\":%d,\"config_version\":%llu}", score,
                         (unsigned long long)version);
        goto out;
    }
    ok = cJSON_IsString(token) && fs_botmod_token_ok(token->valuestring) &&
         score >= FS_BOTMOD_CHALLENGE_MIN;
    fs_http_respondf(req, ok ? 200 : 403, JSON_TYPE, NULL, "{\"ok\":%s,\"score\":%d}",
                     ok ? "true" : "false", score);
out:
    cJSON_Delete(root);
}

/* A scoring request whose turn has come. */
static void fs__botmod_serve_cb(fs_http_req_t *req, void *data)
{
    fs__botmod_score_route(data, req, strcmp(fs_http_req_path(req), "/v1/challenge/verify") == 0);
}

static void fs__botmod_route_cb(fs_http_req_t *req, void *data)
{
    fs_botmod_t *b = data;
    const char *path = fs_http_req_path(req);

    if (path && (strcmp(path, "/v1/score") == 0 || strcmp(path, "/v1/challenge/verify") == 0)) {
        /* A request read after the stop began finds the queue closed. */
        if (b->queue == NULL)
            fs_http_respondf(req, 503, JSON_TYPE, NULL, "{\"error\":\"shutting down\"}");
        else
            fs_queue_submit(b->queue, req);
    } else
        fs_http_respondf(req, 404, JSON_TYPE, NULL, "{\"error\":\"not found\"}");
}

static int fs__botmod_apply_cb(uint64_t version, const char *blob, size_t len, void *data)
{
    fs_botmod_t *b = data;

    return fs_scorer_apply(b->scorer, version, blob, len);
}

static uint64_t fs__botmod_errors_cb(void *data)
{
    fs_botmod_t *b = data;
    uint64_t n = b->errors - b->errors_reported;

    b->errors_reported = b->errors;
    return n;
}

static void fs__botmod_stop_cb(void *data)
{
    fs_botmod_t *b = data;

    if (b->poll) {
        fs_poll_close(b->poll);
        b->poll = NULL;
    }
    fs_queue_close(b->queue);
    b->queue = NULL;
}

static int fs__botmod_start(fs_botmod_t *b, uv_loop_t *loop, const fs_cli_common_t *cli, char *err,
                            size_t errlen)
{
    fs_scorer_config_t sc;
    fs_poll_config_t pc;
    int rc;

    memset(&sc, 0, sizeof(sc));
    sc.on_bad = b->cfg.on_bad_config;
    sc.defaults = cli->posture == FS_POSTURE_HARDENED;
    sc.key = FS_BOTMOD_KEY;
    sc.log = b->log;
    sc.version = fs_service_config_version(b->svc, FS_BOTMOD_KEY);
    sc.rejected = fs_service_config_rejected(b->svc, FS_BOTMOD_KEY);
    sc.fallback = fs_service_fallbacks(b->svc, "builtin_defaults");
    if (!sc.version || !sc.rejected || !sc.fallback ||
        fs_dep_init(&b->configstore, fs_service_metrics(b->svc), "configstore") < 0 ||
        (rc = fs_scorer_new(&sc, &b->scorer)) < 0) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    memset(&pc, 0, sizeof(pc));
    pc.key = FS_BOTMOD_KEY;
    pc.dep = &b->configstore;
    pc.node = cli->node;
    pc.configstore = (const struct sockaddr *)&b->cfg.configstore;
    pc.interval_ms = b->cfg.poll_ms;
    pc.timeout_ms = b->cfg.config_timeout_ms;
    pc.fetch_point = "botmod/config/fetch";
    pc.apply = fs__botmod_apply_cb;
    pc.errors = fs__botmod_errors_cb;
    pc.data = b;
    if ((rc = fs_poll_start(loop, &pc, b->log, &b->poll)) < 0) {
        snprintf(err, errlen, "%s poll: %s", FS_BOTMOD_KEY, strerror(-rc));
        return rc;
    }
    return 0;
}

int fs_botmod_new(uv_loop_t *loop, const fs_cli_common_t *cli, const fs_botmod_config_t *cfg,
                  fs_botmod_t **out, char *err, size_t errlen)
{
    fs_service_config_t scfg;
    fs_queue_config_t qcfg = {0};
    fs_botmod_t *b;
    int rc;

    *out = NULL;
    if (cli->node == NULL || cfg->poll_ms == 0) {
        snprintf(err, errlen, "%s", cli->node ? "poll interval must be > 0" : "node id required");
        return -EINVAL;
    }
    if ((b = calloc(1, sizeof(*b))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    b->cfg = *cfg;
    qcfg.capacity = cfg->capacity;
    qcfg.service_ms = cfg->service_ms;
    qcfg.queue_timeout_ms = cfg->queue_timeout_ms;
    if ((rc = fs_queue_new(loop, &qcfg, fs__botmod_serve_cb, b, &b->queue)) < 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    memset(&scfg, 0, sizeof(scfg));
    scfg.name = "botmod";
    scfg.cli = cli;
    scfg.handler = fs__botmod_route_cb;
    scfg.data = b;
    if ((rc = fs_service_new(loop, &scfg, &b->svc, err, errlen)) < 0)
        goto fail;
    b->log = fs_service_log(b->svc);
    fs_queue_observe(b->queue, fs_service_fallbacks(b->svc, "shed"),
                     fs_metrics_series(fs_service_metrics(b->svc), FS_METRIC_GAUGE,
                                       "failsmall_queue_depth", "requests waiting for a slot",
                                       NULL));
    fs_service_on_stop(b->svc, fs__botmod_stop_cb, b);
    if ((rc = fs__botmod_start(b, loop, cli, err, errlen)) < 0) {
        /* Nothing has been served yet: once stopped, the handles close and
         * free themselves on the loop without referring to b. */
        fs_service_stop(b->svc);
        goto fail;
    }
    fs_log(b->log, FS_LOG_INFO, "botmod_ready",
           "engine=%s on_bad_config=%s poll_ms=%llu config_timeout_ms=%llu table=%s capacity=%llu "
           "service_ms=%llu queue_timeout_ms=%llu",
           fs_botmod_engine_name(cfg->engine), fs_scorer_on_bad_name(cfg->on_bad_config),
           (unsigned long long)cfg->poll_ms, (unsigned long long)cfg->config_timeout_ms,
           cli->posture == FS_POSTURE_HARDENED ? "builtin_defaults" : "empty",
           (unsigned long long)cfg->capacity, (unsigned long long)cfg->service_ms,
           (unsigned long long)cfg->queue_timeout_ms);
    *out = b;
    return 0;

fail:
    fs_botmod_free(b);
    return rc;
}

fs_service_t *fs_botmod_service(fs_botmod_t *b)
{
    return b->svc;
}

fs_scorer_t *fs_botmod_scorer(fs_botmod_t *b)
{
    return b->scorer;
}

void fs_botmod_free(fs_botmod_t *b)
{
    if (b == NULL)
        return;
    fs_scorer_free(b->scorer);
    fs_service_free(b->svc);
    fs_queue_close(b->queue); /* still open only if the service never started */
    free(b);
}
