/* Open-loop load: a 1 ms tick sends every request whose intended time has
 * come, so the schedule never waits for an answer, and each request is
 * judged against the answer its ground truth expects. */
#include "load.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "fs_http.h"
#include "prng.h"

#define FS__LOAD_MAX_RPS    100000.0 /* beyond this a tick would be one burst */
#define FS__LOAD_TICK_MS    1
#define FS__LOAD_ITEMS      1000
#define FS__LOAD_USERS      1000
#define FS__LOAD_HDR_MAX    512
#define FS__LOAD_SECRET_MAX 1024 /* the dashboard takes far less */

static const char *const bot_uas[] = {"curl/8.5.0", "python-requests/2.31", "Go-http-client/1.1"};

typedef enum { FS__LOAD_CLIENT, FS__LOAD_USER } fs__load_kind_t;

typedef struct {
    double rate;
    uint64_t next; /* index of the next request to send */
    int done;      /* past the window, or stopped */
    fs_load_counts_t counts;
} fs__load_stream_t;

struct fs_load_s {
    uv_loop_t *loop;
    uv_timer_t tick;
    uint64_t t0_ns;
    uint64_t start_us, stop_us, timeout_us;
    uint64_t seed;
    double bot_share;
    unsigned client_retries;
    fs__load_stream_t streams[2]; /* by fs__load_kind_t */
    uint64_t humans, bots;
    size_t nproxies;
    fs_http_client_t **proxies;
    fs_series_t **proxy_series;
    fs_http_client_t *dashboard;
    fs_series_t *user_series;
    char *password_json, *token_json; /* JSON string literals, quoted */
    char *body;                       /* scratch for login bodies (the client copies) */
    size_t body_cap;
    int stopped;
};

typedef struct {
    fs_load_t *load;
    fs__load_kind_t kind;
    fs_series_t *series;
    uint64_t t_us; /* intended send time, run-relative */
    int bot;
    uint64_t index;   /* client request i: a retry sends the same request again */
    unsigned attempt; /* 0 = the first */
} fs__load_req_t;

static int64_t run_now_us(const fs_load_t *l)
{
    return ((int64_t)uv_hrtime() - (int64_t)l->t0_ns) / 1000;
}

static uint64_t due_us(const fs_load_t *l, const fs__load_stream_t *st, uint64_t i)
{
    return l->start_us + (uint64_t)((double)i * 1e6 / st->rate);
}

void fs_load_pick(uint64_t seed, double bot_share, uint64_t i, size_t nproxies, fs_load_pick_t *out)
{
    fs_prng_t p;
    fs_prng_seed(&p, fs_prng_derive_index(fs_prng_derive(seed, "load.client"), i));
    /* A fixed number of draws whatever the branch, so changing the share
     * changes who is a bot and nothing else. */
    out->bot = fs_prng_chance(&p, bot_share);
    uint64_t ua = fs_prng_uint(&p, sizeof(bot_uas) / sizeof(bot_uas[0]));
    out->ua = out->bot ? bot_uas[ua] : FS_LOAD_HUMAN_UA;
    out->item = (unsigned)fs_prng_uint(&p, FS__LOAD_ITEMS);
    uint64_t ip = fs_prng_next(&p);
    out->ip[0] = (uint8_t)ip;
    out->ip[1] = (uint8_t)(ip >> 8);
    out->ip[2] = (uint8_t)(ip >> 16);
    out->session = fs_prng_next(&p);
    out->proxy = nproxies ? (size_t)(i % nproxies) : 0;
}

/* ---- outcomes ---- */

static fs_outcome_t judge_transport(int status)
{
    return status == -ETIMEDOUT ? FS_OUT_TIMEOUT : FS_OUT_ERROR;
}

static fs_outcome_t judge_client(int bot, int status, const fs_http_resp_t *resp)
{
    if (status < 0)
        return judge_transport(status);
    int degraded = fs_http_resp_header(resp, "X-Failsmall-Degraded") != NULL;
    if (status == 200) {
        /* A bot let through by a fail-open fallback is the hardened
         * trade-off; one let through by a healthy fleet is a wrong answer. */
        if (degraded)
            return FS_OUT_DEGRADED;
        return bot ? FS_OUT_WRONG : FS_OUT_OK;
    }
    if (status == 403)
        return bot ? FS_OUT_OK : FS_OUT_WRONG;
    return FS_OUT_ERROR;
}

static fs_outcome_t judge_login(int status, const fs_http_resp_t *resp)
{
    if (status < 0)
        return judge_transport(status);
    if (status == 403)
        return FS_OUT_WRONG; /* a human failed the challenge */
    if (status != 200)
        return FS_OUT_ERROR;
    size_t len;
    const char *body = fs_http_resp_body(resp, &len);
    cJSON *doc = cJSON_ParseWithLength(body, len);
    fs_outcome_t out = FS_OUT_ERROR;
    if (cJSON_IsObject(doc))
        out = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "break_glass")) ? FS_OUT_DEGRADED
                                                                                 : FS_OUT_OK;
    cJSON_Delete(doc);
    return out;
}

