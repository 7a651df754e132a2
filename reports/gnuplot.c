/* Charts are rendered by the real gnuplot from files that stay on disk, so
 * a person can re-run or restyle them; the harness only starts it, without
 * a shell, and never waits on it forever. */
#include "charts.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FS_GNUPLOT_TIMEOUT_MS 60000

int fs__report_gnuplot_find(char *out, size_t len)
{
    const char *path = getenv("PATH"), *p, *end;

    if (path == NULL || *path == '\0')
        return -ENOENT;
    for (p = path; *p; p = *end ? end + 1 : end) {
        struct stat st;
        size_t n;

        end = strchr(p, ':');
        if (end == NULL)
            end = p + strlen(p);
        n = (size_t)(end - p);
        /* An empty PATH entry is the current directory: never run a
         * gnuplot that happens to lie in the folder the run writes to. */
        if (n == 0 || p[0] != '/')
            continue;
        if ((size_t)snprintf(out, len, "%.*s/gnuplot", (int)n, p) >= len)
            continue;
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
            return 0;
    }
    return -ENOENT;
}

static long long fs__gnuplot_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first non-empty line of what gnuplot said, for a one-line warning. */
static void fs__gnuplot_first_line(const char *text, char *out, size_t len)
{
    size_t n = 0;

    while (*text == '\n' || *text == ' ' || *text == '\r')
        text++;
    for (; text[n] && text[n] != '\n' && n + 1 < len; n++)
        out[n] = (unsigned char)text[n] < 0x20 ? ' ' : text[n];
    out[n] = '\0';
}

int fs__report_gnuplot_run(const char *gnuplot, const char *dir, const char *script, char *warn,
                           size_t warnlen)
{
    char *const argv[] = {(char *)"gnuplot", (char *)script, NULL};
    char said[2048], line[256];
    size_t got = 0;
    long long deadline;
    int fds[2] = {-1, -1}, status = 0, timed_out = 0, rc;
    pid_t pid, parent = getpid();

    if (pipe2(fds, O_CLOEXEC) < 0) {
        rc = -errno;
        snprintf(warn, warnlen, "gnuplot %s: pipe: %s", script, strerror(-rc));
        return rc;
    }
    pid = fork();
    if (pid < 0) {
        rc = -errno;
        snprintf(warn, warnlen, "gnuplot %s: fork: %s", script, strerror(-rc));
        goto fail;
    }
    if (pid == 0) {
        /* Only async-signal-safe calls between fork and exec. gnuplot dies
         * with the harness, however the harness dies, and not at all if
         * the harness is gone already. */
        int null = open("/dev/null", O_RDWR);

        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent || null < 0 ||
            chdir(dir) < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(fds[1], 2) < 0)
            _exit(127);
        execv(gnuplot, argv);
        _exit(127);
    }
    close(fds[1]);
    fds[1] = -1;
    deadline = fs__gnuplot_now_ms() + FS_GNUPLOT_TIMEOUT_MS;
    for (;;) {
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        long long left = deadline - fs__gnuplot_now_ms();
        char chunk[512];
        ssize_t n;
        int pr;

        if (left <= 0) {
            timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
        pr = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        n = read(fds[0], chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (got + 1 < sizeof(said)) {
            size_t k = (size_t)n < sizeof(said) - 1 - got ? (size_t)n : sizeof(said) - 1 - got;
            memcpy(said + got, chunk, k);
            got += k;
        }
    }
    said[got] = '\0';
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            rc = -errno;
            snprintf(warn, warnlen, "gnuplot %s: waitpid: %s", script, strerror(-rc));
            goto fail;
        }
    }
    close(fds[0]);
    fds[0] = -1;
    if (timed_out) {
        snprintf(warn, warnlen, "gnuplot %s in %s: killed after %d s", script, dir,
                 FS_GNUPLOT_TIMEOUT_MS / 1000);
        return -ETIMEDOUT;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fs__gnuplot_first_line(said, line, sizeof(line));
        if (WIFEXITED(status))
            snprintf(warn, warnlen, "gnuplot %s in %s failed (exit %d): %s", script, dir,
                     WEXITSTATUS(status), line[0] ? line : "no message");
        else
            snprintf(warn, warnlen, "gnuplot %s in %s: killed by signal %d", script, dir,
                     WTERMSIG(status));
        return -EIO;
    }
    return 0;

fail:
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    return rc;
}
