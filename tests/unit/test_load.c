/* The open-loop load generator against fake proxies and a fake dashboard
 * (fs_http servers on 127.0.0.1:0 in the same loop) that answer by the
 * ground truth, block everyone, let everyone through, fail, hang or lag. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "fs_http.h"
#include "load.h"
#include "prng.h"
#include "series.h"

#define MAX_FAKES 6
#define GUARD_MS  8000

typedef enum {
    F_TRUTH,    /* humans 200, bots 403: a healthy fleet */
    F_BLOCK,    /* 403 for everyone */
    F_ALLOW,    /* 200 for everyone, no marker */
    F_FAILOPEN, /* 200 + X-Failsmall-Degraded for everyone */
    F_500,
    F_HANG,  /* never answers */
    F_DELAY, /* the truthful answer at least 50 ms later */
    F_DASH   /* dashboard: cycles 200, 200 break-glass, 403, 503, 200 garbage */
} fmode_t;

typedef struct fx_s fx_t;

typedef struct {
    fx_t *fx;
    fs_http_server_t *srv;
    struct sockaddr_storage addr;
    fmode_t mode;
    int seen, humans, bots, bad_login;
    char **recs; /* what each request looked like, in arrival order */
    size_t nrecs, cap;
    fs_http_req_t **held;
    size_t nheld, held_cap;
} fake_t;

typedef struct {
    uv_timer_t t;
    fs_http_req_t *req;
} delayed_t;

struct fx_s {
    uv_loop_t loop;
    uv_timer_t check, guard, stall;
    int guard_fired, finished;
    fake_t fakes[MAX_FAKES];
    size_t nfakes;
    fake_t dash;
    int has_dash;
    fs_series_t *series[MAX_FAKES], *user_series;
    fs_load_t *load;
    fs_load_stats_t stats; /* as they were at the end */
    int close_when_sent;   /* close with requests still in flight */
    uint64_t stall_at_ms, stall_ms;
    uint64_t t0_ns;
};

/* ---- fakes ---- */

static void record(fake_t *f, fs_http_req_t *req)
{
    const char *truth = fs_http_req_header(req, "X-Failsmall-Truth");
    const char *ua = fs_http_req_header(req, "User-Agent");
    const char *xff = fs_http_req_header(req, "X-Forwarded-For");
    const char *cookie = fs_http_req_header(req, "Cookie");
    const char *lang = fs_http_req_header(req, "Accept-Language");
    char buf[512];
    snprintf(buf, sizeof(buf), "%s|%s|%s|%s|%s|%s", truth ? truth : "-", ua ? ua : "-",
             fs_http_req_path(req), xff ? xff : "-", cookie ? cookie : "-", lang ? lang : "-");
    if (f->nrecs == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 256;
        f->recs = realloc(f->recs, f->cap * sizeof(*f->recs));
        assert_non_null(f->recs);
    }
    f->recs[f->nrecs++] = strdup(buf);
}

static void hold(fake_t *f, fs_http_req_t *req)
{
    if (f->nheld == f->held_cap) {
        f->held_cap = f->held_cap ? 2 * f->held_cap : 64;
        f->held = realloc(f->held, f->held_cap * sizeof(*f->held));
        assert_non_null(f->held);
    }
    f->held[f->nheld++] = req;
}

static void truthful(fs_http_req_t *req, int bot)
{
    if (bot)
        fs_http_respond(req, 403, "text/plain", NULL, "blocked\n", 8);
    else
        fs_http_respond(req, 200, "text/plain", NULL, "ok\n", 3);
}

static void delayed_close_cb(uv_handle_t *h)
{
    free(h->data);
}

static void delayed_cb(uv_timer_t *t)
{
    delayed_t *d = t->data;
    const char *truth = fs_http_req_header(d->req, "X-Failsmall-Truth");
    truthful(d->req, truth && strcmp(truth, "bot") == 0);
    uv_close((uv_handle_t *)&d->t, delayed_close_cb);
}

/* A login as PROTOCOL.md has it, with the generator's password, token and
 * a challenge the dashboard would accept. */
