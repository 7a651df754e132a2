/* Keys, their retained blobs and the event log. A flapping publisher can
 * publish every couple of seconds for hours, so both the blobs per key and
 * the log are bounded; what a node may still be served (good and target)
 * is never dropped. */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FS__STORE_REASON_MAX 160

typedef struct {
    uint64_t version;
    char *blob; /* NUL-terminated copy */
    size_t len;
    int withdrawn; /* rolled back from: never a rollback target again */
} fs__store_version_t;

typedef struct {
    fs_store_t *store;
    char name[FS_STORE_KEY_MAX + 1];
    fs_rollout_t *rollout;
    uint64_t last_version;
    fs__store_version_t *versions; /* ascending; room for max_versions + 1 */
    size_t nversions;
} fs__store_key_t;

typedef struct {
    uint64_t seq;
    uint64_t t_ms;
    fs_rollout_event_kind_t kind;
    uint64_t version;
    uint64_t served;
    fs_rollout_stage_t stage;
    char key[FS_STORE_KEY_MAX + 1];
    char reason[FS__STORE_REASON_MAX]; /* "" = none */
} fs__store_entry_t;

struct fs_store_s {
    fs_rollout_mode_t mode;
    uint64_t bake_ms;
    char canary[FS_ROLLOUT_NODE_MAX + 1]; /* "" = first in order */
    size_t max_versions;
    size_t max_keys;
    size_t max_events;
    fs_store_event_cb cb;
    void *data;

    fs__store_key_t **keys; /* pointers: rollout callbacks hold on to keys */
    size_t nkeys;
    size_t keys_cap;

    fs__store_entry_t *ring;
    size_t ring_start; /* index of the oldest entry */
    size_t ring_count;
    uint64_t last_seq;
};

int fs_store_key_valid(const char *key)
{
    size_t n = 0;

    if (key == NULL)
        return 0;
    for (; key[n]; n++) {
        char c = key[n];

        if (n >= FS_STORE_KEY_MAX)
            return 0;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '/' || c == '-'))
            return 0;
    }
    return n >= 1;
}

int fs_store_new(const fs_store_config_t *cfg, fs_store_t **out)
{
    fs_store_t *s;

    if (cfg->canary != NULL && !fs_rollout_node_valid(cfg->canary))
        return -EINVAL;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    s->mode = cfg->mode;
    s->bake_ms = cfg->bake_ms;
    if (cfg->canary != NULL)
        snprintf(s->canary, sizeof(s->canary), "%s", cfg->canary);
    /* Two at least: good and target must both fit. */
    s->max_versions = cfg->max_versions ? cfg->max_versions : FS_STORE_DEFAULT_VERSIONS;
    if (s->max_versions < 2)
        s->max_versions = 2;
    s->max_keys = cfg->max_keys ? cfg->max_keys : FS_STORE_DEFAULT_KEYS;
    s->max_events = cfg->max_events ? cfg->max_events : FS_STORE_DEFAULT_EVENTS;
    s->cb = cfg->cb;
    s->data = cfg->data;
    s->ring = calloc(s->max_events, sizeof(*s->ring));
    if (s->ring == NULL)
        goto fail;
    *out = s;
    return 0;
fail:
    free(s);
    return -ENOMEM;
}

static void fs__store_key_free(fs__store_key_t *k)
{
    for (size_t i = 0; i < k->nversions; i++)
        free(k->versions[i].blob);
    free(k->versions);
    fs_rollout_free(k->rollout);
    free(k);
}

void fs_store_free(fs_store_t *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nkeys; i++)
        fs__store_key_free(s->keys[i]);
    free(s->keys);
    free(s->ring);
    free(s);
}

static fs__store_key_t *fs__store_find(const fs_store_t *s, const char *key)
{
    for (size_t i = 0; i < s->nkeys; i++)
        if (strcmp(s->keys[i]->name, key) == 0)
            return s->keys[i];
    return NULL;
}

static fs__store_version_t *fs__store_version(const fs__store_key_t *k, uint64_t version)
{
    for (size_t i = 0; i < k->nversions; i++)
        if (k->versions[i].version == version)
            return &k->versions[i];
    return NULL;
}

/* Every rollout state change lands here: into the ring, onto the version it
 * withdrew, and on to the service's logs and metrics. */
static void fs__store_rollout_cb(const fs_rollout_event_t *ev, void *data)
{
    fs__store_key_t *k = data;
    fs_store_t *s = k->store;
    fs__store_entry_t *e;
    fs_store_event_t out;

    if (ev->kind == FS_ROLLOUT_EV_ROLLED_BACK || ev->kind == FS_ROLLOUT_EV_ROLLBACK) {
        fs__store_version_t *v = fs__store_version(k, ev->version);

        if (v != NULL)
            v->withdrawn = 1;
    }
    if (s->ring_count < s->max_events) {
        e = &s->ring[(s->ring_start + s->ring_count) % s->max_events];
        s->ring_count++;
    } else {
        e = &s->ring[s->ring_start];
        s->ring_start = (s->ring_start + 1) % s->max_events;
    }
    e->seq = ++s->last_seq;
    e->t_ms = ev->t_ms;
    e->kind = ev->kind;
    e->version = ev->version;
    e->served = ev->served;
    e->stage = ev->stage;
    snprintf(e->key, sizeof(e->key), "%s", k->name);
    snprintf(e->reason, sizeof(e->reason), "%s", ev->reason ? ev->reason : "");
    if (s->cb) {
        out.seq = e->seq;
        out.key = k->name;
        out.ev = ev;
        s->cb(&out, s->data);
    }
}

