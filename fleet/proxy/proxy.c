/* The proxy's lifecycle: knobs, metrics, the waf/rules poll and its apply
 * callback, and a stop that closes every handle the proxy owns. The request
 * state machine lives in proxy_req.c. */
#include "proxy_int.h"

#include <errno.h>
#include <fiu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fs__proxy_deps[FS__PROXY_DEPS] = {"botmod", "origin"};

void fs_proxy_config_default(fs_proxy_config_t *cfg, fs_posture_t posture)
{
    int hardened = posture == FS_POSTURE_HARDENED;

    memset(cfg, 0, sizeof(*cfg));
    cfg->engine = FS_WAF_ENGINE_NEW;
    cfg->bot_fail_open = hardened;
    cfg->deadline_ms = hardened ? 200 : 0;
    cfg->origin_deadline_ms = hardened ? 2000 : 0;
    cfg->retries = hardened ? FS_RETRY_BUDGET : FS_RETRY_IMMEDIATE;
    cfg->max_retries = hardened ? 2 : 3;
    cfg->retry_budget = 0.1;
    cfg->default_score = 50;
    cfg->threshold = 30;
    cfg->nil_guard = hardened;
    cfg->poll_ms = 200;
}

uint64_t fs_proxy_seed(const char *node)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (const unsigned char *s = (const unsigned char *)(node ? node : ""); *s; s++) {
        h ^= *s;
        h *= 0x100000001b3ull;
    }
    return h;
}

const char *fs__proxy_dep_name(fs__proxy_dep_t dep)
{
    return fs__proxy_deps[dep];
}

static int fs__proxy_apply_cb(uint64_t version, const char *blob, size_t len, void *data)
{
    fs_proxy_t *p = data;
    fs_waf_rules_t *rules = NULL;
    char err[256], qerr[300];
    int rc;

    if (fiu_fail("proxy/config/load")) {
        snprintf(err, sizeof(err), "injected load failure (proxy/config/load)");
        rc = -EIO;
    } else {
        rc = fs_waf_rules_parse(blob, len, &rules, err, sizeof(err));
    }
    if (rc < 0) {
        fs_metric_add(p->m_rejected, 1);
        fs_log(p->log, FS_LOG_WARN, "config_rejected", "key=%s version=%llu bytes=%zu error=%s",
               FS_PROXY_RULES_KEY, (unsigned long long)version, len,
               fs_log_quote(qerr, sizeof(qerr), err));
        return rc;
    }
    fs_waf_rules_free(p->rules);
    p->rules = rules;
    p->rules_version = version;
    /* Errors seen under the previous rules must not fail the new version's
     * health report. */
    p->waf_errors_reported = p->waf_errors;
    fs_metric_set(p->m_version, (double)version);
    fs_log(p->log, FS_LOG_INFO, "waf_rules_loaded",
           "key=%s version=%llu rules=%zu killswitched=%zu engine=%s nil_guard=%s",
           FS_PROXY_RULES_KEY, (unsigned long long)version, fs_waf_rules_count(rules),
           fs_waf_rules_killed(rules), fs_waf_engine_name(p->cfg.engine),
           p->cfg.nil_guard ? "on" : "off");
    return 0;
}

/* What the rollout gates on: WAF errors since the last health report. */
static uint64_t fs__proxy_errors_cb(void *data)
{
    fs_proxy_t *p = data;
    uint64_t n = p->waf_errors - p->waf_errors_reported;

    p->waf_errors_reported = p->waf_errors;
    return n;
}

static void fs__proxy_stop_cb(void *data)
{
    fs_proxy_t *p = data;

    p->stopping = 1;
    if (p->poll) {
        fs_poll_close(p->poll);
        p->poll = NULL;
    }
    /* Cancelling the clients fires every pending call's callback, which
     * answers and frees its request; what is left waits in a backoff. */
    for (int d = 0; d < FS__PROXY_DEPS; d++) {
        if (p->client[d]) {
            fs_http_client_t *c = p->client[d];

            p->client[d] = NULL;
            fs_http_client_close(c);
        }
    }
    while (p->head)
        fs__proxy_req_abort(p->head);
}

static int fs__proxy_metrics(fs_proxy_t *p)
{
    fs_metrics_t *m = fs_service_metrics(p->svc);
    char labels[96];

    for (int d = 0; d < FS__PROXY_DEPS; d++) {
        if (fs_dep_init(&p->m_deps[d], m, fs__proxy_deps[d]) < 0)
            return -ENOMEM;
    }
    if (fs_dep_init(&p->m_configstore, m, "configstore") < 0)
        return -ENOMEM;
    for (int o = FS_DEP_ERROR; o < FS_DEP_OUTCOMES; o++) {
        snprintf(labels, sizeof(labels), "botmod-%s", fs_dep_outcome_name(o));
        if ((p->m_fallbacks[o] = fs_service_fallbacks(p->svc, labels)) == NULL)
            return -ENOMEM;
    }
    p->m_version = fs_service_config_version(p->svc, FS_PROXY_RULES_KEY);
    p->m_rejected = fs_service_config_rejected(p->svc, FS_PROXY_RULES_KEY);
    p->m_waf_errors = fs_metrics_series(m, FS_METRIC_COUNTER, "failsmall_waf_errors_total",
                                        "Requests whose WAF evaluation failed.", NULL);
    return p->m_version && p->m_rejected && p->m_waf_errors ? 0 : -ENOMEM;
}

