/* The scenario loader: reads the JSON, rejects anything it does not know
 * (a typo must not silently become a default), applies defaults and the
 * time scale, and hands each fault's own fields to its injector. The run
 * can then trust every value it is given. */
#include "scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "duration.h"
#include "load.h"
#include "fs_json.h"
#include "jfield.h"
#include "jsontext.h"
#include "scenario_int.h"

#define FS__SC_MAX_REFS  64
#define FS__SC_REF_MAX   2048
#define FS__SC_TITLE_MAX 200
#define FS__SC_DESC_MAX  (64u << 10)
#define FS__SC_SCALE_MAX 1000.0
#define FS__SC_POLL_MAX  600000u /* the fleet's --poll-ms bound */
#define FS__SC_BAKE_MAX  3600000u
#define FS__SC_RPS_MAX   100000.0 /* the load generator's bound */
static int fs__sc_dup(const char *text, char **out)
{
    *out = strdup(text);
    return *out ? 0 : -ENOMEM;
}

static int fs__sc_name(const cJSON *root, fs_scenario_t *s, char *err, size_t errlen)
{
    const char *name = NULL, *title = NULL, *desc = "";
    const cJSON *d;
    char q[48];

    if (fs_jfield_string(root, "$", "name", 1, FS_SCENARIO_NAME_MAX, &name, err, errlen) != 0)
        return -EINVAL;
    for (const char *p = name; *p; p++) {
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                 (p != name && (*p == '.' || *p == '_' || *p == '-'));

        if (!ok)
            return fs_jfield_fail(err, errlen, "$", "name",
                                  "\"%s\": must match [a-z0-9][a-z0-9._-]{0,63} (it names the "
                                  "results directory)",
                                  fs_jfield_quote(name, q, sizeof(q)));
    }
    if (fs_jfield_string(root, "$", "title", 0, FS__SC_TITLE_MAX, &title, err, errlen) < 0)
        return -EINVAL;
    d = cJSON_GetObjectItemCaseSensitive(root, "description");
    if (d) {
        if (!cJSON_IsString(d) || d->valuestring == NULL)
            return fs_jfield_fail(err, errlen, "$", "description", "expected a string, got %s",
                                  fs_jfield_type(d));
        if (strlen(d->valuestring) > FS__SC_DESC_MAX)
            return fs_jfield_fail(err, errlen, "$", "description", "longer than %u bytes",
                                  FS__SC_DESC_MAX);
        desc = d->valuestring;
    }
    if (fs__sc_dup(name, &s->name) < 0 || fs__sc_dup(title ? title : name, &s->title) < 0 ||
        fs__sc_dup(desc, &s->description) < 0)
        return -ENOMEM;
    return 0;
}

static int fs__sc_refs(const cJSON *root, fs_scenario_t *s, char *err, size_t errlen)
{
    const cJSON *refs = cJSON_GetObjectItemCaseSensitive(root, "references");
    char path[48];
    int n;

    if (refs == NULL)
        return 0;
    if (!cJSON_IsArray(refs))
        return fs_jfield_fail(err, errlen, "$", "references",
                              "expected an array of strings, got %s", fs_jfield_type(refs));
    n = cJSON_GetArraySize(refs);
    if (n > FS__SC_MAX_REFS)
        return fs_jfield_fail(err, errlen, "$", "references", "more than %d references",
                              FS__SC_MAX_REFS);
    s->refs = calloc((size_t)n + 1, sizeof(*s->refs));
    if (s->refs == NULL)
        return -ENOMEM;
    for (int i = 0; i < n; i++) {
        const cJSON *r = cJSON_GetArrayItem(refs, i);
        size_t len;

        fs_json_path_index(path, sizeof(path), "$.references", i);
        if (!cJSON_IsString(r) || r->valuestring == NULL)
            return fs_jfield_fail(err, errlen, path, NULL, "expected a string, got %s",
                                  fs_jfield_type(r));
        len = strlen(r->valuestring);
        if (len == 0 || len > FS__SC_REF_MAX)
            return fs_jfield_fail(err, errlen, path, NULL, "expected 1 to %d bytes",
                                  FS__SC_REF_MAX);
        if (fs__sc_dup(r->valuestring, &s->refs[i]) < 0)
            return -ENOMEM;
        s->nrefs++;
    }
    return 0;
}

