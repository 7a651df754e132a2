/* Inside a run: shared by run.c (lifecycle), run_fleet.c (processes and
 * links), run_env.c (what injectors may do) and run_judge.c (verdicts,
 * expectations, results). */
#ifndef FS_RUN_INT_H
#define FS_RUN_INT_H

#include <limits.h>
#include <stdint.h>
#include <sys/socket.h>

#include "fs_http.h"
#include "guard.h"
#include "link.h"
#include "load.h"
#include "run.h"
#include "series.h"
#include "supervisor.h"
#include "timeline.h"

#define FS_RUN_MAX_PROCS    (2 * FS_MAX_NODES + 3)
#define FS_RUN_MAX_LINKS    (4 * FS_MAX_NODES + 2)
#define FS_RUN_MAX_VERSIONS 64  /* distinct config versions remembered per node and key */
#define FS_RUN_MAX_BAD      256 /* bad config versions remembered per key */

typedef enum { FS_RUN_KEY_FEATURES, FS_RUN_KEY_WAF, FS_RUN_KEYS } fs_run_key_t;

typedef enum {
    FS_RUN_STARTING,  /* fleet starting, baselines being published */
    FS_RUN_MEASURING, /* load and faults */
    FS_RUN_DRAINING,  /* load stopped, last answers coming in */
    FS_RUN_STOPPING,  /* fleet stopping */
    FS_RUN_DONE
} fs_run_phase_t;

typedef struct {
    fs_svc_t svc;
    int index;
    char name[32]; /* "botmod[2]" */
    struct sockaddr_storage addr;
    char fifo[PATH_MAX]; /* libfiu remote-control base */
    fs_proc_t *proc;
} fs_run_proc_t;

typedef struct {
    fs_run_t *run;
    fs_iface_t iface;
    int from, to;
    char name[64];
    fs_series_t *series;
    fs_link_t *link;
    int key; /* fs_run_key_t this link carries config polls for, or -1 */
    /* versions of that key the caller was served */
    uint64_t served[FS_RUN_MAX_VERSIONS];
    unsigned nserved;
} fs_run_link_t;

typedef struct {
    uv_timer_t apply, revert;
    int active;  /* applied and not yet reverted */
    int applied; /* applied at least once */
} fs_run_fault_t;

struct fs_inj_env_s {
    fs_run_t *run;
};

struct fs_run_s {
    uv_loop_t *loop;
    const fs_scenario_t *sc;
    fs_posture_t posture;
    char out_dir[PATH_MAX / 2]; /* leaves room for the file names inside */
    char bin_dir[PATH_MAX / 2];
    fs_janitor_t *janitor; /* NULL: none */
    char results_path[PATH_MAX];
    fs_run_done_cb done_cb;
    void *data;
    unsigned nodes;
    uint64_t seed;
    fs_run_phase_t phase;
    fs_run_status_t status;
    int aborted; /* fs_run_abort() (Ctrl-C) */
    int tripped; /* a stop condition of $.abort_if */
    char abort_reason[192];
    char error[512];

    fs_run_proc_t procs[FS_RUN_MAX_PROCS];
    size_t nprocs;
    fs_sup_t *sup;
    fs_run_link_t links[FS_RUN_MAX_LINKS];
    size_t nlinks;
    fs_series_t *client_series[FS_MAX_NODES]; /* client->proxy[i], by the load */
    fs_series_t *user_series;                 /* user->dashboard */
    fs_series_t *iface_series[FS_IF_COUNT];   /* links added up, at the end */
    fs_load_t *load;
    fs_timeline_t *timeline;
    fs_inj_env_t env;

    fs_http_client_t *cs; /* the harness's own line to configstore (no link) */
    char *baseline[FS_RUN_KEYS];
    size_t baseline_len[FS_RUN_KEYS];
    uint64_t bad[FS_RUN_KEYS][FS_RUN_MAX_BAD];
    unsigned nbad[FS_RUN_KEYS];
    int config_faults; /* the scenario publishes configs: bad_config_share applies */
    uint64_t events_next;
    int events_busy;

    uint64_t t0_ns;         /* run time 0, when the load starts */
    uint64_t wall_start_ns; /* fs_run_start */
    uint64_t wall_ms;
    uint64_t started_unix_ms;
    uv_timer_t tick;   /* phase timeouts and polls */
    uv_timer_t finish; /* end of the scenario's duration */
    uint64_t phase_deadline_ns;
    int waiting;   /* a probe is in flight */
    int published; /* baselines acknowledged, then keys seen applied everywhere */
    int judged;
    fs_run_fault_t *faults;
    size_t nfaults;
    size_t handles;    /* timers still to close */
    fs_guard_t *guard; /* NULL: no $.abort_if */
    uv_timer_t guard_timer;

    fs_verdict_result_t verdict;
    int has_verdict;
    fs_results_expect_t expect[FS_IF_COUNT + 8];
    size_t nexpect;
};

/* run_fleet.c */
int fs__run_fleet_prepare(fs_run_t *r, char *err, size_t errlen);
int fs__run_fleet_spawn(fs_run_t *r, char *err, size_t errlen);
void fs__run_fleet_set_t0(fs_run_t *r);
void fs__run_fleet_close(fs_run_t *r);
const char *fs__run_key_name(fs_run_key_t k);

/* run_env.c */
void fs__run_mark_bad(fs_run_t *r, fs_run_key_t key, uint64_t version);
int fs__run_publish(fs_run_t *r, fs_run_key_t key, const char *blob, size_t len,
                    fs_http_client_cb cb, void *data);
int64_t fs__run_now_ms(const fs_run_t *r);

/* run.c: the harness itself could not go on: note why and wind down. */
void fs__run_fail(fs_run_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* run.c: every node on the baselines: the load starts, faults are armed. */
void fs__run_begin(fs_run_t *r);

/* run_start.c: the supervisor's ready callback; publishes the baselines
 * and waits until every node applied them. */
void fs__run_ready_cb(fs_sup_t *sup, int status, const char *err, void *data);

/* run.c: a stop condition tripped: revert every fault, stop the load,
 * judge what was measured. */
void fs__run_trip(fs_run_t *r, const char *reason);

/* run_guard.c: the guard of $.abort_if (none without) and its timer, and
 * starting it at the first fault. */
int fs__run_guard_new(fs_run_t *r);
void fs__run_guard_start(fs_run_t *r);

/* run_judge.c */
int fs__run_judge(fs_run_t *r);
int fs__run_write_results(fs_run_t *r);

#endif
