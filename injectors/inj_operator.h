/* operator.* — not faults but the repairs a human makes during one, through
 * the fleet's own operator path, so a scenario can show whether that path
 * still works while the fault lasts (the dashboard whose login needs the
 * challenge the bad config broke, 2025-11-18). Parsed parameters here; the
 * apply side (operator_apply.c) adds its run-time state. */
#ifndef FS_INJ_OPERATOR_H
#define FS_INJ_OPERATOR_H

#include <stdint.h>

#include "injector.h"

#define FS_INJ_OPERATOR_USER_MAX 64 /* the dashboard's limit */

typedef struct {
    char key[16];                            /* the key to roll back: bot/features or waf/rules */
    char user[FS_INJ_OPERATOR_USER_MAX + 1]; /* who logs in ("oncall") */
    uint64_t retry_every_ms;                 /* 0: one attempt */
    uint64_t for_ms;                  /* how long the operator keeps at it (the fault's "for") */
    char path[48];                    /* "$.faults[1]": the source of its timeline lines */
    struct fs__inj_operator_rt_s *rt; /* while applied (operator_apply.c) */
} fs_inj_operator_t;

/* The apply side (operator_apply.c): log in to the dashboard (presenting the
 * break-glass token too) and roll the key back, again every retry_every_ms
 * until it worked; revert gives up and cancels what is in flight. */
int fs__inj_operator_apply(void *state, fs_inj_env_t *env, char *err, size_t errlen);
int fs__inj_operator_revert(void *state, fs_inj_env_t *env, char *err, size_t errlen);

extern const fs_inj_ops_t fs_inj_operator_rollback_ops;

#endif
