/* The janitor cleans up after a harness that cannot. A harness killed with
 * SIGKILL takes its fleet with it (PR_SET_PDEATHSIG, harness/fs-exec.c),
 * but libfiu's control fifos and a half-written temporary file would stay
 * on disk. The janitor is one small process, forked before anything else
 * starts, that outlives the harness by a few milliseconds to remove them.
 *
 * It learns what to sweep over a pipe only the harness holds
 * (close-on-exec), and knows the harness is gone when that pipe reads EOF,
 * however it died. It then waits, at most FS_JANITOR_WAIT_MS, for the
 * fleet: every fleet process inherits the write end of a second pipe, the
 * lifeline (fs_sup_set_lifeline()), so EOF there means the last of them
 * has exited and nothing can create a fifo any more. Then it sweeps and
 * exits. It never signals anything, and ignores the terminal's signals:
 * a Ctrl-C is the harness's to handle. */
#ifndef FS_JANITOR_H
#define FS_JANITOR_H

#include <stddef.h>

/* Bounds the janitor's wait for the fleet, so that it is gone within a
 * second of the harness whatever the fleet does. */
#define FS_JANITOR_WAIT_MS 800

typedef struct fs_janitor_s fs_janitor_t;

/* Forks the janitor. Call before any thread exists (before the loop has
 * run anything). Returns 0, or a negative errno code (pipe2, fork, ENOMEM)
 * with err saying which. */
int fs_janitor_start(fs_janitor_t **out, char *err, size_t errlen);

/* The lifeline's write end, for every fleet process to inherit. */
int fs_janitor_lifeline(const fs_janitor_t *j);

/* The janitor's pid, for tests. */
int fs_janitor_pid(const fs_janitor_t *j);

/* What to sweep once the harness is gone: the fifos in dir (and dir once
 * empty, fs_privdir_sweep()), or the temporary files fs_atomic_write()
 * leaves in dir and its subdirectories down to depth levels
 * (fs_atomic_sweep()). Paths are taken as given: the janitor has the
 * harness's working directory. Returns 0, -ENAMETOOLONG, or the negative
 * errno of writing to a janitor that is gone (-EPIPE). */
int fs_janitor_watch_fifos(fs_janitor_t *j, const char *dir);
int fs_janitor_watch_temps(fs_janitor_t *j, const char *dir, int depth);

/* The harness is done: closes both pipes, so that the janitor sweeps (the
 * fleet must be down by now) and exits, and reaps it. NULL is a no-op. */
void fs_janitor_close(fs_janitor_t *j);

#endif
