/* splitmix64 and xoshiro256** after Blackman and Vigna (public domain
 * reference code at prng.di.unimi.it). */
#include "prng.h"

#define FS__PRNG_GOLDEN 0x9e3779b97f4a7c15ULL

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += FS__PRNG_GOLDEN);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void fs_prng_seed(fs_prng_t *p, uint64_t seed)
{
    /* splitmix64 never yields four zero words in a row, the one state
     * xoshiro cannot leave. */
    for (int i = 0; i < 4; i++)
        p->s[i] = splitmix64(&seed);
}

uint64_t fs_prng_next(fs_prng_t *p)
{
    uint64_t *s = p->s;
    uint64_t r = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

double fs_prng_double(fs_prng_t *p)
{
    return (double)(fs_prng_next(p) >> 11) * 0x1.0p-53;
}

uint64_t fs_prng_uint(fs_prng_t *p, uint64_t n)
{
    if (n == 0)
        return 0;
    /* Draws below 2^64 mod n would favour the small residues. */
    uint64_t floor = -n % n, r;
    do
        r = fs_prng_next(p);
    while (r < floor);
    return r % n;
}

int fs_prng_chance(fs_prng_t *p, double prob)
{
    double d = fs_prng_double(p);
    return prob >= 1.0 || d < prob; /* NaN and negatives never fire */
}

uint64_t fs_prng_derive(uint64_t seed, const char *name)
{
    /* FNV-1a of the name, then splitmix so close names and close seeds
     * still land far apart. */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *c = (const unsigned char *)(name ? name : ""); *c; c++)
        h = (h ^ *c) * 0x100000001b3ULL;
    uint64_t x = h;
    x = splitmix64(&x) ^ seed;
    return splitmix64(&x);
}

uint64_t fs_prng_derive_index(uint64_t seed, uint64_t i)
{
    uint64_t x = seed ^ ((i + 1) * FS__PRNG_GOLDEN);
    splitmix64(&x);
    return splitmix64(&x);
}
