/* The STARTING phase of a run: once every /healthz answers, publish the
 * baseline configs and wait until configstore says every node applied
 * them; then the run begins. */
#include "run_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "configgen.h"

#define FS__RUN_APPLY_TIMEOUT_MS 10000 /* every node on the baseline configs */
#define FS__RUN_TICK_MS          50

static int fs__run_all_applied(fs_run_t *r, const char *body, size_t len)
{
    cJSON *doc = cJSON_ParseWithLength(body, len);
    cJSON *health = cJSON_GetObjectItem(doc, "health");
    unsigned ok = 0;

    for (unsigned n = 0; health && n < r->nodes; n++) {
        char id[16];
        snprintf(id, sizeof(id), "%u", n);
        ok += cJSON_GetNumberValue(
                  cJSON_GetObjectItem(cJSON_GetObjectItem(health, id), "version")) >= 1;
    }
    cJSON_Delete(doc);
    return ok == r->nodes;
}

static void fs__run_probe(fs_run_t *r);

static void fs__run_probe_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fs_run_t *r = data;
    const char *body;
    size_t len;

    if (status == -ECANCELED)
        return;
    r->waiting = 0;
    if (r->phase != FS_RUN_STARTING)
        return;
    body = status == 200 ? fs_http_resp_body(resp, &len) : NULL;
    if (body != NULL && fs__run_all_applied(r, body, len)) {
        if (++r->published == 2 + FS_RUN_KEYS) {
            uv_timer_stop(&r->tick);
            fs__run_begin(r);
            return;
        }
    }
}

/* Every tick while starting: ask configstore whether every node reported
 * the baseline of the key being waited for. */
static void fs__run_probe(fs_run_t *r)
{
    char target[64];
    fs_http_call_t call = {.method = "GET", .target = target, .timeout_ms = 1000};
    int key = r->published - 2;

    if (r->waiting || key < 0 || key >= FS_RUN_KEYS)
        return;
    snprintf(target, sizeof(target), "/v1/rollout/%s", fs__run_key_name((fs_run_key_t)key));
    if (fs_http_client_request(r->cs, &call, fs__run_probe_cb, r) == 0)
        r->waiting = 1;
}

static void fs__run_start_tick_cb(uv_timer_t *t)
{
    fs_run_t *r = t->data;

    if (uv_hrtime() >= r->phase_deadline_ns) {
        fs__run_fail(r, "the fleet did not apply the baseline configs within %d ms",
                     FS__RUN_APPLY_TIMEOUT_MS);
        return;
    }
    fs__run_probe(r);
}

static void fs__run_baseline_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fs_run_t *r = data;

    (void)resp;
    if (status == -ECANCELED || r->phase != FS_RUN_STARTING)
        return;
    if (status != 200) {
        fs__run_fail(r, "publishing a baseline config: %s",
                     status < 0 ? uv_strerror(status) : fs_http_status_text(status));
        return;
    }
    r->published++;
}

void fs__run_ready_cb(fs_sup_t *sup, int status, const char *err, void *data)
{
    fs_run_t *r = data;
    int rc = 0;

    (void)sup;
    if (status < 0) {
        fs__run_fail(r, "the fleet did not start: %s", err ? err : uv_strerror(status));
        return;
    }
    if (r->phase != FS_RUN_STARTING)
        return;
    rc = fs_configgen_features(fs_scenario_fleet(r->sc)->features, 1,
                               &r->baseline[FS_RUN_KEY_FEATURES],
                               &r->baseline_len[FS_RUN_KEY_FEATURES]);
    if (rc == 0)
        rc = fs_configgen_waf(NULL, &r->baseline[FS_RUN_KEY_WAF], &r->baseline_len[FS_RUN_KEY_WAF]);
    for (int k = 0; rc == 0 && k < FS_RUN_KEYS; k++)
        rc = fs__run_publish(r, (fs_run_key_t)k, r->baseline[k], r->baseline_len[k],
                             fs__run_baseline_cb, r);
    if (rc < 0) {
        fs__run_fail(r, "publishing the baseline configs: %s", strerror(-rc));
        return;
    }
    r->phase_deadline_ns = uv_hrtime() + FS__RUN_APPLY_TIMEOUT_MS * 1000000ull;
    uv_timer_start(&r->tick, fs__run_start_tick_cb, FS__RUN_TICK_MS, FS__RUN_TICK_MS);
}