int fs__scenario_bounds(const char *path, const char *key, uint64_t v, uint64_t min, uint64_t max,
                        const char *why, double scale, char *err, size_t errlen)
{
    char a[32], b[32], c[32], sc[48] = "";

    if (v >= min && v <= max)
        return 0;
    if (scale != 1)
        snprintf(sc, sizeof(sc), " after --time-scale %g", scale);
    return fs_jfield_fail(
        err, errlen, path, key, "%s%s: expected %s to %s%s", fs_duration_format(v, a, sizeof(a)),
        sc, fs_duration_format(min, b, sizeof(b)), fs_duration_format(max, c, sizeof(c)), why);
}

static int fs__sc_fleet(const cJSON *root, fs_scenario_t *s, double scale, char *err, size_t errlen)
{
    static const char *const fields[] = {
        "nodes", "old_engine_share", "features", "poll", "bake", "knobs", NULL};
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "fleet");
    fs_scenario_fleet_t *fl = &s->fleet;
    uint64_t nodes = 4, features = 60;

    fl->old_engine_share = 0;
    fl->poll_ms = fs_duration_scale(200, scale);
    fl->bake_ms = fs_duration_scale(1000, scale);
    if (f && (fs_jfield_check(f, "$.fleet", "fleet", fields, NULL, err, errlen) < 0 ||
              fs_jfield_uint(f, "$.fleet", "nodes", 0, 1, FS_MAX_NODES, &nodes, err, errlen) < 0 ||
              fs_jfield_number(f, "$.fleet", "old_engine_share", 0, 0, 1, &fl->old_engine_share,
                               err, errlen) < 0 ||
              fs_jfield_uint(f, "$.fleet", "features", 0, 0, 200, &features, err, errlen) < 0 ||
              fs_jfield_duration(f, "$.fleet", "poll", 0, scale, &fl->poll_ms, err, errlen) < 0 ||
              fs__scenario_bounds("$.fleet", "poll", fl->poll_ms, 1, FS__SC_POLL_MAX, "", scale,
                                  err, errlen) < 0 ||
              fs_jfield_duration(f, "$.fleet", "bake", 0, scale, &fl->bake_ms, err, errlen) < 0 ||
              fs__scenario_bounds("$.fleet", "bake", fl->bake_ms, 1, FS__SC_BAKE_MAX, "", scale,
                                  err, errlen) < 0))
        return -EINVAL;
    fl->nodes = (unsigned)nodes;
    fl->features = (unsigned)features;
    return fs_knobs_parse(f ? cJSON_GetObjectItemCaseSensitive(f, "knobs") : NULL, "$.fleet.knobs",
                          scale, &s->knobs, err, errlen);
}

static int fs__sc_postures(const cJSON *root, fs_scenario_t *s, char *err, size_t errlen)
{
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(root, "postures");
    char path[48], q[48];
    int n;

    if (ps == NULL) {
        s->postures[0] = FS_POSTURE_LEGACY;
        s->postures[1] = FS_POSTURE_HARDENED;
        s->npostures = 2;
        return 0;
    }
    if (!cJSON_IsArray(ps))
        return fs_jfield_fail(err, errlen, "$", "postures",
                              "expected an array of postures (legacy, hardened), got %s",
                              fs_jfield_type(ps));
    n = cJSON_GetArraySize(ps);
    if (n < 1 || n > FS_POSTURE_COUNT)
        return fs_jfield_fail(err, errlen, "$", "postures", "expected 1 or 2 postures, got %d", n);
    for (int i = 0; i < n; i++) {
        const cJSON *p = cJSON_GetArrayItem(ps, i);
        fs_posture_t v;

        fs_json_path_index(path, sizeof(path), "$.postures", i);
        if (!cJSON_IsString(p) || p->valuestring == NULL)
            return fs_jfield_fail(err, errlen, path, NULL, "expected legacy or hardened, got %s",
                                  fs_jfield_type(p));
        if (fs_posture_parse(p->valuestring, &v) < 0)
            return fs_jfield_fail(err, errlen, path, NULL,
                                  "\"%s\": unknown posture (legacy, hardened)",
                                  fs_jfield_quote(p->valuestring, q, sizeof(q)));
        if (fs_scenario_runs_posture(s, v))
            return fs_jfield_fail(err, errlen, path, NULL, "%s is listed twice", p->valuestring);
        s->postures[s->npostures++] = v;
    }
    return 0;
}

