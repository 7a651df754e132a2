/* A small seeded PRNG every harness part shares: splitmix64 to seed,
 * xoshiro256** to draw. The state lives in a caller-owned struct, so there is
 * no global randomness, and fs_prng_derive() gives each component its own
 * stream from the one scenario seed, so adding draws in one place never
 * shifts another's sequence. */
#ifndef FS_PRNG_H
#define FS_PRNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} fs_prng_t;

/* Seeds p; every seed (0 included) gives a valid, distinct state. */
void fs_prng_seed(fs_prng_t *p, uint64_t seed);

/* The next 64 random bits. */
uint64_t fs_prng_next(fs_prng_t *p);

/* A uniform double in [0, 1) (53 bits). */
double fs_prng_double(fs_prng_t *p);

/* A uniform integer in [0, n), without modulo bias; 0 when n is 0. */
uint64_t fs_prng_uint(fs_prng_t *p, uint64_t n);

/* 1 with probability prob (clamped to [0, 1]), else 0; always one draw. */
int fs_prng_chance(fs_prng_t *p, double prob);

/* The seed of the stream called name under seed: the same pair always gives
 * the same seed, different names give unrelated ones. */
uint64_t fs_prng_derive(uint64_t seed, const char *name);

/* The seed of item i of a stream (counter-based): lets item i's draws depend
 * on (seed, i) alone, whatever order or timing the items come in. */
uint64_t fs_prng_derive_index(uint64_t seed, uint64_t i);

#endif
