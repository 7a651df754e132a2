/* The scenario's accessors: everything the run reads. */
#include <errno.h>
#include <string.h>

#include "scenario_int.h"

const char *fs_scenario_file(const fs_scenario_t *s)
{
    return s->file;
}

const char *fs_scenario_name(const fs_scenario_t *s)
{
    return s->name;
}

const char *fs_scenario_title(const fs_scenario_t *s)
{
    return s->title;
}

const char *fs_scenario_description(const fs_scenario_t *s)
{
    return s->description;
}

size_t fs_scenario_reference_count(const fs_scenario_t *s)
{
    return s->nrefs;
}

const char *fs_scenario_reference(const fs_scenario_t *s, size_t i)
{
    return i < s->nrefs ? s->refs[i] : NULL;
}

uint64_t fs_scenario_seed(const fs_scenario_t *s)
{
    return s->seed;
}

double fs_scenario_time_scale(const fs_scenario_t *s)
{
    return s->time_scale;
}

uint64_t fs_scenario_duration_ms(const fs_scenario_t *s)
{
    return s->duration_ms;
}

const fs_scenario_fleet_t *fs_scenario_fleet(const fs_scenario_t *s)
{
    return &s->fleet;
}

const fs_knobs_t *fs_scenario_knobs(const fs_scenario_t *s)
{
    return s->knobs;
}

const fs_scenario_load_t *fs_scenario_load_cfg(const fs_scenario_t *s)
{
    return &s->load;
}

const fs_slo_t *fs_scenario_slo(const fs_scenario_t *s)
{
    return &s->slo;
}

size_t fs_scenario_posture_count(const fs_scenario_t *s)
{
    return s->npostures;
}

fs_posture_t fs_scenario_posture(const fs_scenario_t *s, size_t i)
{
    return s->postures[i < s->npostures ? i : 0];
}

int fs_scenario_runs_posture(const fs_scenario_t *s, fs_posture_t p)
{
    for (size_t i = 0; i < s->npostures; i++) {
        if (s->postures[i] == p)
            return 1;
    }
    return 0;
}

size_t fs_scenario_fault_count(const fs_scenario_t *s)
{
    return s->nfaults;
}

const fs_scenario_fault_t *fs_scenario_fault(const fs_scenario_t *s, size_t i)
{
    return i < s->nfaults ? &s->faults[i] : NULL;
}

void fs_scenario_fault_window(const fs_scenario_t *s, uint64_t *start_ms, uint64_t *end_ms)
{
    uint64_t start = UINT64_MAX, end = 0;

    for (size_t i = 0; i < s->nfaults; i++) {
        const fs_scenario_fault_t *f = &s->faults[i];

        if (f->at_ms < start)
            start = f->at_ms;
        if (f->at_ms + f->for_ms > end)
            end = f->at_ms + f->for_ms;
    }
    *start_ms = s->nfaults ? start : 0;
    *end_ms = end;
}

void fs_scenario_fault_ifaces(const fs_scenario_t *s, size_t i, uint8_t faulted[FS_IF_COUNT])
{
    if (i < s->nfaults && s->faults[i].ops->faults)
        s->faults[i].ops->faults(s->faults[i].state, faulted);
}

const fs_scenario_expect_t *fs_scenario_expect(const fs_scenario_t *s, fs_posture_t p)
{
    return &s->expect[(unsigned)p < FS_POSTURE_COUNT ? p : 0];
}

size_t fs_scenario_abort_count(const fs_scenario_t *s)
{
    return s->nabort;
}

const fs_guard_cond_t *fs_scenario_abort(const fs_scenario_t *s, size_t i)
{
    return i < s->nabort ? &s->abort_if[i] : NULL;
}
