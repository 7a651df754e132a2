/* The config poller every edge service runs: one fetch at a time on a
 * timer, apply on a new version, then a health report for the version in
 * hand so that a staged rollout can gate on this node.
 *
 * A 200 without X-Config-Version is offered as version 0, "unversioned":
 * whatever the dependency answered (an empty body, when its DNS record is
 * empty). Treating it as a failed fetch would hide exactly the failure of
 * 2025-10-20, where services trusted what the dependency said; the service
 * decides, and a hardened one rejects it and keeps its last known good. */
#include "fs_poll.h"

#include "fs_dep.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fiu.h>

#include "fs_http.h"

#define FS_POLL_REJECTED 8 /* versions remembered as rejected */
#define FS_POLL_ID_MAX   128

struct fs_poll_s {
    uv_timer_t timer;
    fs_http_client_t *client;
    fs_log_t log;
    char *key, *node, *fetch_point, *target;
    uint64_t timeout_ms;
    fs_poll_apply_cb apply;
    fs_poll_errors_cb errors;
    void *data;
    fs_dep_t *dep;
    int busy;    /* a fetch or its report is in flight: ticks are skipped */
    int closing; /* callbacks only return from now on */
    int failing; /* the last fetch failed: repeat failures log at debug */
    uint64_t offered, applied;
    int has_offered; /* offered is meaningful: version 0 is a real offer */
    int offered_rc;
    /* A rejected version that comes back (after a rollback and a new
     * rollout, or a flapping staged stage) is reported, not re-applied:
     * applying a known-bad file again gains nothing and may cost a crash. */
    uint64_t rejected[FS_POLL_REJECTED];
    unsigned nrejected;
};

/* Key and node go into a URL and a JSON body unescaped, so only the
 * characters the protocol allows get through. */
static int fs__poll_valid_id(const char *s, const char *extra)
{
    size_t n = 0;

    for (; s[n]; n++) {
        char c = s[n];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || strchr(extra, c)))
            return 0;
    }
    return n >= 1 && n <= FS_POLL_ID_MAX;
}

static int fs__poll_was_rejected(const fs_poll_t *p, uint64_t v)
{
    unsigned n = p->nrejected < FS_POLL_REJECTED ? p->nrejected : FS_POLL_REJECTED;

    for (unsigned i = 0; i < n; i++) {
        if (p->rejected[i] == v)
            return 1;
    }
    return 0;
}

static void fs__poll_failed(fs_poll_t *p, const char *reason)
{
    fs_log(&p->log, p->failing ? FS_LOG_DEBUG : FS_LOG_WARN, "config_fetch_failed",
           "key=%s reason=%s", p->key, reason);
    p->failing = 1;
}

static void fs__poll_report_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fs_poll_t *p = data;

    (void)resp;
    if (p->closing || status == -ECANCELED)
        return;
    p->busy = 0;
    fs_dep_count(p->dep, fs_dep_classify(status));
    if (status != 204)
        fs_log(&p->log, FS_LOG_DEBUG, "health_report_failed", "key=%s status=%d", p->key, status);
}

static void fs__poll_report(fs_poll_t *p, uint64_t version, int ok)
{
    uint64_t errors = p->errors ? p->errors(p->data) : 0;
    fs_http_call_t call = {0};
    char body[320];
    int n;

    if (p->node == NULL)
        return;
    n = snprintf(body, sizeof(body),
                 "{\"node\":\"%s\",\"key\":\"%s\",\"version\":%" PRIu64
                 ",\"ok\":%s,\"errors\":%" PRIu64 "}",
                 p->node, p->key, version, ok && errors == 0 ? "true" : "false", errors);
    call.method = "POST";
    call.target = "/v1/health";
    call.headers = "Content-Type: application/json\r\n";
    call.body = body;
    call.body_len = (size_t)n;
    call.timeout_ms = p->timeout_ms;
    if (fs_http_client_request(p->client, &call, fs__poll_report_cb, p) == 0)
        p->busy = 1;
}

/* Hands a newly offered version to the service, unless it was rejected
 * before. Returns the service's verdict. Version 0 (unversioned) is offered
 * once per run of unversioned answers, like any version. */
static int fs__poll_offer(fs_poll_t *p, uint64_t v, const char *blob, size_t len)
{
    int rc;

    if (p->has_offered && v == p->offered)
        return p->offered_rc;
    if (v == 0)
        fs_log(&p->log, FS_LOG_WARN, "config_unversioned",
               "key=%s bytes=%zu reason=\"200 without X-Config-Version\"", p->key, len);
    if (fs__poll_was_rejected(p, v)) {
        fs_log(&p->log, FS_LOG_DEBUG, "config_skipped",
               "key=%s version=%" PRIu64 " reason=\"rejected before\"", p->key, v);
        rc = -EINVAL;
    } else {
        rc = p->apply(v, blob, len, p->data);
        if (rc == 0) {
            p->applied = v;
            fs_log(&p->log, FS_LOG_INFO, "config_applied", "key=%s version=%" PRIu64, p->key, v);
        } else {
            p->rejected[p->nrejected++ % FS_POLL_REJECTED] = v;
        }
    }
    p->offered = v;
    p->has_offered = 1;
    p->offered_rc = rc;
    return rc;
}

