/* A run's lifecycle, one phase after the other on the caller's loop:
 * STARTING (fleet up, baseline configs published and applied everywhere),
 * MEASURING (load and faults for the scenario's duration), DRAINING (last
 * answers), then judge, write results, STOPPING (fleet down), DONE. */
#include "run_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <cjson/cJSON.h>

#include "prng.h"

#define FS__RUN_READY_TIMEOUT_MS 15000 /* every /healthz answering */
/* SIGTERM to SIGKILL once aborted: a Ctrl-C must be done within 2 s. */
#define FS__RUN_ABORT_GRACE_MS 500
#define FS__RUN_EVENTS_MS      100

static void fs__run_stop_fleet(fs_run_t *r);
static void fs__run_end_measure(fs_run_t *r);

/* The harness itself could not go on: note why and wind down. */
void fs__run_fail(fs_run_t *r, const char *fmt, ...)
{
    va_list ap;

    if (r->status != FS_RUN_ERROR) {
        va_start(ap, fmt);
        vsnprintf(r->error, sizeof(r->error), fmt, ap);
        va_end(ap);
        r->status = FS_RUN_ERROR;
        fs_timeline_add(r->timeline, fs__run_now_ms(r), "run.error", "harness", "%s", r->error);
    }
    if (r->phase == FS_RUN_MEASURING || r->phase == FS_RUN_DRAINING)
        fs__run_end_measure(r);
    else if (r->phase == FS_RUN_STARTING)
        fs__run_stop_fleet(r);
}

/* ---- the fleet's own events ---- */

static void fs__run_sup_event_cb(fs_sup_t *sup, const fs_sup_event_t *ev, void *data)
{
    fs_run_t *r = data;
    char kind[48];

    (void)sup;
    snprintf(kind, sizeof(kind), "process.%s", fs_sup_event_name(ev->type));
    fs_timeline_add(r->timeline, fs__run_now_ms(r), kind, ev->name, "%s",
                    ev->detail ? ev->detail : "");
    /* No fault is on before the load starts: a process that exits now is
     * broken (a bad flag, a missing library), and waiting out the ready
     * timeout while it crash-loops would only hide that. */
    if (r->phase == FS_RUN_STARTING &&
        (ev->type == FS_SUP_EV_EXITED || ev->type == FS_SUP_EV_SPAWN_FAILED))
        fs__run_fail(r, "the fleet did not start: %s", ev->detail ? ev->detail : ev->name);
}

/* Configstore's rollout events (stages, rollbacks), mapped onto run time
 * with the now_ms it sends along. */
static void fs__run_events_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fs_run_t *r = data;
    cJSON *doc, *events, *e;
    const char *body;
    double cs_now;
    size_t len;

    if (status == -ECANCELED)
        return;
    r->events_busy = 0;
    if (status != 200)
        return;
    body = fs_http_resp_body(resp, &len);
    if ((doc = cJSON_ParseWithLength(body, len)) == NULL)
        return;
    events = cJSON_GetObjectItem(doc, "events");
    cs_now = cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "now_ms"));
    cJSON_ArrayForEach(e, events)
    {
        const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(e, "event"));
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(e, "key"));
        const char *stage = cJSON_GetStringValue(cJSON_GetObjectItem(e, "stage"));
        const char *reason = cJSON_GetStringValue(cJSON_GetObjectItem(e, "reason"));
        double t = cJSON_GetNumberValue(cJSON_GetObjectItem(e, "t_ms"));
        double v = cJSON_GetNumberValue(cJSON_GetObjectItem(e, "version"));
        double served = cJSON_GetNumberValue(cJSON_GetObjectItem(e, "served"));
        double seq = cJSON_GetNumberValue(cJSON_GetObjectItem(e, "seq"));
        char k[48];

        if (kind == NULL || key == NULL)
            continue;
        snprintf(k, sizeof(k), "rollout.%s", kind);
        fs_timeline_add(r->timeline, fs__run_now_ms(r) - (int64_t)(cs_now - t), k, "configstore",
                        "%s v%.0f%s%s (serving v%.0f)%s%s", key, v, stage ? " stage " : "",
                        stage ? stage : "", served, reason ? ": " : "", reason ? reason : "");
        if (seq > (double)r->events_next)
            r->events_next = (uint64_t)seq;
    }
    cJSON_Delete(doc);
}

