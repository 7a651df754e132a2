/* The fleet's shape as tables: which services exist, who calls whom, and
 * which instance pairs carry traffic. Everything that names a part of the
 * fleet in a scenario goes through here. */
#include "topology.h"

#include "jfield.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const fs__svc_names[FS_SVC_COUNT] = {
    [FS_SVC_CLIENT] = "client",
    [FS_SVC_USER] = "user",
    [FS_SVC_PROXY] = "proxy",
    [FS_SVC_BOTMOD] = "botmod",
    [FS_SVC_CONFIGSTORE] = "configstore",
    [FS_SVC_DASHBOARD] = "dashboard",
    [FS_SVC_ORIGIN] = "origin",
};

static const struct {
    fs_svc_t from, to;
} fs__ifaces[FS_IF_COUNT] = {
    [FS_IF_CLIENT_PROXY] = {FS_SVC_CLIENT, FS_SVC_PROXY},
    [FS_IF_USER_DASHBOARD] = {FS_SVC_USER, FS_SVC_DASHBOARD},
    [FS_IF_PROXY_BOTMOD] = {FS_SVC_PROXY, FS_SVC_BOTMOD},
    [FS_IF_PROXY_ORIGIN] = {FS_SVC_PROXY, FS_SVC_ORIGIN},
    [FS_IF_PROXY_CONFIGSTORE] = {FS_SVC_PROXY, FS_SVC_CONFIGSTORE},
    [FS_IF_BOTMOD_CONFIGSTORE] = {FS_SVC_BOTMOD, FS_SVC_CONFIGSTORE},
    [FS_IF_DASHBOARD_BOTMOD] = {FS_SVC_DASHBOARD, FS_SVC_BOTMOD},
    [FS_IF_DASHBOARD_CONFIGSTORE] = {FS_SVC_DASHBOARD, FS_SVC_CONFIGSTORE},
};

static const char *const fs__iface_names[FS_IF_COUNT] = {
    [FS_IF_CLIENT_PROXY] = "client->proxy",
    [FS_IF_USER_DASHBOARD] = "user->dashboard",
    [FS_IF_PROXY_BOTMOD] = "proxy->botmod",
    [FS_IF_PROXY_ORIGIN] = "proxy->origin",
    [FS_IF_PROXY_CONFIGSTORE] = "proxy->configstore",
    [FS_IF_BOTMOD_CONFIGSTORE] = "botmod->configstore",
    [FS_IF_DASHBOARD_BOTMOD] = "dashboard->botmod",
    [FS_IF_DASHBOARD_CONFIGSTORE] = "dashboard->configstore",
};

const char *fs_svc_name(fs_svc_t svc)
{
    return (unsigned)svc < FS_SVC_COUNT ? fs__svc_names[svc] : "?";
}

int fs_svc_parse(const char *name, fs_svc_t *out)
{
    for (int i = 0; name && i < FS_SVC_COUNT; i++) {
        if (strcmp(name, fs__svc_names[i]) == 0) {
            *out = (fs_svc_t)i;
            return 0;
        }
    }
    return -ENOENT;
}

int fs_svc_instances(fs_svc_t svc, unsigned nodes)
{
    switch (svc) {
    case FS_SVC_PROXY:
    case FS_SVC_BOTMOD:
        return (int)nodes;
    case FS_SVC_CONFIGSTORE:
    case FS_SVC_DASHBOARD:
    case FS_SVC_ORIGIN:
        return 1;
    default:
        return 0;
    }
}

int fs_svc_is_process(fs_svc_t svc)
{
    return fs_svc_instances(svc, 1) > 0;
}

const char *fs_iface_name(fs_iface_t iface)
{
    return (unsigned)iface < FS_IF_COUNT ? fs__iface_names[iface] : "?";
}

int fs_iface_parse(const char *name, fs_iface_t *out)
{
    for (int i = 0; name && i < FS_IF_COUNT; i++) {
        if (strcmp(name, fs__iface_names[i]) == 0) {
            *out = (fs_iface_t)i;
            return 0;
        }
    }
    return -ENOENT;
}

fs_svc_t fs_iface_from(fs_iface_t iface)
{
    return fs__ifaces[iface].from;
}

fs_svc_t fs_iface_to(fs_iface_t iface)
{
    return fs__ifaces[iface].to;
}

