#include "origin.h"

#include <errno.h>
#include <fiu.h>
#include <stdio.h>
#include <stdlib.h>

#define ORIGIN_BODY "origin ok\n"
#define JSON_TYPE   "application/json"

/* A GET waiting out the latency. Each has its own timer so that requests
 * overlap freely; pending ones sit on a list so a stop can answer them. */
typedef struct fs__origin_wait_s {
    uv_timer_t timer;
    fs_http_req_t *req;
    fs_origin_t *origin;
    struct fs__origin_wait_s *prev, *next;
} fs__origin_wait_t;

struct fs_origin_s {
    fs_service_t *svc;
    uv_loop_t *loop;
    uint64_t latency_ms;
    fs__origin_wait_t *waiting;
    size_t pending;
    int stopped;
};

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

static void wait_finish(fs__origin_wait_t *w, int status)
{
    wait_unlink(w);
    if (status == 200)
        fs_http_respond(w->req, 200, "text/plain", NULL, ORIGIN_BODY, sizeof(ORIGIN_BODY) - 1);
    else
        fs_http_respondf(w->req, status, JSON_TYPE, NULL, "{\"error\":\"shutting down\"}");
    w->req = NULL;
    uv_close((uv_handle_t *)&w->timer, wait_free_cb);
}

static void wait_timer_cb(uv_timer_t *t)
{
    wait_finish(t->data, 200);
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
    if (o->latency_ms == 0) {
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
    w->next = o->waiting;
    if (o->waiting)
        o->waiting->prev = w;
    o->waiting = w;
    o->pending++;
    uv_timer_start(&w->timer, wait_timer_cb, o->latency_ms, 0);
}

/* The listener is closed by now; answering what still waits (a no-op write
 * on a closed connection, but it releases the request) and closing the
 * timers lets the loop drain without leaks. */
static void stop_cb(void *data)
{
    fs_origin_t *o = data;

    o->stopped = 1;
    while (o->waiting)
        wait_finish(o->waiting, 503);
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
    o->latency_ms = cfg->latency_ms;
    scfg.data = o;
    rc = fs_service_new(loop, &scfg, &o->svc, err, errlen);
    if (rc < 0)
        goto fail;
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
    return o->pending;
}

void fs_origin_free(fs_origin_t *o)
{
    if (o == NULL)
        return;
    fs_service_free(o->svc);
    free(o);
}