static void fs__run_poll_events(fs_run_t *r)
{
    char target[64];
    fs_http_call_t call = {.method = "GET", .target = target, .timeout_ms = 2000};

    if (r->events_busy)
        return;
    snprintf(target, sizeof(target), "/v1/events?since=%llu", (unsigned long long)r->events_next);
    if (fs_http_client_request(r->cs, &call, fs__run_events_cb, r) == 0)
        r->events_busy = 1;
}

/* ---- faults ---- */

static void fs__run_fault_revert(fs_run_t *r, size_t i, const char *when)
{
    const fs_scenario_fault_t *sf = fs_scenario_fault(r->sc, i);
    char err[256] = "", desc[256];

    if (!r->faults[i].active)
        return;
    r->faults[i].active = 0;
    sf->ops->describe(sf->state, desc, sizeof(desc));
    if (sf->ops->revert(sf->state, &r->env, err, sizeof(err)) < 0)
        fs_timeline_add(r->timeline, fs__run_now_ms(r), "fault.error", sf->path,
                        "revert of %s failed: %s", desc, err);
    else
        fs_timeline_add(r->timeline, fs__run_now_ms(r), "fault.revert", sf->path, "%s%s", desc,
                        when);
}

static void fs__run_revert_cb(uv_timer_t *t)
{
    fs_run_t *r = t->data;
    size_t i =
        (size_t)((fs_run_fault_t *)((char *)t - offsetof(fs_run_fault_t, revert)) - r->faults);

    fs__run_fault_revert(r, i, "");
}

static void fs__run_apply_cb(uv_timer_t *t)
{
    fs_run_t *r = t->data;
    size_t i =
        (size_t)((fs_run_fault_t *)((char *)t - offsetof(fs_run_fault_t, apply)) - r->faults);
    const fs_scenario_fault_t *sf = fs_scenario_fault(r->sc, i);
    char err[256] = "", desc[256];

    sf->ops->describe(sf->state, desc, sizeof(desc));
    if (sf->ops->apply == NULL) {
        fs_timeline_add(r->timeline, fs__run_now_ms(r), "fault.error", sf->path,
                        "%s: kind %s cannot be applied yet", desc, sf->ops->kind);
        return;
    }
    if (sf->ops->apply(sf->state, &r->env, err, sizeof(err)) < 0) {
        fs_timeline_add(r->timeline, fs__run_now_ms(r), "fault.error", sf->path, "%s: %s", desc,
                        err);
        return;
    }
    fs_timeline_add(r->timeline, fs__run_now_ms(r), "fault.apply", sf->path, "%s", desc);
    r->faults[i].applied = 1;
    r->faults[i].active = sf->for_ms > 0 && sf->ops->revert != NULL;
    if (r->faults[i].active)
        uv_timer_start(&r->faults[i].revert, fs__run_revert_cb, sf->for_ms, 0);
}

/* ---- measuring ---- */

static void fs__run_close_cb(uv_handle_t *h)
{
    fs_run_t *r = h->data;

    if (--r->handles == 0 && r->phase == FS_RUN_DONE && r->done_cb != NULL) {
        fs_run_done_cb cb = r->done_cb;
        r->done_cb = NULL;
        cb(r, r->data);
    }
}

static void fs__run_close_timer(uv_timer_t *t)
{
    if (!uv_is_closing((uv_handle_t *)t)) {
        uv_timer_stop(t);
        uv_close((uv_handle_t *)t, fs__run_close_cb);
    }
}

/* The last step: once every timer has closed, done_cb fires. */
static void fs__run_close_timers(fs_run_t *r)
{
    r->phase = FS_RUN_DONE;
    fs__run_close_timer(&r->tick);
    fs__run_close_timer(&r->finish);
    fs__run_close_timer(&r->guard_timer);
    for (size_t i = 0; i < r->nfaults; i++) {
        fs__run_close_timer(&r->faults[i].apply);
        fs__run_close_timer(&r->faults[i].revert);
    }
}

static void fs__run_sup_done_cb(fs_sup_t *sup, void *data)
{
    fs_run_t *r = data;

    (void)sup;
    r->wall_ms = (uv_hrtime() - r->wall_start_ns) / 1000000;
    if (r->load != NULL)
        fs_load_close(r->load);
    r->load = NULL;
    fs_http_client_close(r->cs);
    r->cs = NULL;
    fs__run_fleet_close(r);
    fs__run_close_timers(r);
}

