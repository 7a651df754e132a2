/* The two postures every part of failsmall speaks of: legacy (how the
 * fleet behaved during the 2025 incidents) and hardened (fail-small
 * contracts). One definition for the fleet's flags and the harness's
 * scenarios alike. */
#ifndef FS_POSTURE_H
#define FS_POSTURE_H

typedef enum { FS_POSTURE_LEGACY, FS_POSTURE_HARDENED, FS_POSTURE_COUNT } fs_posture_t;

const char *fs_posture_name(fs_posture_t p);               /* "legacy", "hardened" */
int fs_posture_parse(const char *name, fs_posture_t *out); /* 0 or -ENOENT */

#endif
