/* One key's rollout. Nodes are kept sorted as they register; a staged
 * rollout snapshots them (canary first) so that nodes arriving mid-rollout
 * do not shift who is in which stage. */
#include "rollout.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char id[FS_ROLLOUT_NODE_MAX + 1];
    int reported; /* the fields below hold the last report */
    uint64_t version;
    int ok;
    uint64_t errors;
    uint64_t t_ms;
} fs__rollout_node_t;

typedef struct {
    char id[FS_ROLLOUT_NODE_MAX + 1];
    int ok; /* reported ok for the target during the current stage */
} fs__rollout_member_t;

struct fs_rollout_s {
    fs_rollout_mode_t mode;
    uint64_t bake_ms;
    char canary[FS_ROLLOUT_NODE_MAX + 1]; /* "" = first in order */
    fs_rollout_event_cb cb;
    void *data;

    fs_rollout_state_t state;
    fs_rollout_stage_t stage;
    uint64_t good;
    uint64_t target;
    uint64_t last_published;
    uint64_t stage_start;

    /* Registered nodes, sorted. members has the same capacity so that a
     * publish never needs to allocate. */
    fs__rollout_node_t *nodes;
    size_t nnodes;
    size_t cap;
    fs__rollout_member_t *members; /* the rollout's node set, canary first */
    size_t nmembers;
    size_t stage_size; /* members[0 .. stage_size) are in the stage */
};

