/* What the families' parse functions share: targets named in the fault's
 * "target" field, checked against the fleet and reported with the fault's
 * JSON path. */
#ifndef FS_INJ_UTIL_H
#define FS_INJ_UTIL_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "injector.h"
#include "topology.h"

/* Allowed target shapes, ORed. */
#define FS__INJ_T_SERVICE  (1 << FS_TARGET_SERVICE)
#define FS__INJ_T_INSTANCE (1 << FS_TARGET_INSTANCE)
#define FS__INJ_T_IFACE    (1 << FS_TARGET_IFACE)
#define FS__INJ_T_LINK     (1 << FS_TARGET_LINK)

/* Parses the required string field "target" of fault into *out and checks
 * its shape against allowed (FS__INJ_T_*). Service and instance targets
 * must be fleet processes (not client or user). Returns 0 or -EINVAL with
 * "$.faults[N].target: ..." in err. */
int fs__inj_target(const cJSON *fault, const fs_inj_parse_ctx_t *ctx, int allowed, fs_target_t *out,
                   char *err, size_t errlen);

/* The optional "probability" field, 0..1, default 1. */
int fs__inj_probability(const cJSON *fault, const fs_inj_parse_ctx_t *ctx, double *out, char *err,
                        size_t errlen);

/* " with probability 0.3" (or "" for 1) for describe(). */
const char *fs__inj_probability_text(double p, char *buf, size_t len);

/* Sets faulted[i] for every interface into service svc (X->svc). */
void fs__inj_fault_into(fs_svc_t svc, uint8_t faulted[FS_IF_COUNT]);

#endif
