/* The janitor: see janitor.h. The child side is plain POSIX, no libuv: it
 * is forked before the loop runs and must not share anything with it. */
#include "janitor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "privdir.h"

/* One registration is one write(): below PIPE_BUF it is never interleaved
 * or cut, so the janitor reads whole lines. */
#define FS_JANITOR_LINE_MAX 4096

struct fs_janitor_s {
    pid_t pid;
    int control;  /* write end: our registrations; EOF tells the janitor we are gone */
    int lifeline; /* write end, inherited by the fleet; EOF: the fleet is gone too */
};

typedef struct {
    char **lines; /* "fifos DIR" or "temps DEPTH DIR" */
    size_t n, cap;
} fs__janitor_todo_t;

static long long fs__janitor_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fs__janitor_keep(fs__janitor_todo_t *t, const char *line)
{
    char *copy;

    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **p = realloc(t->lines, cap * sizeof(*p));
        if (p == NULL)
            return; /* not swept: the next run in that folder sweeps it */
        t->lines = p;
        t->cap = cap;
    }
    if ((copy = strdup(line)) != NULL)
        t->lines[t->n++] = copy;
}

static void fs__janitor_sweep(const fs__janitor_todo_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const char *l = t->lines[i];
        char *end;
        long depth;

        if (strncmp(l, "fifos ", 6) == 0) {
            fs_privdir_sweep(l + 6);
        } else if (strncmp(l, "temps ", 6) == 0) {
            depth = strtol(l + 6, &end, 10);
            if (*end == ' ' && depth >= 0 && depth <= 16)
                fs_atomic_sweep(end + 1, (int)depth);
        }
    }
}

/* Everything inherited but the two read ends goes: above all the write
 * ends of our own pipes, or EOF would never come. */
static void fs__janitor_close_fds(int keep1, int keep2)
{
    int null = open("/dev/null", O_RDWR);
    DIR *d;
    struct dirent *de;

    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO)
            close(null);
    }
    if ((d = opendir("/proc/self/fd")) == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        int fd = atoi(de->d_name);
        if (de->d_name[0] >= '0' && de->d_name[0] <= '9' && fd > STDERR_FILENO && fd != keep1 &&
            fd != keep2 && fd != dirfd(d))
            close(fd);
    }
    closedir(d);
}

static void fs__janitor_main(int control, int lifeline, const sigset_t *mask)
{
    fs__janitor_todo_t todo = {0};
    char buf[FS_JANITOR_LINE_MAX * 2];
    size_t have = 0;
    long long deadline;

    /* Its own session: a kill of the harness's process group (a CI job's
     * timeout, a terminal's ^C) must leave the janitor to do its work. */
    setsid();
    prctl(PR_SET_NAME, "fs-janitor");
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    sigprocmask(SIG_SETMASK, mask, NULL); /* what came in between is ignored now */
    fs__janitor_close_fds(control, lifeline);

    for (;;) {
        ssize_t n = read(control, buf + have, sizeof(buf) - 1 - have);
        char *nl;

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* the harness is gone, however it went */
        have += (size_t)n;
        buf[have] = '\0';
        while ((nl = memchr(buf, '\n', have)) != NULL) {
            *nl = '\0';
            fs__janitor_keep(&todo, buf);
            have -= (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, have);
        }
        if (have == sizeof(buf) - 1)
            have = 0; /* no line is this long: drop it */
    }

    deadline = fs__janitor_now_ms() + FS_JANITOR_WAIT_MS;
    for (;;) {
        struct pollfd p = {.fd = lifeline, .events = POLLIN};
        long long left = deadline - fs__janitor_now_ms();
        char c;

        if (left <= 0)
            break;
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
            break;
        if (p.revents && read(lifeline, &c, 1) <= 0)
            break; /* EOF: the last fleet process has exited */
    }
    fs__janitor_sweep(&todo);
    for (size_t i = 0; i < todo.n; i++)
        free(todo.lines[i]);
    free(todo.lines);
    _exit(0);
}

int fs_janitor_start(fs_janitor_t **out, char *err, size_t errlen)
{
    fs_janitor_t *j = calloc(1, sizeof(*j));
    int control[2] = {-1, -1}, lifeline[2] = {-1, -1}, rc;
    sigset_t block, old;

    if (j == NULL) {
        snprintf(err, errlen, "janitor: out of memory");
        return -ENOMEM;
    }
    if (pipe2(control, O_CLOEXEC) < 0 || pipe2(lifeline, O_CLOEXEC) < 0) {
        rc = -errno;
        snprintf(err, errlen, "janitor: pipe: %s", strerror(-rc));
        goto fail;
    }
    /* A ^C between fork and the janitor's SIG_IGN must not kill it. */
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGQUIT);
    sigprocmask(SIG_BLOCK, &block, &old);
    if ((j->pid = fork()) == 0)
        fs__janitor_main(control[0], lifeline[0], &old); /* never returns */
    rc = -errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (j->pid < 0) {
        snprintf(err, errlen, "janitor: fork: %s", strerror(-rc));
        goto fail;
    }
    close(control[0]);
    close(lifeline[0]);
    j->control = control[1];
    j->lifeline = lifeline[1];
    *out = j;
    return 0;

fail:
    for (int i = 0; i < 2; i++) {
        if (control[i] >= 0)
            close(control[i]);
        if (lifeline[i] >= 0)
            close(lifeline[i]);
    }
    free(j);
    return rc;
}

int fs_janitor_lifeline(const fs_janitor_t *j)
{
    return j->lifeline;
}

int fs_janitor_pid(const fs_janitor_t *j)
{
    return (int)j->pid;
}

static int fs__janitor_send(fs_janitor_t *j, const char *line, int len)
{
    ssize_t n;

    if (len < 0 || len >= FS_JANITOR_LINE_MAX)
        return -ENAMETOOLONG;
    do
        n = write(j->control, line, (size_t)len);
    while (n < 0 && errno == EINTR);
    return n == len ? 0 : n < 0 ? -errno : -EIO;
}

int fs_janitor_watch_fifos(fs_janitor_t *j, const char *dir)
{
    char line[FS_JANITOR_LINE_MAX];

    return fs__janitor_send(j, line, snprintf(line, sizeof(line), "fifos %s\n", dir));
}

int fs_janitor_watch_temps(fs_janitor_t *j, const char *dir, int depth)
{
    char line[FS_JANITOR_LINE_MAX];

    return fs__janitor_send(j, line, snprintf(line, sizeof(line), "temps %d %s\n", depth, dir));
}

void fs_janitor_close(fs_janitor_t *j)
{
    if (j == NULL)
        return;
    close(j->control);
    close(j->lifeline);
    while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    free(j);
}
