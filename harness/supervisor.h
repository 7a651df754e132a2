/* The process supervisor: starts every fleet process through build/fs-exec
 * (own session and process group, PR_SET_PDEATHSIG, no core dumps, umask
 * 077), captures its output (harness/logcap.h), waits for their /healthz,
 * restarts crashed ones with backoff so that a crash loop happens and is
 * visible, and stops them all (SIGTERM, then SIGKILL).
 * Single-threaded: every call on the loop's thread, which must live as long
 * as the fleet (the parent-death signal fires when the spawning thread dies).
 * Children are watched through libuv only: no SIGCHLD handler, no
 * waitpid(-1). */
#ifndef FS_SUPERVISOR_H
#define FS_SUPERVISOR_H

#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#define FS_SUP_BACKOFF_INITIAL_MS 100
#define FS_SUP_BACKOFF_MAX_MS     2000
#define FS_SUP_BACKOFF_RESET_MS   5000  /* uptime after which the backoff starts over */
#define FS_SUP_LOOP_RESTARTS      3     /* this many restarts ... */
#define FS_SUP_LOOP_WINDOW_MS     10000 /* ... within this window make a crash loop */
#define FS_SUP_HEALTH_POLL_MS     20
#define FS_SUP_STOP_GRACE_MS      2000  /* SIGTERM to SIGKILL */
#define FS_SUP_UMASK              "077" /* for every process: what it creates is private */

typedef struct fs_sup_s fs_sup_t;
typedef struct fs_proc_s fs_proc_t;

typedef struct {
    const char *name; /* "botmod[2]": events, log lines, error messages */
    const char *file; /* path of the executable (no PATH search) */
    /* Full argument vector, argv[0] included as in execv (the program sees
     * file as its argv[0]); NULL-terminated, copied. NULL = { file }. */
    const char *const *argv;
    /* "K=V" entries added to the harness's environment for this process
     * only (an entry replaces the harness's own K), NULL-terminated, copied;
     * NULL = none. Where LD_PRELOAD and FIU_ENABLE go; never applied to the
     * harness itself. */
    const char *const *env;
    /* stdout and stderr of every incarnation are read through a pipe and
     * appended here (created 0644), with one harness line per start and
     * exit; capped and rotated to log_path.1 (harness/logcap.h). NULL =
     * /dev/null. */
    const char *log_path;
    /* The cap of each of the two files; 0 = FS_LOGCAP_DEFAULT_BYTES (8 MiB),
     * else at least FS_LOGCAP_MIN_BYTES. */
    uint64_t log_cap_bytes;
    /* Readiness: an incarnation is ready once GET /healthz on this address
     * answered 200. NULL = ready as soon as it is running. Copied. */
    const struct sockaddr *health;
    int no_restart; /* 1: an exit is final (restart is on by default) */
    /* Backoff: 0 takes the FS_SUP_BACKOFF_* default. */
    uint64_t backoff_initial_ms, backoff_max_ms, backoff_reset_ms;
} fs_proc_config_t;

typedef enum {
    FS_SUP_EV_STARTED,      /* pid */
    FS_SUP_EV_READY,        /* pid; after every (re)start */
    FS_SUP_EV_EXITED,       /* pid, exit_status / term_signal + signame, uptime_ms */
    FS_SUP_EV_SPAWN_FAILED, /* error: uv_spawn failed (then handled like an exit) */
    FS_SUP_EV_RESTARTING,   /* attempt, backoff_ms */
    FS_SUP_EV_CRASH_LOOP    /* restarts: FS_SUP_LOOP_RESTARTS+ within the window;
                               once per episode, restarts go on */
} fs_sup_event_type_t;

/* Valid only during the callback. Stamp it with your own run time. */
typedef struct {
    fs_sup_event_type_t type;
    fs_proc_t *proc;
    const char *name;
    int pid;
    int64_t exit_status; /* EXITED: the exit code, 0 when killed by a signal */
    int term_signal;     /* EXITED: 0 or the signal number */
    const char *signame; /* EXITED: "SIGABRT", or NULL for a plain exit */
    uint64_t uptime_ms;  /* EXITED */
    unsigned attempt;    /* RESTARTING: consecutive restarts since the last stable run */
    uint64_t backoff_ms; /* RESTARTING */
    unsigned restarts;   /* total restarts so far; CRASH_LOOP: restarts within the window */
    int error;           /* SPAWN_FAILED: negative libuv code */
    const char *detail;  /* one human line: "botmod[2] exited with SIGABRT after 312 ms" */
} fs_sup_event_t;

/* Mostly from the loop, but also from inside fs_sup_start() (started) and
 * fs_proc_set_restart() (restarting). The callback may signal processes,
 * switch restarts and call fs_sup_stop(), never fs_sup_free(). */