static int login_ok(fs_http_req_t *req)
{
    size_t len;
    const char *body = fs_http_req_body(req, &len);
    const char *ctype = fs_http_req_header(req, "Content-Type");
    const char *truth = fs_http_req_header(req, "X-Failsmall-Truth");
    cJSON *doc = cJSON_ParseWithLength(body, len);
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(doc, "user");
    const cJSON *pw = cJSON_GetObjectItemCaseSensitive(doc, "password");
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(doc, "challenge");
    const cJSON *bg = cJSON_GetObjectItemCaseSensitive(doc, "break_glass");
    int ok = fs_http_req_method(req) == HTTP_POST && strcmp(fs_http_req_path(req), "/login") == 0 &&
             ctype && strcmp(ctype, "application/json") == 0 && truth &&
             strcmp(truth, "human") == 0 && fs_http_req_header(req, "Accept-Language") &&
             fs_http_req_header(req, "Cookie") && cJSON_IsString(user) &&
             strncmp(user->valuestring, "user", 4) == 0 && cJSON_IsString(pw) &&
             strcmp(pw->valuestring, "s3cr\"t") == 0 && cJSON_IsString(bg) &&
             strcmp(bg->valuestring, FS_LOAD_DEFAULT_TOKEN) == 0 && cJSON_IsString(ch) &&
             strlen(ch->valuestring) == 20 && strncmp(ch->valuestring, "tok-", 4) == 0 &&
             strspn(ch->valuestring + 4, "0123456789abcdef") == 16;
    cJSON_Delete(doc);
    return ok;
}

static void fake_handler(fs_http_req_t *req, void *data)
{
    fake_t *f = data;
    const char *truth = fs_http_req_header(req, "X-Failsmall-Truth");
    int bot = truth && strcmp(truth, "bot") == 0;
    int n = f->seen++;
    record(f, req);
    f->bots += bot;
    f->humans += !bot;
    switch (f->mode) {
    case F_TRUTH:
        truthful(req, bot);
        break;
    case F_BLOCK:
        fs_http_respond(req, 403, "text/plain", NULL, "blocked\n", 8);
        break;
    case F_ALLOW:
        fs_http_respond(req, 200, "text/plain", NULL, "ok\n", 3);
        break;
    case F_FAILOPEN:
        fs_http_respond(req, 200, "text/plain", "X-Failsmall-Degraded: botmod-timeout\r\n", "ok\n",
                        3);
        break;
    case F_500:
        fs_http_respond(req, 503, "text/plain", NULL, "down\n", 5);
        break;
    case F_HANG:
        hold(f, req);
        break;
    case F_DELAY: {
        delayed_t *d = malloc(sizeof(*d));
        assert_non_null(d);
        d->req = req;
        uv_timer_init(&f->fx->loop, &d->t);
        d->t.data = d;
        uv_update_time(&f->fx->loop);
        /* uv timers count whole loop milliseconds and may fire up to
         * 1 ms early in real time; 51 guarantees 50. */
        uv_timer_start(&d->t, delayed_cb, 51, 0);
        break;
    }
    case F_DASH:
        f->bad_login += !login_ok(req);
        switch (n % 5) {
        case 0:
            fs_http_respondf(req, 200, "application/json", NULL,
                             "{\"session\":\"s%d\",\"break_glass\":false}", n);
            break;
        case 1:
            fs_http_respondf(req, 200, "application/json", NULL,
                             "{\"session\":\"s%d\",\"break_glass\":true}", n);
            break;
        case 2:
            fs_http_respond(req, 403, "application/json", NULL, "{\"error\":\"no\"}", 14);
            break;
        case 3:
            fs_http_respond(req, 503, "application/json", NULL, "{}", 2);
            break;
        default:
            fs_http_respond(req, 200, "application/json", NULL, "not json", 8);
            break;
        }
        break;
    }
}

static void fake_start(fx_t *fx, fake_t *f, fmode_t mode)
{
    struct sockaddr_in any;
    f->fx = fx;
    f->mode = mode;
    uv_ip4_addr("127.0.0.1", 0, &any);
    assert_int_equal(
        fs_http_server_start(&fx->loop, (struct sockaddr *)&any, fake_handler, f, &f->srv), 0);
    assert_int_equal(fs_http_server_addr(f->srv, &f->addr), 0);
}

