/* config.* faults: a bad version of a config key (bot/features, waf/rules)
 * published through configstore's real API, so the rollout policy decides
 * how far it spreads; optionally flapping good/bad. This header holds the
 * parsed parameters; the apply side adds its run-time state next to them. */
#ifndef FS_INJ_CONFIG_H
#define FS_INJ_CONFIG_H

#include <stdint.h>

#include "injector.h"

#define FS_INJ_CONFIG_KEY_FEATURES "bot/features"
#define FS_INJ_CONFIG_KEY_WAF      "waf/rules"
#define FS_INJ_CONFIG_MAX_BYTES    FS_INJ_CONFIG_CAP_MAX /* configstore's blob limit */

typedef enum {
    FS_INJ_CONFIG_OVERSIZE,        /* more rows (or bytes) than the reader preallocated */
    FS_INJ_CONFIG_DUPLICATE_ROWS,  /* every row copies times (2025-11-18) */
    FS_INJ_CONFIG_MALFORMED,       /* not JSON */
    FS_INJ_CONFIG_TRUNCATED,       /* the good file cut at at_byte */
    FS_INJ_CONFIG_WRONG_TYPE,      /* valid JSON, a field of the wrong type */
    FS_INJ_CONFIG_EMPTY,           /* a zero-byte blob */
    FS_INJ_CONFIG_KILLSWITCH,      /* waf/rules with rule in "killswitch" (2025-12-05) */
    FS_INJ_CONFIG_POISONED_WEIGHTS /* bot/features valid in every way, every request a bot */
} fs_inj_config_kind_t;

typedef struct {
    fs_inj_config_kind_t kind;
    char key[16];      /* FS_INJ_CONFIG_KEY_FEATURES or FS_INJ_CONFIG_KEY_WAF */
    uint64_t features; /* OVERSIZE: rows in the file; 0 when bytes is given */
    uint64_t bytes;    /* OVERSIZE: size of the file; 0 when features is given */
    unsigned copies;   /* DUPLICATE_ROWS: each row this many times (2) */
    uint64_t at_byte;  /* TRUNCATED: bytes kept; 0 = half of the good file */
    char rule[65];     /* KILLSWITCH: the WAF rule id to skip */
    int flap;          /* 1: re-published every flap_every_ms until reverted */
    uint64_t flap_every_ms;
    double flap_bad_share;          /* FLAP: seeded share of re-publications that are bad (0.5) */
    struct fs__inj_config_rt_s *rt; /* while applied (config_apply.c) */
} fs_inj_config_t;

/* The apply side (config_apply.c): publish the bad file, flap, publish the
 * good baseline again on revert. */
int fs__inj_config_apply(void *state, fs_inj_env_t *env, char *err, size_t errlen);
int fs__inj_config_revert(void *state, fs_inj_env_t *env, char *err, size_t errlen);

extern const fs_inj_ops_t fs_inj_config_oversize_ops;
extern const fs_inj_ops_t fs_inj_config_duplicate_rows_ops;
extern const fs_inj_ops_t fs_inj_config_malformed_ops;
extern const fs_inj_ops_t fs_inj_config_truncated_ops;
extern const fs_inj_ops_t fs_inj_config_wrong_type_ops;
extern const fs_inj_ops_t fs_inj_config_empty_ops;
extern const fs_inj_ops_t fs_inj_config_killswitch_ops;
extern const fs_inj_ops_t fs_inj_config_poisoned_weights_ops;

#endif
