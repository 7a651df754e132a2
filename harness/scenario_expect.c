/* $.expect: what each posture must show. Interface verdicts, ranges for
 * the shares and upper bounds for detection and recovery times. */
#include <errno.h>
#include <string.h>

#include "fs_json.h"
#include "jfield.h"
#include "scenario_int.h"

#define FS__SC_AMP_MAX 1000.0 /* calls per user request; retries cap far below */

static int fs__sc_range(const cJSON *obj, const char *path, const char *key, double max,
                        fs_scenario_range_t *r, char *err, size_t errlen)
{
    static const char *const fields[] = {"min", "max", NULL};
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[128];
    int a, b;

    if (o == NULL)
        return 0;
    fs_json_path_key(p, sizeof(p), path, key);
    if (fs_jfield_check(o, p, key, fields, NULL, err, errlen) < 0)
        return -EINVAL;
    a = fs_jfield_number(o, p, "min", 0, 0, max, &r->min, err, errlen);
    b = a < 0 ? a : fs_jfield_number(o, p, "max", 0, 0, max, &r->max, err, errlen);
    if (a < 0 || b < 0)
        return -EINVAL;
    r->has_min = a == 0;
    r->has_max = b == 0;
    if (!r->has_min && !r->has_max)
        return fs_jfield_fail(err, errlen, p, NULL, "give min, max or both");
    if (r->has_min && r->has_max && r->min > r->max)
        return fs_jfield_fail(err, errlen, p, "min", "%g is above max %g", r->min, r->max);
    return 0;
}

static int fs__sc_max_time(const cJSON *obj, const char *path, const char *key, double scale,
                           int *has, uint64_t *out, char *err, size_t errlen)
{
    static const char *const fields[] = {"max", NULL};
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[128];

    if (o == NULL)
        return 0;
    fs_json_path_key(p, sizeof(p), path, key);
    if (fs_jfield_check(o, p, key, fields, NULL, err, errlen) < 0 ||
        fs_jfield_duration(o, p, "max", 1, scale, out, err, errlen) < 0)
        return -EINVAL;
    *has = 1;
    return 0;
}

/* {"proxy->origin": {"max": 2}}: calls per user request, per interface. */
static int fs__sc_amplification(const cJSON *obj, const char *path, fs_scenario_expect_t *e,
                                char *err, size_t errlen)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, "amplification");
    char p[128];
    fs_iface_t i;

    if (o == NULL)
        return 0;
    fs_json_path_key(p, sizeof(p), path, "amplification");
    if (!cJSON_IsObject(o))
        return fs_jfield_fail(err, errlen, p, NULL,
                              "expected an object of interface -> {min, max}, got %s",
                              fs_jfield_type(o));
    for (const cJSON *m = o->child; m; m = m->next) {
        const char *key = m->string ? m->string : "";

        if (fs_iface_parse(key, &i) < 0 ||
            (i != FS_IF_CLIENT_PROXY && i != FS_IF_PROXY_BOTMOD && i != FS_IF_PROXY_ORIGIN &&
             i != FS_IF_USER_DASHBOARD && i != FS_IF_DASHBOARD_BOTMOD))
            return fs_jfield_fail(err, errlen, p, key,
                                  "not an interface users drive (client->proxy, proxy->botmod, "
                                  "proxy->origin, user->dashboard, dashboard->botmod)");
        if (e->amplification[i].has_min || e->amplification[i].has_max)
            return fs_jfield_fail(err, errlen, p, key, "duplicate field");
        if (fs__sc_range(o, p, key, FS__SC_AMP_MAX, &e->amplification[i], err, errlen) < 0)
            return -EINVAL;
    }
    return 0;
}

static int fs__sc_bool(const cJSON *obj, const char *path, const char *key, int *has, int *out,
                       char *err, size_t errlen)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (o == NULL)
        return 0;
    if (!cJSON_IsBool(o))
        return fs_jfield_fail(err, errlen, path, key, "expected true or false, got %s",
                              fs_jfield_type(o));
    *has = 1;
    *out = cJSON_IsTrue(o);
    return 0;
}

/* aborted: true only means something when a stop condition can trip. */
static int fs__sc_aborted(const cJSON *obj, const char *path, const fs_scenario_t *s,
                          fs_scenario_expect_t *e, char *err, size_t errlen)
{
    if (fs__sc_bool(obj, path, "aborted", &e->has_aborted, &e->aborted, err, errlen) < 0)
        return -EINVAL;
    if (e->has_aborted && e->aborted && s->nabort == 0)
        return fs_jfield_fail(err, errlen, path, "aborted",
                              "true needs $.abort_if (nothing else stops a run early)");
    return 0;
}

