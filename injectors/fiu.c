/* fiu and posix faults, parse side. Point names are checked against the
 * fleet's points (docs/PROTOCOL.md) and libfiu's POSIX preload: a misspelt
 * point would otherwise enable nothing and the scenario would pass for the
 * wrong reason. apply/revert (fiu_apply.c) speak the remote-control
 * protocol. */
#include "inj_fiu.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_json.h"
#include "inj_util.h"
#include "jfield.h"

/* The fleet's points, each under its service's name. */
static const char *const fs__fiu_fleet_points[] = {
    "proxy/botmod/call",
    "proxy/origin/call",
    "proxy/config/fetch",
    "proxy/config/load",
    "botmod/score",
    "botmod/config/fetch",
    "botmod/config/load",
    "configstore/get",
    "configstore/put",
    "dashboard/login",
    "dashboard/challenge/call",
    "dashboard/configstore/call",
    "origin/serve",
    NULL,
};

/* libfiu 1.x's POSIX preload (fiu_posix_preload.so), by prefix. */
static const struct {
    const char *prefix, *names;
} fs__fiu_posix_points[] = {
    {"libc/mm/", "calloc malloc realloc"},
    {"libc/str/", "strdup strndup"},
    {"linux/io/", "sync_file_range"},
    {"posix/io/dir/", "closedir fdopendir opendir readdir readdir_r rename unlink"},
    {"posix/io/net/", "accept bind connect listen poll pselect recv recvfrom recvmsg select send "
                      "sendmsg sendto shutdown socket"},
    {"posix/io/oc/", "close open"},
    {"posix/io/rw/", "ftruncate pread pread/reduce preadv preadv/reduce pwrite pwrite/reduce "
                     "pwritev pwritev/reduce read read/reduce readv readv/reduce truncate write "
                     "write/reduce writev writev/reduce"},
    {"posix/io/sync/", "fdatasync fsync"},
    {"posix/mm/", "madvise mlock mlockall mmap mprotect msync munlock munlockall munmap"},
    {"posix/proc/", "fork kill sigaction signal wait waitid waitpid"},
    {"posix/stdio/", "error/ferror fflush ftrylockfile gp/fgetc gp/fgets gp/fputc gp/fputs "
                     "gp/getc gp/getchar gp/getdelim gp/getline gp/gets gp/putc gp/putchar "
                     "gp/puts gp/ungetc oc/fclose oc/fdopen oc/fmemopen oc/fopen oc/freopen "
                     "oc/open_memstream oc/pclose oc/popen remove rw/fread rw/fwrite "
                     "seek/fgetpos seek/fseek seek/fseeko seek/fsetpos seek/ftell seek/ftello "
                     "setvbuf sp/dprintf sp/fprintf sp/fscanf sp/printf sp/scanf sp/vdprintf "
                     "sp/vfprintf sp/vfscanf sp/vprintf sp/vscanf tmp/tempnam tmp/tmpfile "
                     "tmp/tmpnam"},
};

/* Whether name matches point: equal, or point is a wildcard (P, "/" and a
 * star) and name starts with P and "/". */
static int fs__fiu_match(const char *name, const char *point)
{
    size_t n = strlen(point);

    if (n >= 2 && point[n - 1] == '*' && point[n - 2] == '/')
        return strncmp(name, point, n - 1) == 0;
    return strcmp(name, point) == 0;
}

int fs_inj_fiu_point_known(fs_svc_t svc, const char *point)
{
    const char *prefix = fs_svc_name(svc);
    size_t plen = strlen(prefix);

    if (strncmp(point, prefix, plen) != 0 || point[plen] != '/')
        return 0;
    for (int i = 0; fs__fiu_fleet_points[i]; i++) {
        if (fs__fiu_match(fs__fiu_fleet_points[i], point))
            return 1;
    }
    return 0;
}

