/* Slots and a FIFO in front of a handler. Every request in service has its
 * own timer so that requests overlap freely up to the capacity; those in
 * service sit on a list and the waiting ones on a queue, so a stop can
 * answer all of them. */
#include "fs_queue.h"

#include <errno.h>
#include <stdlib.h>

#define FS__QUEUE_JSON "application/json"

typedef struct fs__queue_item_s {
    uv_timer_t timer;
    fs_http_req_t *req;
    fs_queue_t *q;
    uint64_t queued_at; /* loop ms */
    struct fs__queue_item_s *prev, *next;
} fs__queue_item_t;

struct fs_queue_s {
    uv_loop_t *loop;
    fs_queue_config_t cfg;
    fs_queue_serve_cb serve;
    void *data;
    fs_metric_t *shed, *depth;
    fs__queue_item_t *serving;         /* in service */
    fs__queue_item_t *queue, *qtail;   /* waiting for a slot, oldest first */
    size_t nserving, nqueued, handles; /* handles: timers not yet closed */
    int closing;
};

static void fs__queue_admit(fs_queue_t *q);

static void fs__queue_maybe_free(fs_queue_t *q)
{
    if (q->closing && q->handles == 0)
        free(q);
}

static void fs__queue_item_close_cb(uv_handle_t *h)
{
    fs__queue_item_t *it = h->data;
    fs_queue_t *q = it->q;

    free(it);
    q->handles--;
    fs__queue_maybe_free(q);
}

/* Answers it (served, shed or stopped) and closes its timer. */
static void fs__queue_finish(fs__queue_item_t *it, int status)
{
    fs_queue_t *q = it->q;

    if (status == 200)
        q->serve(it->req, q->data);
    else if (status == 503 && !q->closing)
        fs_http_respondf(it->req, 503, FS__QUEUE_JSON, "Retry-After: 1\r\n",
                         "{\"error\":\"overloaded\"}");
    else
        fs_http_respondf(it->req, 503, FS__QUEUE_JSON, NULL, "{\"error\":\"shutting down\"}");
    it->req = NULL;
    uv_close((uv_handle_t *)&it->timer, fs__queue_item_close_cb);
}

static void fs__queue_unlink(fs__queue_item_t *it)
{
    fs_queue_t *q = it->q;

    if (it->prev)
        it->prev->next = it->next;
    else
        q->serving = it->next;
    if (it->next)
        it->next->prev = it->prev;
    it->prev = it->next = NULL;
    q->nserving--;
}

static void fs__queue_timer_cb(uv_timer_t *t)
{
    fs__queue_item_t *it = t->data;
    fs_queue_t *q = it->q;

    fs__queue_unlink(it);
    fs__queue_finish(it, 200);
    fs__queue_admit(q);
}

static void fs__queue_serve(fs__queue_item_t *it)
{
    fs_queue_t *q = it->q;

    it->next = q->serving;
    if (q->serving)
        q->serving->prev = it;
    q->serving = it;
    q->nserving++;
    uv_timer_start(&it->timer, fs__queue_timer_cb, q->cfg.service_ms, 0);
}

static fs__queue_item_t *fs__queue_pop(fs_queue_t *q)
{
    fs__queue_item_t *it = q->queue;

    if (it == NULL)
        return NULL;
    q->queue = it->next;
    if (q->queue == NULL)
        q->qtail = NULL;
    it->next = NULL;
    q->nqueued--;
    fs_metric_set(q->depth, (double)q->nqueued);
    return it;
}

/* Fills free slots from the queue, shedding what waited too long. */
static void fs__queue_admit(fs_queue_t *q)
{
    uint64_t now = uv_now(q->loop);
    fs__queue_item_t *it;

    while (!q->closing && q->nserving < q->cfg.capacity && (it = fs__queue_pop(q)) != NULL) {
        if (q->cfg.queue_timeout_ms && now - it->queued_at > q->cfg.queue_timeout_ms) {
            fs_metric_add(q->shed, 1);
            fs__queue_finish(it, 503);
            continue;
        }
        fs__queue_serve(it);
    }
}

int fs_queue_new(uv_loop_t *loop, const fs_queue_config_t *cfg, fs_queue_serve_cb serve, void *data,
                 fs_queue_t **out)
{
    fs_queue_t *q = calloc(1, sizeof(*q));

    *out = NULL;
    if (q == NULL)
        return -ENOMEM;
    q->loop = loop;
    q->cfg = *cfg;
    q->serve = serve;
    q->data = data;
    *out = q;
    return 0;
}

void fs_queue_submit(fs_queue_t *q, fs_http_req_t *req)
{
    fs__queue_item_t *it;

    if (q->closing) {
        fs_http_respondf(req, 503, FS__QUEUE_JSON, NULL, "{\"error\":\"shutting down\"}");
        return;
    }
    if (q->cfg.service_ms == 0 && (q->cfg.capacity == 0 || q->nserving < q->cfg.capacity)) {
        q->serve(req, q->data);
        return;
    }
    it = calloc(1, sizeof(*it));
    if (it == NULL || uv_timer_init(q->loop, &it->timer) != 0) {
        free(it);
        fs_http_respondf(req, 500, FS__QUEUE_JSON, NULL, "{\"error\":\"out of memory\"}");
        return;
    }
    q->handles++;
    it->timer.data = it;
    it->req = req;
    it->q = q;
    it->queued_at = uv_now(q->loop);
    if (q->cfg.capacity == 0 || q->nserving < q->cfg.capacity) {
        fs__queue_serve(it);
        return;
    }
    if (q->qtail)
        q->qtail->next = it;
    else
        q->queue = it;
    q->qtail = it;
    q->nqueued++;
    fs_metric_set(q->depth, (double)q->nqueued);
}

void fs_queue_observe(fs_queue_t *q, fs_metric_t *shed, fs_metric_t *depth)
{
    q->shed = shed;
    q->depth = depth;
}

size_t fs_queue_pending(const fs_queue_t *q)
{
    return q->nserving + q->nqueued;
}

void fs_queue_close(fs_queue_t *q)
{
    fs__queue_item_t *it;

    if (q == NULL || q->closing)
        return;
    q->closing = 1;
    while ((it = fs__queue_pop(q)) != NULL)
        fs__queue_finish(it, 503);
    while ((it = q->serving) != NULL) {
        fs__queue_unlink(it);
        fs__queue_finish(it, 503);
    }
    fs__queue_maybe_free(q);
}
