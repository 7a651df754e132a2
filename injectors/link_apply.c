/* link.* at run time: one fault on every link the target names, through
 * the link's own hooks; revert removes exactly those. */
#include "inj_link.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "link.h"

static const fs_link_fault_type_t fs__link_types[] = {
    [FS_INJ_LINK_DOWN] = FS_LINK_DOWN,
    [FS_INJ_LINK_BLACKHOLE] = FS_LINK_BLACKHOLE,
    [FS_INJ_LINK_LATENCY] = FS_LINK_LATENCY,
    [FS_INJ_LINK_RESET] = FS_LINK_RESET,
    [FS_INJ_LINK_HTTP_ERROR] = FS_LINK_HTTP_ERROR,
    [FS_INJ_LINK_BANDWIDTH] = FS_LINK_BANDWIDTH,
};

static const unsigned fs__link_dirs[] = {
    [FS_INJ_DIR_REQUEST] = FS_LINK_DIR_REQUEST,
    [FS_INJ_DIR_RESPONSE] = FS_LINK_DIR_RESPONSE,
    [FS_INJ_DIR_BOTH] = FS_LINK_DIR_BOTH,
};

int fs__inj_link_apply(void *state, fs_inj_env_t *env, char *err, size_t errlen)
{
    fs_inj_link_t *l = state;
    fs_link_t *links[sizeof(l->ids) / sizeof(l->ids[0])];
    fs_link_fault_t f = {0};
    size_t n;
    int rc;

    if (l->nids != 0) {
        snprintf(err, errlen, "already applied");
        return -EALREADY;
    }
    /* The link reads probability 0 as "always"; a scenario's 0 means never. */
    if (l->probability <= 0)
        return 0;
    f.type = fs__link_types[l->kind];
    f.probability = l->probability;
    f.direction = fs__link_dirs[l->direction];
    f.ms = l->ms;
    f.jitter_ms = l->jitter_ms;
    f.status = l->status;
    f.bytes_per_s = l->bytes_per_s;
    n = fs_inj_env_links(env, &l->target, links, sizeof(links) / sizeof(links[0]));
    if (n == 0) {
        snprintf(err, errlen, "no link carries that interface in this fleet");
        return -ENOENT;
    }
    for (size_t i = 0; i < n; i++) {
        if ((rc = fs_link_add_fault(links[i], &f, &l->ids[i])) < 0) {
            snprintf(err, errlen, "%s: %s", fs_link_name(links[i]), strerror(-rc));
            /* Take back what was added: a fault acts on all its links or none. */
            for (size_t j = 0; j < i; j++)
                fs_link_remove_fault(links[j], l->ids[j]);
            return rc;
        }
    }
    l->nids = n;
    return 0;
}

int fs__inj_link_revert(void *state, fs_inj_env_t *env, char *err, size_t errlen)
{
    fs_inj_link_t *l = state;
    fs_link_t *links[sizeof(l->ids) / sizeof(l->ids[0])];
    size_t n = fs_inj_env_links(env, &l->target, links, sizeof(links) / sizeof(links[0]));
    int rc = 0;

    for (size_t i = 0; i < l->nids && i < n; i++) {
        if (fs_link_remove_fault(links[i], l->ids[i]) < 0 && rc == 0) {
            rc = -ENOENT;
            snprintf(err, errlen, "%s: fault already gone", fs_link_name(links[i]));
        }
    }
    l->nids = 0;
    return rc;
}