int fs_inj_fiu_posix_point_known(const char *point)
{
    char name[FS_INJ_FIU_POINT_MAX];

    for (size_t i = 0; i < sizeof(fs__fiu_posix_points) / sizeof(fs__fiu_posix_points[0]); i++) {
        const char *p = fs__fiu_posix_points[i].names;

        while (*p) {
            size_t n = strcspn(p, " ");

            snprintf(name, sizeof(name), "%s%.*s", fs__fiu_posix_points[i].prefix, (int)n, p);
            if (fs__fiu_match(name, point))
                return 1;
            p += n;
            p += *p == ' ';
        }
    }
    return 0;
}

static void fs__fiu_list(fs_svc_t svc, char *buf, size_t len)
{
    size_t n = 0, plen = strlen(fs_svc_name(svc));

    buf[0] = '\0';
    for (int i = 0; fs__fiu_fleet_points[i] && n < len; i++) {
        if (strncmp(fs__fiu_fleet_points[i], fs_svc_name(svc), plen) == 0 &&
            fs__fiu_fleet_points[i][plen] == '/')
            n += (size_t)snprintf(buf + n, len - n, "%s, ", fs__fiu_fleet_points[i]);
    }
}

/* Checks one point name (item at path) and copies it to out. */
static int fs__fiu_point(const cJSON *item, const char *path, const fs_inj_fiu_t *f, char *out,
                         char *err, size_t errlen)
{
    char list[256];
    const char *s;
    int known;

    if (!cJSON_IsString(item) || item->valuestring == NULL)
        return fs_jfield_fail(err, errlen, path, NULL, "expected a failure point name, got %s",
                              fs_jfield_type(item));
    s = item->valuestring;
    if (*s == '\0' || strlen(s) >= FS_INJ_FIU_POINT_MAX)
        return fs_jfield_fail(err, errlen, path, NULL,
                              "expected a failure point name of 1..%d "
                              "bytes",
                              FS_INJ_FIU_POINT_MAX - 1);
    for (const char *c = s; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '/' || *c == '_' || *c == '-' || *c == '.' || *c == '*'))
            return fs_jfield_fail(err, errlen, path, NULL,
                                  "a failure point name is letters, digits and / _ - . *");
    }
    known = f->posix ? fs_inj_fiu_posix_point_known(s) : fs_inj_fiu_point_known(f->target.svc, s);
    if (!known && f->posix)
        return fs_jfield_fail(
            err, errlen, path, NULL,
            "\"%.*s\": not a point of libfiu's POSIX preload (posix/io/net/connect, "
            "posix/io/rw/read, libc/mm/malloc, ... or a prefix ending in /*)",
            FS_INJ_FIU_POINT_MAX, s);
    if (!known) {
        fs__fiu_list(f->target.svc, list, sizeof(list));
        return fs_jfield_fail(err, errlen, path, NULL,
                              "\"%.*s\": not a failure point of %s (%sor a prefix ending in /*)",
                              FS_INJ_FIU_POINT_MAX, s, fs_svc_name(f->target.svc), list);
    }
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

static int fs__fiu_points(const cJSON *fault, const fs_inj_parse_ctx_t *ctx, fs_inj_fiu_t *f,
                          char *err, size_t errlen)
{
    const char *key = f->posix ? "points" : "point";
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(fault, key);
    char path[64], ipath[80];
    int n;

    fs_json_path_key(path, sizeof(path), ctx->path, key);
    if (v == NULL)
        return fs_jfield_fail(err, errlen, ctx->path, key, "missing (required)");
    if (!f->posix || !cJSON_IsArray(v)) {
        f->npoints = 1;
        return fs__fiu_point(v, path, f, f->points[0], err, errlen);
    }
    n = cJSON_GetArraySize(v);
    if (n < 1 || n > FS_INJ_FIU_MAX_POINTS)
        return fs_jfield_fail(err, errlen, path, NULL, "expected 1 to %d points, got %d",
                              FS_INJ_FIU_MAX_POINTS, n);
    for (int i = 0; i < n; i++) {
        fs_json_path_index(ipath, sizeof(ipath), path, i);
        if (fs__fiu_point(cJSON_GetArrayItem(v, i), ipath, f, f->points[i], err, errlen) < 0)
            return -EINVAL;
    }
    f->npoints = (size_t)n;
    return 0;
}