static int fs__store_key_new(fs_store_t *s, const char *key, fs__store_key_t **out)
{
    fs_rollout_config_t cfg = {
        .mode = s->mode,
        .bake_ms = s->bake_ms,
        .canary = s->canary[0] ? s->canary : NULL,
        .cb = fs__store_rollout_cb,
    };
    fs__store_key_t *k = NULL;

    if (s->nkeys >= s->max_keys)
        return -ENOSPC;
    if (s->nkeys == s->keys_cap) {
        size_t cap = s->keys_cap ? s->keys_cap * 2 : 8;
        fs__store_key_t **keys = realloc(s->keys, cap * sizeof(*keys));

        if (keys == NULL)
            return -ENOMEM;
        s->keys = keys;
        s->keys_cap = cap;
    }
    k = calloc(1, sizeof(*k));
    if (k == NULL)
        goto fail;
    k->store = s;
    snprintf(k->name, sizeof(k->name), "%s", key);
    k->versions = calloc(s->max_versions + 1, sizeof(*k->versions));
    if (k->versions == NULL)
        goto fail;
    cfg.data = k;
    if (fs_rollout_new(&cfg, &k->rollout) < 0)
        goto fail;
    s->keys[s->nkeys++] = k;
    *out = k;
    return 0;
fail:
    if (k != NULL) {
        free(k->versions);
        free(k);
    }
    return -ENOMEM;
}

/* Drops the oldest blobs past the bound, sparing the two a node may be
 * served. */
static void fs__store_trim(fs_store_t *s, fs__store_key_t *k)
{
    uint64_t good = fs_rollout_good(k->rollout), target = fs_rollout_target(k->rollout);

    while (k->nversions > s->max_versions) {
        size_t i = 0;

        while (i < k->nversions &&
               (k->versions[i].version == good || k->versions[i].version == target))
            i++;
        if (i == k->nversions)
            return;
        free(k->versions[i].blob);
        memmove(&k->versions[i], &k->versions[i + 1],
                (k->nversions - i - 1) * sizeof(k->versions[0]));
        k->nversions--;
    }
}

int fs_store_publish(fs_store_t *s, const char *key, const void *blob, size_t len, uint64_t now_ms,
                     uint64_t *version)
{
    fs__store_key_t *k;
    fs__store_version_t *v;
    char *copy;
    int rc;

    if (!fs_store_key_valid(key) || (blob == NULL && len > 0))
        return -EINVAL;
    copy = malloc(len + 1);
    if (copy == NULL)
        return -ENOMEM;
    if (len > 0)
        memcpy(copy, blob, len);
    copy[len] = '\0';
    k = fs__store_find(s, key);
    if (k == NULL && (rc = fs__store_key_new(s, key, &k)) < 0)
        goto fail;
    /* trim keeps nversions <= max_versions, so the extra slot is free. */
    v = &k->versions[k->nversions++];
    v->version = k->last_version + 1;
    v->blob = copy;
    v->len = len;
    v->withdrawn = 0;
    k->last_version = v->version;
    *version = v->version;
    rc = fs_rollout_publish(k->rollout, v->version, now_ms);
    fs__store_trim(s, k);
    return rc;
fail:
    free(copy);
    return rc;
}

int fs_store_get(fs_store_t *s, const char *key, const char *node, const void **blob, size_t *len,
                 uint64_t *version)
{
    fs__store_key_t *k;
    fs__store_version_t *v;
    uint64_t served;

    if (!fs_store_key_valid(key) || (node != NULL && !fs_rollout_node_valid(node)))
        return -EINVAL;
    k = fs__store_find(s, key);
    if (k == NULL)
        return -ENOENT;
    /* Past FS_ROLLOUT_MAX_NODES a node is not registered: it is served the
     * good version like any node outside a rollout. */
    if (node != NULL)
        (void)fs_rollout_node_seen(k->rollout, node);
    served = fs_rollout_serve(k->rollout, node);
    v = fs__store_version(k, served);
    if (v == NULL)
        return -EIO; /* trim spares good and target: cannot happen */
    *blob = v->blob;
    *len = v->len;
    *version = v->version;
    return 0;
}