static int fs__sc_load(const cJSON *root, fs_scenario_t *s, char *err, size_t errlen)
{
    static const char *const fields[] = {"proxy_rps", "login_rps", "bot_share", "client_retries",
                                         NULL};
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(root, "load");
    uint64_t retries = 0;

    s->load.proxy_rps = 400;
    s->load.login_rps = 10;
    s->load.bot_share = 0.2;
    if (l &&
        (fs_jfield_check(l, "$.load", "load", fields, NULL, err, errlen) < 0 ||
         fs_jfield_number(l, "$.load", "proxy_rps", 0, 0, FS__SC_RPS_MAX, &s->load.proxy_rps, err,
                          errlen) < 0 ||
         fs_jfield_number(l, "$.load", "login_rps", 0, 0, FS__SC_RPS_MAX, &s->load.login_rps, err,
                          errlen) < 0 ||
         fs_jfield_number(l, "$.load", "bot_share", 0, 0, 1, &s->load.bot_share, err, errlen) < 0 ||
         fs_jfield_uint(l, "$.load", "client_retries", 0, 0, FS_LOAD_MAX_CLIENT_RETRIES, &retries,
                        err, errlen) < 0))
        return -EINVAL;
    s->load.client_retries = (unsigned)retries;
    return 0;
}

static int fs__sc_slo(const cJSON *root, fs_scenario_t *s, double scale, char *err, size_t errlen)
{
    static const char *const fields[] = {"success",     "latency", "bucket",
                                         "min_buckets", "grace",   NULL};
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "slo");
    fs_slo_t *slo = &s->slo;
    uint64_t minb = 3;

    slo->success = 0.99;
    slo->latency_ms = fs_duration_scale(1000, scale);
    slo->bucket_ms = fs_duration_scale(100, scale);
    slo->grace_ms = fs_duration_scale(1000, scale);
    if (o &&
        (fs_jfield_check(o, "$.slo", "slo", fields, NULL, err, errlen) < 0 ||
         fs_jfield_number(o, "$.slo", "success", 0, 0, 1, &slo->success, err, errlen) < 0 ||
         fs_jfield_duration(o, "$.slo", "latency", 0, scale, &slo->latency_ms, err, errlen) < 0 ||
         fs__scenario_bounds("$.slo", "latency", slo->latency_ms, 1, FS_SCENARIO_MAX_DURATION_MS,
                             "", scale, err, errlen) < 0 ||
         fs_jfield_duration(o, "$.slo", "bucket", 0, scale, &slo->bucket_ms, err, errlen) < 0 ||
         fs__scenario_bounds("$.slo", "bucket", slo->bucket_ms, 1, s->duration_ms,
                             " (the run's $.duration)", scale, err, errlen) < 0 ||
         fs_jfield_uint(o, "$.slo", "min_buckets", 0, 1, 10000, &minb, err, errlen) < 0 ||
         fs_jfield_duration(o, "$.slo", "grace", 0, scale, &slo->grace_ms, err, errlen) < 0 ||
         fs__scenario_bounds("$.slo", "grace", slo->grace_ms, 0, FS_SCENARIO_MAX_DURATION_MS, "",
                             scale, err, errlen) < 0))
        return -EINVAL;
    if (o == NULL && slo->bucket_ms > s->duration_ms)
        return fs__scenario_bounds("$", "duration", s->duration_ms, slo->bucket_ms,
                                   FS_SCENARIO_MAX_DURATION_MS, " (at least one $.slo.bucket)",
                                   scale, err, errlen);
    slo->min_buckets = (unsigned)minb;
    return 0;
}

/* "unknown kind", with the kinds of the same family when there are any. */
static int fs__sc_unknown_kind(const char *path, const char *kind, char *err, size_t errlen)
{
    const fs_inj_ops_t *const *all = fs_inj_all();
    size_t flen = strcspn(kind, "."), n = 0;
    char list[512] = "", q[48];

    for (int i = 0; all[i] && n < sizeof(list); i++) {
        if (strncmp(all[i]->kind, kind, flen) == 0 && all[i]->kind[flen] == '.')
            n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", all[i]->kind);
    }
    if (n == 0)
        snprintf(list, sizeof(list),
                 "config.*, process.*, link.*, fiu, posix, dependency.outage, operator.*");
    return fs_jfield_fail(err, errlen, path, "kind", "\"%s\": unknown kind (%s)",
                          fs_jfield_quote(kind, q, sizeof(q)), list);
}

