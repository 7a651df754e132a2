/* Applying feature files under each posture, and scoring with whatever
 * that left in place. */
#include "scorer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fiu.h>

typedef enum {
    FS__SCORER_EMPTY,    /* legacy, nothing loaded yet */
    FS__SCORER_DEFAULTS, /* hardened, nothing loaded yet */
    FS__SCORER_FILE,
} fs__scorer_source_t;

struct fs_scorer_s {
    fs_scorer_config_t cfg;
    fs_log_t log0; /* stderr, when the caller gives no log */
    char *key;
    fs__scorer_source_t source;
    int zero;
    uint64_t version;
    /* The preallocated table: a fixed array inside the struct that no file
     * can grow. */
    fs_features_t table;
};

const char *fs_scorer_on_bad_name(fs_scorer_on_bad_t m)
{
    switch (m) {
    case FS_SCORER_PANIC:
        return "panic";
    case FS_SCORER_ZERO:
        return "zero";
    case FS_SCORER_REJECT:
        return "reject";
    }
    return "unknown";
}

int fs_scorer_new(const fs_scorer_config_t *cfg, fs_scorer_t **out)
{
    fs_scorer_t *s;

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    s->cfg = *cfg;
    s->key = strdup(cfg->key ? cfg->key : "bot/features");
    if (s->key == NULL) {
        free(s);
        return -ENOMEM;
    }
    s->cfg.key = s->key;
    if (s->cfg.log == NULL) {
        s->log0.service = "botmod";
        s->log0.min_level = FS_LOG_INFO;
        s->cfg.log = &s->log0;
    }
    fs_features_init(&s->table);
    s->source = FS__SCORER_EMPTY;
    /* The defaults are a constant and pass the loader; a failure here is a
     * programming error the empty table survives. */
    if (cfg->defaults && fs_features_defaults(&s->table) == 0)
        s->source = FS__SCORER_DEFAULTS;
    fs_metric_set(s->cfg.version, 0);
    *out = s;
    return 0;
}

void fs_scorer_free(fs_scorer_t *s)
{
    if (s == NULL)
        return;
    free(s->key);
    free(s);
}

int fs_scorer_apply(fs_scorer_t *s, uint64_t version, const char *blob, size_t len)
{
    char err[256], reason[300];
    int rc;

    if (fiu_fail("botmod/config/load")) {
        snprintf(err, sizeof(err), "injected failure (botmod/config/load)");
        rc = -EIO;
    } else {
        /* Leaves the table untouched on any error. */
        rc = fs_features_load(&s->table, blob, len, err, sizeof(err));
    }
    if (rc == 0) {
        s->source = FS__SCORER_FILE;
        s->zero = 0;
        s->version = version;
        fs_metric_set(s->cfg.version, (double)version);
        fs_log(s->cfg.log, FS_LOG_INFO, "features_loaded",
               "key=%s version=%" PRIu64 " features=%zu", s->key, version, s->table.count);
        return 0;
    }
    fs_log_quote(reason, sizeof(reason), err);
    switch (s->cfg.on_bad) {
    case FS_SCORER_PANIC:
        /* What an unwrap() on the load result does: the whole process goes,
         * and the supervisor sees SIGABRT. */
        fs_log(s->cfg.log, FS_LOG_ERROR, "panic", "reason=%s key=%s version=%" PRIu64, reason,
               s->key, version);
        abort();
    case FS_SCORER_ZERO:
        /* The old engine took the bad file: the node runs on it and every
         * score reads 0 until a good file replaces it. */
        s->zero = 1;
        s->version = version;
        fs_metric_set(s->cfg.version, (double)version);
        fs_log(s->cfg.log, FS_LOG_ERROR, "config_load_failed",
               "key=%s version=%" PRIu64 " reason=%s mode=zero", s->key, version, reason);
        return rc;
    case FS_SCORER_REJECT:
        break;
    }
    fs_metric_add(s->cfg.rejected, 1);
    fs_log(s->cfg.log, FS_LOG_WARN, "config_rejected",
           "key=%s version=%" PRIu64 " reason=%s kept=%" PRIu64, s->key, version, reason,
           s->version);
    return rc;
}

int fs_scorer_score(fs_scorer_t *s, const fs_score_req_t *r, uint64_t *version)
{
    *version = s->version;
    if (s->zero)
        return 0;
    if (s->source == FS__SCORER_DEFAULTS)
        fs_metric_add(s->cfg.fallback, 1);
    return fs_score(&s->table, r);
}

uint64_t fs_scorer_version(const fs_scorer_t *s)
{
    return s->version;
}

int fs_scorer_zeroed(const fs_scorer_t *s)
{
    return s->zero;
}
