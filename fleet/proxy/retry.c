/* Retry policy: an immediate fixed count, or a token-bucket budget with
 * full-jitter exponential backoff (the AWS architecture blog's "full
 * jitter", Finagle's RetryBudget). */
#include "retry.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

struct fs_retry_s {
    fs_retry_config_t cfg;
    double tokens;
    uint64_t rng;
};

void fs_retry_config_default(fs_retry_config_t *cfg, fs_retry_mode_t mode)
{
    cfg->mode = mode;
    cfg->max_retries = mode == FS_RETRY_IMMEDIATE ? 3 : 2;
    cfg->budget_ratio = 0.1;
    cfg->budget_cap = 10.0;
    cfg->base_ms = 10;
    cfg->max_backoff_ms = 200;
    cfg->fixed_delay_ms = 0;
}

/* splitmix64: tiny, full-period, and good enough for jitter; the state is
 * ours so runs are reproducible from the seed. */
static uint64_t fs__retry_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int fs_retry_new(const fs_retry_config_t *cfg, uint64_t seed, fs_retry_t **out)
{
    fs_retry_t *r;

    *out = NULL;
    if (cfg->mode != FS_RETRY_IMMEDIATE && cfg->mode != FS_RETRY_BUDGET)
        return -EINVAL;
    if (!isfinite(cfg->budget_ratio) || cfg->budget_ratio < 0 || !isfinite(cfg->budget_cap) ||
        cfg->budget_cap < 0)
        return -EINVAL;
    if ((r = calloc(1, sizeof(*r))) == NULL)
        return -ENOMEM;
    r->cfg = *cfg;
    r->rng = seed;
    *out = r;
    return 0;
}

void fs_retry_free(fs_retry_t *r)
{
    free(r);
}

void fs_retry_first_attempt(fs_retry_t *r)
{
    r->tokens += r->cfg.budget_ratio;
    if (r->tokens > r->cfg.budget_cap)
        r->tokens = r->cfg.budget_cap;
}

/* Full jitter: uniform in [0, min(cap, base * 2^retries)]. */
static uint64_t fs__retry_backoff(fs_retry_t *r, unsigned retries)
{
    uint64_t ceiling = r->cfg.base_ms;

    for (unsigned i = 0; i < retries && ceiling < r->cfg.max_backoff_ms; i++)
        ceiling *= 2;
    if (ceiling > r->cfg.max_backoff_ms)
        ceiling = r->cfg.max_backoff_ms;
    return fs__retry_rand(&r->rng) % (ceiling + 1);
}

int fs_retry_next(fs_retry_t *r, unsigned retries, uint64_t now_ms, uint64_t deadline_ms,
                  uint64_t *delay_ms)
{
    uint64_t delay = 0;

    *delay_ms = 0;
    if (retries >= r->cfg.max_retries)
        return -ERANGE;
    if (r->cfg.mode == FS_RETRY_BUDGET) {
        /* The small epsilon keeps ten additions of 0.1 worth one token. */
        if (r->tokens < 1.0 - 1e-9)
            return -ENOBUFS;
        delay = fs__retry_backoff(r, retries);
    } else {
        delay = r->cfg.fixed_delay_ms;
    }
    if (deadline_ms != 0 && now_ms + delay >= deadline_ms)
        return -ETIMEDOUT;
    if (r->cfg.mode == FS_RETRY_BUDGET) {
        r->tokens -= 1.0;
        if (r->tokens < 0)
            r->tokens = 0;
    }
    *delay_ms = delay;
    return 0;
}

double fs_retry_tokens(const fs_retry_t *r)
{
    return r->tokens;
}

const char *fs_retry_mode_name(fs_retry_mode_t m)
{
    return m == FS_RETRY_BUDGET ? "budget" : "immediate";
}
