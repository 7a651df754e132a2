/* The open-loop load generator: clients → every proxy (a seeded mix of
 * humans and bots, each request knowing its expected answer) and users →
 * dashboard logins, both at a constant arrival rate. Request i of a stream
 * is due at start + i / rate whatever the servers do, and its latency counts
 * from that intended time, so a stalled fleet can neither slow the schedule
 * nor hide its stall (no coordinated omission). */
#ifndef FS_LOAD_H
#define FS_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "series.h"

#define FS_LOAD_NOUTCOMES          (FS_OUT_TIMEOUT + 1)
#define FS_LOAD_DEFAULT_TIMEOUT_MS 2000 /* 2 × the default SLO latency */
#define FS_LOAD_MAX_CLIENT_RETRIES 10
#define FS_LOAD_DEFAULT_PASSWORD   "failsmall"
#define FS_LOAD_DEFAULT_TOKEN      "failsmall-break-glass"

#define FS_LOAD_HUMAN_UA "Mozilla/5.0 (X11; Linux x86_64) failsmall-load"

typedef struct fs_load_s fs_load_t;

typedef struct {
    uint64_t t0_ns;             /* uv_hrtime() at run time 0 */
    uint64_t start_ms, stop_ms; /* run-relative window: requests due in [start, stop) */
    double proxy_rps;           /* client requests per second, all proxies together */
    double login_rps;           /* dashboard logins per second */
    double bot_share;           /* share of client requests that are bots, 0..1 */
    unsigned client_retries;    /* a client request that fails (5xx, transport error,
                                   timeout) is sent again at once, up to this many times */
    uint64_t seed;
    uint64_t timeout_ms; /* from the intended send time; 0 = FS_LOAD_DEFAULT_TIMEOUT_MS
                            (pass 2 × slo.latency) */
    const struct sockaddr *const *proxies; /* nproxies entry addresses, round robin */
    fs_series_t **proxy_series;            /* nproxies: client->proxy[i]; NULL entries allowed */
    size_t nproxies;
    const struct sockaddr *dashboard; /* NULL = no logins */
    fs_series_t *user_series;         /* user->dashboard; may be NULL */
    const char *password;             /* NULL = FS_LOAD_DEFAULT_PASSWORD */
    const char *break_glass;          /* token sent with each login so a hardened dashboard
                                         can let users in without the challenge; NULL =
                                         FS_LOAD_DEFAULT_TOKEN, "" = send none */
} fs_load_config_t;

/* Counters of one stream. */
typedef struct {
    uint64_t sent;     /* came due: handed to the client, or failed or timed out unsent */
    uint64_t retries;  /* of those, clients' retries of failed requests */
    uint64_t answered; /* finished with an outcome (not cancelled) */
    uint64_t cancelled;
    uint64_t in_flight, max_in_flight;
    uint64_t outcome[FS_LOAD_NOUTCOMES]; /* indexed by fs_outcome_t */
    uint64_t lat_min_us, lat_max_us;     /* of answered requests, from the intended time */
} fs_load_counts_t;

typedef struct {
    fs_load_counts_t client; /* client → proxies */
    fs_load_counts_t user;   /* user → dashboard */
    uint64_t humans, bots;   /* client requests sent, by ground truth */
    int sending;             /* 1 until the window is over or fs_load_stop() */
} fs_load_stats_t;

/* What client request i is: a pure function of the seed, the bot share, the
 * index and the number of proxies, never of timing. */
typedef struct {
    int bot;          /* ground truth (X-Failsmall-Truth) */
    size_t proxy;     /* i mod nproxies */
    const char *ua;   /* User-Agent (static string) */
    unsigned item;    /* path /shop/item/<item> */
    uint8_t ip[3];    /* X-Forwarded-For: 10.ip[0].ip[1].ip[2] */
    uint64_t session; /* humans: Cookie: session=<16 hex> */
} fs_load_pick_t;

void fs_load_pick(uint64_t seed, double bot_share, uint64_t i, size_t nproxies,
                  fs_load_pick_t *out);

/* Validates cfg and starts the schedule on loop (it waits for start_ms by
 * itself). Addresses, password and token are copied; the series must outlive
 * the generator. Returns 0, -EINVAL (bad rate, share, window, or a stream
 * with a rate but no target) or -ENOMEM. */
int fs_load_start(uv_loop_t *loop, const fs_load_config_t *cfg, fs_load_t **out);

/* Copies the counters so far. */
void fs_load_stats(const fs_load_t *load, fs_load_stats_t *out);

/* Stops sending at once (the window also ends by itself at stop_ms).
 * Requests in flight carry on and are still judged; wait for in_flight to
 * reach 0 (at most the timeout) before fs_load_close() to keep them. */
void fs_load_stop(fs_load_t *load);

/* Stops, cancels every request still in flight (its series entry stays
 * begun and never ended: a failed call where it started) and frees load once
 * its handles have closed. NULL is a no-op. */
void fs_load_close(fs_load_t *load);

#endif
