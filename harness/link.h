/* A link: the harness-owned HTTP relay on one interface between two fleet
 * processes, one per caller->callee instance pair ("proxy[1]->botmod[1]").
 * The caller is configured to call the link instead of the callee; the link
 * forwards every request upstream unchanged (no deadline of its own: the
 * caller's apply), relays the answer, observes each call into a series, and
 * injects the network faults the link injectors ask for. */
#ifndef FS_LINK_H
#define FS_LINK_H

#include <stdint.h>
#include <uv.h>

#include "fs_http.h"
#include "series.h"

#define FS_LINK_MAX_FAULTS 16 /* active at once on one link */

typedef struct fs_link_s fs_link_t;

typedef struct {
    const char *name;                /* "proxy[1]->botmod[1]", copied */
    const struct sockaddr *upstream; /* the callee (IPv4 or IPv6), copied */
    fs_series_t *series;             /* NULL or written by the link, owned by the caller; must
                                        outlive fs_link_close() */
    uint64_t t0_ns;                  /* uv_hrtime() at the start of the run: series time 0 */
    uint64_t seed;                   /* seeds the fault PRNG as is: give each link its own
                                        (fs_prng_derive(run_seed, name)) */
    int judge_threshold;             /* > 0: a known human scored below this is a WRONG answer */
    /* Optional: sees every upstream answer relayed (before response faults),
     * e.g. for which config version each node was served. */
    void (*on_response)(void *data, const fs_link_t *link, int status, const fs_http_resp_t *resp);
    void *data;
} fs_link_config_t;

typedef enum {
    FS_LINK_DOWN,       /* refuse: new connections refused, requests on open ones reset */
    FS_LINK_BLACKHOLE,  /* accept and read, never answer */
    FS_LINK_LATENCY,    /* delay by ms +- jitter_ms (uniform) */
    FS_LINK_RESET,      /* forward, then reset the caller instead of relaying */
    FS_LINK_HTTP_ERROR, /* answer status from the link, upstream never called */
    FS_LINK_BANDWIDTH,  /* delay by body bytes / bytes_per_s */
    FS_LINK_EMPTY       /* answer 200, empty body, no headers (no Content-Type, none of
                           upstream's), upstream never called: a dependency that answers
                           but has nothing to say (the empty DNS record of 2025-10-20).
                           Observed as a wrong answer */
} fs_link_fault_type_t;

/* Directions, for LATENCY and BANDWIDTH: request = before forwarding,
 * response = before relaying back. DEFAULT is request for latency (the delay
 * counts once) and response for bandwidth (the bigger body). */
enum {
    FS_LINK_DIR_DEFAULT = 0,
    FS_LINK_DIR_REQUEST = 1,
    FS_LINK_DIR_RESPONSE = 2,
    FS_LINK_DIR_BOTH = 3
};

typedef struct {
    fs_link_fault_type_t type;
    double probability;   /* chance per request in [0, 1]; 0 (unset) means 1. A DOWN
                             fault below 1 leaves new connections alone and resets
                             that share of requests */
    unsigned direction;   /* FS_LINK_DIR_*, LATENCY and BANDWIDTH only */
    uint64_t ms;          /* LATENCY */
    uint64_t jitter_ms;   /* LATENCY; the delay is clamped at 0 */
    int status;           /* HTTP_ERROR: 200..599; 0 means 503 */
    uint64_t bytes_per_s; /* BANDWIDTH, > 0 */
} fs_link_fault_t;

/* What a link saw, for results. Outcomes as in series.h; errors include
 * transport failures and calls the caller had given up on (TIMEOUT).
 * Blackholed calls count in calls only. */
typedef struct {
    uint64_t calls, ok, degraded, wrong, errors;
    uint64_t faulted_calls; /* hit by at least one fault */
    uint64_t connections;   /* accepted from the caller (keep-alive reuse) */
} fs_link_stats_t;

/* Listens on 127.0.0.1:0 and relays to cfg->upstream. Returns 0 or a
 * negative code (-EINVAL for a bad config); after a failure the loop must run
 * once more before uv_loop_close(). */
int fs_link_start(uv_loop_t *loop, const fs_link_config_t *cfg, fs_link_t **out);

/* The address the caller must be given instead of the callee's; the same for
 * the link's whole life, DOWN faults included. */
int fs_link_addr(const fs_link_t *l, struct sockaddr_storage *out);

const char *fs_link_name(const fs_link_t *l);

void fs_link_stats(const fs_link_t *l, fs_link_stats_t *out);

/* Sets run time 0. Calls that begin before it are relayed but not filed in
 * the series (fleet start-up is not part of the run); start with
 * cfg->t0_ns = UINT64_MAX to record nothing until this is called. */
void fs_link_set_t0(fs_link_t *l, uint64_t t0_ns);

/* Activates fault f (copied) for every request that arrives from now on,
 * alongside any others, and returns its id for removal. Returns 0, -EINVAL
 * (bad field) or -ENOSPC (FS_LINK_MAX_FAULTS active). */
int fs_link_add_fault(fs_link_t *l, const fs_link_fault_t *f, unsigned *id);

/* Deactivates fault id. Requests it blackholed are dropped with a plain
 * close (the caller reads EOF: they are never answered). When the last DOWN
 * fault goes the link listens again on the same port (retrying every 100 ms
 * should the port have been taken meanwhile). Returns 0 or -ENOENT. */
int fs_link_remove_fault(fs_link_t *l, unsigned id);

/* Stops listening and closes every connection without answering anything
 * further; calls in flight are never ended in the series. l is freed once
 * its handles have closed (run the loop). */
void fs_link_close(fs_link_t *l);

#endif
