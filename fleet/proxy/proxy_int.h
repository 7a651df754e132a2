/* Internals shared by proxy.c (lifecycle) and proxy_req.c (requests). */
#ifndef FS_PROXY_INT_H
#define FS_PROXY_INT_H

#include "proxy.h"

#include "fs_http.h"
#include "fs_log.h"
#include "fs_dep.h"
#include "fs_metrics.h"
#include "fs_poll.h"

typedef enum { FS__PROXY_BOTMOD, FS__PROXY_ORIGIN, FS__PROXY_DEPS } fs__proxy_dep_t;

/* A call attempt's outcome, as the metrics label it. */
typedef struct fs__proxy_req_s fs__proxy_req_t;

/* Log lines that could come once per request are limited to one a second;
 * the next one says how many were left out. */
typedef struct {
    uint64_t last_ms;
    uint64_t suppressed;
    int primed;
} fs__proxy_ratelimit_t;

struct fs_proxy_s {
    uv_loop_t *loop;
    fs_proxy_config_t cfg;
    char *node;
    fs_service_t *svc;
    const fs_log_t *log;
    fs_poll_t *poll;
    fs_http_client_t *client[FS__PROXY_DEPS];
    fs_retry_t *retry[FS__PROXY_DEPS];
    fs_waf_rules_t *rules; /* NULL until a valid file loads */
    uint64_t rules_version;
    uint64_t waf_errors, waf_errors_reported;
    fs__proxy_ratelimit_t waf_log, fallback_log, match_log;
    fs__proxy_req_t *head; /* requests in flight */
    int stopping;
    fs_dep_t m_deps[FS__PROXY_DEPS];
    fs_dep_t m_configstore;                    /* the WAF rules poller's calls */
    fs_metric_t *m_fallbacks[FS_DEP_OUTCOMES]; /* per botmod failure outcome */
    fs_metric_t *m_version, *m_rejected, *m_waf_errors;
};

/* The service's handler for every route but the probes. */
void fs__proxy_req_cb(fs_http_req_t *req, void *data);

/* Answers an in-flight request with 503 and frees it (on stop). */
void fs__proxy_req_abort(fs__proxy_req_t *r);

const char *fs__proxy_dep_name(fs__proxy_dep_t dep);

#endif
