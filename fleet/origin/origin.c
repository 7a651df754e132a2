#include "origin.h"

#include <errno.h>
#include <fiu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORIGIN_BODY "origin ok\n"
#define JSON_TYPE   "application/json"

/* A GET waiting out the latency. Each has its own timer so that requests
 * overlap freely; those in service sit on a list so a stop can answer them.
 * With a capacity, a request first waits for a free slot on a FIFO queue:
 * the latency is then a service time, and a backend pushed past its
 * capacity answers later and later instead of failing. */
typedef struct fs__origin_wait_s {
    uv_timer_t timer;
    fs_http_req_t *req;
    fs_origin_t *origin;
    uint64_t queued_at; /* loop ms */
    struct fs__origin_wait_s *prev, *next;
} fs__origin_wait_t;

struct fs_origin_s {
    fs_service_t *svc;
    uv_loop_t *loop;
    fs_origin_config_t cfg;
    fs__origin_wait_t *waiting;       /* in service */
    fs__origin_wait_t *queue, *qtail; /* waiting for a slot, oldest first */
    size_t pending, queued;
    fs_metric_t *m_shed, *m_queue;
    int stopped;
};

static void wait_admit(fs_origin_t *o);

static void wait_unlink(fs__origin_wait_t *w)
{
    fs_origin_t *o = w->origin;

    if (w->prev)
        w->prev->next = w->next;
    else
        o->waiting = w->next;
    if (w->next)
        w->next->prev = w->prev;
    w->prev = w->next = NULL;
    o->pending--;
}

static void wait_free_cb(uv_handle_t *h)
{
    free(h->data);
}

static void wait_answer(fs__origin_wait_t *w, int status)
{
    if (status == 200)
        fs_http_respond(w->req, 200, "text/plain", NULL, ORIGIN_BODY, sizeof(ORIGIN_BODY) - 1);
    else if (status == 503 && !w->origin->stopped)
        fs_http_respondf(w->req, 503, JSON_TYPE, "Retry-After: 1\r\n",
                         "{\"error\":\"overloaded\"}");
    else
        fs_http_respondf(w->req, status, JSON_TYPE, NULL, "{\"error\":\"shutting down\"}");
    w->req = NULL;
    uv_close((uv_handle_t *)&w->timer, wait_free_cb);
}

static void wait_finish(fs__origin_wait_t *w, int status)
{
    fs_origin_t *o = w->origin;

    wait_unlink(w);
    wait_answer(w, status);
    if (!o->stopped)
        wait_admit(o);
}

static void wait_timer_cb(uv_timer_t *t)
{
    wait_finish(t->data, 200);
}

static void wait_serve(fs__origin_wait_t *w)
{
    fs_origin_t *o = w->origin;

    w->next = o->waiting;
    if (o->waiting)
        o->waiting->prev = w;
    o->waiting = w;
    o->pending++;
    uv_timer_start(&w->timer, wait_timer_cb, o->cfg.latency_ms, 0);
}

static fs__origin_wait_t *queue_pop(fs_origin_t *o)
{
    fs__origin_wait_t *w = o->queue;

    if (w == NULL)
        return NULL;
    o->queue = w->next;
    if (o->queue == NULL)
        o->qtail = NULL;
    w->next = NULL;
    o->queued--;
    fs_metric_set(o->m_queue, (double)o->queued);
    return w;
}

/* Fills free slots from the queue. A request that waited longer than the
 * queue timeout is shed with a fast 503 instead: its caller has most likely
 * given up, and serving it anyway is the work-done-no-progress of a
 * congestive collapse. Without a queue timeout (legacy) everything queued
 * is served, however late. */
static void wait_admit(fs_origin_t *o)
{
    uint64_t now = uv_now(o->loop);
    fs__origin_wait_t *w;

    while (o->pending < o->cfg.capacity && (w = queue_pop(o)) != NULL) {
        if (o->cfg.queue_timeout_ms && now - w->queued_at > o->cfg.queue_timeout_ms) {
            fs_metric_add(o->m_shed, 1);
            wait_answer(w, 503);
            continue;
        }
        wait_serve(w);
    }
}

static void handle_cb(fs_http_req_t *req, void *data)
{
    fs_origin_t *o = data;
    fs__origin_wait_t *w;

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
    if (o->cfg.latency_ms == 0 && o->cfg.capacity == 0) {
        fs_http_respond(req, 200, "text/plain", NULL, ORIGIN_BODY, sizeof(ORIGIN_BODY) - 1);
        return;
    }
    w = calloc(1, sizeof(*w));
    if (w == NULL || uv_timer_init(o->loop, &w->timer) != 0) {
        free(w);
        fs_http_respondf(req, 500, JSON_TYPE, NULL, "{\"error\":\"out of memory\"}");
        return;
    }
    w->timer.data = w;
    w->req = req;
    w->origin = o;
    w->queued_at = uv_now(o->loop);
    if (o->cfg.capacity == 0 || o->pending < o->cfg.capacity) {
        wait_serve(w);
        return;
    }
    if (o->qtail)
        o->qtail->next = w;
    else
        o->queue = w;
    o->qtail = w;
    o->queued++;
    fs_metric_set(o->m_queue, (double)o->queued);
}

/* The listener is closed by now; answering what still waits (a no-op write
 * on a closed connection, but it releases the request) and closing the
 * timers lets the loop drain without leaks. */
static void stop_cb(void *data)
{
    fs_origin_t *o = data;

    fs__origin_wait_t *w;

    o->stopped = 1;
    while ((w = queue_pop(o)) != NULL)
        wait_answer(w, 503);
    while (o->waiting)
        wait_finish(o->waiting, 503);
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
    rc = fs_service_new(loop, &scfg, &o->svc, err, errlen);
    if (rc < 0)
        goto fail;
    o->m_shed = fs_service_fallbacks(o->svc, "shed");
    o->m_queue = fs_metrics_series(fs_service_metrics(o->svc), FS_METRIC_GAUGE,
                                   "failsmall_queue_depth", "requests waiting for a slot", NULL);
    fs_log(fs_service_log(o->svc), FS_LOG_INFO, "origin_config",
           "latency_ms=%llu capacity=%llu queue_timeout_ms=%llu",
           (unsigned long long)cfg->latency_ms, (unsigned long long)cfg->capacity,
           (unsigned long long)cfg->queue_timeout_ms);
    fs_service_on_stop(o->svc, stop_cb, o);
    *out = o;
    return 0;

fail:
    free(o);
    return rc;
}

fs_service_t *fs_origin_service(fs_origin_t *o)
{
    return o->svc;
}

size_t fs_origin_pending(const fs_origin_t *o)
{
    return o->pending + o->queued;
}

void fs_origin_free(fs_origin_t *o)
{
    if (o == NULL)
        return;
    fs_service_free(o->svc);
    free(o);
}
