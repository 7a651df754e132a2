/* The link: an fs_http server in front of an fs_http client. Each request
 * becomes a call that walks request delay -> (fault answer | forward) ->
 * response delay -> relay; the fault decisions are all drawn when it
 * arrives, so the seeded PRNG sees the same draws in the same request order
 * whatever the timing. */
#include "link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "fs_http.h"
#include "prng.h"

#define FS__LINK_RESUME_MS  100
#define FS__LINK_JUDGE_BODY (64u << 10) /* score answers are tiny; never parse big bodies */
#define FS__LINK_MAX_DELAY  (3600u * 1000u)

typedef struct fs__link_call_s fs__link_call_t;

typedef struct {
    unsigned id;
    fs_link_fault_t f;
} fs__link_fault_t;

struct fs_link_s {
    uv_loop_t *loop;
    char *name;
    fs_series_t *series;
    uint64_t t0_ns;
    int judge_threshold;
    void (*on_response)(void *data, const fs_link_t *link, int status, const fs_http_resp_t *resp);
    void *data;
    fs_prng_t rng;
    fs_http_server_t *server;
    fs_http_client_t *client;
    uv_timer_t resume; /* retries listening after the last DOWN fault went */
    fs__link_fault_t faults[FS_LINK_MAX_FAULTS];
    size_t nfaults;
    unsigned next_id;
    unsigned down; /* DOWN faults with probability 1: the listener is closed */
    fs__link_call_t *calls;
    fs_link_stats_t stats;
    size_t handles; /* resume timer + call timers not yet through close_cb */
    int closing;
};

enum { CALL_NEW, CALL_REQ_DELAY, CALL_UPSTREAM, CALL_RESP_DELAY, CALL_HELD };

struct fs__link_call_s {
    fs_link_t *link;
    fs__link_call_t *prev, *next;
    fs_http_req_t *req;
    uint64_t begin_ns, t_ms;
    int recorded; /* began after run time 0: filed in the series */
    uv_timer_t timer;
    int has_timer, stage;
    /* what the faults decided on arrival */
    int faulted, down, reset, error_status, empty;
    unsigned held_by;  /* the BLACKHOLE fault holding it, 0 = none */
    int hold_response; /* that fault holds the answer (the callee did the work) */
    uint64_t req_delay_ms, resp_delay_ms, bw_req_rate, bw_resp_rate;
    /* the upstream answer, kept across a response delay */
    int status;
    fs_outcome_t outcome;
    char *ctype, *headers, *body;
    size_t body_len;
};

/* ---- lifetime ---- */

static void link_maybe_free(fs_link_t *l)
{
    if (l->closing && l->handles == 0) {
        free(l->name);
        free(l);
    }
}

static void call_close_cb(uv_handle_t *h)
{
    fs__link_call_t *c = h->data;
    fs_link_t *l = c->link;
    free(c);
    l->handles--;
    link_maybe_free(l);
}

static void call_free(fs__link_call_t *c)
{
    fs_link_t *l = c->link;
    if (c->prev)
        c->prev->next = c->next;
    else
        l->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c->ctype);
    free(c->headers);
    free(c->body);
    if (c->has_timer)
        uv_close((uv_handle_t *)&c->timer, call_close_cb);
    else
        free(c);
}

static void call_end(fs__link_call_t *c, fs_outcome_t outcome)
{
    fs_link_t *l = c->link;
    uint64_t us = (uv_hrtime() - c->begin_ns) / 1000;
    if (c->recorded)
        fs_series_end(l->series, c->t_ms, us, outcome);
    switch (outcome) {
    case FS_OUT_OK:
        l->stats.ok++;
        break;
    case FS_OUT_DEGRADED:
        l->stats.degraded++;
        break;
    case FS_OUT_WRONG:
        l->stats.wrong++;
        break;
    default:
        l->stats.errors++;
        break;
    }
}

/* The caller sees a transport failure, as it would without the link. */
static void call_fail(fs__link_call_t *c)
{
    fs_http_req_abort(c->req, 1);
    call_end(c, FS_OUT_ERROR);
    call_free(c);
}

static void call_timer_cb(uv_timer_t *t);

