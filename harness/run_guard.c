/* The run's side of $.abort_if: every 100 ms from the first fault on, read
 * the run's own series and processes into one sample per condition, feed
 * fs_guard, and stop the run when a condition trips. */
#include "run_int.h"

#define FS__RUN_GUARD_MS 100

/* The series behind an interface as the load or the links recorded it. */
static void fs__run_guard_iface(const fs_run_t *r, fs_iface_t f, fs_guard_obs_t *o)
{
    if (f == FS_IF_CLIENT_PROXY) {
        for (unsigned n = 0; n < r->nodes; n++)
            fs_series_totals(r->client_series[n], &o->finished, &o->failed);
        return;
    }
    if (f == FS_IF_USER_DASHBOARD) {
        fs_series_totals(r->user_series, &o->finished, &o->failed);
        return;
    }
    for (size_t i = 0; i < r->nlinks; i++)
        if (r->links[i].iface == f)
            fs_series_totals(r->links[i].series, &o->finished, &o->failed);
}

static void fs__run_guard_observe(const fs_run_t *r, fs_guard_obs_t *obs)
{
    fs_guard_proc_t procs[FS_RUN_MAX_PROCS];

    for (size_t i = 0; i < r->nprocs; i++) {
        procs[i].svc = r->procs[i].svc;
        procs[i].index = r->procs[i].index;
        procs[i].running = r->procs[i].proc != NULL && fs_proc_running(r->procs[i].proc);
    }
    for (size_t c = 0; c < fs_guard_count(r->guard); c++) {
        const fs_guard_cond_t *cond = fs_guard_cond(r->guard, c);

        obs[c] = (fs_guard_obs_t){0};
        switch (cond->signal) {
        case FS_GUARD_BLAST_RADIUS: /* the entry interfaces, as the verdicts add them */
            for (int f = 0; f < FS_IF_COUNT; f++)
                if (fs_iface_is_entry((fs_iface_t)f))
                    fs__run_guard_iface(r, (fs_iface_t)f, &obs[c]);
            break;
        case FS_GUARD_FAILURE_RATE:
            fs__run_guard_iface(r, cond->iface, &obs[c]);
            break;
        default:
            obs[c].down = fs_guard_down(cond, procs, r->nprocs);
            break;
        }
    }
}

static void fs__run_guard_cb(uv_timer_t *t)
{
    fs_run_t *r = t->data;
    fs_guard_obs_t obs[FS_GUARD_MAX_CONDS];
    char why[sizeof(r->abort_reason)];
    int64_t now = fs__run_now_ms(r);

    if (r->phase != FS_RUN_MEASURING) {
        uv_timer_stop(t);
        return;
    }
    fs__run_guard_observe(r, obs);
    if (fs_guard_sample(r->guard, now > 0 ? (uint64_t)now : 0, obs) == 1) {
        uv_timer_stop(t);
        fs__run_trip(r, fs_guard_reason(r->guard, why, sizeof(why)));
    }
}

int fs__run_guard_new(fs_run_t *r)
{
    size_t n = fs_scenario_abort_count(r->sc);

    uv_timer_init(r->loop, &r->guard_timer);
    r->guard_timer.data = r;
    r->handles++;
    if (n == 0)
        return 0;
    return fs_guard_new(fs_scenario_abort(r->sc, 0), n, &r->guard);
}

void fs__run_guard_start(fs_run_t *r)
{
    uint64_t first, last;

    if (r->guard == NULL)
        return;
    /* Before the first fault the fleet is warming up: nothing to stop. */
    fs_scenario_fault_window(r->sc, &first, &last);
    uv_timer_start(&r->guard_timer, fs__run_guard_cb, first, FS__RUN_GUARD_MS);
}
