/* The bot feature file (`bot/features`) and the table it loads into. The
 * table is a fixed array of FS_FEATURES_MAX entries that is never grown: a
 * file with more rows is refused before a single row is copied, which is
 * the limit whose violation started the 2025-11-18 incident. */
#ifndef FS_FEATURES_H
#define FS_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#define FS_FEATURES_MAX       200
#define FS_FEATURES_NAME_MAX  64         /* bytes, excluding the NUL */
#define FS_FEATURES_MAX_BYTES (4u << 20) /* larger files are refused unparsed */

typedef struct {
    char name[FS_FEATURES_NAME_MAX + 1];
    double weight; /* finite, in [-1, 1] */
} fs_feature_t;

typedef struct {
    uint64_t version; /* the file's own "version" field (0 when absent) */
    size_t count;     /* rows in use, 0..FS_FEATURES_MAX */
    fs_feature_t features[FS_FEATURES_MAX];
} fs_features_t;

/* Makes t an empty table (no features, version 0). */
void fs_features_init(fs_features_t *t);

/* Replaces t with the feature file in buf[0..len) (docs/PROTOCOL.md, botmod).
 * Returns 0; -ENODATA for an empty body; -E2BIG for a body over
 * FS_FEATURES_MAX_BYTES or more than FS_FEATURES_MAX features; -EINVAL for
 * a syntax error ("line L column C") or a wrong type or value (the JSON
 * path, "$.features[3].weight: expected a number"). On any error t is left
 * exactly as it was and err holds the message. Duplicate names are kept. */
int fs_features_load(fs_features_t *t, const char *buf, size_t len, char *err, size_t errlen);

/* Replaces t with the built-in defaults (docs/PROTOCOL.md), passed through
 * fs_features_load so they obey the same rules as a file. Returns 0. */
int fs_features_defaults(fs_features_t *t);

#endif