/* ---- requests ---- */

static void req_finish(fs__load_req_t *r, fs_outcome_t outcome)
{
    fs_load_t *l = r->load;
    fs_load_counts_t *c = &l->streams[r->kind].counts;
    int64_t now = run_now_us(l);
    uint64_t lat = now > (int64_t)r->t_us ? (uint64_t)now - r->t_us : 0;
    if (r->series)
        fs_series_end(r->series, r->t_us / 1000, lat, outcome);
    if (c->answered == 0 || lat < c->lat_min_us)
        c->lat_min_us = lat;
    if (lat > c->lat_max_us)
        c->lat_max_us = lat;
    c->answered++;
    c->outcome[outcome]++;
    c->in_flight--;
    free(r);
}

static void send_client(fs_load_t *l, uint64_t i, unsigned attempt, uint64_t t_us, int64_t now_us);

/* Users and SDKs retry what failed, at once and all together: the load a
 * fleet must survive on the way back from an outage. A retry is a new call
 * with its own send time; the window's end stops retries too. */
static void req_retry(fs_load_t *l, uint64_t i, unsigned attempt)
{
    int64_t now = run_now_us(l);

    if (l->stopped || now < 0 || (uint64_t)now >= l->stop_us)
        return;
    send_client(l, i, attempt, (uint64_t)now, now);
}

static void req_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fs__load_req_t *r = data;
    if (status == -ECANCELED) {
        /* fs_load_close(): the entry stays begun and unfinished. */
        fs_load_counts_t *c = &r->load->streams[r->kind].counts;
        c->cancelled++;
        c->in_flight--;
        free(r);
        return;
    }
    if (r->kind == FS__LOAD_USER) {
        req_finish(r, judge_login(status, resp));
        return;
    }
    fs_load_t *l = r->load;
    fs_outcome_t out = judge_client(r->bot, status, resp);
    uint64_t i = r->index;
    unsigned attempt = r->attempt;
    req_finish(r, out);
    if ((out == FS_OUT_ERROR || out == FS_OUT_TIMEOUT) && attempt < l->client_retries)
        req_retry(l, i, attempt + 1);
}

/* Files the request as begun, then hands it to the client with what is left
 * of its deadline; one already past it is a timeout without a send. */
static void req_send(fs_load_t *l, fs__load_kind_t kind, fs_series_t *series, int bot,
                     uint64_t index, unsigned attempt, uint64_t t_us, int64_t now_us,
                     fs_http_client_t *cl, const fs_http_call_t *call)
{
    fs_load_counts_t *c = &l->streams[kind].counts;
    fs__load_req_t *r = malloc(sizeof(*r));
    c->sent++;
    if (series)
        fs_series_begin(series, t_us / 1000);
    if (attempt > 0) {
        c->retries++;
        fs_series_retry(series, t_us / 1000);
    }
    if (!r) {
        if (series)
            fs_series_end(series, t_us / 1000, 0, FS_OUT_ERROR);
        c->answered++;
        c->outcome[FS_OUT_ERROR]++;
        return;
    }
    *r = (fs__load_req_t){.load = l,
                          .kind = kind,
                          .series = series,
                          .t_us = t_us,
                          .bot = bot,
                          .index = index,
                          .attempt = attempt};
    if (++c->in_flight > c->max_in_flight)
        c->max_in_flight = c->in_flight;
    uint64_t late = now_us > (int64_t)t_us ? (uint64_t)now_us - t_us : 0;
    if (late >= l->timeout_us) {
        req_finish(r, FS_OUT_TIMEOUT);
        return;
    }
    fs_http_call_t cc = *call;
    cc.timeout_ms = (l->timeout_us - late + 999) / 1000;
    if (fs_http_client_request(cl, &cc, req_cb, r) < 0)
        req_finish(r, FS_OUT_ERROR);
}

