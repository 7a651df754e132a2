/* dependency.outage at run time: the same link fault on every link into
 * the service, from every caller at once (the service is gone for all of
 * them, unlike link.* which names one interface); revert removes exactly
 * the faults added here. */
#include "inj_dependency.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "link.h"

static const fs_link_fault_type_t fs__dep_types[] = {
    [FS_INJ_OUTAGE_REFUSED] = FS_LINK_DOWN,
    [FS_INJ_OUTAGE_BLACKHOLE] = FS_LINK_BLACKHOLE,
    [FS_INJ_OUTAGE_EMPTY] = FS_LINK_EMPTY,
};

/* Every link into svc, interface by interface, into out (room for
 * FS_INJ_DEP_MAX_LINKS, which the topology never exceeds); returns how
 * many. */
static size_t fs__dep_links(fs_inj_env_t *env, fs_svc_t svc, fs_link_t **out)
{
    size_t n = 0;

    for (int i = 0; i < FS_IF_COUNT; i++) {
        fs_target_t t = {.kind = FS_TARGET_IFACE, .iface = (fs_iface_t)i};

        if (fs_iface_to((fs_iface_t)i) == svc && !fs_iface_is_entry((fs_iface_t)i))
            n += fs_inj_env_links(env, &t, out + n, FS_INJ_DEP_MAX_LINKS - n);
    }
    return n;
}

int fs__inj_dependency_apply(void *state, fs_inj_env_t *env, char *err, size_t errlen)
{
    fs_inj_dependency_t *d = state;
    fs_link_fault_t f = {0};
    size_t n;
    int rc;

    if (d->nids != 0) {
        snprintf(err, errlen, "already applied");
        return -EALREADY;
    }
    if ((unsigned)d->mode > FS_INJ_OUTAGE_EMPTY) {
        snprintf(err, errlen, "unknown mode %d", (int)d->mode);
        return -EINVAL;
    }
    if ((n = fs__dep_links(env, d->svc, d->links)) == 0) {
        snprintf(err, errlen, "no link into %s in this fleet", fs_svc_name(d->svc));
        return -ENOENT;
    }
    f.type = fs__dep_types[d->mode];
    f.probability = 1;
    for (size_t i = 0; i < n; i++) {
        if ((rc = fs_link_add_fault(d->links[i], &f, &d->ids[i])) < 0) {
            snprintf(err, errlen, "%s: %s", fs_link_name(d->links[i]), strerror(-rc));
            /* A service is gone for all its callers or for none. */
            for (size_t j = 0; j < i; j++)
                fs_link_remove_fault(d->links[j], d->ids[j]);
            return rc;
        }
    }
    d->nids = n;
    return 0;
}

int fs__inj_dependency_revert(void *state, fs_inj_env_t *env, char *err, size_t errlen)
{
    fs_inj_dependency_t *d = state;
    fs_link_t *now[FS_INJ_DEP_MAX_LINKS];
    size_t n = fs__dep_links(env, d->svc, now), removed = 0;
    int rc = 0;

    /* Only links the run still has: one it closed meanwhile took its
     * faults with it, and its pointer must not be followed. */
    for (size_t i = 0; i < d->nids; i++) {
        for (size_t j = 0; j < n; j++) {
            if (now[j] != d->links[i])
                continue;
            if (fs_link_remove_fault(now[j], d->ids[i]) == 0)
                removed++;
            break;
        }
    }
    if (removed != d->nids) {
        rc = -ENOENT;
        snprintf(err, errlen, "%zu of %zu faults already gone", d->nids - removed, d->nids);
    }
    d->nids = 0;
    return rc;
}
