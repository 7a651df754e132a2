/* $.abort_if: stop conditions. One object or an array of them; each names
 * exactly one measured signal and its threshold, how long it must hold and,
 * for rates, over what window. The run (run_guard.c) evaluates them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "fs_json.h"
#include "inj_util.h"
#include "jfield.h"
#include "scenario_int.h"

#define FS__SC_WINDOW_MS 1000 /* the default window, before --time-scale */

static const char *const fs__sc_abort_fields[] = {"blast_radius_above",
                                                  "failure_rate_above",
                                                  "processes_down_above",
                                                  "interface",
                                                  "target",
                                                  "for",
                                                  "window",
                                                  NULL};

/* The one signal the object names; its index in fs__sc_abort_fields. */
static int fs__sc_abort_signal(const cJSON *o, const char *path, fs_guard_signal_t *out, char *err,
                               size_t errlen)
{
    int found = -1;

    for (int i = 0; i < FS_GUARD_SIGNALS; i++) {
        if (cJSON_GetObjectItemCaseSensitive(o, fs__sc_abort_fields[i]) == NULL)
            continue;
        if (found >= 0)
            return fs_jfield_fail(err, errlen, path, NULL,
                                  "one signal per condition, got %s and %s (use an array of "
                                  "conditions: any one stops the run)",
                                  fs__sc_abort_fields[found], fs__sc_abort_fields[i]);
        found = i;
    }
    if (found < 0)
        return fs_jfield_fail(err, errlen, path, NULL,
                              "give one signal: blast_radius_above, failure_rate_above or "
                              "processes_down_above");
    *out = (fs_guard_signal_t)found;
    return 0;
}

/* A field that only some signals take. */
static int fs__sc_abort_only(const cJSON *o, const char *path, const char *key, const char *with,
                             char *err, size_t errlen)
{
    if (cJSON_GetObjectItemCaseSensitive(o, key) == NULL)
        return 0;
    return fs_jfield_fail(err, errlen, path, key, "only with %s", with);
}

static int fs__sc_abort_share(const cJSON *o, const char *path, const char *key, double *out,
                              char *err, size_t errlen)
{
    if (fs_jfield_number(o, path, key, 1, 0, 1, out, err, errlen) < 0)
        return -EINVAL;
    if (*out >= 1)
        return fs_jfield_fail(err, errlen, path, key,
                              "1: a share is never above 1 (expected 0 up to, not including, 1)");
    return 0;
}

static int fs__sc_abort_iface(const cJSON *o, const char *path, fs_guard_cond_t *c, char *err,
                              size_t errlen)
{
    const char *text = NULL;
    int rc = fs_jfield_string(o, path, "interface", 0, 64, &text, err, errlen);
    char q[48];

    c->iface = FS_IF_CLIENT_PROXY;
    if (rc < 0)
        return -EINVAL;
    if (rc == 0 && fs_iface_parse(text, &c->iface) < 0)
        return fs_jfield_fail(err, errlen, path, "interface", "\"%s\": unknown interface (%s)",
                              fs_jfield_quote(text, q, sizeof(q)), FS__SC_IFACES);
    snprintf(c->what, sizeof(c->what), "failure rate of %s", fs_iface_name(c->iface));
    return 0;
}

static int fs__sc_abort_target(const cJSON *o, const char *path, const fs_scenario_t *s,
                               fs_guard_cond_t *c, char *err, size_t errlen)
{
    fs_inj_parse_ctx_t ctx = {.nodes = s->fleet.nodes, .path = path};
    char t[48];

    snprintf(c->what, sizeof(c->what), "processes down");
    if (cJSON_GetObjectItemCaseSensitive(o, "target") == NULL)
        return 0;
    if (fs__inj_target(o, &ctx, FS__INJ_T_SERVICE | FS__INJ_T_INSTANCE, &c->target, err, errlen) <
        0)
        return -EINVAL;
    c->has_target = 1;
    snprintf(c->what, sizeof(c->what), "processes down (%s)",
             fs_target_format(&c->target, t, sizeof(t)));
    return 0;
}