static int fs__sc_fault(const cJSON *f, fs_scenario_t *s, double scale, fs_scenario_fault_t *out,
                        char *err, size_t errlen)
{
    static const char *const common[] = {"at", "for", "kind", NULL};
    const char *path = out->path, *kind = NULL;
    fs_inj_parse_ctx_t ctx = {.nodes = s->fleet.nodes,
                              .features = s->fleet.features,
                              .max_config_bytes = s->max_config_bytes,
                              .time_scale = scale,
                              .path = path};
    char a[32], b[32], sc[48] = "";
    int rc;

    if (!cJSON_IsObject(f))
        return fs_jfield_fail(err, errlen, path, NULL, "expected an object, got %s",
                              fs_jfield_type(f));
    if (fs_jfield_string(f, path, "kind", 1, 64, &kind, err, errlen) != 0)
        return -EINVAL;
    out->ops = fs_inj_find(kind);
    if (out->ops == NULL)
        return fs__sc_unknown_kind(path, kind, err, errlen);
    if (fs_jfield_check(f, path, kind, common, out->ops->fields, err, errlen) < 0 ||
        fs_jfield_duration(f, path, "at", 1, scale, &out->at_ms, err, errlen) < 0)
        return -EINVAL;
    rc = fs_jfield_duration(f, path, "for", out->ops->needs_for > 0, scale, &out->for_ms, err,
                            errlen);
    if (rc < 0)
        return -EINVAL;
    if (rc == 0 && out->ops->needs_for < 0)
        return fs_jfield_fail(err, errlen, path, "for",
                              "%s is instant and takes no \"for\" (the supervisor decides what "
                              "happens next)",
                              kind);
    if (rc == 0 && out->ops->needs_for > 0 && out->for_ms == 0)
        return fs_jfield_fail(err, errlen, path, "for",
                              "must be longer than 0: %s lasts until it is reverted", kind);
    if (scale != 1)
        snprintf(sc, sizeof(sc), " (times scaled by %g)", scale);
    if (out->at_ms >= s->duration_ms)
        return fs_jfield_fail(err, errlen, path, "at", "%s is not before the end of the run (%s)%s",
                              fs_duration_format(out->at_ms, a, sizeof(a)),
                              fs_duration_format(s->duration_ms, b, sizeof(b)), sc);
    if (out->for_ms > s->duration_ms - out->at_ms)
        return fs_jfield_fail(err, errlen, path, "for",
                              "the fault ends at %s, after the end of the run (%s)%s",
                              fs_duration_format(out->at_ms + out->for_ms, a, sizeof(a)),
                              fs_duration_format(s->duration_ms, b, sizeof(b)), sc);
    rc = out->ops->parse(f, &ctx, &out->state, err, errlen);
    if (rc < 0)
        return rc == -ENOMEM ? rc : -EINVAL;
    return 0;
}