static int fs__proxy_start(fs_proxy_t *p, char *err, size_t errlen)
{
    fs_retry_config_t rc_cfg;
    fs_poll_config_t poll;
    const struct sockaddr *up[FS__PROXY_DEPS] = {(const struct sockaddr *)&p->cfg.botmod,
                                                 (const struct sockaddr *)&p->cfg.origin};
    int rc;

    if ((rc = fs__proxy_metrics(p)) < 0) {
        snprintf(err, errlen, "out of memory");
        return rc;
    }
    fs_retry_config_default(&rc_cfg, p->cfg.retries);
    rc_cfg.max_retries = p->cfg.max_retries;
    rc_cfg.budget_ratio = p->cfg.retry_budget;
    rc_cfg.fixed_delay_ms = p->cfg.retry_delay_ms;
    for (int d = 0; d < FS__PROXY_DEPS; d++) {
        /* One budget per dependency, so a failing botmod cannot spend the
         * origin's retries; distinct seeds keep their jitter apart. */
        if ((rc = fs_retry_new(&rc_cfg, p->cfg.seed + (uint64_t)d, &p->retry[d])) < 0) {
            snprintf(err, errlen, "retry policy: %s", strerror(-rc));
            return rc;
        }
        if ((rc = fs_http_client_new(p->loop, up[d], &p->client[d])) < 0) {
            snprintf(err, errlen, "%s client: %s", fs__proxy_deps[d], strerror(-rc));
            return rc;
        }
    }
    memset(&poll, 0, sizeof(poll));
    poll.key = FS_PROXY_RULES_KEY;
    poll.dep = &p->m_configstore;
    poll.node = p->node;
    poll.configstore = (const struct sockaddr *)&p->cfg.configstore;
    poll.interval_ms = p->cfg.poll_ms;
    poll.timeout_ms = 1000;
    poll.fetch_point = "proxy/config/fetch";
    poll.apply = fs__proxy_apply_cb;
    poll.errors = fs__proxy_errors_cb;
    poll.data = p;
    if ((rc = fs_poll_start(p->loop, &poll, p->log, &p->poll)) < 0) {
        snprintf(err, errlen, "waf/rules poll: %s", strerror(-rc));
        return rc;
    }
    fs_service_on_stop(p->svc, fs__proxy_stop_cb, p);
    fs_log(p->log, FS_LOG_INFO, "proxy_ready",
           "engine=%s bot_failure=%s deadline_ms=%llu origin_deadline_ms=%llu "
           "attempt_timeout_ms=%llu retry_delay_ms=%llu retries=%s "
           "max_retries=%u retry_budget=%g threshold=%u default_score=%u nil_guard=%s",
           fs_waf_engine_name(p->cfg.engine), p->cfg.bot_fail_open ? "open" : "closed",
           (unsigned long long)p->cfg.deadline_ms, (unsigned long long)p->cfg.origin_deadline_ms,
           (unsigned long long)p->cfg.attempt_timeout_ms, (unsigned long long)p->cfg.retry_delay_ms,
           fs_retry_mode_name(p->cfg.retries), p->cfg.max_retries, p->cfg.retry_budget,
           p->cfg.threshold, p->cfg.default_score, p->cfg.nil_guard ? "on" : "off");
    return 0;
}

int fs_proxy_new(uv_loop_t *loop, const fs_cli_common_t *cli, const fs_proxy_config_t *cfg,
                 fs_proxy_t **out, char *err, size_t errlen)
{
    fs_service_config_t scfg;
    fs_proxy_t *p;
    int rc = -ENOMEM;

    *out = NULL;
    /* The id goes into headers and labels: the CLI's rule, enforced here
     * for callers that skip the CLI. */
    if (cli->node == NULL || strlen(cli->node) < 1 || strlen(cli->node) > 32 ||
        strspn(cli->node, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
            strlen(cli->node)) {
        snprintf(err, errlen, "--node: expected 1 to 32 letters, digits, '-' or '_'");
        return -EINVAL;
    }
    if ((p = calloc(1, sizeof(*p))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    p->loop = loop;
    p->cfg = *cfg;
    if ((p->node = strdup(cli->node)) == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    memset(&scfg, 0, sizeof(scfg));
    scfg.name = "proxy";
    scfg.cli = cli;
    scfg.handler = fs__proxy_req_cb;
    scfg.data = p;
    if ((rc = fs_service_new(loop, &scfg, &p->svc, err, errlen)) < 0)
        goto fail;
    p->log = fs_service_log(p->svc);
    if ((rc = fs__proxy_start(p, err, errlen)) < 0) {
        /* Nothing has been served yet, so once stopped no handle refers to
         * p or the service: they close and free themselves on the loop. */
        fs_service_on_stop(p->svc, fs__proxy_stop_cb, p);
        fs_service_stop(p->svc);
        goto fail;
    }
    *out = p;
    return 0;
fail:
    fs_proxy_free(p);
    return rc;
}

fs_service_t *fs_proxy_service(fs_proxy_t *p)
{
    return p->svc;
}

uint64_t fs_proxy_rules_version(const fs_proxy_t *p)
{
    return p->rules_version;
}

uint64_t fs_proxy_waf_errors(const fs_proxy_t *p)
{
    return p->waf_errors;
}

void fs_proxy_free(fs_proxy_t *p)
{
    if (p == NULL)
        return;
    for (int d = 0; d < FS__PROXY_DEPS; d++)
        fs_retry_free(p->retry[d]);
    fs_waf_rules_free(p->rules);
    fs_service_free(p->svc);
    free(p->node);
    free(p);
}
