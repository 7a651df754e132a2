/* Capped, rotated logs fed from a pipe. The pipe's read end is
 * non-blocking and watched with a uv_poll_t (level-triggered), so a tick
 * reads a bounded amount and leaves the rest for the next one: timers and
 * every other handle keep their turn however fast the process writes. */
#include "logcap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs_log.h"

typedef struct {
    uv_poll_t poll;
    fs_logcap_t *lc;
    int fd;
    fs_logcap_closed_cb closed_cb;
    void *data;
} fs__logcap_reader_t;

struct fs_logcap_s {
    char *path, *old; /* NAME.log, NAME.log.1 */
    char name[160];   /* quoted for logfmt */
    int fd;
    uint64_t size, cap;
    uint64_t fresh; /* size right after the last rotation: its line only */
    unsigned rotations;
    int midline; /* the last byte in the file is not a newline */
    fs__logcap_reader_t *reader;
};

int fs_logcap_open(const char *path, const char *name, uint64_t cap_bytes, fs_logcap_t **out)
{
    fs_logcap_t *lc = NULL;
    struct stat st;
    int rc = -ENOMEM;

    if (path == NULL || name == NULL || out == NULL ||
        (cap_bytes != 0 && cap_bytes < FS_LOGCAP_MIN_BYTES))
        return -EINVAL;
    if ((lc = calloc(1, sizeof(*lc))) == NULL)
        goto fail;
    lc->fd = -1;
    lc->cap = cap_bytes ? cap_bytes : FS_LOGCAP_DEFAULT_BYTES;
    if ((lc->path = strdup(path)) == NULL || asprintf(&lc->old, "%s.1", path) < 0) {
        lc->old = NULL;
        goto fail;
    }
    fs_log_quote(lc->name, sizeof(lc->name), name);
    /* O_RDWR only to read the last byte back below. */
    lc->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (lc->fd < 0 || fstat(lc->fd, &st) < 0) {
        rc = -errno;
        goto fail;
    }
    /* An earlier run's log is appended to: it counts against the cap. */
    lc->size = (uint64_t)st.st_size;
    if (st.st_size > 0) {
        char last = '\n';

        if (pread(lc->fd, &last, 1, st.st_size - 1) == 1)
            lc->midline = last != '\n';
    }
    *out = lc;
    return 0;

fail:
    fs_logcap_close(lc);
    return rc;
}

/* write(2) all of it; the number of bytes that made it. */
static size_t fs__logcap_put(fs_logcap_t *lc, const char *p, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = write(lc->fd, p + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* a full disk must not stop the fleet: the rest is lost */
        done += (size_t)n;
    }
    lc->size += done;
    if (done > 0)
        lc->midline = p[done - 1] != '\n';
    return done;
}

static void fs__logcap_line(fs_logcap_t *lc, const char *level, const char *event, const char *fmt,
                            va_list ap, char *line, size_t len, size_t *n)
{
    char ts[32];
    struct timespec now;
    struct tm tm;
    int k;

    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    k = snprintf(line, len, "ts=%s.%03ldZ svc=failsmall level=%s event=%s proc=%s ", ts,
                 now.tv_nsec / 1000000L, level, event, lc->name);
    if (k < 0 || (size_t)k >= len - 1) {
        *n = 0;
        return;
    }
    vsnprintf(line + k, len - (size_t)k - 1, fmt, ap);
    *n = strlen(line);
    line[(*n)++] = '\n';
}

/* A harness line straight into the file, past the cap check: only the
 * rotation line, which FS_LOGCAP_MIN_BYTES has room for. */
static void fs__logcap_note(fs_logcap_t *lc, const char *level, const char *event, const char *fmt,
                            ...) __attribute__((format(printf, 4, 5)));

static void fs__logcap_note(fs_logcap_t *lc, const char *level, const char *event, const char *fmt,
                            ...)
{
    char line[512];
    size_t n;
    va_list ap;

    va_start(ap, fmt);
    fs__logcap_line(lc, level, event, fmt, ap, line, sizeof(line), &n);
    va_end(ap);
    fs__logcap_put(lc, line, n);
}

/* NAME.log → NAME.log.1, a new NAME.log that starts with the rotation line.
 * When either step fails the current file is truncated instead: the cap
 * holds whatever happens. */
static void fs__logcap_rotate(fs_logcap_t *lc)
{
    const char *base = strrchr(lc->old, '/');
    int fd = -1;

    if (rename(lc->path, lc->old) == 0)
        fd = open(lc->path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        close(lc->fd);
        lc->fd = fd;
    } else if (ftruncate(lc->fd, 0) < 0) {
        /* Nothing more can be done: writes go on and fail or not. */
    }
    lc->size = 0;
    lc->midline = 0;
    lc->rotations++;
    fs__logcap_note(lc, "warn", "log_rotated", "cap_bytes=%llu rotation=%u previous=%s",
                    (unsigned long long)lc->cap, lc->rotations,
                    fd < 0 ? "none"
                    : base ? base + 1
                           : lc->old);
    lc->fresh = lc->size;
}