typedef void (*fs_sup_event_cb)(fs_sup_t *sup, const fs_sup_event_t *ev, void *data);

/* status 0 once every process answered; -ETIMEDOUT (err names the process
 * and why) or -ECANCELED (fs_sup_stop() came first). */
typedef void (*fs_sup_ready_cb)(fs_sup_t *sup, int status, const char *err, void *data);

typedef void (*fs_sup_done_cb)(fs_sup_t *sup, void *data);

/* "started", "ready", "exited", "spawn_failed", "restarting", "crash_loop". */
const char *fs_sup_event_name(fs_sup_event_type_t type);

/* A supervisor on loop that runs every process through exec_wrapper (the
 * fs-exec path). event_cb may be NULL; data goes to every callback. Returns
 * 0, -EINVAL, -ENOENT/-EACCES (wrapper not executable) or -ENOMEM. */
int fs_sup_new(uv_loop_t *loop, const char *exec_wrapper, fs_sup_event_cb event_cb, void *data,
               fs_sup_t **out);

/* Every process started from now on inherits fd as its fd 3 (-1: none):
 * the janitor's lifeline (harness/janitor.h), whose EOF tells it the last
 * of them has exited. Before fs_sup_start() only: returns 0 or -EBUSY. */
int fs_sup_set_lifeline(fs_sup_t *sup, int fd);

/* How long fs_sup_stop() waits between SIGTERM and SIGKILL; default
 * FS_SUP_STOP_GRACE_MS. An aborted run waits less: its user waits. */
void fs_sup_set_stop_grace(fs_sup_t *sup, uint64_t ms);

/* Registers a process (cfg is copied); before fs_sup_start() only. *out (may
 * be NULL) stays valid until fs_sup_free(). Returns 0, -EINVAL, -EBUSY
 * (already started), -EEXIST (name taken), -EADDRNOTAVAIL (health not
 * loopback), -ENOENT/-EACCES (file not
 * executable; or log_cap_bytes too small), -ENOMEM, or the negative errno
 * of opening log_path. */
int fs_sup_add(fs_sup_t *sup, const fs_proc_config_t *cfg, fs_proc_t **out);

/* Starts every process and calls ready_cb exactly once, always from the
 * loop: when every one has been ready at the same time, or on timeout.
 * Health is polled every FS_SUP_HEALTH_POLL_MS. Returns 0, -EALREADY or
 * -EINVAL; a spawn failure is an event and a restart, not an error here. */
int fs_sup_start(fs_sup_t *sup, uint64_t ready_timeout_ms, fs_sup_ready_cb ready_cb);

/* Stops restarting, SIGTERMs (and SIGCONTs, for a stopped one) every
 * running process's group, SIGKILLs what is left after
 * FS_SUP_STOP_GRACE_MS, and calls done_cb from the loop once every process
 * has exited and every handle is closed. A pending ready_cb gets
 * -ECANCELED from here. Works whether or not fs_sup_start() ran. Returns 0
 * or -EALREADY. */
int fs_sup_stop(fs_sup_t *sup, fs_sup_done_cb done_cb);

/* Frees sup and its processes: from or after done_cb, or when no process
 * was ever added. */
void fs_sup_free(fs_sup_t *sup);

/* SIGKILLs the process group of every running process. No allocation, no
 * libuv: safe from a signal handler or atexit. The loop still sees the
 * exits (and restarts them unless stopping), so call fs_sup_stop() too if
 * the loop goes on. */
void fs_sup_kill_all(fs_sup_t *sup);

/* The process named name, or NULL. */
fs_proc_t *fs_sup_find(fs_sup_t *sup, const char *name);

/* Iteration in the order added: prev NULL gives the first; NULL at the end. */
fs_proc_t *fs_sup_next(fs_sup_t *sup, fs_proc_t *prev);

/* Sends signum to the current incarnation only (uv_process_kill: never a
 * recycled pid, never its group). Returns 0, -ESRCH when it is not running,
 * or a negative libuv code. */
int fs_proc_signal(fs_proc_t *proc, int signum);

/* Turns restarting on or off (injectors: process.kill, process.crash_loop).
 * Turning it off cancels a pending restart; turning it on restarts a
 * process that is down, with the usual backoff. */
void fs_proc_set_restart(fs_proc_t *proc, int on);

const char *fs_proc_name(const fs_proc_t *proc);
int fs_proc_pid(const fs_proc_t *proc);             /* 0 when not running */
unsigned fs_proc_restarts(const fs_proc_t *proc);   /* restarts so far */
int fs_proc_running(const fs_proc_t *proc);         /* 1 from spawn to exit */
int fs_proc_ready(const fs_proc_t *proc);           /* 1 when this incarnation is ready */
void fs_proc_set_data(fs_proc_t *proc, void *data); /* the caller's own pointer */
void *fs_proc_data(const fs_proc_t *proc);

#endif