static void fs__run_stop_fleet(fs_run_t *r)
{
    if (r->phase == FS_RUN_STOPPING || r->phase == FS_RUN_DONE)
        return;
    r->phase = FS_RUN_STOPPING;
    uv_timer_stop(&r->tick);
    uv_timer_stop(&r->finish);
    if (r->t0_ns == 0 || !r->has_verdict) {
        /* No verdict to give: still leave a results file saying why. */
        fs__run_write_results(r);
    }
    if (r->status != FS_RUN_ERROR)
        r->status = r->aborted ? FS_RUN_ABORTED : FS_RUN_PASSED;
    for (size_t i = 0; r->status == FS_RUN_PASSED && i < r->nexpect; i++)
        if (!r->expect[i].ok)
            r->status = FS_RUN_FAILED;
    fs_sup_stop(r->sup, fs__run_sup_done_cb);
}

/* No fault applies or stays on any more. */
static void fs__run_revert_all(fs_run_t *r, const char *when)
{
    for (size_t i = 0; i < r->nfaults; i++) {
        uv_timer_stop(&r->faults[i].apply);
        uv_timer_stop(&r->faults[i].revert);
        fs__run_fault_revert(r, i, when);
    }
}

static void fs__run_end_measure(fs_run_t *r)
{
    int rc;

    if ((r->phase != FS_RUN_MEASURING && r->phase != FS_RUN_DRAINING) || r->judged)
        return;
    r->judged = 1;
    uv_timer_stop(&r->guard_timer);
    fs__run_revert_all(r, " (end of run)");
    for (size_t i = 0; i < r->nlinks; i++)
        fs_link_set_t0(r->links[i].link, UINT64_MAX);
    fs_timeline_add(r->timeline, fs__run_now_ms(r), r->aborted ? "run.abort" : "run.end", "harness",
                    "%s",
                    r->aborted   ? r->abort_reason
                    : r->tripped ? "load stopped early (abort_if)"
                                 : "load stopped");
    if ((rc = fs__run_judge(r)) < 0)
        snprintf(r->error, sizeof(r->error), "verdicts: %s", strerror(-rc));
    else if (fs__run_write_results(r) < 0)
        r->status = FS_RUN_ERROR;
    if (rc < 0)
        r->status = FS_RUN_ERROR;
    fs__run_stop_fleet(r);
}

static void fs__run_drain_tick_cb(uv_timer_t *t)
{
    fs_run_t *r = t->data;
    fs_load_stats_t st;

    fs_load_stats(r->load, &st);
    fs__run_poll_events(r);
    if ((st.client.in_flight == 0 && st.user.in_flight == 0) || uv_hrtime() >= r->phase_deadline_ns)
        fs__run_end_measure(r);
}

static void fs__run_finish_cb(uv_timer_t *t)
{
    fs_run_t *r = t->data;

    r->phase = FS_RUN_DRAINING;
    fs_load_stop(r->load);
    r->phase_deadline_ns =
        uv_hrtime() + (2 * fs_scenario_slo(r->sc)->latency_ms + 200) * 1000000ull;
    uv_timer_start(&r->tick, fs__run_drain_tick_cb, 20, 20);
}

static void fs__run_measure_tick_cb(uv_timer_t *t)
{
    fs__run_poll_events(t->data);
}

static int fs__run_start_load(fs_run_t *r)
{
    const fs_scenario_load_t *ld = fs_scenario_load_cfg(r->sc);
    const struct sockaddr *proxies[FS_MAX_NODES];
    const struct sockaddr *dashboard = NULL;
    fs_load_config_t lc = {0};

    for (size_t i = 0; i < r->nprocs; i++) {
        if (r->procs[i].svc == FS_SVC_PROXY)
            proxies[r->procs[i].index] = (const struct sockaddr *)&r->procs[i].addr;
        else if (r->procs[i].svc == FS_SVC_DASHBOARD)
            dashboard = (const struct sockaddr *)&r->procs[i].addr;
    }
    lc.t0_ns = r->t0_ns;
    lc.start_ms = 0;
    lc.stop_ms = fs_scenario_duration_ms(r->sc);
    lc.proxy_rps = ld->proxy_rps;
    lc.login_rps = ld->login_rps;
    lc.bot_share = ld->bot_share;
    lc.client_retries = ld->client_retries;
    lc.seed = fs_prng_derive(r->seed, "load");
    lc.timeout_ms = 2 * fs_scenario_slo(r->sc)->latency_ms;
    lc.proxies = proxies;
    lc.proxy_series = r->client_series;
    lc.nproxies = r->nodes;
    lc.dashboard = ld->login_rps > 0 ? dashboard : NULL;
    lc.user_series = r->user_series;
    lc.break_glass = ""; /* users are not operators: no break-glass token */
    return fs_load_start(r->loop, &lc, &r->load);
}