static int call_delay(fs__link_call_t *c, uint64_t ms, int stage)
{
    if (!c->has_timer) {
        int rc = uv_timer_init(c->link->loop, &c->timer);
        if (rc < 0)
            return rc;
        c->timer.data = c;
        c->has_timer = 1;
        c->link->handles++;
    }
    c->stage = stage;
    /* Counted from now, not from the start of this loop iteration. */
    uv_update_time(c->link->loop);
    return uv_timer_start(&c->timer, call_timer_cb, ms, 0);
}

/* ---- fault decisions ---- */

static uint64_t bw_delay_ms(uint64_t bytes, uint64_t rate)
{
    return rate ? (uint64_t)((double)bytes * 1000.0 / (double)rate + 0.5) : 0;
}

static uint64_t jittered(fs_link_t *l, const fs_link_fault_t *f)
{
    if (f->jitter_ms == 0)
        return f->ms;
    int64_t d = (int64_t)f->ms - (int64_t)f->jitter_ms +
                (int64_t)fs_prng_uint(&l->rng, 2 * f->jitter_ms + 1);
    return d > 0 ? (uint64_t)d : 0;
}

static void call_decide(fs__link_call_t *c)
{
    fs_link_t *l = c->link;
    for (size_t i = 0; i < l->nfaults; i++) {
        const fs_link_fault_t *f = &l->faults[i].f;
        if (f->probability < 1 && !fs_prng_chance(&l->rng, f->probability))
            continue;
        c->faulted = 1;
        unsigned dir = f->direction;
        switch (f->type) {
        case FS_LINK_DOWN:
            c->down = 1;
            break;
        case FS_LINK_BLACKHOLE:
            if (!c->held_by) {
                c->held_by = l->faults[i].id;
                c->hold_response = dir == FS_LINK_DIR_RESPONSE;
            }
            break;
        case FS_LINK_LATENCY:
            dir = dir ? dir : FS_LINK_DIR_REQUEST;
            if (dir & FS_LINK_DIR_REQUEST)
                c->req_delay_ms += jittered(l, f);
            if (dir & FS_LINK_DIR_RESPONSE)
                c->resp_delay_ms += jittered(l, f);
            break;
        case FS_LINK_RESET:
            c->reset = 1;
            break;
        case FS_LINK_HTTP_ERROR:
            /* The link answers once: the first answering fault wins. */
            if (!c->error_status && !c->empty)
                c->error_status = f->status;
            break;
        case FS_LINK_EMPTY:
            if (!c->error_status)
                c->empty = 1;
            break;
        case FS_LINK_BANDWIDTH:
            /* Two bandwidth faults: the narrower pipe wins. */
            dir = dir ? dir : FS_LINK_DIR_RESPONSE;
            if ((dir & FS_LINK_DIR_REQUEST) && (!c->bw_req_rate || f->bytes_per_s < c->bw_req_rate))
                c->bw_req_rate = f->bytes_per_s;
            if ((dir & FS_LINK_DIR_RESPONSE) &&
                (!c->bw_resp_rate || f->bytes_per_s < c->bw_resp_rate))
                c->bw_resp_rate = f->bytes_per_s;
            break;
        }
    }
}

/* ---- judging ---- */

static int is_human(const fs_http_req_t *req)
{
    const char *truth = fs_http_req_header(req, "X-Failsmall-Truth");
    return truth && strcasecmp(truth, "human") == 0;
}

/* A score that would block a known human: the answer is wrong even though
 * the call worked. */
static int scored_too_low(const char *body, size_t len, int threshold)
{
    if (len == 0 || len > FS__LINK_JUDGE_BODY)
        return 0;
    cJSON *doc = cJSON_ParseWithLength(body, len);
    const cJSON *score = cJSON_GetObjectItemCaseSensitive(doc, "score");
    int low = cJSON_IsNumber(score) && score->valuedouble < threshold;
    cJSON_Delete(doc);
    return low;
}

static fs_outcome_t judge(const fs__link_call_t *c, const fs_http_resp_t *resp)
{
    const fs_link_t *l = c->link;
    if (c->status >= 500)
        return FS_OUT_ERROR;
    if (l->judge_threshold > 0 && is_human(c->req)) {
        if (c->status == 403 && strcmp(fs_http_req_path(c->req), "/v1/challenge/verify") == 0)
            return FS_OUT_WRONG;
        if (c->status == 200 && scored_too_low(c->body, c->body_len, l->judge_threshold))
            return FS_OUT_WRONG;
    }
    return fs_http_resp_header(resp, "X-Failsmall-Degraded") ? FS_OUT_DEGRADED : FS_OUT_OK;
}

