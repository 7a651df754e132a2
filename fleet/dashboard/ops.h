/* The pure half of the operator actions: checking what an operator asks for
 * and editing the WAF rules blob for a killswitch. No I/O; dashboard.c does
 * the configstore calls. */
#ifndef FS_OPS_H
#define FS_OPS_H

#include <stddef.h>

#define FS_OPS_RULE_MAX 128
#define FS_OPS_KEY_MAX  128

/* Parses a killswitch body {"rule":"id"} (1..FS_OPS_RULE_MAX bytes) into
 * rule. Returns 0, -E2BIG (body too large) or -EINVAL with err naming the
 * JSON path. */
int fs_ops_parse_rule(const char *body, size_t len, char rule[FS_OPS_RULE_MAX + 1], char *err,
                      size_t errlen);

/* 1 when key matches configstore's [A-Za-z0-9._/-]{1,128}, else 0. */
int fs_ops_key_valid(const char *key);

/* Adds rule to the "killswitch" array of the WAF rules blob (creating the
 * array when absent). On success *out is the new blob (free with
 * cJSON_free), or NULL with *changed 0 when the rule was already listed.
 * Returns 0, -EINVAL with err saying what is wrong with the stored blob
 * ("$.killswitch: expected an array"), or -ENOMEM. */
int fs_ops_killswitch_add(const char *blob, size_t len, const char *rule, char **out, int *changed,
                          char *err, size_t errlen);

#endif
