/* The config files the harness publishes: the fleet's good baseline and
 * every bad variant the config.* faults need, generated deterministically so
 * the same scenario publishes the same bytes. */
#ifndef FS_CONFIGGEN_H
#define FS_CONFIGGEN_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include <stdint.h>

/* The real bot signals the fleet scores with (ua:curl, lang:missing, ...)
 * followed by filler features up to n rows, each row copies times (2: the
 * 2025-11-18 duplicate-rows mechanism). malloc'd into *out. 0 or -ENOMEM. */
int fs_configgen_features(unsigned n, unsigned copies, char **out, size_t *len);

/* The length of what fs_configgen_features(n, copies) makes, without
 * making it: a scenario can ask for a million rows, and the loader checks
 * the file against the cap on published configs before anything runs. */
uint64_t fs_configgen_features_size(uint64_t n, unsigned copies);

/* good with a "padding" field that brings it to at least bytes bytes
 * (readers ignore unknown fields: only the size is wrong). 0 or -ENOMEM. */
int fs_configgen_padded(const char *good, size_t good_len, size_t bytes, char **out, size_t *len);

/* The baseline WAF rules; with killswitch non-NULL, that rule id is listed
 * in "killswitch". 0 or -ENOMEM. */
int fs_configgen_waf(const char *killswitch, char **out, size_t *len);

/* The tokens every request carries, whoever sends it: the proxy scores
 * GETs, the dashboard's challenge POSTs (docs/PROTOCOL.md, scoring). */
#define FS_CONFIGGEN_POISON_NAMES                                                                  \
    {                                                                                              \
        "method:GET", "method:POST"                                                                \
    }
#define FS_CONFIGGEN_POISON_COUNT 2

/* A bot feature file that every loader accepts and that is wrong all the
 * same: good (a feature file) with its last FS_CONFIGGEN_POISON_COUNT rows
 * replaced by the poison names at weight 1 (added where good has fewer
 * rows), so it has as many rows as good (at least 2), the right types, and
 * every request scores 0, as a certain bot. malloc'd into *out. 0, -EINVAL
 * when good is not a feature file, or -ENOMEM. */
/* doc as compact JSON text in a malloc'd, NUL-terminated *out (plain
 * free(), like every generated file), its length in *len. 0 or -ENOMEM. */
int fs_configgen_print(const cJSON *doc, char **out, size_t *len);

int fs_configgen_poisoned(const char *good, size_t good_len, char **out, size_t *len);

/* Corruptions of a good file, each malloc'd into *out:
 * malformed: not JSON at all; wrong_type: JSON with the wrong types
 * ("features" a string, weights strings); truncated: the first at_byte
 * bytes of good (at_byte 0 = half). 0 or -ENOMEM. */
int fs_configgen_malformed(char **out, size_t *len);
int fs_configgen_wrong_type(const char *key, char **out, size_t *len);
int fs_configgen_truncated(const char *good, size_t good_len, size_t at_byte, char **out,
                           size_t *len);

#endif