/* ---- relaying ---- */

static int hop_by_hop(const char *name)
{
    static const char *const hop[] = {"Connection",     "Keep-Alive", "Transfer-Encoding",
                                      "Content-Length", "Host",       "Expect",
                                      "Upgrade",        "TE",         "Trailer"};
    for (size_t i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
        if (strcasecmp(name, hop[i]) == 0)
            return 1;
    return strncasecmp(name, "Proxy-", 6) == 0;
}

/* "Name: value\r\n" lines of every end-to-end header but skip (the one
 * fs_http sets from its own argument); *out is NULL when there are none. */
static int headers_join(size_t n, int (*at)(const void *, size_t, const char **, const char **),
                        const void *msg, const char *skip, char **out)
{
    size_t len = 0, off = 0;
    const char *name, *value;
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if (at(msg, i, &name, &value) == 0 && !hop_by_hop(name) &&
            !(skip && strcasecmp(name, skip) == 0))
            len += strlen(name) + strlen(value) + 4;
    if (len == 0)
        return 0;
    char *p = malloc(len + 1);
    if (!p)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (at(msg, i, &name, &value) == 0 && !hop_by_hop(name) &&
            !(skip && strcasecmp(name, skip) == 0))
            off += (size_t)snprintf(p + off, len + 1 - off, "%s: %s\r\n", name, value);
    *out = p;
    return 0;
}

static int req_at(const void *r, size_t i, const char **name, const char **value)
{
    return fs_http_req_header_at(r, i, name, value);
}

static int resp_at(const void *r, size_t i, const char **name, const char **value)
{
    return fs_http_resp_header_at(r, i, name, value);
}

static char *dup_or_null(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

static void call_relay(fs__link_call_t *c)
{
    int rc = fs_http_respond(c->req, c->status, c->ctype, c->headers, c->body, c->body_len);
    /* The caller hung up first (its deadline passed): it never got this. */
    call_end(c, rc == -ENOTCONN ? FS_OUT_TIMEOUT : c->outcome);
    call_free(c);
}

static void upstream_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fs__link_call_t *c = data;
    fs_link_t *l = c->link;
    if (l->closing) {
        fs_http_req_abort(c->req, 0);
        call_free(c);
        return;
    }
    if (status < 0 || c->reset) {
        call_fail(c);
        return;
    }
    if (c->held_by) {
        /* Blackholed on the way back: the callee did the work, the caller
         * never hears of it. */
        c->stage = CALL_HELD;
        return;
    }
    size_t len;
    const char *body = fs_http_resp_body(resp, &len);
    const char *ctype = fs_http_resp_header(resp, "Content-Type");
    c->status = status;
    c->body_len = len;
    if (!(c->body = dup_or_null(body, len)) || (ctype && !(c->ctype = strdup(ctype))) ||
        headers_join(fs_http_resp_header_count(resp), resp_at, resp, "Content-Type", &c->headers) <
            0) {
        call_fail(c);
        return;
    }
    c->outcome = judge(c, resp);
    if (l->on_response)
        l->on_response(l->data, l, status, resp);
    uint64_t delay = c->resp_delay_ms + bw_delay_ms(len, c->bw_resp_rate);
    if (delay == 0 || call_delay(c, delay, CALL_RESP_DELAY) < 0)
        call_relay(c);
}

static void call_forward(fs__link_call_t *c)
{
    fs_link_t *l = c->link;
    fs_http_req_t *req = c->req;
    char *headers = NULL, *target = NULL;
    const char *path = fs_http_req_path(req), *query = fs_http_req_query(req);
    size_t blen;
    const char *body = fs_http_req_body(req, &blen);
    if (c->error_status) {
        fs_http_respondf(req, c->error_status, "application/json", NULL,
                         "{\"error\":\"%s\",\"source\":\"failsmall-link\"}\n",
                         fs_http_status_text(c->error_status));
        call_end(c, FS_OUT_ERROR);
        call_free(c);
        return;
    }
    if (c->empty) {
        /* A 200 the caller cannot tell from a real one but by its content:
         * no Content-Type, no X-Config-Version, nothing. */
        int rc = fs_http_respond(req, 200, NULL, NULL, "", 0);
        call_end(c, rc == -ENOTCONN ? FS_OUT_TIMEOUT : FS_OUT_WRONG);
        call_free(c);
        return;
    }
    int rc = headers_join(fs_http_req_header_count(req), req_at, req, NULL, &headers);
    if (rc == 0 && asprintf(&target, "%s%s%s", path, *query ? "?" : "", query) < 0) {
        target = NULL;
        rc = -ENOMEM;
    }
    if (rc == 0) {
        fs_http_call_t call = {.method = http_method_str(fs_http_req_method(req)),
                               .target = target,
                               .headers = headers,
                               .body = body,
                               .body_len = blen};
        c->stage = CALL_UPSTREAM;
        rc = fs_http_client_request(l->client, &call, upstream_cb, c);
    }
    free(headers);
    free(target);
    if (rc < 0)
        call_fail(c);
}

static void call_timer_cb(uv_timer_t *t)
{
    fs__link_call_t *c = t->data;
    if (c->stage == CALL_REQ_DELAY)
        call_forward(c);
    else
        call_relay(c);
}

static void handler_cb(fs_http_req_t *req, void *data)
{
    fs_link_t *l = data;
    uint64_t now = uv_hrtime();
    fs__link_call_t *c = calloc(1, sizeof(*c));
    if (!c) {
        fs_http_req_abort(req, 1);
        return;
    }
    c->link = l;
    c->req = req;
    c->begin_ns = now;
    c->recorded = now >= l->t0_ns;
    c->t_ms = c->recorded ? (now - l->t0_ns) / 1000000 : 0;
    c->next = l->calls;
    if (l->calls)
        l->calls->prev = c;
    l->calls = c;
    l->stats.calls++;
    if (c->recorded)
        fs_series_begin(l->series, c->t_ms);
    call_decide(c);
    l->stats.faulted_calls += c->faulted != 0;
    if (c->down) {
        call_fail(c);
        return;
    }
    if (c->held_by && !c->hold_response) {
        /* Begun, never ended: a failure in the bucket it began in. */
        c->stage = CALL_HELD;
        return;
    }
    size_t blen;
    fs_http_req_body(req, &blen);
    uint64_t delay = c->req_delay_ms + bw_delay_ms(blen, c->bw_req_rate);
    if (delay == 0 || call_delay(c, delay, CALL_REQ_DELAY) < 0)
        call_forward(c);
}

/* ---- faults ---- */

static void resume_cb(uv_timer_t *t)
{
    fs_link_t *l = t->data;
    if (l->down || fs_http_server_resume(l->server) == 0)
        uv_timer_stop(t);
}

static int fault_check(const fs_link_fault_t *f, fs_link_fault_t *out)
{
    *out = *f;
    if (!(f->probability >= 0 && f->probability <= 1)) /* NaN too */
        return -EINVAL;
    if (f->probability == 0)
        out->probability = 1;
    if (f->direction > FS_LINK_DIR_BOTH)
        return -EINVAL;
    switch (f->type) {
    case FS_LINK_DOWN:
    case FS_LINK_BLACKHOLE:
    case FS_LINK_RESET:
    case FS_LINK_EMPTY:
        return 0;
    case FS_LINK_LATENCY:
        return f->ms <= FS__LINK_MAX_DELAY && f->jitter_ms <= FS__LINK_MAX_DELAY ? 0 : -EINVAL;
    case FS_LINK_HTTP_ERROR:
        if (f->status == 0)
            out->status = 503;
        return out->status >= 200 && out->status <= 599 ? 0 : -EINVAL;
    case FS_LINK_BANDWIDTH:
        return f->bytes_per_s > 0 ? 0 : -EINVAL;
    }
    return -EINVAL;
}

int fs_link_add_fault(fs_link_t *l, const fs_link_fault_t *f, unsigned *id)
{
    fs_link_fault_t v;
    if (!l || !f || l->closing || fault_check(f, &v) < 0)
        return -EINVAL;
    if (l->nfaults == FS_LINK_MAX_FAULTS)
        return -ENOSPC;
    fs__link_fault_t *slot = &l->faults[l->nfaults++];
    slot->id = ++l->next_id;
    slot->f = v;
    if (v.type == FS_LINK_DOWN && v.probability >= 1 && l->down++ == 0) {
        uv_timer_stop(&l->resume);
        fs_http_server_pause(l->server);
    }
    if (id)
        *id = slot->id;
    return 0;
}

int fs_link_remove_fault(fs_link_t *l, unsigned id)
{
    size_t i = 0;
    if (!l || l->closing)
        return -ENOENT;
    while (i < l->nfaults && l->faults[i].id != id)
        i++;
    if (i == l->nfaults)
        return -ENOENT;
    fs_link_fault_t f = l->faults[i].f;
    memmove(&l->faults[i], &l->faults[i + 1], (l->nfaults - i - 1) * sizeof(l->faults[0]));
    l->nfaults--;
    if (f.type == FS_LINK_DOWN && f.probability >= 1 && --l->down == 0 &&
        fs_http_server_resume(l->server) < 0)
        uv_timer_start(&l->resume, resume_cb, FS__LINK_RESUME_MS, FS__LINK_RESUME_MS);
    if (f.type == FS_LINK_BLACKHOLE) {
        fs__link_call_t *c = l->calls, *next;
        for (; c; c = next) {
            next = c->next;
            if (c->stage == CALL_HELD && c->held_by == id) {
                fs_http_req_abort(c->req, 0);
                call_free(c);
            }
        }
    }
    return 0;
}

/* ---- the link ---- */

int fs_link_start(uv_loop_t *loop, const fs_link_config_t *cfg, fs_link_t **out)
{
    struct sockaddr_in any;
    int rc = -EINVAL;
    if (!loop || !cfg || !cfg->name || !cfg->upstream || !out)
        return -EINVAL;
    fs_link_t *l = calloc(1, sizeof(*l));
    if (!l)
        return -ENOMEM;
    l->loop = loop;
    l->series = cfg->series;
    l->t0_ns = cfg->t0_ns;
    l->judge_threshold = cfg->judge_threshold;
    l->on_response = cfg->on_response;
    l->data = cfg->data;
    fs_prng_seed(&l->rng, cfg->seed);
    if (!(l->name = strdup(cfg->name))) {
        rc = -ENOMEM;
        goto fail;
    }
    if ((rc = fs_http_client_new(loop, cfg->upstream, &l->client)) < 0)
        goto fail;
    uv_ip4_addr("127.0.0.1", 0, &any);
    if ((rc = fs_http_server_start(loop, (const struct sockaddr *)&any, handler_cb, l,
                                   &l->server)) < 0)
        goto fail;
    if ((rc = uv_timer_init(loop, &l->resume)) < 0)
        goto fail;
    l->resume.data = l;
    l->handles = 1;
    *out = l;
    return 0;
fail:
    fs_http_server_close(l->server);
    fs_http_client_close(l->client);
    free(l->name);
    free(l);
    return rc;
}

int fs_link_addr(const fs_link_t *l, struct sockaddr_storage *out)
{
    return fs_http_server_addr(l->server, out);
}

const char *fs_link_name(const fs_link_t *l)
{
    return l->name;
}

void fs_link_set_t0(fs_link_t *l, uint64_t t0_ns)
{
    l->t0_ns = t0_ns;
}

void fs_link_stats(const fs_link_t *l, fs_link_stats_t *out)
{
    *out = l->stats;
    out->connections = fs_http_server_accepted(l->server);
}

static void resume_close_cb(uv_handle_t *h)
{
    fs_link_t *l = h->data;
    l->handles--;
    link_maybe_free(l);
}

void fs_link_close(fs_link_t *l)
{
    if (!l || l->closing)
        return;
    l->closing = 1;
    /* Server first: the connections go, so nothing released below can
     * still reach a caller. Closing the client then fails every call
     * upstream with -ECANCELED, from inside this call. */
    fs_http_server_close(l->server);
    fs_http_client_close(l->client);
    fs__link_call_t *c = l->calls, *next;
    for (; c; c = next) {
        next = c->next;
        fs_http_req_abort(c->req, 0);
        call_free(c);
    }
    uv_close((uv_handle_t *)&l->resume, resume_close_cb);
}
