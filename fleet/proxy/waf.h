/* The proxy's WAF: the `waf/rules` file and its evaluation on a request
 * path, including the killswitch and the old engine's nil `execute` bug of
 * 2025-12-05. Pure: no I/O, no clock, no global state. */
#ifndef FS_WAF_H
#define FS_WAF_H

#include <stddef.h>
#include <stdint.h>

#define FS_WAF_MAX_BYTES (1u << 20) /* a rules file over 1 MiB is rejected */
#define FS_WAF_MAX_RULES 1000
#define FS_WAF_MAX_ID    64   /* bytes in a rule id */
#define FS_WAF_MAX_PATH  1024 /* bytes in a path_prefix */

typedef enum { FS_WAF_ENGINE_NEW, FS_WAF_ENGINE_OLD } fs_waf_engine_t;

typedef enum { FS_WAF_ACTION_BLOCK, FS_WAF_ACTION_LOG } fs_waf_action_t;

typedef enum {
    FS_WAF_PASS,  /* no rule matched */
    FS_WAF_LOG,   /* a `log` rule matched (and no `block` rule did) */
    FS_WAF_BLOCK, /* a `block` rule matched */
} fs_waf_verdict_t;

typedef struct {
    fs_waf_verdict_t verdict;
    const char *rule; /* id of the first matching rule, NULL on PASS; owned by the rules */
} fs_waf_result_t;

typedef struct fs_waf_rules_s fs_waf_rules_t;

/* Parses and validates a rules file (`{"version":N,"rules":[…],"killswitch":[…]}`;
 * unknown fields ignored, a killswitch naming an unknown rule is a no-op).
 * On success *out is owned by the caller (fs_waf_rules_free). Returns 0,
 * -ENODATA (empty), -E2BIG (over FS_WAF_MAX_BYTES) or -EINVAL, with err
 * naming the JSON path or line:column. */
int fs_waf_rules_parse(const char *buf, size_t len, fs_waf_rules_t **out, char *err, size_t errlen);

void fs_waf_rules_free(fs_waf_rules_t *r);

size_t fs_waf_rules_count(const fs_waf_rules_t *r);

/* Rules the killswitch actually skips (ids present in the rules). */
size_t fs_waf_rules_killed(const fs_waf_rules_t *r);

/* The file's own "version" field (0 when absent). */
uint64_t fs_waf_rules_version(const fs_waf_rules_t *r);

/* Evaluates rules (NULL = no rules loaded: PASS) against a request path.
 * Killswitched rules are skipped; on the old engine without nil_guard the
 * post-processing pass then indexes the skipped rule's nil `execute` and the
 * whole evaluation fails: returns -EFAULT with the engine's error message in
 * err. Otherwise returns 0 and fills *out. */
int fs_waf_eval(const fs_waf_rules_t *r, fs_waf_engine_t engine, int nil_guard, const char *path,
                fs_waf_result_t *out, char *err, size_t errlen);

const char *fs_waf_engine_name(fs_waf_engine_t e);

#endif
