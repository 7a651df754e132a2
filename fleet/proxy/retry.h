/* Retry policy for the proxy's upstream calls. `immediate` (legacy) retries
 * every failed call at once up to a fixed count, which multiplies the load
 * on a dependency exactly when it is failing; `budget` (hardened) retries
 * with full-jitter exponential backoff, only while a token bucket fed by
 * first attempts allows, and only when the deadline leaves room. Pure: the
 * PRNG state lives in the policy, time is passed in. */
#ifndef FS_RETRY_H
#define FS_RETRY_H

#include <stdint.h>

typedef enum { FS_RETRY_IMMEDIATE, FS_RETRY_BUDGET } fs_retry_mode_t;

typedef struct {
    fs_retry_mode_t mode;
    unsigned max_retries;    /* retries per call after the first attempt */
    double budget_ratio;     /* tokens each first attempt earns (budget mode) */
    double budget_cap;       /* most tokens the bucket holds (budget mode) */
    uint64_t base_ms;        /* backoff before retry k is uniform in [0, min(cap, base*2^k)] */
    uint64_t max_backoff_ms; /* the backoff cap */
    uint64_t fixed_delay_ms; /* immediate mode: wait this long before each retry, the
                                same for every caller, so callers that failed together
                                retry together */
} fs_retry_config_t;

typedef struct fs_retry_s fs_retry_t;

/* Fills cfg with the defaults for mode: 3 retries for immediate; 2 retries,
 * ratio 0.1, cap 10 tokens, base 10 ms, cap 200 ms for budget. */
void fs_retry_config_default(fs_retry_config_t *cfg, fs_retry_mode_t mode);

/* Creates a policy (the bucket starts empty) whose jitter PRNG is seeded
 * with seed. Returns 0, -EINVAL for a bad config or -ENOMEM. */
int fs_retry_new(const fs_retry_config_t *cfg, uint64_t seed, fs_retry_t **out);

void fs_retry_free(fs_retry_t *r);

/* Records a first attempt of a call: earns budget_ratio tokens. */
void fs_retry_first_attempt(fs_retry_t *r);

/* Decides whether a call that has already been retried `retries` times may
 * be retried once more at time now_ms, given its deadline (absolute ms, 0 =
 * none). Returns 0 and the delay before the retry in *delay_ms (a token is
 * spent), -ERANGE when max_retries is used up, -ENOBUFS when the budget is
 * empty, or -ETIMEDOUT when the retry would not start before the deadline. */
int fs_retry_next(fs_retry_t *r, unsigned retries, uint64_t now_ms, uint64_t deadline_ms,
                  uint64_t *delay_ms);

/* Tokens in the bucket (budget mode). */
double fs_retry_tokens(const fs_retry_t *r);

const char *fs_retry_mode_name(fs_retry_mode_t m);

#endif