int fs_rollout_node_valid(const char *id)
{
    size_t n = 0;

    if (id == NULL)
        return 0;
    for (; id[n]; n++) {
        char c = id[n];

        if (n >= FS_ROLLOUT_NODE_MAX)
            return 0;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return n >= 1;
}

int fs_rollout_new(const fs_rollout_config_t *cfg, fs_rollout_t **out)
{
    fs_rollout_t *r;

    if (cfg->canary != NULL && !fs_rollout_node_valid(cfg->canary))
        return -EINVAL;
    r = calloc(1, sizeof(*r));
    if (r == NULL)
        return -ENOMEM;
    r->mode = cfg->mode;
    r->bake_ms = cfg->bake_ms;
    if (cfg->canary != NULL)
        snprintf(r->canary, sizeof(r->canary), "%s", cfg->canary);
    r->cb = cfg->cb;
    r->data = cfg->data;
    r->state = FS_ROLLOUT_IDLE;
    r->stage = FS_ROLLOUT_STAGE_NONE;
    *out = r;
    return 0;
}

void fs_rollout_free(fs_rollout_t *r)
{
    if (r == NULL)
        return;
    free(r->nodes);
    free(r->members);
    free(r);
}

static int fs__rollout_all_digits(const char *s)
{
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Numeric ids in numeric order ("2" before "10"), then the others by bytes:
 * fleets name nodes 0..63 and "10" must not come before "2". */
static int fs__rollout_cmp(const char *a, const char *b)
{
    int na = fs__rollout_all_digits(a), nb = fs__rollout_all_digits(b);

    if (na && nb) {
        const char *x = a, *y = b;
        size_t lx, ly;
        int c;

        while (x[0] == '0' && x[1] != '\0')
            x++;
        while (y[0] == '0' && y[1] != '\0')
            y++;
        lx = strlen(x);
        ly = strlen(y);
        if (lx != ly)
            return lx < ly ? -1 : 1;
        c = strcmp(x, y);
        return c != 0 ? c : strcmp(a, b);
    }
    if (na != nb)
        return na ? -1 : 1;
    return strcmp(a, b);
}

/* Index of node in r->nodes, or where it would go with *found = 0. */
static size_t fs__rollout_find(const fs_rollout_t *r, const char *node, int *found)
{
    size_t lo = 0, hi = r->nnodes;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = fs__rollout_cmp(r->nodes[mid].id, node);

        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

static int fs__rollout_grow(fs_rollout_t *r)
{
    size_t cap = r->cap ? r->cap * 2 : 8;
    fs__rollout_node_t *nodes;
    fs__rollout_member_t *members;

    if (cap > FS_ROLLOUT_MAX_NODES)
        cap = FS_ROLLOUT_MAX_NODES;
    nodes = realloc(r->nodes, cap * sizeof(*nodes));
    if (nodes == NULL)
        return -ENOMEM;
    r->nodes = nodes;
    members = realloc(r->members, cap * sizeof(*members));
    if (members == NULL)
        return -ENOMEM;
    r->members = members;
    r->cap = cap;
    return 0;
}

int fs_rollout_node_seen(fs_rollout_t *r, const char *node)
{
    fs__rollout_node_t *n;
    size_t at;
    int found, rc;

    if (!fs_rollout_node_valid(node))
        return -EINVAL;
    at = fs__rollout_find(r, node, &found);
    if (found)
        return 0;
    if (r->nnodes >= FS_ROLLOUT_MAX_NODES)
        return -ENOSPC;
    if (r->nnodes == r->cap && (rc = fs__rollout_grow(r)) < 0)
        return rc;
    memmove(&r->nodes[at + 1], &r->nodes[at], (r->nnodes - at) * sizeof(r->nodes[0]));
    n = &r->nodes[at];
    memset(n, 0, sizeof(*n));
    snprintf(n->id, sizeof(n->id), "%s", node);
    r->nnodes++;
    return 0;
}

/* Index of node among the current stage's members, or SIZE_MAX. */
static size_t fs__rollout_in_stage(const fs_rollout_t *r, const char *node)
{
    for (size_t i = 0; i < r->stage_size; i++)
        if (strcmp(r->members[i].id, node) == 0)
            return i;
    return SIZE_MAX;
}

uint64_t fs_rollout_serve(const fs_rollout_t *r, const char *node)
{
    if (r->state == FS_ROLLOUT_BAKING && node != NULL && fs__rollout_in_stage(r, node) != SIZE_MAX)
        return r->target;
    return r->good;
}

static void fs__rollout_emit(fs_rollout_t *r, fs_rollout_event_kind_t kind, uint64_t version,
                             const char *nodes, const char *reason, uint64_t now_ms)
{
    fs_rollout_event_t ev = {
        .kind = kind,
        .version = version,
        .served = r->good,
        .stage = kind == FS_ROLLOUT_EV_STAGE ? r->stage : FS_ROLLOUT_STAGE_NONE,
        .nodes = nodes,
        .reason = reason,
        .t_ms = now_ms,
    };

    if (r->cb)
        r->cb(&ev, r->data);
}

size_t fs_rollout_stage_nodes_for(fs_rollout_stage_t stage, size_t n)
{
    size_t k;

    switch (stage) {
    case FS_ROLLOUT_STAGE_CANARY:
        return n < 1 ? n : 1;
    case FS_ROLLOUT_STAGE_QUARTER:
        k = (n + 3) / 4;
        if (k < 2)
            k = 2;
        return k < n ? k : n;
    case FS_ROLLOUT_STAGE_ALL:
        return n;
    case FS_ROLLOUT_STAGE_NONE:
        break;
    }
    return 0;
}

static void fs__rollout_start_stage(fs_rollout_t *r, fs_rollout_stage_t stage, uint64_t now_ms)
{
    char *nodes;
    size_t off = 0;

    r->stage = stage;
    r->stage_size = fs_rollout_stage_nodes_for(stage, r->nmembers);
    r->stage_start = now_ms;
    for (size_t i = 0; i < r->nmembers; i++)
        r->members[i].ok = 0;
    /* The node list only decorates the event; without memory it is left out. */
    nodes = malloc(r->stage_size * (FS_ROLLOUT_NODE_MAX + 1) + 1);
    if (nodes != NULL) {
        nodes[0] = '\0';
        for (size_t i = 0; i < r->stage_size; i++) {
            size_t n = strlen(r->members[i].id);

            if (i > 0)
                nodes[off++] = ',';
            memcpy(nodes + off, r->members[i].id, n + 1);
            off += n;
        }
    }
    fs__rollout_emit(r, FS_ROLLOUT_EV_STAGE, r->target, nodes, NULL, now_ms);
    free(nodes);
}

static void fs__rollout_complete(fs_rollout_t *r, uint64_t now_ms)
{
    r->good = r->target;
    r->state = FS_ROLLOUT_COMPLETE;
    r->stage = FS_ROLLOUT_STAGE_NONE;
    r->stage_size = 0;
    fs__rollout_emit(r, FS_ROLLOUT_EV_COMPLETE, r->target, NULL, NULL, now_ms);
}

static void fs__rollout_roll_back(fs_rollout_t *r, const char *reason, uint64_t now_ms)
{
    r->state = FS_ROLLOUT_ROLLED_BACK;
    r->stage = FS_ROLLOUT_STAGE_NONE;
    r->stage_size = 0;
    fs__rollout_emit(r, FS_ROLLOUT_EV_ROLLED_BACK, r->target, NULL, reason, now_ms);
}

/* Fixes the node set of a rollout: the registered nodes in order, with the
 * configured canary moved to the front when it is one of them. */
static void fs__rollout_snapshot(fs_rollout_t *r)
{
    size_t c = r->nnodes;

    for (size_t i = 0; i < r->nnodes; i++) {
        memcpy(r->members[i].id, r->nodes[i].id, sizeof(r->members[i].id));
        r->members[i].ok = 0;
        if (r->canary[0] != '\0' && strcmp(r->nodes[i].id, r->canary) == 0)
            c = i;
    }
    r->nmembers = r->nnodes;
    if (c < r->nnodes && c > 0) {
        fs__rollout_member_t m = r->members[c];

        memmove(&r->members[1], &r->members[0], c * sizeof(m));
        r->members[0] = m;
    }
}

int fs_rollout_publish(fs_rollout_t *r, uint64_t version, uint64_t now_ms)
{
    if (version == 0 || version <= r->last_published)
        return -EINVAL;
    r->last_published = version;
    r->target = version;
    if (r->mode == FS_ROLLOUT_INSTANT || r->good == 0) {
        /* Instant, or a first version with nothing to fall back to. */
        r->good = version;
        r->state = FS_ROLLOUT_COMPLETE;
        r->stage = FS_ROLLOUT_STAGE_NONE;
        r->stage_size = 0;
        fs__rollout_emit(r, FS_ROLLOUT_EV_PUBLISHED, version, NULL, NULL, now_ms);
        fs__rollout_emit(r, FS_ROLLOUT_EV_COMPLETE, version, NULL, NULL, now_ms);
        return 0;
    }
    r->state = FS_ROLLOUT_BAKING;
    fs__rollout_snapshot(r);
    fs__rollout_emit(r, FS_ROLLOUT_EV_PUBLISHED, version, NULL, NULL, now_ms);
    fs__rollout_start_stage(r, FS_ROLLOUT_STAGE_CANARY, now_ms);
    return 0;
}

int fs_rollout_rollback(fs_rollout_t *r, uint64_t previous, uint64_t now_ms, uint64_t *served)
{
    char reason[96];
    uint64_t withdrawn;

    if (r->state == FS_ROLLOUT_BAKING) {
        snprintf(reason, sizeof(reason), "manual rollback during the %s stage",
                 fs_rollout_stage_name(r->stage));
        r->state = FS_ROLLOUT_ROLLED_BACK;
        r->stage = FS_ROLLOUT_STAGE_NONE;
        r->stage_size = 0;
        fs__rollout_emit(r, FS_ROLLOUT_EV_ROLLBACK, r->target, NULL, reason, now_ms);
        *served = r->good;
        return 0;
    }
    if (r->good == 0 || previous == 0 || previous >= r->good)
        return -EALREADY;
    withdrawn = r->good;
    r->good = previous;
    r->target = withdrawn;
    r->state = FS_ROLLOUT_ROLLED_BACK;
    snprintf(reason, sizeof(reason), "manual rollback from version %llu",
             (unsigned long long)withdrawn);
    fs__rollout_emit(r, FS_ROLLOUT_EV_ROLLBACK, withdrawn, NULL, reason, now_ms);
    *served = r->good;
    return 0;
}

int fs_rollout_health(fs_rollout_t *r, const char *node, uint64_t version, int ok, uint64_t errors,
                      uint64_t now_ms)
{
    char reason[96];
    size_t at, i;
    int found;

    if (!fs_rollout_node_valid(node))
        return -EINVAL;
    at = fs__rollout_find(r, node, &found);
    if (found) {
        fs__rollout_node_t *n = &r->nodes[at];

        n->reported = 1;
        n->version = version;
        n->ok = ok != 0;
        n->errors = errors;
        n->t_ms = now_ms;
    }
    if (r->state != FS_ROLLOUT_BAKING || version != r->target)
        return 0;
    i = fs__rollout_in_stage(r, node);
    if (i == SIZE_MAX)
        return 0;
    if (!ok) {
        snprintf(reason, sizeof(reason), "node %s reported failure", node);
        fs__rollout_roll_back(r, reason, now_ms);
        return 0;
    }
    r->members[i].ok = 1;
    return 0;
}

void fs_rollout_tick(fs_rollout_t *r, uint64_t now_ms)
{
    const char *missing = NULL;
    size_t nmissing = 0;
    char reason[160];

    if (r->state != FS_ROLLOUT_BAKING || now_ms < r->stage_start ||
        now_ms - r->stage_start < r->bake_ms)
        return;
    for (size_t i = 0; i < r->stage_size; i++) {
        if (!r->members[i].ok) {
            if (missing == NULL)
                missing = r->members[i].id;
            nmissing++;
        }
    }
    if (nmissing > 0) {
        if (nmissing == 1)
            snprintf(reason, sizeof(reason), "node %s did not report within %llu ms", missing,
                     (unsigned long long)r->bake_ms);
        else
            snprintf(reason, sizeof(reason), "node %s and %zu more did not report within %llu ms",
                     missing, nmissing - 1, (unsigned long long)r->bake_ms);
        fs__rollout_roll_back(r, reason, now_ms);
        return;
    }
    switch (r->stage) {
    case FS_ROLLOUT_STAGE_CANARY:
        fs__rollout_start_stage(r, FS_ROLLOUT_STAGE_QUARTER, now_ms);
        break;
    case FS_ROLLOUT_STAGE_QUARTER:
        fs__rollout_start_stage(r, FS_ROLLOUT_STAGE_ALL, now_ms);
        break;
    case FS_ROLLOUT_STAGE_ALL:
    case FS_ROLLOUT_STAGE_NONE:
        fs__rollout_complete(r, now_ms);
        break;
    }
}

fs_rollout_mode_t fs_rollout_mode(const fs_rollout_t *r)
{
    return r->mode;
}

fs_rollout_state_t fs_rollout_state(const fs_rollout_t *r)
{
    return r->state;
}

fs_rollout_stage_t fs_rollout_stage(const fs_rollout_t *r)
{
    return r->stage;
}

uint64_t fs_rollout_good(const fs_rollout_t *r)
{
    return r->good;
}

uint64_t fs_rollout_target(const fs_rollout_t *r)
{
    return r->target;
}

size_t fs_rollout_stage_size(const fs_rollout_t *r)
{
    return r->stage_size;
}

const char *fs_rollout_stage_node(const fs_rollout_t *r, size_t i)
{
    return i < r->stage_size ? r->members[i].id : NULL;
}

size_t fs_rollout_node_count(const fs_rollout_t *r)
{
    return r->nnodes;
}

const char *fs_rollout_node(const fs_rollout_t *r, size_t i)
{
    return i < r->nnodes ? r->nodes[i].id : NULL;
}

const char *fs_rollout_mode_name(fs_rollout_mode_t m)
{
    return m == FS_ROLLOUT_STAGED ? "staged" : "instant";
}

const char *fs_rollout_state_name(fs_rollout_state_t s)
{
    switch (s) {
    case FS_ROLLOUT_IDLE:
        return "idle";
    case FS_ROLLOUT_BAKING:
        return "baking";
    case FS_ROLLOUT_COMPLETE:
        return "complete";
    case FS_ROLLOUT_ROLLED_BACK:
        return "rolled_back";
    }
    return "unknown";
}

const char *fs_rollout_stage_name(fs_rollout_stage_t s)
{
    switch (s) {
    case FS_ROLLOUT_STAGE_CANARY:
        return "canary";
    case FS_ROLLOUT_STAGE_QUARTER:
        return "25%";
    case FS_ROLLOUT_STAGE_ALL:
        return "100%";
    case FS_ROLLOUT_STAGE_NONE:
        break;
    }
    return NULL;
}

const char *fs_rollout_event_name(fs_rollout_event_kind_t k)
{
    switch (k) {
    case FS_ROLLOUT_EV_PUBLISHED:
        return "published";
    case FS_ROLLOUT_EV_STAGE:
        return "stage";
    case FS_ROLLOUT_EV_COMPLETE:
        return "complete";
    case FS_ROLLOUT_EV_ROLLED_BACK:
        return "rolled_back";
    case FS_ROLLOUT_EV_ROLLBACK:
        return "rollback";
    }
    return "unknown";
}

int fs_rollout_json(const fs_rollout_t *r, cJSON *obj)
{
    const char *stage = fs_rollout_stage_name(r->stage);
    cJSON *stage_nodes, *nodes, *health, *h;

    if (!cJSON_AddStringToObject(obj, "mode", fs_rollout_mode_name(r->mode)) ||
        !cJSON_AddStringToObject(obj, "state", fs_rollout_state_name(r->state)) ||
        !cJSON_AddNumberToObject(obj, "good_version", (double)r->good) ||
        !cJSON_AddNumberToObject(obj, "target_version", (double)r->target) ||
        !(stage ? cJSON_AddStringToObject(obj, "stage", stage)
                : cJSON_AddNullToObject(obj, "stage")))
        return -ENOMEM;
    if ((stage_nodes = cJSON_AddArrayToObject(obj, "stage_nodes")) == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < r->stage_size; i++)
        if (!cJSON_AddItemToArray(stage_nodes, cJSON_CreateString(r->members[i].id)))
            return -ENOMEM;
    if ((nodes = cJSON_AddArrayToObject(obj, "nodes")) == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < r->nnodes; i++)
        if (!cJSON_AddItemToArray(nodes, cJSON_CreateString(r->nodes[i].id)))
            return -ENOMEM;
    if (!cJSON_AddNumberToObject(obj, "bake_ms", (double)r->bake_ms) ||
        (health = cJSON_AddObjectToObject(obj, "health")) == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < r->nnodes; i++) {
        const fs__rollout_node_t *n = &r->nodes[i];

        if (!n->reported)
            continue;
        if ((h = cJSON_AddObjectToObject(health, n->id)) == NULL ||
            !cJSON_AddNumberToObject(h, "version", (double)n->version) ||
            !cJSON_AddBoolToObject(h, "ok", n->ok) ||
            !cJSON_AddNumberToObject(h, "errors", (double)n->errors) ||
            !cJSON_AddNumberToObject(h, "t_ms", (double)n->t_ms))
            return -ENOMEM;
    }
    return 0;
}
