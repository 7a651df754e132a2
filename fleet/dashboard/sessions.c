#include "sessions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Sessions live in a ring in creation order. Every session has the same
 * lifetime, so the oldest is also the first to expire: dropping expired
 * sessions and evicting for room both pop the head. A chained hash over the
 * ids keeps lookups O(1); links are slot index + 1 so that 0 means none. */
typedef struct {
    fs_session_t s;
    uint32_t next;
} fs__session_slot_t;

struct fs_sessions_s {
    fs__session_slot_t *slots;
    uint32_t *buckets;
    size_t capacity;
    size_t nbuckets; /* power of two */
    size_t head;     /* oldest slot */
    size_t count;
    uint64_t ttl_ms;
    uint64_t rng[4]; /* xoshiro256** state */
};

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: fast and well distributed. It is not a CSPRNG; the fleet is
 * a simulation on loopback, and the seed comes from /dev/urandom so ids are
 * not guessable from the outside without observing many of them. */
static uint64_t rng_next(uint64_t st[4])
{
    uint64_t result = rotl(st[1] * 5, 7) * 9;
    uint64_t t = st[1] << 17;

    st[2] ^= st[0];
    st[3] ^= st[1];
    st[1] ^= st[2];
    st[0] ^= st[3];
    st[2] ^= t;
    st[3] = rotl(st[3], 45);
    return result;
}

static uint64_t hash_id(const char *id)
{
    uint64_t h = 1469598103934665603ull;

    for (; *id; id++) {
        h ^= (unsigned char)*id;
        h *= 1099511628211ull;
    }
    return h;
}

int fs_sessions_new(size_t capacity, uint64_t ttl_ms, const uint8_t seed[32], fs_sessions_t **out)
{
    fs_sessions_t *t = NULL;
    uint64_t any = 0;

    *out = NULL;
    if (capacity == 0 || capacity > FS_SESSIONS_MAX || ttl_ms == 0 || seed == NULL)
        return -EINVAL;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        goto fail;
    t->capacity = capacity;
    t->ttl_ms = ttl_ms;
    t->nbuckets = 1;
    while (t->nbuckets < 2 * capacity)
        t->nbuckets <<= 1;
    t->slots = calloc(capacity, sizeof(*t->slots));
    t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
    if (t->slots == NULL || t->buckets == NULL)
        goto fail;
    memcpy(t->rng, seed, sizeof(t->rng));
    for (int i = 0; i < 4; i++)
        any |= t->rng[i];
    if (any == 0) /* the one state xoshiro never leaves */
        t->rng[0] = 0x9e3779b97f4a7c15ull;
    *out = t;
    return 0;

fail:
    fs_sessions_free(t);
    return -ENOMEM;
}

void fs_sessions_free(fs_sessions_t *t)
{
    if (t == NULL)
        return;
    free(t->slots);
    free(t->buckets);
    free(t);
}

static uint32_t *bucket_of(fs_sessions_t *t, const char *id)
{
    return &t->buckets[hash_id(id) & (t->nbuckets - 1)];
}

static void pop_oldest(fs_sessions_t *t)
{
    fs__session_slot_t *slot = &t->slots[t->head];
    uint32_t *link = bucket_of(t, slot->s.id);
    uint32_t want = (uint32_t)t->head + 1;

    while (*link != 0 && *link != want)
        link = &t->slots[*link - 1].next;
    if (*link == want)
        *link = slot->next;
    memset(slot, 0, sizeof(*slot));
    t->head = (t->head + 1) % t->capacity;
    t->count--;
}

static int expired(const fs_sessions_t *t, const fs_session_t *s, uint64_t now_ms)
{
    /* A clock that went backwards does not make a session immortal. */
    return now_ms < s->created_ms || now_ms - s->created_ms >= t->ttl_ms;
}

static void make_id(fs_sessions_t *t, char id[FS_SESSION_ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint64_t words[2] = {rng_next(t->rng), rng_next(t->rng)};

    for (int i = 0; i < FS_SESSION_ID_LEN; i++) {
        uint64_t w = words[i / 16];
        id[i] = hex[(w >> (4 * (i % 16))) & 0xf];
    }
    id[FS_SESSION_ID_LEN] = '\0';
}

int fs_sessions_create(fs_sessions_t *t, const char *user, int break_glass, uint64_t now_ms,
                       const fs_session_t **out)
{
    size_t ulen = user ? strlen(user) : 0;
    const fs_session_t *clash = NULL;
    fs__session_slot_t *slot;
    uint32_t *bucket;
    size_t idx;

    *out = NULL;
    if (ulen == 0 || ulen > FS_SESSION_USER_MAX)
        return -EINVAL;
    while (t->count > 0 && expired(t, &t->slots[t->head].s, now_ms))
        pop_oldest(t);
    if (t->count == t->capacity)
        pop_oldest(t);

    idx = (t->head + t->count) % t->capacity;
    slot = &t->slots[idx];
    /* 128 random bits do not collide in practice; the check keeps lookups
     * unambiguous all the same. */
    do
        make_id(t, slot->s.id);
    while (fs_sessions_lookup(t, slot->s.id, now_ms, &clash) == 0);
    memcpy(slot->s.user, user, ulen + 1);
    slot->s.break_glass = break_glass != 0;
    slot->s.created_ms = now_ms;
    bucket = bucket_of(t, slot->s.id);
    slot->next = *bucket;
    *bucket = (uint32_t)idx + 1;
    t->count++;
    *out = &slot->s;
    return 0;
}

int fs_sessions_lookup(fs_sessions_t *t, const char *id, uint64_t now_ms, const fs_session_t **out)
{
    uint32_t link;

    *out = NULL;
    if (id == NULL || strlen(id) != FS_SESSION_ID_LEN)
        return -ENOENT;
    for (link = *bucket_of(t, id); link != 0; link = t->slots[link - 1].next) {
        const fs_session_t *s = &t->slots[link - 1].s;
        if (strcmp(s->id, id) != 0)
            continue;
        if (expired(t, s, now_ms))
            return -ENOENT;
        *out = s;
        return 0;
    }
    return -ENOENT;
}

size_t fs_sessions_count(const fs_sessions_t *t)
{
    return t->count;
}
