/* summary.md: what a reviewer sees in a pull-request comment. One table
 * puts the postures side by side, so the difference hardening makes is the
 * first thing read; marks only where the scenario made a promise, so an
 * unmarked cell is an observation, not a verdict. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xml.h"

#define FS__MD_DASH "—"

static const char *fs__md_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int fs__md_num(const cJSON *o, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return -1;
    *out = v->valuedouble;
    return 0;
}

static int fs__md_completed(const cJSON *doc)
{
    return fs__report_judged_run(doc);
}

/* An expectation the run stopped before judging is neither held nor
 * broken. */
static int fs__md_judged(const cJSON *doc, const cJSON *x)
{
    return cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(x, "ok")) &&
           (fs__md_completed(doc) || fs__md_str(x, "actual") != NULL);
}

static const char *fs__md_posture(const cJSON *doc)
{
    const char *p = fs__md_str(doc, "posture");
    return p ? p : "unknown";
}

/* The mark of the expectations whose "what" is prefix + name, or starts
 * with prefix when name is NULL: 1 all held, -1 one did not, 0 none was
 * judged. */
static int fs__md_mark(const cJSON *doc, const char *prefix, const char *name)
{
    const cJSON *xs = cJSON_GetObjectItemCaseSensitive(doc, "expectations"), *x;
    size_t plen = strlen(prefix);
    int mark = 0;

    if (!cJSON_IsArray(xs))
        return 0;
    cJSON_ArrayForEach(x, xs)
    {
        const char *what = fs__md_str(x, "what");
        const cJSON *ok = cJSON_GetObjectItemCaseSensitive(x, "ok");
        if (what == NULL || !fs__md_judged(doc, x) || strncmp(what, prefix, plen) != 0)
            continue;
        if (name != NULL && strcmp(what + plen, name) != 0)
            continue;
        if (cJSON_IsFalse(ok))
            return -1;
        mark = 1;
    }
    return mark;
}

static void fs__md_put_mark(fs__report_buf_t *b, int mark)
{
    if (mark > 0)
        fs__report_buf_puts(b, " ✅");
    else if (mark < 0)
        fs__report_buf_puts(b, " ❌");
}

/* Expectations of doc: held, judged, and not judged (the run stopped
 * before their value existed: neither held nor broken). */
static void fs__md_held(const cJSON *doc, int *held, int *judged, int *unjudged)
{
    const cJSON *xs = cJSON_GetObjectItemCaseSensitive(doc, "expectations"), *x;

    *held = *judged = *unjudged = 0;
    if (!cJSON_IsArray(xs))
        return;
    cJSON_ArrayForEach(x, xs)
    {
        if (!fs__md_judged(doc, x)) {
            (*unjudged)++;
            continue;
        }
        (*judged)++;
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "ok")))
            (*held)++;
    }
}

/* The interfaces of every document, in the order they first appear, as
 * pointers into the documents. */
typedef struct {
    const char **name;
    size_t n, cap;
} fs__md_names_t;

static int fs__md_add_name(fs__md_names_t *s, const char *name)
{
    const char **p;

    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->name[i], name) == 0)
            return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        if ((p = realloc(s->name, cap * sizeof(*p))) == NULL)
            return -ENOMEM;
        s->name = p;
        s->cap = cap;
    }
    s->name[s->n++] = name;
    return 0;
}

static int fs__md_collect(const cJSON *const *docs, size_t n, fs__md_names_t *s)
{
    for (size_t i = 0; i < n; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(docs[i], "verdicts"), *e;
        const cJSON *ifs = cJSON_GetObjectItemCaseSensitive(docs[i], "interfaces");
        const cJSON *xs = cJSON_GetObjectItemCaseSensitive(docs[i], "expectations");
        if (cJSON_IsObject(v)) {
            cJSON_ArrayForEach(e, v)
            {
                if (e->string != NULL && fs__md_add_name(s, e->string) < 0)
                    return -1;
            }
        }
        if (cJSON_IsObject(ifs)) {
            cJSON_ArrayForEach(e, ifs)
            {
                if (e->string != NULL && fs__md_add_name(s, e->string) < 0)
                    return -1;
            }
        }
        if (!cJSON_IsArray(xs))
            continue;
        cJSON_ArrayForEach(e, xs)
        {
            const char *what = fs__md_str(e, "what");
            if (what && strncmp(what, "interfaces.", 11) == 0 && what[11] != '\0' &&
                fs__md_add_name(s, what + 11) < 0)
                return -1;
        }
    }
    return 0;
}

