/* One posture of one scenario, end to end: start the fleet behind the
 * harness's links, publish the baseline configs, drive the load, apply and
 * revert the faults on schedule, then judge every interface and write
 * DIR/results.json. Everything happens on the caller's loop. */
#ifndef FS_RUN_H
#define FS_RUN_H

#include <stddef.h>
#include <uv.h>

#include "janitor.h"
#include "results.h"
#include "scenario.h"
#include "verdict.h"

typedef struct fs_run_s fs_run_t;

typedef struct {
    const fs_scenario_t *scenario;
    fs_posture_t posture;
    const char *out_dir; /* this posture's folder: results.json, logs/, fiu/ */
    const char *bin_dir; /* where fs-proxy, fs-botmod, ... and fs-exec are */
    /* Told about the fifo directory, its lifeline inherited by the fleet,
     * so that nothing is left if the harness is killed; may be NULL. */
    fs_janitor_t *janitor;
} fs_run_config_t;

/* How a run ended. */
typedef enum {
    FS_RUN_PASSED, /* completed, every expectation held */
    FS_RUN_FAILED, /* completed, some expectation did not hold */
    FS_RUN_ERROR,  /* the harness could not run it (fleet did not start, ...) */
    FS_RUN_ABORTED /* fs_run_abort(): partial results */
} fs_run_status_t;

/* Called once, from the loop, when the fleet is stopped and results are
 * written (or could not be). */
typedef void (*fs_run_done_cb)(fs_run_t *run, void *data);

/* Starts the run. Returns 0 (done_cb will fire) or a negative code with err
 * filled (it will not). */
int fs_run_start(uv_loop_t *loop, const fs_run_config_t *cfg, fs_run_done_cb done_cb, void *data,
                 fs_run_t **out, char *err, size_t errlen);

/* Ends the run early (Ctrl-C): faults reverted, fleet stopped, results
 * written with status "aborted". Safe to call more than once. */
void fs_run_abort(fs_run_t *run, const char *reason);

fs_run_status_t fs_run_status(const fs_run_t *run);
const char *fs_run_error(const fs_run_t *run); /* why FS_RUN_ERROR, or "" */
/* Why the run ended early: fs_run_abort()'s reason or, when a stop
 * condition ($.abort_if) tripped, "abort_if[0]: blast radius ..."; NULL
 * when it did not. */
const char *fs_run_abort_reason(const fs_run_t *run);
int fs_run_tripped(const fs_run_t *run); /* a stop condition ended it */
const char *fs_run_results_path(const fs_run_t *run);
const fs_verdict_result_t *fs_run_verdict(const fs_run_t *run); /* NULL when none */
int fs_run_observed(const fs_run_t *run, fs_iface_t iface);     /* iface had traffic to watch */
size_t fs_run_expect_count(const fs_run_t *run);
const fs_results_expect_t *fs_run_expect(const fs_run_t *run, size_t i);
uint64_t fs_run_wall_ms(const fs_run_t *run);

/* Frees a finished run (after done_cb). */
void fs_run_free(fs_run_t *run);

#endif
