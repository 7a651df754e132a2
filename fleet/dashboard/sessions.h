/* The dashboard's session table: random ids, a fixed lifetime, and a fixed
 * capacity where the oldest session makes room for a new one. Pure: the
 * caller passes the time, so expiry can be tested without waiting. */
#ifndef FS_SESSIONS_H
#define FS_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#define FS_SESSION_ID_LEN   32 /* 128 bits in hex */
#define FS_SESSION_USER_MAX 64
#define FS_SESSIONS_MAX     (1u << 20) /* upper bound on the capacity */

typedef struct fs_sessions_s fs_sessions_t;

typedef struct {
    char id[FS_SESSION_ID_LEN + 1];
    char user[FS_SESSION_USER_MAX + 1];
    int break_glass;     /* issued through the break-glass path */
    uint64_t created_ms; /* caller's clock */
} fs_session_t;

/* Creates a table of capacity sessions (1..FS_SESSIONS_MAX) living ttl_ms
 * (> 0) each. seed (32 bytes, e.g. from /dev/urandom) seeds the id
 * generator. Returns 0, -EINVAL or -ENOMEM. */
int fs_sessions_new(size_t capacity, uint64_t ttl_ms, const uint8_t seed[32], fs_sessions_t **out);

void fs_sessions_free(fs_sessions_t *t);

/* Issues a session for user (1..FS_SESSION_USER_MAX bytes) at now_ms,
 * dropping expired sessions and, when full, the oldest one. *out points into
 * the table and stays valid until the next create. Returns 0 or -EINVAL. */
int fs_sessions_create(fs_sessions_t *t, const char *user, int break_glass, uint64_t now_ms,
                       const fs_session_t **out);

/* Finds the live session id at now_ms. *out stays valid until the next
 * create. Returns 0, or -ENOENT when it is unknown, evicted or expired. */
int fs_sessions_lookup(fs_sessions_t *t, const char *id, uint64_t now_ms, const fs_session_t **out);

/* Sessions held, expired ones included until a create drops them. */
size_t fs_sessions_count(const fs_sessions_t *t);

#endif
