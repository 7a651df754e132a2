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
};
/* A printable, bounded copy of untrusted text for an error message. */

/* Parses $.expect of root into s->expect (times multiplied by scale);
 * s->postures must be set. 0 or -EINVAL with a path-naming message. */
int fs__scenario_expect(const cJSON *root, fs_scenario_t *s, double scale, char *err,
                        size_t errlen);

#endif