int fs_store_rollback(fs_store_t *s, const char *key, uint64_t now_ms, uint64_t *served)
{
    fs__store_key_t *k;
    uint64_t good, previous = 0;

    if (!fs_store_key_valid(key))
        return -EINVAL;
    k = fs__store_find(s, key);
    if (k == NULL)
        return -ENOENT;
    good = fs_rollout_good(k->rollout);
    for (size_t i = k->nversions; i-- > 0;) {
        if (k->versions[i].version < good && !k->versions[i].withdrawn) {
            previous = k->versions[i].version;
            break;
        }
    }
    return fs_rollout_rollback(k->rollout, previous, now_ms, served);
}

int fs_store_health(fs_store_t *s, const char *key, const char *node, uint64_t version, int ok,
                    uint64_t errors, uint64_t now_ms)
{
    fs__store_key_t *k;

    if (!fs_store_key_valid(key) || !fs_rollout_node_valid(node))
        return -EINVAL;
    k = fs__store_find(s, key);
    if (k == NULL)
        return -ENOENT;
    return fs_rollout_health(k->rollout, node, version, ok, errors, now_ms);
}

void fs_store_tick(fs_store_t *s, uint64_t now_ms)
{
    for (size_t i = 0; i < s->nkeys; i++)
        fs_rollout_tick(s->keys[i]->rollout, now_ms);
}

const fs_rollout_t *fs_store_rollout(const fs_store_t *s, const char *key)
{
    const fs__store_key_t *k = key ? fs__store_find(s, key) : NULL;

    return k ? k->rollout : NULL;
}

size_t fs_store_retained(const fs_store_t *s, const char *key)
{
    const fs__store_key_t *k = key ? fs__store_find(s, key) : NULL;

    return k ? k->nversions : 0;
}

int fs_store_has_version(const fs_store_t *s, const char *key, uint64_t version)
{
    const fs__store_key_t *k = key ? fs__store_find(s, key) : NULL;

    return k != NULL && fs__store_version(k, version) != NULL;
}

int fs_store_rollout_json(const fs_store_t *s, const char *key, cJSON **out)
{
    const fs__store_key_t *k = key ? fs__store_find(s, key) : NULL;
    cJSON *obj;

    if (k == NULL)
        return -ENOENT;
    obj = cJSON_CreateObject();
    if (obj == NULL)
        return -ENOMEM;
    if (!cJSON_AddStringToObject(obj, "key", k->name) || fs_rollout_json(k->rollout, obj) < 0)
        goto fail;
    *out = obj;
    return 0;
fail:
    cJSON_Delete(obj);
    return -ENOMEM;
}

static cJSON *fs__store_entry_json(const fs__store_entry_t *e)
{
    const char *stage = fs_rollout_stage_name(e->stage);
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    if (!cJSON_AddNumberToObject(o, "seq", (double)e->seq) ||
        !cJSON_AddNumberToObject(o, "t_ms", (double)e->t_ms) ||
        !cJSON_AddStringToObject(o, "key", e->key) ||
        !cJSON_AddStringToObject(o, "event", fs_rollout_event_name(e->kind)) ||
        !cJSON_AddNumberToObject(o, "version", (double)e->version) ||
        !cJSON_AddNumberToObject(o, "served", (double)e->served) ||
        !(stage ? cJSON_AddStringToObject(o, "stage", stage) : cJSON_AddNullToObject(o, "stage")) ||
        !(e->reason[0] ? cJSON_AddStringToObject(o, "reason", e->reason)
                       : cJSON_AddNullToObject(o, "reason"))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int fs_store_events_json(const fs_store_t *s, uint64_t since, cJSON **out)
{
    uint64_t oldest = s->last_seq - s->ring_count + 1; /* seq of ring_start */
    uint64_t next = since < s->last_seq ? since : s->last_seq;
    cJSON *obj, *events;
    size_t first, n = 0;

    obj = cJSON_CreateObject();
    if (obj == NULL)
        return -ENOMEM;
    if ((events = cJSON_CreateArray()) == NULL)
        goto fail;
    first = since >= s->last_seq ? s->ring_count
            : since + 1 > oldest ? (size_t)(since + 1 - oldest)
                                 : 0;
    for (size_t i = first; i < s->ring_count && n < FS_STORE_EVENTS_PER_PAGE; i++, n++) {
        const fs__store_entry_t *e = &s->ring[(s->ring_start + i) % s->max_events];
        cJSON *o = fs__store_entry_json(e);

        if (o == NULL || !cJSON_AddItemToArray(events, o)) {
            cJSON_Delete(o);
            cJSON_Delete(events);
            goto fail;
        }
        next = e->seq;
    }
    /* next first: clients read it before walking the list. */
    if (!cJSON_AddNumberToObject(obj, "next", (double)next)) {
        cJSON_Delete(events);
        goto fail;
    }
    if (!cJSON_AddItemToObject(obj, "events", events)) {
        cJSON_Delete(events);
        goto fail;
    }
    *out = obj;
    return 0;
fail:
    cJSON_Delete(obj);
    return -ENOMEM;
}

uint64_t fs_store_last_seq(const fs_store_t *s)
{
    return s->last_seq;
}
