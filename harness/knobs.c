/* The knobs a scenario may turn: each maps a "service.knob" name onto one
 * of that service's flags with the type and range the flag accepts, so a
 * bad value is a scenario error with its JSON path, never a fleet process
 * exiting 2 half-way through a run. */
#include "knobs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "fs_json.h"
#include "jfield.h"

#define FS__KNOB_MS_MAX 600000u /* the fleet's bound on every *-ms flag */

typedef enum {
    FS__KNOB_DURATION,
    FS__KNOB_UINT,
    FS__KNOB_RATIO,
    FS__KNOB_CHOICE,
    FS__KNOB_SWITCH
} fs__knob_type_t;

typedef struct {
    const char *name;
    fs_svc_t svc;
    const char *flag;
    fs__knob_type_t type;
    uint64_t max; /* FS__KNOB_UINT */
    const char *const *choices;
} fs__knob_def_t;

static const char *const fs__bot_failure[] = {"closed", "open", NULL};
static const char *const fs__retries[] = {"immediate", "budget", NULL};
static const char *const fs__on_bad[] = {"panic", "zero", "reject", NULL};
static const char *const fs__rollout[] = {"instant", "staged", NULL};

static const fs__knob_def_t fs__knob_defs[] = {
    {"proxy.bot_failure", FS_SVC_PROXY, "--bot-failure", FS__KNOB_CHOICE, 0, fs__bot_failure},
    {"proxy.deadline", FS_SVC_PROXY, "--deadline-ms", FS__KNOB_DURATION, 0, NULL},
    {"proxy.origin_deadline", FS_SVC_PROXY, "--origin-deadline-ms", FS__KNOB_DURATION, 0, NULL},
    {"proxy.attempt_timeout", FS_SVC_PROXY, "--attempt-timeout-ms", FS__KNOB_DURATION, 0, NULL},
    {"proxy.retries", FS_SVC_PROXY, "--retries", FS__KNOB_CHOICE, 0, fs__retries},
    {"proxy.max_retries", FS_SVC_PROXY, "--max-retries", FS__KNOB_UINT, 100, NULL},
    {"proxy.retry_delay", FS_SVC_PROXY, "--retry-delay-ms", FS__KNOB_DURATION, 0, NULL},
    {"proxy.retry_budget", FS_SVC_PROXY, "--retry-budget", FS__KNOB_RATIO, 0, NULL},
    {"proxy.default_score", FS_SVC_PROXY, "--default-score", FS__KNOB_UINT, 99, NULL},
    {"proxy.threshold", FS_SVC_PROXY, "--threshold", FS__KNOB_UINT, 100, NULL},
    {"proxy.nil_guard", FS_SVC_PROXY, "--nil-guard", FS__KNOB_SWITCH, 0, NULL},
    {"botmod.on_bad_config", FS_SVC_BOTMOD, "--on-bad-config", FS__KNOB_CHOICE, 0, fs__on_bad},
    {"botmod.config_timeout", FS_SVC_BOTMOD, "--config-timeout-ms", FS__KNOB_DURATION, 0, NULL},
    {"botmod.capacity", FS_SVC_BOTMOD, "--capacity", FS__KNOB_UINT, 100000, NULL},
    {"botmod.service_time", FS_SVC_BOTMOD, "--service-ms", FS__KNOB_DURATION, 0, NULL},
    {"botmod.queue_timeout", FS_SVC_BOTMOD, "--queue-timeout-ms", FS__KNOB_DURATION, 0, NULL},
    {"configstore.rollout", FS_SVC_CONFIGSTORE, "--rollout", FS__KNOB_CHOICE, 0, fs__rollout},
    {"dashboard.break_glass", FS_SVC_DASHBOARD, "--break-glass", FS__KNOB_SWITCH, 0, NULL},
    {"dashboard.challenge_deadline", FS_SVC_DASHBOARD, "--challenge-deadline-ms", FS__KNOB_DURATION,
     0, NULL},
    {"dashboard.configstore_deadline", FS_SVC_DASHBOARD, "--configstore-deadline-ms",
     FS__KNOB_DURATION, 0, NULL},
    {"origin.latency", FS_SVC_ORIGIN, "--latency-ms", FS__KNOB_DURATION, 0, NULL},
    {"origin.capacity", FS_SVC_ORIGIN, "--capacity", FS__KNOB_UINT, 100000, NULL},
    {"origin.queue_timeout", FS_SVC_ORIGIN, "--queue-timeout-ms", FS__KNOB_DURATION, 0, NULL},
};

#define FS__KNOBS (sizeof(fs__knob_defs) / sizeof(fs__knob_defs[0]))

typedef struct {
    const fs__knob_def_t *def;
    char value[FS_KNOBS_VALUE_MAX];
} fs__knob_t;

struct fs_knobs_s {
    fs__knob_t set[FS_POSTURE_COUNT][FS__KNOBS];
    size_t n[FS_POSTURE_COUNT];
};

const char *fs_knobs_known(size_t i)
{
    return i < FS__KNOBS ? fs__knob_defs[i].name : NULL;
}