static int fs__sc_abort_times(const cJSON *o, const char *path, const fs_scenario_t *s,
                              double scale, fs_guard_cond_t *c, char *err, size_t errlen)
{
    char a[32], b[32];

    c->for_ms = 0;
    c->window_ms = fs_duration_scale(FS__SC_WINDOW_MS, scale);
    if (fs_jfield_duration(o, path, "for", 0, scale, &c->for_ms, err, errlen) < 0)
        return -EINVAL;
    if (c->for_ms >= s->duration_ms)
        return fs_jfield_fail(err, errlen, path, "for",
                              "%s: a condition cannot hold that long in a run of %s",
                              fs_duration_format(c->for_ms, a, sizeof(a)),
                              fs_duration_format(s->duration_ms, b, sizeof(b)));
    if (c->signal == FS_GUARD_PROCESSES_DOWN)
        return fs__sc_abort_only(o, path, "window", "blast_radius_above or failure_rate_above", err,
                                 errlen);
    if (fs_jfield_duration(o, path, "window", 0, scale, &c->window_ms, err, errlen) < 0 ||
        fs__scenario_bounds(path, "window", c->window_ms, 1, FS_GUARD_MAX_WINDOW_MS, "", scale, err,
                            errlen) < 0)
        return -EINVAL;
    return 0;
}

static int fs__sc_abort_one(const cJSON *o, const char *path, fs_scenario_t *s, double scale,
                            fs_guard_cond_t *c, char *err, size_t errlen)
{
    const char *key;
    uint64_t down = 0;
    int procs = 2 * (int)s->fleet.nodes + 3;

    if (fs_jfield_check(o, path, "abort_if", fs__sc_abort_fields, NULL, err, errlen) < 0 ||
        fs__sc_abort_signal(o, path, &c->signal, err, errlen) < 0)
        return -EINVAL;
    key = fs__sc_abort_fields[c->signal];
    switch (c->signal) {
    case FS_GUARD_BLAST_RADIUS:
        snprintf(c->what, sizeof(c->what), "blast radius");
        if (fs__sc_abort_share(o, path, key, &c->threshold, err, errlen) < 0 ||
            fs__sc_abort_only(o, path, "interface", "failure_rate_above", err, errlen) < 0 ||
            fs__sc_abort_only(o, path, "target", "processes_down_above", err, errlen) < 0)
            return -EINVAL;
        break;
    case FS_GUARD_FAILURE_RATE:
        if (fs__sc_abort_share(o, path, key, &c->threshold, err, errlen) < 0 ||
            fs__sc_abort_iface(o, path, c, err, errlen) < 0 ||
            fs__sc_abort_only(o, path, "target", "processes_down_above", err, errlen) < 0)
            return -EINVAL;
        break;
    default:
        /* Above all of them never happens. */
        if (fs_jfield_uint(o, path, key, 1, 0, (uint64_t)procs - 1, &down, err, errlen) < 0 ||
            fs__sc_abort_target(o, path, s, c, err, errlen) < 0 ||
            fs__sc_abort_only(o, path, "interface", "failure_rate_above", err, errlen) < 0)
            return -EINVAL;
        c->threshold = (double)down;
        break;
    }
    return fs__sc_abort_times(o, path, s, scale, c, err, errlen);
}

int fs__scenario_abort(const cJSON *root, fs_scenario_t *s, double scale, char *err, size_t errlen)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "abort_if");
    char path[48];
    int n;

    if (a == NULL)
        return 0;
    if (cJSON_IsObject(a))
        return fs__sc_abort_one(a, "$.abort_if", s, scale, &s->abort_if[s->nabort++], err, errlen);
    if (!cJSON_IsArray(a))
        return fs_jfield_fail(err, errlen, "$", "abort_if",
                              "expected a condition (an object) or an array of 1 to %d, got %s",
                              FS_GUARD_MAX_CONDS, fs_jfield_type(a));
    n = cJSON_GetArraySize(a);
    if (n < 1 || n > FS_GUARD_MAX_CONDS)
        return fs_jfield_fail(err, errlen, "$", "abort_if", "expected 1 to %d conditions, got %d",
                              FS_GUARD_MAX_CONDS, n);
    for (int i = 0; i < n; i++) {
        fs_json_path_index(path, sizeof(path), "$.abort_if", i);
        if (fs__sc_abort_one(cJSON_GetArrayItem(a, i), path, s, scale, &s->abort_if[s->nabort++],
                             err, errlen) < 0)
            return -EINVAL;
    }
    return 0;
}
