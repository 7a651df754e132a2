/* The run's timeline: every fault applied or reverted, every restart,
 * rollout stage and rollback, stamped in run time (ms since load began). */
#ifndef FS_TIMELINE_H
#define FS_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t t_ms; /* run time; negative = during fleet start-up */
    char *kind;   /* "fault.apply", "process.exit", "rollout.rolled_back", ... */
    char *source; /* "botmod[2]", "configstore", "faults[0]" */
    char *what;   /* one human line */
} fs_event_t;

typedef struct fs_timeline_s fs_timeline_t;

int fs_timeline_new(fs_timeline_t **out); /* 0 or -ENOMEM */
void fs_timeline_free(fs_timeline_t *t);

/* Appends an event (strings copied). Events may arrive out of order (the
 * configstore's are fetched later); fs_timeline_at() returns them sorted by
 * time, ties in arrival order. Returns 0 or -ENOMEM. */
int fs_timeline_add(fs_timeline_t *t, int64_t t_ms, const char *kind, const char *source,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Adds delta_ms to every event so far: events stamped before run time 0
 * was known are moved onto the run's clock. */
void fs_timeline_shift(fs_timeline_t *t, int64_t delta_ms);

size_t fs_timeline_len(const fs_timeline_t *t);
const fs_event_t *fs_timeline_at(fs_timeline_t *t, size_t i);

#endif