int fs_iface_is_entry(fs_iface_t iface)
{
    return iface == FS_IF_CLIENT_PROXY || iface == FS_IF_USER_DASHBOARD;
}

/* Entry interfaces have no caller process: their "caller index" is the
 * load generator's stream, one per callee instance (client i -> proxy i). */
int fs_iface_links(fs_iface_t iface, unsigned nodes, int *from, int *to)
{
    fs_svc_t a, b;
    int na, nb, n;

    if ((unsigned)iface >= FS_IF_COUNT)
        return 0;
    if (nodes > FS_MAX_NODES)
        nodes = FS_MAX_NODES;
    a = fs_iface_from(iface);
    b = fs_iface_to(iface);
    na = fs_svc_instances(a, nodes);
    nb = fs_svc_instances(b, nodes);
    if (na == 0) /* entry: one stream per callee instance */
        na = nb;
    /* One link per caller instance: a per-node caller calls its own node's
     * instance of a per-node callee, and every caller calls instance 0 of a
     * central callee (a central caller calls botmod[0]). */
    n = nb == 0 ? 0 : na;
    for (int i = 0; i < n; i++) {
        from[i] = i;
        to[i] = na == nb ? i : 0;
    }
    return n;
}

/* Splits "name" or "name[i]" (s..e) into a service and an index (-1 when
 * absent). Returns 0, or -EINVAL with err filled. */
static int fs__topo_part(const char *text, const char *s, const char *e, fs_svc_t *svc, int *index,
                         char *err, size_t errlen)
{
    char name[24], q[48];
    const char *br = memchr(s, '[', (size_t)(e - s));
    size_t nlen = (size_t)((br ? br : e) - s);
    int idx = -1;

    fs_jfield_quote(text, q, sizeof(q));
    if (br) {
        const char *p = br + 1;

        if (e[-1] != ']' || p == e - 1)
            goto syntax;
        if (*p == '0' && p + 1 != e - 1)
            goto syntax; /* no leading zeros: "botmod[01]" */
        idx = 0;
        for (; p < e - 1; p++) {
            if (*p < '0' || *p > '9' || idx > 9999)
                goto syntax;
            idx = idx * 10 + (*p - '0');
        }
    }
    if (nlen == 0 || nlen >= sizeof(name))
        goto unknown;
    memcpy(name, s, nlen);
    name[nlen] = '\0';
    if (fs_svc_parse(name, svc) < 0)
        goto unknown;
    *index = idx;
    return 0;

syntax:
    snprintf(err, errlen,
             "\"%s\": not a target (write botmod, botmod[2], proxy->botmod or "
             "proxy[1]->botmod[1])",
             q);
    return -EINVAL;
unknown:
    snprintf(err, errlen,
             "\"%s\": unknown service (proxy, botmod, configstore, dashboard, origin, client, "
             "user)",
             q);
    return -EINVAL;
}

static int fs__topo_index(const char *q, fs_svc_t svc, int index, unsigned nodes, char *err,
                          size_t errlen)
{
    int n = fs_svc_instances(svc, nodes);

    if (index < n)
        return 0;
    if (n == 0)
        snprintf(err, errlen, "\"%s\": %s is the load generator and has no instances", q,
                 fs_svc_name(svc));
    else if (n == 1)
        snprintf(err, errlen, "\"%s\": there is one %s, %s[0]", q, fs_svc_name(svc),
                 fs_svc_name(svc));
    else
        snprintf(err, errlen, "\"%s\": the fleet has %u nodes (%s[0]..%s[%u])", q, nodes,
                 fs_svc_name(svc), fs_svc_name(svc), nodes - 1);
    return -EINVAL;
}

static int fs__topo_iface(fs_svc_t a, fs_svc_t b, fs_iface_t *out)
{
    for (int i = 0; i < FS_IF_COUNT; i++) {
        if (fs__ifaces[i].from == a && fs__ifaces[i].to == b) {
            *out = (fs_iface_t)i;
            return 0;
        }
    }
    return -ENOENT;
}

/* Whether text names a host or an address rather than a part of the
 * fleet: service names hold no '.', ':' or '/' and start with a letter.
 * Scenarios never carry addresses, so a run cannot be pointed anywhere
 * but at the processes it starts. */
