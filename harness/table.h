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

#endif