static void fs__poll_fetch_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fs_poll_t *p = data;
    const char *hv, *blob;
    char reason[64], *end;
    unsigned long long v;
    size_t len;
    int rc;

    if (p->closing || status == -ECANCELED)
        return;
    p->busy = 0;
    fs_dep_count(p->dep, fs_dep_classify(status));
    if (status < 0) {
        fs__poll_failed(p, strerror(-status));
        return;
    }
    if (status == 404) { /* never published: nothing to apply, nothing to report */
        p->failing = 0;
        return;
    }
    if (status != 200) {
        snprintf(reason, sizeof(reason), "\"status %d\"", status);
        fs__poll_failed(p, reason);
        return;
    }
    hv = fs_http_resp_header(resp, "X-Config-Version");
    if (hv == NULL) {
        v = 0; /* unversioned: offered all the same */
    } else {
        errno = 0;
        v = *hv >= '0' && *hv <= '9' ? strtoull(hv, &end, 10) : 0;
        if (v == 0 || errno != 0 || *end != '\0') {
            fs__poll_failed(p, "\"bad X-Config-Version\"");
            return;
        }
    }
    if (p->failing)
        fs_log(&p->log, FS_LOG_INFO, "config_fetch_recovered", "key=%s", p->key);
    p->failing = 0;
    blob = fs_http_resp_body(resp, &len);
    rc = fs__poll_offer(p, (uint64_t)v, blob, len);
    if (!p->closing)
        fs__poll_report(p, (uint64_t)v, rc == 0);
}

static void fs__poll_timer_cb(uv_timer_t *t)
{
    fs_poll_t *p = t->data;
    fs_http_call_t call = {0};
    int rc;

    if (p->busy || p->closing)
        return;
    if (p->fetch_point && fiu_fail(p->fetch_point)) {
        fs_log(&p->log, FS_LOG_DEBUG, "config_fetch_failed", "key=%s reason=injected point=%s",
               p->key, p->fetch_point);
        fs_dep_count(p->dep, FS_DEP_ERROR);
        return;
    }
    call.method = "GET";
    call.target = p->target;
    call.timeout_ms = p->timeout_ms;
    rc = fs_http_client_request(p->client, &call, fs__poll_fetch_cb, p);
    if (rc < 0) {
        fs__poll_failed(p, strerror(-rc));
        return;
    }
    p->busy = 1;
}

static void fs__poll_free(fs_poll_t *p)
{
    free(p->key);
    free(p->node);
    free(p->fetch_point);
    free(p->target);
    free(p);
}

static void fs__poll_close_cb(uv_handle_t *h)
{
    fs__poll_free(h->data);
}

int fs_poll_start(uv_loop_t *loop, const fs_poll_config_t *cfg, const fs_log_t *log,
                  fs_poll_t **out)
{
    fs_poll_t *p = NULL;
    size_t tlen;
    int rc;

    *out = NULL;
    if (cfg->key == NULL || !fs__poll_valid_id(cfg->key, "./") ||
        (cfg->node && !fs__poll_valid_id(cfg->node, "")) || cfg->configstore == NULL ||
        cfg->apply == NULL || cfg->interval_ms == 0)
        return -EINVAL;
    rc = -ENOMEM;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        goto fail;
    p->log = *log;
    p->timeout_ms = cfg->timeout_ms;
    p->apply = cfg->apply;
    p->errors = cfg->errors;
    p->data = cfg->data;
    p->dep = cfg->dep;
    p->key = strdup(cfg->key);
    p->node = cfg->node ? strdup(cfg->node) : NULL;
    p->fetch_point = cfg->fetch_point ? strdup(cfg->fetch_point) : NULL;
    tlen = strlen(cfg->key) + (cfg->node ? strlen(cfg->node) : 0) + 32;
    p->target = malloc(tlen);
    if (p->key == NULL || (cfg->node && p->node == NULL) ||
        (cfg->fetch_point && p->fetch_point == NULL) || p->target == NULL)
        goto fail;
    if (cfg->node)
        snprintf(p->target, tlen, "/v1/config/%s?node=%s", cfg->key, cfg->node);
    else
        snprintf(p->target, tlen, "/v1/config/%s", cfg->key);
    rc = fs_http_client_new(loop, cfg->configstore, &p->client);
    if (rc < 0)
        goto fail;
    /* Nothing below can fail once the timer is initialised: from then on
     * p is freed by its close callback. */
    uv_timer_init(loop, &p->timer);
    p->timer.data = p;
    uv_timer_start(&p->timer, fs__poll_timer_cb, 0, cfg->interval_ms);
    *out = p;
    return 0;

fail:
    if (p) {
        if (p->client)
            fs_http_client_close(p->client);
        fs__poll_free(p);
    }
    return rc;
}

uint64_t fs_poll_applied_version(const fs_poll_t *p)
{
    return p->applied;
}

void fs_poll_close(fs_poll_t *p)
{
    if (p == NULL || p->closing)
        return;
    p->closing = 1;
    uv_timer_stop(&p->timer);
    fs_http_client_close(p->client);
    uv_close((uv_handle_t *)&p->timer, fs__poll_close_cb);
}
