/* The configstore's data: keys → retained versions (blobs), each key's
 * rollout, and a bounded log of every state change for the harness's
 * timeline. Pure like the rollout: time arrives as now_ms arguments
 * (milliseconds since the configstore started). */
#ifndef FS_STORE_H
#define FS_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "rollout.h"

#define FS_STORE_KEY_MAX          128  /* longest key */
#define FS_STORE_DEFAULT_VERSIONS 32   /* blobs kept per key */
#define FS_STORE_DEFAULT_KEYS     1024 /* keys per store */
#define FS_STORE_DEFAULT_EVENTS   4096 /* events kept in the ring */
#define FS_STORE_EVENTS_PER_PAGE  1024 /* most events one fs_store_events_json returns */

typedef struct fs_store_s fs_store_t;

/* One entry of the event log, valid only during the callback. */
typedef struct {
    uint64_t seq; /* from 1, no gaps */
    const char *key;
    const fs_rollout_event_t *ev;
} fs_store_event_t;

typedef void (*fs_store_event_cb)(const fs_store_event_t *ev, void *data);

typedef struct {
    fs_rollout_mode_t mode;
    uint64_t bake_ms;
    const char *canary;   /* NULL = the first node in order */
    size_t max_versions;  /* 0 = FS_STORE_DEFAULT_VERSIONS (at least 2) */
    size_t max_keys;      /* 0 = FS_STORE_DEFAULT_KEYS */
    size_t max_events;    /* 0 = FS_STORE_DEFAULT_EVENTS */
    fs_store_event_cb cb; /* every logged event, e.g. for logs and metrics */
    void *data;
} fs_store_config_t;

/* Creates an empty store; cfg strings are copied. Returns 0, -EINVAL or
 * -ENOMEM. */
int fs_store_new(const fs_store_config_t *cfg, fs_store_t **out);
void fs_store_free(fs_store_t *s);

/* 1 when key is well formed: [A-Za-z0-9._/-]{1,128}. */
int fs_store_key_valid(const char *key);

/* Stores blob[0..len) as the key's next version (the key is created on
 * first publish) and starts its rollout. Drops the oldest blobs past
 * max_versions but never the good or target one. Fills *version. Returns
 * 0, -EINVAL (bad key), -ENOSPC (too many keys) or -ENOMEM. */
int fs_store_publish(fs_store_t *s, const char *key, const void *blob, size_t len, uint64_t now_ms,
                     uint64_t *version);

/* The blob node should have (node NULL = outside any rollout) and its
 * version; node, when given, is registered for later rollouts. *blob stays
 * valid until the next publish of the key. Returns 0, -EINVAL (bad key or
 * node) or -ENOENT (never published). */
int fs_store_get(fs_store_t *s, const char *key, const char *node, const void **blob, size_t *len,
                 uint64_t *version);

/* Manual rollback (see fs_rollout_rollback; the store supplies the newest
 * retained version older than good that was not itself withdrawn). Fills
 * *served. Returns 0, -EINVAL, -ENOENT or -EALREADY (nothing to roll back
 * to). */
int fs_store_rollback(fs_store_t *s, const char *key, uint64_t now_ms, uint64_t *served);

/* Passes a health report to the key's rollout. Returns 0, -EINVAL or
 * -ENOENT (unknown key: nothing to record it on). */
int fs_store_health(fs_store_t *s, const char *key, const char *node, uint64_t version, int ok,
                    uint64_t errors, uint64_t now_ms);

/* Drives every key's bake timers. */
void fs_store_tick(fs_store_t *s, uint64_t now_ms);

/* The key's rollout, or NULL when it was never published. */
const fs_rollout_t *fs_store_rollout(const fs_store_t *s, const char *key);

/* Blobs retained for key (0 when unknown), and whether version is one. */
size_t fs_store_retained(const fs_store_t *s, const char *key);
int fs_store_has_version(const fs_store_t *s, const char *key, uint64_t version);

/* Builds the GET /v1/rollout/{key} answer. Returns 0, -ENOENT or -ENOMEM;
 * the caller owns *out. */
int fs_store_rollout_json(const fs_store_t *s, const char *key, cJSON **out);

/* Builds the GET /v1/events answer: events with seq > since (at most
 * FS_STORE_EVENTS_PER_PAGE; older ones may have left the ring) and "next",
 * the since to ask with next time. Returns 0 or -ENOMEM; caller owns *out. */
int fs_store_events_json(const fs_store_t *s, uint64_t since, cJSON **out);

/* Sequence number of the newest event (0 = none yet). */
uint64_t fs_store_last_seq(const fs_store_t *s);

#endif
