/* The verdict table printed after a scenario ran: interfaces as rows,
 * postures as columns, each verdict marked against its expectation. */
#ifndef FS_TABLE_H
#define FS_TABLE_H

#include <stdio.h>

#include "run.h"
#include "scenario.h"

/* Prints the table for the runs of one scenario (one per posture, in the
 * order run). colour: ANSI colours (only for a terminal without NO_COLOR). */
void fs_table_print(FILE *out, const fs_scenario_t *sc, fs_run_t *const *runs,
                    const fs_posture_t *postures, size_t nruns, int colour);

/* One posture's column as plain data: what fs_table_print reads from a run,
 * so the layout can be built (and tested) without a fleet. */
typedef struct {
    const char *posture;
    const fs_verdict_result_t *verdict; /* NULL: the run made none */
    const fs_results_expect_t *expect;  /* the checked expectations */
    size_t nexpect;
    int observed[FS_IF_COUNT]; /* the interface had traffic to watch */
    const char *error;         /* the harness could not run it: why; NULL otherwise */
    const char *interrupted;   /* Ctrl-C or SIGTERM: why; NULL otherwise */
    const char *stopped;       /* a stop condition ended it: why; NULL otherwise */
} fs_table_col_t;

/* fs_table_print's core: the table for the named scenario, one column each. */
void fs__table_print_cols(FILE *out, const char *name, const char *title,
                          const fs_table_col_t *cols, size_t ncols, int colour);

#endif