/* Reads member key of obj (path names obj) as def's type into out. */
static int fs__knob_value(const fs__knob_def_t *def, const cJSON *obj, const char *path,
                          const char *key, double scale, char out[FS_KNOBS_VALUE_MAX], char *err,
                          size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    uint64_t u = 0;
    double d = 0;
    char a[32];
    int i = 0;

    switch (def->type) {
    case FS__KNOB_DURATION:
        if (fs_jfield_duration(obj, path, key, 1, scale, &u, err, errlen) < 0)
            return -EINVAL;
        if (u > FS__KNOB_MS_MAX)
            return fs_jfield_fail(err, errlen, path, key, "%s: expected at most 10m",
                                  fs_duration_format(u, a, sizeof(a)));
        snprintf(out, FS_KNOBS_VALUE_MAX, "%" PRIu64, u);
        return 0;
    case FS__KNOB_UINT:
        if (fs_jfield_uint(obj, path, key, 1, 0, def->max, &u, err, errlen) < 0)
            return -EINVAL;
        snprintf(out, FS_KNOBS_VALUE_MAX, "%" PRIu64, u);
        return 0;
    case FS__KNOB_RATIO:
        if (fs_jfield_number(obj, path, key, 1, 0, 1, &d, err, errlen) < 0)
            return -EINVAL;
        snprintf(out, FS_KNOBS_VALUE_MAX, "%.17g", d);
        return 0;
    case FS__KNOB_CHOICE:
        if (fs_jfield_enum(obj, path, key, 1, def->choices, &i, err, errlen) < 0)
            return -EINVAL;
        snprintf(out, FS_KNOBS_VALUE_MAX, "%s", def->choices[i]);
        return 0;
    case FS__KNOB_SWITCH:
        if (!cJSON_IsBool(v))
            return fs_jfield_fail(err, errlen, path, key, "expected true or false, got %s",
                                  fs_jfield_type(v));
        snprintf(out, FS_KNOBS_VALUE_MAX, "%s", cJSON_IsTrue(v) ? "on" : "off");
        return 0;
    }
    return -EINVAL;
}

static void fs__knob_add(fs_knobs_t *k, fs_posture_t p, const fs__knob_def_t *def,
                         const char *value)
{
    fs__knob_t *e = &k->set[p][k->n[p]++];

    e->def = def;
    snprintf(e->value, sizeof(e->value), "%s", value);
}

static const fs__knob_def_t *fs__knob_find(const char *name)
{
    for (size_t i = 0; i < FS__KNOBS; i++) {
        if (strcmp(fs__knob_defs[i].name, name) == 0)
            return &fs__knob_defs[i];
    }
    return NULL;
}

/* One member of $.fleet.knobs: a value for both postures, or per posture. */
static int fs__knob_member(fs_knobs_t *k, const cJSON *obj, const char *path, const cJSON *m,
                           double scale, char *err, size_t errlen)
{
    static const char *const postures[] = {"legacy", "hardened", NULL};
    const fs__knob_def_t *def = fs__knob_find(m->string);
    char value[FS_KNOBS_VALUE_MAX], mpath[256], q[48];

    if (def == NULL)
        return fs_jfield_fail(err, errlen, path, m->string,
                              "unknown knob \"%s\" (docs/SCENARIOS.md lists them)",
                              fs_jfield_quote(m->string, q, sizeof(q)));
    for (const cJSON *o = obj->child; o != m; o = o->next) {
        if (strcmp(o->string, m->string) == 0)
            return fs_jfield_fail(err, errlen, path, m->string, "duplicate field");
    }
    if (!cJSON_IsObject(m)) {
        if (fs__knob_value(def, obj, path, m->string, scale, value, err, errlen) < 0)
            return -EINVAL;
        fs__knob_add(k, FS_POSTURE_LEGACY, def, value);
        fs__knob_add(k, FS_POSTURE_HARDENED, def, value);
        return 0;
    }
    fs_json_path_key(mpath, sizeof(mpath), path, m->string);
    if (fs_jfield_check(m, mpath, "a knob's value per posture", postures, NULL, err, errlen) < 0)
        return -EINVAL;
    if (m->child == NULL)
        return fs_jfield_fail(err, errlen, mpath, NULL,
                              "expected a value, or one per posture (legacy, hardened)");
    for (int p = 0; p < FS_POSTURE_COUNT; p++) {
        const char *pname = fs_posture_name((fs_posture_t)p);

        if (cJSON_GetObjectItemCaseSensitive(m, pname) == NULL)
            continue;
        if (fs__knob_value(def, m, mpath, pname, scale, value, err, errlen) < 0)
            return -EINVAL;
        fs__knob_add(k, (fs_posture_t)p, def, value);
    }
    return 0;
}

int fs_knobs_parse(const cJSON *obj, const char *path, double scale, fs_knobs_t **out, char *err,
                   size_t errlen)
{
    fs_knobs_t *k;
    const cJSON *m;
    int rc = -EINVAL;

    *out = NULL;
    if ((k = calloc(1, sizeof(*k))) == NULL)
        return -ENOMEM;
    if (obj) {
        if (!cJSON_IsObject(obj)) {
            fs_jfield_fail(err, errlen, path, NULL, "expected an object, got %s",
                           fs_jfield_type(obj));
            goto fail;
        }
        cJSON_ArrayForEach(m, obj)
        {
            if (fs__knob_member(k, obj, path, m, scale, err, errlen) < 0)
                goto fail;
        }
    }
    *out = k;
    return 0;

fail:
    free(k);
    return rc;
}

void fs_knobs_free(fs_knobs_t *k)
{
    free(k);
}

size_t fs_knobs_count(const fs_knobs_t *k, fs_posture_t p)
{
    return k ? k->n[p] : 0;
}

const char *fs_knobs_name(const fs_knobs_t *k, fs_posture_t p, size_t i)
{
    return k->set[p][i].def->name;
}

fs_svc_t fs_knobs_service(const fs_knobs_t *k, fs_posture_t p, size_t i)
{
    return k->set[p][i].def->svc;
}

const char *fs_knobs_flag(const fs_knobs_t *k, fs_posture_t p, size_t i)
{
    return k->set[p][i].def->flag;
}

const char *fs_knobs_value(const fs_knobs_t *k, fs_posture_t p, size_t i)
{
    return k->set[p][i].value;
}
