#include "origin.h"

#include "fs_queue.h"

#include <errno.h>
#include <fiu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORIGIN_BODY "origin ok\n"
#define JSON_TYPE   "application/json"

struct fs_origin_s {
    fs_service_t *svc;
    uv_loop_t *loop;
    fs_origin_config_t cfg;
    fs_queue_t *queue; /* the latency as a service time, and the capacity */
    int stopped;
};

static void serve_cb(fs_http_req_t *req, void *data)
{
    (void)data;
    fs_http_respond(req, 200, "text/plain", NULL, ORIGIN_BODY, sizeof(ORIGIN_BODY) - 1);
}

static void handle_cb(fs_http_req_t *req, void *data)
{
    fs_origin_t *o = data;

    if (fs_http_req_method(req) != HTTP_GET) {
        fs_http_respondf(req, 405, JSON_TYPE, "Allow: GET\r\n",
                         "{\"error\":\"method not allowed\"}");
        return;
    }
    if (fiu_fail("origin/serve")) {
        fs_http_respondf(req, 500, JSON_TYPE, NULL, "{\"error\":\"injected failure\"}");
        return;
    }
    if (o->stopped) {
        fs_http_respondf(req, 503, JSON_TYPE, NULL, "{\"error\":\"shutting down\"}");
        return;
    }
    fs_queue_submit(o->queue, req);
}

/* The listener is closed by now; answering what still waits (a no-op write
 * on a closed connection, but it releases the request) and closing the
 * timers lets the loop drain without leaks. */
static void stop_cb(void *data)
{
    fs_origin_t *o = data;

    o->stopped = 1;
    fs_queue_close(o->queue);
    o->queue = NULL;
}

void fs_origin_config_default(fs_origin_config_t *cfg, fs_posture_t posture)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->queue_timeout_ms = posture == FS_POSTURE_HARDENED ? FS_ORIGIN_QUEUE_TIMEOUT_HARDENED : 0;
}

int fs_origin_new(uv_loop_t *loop, const fs_cli_common_t *cli, const fs_origin_config_t *cfg,
                  fs_origin_t **out, char *err, size_t errlen)
{
    fs_service_config_t scfg = {.name = "origin", .cli = cli, .handler = handle_cb};
    fs_queue_config_t qcfg = {0};
    fs_origin_t *o;
    int rc;

    *out = NULL;
    if (cfg->latency_ms > FS_ORIGIN_LATENCY_MAX) {
        snprintf(err, errlen, "latency %llu ms is over %d ms", (unsigned long long)cfg->latency_ms,
                 FS_ORIGIN_LATENCY_MAX);
        return -EINVAL;
    }
    o = calloc(1, sizeof(*o));
    if (o == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    o->loop = loop;
    o->cfg = *cfg;
    scfg.data = o;
    qcfg.capacity = cfg->capacity;
    qcfg.service_ms = cfg->latency_ms;
    qcfg.queue_timeout_ms = cfg->queue_timeout_ms;
    if ((rc = fs_queue_new(loop, &qcfg, serve_cb, o, &o->queue)) < 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    rc = fs_service_new(loop, &scfg, &o->svc, err, errlen);
    if (rc < 0)
        goto fail;
    fs_queue_observe(o->queue, fs_service_fallbacks(o->svc, "shed"),
                     fs_metrics_series(fs_service_metrics(o->svc), FS_METRIC_GAUGE,
                                       "failsmall_queue_depth", "requests waiting for a slot",
                                       NULL));
    fs_log(fs_service_log(o->svc), FS_LOG_INFO, "origin_config",
           "latency_ms=%llu capacity=%llu queue_timeout_ms=%llu",
           (unsigned long long)cfg->latency_ms, (unsigned long long)cfg->capacity,
           (unsigned long long)cfg->queue_timeout_ms);
    fs_service_on_stop(o->svc, stop_cb, o);
    *out = o;
    return 0;

fail:
    fs_queue_close(o->queue); /* nothing queued yet: frees at once */
    free(o);
    return rc;
}

fs_service_t *fs_origin_service(fs_origin_t *o)
{
    return o->svc;
}

size_t fs_origin_pending(const fs_origin_t *o)
{
    return o->queue ? fs_queue_pending(o->queue) : 0;
}

void fs_origin_free(fs_origin_t *o)
{
    if (o == NULL)
        return;
    fs_service_free(o->svc);
    free(o);
}