void fs__run_begin(fs_run_t *r)
{
    int rc;

    r->t0_ns = uv_hrtime();
    fs_timeline_shift(r->timeline, -(int64_t)((r->t0_ns - r->wall_start_ns) / 1000000));
    fs__run_fleet_set_t0(r);
    r->phase = FS_RUN_MEASURING;
    fs_timeline_add(r->timeline, 0, "run.start", "harness", "load starts: %s, seed %llu",
                    fs_posture_name(r->posture), (unsigned long long)r->seed);
    if ((rc = fs__run_start_load(r)) < 0) {
        fs__run_fail(r, "load: %s", rc == -ENOMEM ? "out of memory" : uv_strerror(rc));
        return;
    }
    for (size_t i = 0; i < r->nfaults; i++)
        uv_timer_start(&r->faults[i].apply, fs__run_apply_cb, fs_scenario_fault(r->sc, i)->at_ms,
                       0);
    uv_timer_start(&r->finish, fs__run_finish_cb, fs_scenario_duration_ms(r->sc), 0);
    uv_timer_start(&r->tick, fs__run_measure_tick_cb, FS__RUN_EVENTS_MS, FS__RUN_EVENTS_MS);
    fs__run_guard_start(r);
}

void fs__run_trip(fs_run_t *r, const char *reason)
{
    if (r->phase != FS_RUN_MEASURING || r->tripped)
        return;
    r->tripped = 1;
    snprintf(r->abort_reason, sizeof(r->abort_reason), "%s", reason);
    fs_timeline_add(r->timeline, fs__run_now_ms(r), "abort_if.tripped", "harness", "%s", reason);
    /* Faults off at once; then the load stops and drains as at the end of
     * the run, so that calls in flight count with their real outcome. */
    fs__run_revert_all(r, " (abort_if)");
    uv_timer_stop(&r->finish);
    fs__run_finish_cb(&r->finish);
}

/* ---- public ---- */

static int fs__run_init_timers(fs_run_t *r)
{
    uv_timer_t *timers[2] = {&r->tick, &r->finish};
    int rc;

    for (int i = 0; i < 2; i++) {
        uv_timer_init(r->loop, timers[i]);
        timers[i]->data = r;
        r->handles++;
    }
    for (size_t i = 0; i < r->nfaults; i++) {
        uv_timer_init(r->loop, &r->faults[i].apply);
        uv_timer_init(r->loop, &r->faults[i].revert);
        r->faults[i].apply.data = r;
        r->faults[i].revert.data = r;
        r->handles += 2;
    }
    if ((rc = fs__run_guard_new(r)) < 0)
        return rc;
    return 0;
}