static void send_client(fs_load_t *l, uint64_t i, unsigned attempt, uint64_t t_us, int64_t now_us)
{
    fs_load_pick_t p;
    char headers[FS__LOAD_HDR_MAX], target[32];
    fs_load_pick(l->seed, l->bot_share, i, l->nproxies, &p);
    if (p.bot) {
        snprintf(headers, sizeof(headers),
                 "User-Agent: %s\r\nX-Forwarded-For: 10.%u.%u.%u\r\n"
                 "X-Failsmall-Truth: bot\r\n",
                 p.ua, p.ip[0], p.ip[1], p.ip[2]);
    } else {
        snprintf(headers, sizeof(headers),
                 "User-Agent: %s\r\nAccept-Language: en-US\r\nCookie: session=%016" PRIx64
                 "\r\nX-Forwarded-For: 10.%u.%u.%u\r\nX-Failsmall-Truth: human\r\n",
                 p.ua, p.session, p.ip[0], p.ip[1], p.ip[2]);
    }
    /* Humans and bots are counted once per request, not per attempt. */
    if (attempt == 0)
        *(p.bot ? &l->bots : &l->humans) += 1;
    snprintf(target, sizeof(target), "/shop/item/%u", p.item);
    fs_http_call_t call = {.method = "GET", .target = target, .headers = headers};
    req_send(l, FS__LOAD_CLIENT, l->proxy_series ? l->proxy_series[p.proxy] : NULL, p.bot, i,
             attempt, t_us, now_us, l->proxies[p.proxy], &call);
}

static void send_login(fs_load_t *l, uint64_t i, uint64_t t_us, int64_t now_us)
{
    fs_prng_t p;
    char headers[FS__LOAD_HDR_MAX];
    fs_prng_seed(&p, fs_prng_derive_index(fs_prng_derive(l->seed, "load.user"), i));
    unsigned user = (unsigned)fs_prng_uint(&p, FS__LOAD_USERS);
    uint64_t challenge = fs_prng_next(&p), session = fs_prng_next(&p), ip = fs_prng_next(&p);
    snprintf(headers, sizeof(headers),
             "Content-Type: application/json\r\nUser-Agent: " FS_LOAD_HUMAN_UA
             "\r\nAccept-Language: en-US\r\nCookie: session=%016" PRIx64
             "\r\nX-Forwarded-For: 10.%u.%u.%u\r\nX-Failsmall-Truth: human\r\n",
             session, (unsigned)(uint8_t)ip, (unsigned)(uint8_t)(ip >> 8),
             (unsigned)(uint8_t)(ip >> 16));
    int n =
        snprintf(l->body, l->body_cap,
                 "{\"user\":\"user%u\",\"password\":%s,\"challenge\":\"tok-%016" PRIx64 "\"%s%s}",
                 user, l->password_json, challenge, l->token_json ? ",\"break_glass\":" : "",
                 l->token_json ? l->token_json : "");
    fs_http_call_t call = {.method = "POST",
                           .target = "/login",
                           .headers = headers,
                           .body = l->body,
                           .body_len = n > 0 ? (size_t)n : 0};
    req_send(l, FS__LOAD_USER, l->user_series, 0, i, 0, t_us, now_us, l->dashboard, &call);
}

/* ---- schedule ---- */

/* Sends what is due in one stream; 1 while more is to come. */
static int stream_pump(fs_load_t *l, fs__load_kind_t kind, int64_t now_us)
{
    fs__load_stream_t *st = &l->streams[kind];
    while (!st->done) {
        uint64_t t = due_us(l, st, st->next);
        if (t >= l->stop_us) {
            st->done = 1;
            break;
        }
        if ((int64_t)t > now_us)
            return 1;
        if (kind == FS__LOAD_CLIENT)
            send_client(l, st->next, 0, t, now_us);
        else
            send_login(l, st->next, t, now_us);
        st->next++;
    }
    return 0;
}

static void tick_cb(uv_timer_t *t)
{
    fs_load_t *l = t->data;
    int64_t now = run_now_us(l);
    int more = stream_pump(l, FS__LOAD_CLIENT, now);
    more |= stream_pump(l, FS__LOAD_USER, now);
    if (!more)
        uv_timer_stop(&l->tick);
}

/* ---- lifecycle ---- */

static int addr_ok(const struct sockaddr *sa)
{
    return sa && (sa->sa_family == AF_INET || sa->sa_family == AF_INET6);
}

static int rate_ok(double r)
{
    return isfinite(r) && r >= 0 && r <= FS__LOAD_MAX_RPS;
}

static int config_ok(const fs_load_config_t *c)
{
    if (!rate_ok(c->proxy_rps) || !rate_ok(c->login_rps) || !isfinite(c->bot_share) ||
        c->bot_share < 0 || c->bot_share > 1 || c->stop_ms < c->start_ms ||
        c->client_retries > FS_LOAD_MAX_CLIENT_RETRIES || c->stop_ms > UINT64_MAX / 1000 ||
        c->timeout_ms > UINT64_MAX / 1000)
        return 0;
    if (c->proxy_rps > 0) {
        if (c->nproxies == 0 || !c->proxies)
            return 0;
        for (size_t i = 0; i < c->nproxies; i++)
            if (!addr_ok(c->proxies[i]))
                return 0;
    }
    if (c->login_rps > 0 && !addr_ok(c->dashboard))
        return 0;
    if ((c->password && strlen(c->password) > FS__LOAD_SECRET_MAX) ||
        (c->break_glass && strlen(c->break_glass) > FS__LOAD_SECRET_MAX))
        return 0;
    return 1;
}