static const char *fs__md_verdict(const cJSON *doc, const char *iface)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "verdicts");
    const cJSON *io = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(doc, "interfaces"), iface);
    const char *s = fs__md_str(v, iface);

    return s ? s : fs__md_str(io, "verdict");
}

static void fs__md_share(fs__report_buf_t *b, const cJSON *doc, const char *key)
{
    double v;
    if (fs__md_num(doc, key, &v) == 0)
        fs__report_buf_printf(b, "%.2f%%", v * 100.0);
    else
        fs__report_buf_puts(b, FS__MD_DASH);
}

static void fs__md_ms(fs__report_buf_t *b, const cJSON *doc, const char *key)
{
    double v;
    if (fs__md_num(doc, key, &v) < 0)
        fs__report_buf_puts(b, FS__MD_DASH);
    else if (fabs(v) < 1000)
        fs__report_buf_printf(b, "%.0f ms", v);
    else
        fs__report_buf_printf(b, "%.1f s", v / 1000.0);
}

static void fs__md_metric_row(fs__report_buf_t *b, const cJSON *const *docs, size_t n,
                              const char *label, const char *key, const char *expect_prefix)
{
    fs__report_buf_printf(b, "| %s |", label);
    for (size_t i = 0; i < n; i++) {
        fs__report_buf_puts(b, " ");
        if (strcmp(key, "bad_config_share") == 0 || strcmp(key, "blast_radius") == 0 ||
            strcmp(key, "degraded_share") == 0)
            fs__md_share(b, docs[i], key);
        else if (strcmp(key, "time_to_recover_ms") == 0 &&
                 cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(docs[i], "recovered")))
            fs__report_buf_puts(b, fs__report_ended_early(docs[i]) ? "not recovered (run stopped)"
                                                                   : "not recovered");
        else
            fs__md_ms(b, docs[i], key);
        if (expect_prefix != NULL)
            fs__md_put_mark(b, fs__md_mark(docs[i], expect_prefix, NULL));
        fs__report_buf_puts(b, " |");
    }
    fs__report_buf_puts(b, "\n");
}

/* A table's head: first, then one column per posture. */
static void fs__md_head(fs__report_buf_t *b, const cJSON *const *docs, size_t n, const char *first)
{
    fs__report_buf_printf(b, "| %s |", first);
    for (size_t i = 0; i < n; i++) {
        fs__report_buf_puts(b, " ");
        fs_xml_md_escape(b, fs__md_posture(docs[i]));
        fs__report_buf_puts(b, " |");
    }
    fs__report_buf_puts(b, "\n|---|");
    for (size_t i = 0; i < n; i++)
        fs__report_buf_puts(b, "---|");
    fs__report_buf_puts(b, "\n");
}

static void fs__md_table(fs__report_buf_t *b, const cJSON *const *docs, size_t n,
                         const fs__md_names_t *names)
{
    fs__md_head(b, docs, n, "interface");
    for (size_t r = 0; r < names->n; r++) {
        fs__report_buf_puts(b, "| ");
        fs_xml_md_escape(b, names->name[r]);
        fs__report_buf_puts(b, " |");
        for (size_t i = 0; i < n; i++) {
            const char *v = fs__md_verdict(docs[i], names->name[r]);
            fs__report_buf_puts(b, " ");
            if (v != NULL)
                fs_xml_md_escape(b, v);
            else
                fs__report_buf_puts(b, FS__MD_DASH);
            fs__md_put_mark(b, fs__md_mark(docs[i], "interfaces.", names->name[r]));
            fs__report_buf_puts(b, " |");
        }
        fs__report_buf_puts(b, "\n");
    }
    fs__md_metric_row(b, docs, n, "blast radius", "blast_radius", "blast_radius.");
    fs__md_metric_row(b, docs, n, "bad config share", "bad_config_share", NULL);
    fs__md_metric_row(b, docs, n, "time to detect", "time_to_detect_ms", "time_to_detect.");
    fs__md_metric_row(b, docs, n, "time to recover", "time_to_recover_ms", "time_to_recover.");
    fs__md_metric_row(b, docs, n, "degraded share", "degraded_share", "degraded_share.");
    fs__report_buf_puts(b, "| expectations held |");
    for (size_t i = 0; i < n; i++) {
        int held, judged, unjudged;
        fs__md_held(docs[i], &held, &judged, &unjudged);
        if (judged > 0)
            fs__report_buf_printf(b, " %d/%d%s", held, judged, held == judged ? " ✅" : " ❌");
        if (unjudged > 0)
            fs__report_buf_printf(b, "%s%d not judged", judged > 0 ? ", " : " ", unjudged);
        if (judged + unjudged == 0)
            fs__report_buf_puts(b, " none");
        fs__report_buf_puts(b, " |");
    }
    fs__report_buf_puts(b, "\n");
}