static void fake_close(fake_t *f)
{
    fs_http_server_close(f->srv);
    /* Held requests stay valid after close; answering releases them. */
    for (size_t i = 0; i < f->nheld; i++)
        fs_http_respond(f->held[i], 503, NULL, NULL, NULL, 0);
    f->nheld = 0;
}

static void fake_free(fake_t *f)
{
    for (size_t i = 0; i < f->nrecs; i++)
        free(f->recs[i]);
    free(f->recs);
    free(f->held);
}

/* ---- driver ---- */

static fx_t *fx_new(size_t nfakes, const fmode_t *modes, int dash)
{
    fx_t *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    assert_int_equal(uv_loop_init(&fx->loop), 0);
    fx->nfakes = nfakes;
    for (size_t i = 0; i < nfakes; i++) {
        fake_start(fx, &fx->fakes[i], modes[i]);
        assert_int_equal(fs_series_new(100, 10000, 1000, &fx->series[i]), 0);
    }
    if (dash) {
        fx->has_dash = 1;
        fake_start(fx, &fx->dash, F_DASH);
        assert_int_equal(fs_series_new(100, 10000, 1000, &fx->user_series), 0);
    }
    return fx;
}

static void finish(fx_t *fx)
{
    if (fx->finished)
        return;
    fx->finished = 1;
    fs_load_stats(fx->load, &fx->stats);
    fs_load_close(fx->load);
    fx->load = NULL;
    for (size_t i = 0; i < fx->nfakes; i++)
        fake_close(&fx->fakes[i]);
    if (fx->has_dash)
        fake_close(&fx->dash);
    uv_close((uv_handle_t *)&fx->check, NULL);
    uv_close((uv_handle_t *)&fx->guard, NULL);
    uv_close((uv_handle_t *)&fx->stall, NULL);
}

static void check_cb(uv_timer_t *t)
{
    fx_t *fx = t->data;
    fs_load_stats_t st;
    fs_load_stats(fx->load, &st);
    if (st.sending)
        return;
    if (fx->close_when_sent || (st.client.in_flight == 0 && st.user.in_flight == 0))
        finish(fx);
}

static void guard_cb(uv_timer_t *t)
{
    fx_t *fx = t->data;
    fx->guard_fired = 1;
    finish(fx);
}

/* Blocks the whole loop, as a busy harness or a slow callback would. */
static void stall_cb(uv_timer_t *t)
{
    fx_t *fx = t->data;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)fx->stall_ms * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Runs the generator over cfg (addresses and series filled in here) until
 * the window is over and every request is answered. */
static void fx_run(fx_t *fx, fs_load_config_t *cfg)
{
    const struct sockaddr *addrs[MAX_FAKES];
    for (size_t i = 0; i < fx->nfakes; i++)
        addrs[i] = (const struct sockaddr *)&fx->fakes[i].addr;
    cfg->proxies = addrs;
    cfg->proxy_series = fx->series;
    cfg->nproxies = fx->nfakes;
    cfg->dashboard = fx->has_dash ? (const struct sockaddr *)&fx->dash.addr : NULL;
    cfg->user_series = fx->user_series;
    fx->t0_ns = cfg->t0_ns = uv_hrtime();
    assert_int_equal(fs_load_start(&fx->loop, cfg, &fx->load), 0);
    uv_timer_init(&fx->loop, &fx->check);
    uv_timer_init(&fx->loop, &fx->guard);
    uv_timer_init(&fx->loop, &fx->stall);
    fx->check.data = fx->guard.data = fx->stall.data = fx;
    uv_timer_start(&fx->check, check_cb, 10, 10);
    uv_timer_start(&fx->guard, guard_cb, GUARD_MS, 0);
    if (fx->stall_ms)
        uv_timer_start(&fx->stall, stall_cb, fx->stall_at_ms, 0);
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    assert_int_equal(fx->guard_fired, 0);
}

static void fx_free(fx_t *fx)
{
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&fx->loop), 0);
    for (size_t i = 0; i < fx->nfakes; i++) {
        fake_free(&fx->fakes[i]);
        fs_series_free(fx->series[i]);
    }
    fake_free(&fx->dash);
    fs_series_free(fx->user_series);
    free(fx);
}

