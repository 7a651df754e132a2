/* The fleet's shape: services, their instances, and the interfaces between
 * them, as scenarios name them ("botmod", "botmod[2]", "proxy->botmod",
 * "proxy[1]->botmod[1]"). Pure: no I/O, no state. */
#ifndef FS_TOPOLOGY_H
#define FS_TOPOLOGY_H

#include <stddef.h>

#define FS_MAX_NODES 64

/* client and user are the load generator's two faces: they have no process
 * but are the callers of the entry interfaces. */
typedef enum {
    FS_SVC_CLIENT,
    FS_SVC_USER,
    FS_SVC_PROXY,
    FS_SVC_BOTMOD,
    FS_SVC_CONFIGSTORE,
    FS_SVC_DASHBOARD,
    FS_SVC_ORIGIN,
    FS_SVC_COUNT
} fs_svc_t;

/* Service-pair interfaces, callers before callees. */
typedef enum {
    FS_IF_CLIENT_PROXY,
    FS_IF_USER_DASHBOARD,
    FS_IF_PROXY_BOTMOD,
    FS_IF_PROXY_ORIGIN,
    FS_IF_PROXY_CONFIGSTORE,
    FS_IF_BOTMOD_CONFIGSTORE,
    FS_IF_DASHBOARD_BOTMOD,
    FS_IF_DASHBOARD_CONFIGSTORE,
    FS_IF_COUNT
} fs_iface_t;

const char *fs_svc_name(fs_svc_t svc);
int fs_svc_parse(const char *name, fs_svc_t *out); /* 0 or -ENOENT */

/* 1 for a process-backed service that is not per node, nodes for proxy and
 * botmod, 0 for client and user. */
int fs_svc_instances(fs_svc_t svc, unsigned nodes);

/* Whether the service runs as fleet processes (not client/user). */
int fs_svc_is_process(fs_svc_t svc);

const char *fs_iface_name(fs_iface_t iface);           /* "proxy->botmod" */
int fs_iface_parse(const char *name, fs_iface_t *out); /* 0 or -ENOENT */
fs_svc_t fs_iface_from(fs_iface_t iface);
fs_svc_t fs_iface_to(fs_iface_t iface);
int fs_iface_is_entry(fs_iface_t iface); /* client->proxy, user->dashboard */

/* The instance pairs of an interface that carry traffic, one link each:
 * proxy[i]->botmod[i] (each node's proxy calls its own bot module),
 * proxy[i]->origin[0], dashboard[0]->botmod[0], ... Fills from/to (arrays
 * of at least FS_MAX_NODES) and returns the count. */
int fs_iface_links(fs_iface_t iface, unsigned nodes, int *from, int *to);

typedef enum {
    FS_TARGET_SERVICE,  /* "botmod": every instance */
    FS_TARGET_INSTANCE, /* "botmod[2]" */
    FS_TARGET_IFACE,    /* "proxy->botmod": every link of it */
    FS_TARGET_LINK      /* "proxy[1]->botmod[1]" */
} fs_target_kind_t;

typedef struct {
    fs_target_kind_t kind;
    fs_svc_t svc;     /* SERVICE, INSTANCE */
    int index;        /* INSTANCE */
    fs_iface_t iface; /* IFACE, LINK */
    int from, to;     /* LINK: instance indexes */
} fs_target_t;

/* Parses a target for a fleet of nodes edge nodes. Errors (-EINVAL) name
 * what is wrong: unknown service, index out of range ("botmod[7]: the fleet
 * has 4 nodes"), unknown interface, or a link that carries no traffic. */
int fs_target_parse(const char *text, unsigned nodes, fs_target_t *out, char *err, size_t errlen);

/* Formats t back into the scenario's notation. */
const char *fs_target_format(const fs_target_t *t, char *buf, size_t len);

#endif