static void fs__md_cascade(fs__report_buf_t *b, const cJSON *doc)
{
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(doc, "cascade_path"), *p;
    const char *first = NULL;
    int count = 0;

    if (!cJSON_IsArray(path))
        path = NULL;
    cJSON_ArrayForEach(p, path)
    {
        if (cJSON_IsString(p) && count++ == 0)
            first = p->valuestring;
    }
    if (count == 0) {
        fs__report_buf_puts(b, fs__md_completed(doc) ? "nothing broke" : FS__MD_DASH);
        return;
    }
    if (count == 1) {
        fs__report_buf_puts(b, "contained at ");
        fs_xml_md_escape(b, first);
        return;
    }
    count = 0;
    cJSON_ArrayForEach(p, path)
    {
        if (!cJSON_IsString(p))
            continue;
        if (count++ > 0)
            fs__report_buf_puts(b, " → ");
        fs_xml_md_escape(b, p->valuestring);
    }
}

/* The promises that broke, with both values: the table only says where. */
static void fs__md_not_held(fs__report_buf_t *b, const cJSON *const *docs, size_t n)
{
    int any = 0;

    for (size_t i = 0; i < n; i++) {
        const cJSON *xs = cJSON_GetObjectItemCaseSensitive(docs[i], "expectations"), *x;
        if (!cJSON_IsArray(xs))
            continue;
        cJSON_ArrayForEach(x, xs)
        {
            const char *actual = fs__md_str(x, "actual"), *expected = fs__md_str(x, "expected");
            if (!fs__md_judged(docs[i], x) ||
                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "ok")))
                continue;
            if (!any++)
                fs__report_buf_puts(b, "\n**Not held**\n\n");
            fs__report_buf_puts(b, "- ");
            fs_xml_md_escape(b, fs__md_posture(docs[i]));
            fs__report_buf_puts(b, ": ");
            fs_xml_md_escape(b, fs__md_str(x, "what") ? fs__md_str(x, "what") : "(unnamed)");
            fs__report_buf_puts(b, " expected ");
            fs_xml_md_escape(b, expected ? expected : "(none)");
            fs__report_buf_puts(b, ", got ");
            fs_xml_md_escape(b, actual ? actual : "(none)");
            fs__report_buf_puts(b, "\n");
        }
    }
}

/* A posture name as one URL path segment. */
static void fs__md_url_segment(fs__report_buf_t *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p) != NULL)
            fs__report_buf_add(b, (const char *)p, 1);
        else
            fs__report_buf_printf(b, "%%%02X", *p);
    }
}

static void fs__md_chart_link(fs__report_buf_t *b, const char *link_base, const char *posture,
                              const char *chart)
{
    fs__report_buf_printf(b, "[%s](", chart);
    fs__report_buf_puts(b, link_base);
    fs__md_url_segment(b, posture);
    fs__report_buf_printf(b, "/charts/%s.svg)", chart);
}

/* The stop conditions, one row each, postures side by side. */
static void fs__md_stops(fs__report_buf_t *b, const cJSON *const *docs, size_t n)
{
    const cJSON *conds = n > 0 ? fs__report_stops(docs[0]) : NULL, *c;
    char text[192];
    int i = 0;

    if (cJSON_GetArraySize(conds) == 0)
        return;
    fs__report_buf_puts(b, "\n**Stop conditions**\n\n");
    fs__md_head(b, docs, n, "condition");
    cJSON_ArrayForEach(c, conds)
    {
        fs__report_buf_printf(b, "| `abort_if[%d]` ", i);
        fs_xml_md_escape(b, fs__report_stop_text(c, text, sizeof(text)));
        fs__report_buf_puts(b, " |");
        for (size_t d = 0; d < n; d++) {
            const cJSON *mine = cJSON_GetArrayItem(fs__report_stops(docs[d]), i);

            fs__report_buf_puts(b, " ");
            fs_xml_md_escape(b,
                             mine ? fs__report_stop_peak(mine, text, sizeof(text)) : FS__MD_DASH);
            fs__report_buf_puts(b, " |");
        }
        fs__report_buf_puts(b, "\n");
        i++;
    }
}

