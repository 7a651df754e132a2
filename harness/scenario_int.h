/* Internals shared by the scenario loader's files: the scenario itself
 * and the pieces of parsing that live apart. */
#ifndef FS_SCENARIO_INT_H
#define FS_SCENARIO_INT_H

#include <cjson/cJSON.h>

#include "scenario.h"

struct fs_scenario_s {
    char *file, *name, *title, *description;
    char **refs;
    size_t nrefs;
    uint64_t seed;
    double time_scale;
    uint64_t max_config_bytes; /* FS_INJ_CONFIG_CAP_MIN..FS_INJ_CONFIG_CAP_MAX */
    uint64_t duration_ms;
    fs_scenario_fleet_t fleet;
    fs_knobs_t *knobs;
    fs_scenario_load_t load;
    fs_slo_t slo;
    fs_posture_t postures[FS_POSTURE_COUNT];
    size_t npostures;
    fs_scenario_fault_t *faults;
    size_t nfaults;
    fs_scenario_expect_t expect[FS_POSTURE_COUNT];
    fs_guard_cond_t abort_if[FS_GUARD_MAX_CONDS];
    size_t nabort;
};

/* Every interface name, for messages. */
#define FS__SC_IFACES                                                                              \
    "client->proxy, user->dashboard, proxy->botmod, proxy->origin, proxy->configstore, "           \
    "botmod->configstore, dashboard->botmod, dashboard->configstore"

/* Checks a scaled duration against [min, max]; why, appended to the
 * message, says where a bound comes from when the field does not. */
int fs__scenario_bounds(const char *path, const char *key, uint64_t v, uint64_t min, uint64_t max,
                        const char *why, double scale, char *err, size_t errlen);

/* Parses $.abort_if of root into s->abort_if (times multiplied by scale);
 * s->fleet and s->duration_ms must be set. 0 or -EINVAL with a
 * path-naming message. */
int fs__scenario_abort(const cJSON *root, fs_scenario_t *s, double scale, char *err, size_t errlen);
/* Parses $.expect of root into s->expect (times multiplied by scale);
 * s->postures must be set. 0 or -EINVAL with a path-naming message. */
int fs__scenario_expect(const cJSON *root, fs_scenario_t *s, double scale, char *err,
                        size_t errlen);

#endif