static char *json_string(const char *s)
{
    cJSON *j = cJSON_CreateString(s);
    char *out = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    return out;
}

static void load_free(fs_load_t *l)
{
    free(l->proxies);
    free(l->proxy_series);
    free(l->password_json);
    free(l->token_json);
    free(l->body);
    free(l);
}

static void tick_close_cb(uv_handle_t *h)
{
    load_free(h->data);
}

int fs_load_start(uv_loop_t *loop, const fs_load_config_t *cfg, fs_load_t **out)
{
    if (!loop || !cfg || !out || !config_ok(cfg))
        return -EINVAL;
    int rc = -ENOMEM;
    fs_load_t *l = calloc(1, sizeof(*l));
    if (!l)
        return -ENOMEM;
    l->loop = loop;
    l->t0_ns = cfg->t0_ns;
    l->start_us = cfg->start_ms * 1000;
    l->stop_us = cfg->stop_ms * 1000;
    l->timeout_us = (cfg->timeout_ms ? cfg->timeout_ms : FS_LOAD_DEFAULT_TIMEOUT_MS) * 1000;
    l->seed = cfg->seed;
    l->bot_share = cfg->bot_share;
    l->client_retries = cfg->client_retries;
    l->streams[FS__LOAD_CLIENT].rate = cfg->proxy_rps;
    l->streams[FS__LOAD_USER].rate = cfg->login_rps;
    l->streams[FS__LOAD_CLIENT].done = !(cfg->proxy_rps > 0);
    l->streams[FS__LOAD_USER].done = !(cfg->login_rps > 0);
    l->password_json = json_string(cfg->password ? cfg->password : FS_LOAD_DEFAULT_PASSWORD);
    if (!l->password_json)
        goto fail;
    if (!cfg->break_glass || cfg->break_glass[0]) {
        l->token_json = json_string(cfg->break_glass ? cfg->break_glass : FS_LOAD_DEFAULT_TOKEN);
        if (!l->token_json)
            goto fail;
    }
    /* The fixed parts of a login body are well under 128 bytes. */
    l->body_cap = strlen(l->password_json) + (l->token_json ? strlen(l->token_json) : 0) + 128;
    if (!(l->body = malloc(l->body_cap)))
        goto fail;
    if (cfg->proxy_rps > 0) {
        l->nproxies = cfg->nproxies;
        l->proxies = calloc(l->nproxies, sizeof(*l->proxies));
        if (!l->proxies)
            goto fail;
        if (cfg->proxy_series) {
            l->proxy_series = malloc(l->nproxies * sizeof(*l->proxy_series));
            if (!l->proxy_series)
                goto fail;
            memcpy(l->proxy_series, cfg->proxy_series, l->nproxies * sizeof(*l->proxy_series));
        }
        for (size_t i = 0; i < l->nproxies; i++)
            if ((rc = fs_http_client_new(loop, cfg->proxies[i], &l->proxies[i])) < 0)
                goto fail;
    }
    if (cfg->login_rps > 0) {
        l->user_series = cfg->user_series;
        if ((rc = fs_http_client_new(loop, cfg->dashboard, &l->dashboard)) < 0)
            goto fail;
    }
    if ((rc = uv_timer_init(loop, &l->tick)) < 0)
        goto fail;
    l->tick.data = l;
    uv_timer_start(&l->tick, tick_cb, 0, FS__LOAD_TICK_MS);
    *out = l;
    return 0;
fail:
    /* Fresh clients hold no handles yet: closing frees them at once. */
    for (size_t i = 0; l->proxies && i < l->nproxies; i++)
        fs_http_client_close(l->proxies[i]);
    fs_http_client_close(l->dashboard);
    load_free(l);
    return rc;
}

void fs_load_stats(const fs_load_t *load, fs_load_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    out->client = load->streams[FS__LOAD_CLIENT].counts;
    out->user = load->streams[FS__LOAD_USER].counts;
    out->humans = load->humans;
    out->bots = load->bots;
    out->sending = !load->stopped && !(load->streams[0].done && load->streams[1].done);
}

void fs_load_stop(fs_load_t *load)
{
    if (!load || load->stopped)
        return;
    load->stopped = 1;
    load->streams[FS__LOAD_CLIENT].done = 1;
    load->streams[FS__LOAD_USER].done = 1;
    uv_timer_stop(&load->tick);
}

void fs_load_close(fs_load_t *load)
{
    if (!load)
        return;
    fs_load_stop(load);
    /* Cancelled requests call back from inside these, while load lives. */
    for (size_t i = 0; load->proxies && i < load->nproxies; i++)
        fs_http_client_close(load->proxies[i]);
    fs_http_client_close(load->dashboard);
    uv_close((uv_handle_t *)&load->tick, tick_close_cb);
}