static int fs__fiu_parse_any(int posix, const cJSON *fault, const fs_inj_parse_ctx_t *ctx,
                             void **state, char *err, size_t errlen)
{
    fs_inj_fiu_t *f = calloc(1, sizeof(*f));

    *state = NULL;
    if (f == NULL)
        return -ENOMEM;
    f->posix = posix;
    f->failnum = 1;
    if (fs__inj_target(fault, ctx, FS__INJ_T_SERVICE | FS__INJ_T_INSTANCE, &f->target, err,
                       errlen) < 0 ||
        fs__fiu_points(fault, ctx, f, err, errlen) < 0 ||
        fs__inj_probability(fault, ctx, &f->probability, err, errlen) < 0)
        goto fail;
    /* fiu_fail() returning 0 would mean "did not fail". */
    if (!posix &&
        fs_jfield_uint(fault, ctx->path, "failnum", 0, 1, 2147483647, &f->failnum, err, errlen) < 0)
        goto fail;
    *state = f;
    return 0;

fail:
    free(f);
    return -EINVAL;
}

static int fs__fiu_parse(const cJSON *fault, const fs_inj_parse_ctx_t *ctx, void **state, char *err,
                         size_t errlen)
{
    return fs__fiu_parse_any(0, fault, ctx, state, err, errlen);
}

static int fs__fiu_parse_posix(const cJSON *fault, const fs_inj_parse_ctx_t *ctx, void **state,
                               char *err, size_t errlen)
{
    return fs__fiu_parse_any(1, fault, ctx, state, err, errlen);
}

/* A failure inside B faults every X->B. */
static void fs__fiu_faults(const void *state, uint8_t faulted[FS_IF_COUNT])
{
    const fs_inj_fiu_t *f = state;

    fs__inj_fault_into(f->target.svc, faulted);
}

static const char *fs__fiu_describe(const void *state, char *buf, size_t len)
{
    const fs_inj_fiu_t *f = state;
    char t[64], p[48], fn[32] = "";
    size_t n;

    fs_target_format(&f->target, t, sizeof(t));
    if (!f->posix && f->failnum != 1)
        snprintf(fn, sizeof(fn), " (failnum %" PRIu64 ")", f->failnum);
    n = (size_t)snprintf(buf, len, "%s %s", f->posix ? "posix" : "fiu", f->points[0]);
    for (size_t i = 1; i < f->npoints && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, ",%s", f->points[i]);
    if (n < len)
        snprintf(buf + n, len - n, " in %s%s%s", t,
                 fs__inj_probability_text(f->probability, p, sizeof(p)), fn);
    return buf;
}

static void fs__fiu_free(void *state)
{
    free(state);
}

static const char *const fs__fiu_fields[] = {"target", "point", "probability", "failnum", NULL};
static const char *const fs__posix_fields[] = {"target", "points", "probability", NULL};

const fs_inj_ops_t fs_inj_fiu_ops = {
    .kind = "fiu",
    .fields = fs__fiu_fields,
    .needs_for = 1,
    .parse = fs__fiu_parse,
    .faults = fs__fiu_faults,
    .apply = fs__inj_fiu_apply,
    .revert = fs__inj_fiu_revert,
    .describe = fs__fiu_describe,
    .free = fs__fiu_free,
};

const fs_inj_ops_t fs_inj_posix_ops = {
    .kind = "posix",
    .fields = fs__posix_fields,
    .needs_for = 1,
    .parse = fs__fiu_parse_posix,
    .faults = fs__fiu_faults,
    .apply = fs__inj_fiu_apply,
    .revert = fs__inj_fiu_revert,
    .spawn_env = fs__inj_posix_spawn_env,
    .describe = fs__fiu_describe,
    .free = fs__fiu_free,
};