static int fs__sc_verdicts(const cJSON *obj, const char *path, fs_scenario_expect_t *e, char *err,
                           size_t errlen)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, "interfaces");
    char p[128], q[48];

    if (o == NULL)
        return 0;
    fs_json_path_key(p, sizeof(p), path, "interfaces");
    if (!cJSON_IsObject(o))
        return fs_jfield_fail(err, errlen, p, NULL,
                              "expected an object of interface -> verdict, got %s",
                              fs_jfield_type(o));
    for (const cJSON *m = o->child; m; m = m->next) {
        const char *key = m->string ? m->string : "";
        fs_iface_t i;
        fs_verdict_t v;

        if (fs_iface_parse(key, &i) < 0)
            return fs_jfield_fail(err, errlen, p, key, "unknown interface (" FS__SC_IFACES ")");
        if (e->has_verdict[i])
            return fs_jfield_fail(err, errlen, p, key, "duplicate field");
        if (!cJSON_IsString(m) || m->valuestring == NULL)
            return fs_jfield_fail(err, errlen, p, key,
                                  "expected unaffected, failed_small or cascaded, got %s",
                                  fs_jfield_type(m));
        if (fs_verdict_parse(m->valuestring, &v) < 0)
            return fs_jfield_fail(err, errlen, p, key,
                                  "\"%s\": unknown verdict (unaffected, failed_small, cascaded)",
                                  fs_jfield_quote(m->valuestring, q, sizeof(q)));
        if (fs_iface_is_entry(i) && v == FS_VERDICT_FAILED_SMALL)
            return fs_jfield_fail(err, errlen, p, key,
                                  "an entry interface is unaffected or cascaded (users felt it "
                                  "or they did not)");
        e->has_verdict[i] = 1;
        e->verdict[i] = v;
    }
    return 0;
}

int fs__scenario_expect(const cJSON *root, fs_scenario_t *s, double scale, char *err, size_t errlen)
{
    static const char *const fields[] = {"interfaces",     "blast_radius",    "degraded_share",
                                         "time_to_detect", "time_to_recover", "recovered",
                                         "amplification",  "aborted",         NULL};
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(root, "expect");
    char path[64], q[48];

    if (ex == NULL)
        return 0;
    if (!cJSON_IsObject(ex))
        return fs_jfield_fail(err, errlen, "$", "expect",
                              "expected an object of posture -> expectations, got %s",
                              fs_jfield_type(ex));
    for (const cJSON *m = ex->child; m; m = m->next) {
        const char *key = m->string ? m->string : "";
        fs_scenario_expect_t *e;
        fs_posture_t p;

        fs_json_path_key(path, sizeof(path), "$.expect", key);
        if (fs_posture_parse(key, &p) < 0)
            return fs_jfield_fail(err, errlen, path, NULL,
                                  "\"%s\": unknown posture (legacy, hardened)",
                                  fs_jfield_quote(key, q, sizeof(q)));
        e = &s->expect[p];
        if (e->present)
            return fs_jfield_fail(err, errlen, path, NULL, "duplicate field");
        if (!fs_scenario_runs_posture(s, p))
            return fs_jfield_fail(err, errlen, path, NULL,
                                  "the scenario does not run %s (see $.postures)", key);
        e->present = 1;
        if (fs_jfield_check(m, path, key, fields, NULL, err, errlen) < 0 ||
            fs__sc_verdicts(m, path, e, err, errlen) < 0 ||
            fs__sc_range(m, path, "blast_radius", 1, &e->blast_radius, err, errlen) < 0 ||
            fs__sc_range(m, path, "degraded_share", 1, &e->degraded_share, err, errlen) < 0 ||
            fs__sc_amplification(m, path, e, err, errlen) < 0 ||
            fs__sc_bool(m, path, "recovered", &e->has_recovered, &e->recovered, err, errlen) < 0 ||
            fs__sc_aborted(m, path, s, e, err, errlen) < 0 ||
            fs__sc_max_time(m, path, "time_to_detect", scale, &e->has_detect_max, &e->detect_max_ms,
                            err, errlen) < 0 ||
            fs__sc_max_time(m, path, "time_to_recover", scale, &e->has_recover_max,
                            &e->recover_max_ms, err, errlen) < 0)
            return -EINVAL;
    }
    return 0;
}
