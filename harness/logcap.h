/* A fleet process's log: its stdout and stderr, read by the harness from a
 * pipe in the event loop, and the supervisor's own lines, in one file that
 * never grows past a cap. A process that floods its output can then neither
 * fill the disk nor stall the harness: reading never blocks, one loop tick
 * reads at most FS_LOGCAP_TICK_BYTES, and a process whose reader falls
 * behind blocks in its own write(), not the harness.
 *
 * Rotation: when the next bytes would take NAME.log past the cap, it is
 * renamed to NAME.log.1 (replacing the previous one) and a new NAME.log
 * starts with a `event=log_rotated` line; so at most two files of at most
 * cap bytes each. Lines are cut at the last newline that fits; only a
 * single line longer than the cap is split. Should the rename fail, the log
 * is truncated in place instead; data that cannot be written (a full disk)
 * is dropped. Single-threaded, on the loop's thread. */
#ifndef FS_LOGCAP_H
#define FS_LOGCAP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define FS_LOGCAP_DEFAULT_BYTES (8u << 20) /* per file: NAME.log and NAME.log.1 */
#define FS_LOGCAP_MIN_BYTES     4096       /* room for the rotation line and more */
#define FS_LOGCAP_READ_BYTES    65536      /* one read(2) from the pipe */
#define FS_LOGCAP_TICK_READS    4          /* reads per loop tick: FS_LOGCAP_TICK_BYTES */
#define FS_LOGCAP_TICK_BYTES    (FS_LOGCAP_TICK_READS * FS_LOGCAP_READ_BYTES)
#define FS_LOGCAP_DRAIN_READS   16 /* at most this many reads when the process is gone */

typedef struct fs_logcap_s fs_logcap_t;

typedef void (*fs_logcap_closed_cb)(void *data);

/* Opens (creates 0644, appends to) path for the process called name.
 * cap_bytes 0 takes FS_LOGCAP_DEFAULT_BYTES. Returns 0, -EINVAL (cap below
 * FS_LOGCAP_MIN_BYTES), -ENOMEM or the negative errno of open(2). */
int fs_logcap_open(const char *path, const char *name, uint64_t cap_bytes, fs_logcap_t **out);

/* One harness line, `ts=... svc=failsmall level=LEVEL event=EVENT proc=NAME `
 * and the formatted rest, always on a line of its own. */
void fs_logcap_event(fs_logcap_t *lc, const char *level, const char *event, const char *fmt,
                     va_list ap);

/* Bytes as they come, within the cap. */
void fs_logcap_write(fs_logcap_t *lc, const void *buf, size_t len);

/* A fresh pipe for the next incarnation: *child_fd is the write end for its
 * stdout and stderr (close it once spawned), the read end is watched on
 * loop. Returns 0, -EBUSY (the previous one is still open) or a negative
 * errno / libuv code. */
int fs_logcap_pipe(fs_logcap_t *lc, uv_loop_t *loop, int *child_fd);

/* The incarnation is gone: reads what is left in the pipe (at most
 * FS_LOGCAP_DRAIN_READS reads: a stray child may still be writing), then
 * closes it; closed_cb(data) runs from the loop once the handle is closed.
 * Returns 1 when a close is under way, 0 when no pipe was open (no
 * callback then). */
int fs_logcap_unpipe(fs_logcap_t *lc, fs_logcap_closed_cb closed_cb, void *data);

/* Rotations so far, and the current file's size. */
unsigned fs_logcap_rotations(const fs_logcap_t *lc);
uint64_t fs_logcap_size(const fs_logcap_t *lc);

/* Closes the file; the pipe must be closed (fs_logcap_unpipe, callback
 * run). NULL is fine. */
void fs_logcap_close(fs_logcap_t *lc);

#endif