static int fs__sc_faults(const cJSON *root, fs_scenario_t *s, double scale, char *err,
                         size_t errlen)
{
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(root, "faults");
    int n, rc;

    if (fs == NULL)
        return fs_jfield_fail(err, errlen, "$", "faults", "missing (required)");
    if (!cJSON_IsArray(fs))
        return fs_jfield_fail(err, errlen, "$", "faults", "expected an array of faults, got %s",
                              fs_jfield_type(fs));
    n = cJSON_GetArraySize(fs);
    if (n < 1 || n > FS_SCENARIO_MAX_FAULTS)
        return fs_jfield_fail(err, errlen, "$", "faults", "expected 1 to %d faults, got %d",
                              FS_SCENARIO_MAX_FAULTS, n);
    s->faults = calloc((size_t)n, sizeof(*s->faults));
    if (s->faults == NULL)
        return -ENOMEM;
    for (int i = 0; i < n; i++) {
        fs_scenario_fault_t *f = &s->faults[i];

        f->index = i;
        fs_json_path_index(f->path, sizeof(f->path), "$.faults", i);
        s->nfaults++;
        rc = fs__sc_fault(cJSON_GetArrayItem(fs, i), s, scale, f, err, errlen);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Faults whose times overlap and whose injector says they would get in
 * each other's way (fs_inj_ops_t.conflicts). Instant faults occupy their
 * moment; windows are [at, at + for). */
static int fs__sc_conflicts(const fs_scenario_t *s, char *err, size_t errlen)
{
    char why[256], a[32], b[32], when[80];

    for (size_t j = 1; j < s->nfaults; j++) {
        const fs_scenario_fault_t *fj = &s->faults[j];

        for (size_t i = 0; i < j; i++) {
            const fs_scenario_fault_t *fi = &s->faults[i];
            uint64_t end_i = fi->at_ms + fi->for_ms, end_j = fj->at_ms + fj->for_ms;
            int overlap = (fi->at_ms <= fj->at_ms && fj->at_ms < end_i) ||
                          (fj->at_ms <= fi->at_ms && fi->at_ms < end_j);

            if (!overlap || fi->ops->conflicts == NULL ||
                fi->ops->conflicts != fj->ops->conflicts ||
                !fi->ops->conflicts(fi->state, fj->state, why, sizeof(why)))
                continue;
            fs_duration_format(fi->at_ms, a, sizeof(a));
            fs_duration_format(end_i, b, sizeof(b));
            if (fi->for_ms == 0)
                snprintf(when, sizeof(when), "at %s", a);
            else
                snprintf(when, sizeof(when), "%s to %s", a, b);
            return fs_jfield_fail(err, errlen, fj->path, NULL, "overlaps %s (%s, %s): %s", fi->path,
                                  fi->ops->kind, when, why);
        }
    }
    return 0;
}

static int fs__sc_root(const cJSON *root, fs_scenario_t *s, const fs_scenario_opts_t *opts,
                       char *err, size_t errlen)
{
    static const char *const fields[] = {
        "$schema",  "name", "title", "description", "references", "seed",   "duration", "fleet",
        "postures", "load", "slo",   "faults",      "abort_if",   "expect", NULL};
    const char *schema = NULL;
    double scale = s->time_scale;
    int rc;

    if (fs_jfield_check(root, "$", "a scenario", fields, NULL, err, errlen) < 0 ||
        fs_jfield_string(root, "$", "$schema", 0, 1024, &schema, err, errlen) < 0)
        return -EINVAL;
    if ((rc = fs__sc_name(root, s, err, errlen)) < 0 ||
        (rc = fs__sc_refs(root, s, err, errlen)) < 0)
        return rc;
    s->seed = FS_SCENARIO_DEFAULT_SEED;
    if (fs_jfield_uint(root, "$", "seed", 0, 0, FS_SCENARIO_MAX_SEED, &s->seed, err, errlen) < 0 ||
        fs_jfield_duration(root, "$", "duration", 1, scale, &s->duration_ms, err, errlen) < 0 ||
        fs__scenario_bounds("$", "duration", s->duration_ms, 1, FS_SCENARIO_MAX_DURATION_MS,
                            ", the limit on a run", scale, err, errlen) < 0)
        return -EINVAL;
    if (opts && opts->has_seed)
        s->seed = opts->seed;
    if ((rc = fs__sc_fleet(root, s, scale, err, errlen)) < 0 ||
        (rc = fs__sc_postures(root, s, err, errlen)) < 0 ||
        (rc = fs__sc_load(root, s, err, errlen)) < 0 ||
        (rc = fs__sc_slo(root, s, scale, err, errlen)) < 0 ||
        (rc = fs__sc_faults(root, s, scale, err, errlen)) < 0 ||
        (rc = fs__sc_conflicts(s, err, errlen)) < 0 ||
        (rc = fs__scenario_abort(root, s, scale, err, errlen)) < 0 ||
        (rc = fs__scenario_expect(root, s, scale, err, errlen)) < 0)
        return rc;
    return 0;
}

static void fs__sc_too_large(const char *file, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: larger than %u bytes (1 MiB), the limit on a scenario file", file,
             FS_SCENARIO_MAX_BYTES);
}

/* fs_json reports "line L column C: what"; scenarios say "file:L:C: what"
 * like compilers do, so editors can jump there. */
static void fs__sc_syntax(const char *file, const char *msg, char *err, size_t errlen)
{
    int line, col, n = 0;

    if (sscanf(msg, "line %d column %d: %n", &line, &col, &n) == 2 && n > 0)
        snprintf(err, errlen, "%s:%d:%d: %s", file, line, col, msg + n);
    else
        snprintf(err, errlen, "%s: %s", file, msg);
}

int fs_scenario_parse(const char *buf, size_t len, const char *filename,
                      const fs_scenario_opts_t *opts, fs_scenario_t **out, char *err, size_t errlen)
{
    char msg[1024];
    cJSON *root = NULL;
    fs_scenario_t *s = NULL;
    double scale = opts && opts->time_scale != 0 ? opts->time_scale : 1;
    size_t off = 0;
    int rc, line, col;

    *out = NULL;
    if (filename == NULL)
        filename = "<scenario>";
    if (!(scale > 0) || !(scale <= FS__SC_SCALE_MAX)) {
        snprintf(err, errlen, "%s: time scale %g: expected a number above 0, at most %g", filename,
                 scale, FS__SC_SCALE_MAX);
        return -EINVAL;
    }
    if (opts && opts->max_config_bytes != 0 &&
        (opts->max_config_bytes < FS_INJ_CONFIG_CAP_MIN ||
         opts->max_config_bytes > FS_INJ_CONFIG_CAP_MAX)) {
        snprintf(err, errlen, "%s: max config bytes %llu: expected %u to %u", filename,
                 (unsigned long long)opts->max_config_bytes, FS_INJ_CONFIG_CAP_MIN,
                 FS_INJ_CONFIG_CAP_MAX);
        return -EINVAL;
    }
    if (buf == NULL)
        buf = "", len = 0;
    if (len > FS_SCENARIO_MAX_BYTES) {
        fs__sc_too_large(filename, err, errlen);
        return -EINVAL;
    }
    /* A byte order mark is not JSON, but editors on some systems write
     * one; columns count from after it. */
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        buf += 3, len -= 3;
    rc = fs_jtext_check(buf, len, FS_SCENARIO_MAX_DEPTH, &off, msg, sizeof(msg));
    if (rc == -ENODATA) {
        snprintf(err, errlen, "%s: empty document (a scenario is a JSON object)", filename);
        return -EINVAL;
    }
    if (rc < 0) {
        fs_json_position(buf, off, &line, &col);
        snprintf(err, errlen, "%s:%d:%d: %s", filename, line, col, msg);
        return -EINVAL;
    }
    /* What passed the strict check, cJSON parses: this only fails on
     * memory, but its message is kept should it ever differ. */
    rc = fs_json_parse(buf, len, FS_SCENARIO_MAX_BYTES, &root, msg, sizeof(msg));
    if (rc < 0) {
        fs__sc_syntax(filename, msg, err, errlen);
        return rc == -ENOMEM ? rc : -EINVAL;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL || (s->file = strdup(filename)) == NULL) {
        rc = -ENOMEM;
        snprintf(msg, sizeof(msg), "out of memory");
        goto fail;
    }
    s->time_scale = scale;
    s->max_config_bytes =
        opts && opts->max_config_bytes ? opts->max_config_bytes : FS_INJ_CONFIG_CAP_MAX;
    rc = fs__sc_root(root, s, opts, msg, sizeof(msg));
    if (rc < 0) {
        if (rc == -ENOMEM)
            snprintf(msg, sizeof(msg), "out of memory");
        goto fail;
    }
    cJSON_Delete(root);
    *out = s;
    return 0;

fail:
    snprintf(err, errlen, "%s: %s", filename, msg);
    cJSON_Delete(root);
    fs_scenario_free(s);
    return rc == -ENOMEM ? rc : -EINVAL;
}

int fs_scenario_load(const char *path, const fs_scenario_opts_t *opts, fs_scenario_t **out,
                     char *err, size_t errlen)
{
    struct stat st;
    char *buf = NULL;
    size_t len = 0;
    int fd, rc;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return rc;
    }
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = -EISDIR;
        snprintf(err, errlen, "%s: %s", path, strerror(EISDIR));
        goto fail;
    }
    /* Read up to one byte past the cap so an oversized file is reported as
     * such even when fstat cannot tell (a pipe). */
    buf = malloc(FS_SCENARIO_MAX_BYTES + 1);
    if (buf == NULL) {
        rc = -ENOMEM;
        snprintf(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    while (len < FS_SCENARIO_MAX_BYTES + 1) {
        ssize_t n = read(fd, buf + len, FS_SCENARIO_MAX_BYTES + 1 - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            goto fail;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len > FS_SCENARIO_MAX_BYTES) {
        rc = -EINVAL;
        fs__sc_too_large(path, err, errlen);
        goto fail;
    }
    rc = fs_scenario_parse(buf, len, path, opts, out, err, errlen);

fail:
    free(buf);
    close(fd);
    return rc;
}

void fs_scenario_free(fs_scenario_t *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nfaults; i++) {
        if (s->faults[i].state && s->faults[i].ops && s->faults[i].ops->free)
            s->faults[i].ops->free(s->faults[i].state);
    }
    free(s->faults);
    fs_knobs_free(s->knobs);
    for (size_t i = 0; i < s->nrefs; i++)
        free(s->refs[i]);
    free(s->refs);
    free(s->file);
    free(s->name);
    free(s->title);
    free(s->description);
    free(s);
}