static int fs__topo_address(const char *text)
{
    const char *part = text;

    if (strpbrk(text, ".:/@") != NULL || strcmp(text, "localhost") == 0)
        return 1;
    for (const char *p = text; *p; p++) {
        if (p == part && *p >= '0' && *p <= '9')
            return 1;
        if (p[0] == '-' && p[1] == '>')
            part = p + 2;
    }
    return 0;
}

int fs_target_parse(const char *text, unsigned nodes, fs_target_t *out, char *err, size_t errlen)
{
    char q[48];
    const char *arrow;
    fs_svc_t a, b;
    int ia, ib, rc;

    if (text == NULL || *text == '\0') {
        snprintf(err, errlen, "empty target");
        return -EINVAL;
    }
    fs_jfield_quote(text, q, sizeof(q));
    if (fs__topo_address(text)) {
        snprintf(err, errlen,
                 "\"%s\": looks like an address; a target names a service or an interface "
                 "(botmod, proxy->botmod): the harness starts every service on 127.0.0.1 itself",
                 q);
        return -EINVAL;
    }
    memset(out, 0, sizeof(*out));
    arrow = strstr(text, "->");
    if (arrow == NULL) {
        rc = fs__topo_part(text, text, text + strlen(text), &a, &ia, err, errlen);
        if (rc < 0)
            return rc;
        out->svc = a;
        out->index = ia;
        out->kind = ia < 0 ? FS_TARGET_SERVICE : FS_TARGET_INSTANCE;
        return ia < 0 ? 0 : fs__topo_index(q, a, ia, nodes, err, errlen);
    }
    rc = fs__topo_part(text, text, arrow, &a, &ia, err, errlen);
    if (rc == 0)
        rc = fs__topo_part(text, arrow + 2, arrow + 2 + strlen(arrow + 2), &b, &ib, err, errlen);
    if (rc < 0)
        return rc;
    if (fs__topo_iface(a, b, &out->iface) < 0) {
        snprintf(err, errlen,
                 "\"%s\": unknown interface (client->proxy, user->dashboard, proxy->botmod, "
                 "proxy->origin, proxy->configstore, botmod->configstore, dashboard->botmod, "
                 "dashboard->configstore)",
                 q);
        return -EINVAL;
    }
    if (ia < 0 && ib < 0) {
        out->kind = FS_TARGET_IFACE;
        return 0;
    }
    if (ia < 0 || ib < 0) {
        snprintf(err, errlen, "\"%s\": name both instances (proxy[1]->botmod[1]) or neither", q);
        return -EINVAL;
    }
    if (fs_svc_is_process(a) && fs__topo_index(q, a, ia, nodes, err, errlen) < 0)
        return -EINVAL;
    if (fs__topo_index(q, b, ib, nodes, err, errlen) < 0)
        return -EINVAL;
    {
        int from[FS_MAX_NODES], to[FS_MAX_NODES];
        int n = fs_iface_links(out->iface, nodes, from, to);

        for (int i = 0; i < n; i++) {
            if (from[i] == ia && to[i] == ib) {
                out->kind = FS_TARGET_LINK;
                out->from = ia;
                out->to = ib;
                return 0;
            }
        }
        if (ia >= n) /* only a load generator stream can be past the links */
            snprintf(err, errlen, "\"%s\": there are %d %s streams (%s[0]..%s[%d])", q, n,
                     fs_svc_name(a), fs_svc_name(a), fs_svc_name(a), n - 1);
        else
            snprintf(err, errlen, "\"%s\": carries no traffic (%s[%d] calls %s[%d])", q,
                     fs_svc_name(a), ia, fs_svc_name(b), to[ia]);
    }
    return -EINVAL;
}

const char *fs_target_format(const fs_target_t *t, char *buf, size_t len)
{
    switch (t->kind) {
    case FS_TARGET_SERVICE:
        snprintf(buf, len, "%s", fs_svc_name(t->svc));
        break;
    case FS_TARGET_INSTANCE:
        snprintf(buf, len, "%s[%d]", fs_svc_name(t->svc), t->index);
        break;
    case FS_TARGET_IFACE:
        snprintf(buf, len, "%s", fs_iface_name(t->iface));
        break;
    case FS_TARGET_LINK:
        snprintf(buf, len, "%s[%d]->%s[%d]", fs_svc_name(fs_iface_from(t->iface)), t->from,
                 fs_svc_name(fs_iface_to(t->iface)), t->to);
        break;
    default:
        snprintf(buf, len, "?");
    }
    return buf;
}
