/* Per-posture overrides of the fleet's knobs: `fleet.knobs` in a scenario,
 * e.g. {"proxy.attempt_timeout": "150ms", "origin.capacity": 8,
 * "configstore.rollout": {"hardened": "instant"}}. Each knob is one flag
 * of one service (the fleet has a flag per knob); a scenario names knobs,
 * never raw flags, so every value is checked before anything starts. */
#ifndef FS_KNOBS_H
#define FS_KNOBS_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "fs_posture.h"
#include "topology.h"

#define FS_KNOBS_VALUE_MAX 32

typedef struct fs_knobs_s fs_knobs_t;

/* Parses obj (the value of $.fleet.knobs; path names it) into *out,
 * multiplying durations by scale. A value is the knob's value for every
 * posture, or an object {"legacy": v, "hardened": v} with either or both.
 * Errors (-EINVAL) name the path: `$.fleet.knobs["proxy.retries"].legacy:
 * expected "immediate" or "budget", got "sometimes"`. obj NULL gives an
 * empty set. */
int fs_knobs_parse(const cJSON *obj, const char *path, double scale, fs_knobs_t **out, char *err,
                   size_t errlen);

void fs_knobs_free(fs_knobs_t *k);

/* Knobs set for posture p, in file order: name ("proxy.max_retries"),
 * service, command-line flag ("--max-retries") and value ("3"). */
size_t fs_knobs_count(const fs_knobs_t *k, fs_posture_t p);
const char *fs_knobs_name(const fs_knobs_t *k, fs_posture_t p, size_t i);
fs_svc_t fs_knobs_service(const fs_knobs_t *k, fs_posture_t p, size_t i);
const char *fs_knobs_flag(const fs_knobs_t *k, fs_posture_t p, size_t i);
const char *fs_knobs_value(const fs_knobs_t *k, fs_posture_t p, size_t i);

/* The i-th knob name a scenario may use, NULL past the last (for the
 * schema test and the docs). */
const char *fs_knobs_known(size_t i);

#endif