void fs_logcap_write(fs_logcap_t *lc, const void *buf, size_t len)
{
    const char *p = buf;

    while (lc != NULL && len > 0) {
        uint64_t room = lc->cap > lc->size ? lc->cap - lc->size : 0;
        size_t k = len;

        if (k > room) {
            /* Cut after the last whole line that fits; a fresh file takes
             * what fits of a line longer than the cap, or nothing would
             * ever be written. */
            const char *nl = room ? memrchr(p, '\n', (size_t)room) : NULL;

            k = nl ? (size_t)(nl - p) + 1 : lc->size <= lc->fresh ? (size_t)room : 0;
        }
        if (k > 0 && fs__logcap_put(lc, p, k) < k)
            return;
        p += k;
        len -= k;
        if (len > 0)
            fs__logcap_rotate(lc);
    }
}

void fs_logcap_event(fs_logcap_t *lc, const char *level, const char *event, const char *fmt,
                     va_list ap)
{
    char line[1024];
    size_t n;

    if (lc == NULL)
        return;
    fs__logcap_line(lc, level, event, fmt, ap, line + 1, sizeof(line) - 1, &n);
    if (n == 0)
        return;
    /* After a process's last, unfinished line: ours starts a new one. */
    if (lc->midline) {
        line[0] = '\n';
        fs_logcap_write(lc, line, n + 1);
    } else {
        fs_logcap_write(lc, line + 1, n);
    }
}

/* ---- the pipe ---- */

/* Reads at most max times; stops polling at EOF or on an error (every
 * writer is gone, or nothing more can come). */
static void fs__logcap_read(fs__logcap_reader_t *r, unsigned max)
{
    char buf[FS_LOGCAP_READ_BYTES];

    for (unsigned i = 0; i < max; i++) {
        ssize_t n = read(r->fd, buf, sizeof(buf));

        if (n > 0) {
            fs_logcap_write(r->lc, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        uv_poll_stop(&r->poll);
        return;
    }
}

static void fs__logcap_poll_cb(uv_poll_t *h, int status, int events)
{
    fs__logcap_reader_t *r = h->data;

    (void)events;
    if (status < 0) {
        uv_poll_stop(h);
        return;
    }
    fs__logcap_read(r, FS_LOGCAP_TICK_READS);
}

static void fs__logcap_free_cb(uv_handle_t *h)
{
    free(h->data);
}

int fs_logcap_pipe(fs_logcap_t *lc, uv_loop_t *loop, int *child_fd)
{
    fs__logcap_reader_t *r = NULL;
    int fds[2] = {-1, -1}, rc;

    if (lc == NULL || loop == NULL || child_fd == NULL)
        return -EINVAL;
    if (lc->reader != NULL)
        return -EBUSY;
    if ((r = calloc(1, sizeof(*r))) == NULL)
        return -ENOMEM;
    /* Both ends close-on-exec: the spawn dup2()s the write end onto the
     * child's 1 and 2, and no other child inherits either. Only the read
     * end is non-blocking: the process's writes block when the harness
     * falls behind, they do not fail. */
    if (pipe2(fds, O_CLOEXEC) < 0 || fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
        rc = -errno;
        goto fail;
    }
    if ((rc = uv_poll_init(loop, &r->poll, fds[0])) < 0)
        goto fail;
    r->poll.data = r;
    r->lc = lc;
    r->fd = fds[0];
    if ((rc = uv_poll_start(&r->poll, UV_READABLE, fs__logcap_poll_cb)) < 0) {
        /* Initialised: it must be closed, and the fd only after that. */
        uv_close((uv_handle_t *)&r->poll, fs__logcap_free_cb);
        close(fds[0]);
        close(fds[1]);
        return rc;
    }
    lc->reader = r;
    *child_fd = fds[1];
    return 0;

fail:
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    free(r);
    return rc;
}

static void fs__logcap_closed_cb(uv_handle_t *h)
{
    fs__logcap_reader_t *r = h->data;
    fs_logcap_closed_cb cb = r->closed_cb;
    void *data = r->data;

    close(r->fd);
    free(r);
    if (cb != NULL)
        cb(data);
}

int fs_logcap_unpipe(fs_logcap_t *lc, fs_logcap_closed_cb closed_cb, void *data)
{
    fs__logcap_reader_t *r = lc ? lc->reader : NULL;

    if (r == NULL)
        return 0;
    fs__logcap_read(r, FS_LOGCAP_DRAIN_READS);
    lc->reader = NULL;
    r->closed_cb = closed_cb;
    r->data = data;
    uv_close((uv_handle_t *)&r->poll, fs__logcap_closed_cb);
    return 1;
}

unsigned fs_logcap_rotations(const fs_logcap_t *lc)
{
    return lc->rotations;
}

uint64_t fs_logcap_size(const fs_logcap_t *lc)
{
    return lc->size;
}

void fs_logcap_close(fs_logcap_t *lc)
{
    if (lc == NULL)
        return;
    if (lc->fd >= 0)
        close(lc->fd);
    free(lc->path);
    free(lc->old);
    free(lc);
}