/* Sums over every bucket of a series. */
static fs_bucket_t totals(const fs_series_t *s)
{
    fs_bucket_t t;
    memset(&t, 0, sizeof(t));
    for (size_t i = 0; i < fs_series_len(s); i++) {
        const fs_bucket_t *b = fs_series_bucket(s, i);
        t.calls += b->calls;
        t.good += b->good;
        t.degraded += b->degraded;
        t.wrong += b->wrong;
        t.errors += b->errors;
        t.slow += b->slow;
        t.retries += b->retries;
        for (int k = 0; k < FS_SERIES_LAT_BINS; k++)
            t.lat[k] += b->lat[k];
    }
    return t;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The record a fake should see for pick p, in record()'s format. */
static char *expected_record(const fs_load_pick_t *p)
{
    char buf[512], cookie[64];
    snprintf(cookie, sizeof(cookie), "session=%016" PRIx64, p->session);
    snprintf(buf, sizeof(buf), "%s|%s|/shop/item/%u|10.%u.%u.%u|%s|%s", p->bot ? "bot" : "human",
             p->ua, p->item, p->ip[0], p->ip[1], p->ip[2], p->bot ? "-" : cookie,
             p->bot ? "-" : "en-US");
    return strdup(buf);
}

static fs_load_config_t base_cfg(void)
{
    return (fs_load_config_t){.start_ms = 20, .seed = 42, .bot_share = 0.2, .timeout_ms = 1000};
}

/* ---- tests ---- */

static void test_pick_is_pure_and_mixed(void **state)
{
    (void)state;
    int bots = 0, uas[3] = {0};
    const char *bot_uas[] = {"curl/8.5.0", "python-requests/2.31", "Go-http-client/1.1"};
    for (uint64_t i = 0; i < 1000; i++) {
        fs_load_pick_t a, b, c, none, all;
        memset(&a, 0, sizeof(a)); /* padding too, for the memory compare */
        memset(&b, 0, sizeof(b));
        fs_load_pick(42, 0.2, i, 3, &a);
        fs_load_pick(42, 0.2, i, 3, &b);
        assert_memory_equal(&a, &b, sizeof(a));
        assert_int_equal(a.proxy, i % 3);
        assert_true(a.item < 1000);
        bots += a.bot;
        if (a.bot) {
            int k = 0;
            while (k < 3 && strcmp(a.ua, bot_uas[k]) != 0)
                k++;
            assert_true(k < 3);
            uas[k]++;
        } else {
            assert_string_equal(a.ua, FS_LOAD_HUMAN_UA);
        }
        /* Another share changes who is a bot, not where or what. */
        fs_load_pick(42, 0.0, i, 3, &none);
        fs_load_pick(42, 1.0, i, 3, &all);
        assert_int_equal(none.bot, 0);
        assert_int_equal(all.bot, 1);
        assert_int_equal(all.item, a.item);
        assert_memory_equal(all.ip, a.ip, 3);
        fs_load_pick(43, 0.2, i, 3, &c);
        (void)c;
    }
    assert_in_range(bots, 160, 240);
    for (int k = 0; k < 3; k++)
        assert_true(uas[k] > 20);
    int same = 0;
    for (uint64_t i = 0; i < 200; i++) {
        fs_load_pick_t a, c;
        fs_load_pick(42, 0.2, i, 3, &a);
        fs_load_pick(43, 0.2, i, 3, &c);
        same += a.bot == c.bot && a.item == c.item;
    }
    assert_true(same < 10);
}

/* 500 rps over 2 s to three proxies, 20 logins/s: the count, the round
 * robin, the mix and the headers are what the schedule promises. */
static void test_rate_mix_round_robin(void **state)
{
    (void)state;
    fmode_t modes[] = {F_TRUTH, F_TRUTH, F_TRUTH};
    fx_t *fx = fx_new(3, modes, 1);
    fs_load_config_t cfg = base_cfg();
    cfg.stop_ms = cfg.start_ms + 2000;
    cfg.proxy_rps = 500;
    cfg.login_rps = 20;
    cfg.password = "s3cr\"t";
    fx_run(fx, &cfg);

    assert_in_range(fx->stats.client.sent, 998, 1002);
    assert_int_equal(fx->stats.client.answered, fx->stats.client.sent);
    assert_int_equal(fx->stats.client.outcome[FS_OUT_OK], fx->stats.client.sent);
    assert_int_equal(fx->stats.humans + fx->stats.bots, fx->stats.client.sent);
    int seen = 0, bots = 0;
    for (size_t k = 0; k < 3; k++) {
        fake_t *f = &fx->fakes[k];
        seen += f->seen;
        bots += f->bots;
        assert_in_range(f->seen, 332, 335);
        fs_bucket_t t = totals(fx->series[k]);
        assert_int_equal(t.calls, f->seen);
        assert_int_equal(t.good, f->seen);
        /* Each proxy saw exactly the picks the seed gives for its slots. */
        char **want = calloc((size_t)f->seen, sizeof(*want));
        size_t n = 0;
        for (uint64_t i = 0; i < fx->stats.client.sent; i++) {
            fs_load_pick_t p;
            fs_load_pick(42, 0.2, i, 3, &p);
            if (p.proxy == k && n < (size_t)f->seen)
                want[n++] = expected_record(&p);
        }
        assert_int_equal(n, f->nrecs);
        qsort(want, n, sizeof(*want), cmp_str);
        qsort(f->recs, f->nrecs, sizeof(*f->recs), cmp_str);
        for (size_t i = 0; i < n; i++) {
            assert_string_equal(f->recs[i], want[i]);
            free(want[i]);
        }
        free(want);
    }
    assert_int_equal(seen, fx->stats.client.sent);
    assert_int_equal(bots, fx->stats.bots);
    assert_true(fabs((double)bots / seen - 0.2) < 0.04);
    /* Logins: 40 of them, well formed, judged by the dashboard's answer. */
    assert_in_range(fx->stats.user.sent, 39, 41);
    assert_int_equal(fx->dash.seen, fx->stats.user.sent);
    assert_int_equal(fx->dash.bad_login, 0);
    assert_int_equal(fx->stats.user.answered, fx->stats.user.sent);
    fs_bucket_t u = totals(fx->user_series);
    assert_int_equal(u.calls, fx->stats.user.sent);
    fx_free(fx);
}

/* Every way an answer can be judged, and a server that never answers does
 * not slow the schedule of the others. */
static void test_outcomes(void **state)
{
    (void)state;
    fmode_t modes[] = {F_BLOCK, F_ALLOW, F_FAILOPEN, F_500, F_HANG};
    fx_t *fx = fx_new(5, modes, 1);
    fs_load_config_t cfg = base_cfg();
    cfg.stop_ms = cfg.start_ms + 1000;
    cfg.proxy_rps = 250;
    cfg.login_rps = 20;
    cfg.bot_share = 0.5;
    cfg.timeout_ms = 200;
    cfg.password = "s3cr\"t";
    fx_run(fx, &cfg);

    const fs_load_counts_t *c = &fx->stats.client;
    assert_in_range(c->sent, 248, 252);
    assert_int_equal(c->answered, c->sent);
    fake_t *block = &fx->fakes[0], *allow = &fx->fakes[1], *open = &fx->fakes[2];
    fake_t *err = &fx->fakes[3], *hang = &fx->fakes[4];
    assert_true(block->humans > 0 && block->bots > 0 && allow->humans > 0 && allow->bots > 0);
    assert_int_equal(hang->seen, c->sent / 5);

    fs_bucket_t t = totals(fx->series[0]); /* blocked humans are wrong */
    assert_int_equal(t.wrong, block->humans);
    assert_int_equal(t.good, block->bots);
    t = totals(fx->series[1]); /* bots let through by a healthy fleet too */
    assert_int_equal(t.wrong, allow->bots);
    assert_int_equal(t.good, allow->humans);
    assert_int_equal(t.degraded, 0);
    t = totals(fx->series[2]); /* fail-open passes everyone, marked */
    assert_int_equal(t.degraded, open->seen);
    assert_int_equal(t.good, open->seen);
    t = totals(fx->series[3]);
    assert_int_equal(t.errors, err->seen);
    t = totals(fx->series[4]);
    assert_int_equal(t.errors, hang->seen);
    assert_int_equal(t.calls, hang->seen);

    assert_int_equal(c->outcome[FS_OUT_WRONG], block->humans + allow->bots);
    assert_int_equal(c->outcome[FS_OUT_DEGRADED], open->seen);
    assert_int_equal(c->outcome[FS_OUT_OK], block->bots + allow->humans);
    assert_int_equal(c->outcome[FS_OUT_ERROR], err->seen);
    assert_int_equal(c->outcome[FS_OUT_TIMEOUT], hang->seen);
    /* Timed out about 200 ms after the intended time, not later. */
    assert_in_range(c->lat_max_us, 195000, 400000);
    assert_true(c->max_in_flight >= 8);

    /* Logins cycle OK, break-glass, 403, 503, garbage. */
    const fs_load_counts_t *u = &fx->stats.user;
    assert_int_equal(u->sent, 20);
    assert_int_equal(fx->dash.bad_login, 0);
    assert_int_equal(u->outcome[FS_OUT_OK], 4);
    assert_int_equal(u->outcome[FS_OUT_DEGRADED], 4);
    assert_int_equal(u->outcome[FS_OUT_WRONG], 4);
    assert_int_equal(u->outcome[FS_OUT_ERROR], 8);
    t = totals(fx->user_series);
    assert_int_equal(t.good, 8);
    assert_int_equal(t.degraded, 4);
    assert_int_equal(t.wrong, 4);
    assert_int_equal(t.errors, 8);
    fx_free(fx);
}

/* Clients retry a failure at once, up to client_retries times: a 500 is
 * sent three times, a wrong answer (403 to a human) and a success once;
 * the series tell retries from requests. */
static void test_client_retries(void **state)
{
    (void)state;
    fmode_t modes[] = {F_500, F_BLOCK};
    fx_t *fx = fx_new(2, modes, 0);
    fs_load_config_t cfg = base_cfg();
    cfg.stop_ms = cfg.start_ms + 1000;
    cfg.proxy_rps = 100;
    cfg.client_retries = 2;
    fx_run(fx, &cfg);

    const fs_load_counts_t *c = &fx->stats.client;
    fake_t *err = &fx->fakes[0], *block = &fx->fakes[1];
    uint64_t asked = fx->stats.humans + fx->stats.bots;
    assert_in_range(asked, 99, 101);
    /* round robin from request 0: the 500 proxy gets the even ones */
    assert_int_equal(err->seen, 3 * ((asked + 1) / 2));
    assert_int_equal(block->seen, asked / 2);
    assert_int_equal(c->retries, 2 * ((asked + 1) / 2));
    assert_int_equal(c->sent, asked + c->retries);
    fs_bucket_t t = totals(fx->series[0]);
    assert_int_equal(t.calls, err->seen);
    assert_int_equal(t.retries, c->retries);
    assert_int_equal(t.errors, err->seen);
    t = totals(fx->series[1]);
    assert_int_equal(t.retries, 0);
    fx_free(fx);
}

/* An answer 50 ms after arrival is at least 50 ms from the intended time. */
static void test_latency_from_intended_time(void **state)
{
    (void)state;
    fmode_t modes[] = {F_DELAY};
    fx_t *fx = fx_new(1, modes, 0);
    fs_load_config_t cfg = base_cfg();
    cfg.stop_ms = cfg.start_ms + 500;
    cfg.proxy_rps = 100;
    fx_run(fx, &cfg);

    assert_int_equal(fx->stats.client.sent, 50);
    assert_int_equal(fx->stats.client.answered, 50);
    assert_true(fx->stats.client.lat_min_us >= 50000);
    assert_true(fx->stats.client.lat_max_us < 500000);
    fs_bucket_t t = totals(fx->series[0]);
    uint32_t filed = 0;
    for (int k = 0; k < FS_SERIES_LAT_BINS; k++) {
        if (fs_series_bin_upper_us(k) < 50000)
            assert_int_equal(t.lat[k], 0);
        filed += t.lat[k];
    }
    assert_int_equal(filed, 50);
    assert_int_equal(t.good, 50);
    fx_free(fx);
}

/* The loop stalls 150 ms: requests due meanwhile go out late, all at once,
 * and their latency includes the wait (no coordinated omission). */
static void test_stall_counts_against_latency(void **state)
{
    (void)state;
    fmode_t modes[] = {F_TRUTH};
    fx_t *fx = fx_new(1, modes, 0);
    fs_load_config_t cfg = base_cfg();
    cfg.stop_ms = cfg.start_ms + 600;
    cfg.proxy_rps = 200;
    fx->stall_at_ms = 200;
    fx->stall_ms = 150;
    fx_run(fx, &cfg);

    assert_int_equal(fx->stats.client.sent, 120);
    assert_int_equal(fx->fakes[0].seen, 120);
    assert_int_equal(fx->stats.client.outcome[FS_OUT_OK], 120);
    assert_true(fx->stats.client.lat_max_us >= 100000);
    assert_true(fx->stats.client.max_in_flight >= 10);
    fx_free(fx);
}

/* A stall longer than the timeout: requests already past their deadline
 * when finally due count as timeouts and are never sent. */
static void test_stall_past_timeout(void **state)
{
    (void)state;
    fmode_t modes[] = {F_TRUTH};
    fx_t *fx = fx_new(1, modes, 0);
    fs_load_config_t cfg = base_cfg();
    cfg.stop_ms = cfg.start_ms + 400;
    cfg.proxy_rps = 200;
    cfg.timeout_ms = 100;
    fx->stall_at_ms = 100;
    fx->stall_ms = 200;
    fx_run(fx, &cfg);

    const fs_load_counts_t *c = &fx->stats.client;
    assert_int_equal(c->sent, 80);
    assert_true(c->outcome[FS_OUT_TIMEOUT] >= 5);
    /* Some were never sent; a few sent with a sliver of deadline left may
     * reach the fake and still time out. */
    assert_true(fx->fakes[0].seen <= 80 - 5);
    assert_true(fx->fakes[0].seen + c->outcome[FS_OUT_TIMEOUT] >= 80);
    assert_int_equal(c->outcome[FS_OUT_OK] + c->outcome[FS_OUT_TIMEOUT], 80);
    fx_free(fx);
}

static void collect(uint64_t seed, char ***out, size_t *n)
{
    fmode_t modes[] = {F_TRUTH, F_TRUTH};
    fx_t *fx = fx_new(2, modes, 0);
    fs_load_config_t cfg = base_cfg();
    cfg.seed = seed;
    cfg.stop_ms = cfg.start_ms + 400;
    cfg.proxy_rps = 200;
    cfg.bot_share = 0.3;
    fx_run(fx, &cfg);
    assert_int_equal(fx->stats.client.sent, 80);
    *n = 0;
    *out = calloc(80, sizeof(**out));
    for (size_t k = 0; k < 2; k++) {
        fake_t *f = &fx->fakes[k];
        /* Arrival order across keep-alive connections is the kernel's,
         * so compare each proxy's requests as a sorted set, tagged with
         * the proxy. */
        qsort(f->recs, f->nrecs, sizeof(*f->recs), cmp_str);
        for (size_t i = 0; i < f->nrecs && *n < 80; i++) {
            char buf[600];
            snprintf(buf, sizeof(buf), "%zu:%s", k, f->recs[i]);
            (*out)[(*n)++] = strdup(buf);
        }
    }
    fx_free(fx);
}

static void test_same_seed_same_traffic(void **state)
{
    (void)state;
    char **a, **b, **c;
    size_t na, nb, nc;
    collect(7, &a, &na);
    collect(7, &b, &nb);
    collect(8, &c, &nc);
    assert_int_equal(na, 80);
    assert_int_equal(nb, 80);
    assert_int_equal(nc, 80);
    int differ = 0;
    for (size_t i = 0; i < 80; i++) {
        assert_string_equal(a[i], b[i]);
        differ += strcmp(a[i], c[i]) != 0;
        free(a[i]);
        free(b[i]);
        free(c[i]);
    }
    assert_true(differ > 40);
    free(a);
    free(b);
    free(c);
}

/* Closing with requests in flight cancels them: begun, never ended. */
static void test_close_cancels_in_flight(void **state)
{
    (void)state;
    fmode_t modes[] = {F_HANG};
    fx_t *fx = fx_new(1, modes, 0);
    fs_load_config_t cfg = base_cfg();
    cfg.stop_ms = cfg.start_ms + 200;
    cfg.proxy_rps = 100;
    cfg.timeout_ms = 5000;
    fx->close_when_sent = 1;
    fx_run(fx, &cfg);

    assert_int_equal(fx->stats.client.sent, 20);
    assert_int_equal(fx->stats.client.answered, 0);
    assert_true(fx->stats.client.in_flight >= 19);
    fs_bucket_t t = totals(fx->series[0]);
    assert_int_equal(t.calls, 20);
    assert_int_equal(t.good + t.errors + t.wrong + t.slow, 0);
    fx_free(fx);
}

/* fs_load_stop() ends the schedule early. */
static void stop_cb(uv_timer_t *t)
{
    fx_t *fx = t->data;
    fs_load_stop(fx->load);
    fs_load_stop(fx->load);
    uv_close((uv_handle_t *)t, NULL);
}

static void test_stop_early(void **state)
{
    (void)state;
    fmode_t modes[] = {F_TRUTH};
    fx_t *fx = fx_new(1, modes, 0);
    fs_load_config_t cfg = base_cfg();
    cfg.start_ms = 0;
    cfg.stop_ms = 5000;
    cfg.proxy_rps = 100;
    uv_timer_t stopper;
    uv_timer_init(&fx->loop, &stopper);
    stopper.data = fx;
    uv_timer_start(&stopper, stop_cb, 300, 0);
    fx_run(fx, &cfg);
    assert_in_range(fx->stats.client.sent, 25, 40);
    assert_int_equal(fx->stats.sending, 0);
    fx_free(fx);
}

static void test_bad_config(void **state)
{
    (void)state;
    uv_loop_t loop;
    fs_load_t *l = NULL;
    struct sockaddr_in in;
    struct sockaddr un = {.sa_family = AF_UNIX};
    assert_int_equal(uv_loop_init(&loop), 0);
    uv_ip4_addr("127.0.0.1", 9, &in);
    const struct sockaddr *good[] = {(struct sockaddr *)&in};
    const struct sockaddr *nul[] = {NULL};
    const struct sockaddr *unix_[] = {&un};
    fs_load_config_t ok = {
        .stop_ms = 100, .proxy_rps = 10, .proxies = good, .nproxies = 1, .bot_share = 0.2};
    fs_load_config_t c;

    assert_int_equal(fs_load_start(&loop, NULL, &l), -EINVAL);
    assert_int_equal(fs_load_start(NULL, &ok, &l), -EINVAL);
    assert_int_equal(fs_load_start(&loop, &ok, NULL), -EINVAL);
#define BAD(field, value)                                                                          \
    do {                                                                                           \
        c = ok;                                                                                    \
        c.field = value;                                                                           \
        assert_int_equal(fs_load_start(&loop, &c, &l), -EINVAL);                                   \
    } while (0)
    BAD(proxy_rps, -1);
    BAD(proxy_rps, NAN);
    BAD(proxy_rps, INFINITY);
    BAD(proxy_rps, 1e9);
    BAD(login_rps, -0.5);
    BAD(login_rps, 5); /* no dashboard */
    BAD(bot_share, 1.5);
    BAD(bot_share, -0.1);
    BAD(bot_share, NAN);
    BAD(start_ms, 200); /* after stop */
    BAD(nproxies, 0);
    BAD(proxies, NULL);
    BAD(proxies, nul);
    BAD(proxies, unix_);
#undef BAD
    assert_null(l);

    /* Nothing to send is fine and closes cleanly. */
    c = ok;
    c.proxy_rps = 0;
    c.proxies = NULL;
    c.nproxies = 0;
    assert_int_equal(fs_load_start(&loop, &c, &l), 0);
    fs_load_stats_t st;
    fs_load_stats(l, &st);
    assert_int_equal(st.sending, 0);
    fs_load_close(l);
    fs_load_close(NULL);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pick_is_pure_and_mixed),
        cmocka_unit_test(test_rate_mix_round_robin),
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_client_retries),
        cmocka_unit_test(test_latency_from_intended_time),
        cmocka_unit_test(test_stall_counts_against_latency),
        cmocka_unit_test(test_stall_past_timeout),
        cmocka_unit_test(test_same_seed_same_traffic),
        cmocka_unit_test(test_close_cancels_in_flight),
        cmocka_unit_test(test_stop_early),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