int fs_report_markdown(const cJSON *const *docs, size_t n, const char *link_base, const char *path,
                       char *err, size_t errlen)
{
    fs__report_buf_t b = {0};
    fs__md_names_t names = {0};
    const cJSON *scen = n > 0 ? cJSON_GetObjectItemCaseSensitive(docs[0], "scenario") : NULL;
    const char *name = fs__md_str(scen, "name"), *title = fs__md_str(scen, "title");
    int held_all = 0, judged_all = 0, unjudged_all = 0, rc;
    double v;

    if (link_base == NULL)
        link_base = "";
    if (fs__md_collect(docs, n, &names) < 0) {
        free(names.name);
        snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
        return -ENOMEM;
    }
    fs__report_buf_puts(&b, "### failsmall: ");
    fs_xml_md_escape(&b, title ? title : name ? name : "no results");
    fs__report_buf_puts(&b, "\n\n");
    for (size_t i = 0; i < n; i++) {
        const char *reason = fs__md_str(docs[i], "abort_reason");
        const char *status = fs__md_str(docs[i], "status");
        if (fs__report_stopped(docs[i])) {
            fs__report_buf_puts(&b, "> 🛑 **Stopped by a stop condition** (");
            fs_xml_md_escape(&b, fs__md_posture(docs[i]));
            fs__report_buf_puts(&b, "): ");
            fs_xml_md_escape(&b, reason ? reason : "no reason given");
            fs__report_buf_puts(&b, ". Faults reverted, load and fleet stopped; the numbers "
                                    "below cover the run up to then.\n\n");
            continue;
        }
        if (fs__md_completed(docs[i]))
            continue;
        fs__report_buf_puts(&b, "> ⚠️ **Run ");
        fs_xml_md_escape(&b, status ? status : "did not complete");
        fs__report_buf_puts(&b, "** (");
        fs_xml_md_escape(&b, fs__md_posture(docs[i]));
        fs__report_buf_puts(&b, "): ");
        fs_xml_md_escape(&b, reason ? reason : "no reason given");
        fs__report_buf_puts(&b, ". The numbers below cover the part that ran.\n\n");
    }
    for (size_t i = 0; i < n; i++) {
        int held, judged, unjudged;
        fs__md_held(docs[i], &held, &judged, &unjudged);
        held_all += held;
        judged_all += judged;
        unjudged_all += unjudged;
    }
    if (name != NULL) {
        fs__report_buf_puts(&b, "Scenario ");
        fs_xml_md_escape(&b, name);
    } else {
        fs__report_buf_puts(&b, "Scenario (unnamed)");
    }
    if (n > 0 && fs__md_num(docs[0], "seed", &v) == 0)
        fs__report_buf_printf(&b, " · seed %.0f", v);
    if (n > 0 && fs__md_num(docs[0], "time_scale", &v) == 0)
        fs__report_buf_printf(&b, " · time scale %g", v);
    if (judged_all + unjudged_all == 0)
        fs__report_buf_puts(&b, " · no expectations");
    else if (judged_all > 0 && held_all == judged_all)
        fs__report_buf_printf(&b, " · ✅ all %d expectations held", judged_all);
    else if (judged_all > 0)
        fs__report_buf_printf(&b, " · ❌ %d of %d expectations not held", judged_all - held_all,
                              judged_all);
    if (unjudged_all > 0)
        fs__report_buf_printf(&b, " · %d not judged", unjudged_all);
    fs__report_buf_puts(&b, "\n\n");

    if (n > 0) {
        fs__md_table(&b, docs, n, &names);
        fs__report_buf_puts(&b, "\n**Cascade path**\n\n");
        for (size_t i = 0; i < n; i++) {
            fs__report_buf_puts(&b, "- ");
            fs_xml_md_escape(&b, fs__md_posture(docs[i]));
            fs__report_buf_puts(&b, ": ");
            fs__md_cascade(&b, docs[i]);
            fs__report_buf_puts(&b, "\n");
        }
        fs__md_stops(&b, docs, n);
        fs__md_not_held(&b, docs, n);
        fs__report_buf_puts(&b, "\n**Charts**\n\n");
        for (size_t i = 0; i < n; i++) {
            fs__report_buf_puts(&b, "- ");
            fs_xml_md_escape(&b, fs__md_posture(docs[i]));
            fs__report_buf_puts(&b, ": ");
            fs__md_chart_link(&b, link_base, fs__md_posture(docs[i]), "health");
            fs__report_buf_puts(&b, " · ");
            fs__md_chart_link(&b, link_base, fs__md_posture(docs[i]), "users");
            fs__report_buf_puts(&b, "\n");
        }
    }
    free(names.name);
    rc = fs__report_buf_write(&b, path, err, errlen);
    fs__report_buf_free(&b);
    return rc;
}