int fs_run_start(uv_loop_t *loop, const fs_run_config_t *cfg, fs_run_done_cb done_cb, void *data,
                 fs_run_t **out, char *err, size_t errlen)
{
    fs_run_t *r = calloc(1, sizeof(*r));
    char exec[PATH_MAX + 16];
    struct timeval tv;
    int rc;

    if (r == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    r->loop = loop;
    r->sc = cfg->scenario;
    r->posture = cfg->posture;
    r->done_cb = done_cb;
    r->data = data;
    r->nodes = fs_scenario_fleet(r->sc)->nodes;
    r->seed = fs_scenario_seed(r->sc);
    r->env.run = r;
    r->phase = FS_RUN_STARTING;
    r->wall_start_ns = uv_hrtime();
    gettimeofday(&tv, NULL);
    r->started_unix_ms = (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
    snprintf(r->out_dir, sizeof(r->out_dir), "%s", cfg->out_dir);
    snprintf(r->bin_dir, sizeof(r->bin_dir), "%s", cfg->bin_dir);
    r->janitor = cfg->janitor;
    snprintf(r->results_path, sizeof(r->results_path), "%s/results.json", cfg->out_dir);
    r->nfaults = fs_scenario_fault_count(r->sc);
    r->faults = calloc(r->nfaults + 1, sizeof(*r->faults));
    if (r->faults == NULL || (rc = fs_timeline_new(&r->timeline)) < 0) {
        snprintf(err, errlen, "out of memory");
        free(r->faults);
        free(r);
        return -ENOMEM;
    }
    snprintf(exec, sizeof(exec), "%s/fs-exec", r->bin_dir);
    if ((rc = fs__run_init_timers(r)) < 0 || (rc = fs__run_fleet_prepare(r, err, errlen)) < 0 ||
        (rc = fs_http_client_new(loop, (const struct sockaddr *)&r->procs[0].addr, &r->cs)) < 0 ||
        (rc = fs_sup_new(loop, exec, fs__run_sup_event_cb, r, &r->sup)) < 0 ||
        (r->janitor != NULL &&
         (rc = fs_sup_set_lifeline(r->sup, fs_janitor_lifeline(r->janitor))) < 0) ||
        (rc = fs__run_fleet_spawn(r, err, errlen)) < 0 ||
        (rc = fs_sup_start(r->sup, FS__RUN_READY_TIMEOUT_MS, fs__run_ready_cb)) < 0) {
        if (err[0] == '\0')
            snprintf(err, errlen, "%s", rc == -ENOMEM ? "out of memory" : uv_strerror(rc));
        snprintf(r->error, sizeof(r->error), "%s", err);
        r->status = FS_RUN_ERROR;
        if (r->sup != NULL) {
            fs__run_stop_fleet(r); /* done_cb still fires: the run goes on to DONE */
            *out = r;
            return 0;
        }
        /* Nothing was started: close what exists; the caller frees r after
         * the loop has drained. */
        r->done_cb = NULL;
        fs_http_client_close(r->cs);
        r->cs = NULL;
        fs__run_fleet_close(r);
        fs__run_close_timers(r);
        *out = r;
        return rc;
    }
    *out = r;
    return 0;
}

void fs_run_abort(fs_run_t *r, const char *reason)
{
    if (r->aborted || r->phase >= FS_RUN_STOPPING)
        return;
    r->aborted = 1;
    snprintf(r->abort_reason, sizeof(r->abort_reason), "%s", reason ? reason : "interrupted");
    if (r->sup != NULL)
        fs_sup_set_stop_grace(r->sup, FS__RUN_ABORT_GRACE_MS);
    if (r->phase == FS_RUN_STARTING)
        fs__run_stop_fleet(r);
    else
        fs__run_end_measure(r);
}

fs_run_status_t fs_run_status(const fs_run_t *r)
{
    return r->status;
}

const char *fs_run_error(const fs_run_t *r)
{
    return r->error;
}

const char *fs_run_abort_reason(const fs_run_t *r)
{
    return r->aborted || r->tripped ? r->abort_reason : NULL;
}

int fs_run_tripped(const fs_run_t *r)
{
    return r->tripped;
}

const char *fs_run_results_path(const fs_run_t *r)
{
    return r->results_path;
}

const fs_verdict_result_t *fs_run_verdict(const fs_run_t *r)
{
    return r->has_verdict ? &r->verdict : NULL;
}

int fs_run_observed(const fs_run_t *r, fs_iface_t iface)
{
    return r->iface_series[iface] != NULL;
}

size_t fs_run_expect_count(const fs_run_t *r)
{
    return r->nexpect;
}

const fs_results_expect_t *fs_run_expect(const fs_run_t *r, size_t i)
{
    return i < r->nexpect ? &r->expect[i] : NULL;
}

uint64_t fs_run_wall_ms(const fs_run_t *r)
{
    return r->wall_ms;
}

void fs_run_free(fs_run_t *r)
{
    if (r == NULL)
        return;
    if (r->sup != NULL)
        fs_sup_free(r->sup);
    for (size_t i = 0; i < r->nlinks; i++)
        fs_series_free(r->links[i].series);
    for (unsigned n = 0; n < r->nodes; n++)
        fs_series_free(r->client_series[n]);
    fs_series_free(r->user_series);
    for (int f = 0; f < FS_IF_COUNT; f++)
        fs_series_free(r->iface_series[f]);
    if (r->has_verdict)
        fs_verdict_result_free(&r->verdict);
    for (int k = 0; k < FS_RUN_KEYS; k++)
        free(r->baseline[k]);
    fs_guard_free(r->guard);
    fs_timeline_free(r->timeline);
    free(r->faults);
    free(r);
}
