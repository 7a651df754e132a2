/* A service's capacity: at most `capacity` requests in service at once,
 * each holding its slot for `service_ms`, the rest waiting on a FIFO queue.
 * Pushed past its capacity, a service answers later and later instead of
 * failing, which is what turns retries into a congestive collapse; a queue
 * timeout sheds what waited too long with a fast 503 instead. */
#ifndef FS_QUEUE_H
#define FS_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "fs_http.h"
#include "fs_metrics.h"

typedef struct fs_queue_s fs_queue_t;

/* Called when req has been served (its service time is over): answer it. */
typedef void (*fs_queue_serve_cb)(fs_http_req_t *req, void *data);

typedef struct {
    uint64_t capacity;         /* in service at once; 0 = unlimited (no queue) */
    uint64_t service_ms;       /* how long each holds its slot; 0 = served at once */
    uint64_t queue_timeout_ms; /* shed (503) what queued longer; 0 = never */
} fs_queue_config_t;

/* Returns 0 or -ENOMEM. */
int fs_queue_new(uv_loop_t *loop, const fs_queue_config_t *cfg, fs_queue_serve_cb serve, void *data,
                 fs_queue_t **out);

/* Counts shed requests into shed (a counter) and the queue's length into
 * depth (a gauge); either may be NULL. */
void fs_queue_observe(fs_queue_t *q, fs_metric_t *shed, fs_metric_t *depth);

/* Serves req through the queue. A request that waited longer than the
 * queue timeout for its slot is answered 503 {"error":"overloaded"} with
 * Retry-After instead: its caller has most likely given up, and serving it
 * anyway is work done without progress. Without a queue timeout everything
 * is served, however late. Out of memory answers 500. */
void fs_queue_submit(fs_queue_t *q, fs_http_req_t *req);

/* Requests in service or queued. */
size_t fs_queue_pending(const fs_queue_t *q);

/* Answers everything pending 503 {"error":"shutting down"}, closes the
 * timers and frees q once they have closed. NULL is a no-op. */
void fs_queue_close(fs_queue_t *q);

#endif
