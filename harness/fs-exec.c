/* fs-exec: the supervisor's pre-exec hook. uv_spawn cannot run code between
 * fork and exec, so every fleet process starts as
 *     fs-exec [--pdeathsig] [--no-core] [--parent PID] [--umask MODE] -- PROGRAM ARGS...
 * which sets up what must hold before the program runs, then execs it in
 * place (same pid, so the supervisor's handle is the program's). Errors:
 * message on stderr, exit 127. No libraries beyond libc. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define FS_EXEC_FAIL 127

static const char usage[] = "usage: fs-exec [--pdeathsig] [--no-core] [--parent PID] "
                            "[--umask MODE] -- PROGRAM [ARGS...]\n";

static int fs_exec_fail(const char *fmt, const char *arg)
{
    fputs("fs-exec: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return FS_EXEC_FAIL;
}

static int fs_exec_pid(const char *s, long *out)
{
    char *end;
    long v;

    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v <= 0 || v > INT_MAX)
        return -1;
    *out = v;
    return 0;
}

/* An octal file mode creation mask, 0..0777. */
static int fs_exec_mask(const char *s, mode_t *out)
{
    char *end;
    long v;

    if (s == NULL || *s < '0' || *s > '7')
        return -1;
    errno = 0;
    v = strtol(s, &end, 8);
    if (errno != 0 || *end != '\0' || v < 0 || v > 0777)
        return -1;
    *out = (mode_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    int pdeathsig = 0, nocore = 0, setmask = 0, i;
    mode_t mask = 0;
    long parent = 0;
    const char *env_parent = getenv("FS_EXEC_PARENT");

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "--pdeathsig") == 0) {
            pdeathsig = 1;
        } else if (strcmp(argv[i], "--no-core") == 0) {
            nocore = 1;
        } else if (strcmp(argv[i], "--parent") == 0) {
            if (fs_exec_pid(i + 1 < argc ? argv[i + 1] : NULL, &parent) < 0)
                return fs_exec_fail("--parent: expected a pid, got '%s'",
                                    i + 1 < argc ? argv[i + 1] : "");
            i++;
        } else if (strcmp(argv[i], "--umask") == 0) {
            if (fs_exec_mask(i + 1 < argc ? argv[i + 1] : NULL, &mask) < 0)
                return fs_exec_fail("--umask: expected an octal mode up to 0777, got '%s'",
                                    i + 1 < argc ? argv[i + 1] : "");
            setmask = 1;
            i++;
        } else if (strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strncmp(argv[i], "--", 2) == 0) {
            fputs(usage, stderr);
            return fs_exec_fail("%s: unknown flag", argv[i]);
        } else {
            break;
        }
    }
    if (i >= argc) {
        fputs(usage, stderr);
        return fs_exec_fail("%s", "no program to run");
    }
    if (parent == 0 && env_parent != NULL && fs_exec_pid(env_parent, &parent) < 0)
        return fs_exec_fail("FS_EXEC_PARENT: expected a pid, got '%s'", env_parent);
    /* The program must not inherit it: a program that runs fs-exec itself
     * would check the wrong parent. */
    unsetenv("FS_EXEC_PARENT");

    if (pdeathsig) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
            return fs_exec_fail("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
        /* The parent may have died before prctl: then no signal will ever
         * come, and we would run orphaned. */
        if (parent != 0 && (long)getppid() != parent)
            return fs_exec_fail("%s", "the parent is gone; not starting");
    }
    if (nocore) {
        struct rlimit rl = {0, 0};

        if (setrlimit(RLIMIT_CORE, &rl) != 0)
            return fs_exec_fail("setrlimit(RLIMIT_CORE): %s", strerror(errno));
    }
    if (setmask)
        umask(mask);
    execv(argv[i], argv + i);
    fprintf(stderr, "fs-exec: %s: %s\n", argv[i], strerror(errno));
    return FS_EXEC_FAIL;
}
