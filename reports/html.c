/* report.html: everything a person needs to judge a run in one file that
 * opens anywhere, offline, years later: no scripts, no fetched fonts or
 * pictures, every string from the results escaped. Postures sit side by
 * side so the difference between them is what the eye lands on. */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "report_util.h"

#define FS_HTML_MAX_IFACES 64
#define FS_HTML_MAX_EVENTS 1500

static const char fs__html_css[] =
    ":root{--red:#c0392b;--amber:#e09b00;--grey:#9aa3ab;--ok:#1e8449;--ink:#1c2833;"
    "--muted:#5d6d7e;--line:#d5d8dc}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#f4f6f7;color:var(--ink);"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif}\n"
    "main{max-width:1600px;margin:0 auto;padding:18px 24px 40px}\n"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:0 0 10px}"
    "h3{font-size:14px;margin:18px 0 6px;color:var(--muted);text-transform:uppercase;"
    "letter-spacing:.04em}\n"
    "section,.card{background:#fff;border:1px solid var(--line);border-radius:8px;"
    "padding:14px 18px;margin:14px 0}\n"
    ".meta{color:var(--muted);margin:0 0 8px}.desc{max-width:110ch;margin:6px 0}\n"
    "code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}\n"
    ".overall{display:inline-block;padding:4px 12px;border-radius:14px;font-weight:600;"
    "margin-top:6px}\n"
    ".overall.ok{background:#d5f5e3;color:#145a32}.overall.bad{background:#fadbd8;"
    "color:#78281f}\n"
    ".banner{background:#fdebd0;border:2px solid #e67e22;border-radius:8px;padding:10px 14px;"
    "margin:14px 0;font-weight:600}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{border-bottom:1px solid #eaecee;padding:5px 10px;text-align:left;"
    "vertical-align:top}\n"
    "thead th{background:#f8f9f9;border-bottom:2px solid var(--line)}\n"
    "table.verdicts td,table.verdicts th{white-space:nowrap}\n"
    "table.verdicts tbody th{font-family:ui-monospace,Menlo,Consolas,monospace;"
    "font-weight:500}\n"
    "tr.sep th,tr.sep td{border-top:2px solid var(--line)}\n"
    ".v{display:inline-block;min-width:96px;padding:1px 8px;border-radius:4px;"
    "font-weight:600}\n"
    ".v-cascaded{background:#fadbd8;color:#922b21}"
    ".v-failed_small{background:#fdebd0;color:#935116}"
    ".v-unaffected{background:#eaecee;color:#4d5656}.v-other{background:#f4ecf7}\n"
    ".mark{font-weight:700;margin-left:6px}.mark.ok{color:var(--ok)}"
    ".mark.bad{color:var(--red)}\n"
    ".exp{color:var(--muted);font-size:12px;margin-left:4px}\n"
    ".postures{display:grid;gap:16px;align-items:start}\n"
    ".postures>section{margin:0;min-width:0}\n"
    ".status{font-size:12px;font-weight:600;padding:2px 8px;border-radius:10px;"
    "margin-left:8px;vertical-align:middle}\n"
    ".status.completed{background:#d5f5e3;color:#145a32}"
    ".status.aborted{background:#fdebd0;color:#935116}\n"
    "svg{max-width:100%;height:auto;display:block}\n"
    ".chart svg{width:100%}.wide .chart{max-width:960px}\n"
    ".chart{margin:4px 0}.note{color:var(--muted);font-style:italic}\n"
    ".legend span{display:inline-block;margin-right:14px;font-size:12px}\n"
    ".legend i{display:inline-block;width:22px;height:5px;margin-right:5px;"
    "vertical-align:middle;border-radius:2px}\n"
    ".timeline{max-height:420px;overflow:auto;border:1px solid #eaecee;border-radius:6px}\n"
    ".timeline table{font-size:12px}.timeline td{padding:2px 8px}\n"
    ".timeline td.t{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".timeline td.k{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}\n"
    ".timeline thead th{position:sticky;top:0}\n"
    "tr.ev-pre{color:#99a3a4}\n"
    "tr.ev-fault td.k{border-left:4px solid var(--red);color:#922b21;font-weight:700}\n"
    "tr.ev-revert td.k{border-left:4px solid var(--ok);color:#145a32;font-weight:700}\n"
    "tr.ev-crash td.k{border-left:4px solid #884ea0;color:#6c3483}\n"
    "tr.ev-restart td.k{border-left:4px solid #d2b4de}\n"
    "tr.ev-rollback{background:#e9f7ef}tr.ev-rollback td.k{border-left:4px solid var(--ok);"
    "font-weight:700}\n"
    "tr.ev-rollout td.k{border-left:4px solid #2e86c1}\n"
    "tr.ev-config td.k{border-left:4px solid #7d3c98}\n"
    "tr.ev-run td.k{border-left:4px solid var(--ink);font-weight:700}\n"
    "details{margin-top:8px}summary{cursor:pointer;color:var(--muted)}\n"
    "footer{color:var(--muted);font-size:12px;margin-top:20px}\n";

static const char *fs__html_verdict_class(const char *v)
{
    static const char *const known[] = {"cascaded", "failed_small", "unaffected"};

    for (size_t i = 0; v && i < 3; i++) {
        if (strcmp(v, known[i]) == 0)
            return known[i];
    }
    return "other";
}

/* The timeline row class of an event kind (a fixed set: never a string
 * from the document in a class attribute). */
static const char *fs__html_event_class(const char *kind)
{
    static const struct {
        const char *prefix, *cls;
    } map[] = {
        {"fault.revert", "ev-revert"},
        {"fault.", "ev-fault"},
        {"process.exited", "ev-crash"},
        {"process.crash_loop", "ev-crash"},
        {"process.spawn_failed", "ev-crash"},
        {"process.", "ev-restart"},
        {"rollout.rolled_back", "ev-rollback"},
        {"rollout.rollback", "ev-rollback"},
        {"rollout.", "ev-rollout"},
        {"config.", "ev-config"},
        {"run.", "ev-run"},
    };

    for (size_t i = 0; kind && i < sizeof(map) / sizeof(map[0]); i++) {
        if (strncmp(kind, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].cls;
    }
    return "ev-other";
}

/* The marks of every expectation whose `what` is exactly what, or starts
 * with it when prefix is set: ✓ or ✗ with the expected value. */
static void fs__html_marks(fs__report_buf_t *b, const cJSON *doc, const char *what, int prefix)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "expectations"))
    {
        const char *w = fs__report_str(e, "what"), *exp = fs__report_str(e, "expected");
        int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "ok"));

        if (w == NULL || (prefix ? strncmp(w, what, strlen(what)) != 0 : strcmp(w, what) != 0))
            continue;
        fs__report_buf_printf(b, "<span class=\"mark %s\" title=\"expected ", ok ? "ok" : "bad");
        fs__report_buf_html(b, exp ? exp : "?");
        fs__report_buf_printf(b, "\">%s</span>", ok ? "\xe2\x9c\x93" : "\xe2\x9c\x97");
        if (prefix || !ok) {
            fs__report_buf_puts(b, "<span class=\"exp\">");
            fs__report_buf_html(b, ok ? "" : "expected ");
            fs__report_buf_html(b, exp ? exp : "?");
            fs__report_buf_puts(b, "</span>");
        }
    }
}

/* The interfaces of every document, first seen first. */
static size_t fs__html_ifaces(const cJSON *const *docs, size_t n, const char **out)
{
    size_t k = 0;

    for (size_t d = 0; d < n; d++) {
        const cJSON *v;

        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(docs[d], "verdicts"))
        {
            size_t i;

            if (v->string == NULL)
                continue;
            for (i = 0; i < k && strcmp(out[i], v->string) != 0; i++)
                ;
            if (i == k && k < FS_HTML_MAX_IFACES)
                out[k++] = v->string;
        }
    }
    return k;
}

static void fs__html_chain(fs__report_buf_t *b, const cJSON *doc)
{
    const cJSON *s, *path = cJSON_GetObjectItemCaseSensitive(doc, "cascade_path");
    int i = 0;

    cJSON_ArrayForEach(s, path)
    {
        if (!cJSON_IsString(s))
            continue;
        fs__report_buf_puts(b, i++ ? " \xe2\x86\x92 " : "<code>");
        fs__report_buf_html(b, s->valuestring);
    }
    fs__report_buf_puts(b, i ? "</code>" : "none");
}

/* A row of per-posture values below the interfaces. */
typedef enum { FS_ROW_SHARE, FS_ROW_MS, FS_ROW_RECOVERED, FS_ROW_CHAIN, FS_ROW_HELD } fs__row_t;

static void fs__html_row(fs__report_buf_t *b, const cJSON *const *docs, size_t n, const char *label,
                         fs__row_t kind, const char *key, const char *expect, int sep)
{
    fs__report_buf_printf(b, "<tr%s><th>%s</th>", sep ? " class=\"sep\"" : "", label);
    for (size_t d = 0; d < n; d++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(docs[d], key);
        int held, total;

        fs__report_buf_puts(b, "<td>");
        switch (kind) {
        case FS_ROW_SHARE:
            fs__report_buf_share(b, v);
            break;
        case FS_ROW_MS:
            fs__report_buf_ms(b, v);
            break;
        case FS_ROW_RECOVERED:
            /* A run that ended early never had the time to recover in. */
            fs__report_buf_puts(b, cJSON_IsTrue(v)     ? "yes"
                                   : !cJSON_IsFalse(v) ? "\xe2\x80\x93 (nothing broke)"
                                   : fs__report_ended_early(docs[d])
                                       ? "<strong>no</strong>: still broken when the run was "
                                         "stopped"
                                       : "<strong>no</strong>: still broken at the end");
            break;
        case FS_ROW_CHAIN:
            fs__html_chain(b, docs[d]);
            break;
        case FS_ROW_HELD:
            fs__report_held(docs[d], &held, &total);
            fs__report_buf_printf(b, "<span class=\"mark %s\">%d / %d</span>",
                                  held == total ? "ok" : "bad", held, total);
            break;
        }
        if (expect)
            fs__html_marks(b, docs[d], expect, 1);
        fs__report_buf_puts(b, "</td>");
    }
    fs__report_buf_puts(b, "</tr>\n");
}

static void fs__html_posture_name(fs__report_buf_t *b, const cJSON *doc)
{
    const char *p = fs__report_str(doc, "posture");
    fs__report_buf_html(b, p ? p : "(posture?)");
}

/* A section with a table whose columns are the postures. */
static void fs__html_table_head(fs__report_buf_t *b, const cJSON *const *docs, size_t n,
                                const char *title, const char *id, const char *first)
{
    fs__report_buf_printf(b,
                          "<section><h2>%s</h2>\n<table class=\"verdicts\" id=\"%s\"><thead>"
                          "<tr><th>%s</th>",
                          title, id, first);
    for (size_t d = 0; d < n; d++) {
        fs__report_buf_puts(b, "<th>");
        fs__html_posture_name(b, docs[d]);
        fs__report_buf_puts(b, "</th>");
    }
    fs__report_buf_puts(b, "</tr></thead><tbody>\n");
}

static void fs__html_verdicts(fs__report_buf_t *b, const cJSON *const *docs, size_t n)
{
    const char *ifaces[FS_HTML_MAX_IFACES];
    size_t k = fs__html_ifaces(docs, n, ifaces);

    fs__html_table_head(b, docs, n, "Verdicts", "verdict-table", "interface");
    for (size_t i = 0; i < k; i++) {
        char what[256];

        fs__report_buf_puts(b, "<tr><th>");
        fs__report_buf_html(b, ifaces[i]);
        fs__report_buf_puts(b, "</th>");
        snprintf(what, sizeof(what), "interfaces.%s", ifaces[i]);
        for (size_t d = 0; d < n; d++) {
            const char *v =
                fs__report_str(cJSON_GetObjectItemCaseSensitive(docs[d], "verdicts"), ifaces[i]);

            fs__report_buf_printf(b, "<td><span class=\"v v-%s\">", fs__html_verdict_class(v));
            fs__report_buf_html(b, v ? v : "\xe2\x80\x93");
            fs__report_buf_puts(b, "</span>");
            fs__html_marks(b, docs[d], what, 0);
            fs__report_buf_puts(b, "</td>");
        }
        fs__report_buf_puts(b, "</tr>\n");
    }
    if (k == 0)
        fs__report_buf_printf(b,
                              "<tr><td colspan=\"%zu\" class=\"note\">no interface verdicts "
                              "(the run ended before any)</td></tr>\n",
                              n + 1);
    fs__html_row(b, docs, n, "blast radius", FS_ROW_SHARE, "blast_radius", "blast_radius.", 1);
    fs__html_row(b, docs, n, "bad config share", FS_ROW_SHARE, "bad_config_share", NULL, 0);
    fs__html_row(b, docs, n, "degraded share", FS_ROW_SHARE, "degraded_share", "degraded_share.",
                 0);
    fs__html_row(b, docs, n, "time to detect", FS_ROW_MS, "time_to_detect_ms", "time_to_detect.",
                 0);
    fs__html_row(b, docs, n, "time to recover", FS_ROW_MS, "time_to_recover_ms", "time_to_recover.",
                 0);
    fs__html_row(b, docs, n, "recovered", FS_ROW_RECOVERED, "recovered", NULL, 0);
    fs__html_row(b, docs, n, "cascade path", FS_ROW_CHAIN, "cascade_path", NULL, 0);
    fs__html_row(b, docs, n, "expectations held", FS_ROW_HELD, "expectations", NULL, 1);
    fs__report_buf_puts(
        b, "</tbody></table>\n<p class=\"legend\"><span><span class=\"mark ok\">\xe2\x9c\x93"
           "</span> expectation held</span><span><span class=\"mark bad\">\xe2\x9c\x97</span> "
           "expectation failed</span><span>no mark: the scenario expects nothing there</span>"
           "<span>cascade path: broken interfaces from the fault towards users</span></p>"
           "</section>\n");
}

/* An inlined chart, or a line saying why it is missing. */
static void fs__html_chart(fs__report_buf_t *b, const char *base_dir, const char *rel,
                           const char *prefix)
{
    char path[4096];
    int rc;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", base_dir, rel) >= sizeof(path))
        rc = -ENAMETOOLONG;
    else
        rc = fs__html_inline_svg(b, path, prefix);
    if (rc == 0)
        return;
    fs__report_buf_puts(b, "<p class=\"note\">");
    fs__report_buf_html(b, rel);
    fs__report_buf_puts(b, rc == 1 ? ": not rendered (gnuplot missing?); its .dat and .gp files "
                                     "are beside it"
                                   : ": left out (unreadable, or not a plain gnuplot chart)");
    fs__report_buf_puts(b, "</p>\n");
}

static void fs__html_events(fs__report_buf_t *b, const cJSON *events, int startup, int *shown)
{
    const cJSON *ev;

    fs__report_buf_puts(b, "<div class=\"timeline\"><table><thead><tr><th>t (s)</th>"
                           "<th>kind</th><th>source</th><th>what</th></tr></thead><tbody>\n");
    cJSON_ArrayForEach(ev, events)
    {
        double t = 0;
        int have_t = fs__report_num(ev, "t_ms", &t) == 0;
        const char *kind = fs__report_str(ev, "kind");

        if ((have_t && t < 0) != startup)
            continue;
        if (*shown == FS_HTML_MAX_EVENTS)
            break;
        (*shown)++;
        fs__report_buf_printf(b, "<tr class=\"%s%s\"><td class=\"t\">", fs__html_event_class(kind),
                              startup ? " ev-pre" : "");
        if (have_t)
            fs__report_buf_printf(b, "%.3f", t / 1000);
        fs__report_buf_puts(b, "</td><td class=\"k\">");
        fs__report_buf_html(b, kind);
        fs__report_buf_puts(b, "</td><td>");
        fs__report_buf_html(b, fs__report_str(ev, "source"));
        fs__report_buf_puts(b, "</td><td>");
        fs__report_buf_html(b, fs__report_str(ev, "what"));
        fs__report_buf_puts(b, "</td></tr>\n");
    }
    fs__report_buf_puts(b, "</tbody></table></div>\n");
}

/* The run's events from the start of the load; the fleet's start-up
 * (negative times) folded away, as it rarely explains anything. */
static void fs__html_timeline(fs__report_buf_t *b, const cJSON *doc)
{
    const cJSON *ev, *events = cJSON_GetObjectItemCaseSensitive(doc, "events");
    int shown = 0, total = 0, startup = 0;

    cJSON_ArrayForEach(ev, events)
    {
        double t;
        total++;
        startup += fs__report_num(ev, "t_ms", &t) == 0 && t < 0;
    }
    if (total == 0) {
        fs__report_buf_puts(b, "<p class=\"note\">no events</p>\n");
        return;
    }
    fs__html_events(b, events, 0, &shown);
    if (startup > 0) {
        fs__report_buf_printf(b,
                              "<details><summary>fleet start-up: %d events before the load"
                              "</summary>\n",
                              startup);
        fs__html_events(b, events, 1, &shown);
        fs__report_buf_puts(b, "</details>\n");
    }
    if (total > shown)
        fs__report_buf_printf(b, "<p class=\"note\">%d more events in results.json</p>\n",
                              total - shown);
}

static void fs__html_posture(fs__report_buf_t *b, const cJSON *doc, size_t idx,
                             const char *base_dir)
{
    const char *posture = fs__report_str(doc, "posture");
    const char *status = fs__report_str(doc, "status");
    int aborted = status && strcmp(status, "aborted") == 0;
    char rel[128], prefix[32], st[64];

    fs__report_buf_puts(b, "<section class=\"posture\"><h2>");
    fs__html_posture_name(b, doc);
    fs__report_buf_printf(b, "<span class=\"status %s\">", aborted ? "aborted" : "completed");
    fs__report_buf_html(b, fs__report_status(doc, st, sizeof(st)));
    fs__report_buf_puts(b, "</span></h2>\n<h3>Cascade over the dependency graph</h3>\n");
    fs__html_graph(b, doc, idx);
    fs__report_buf_puts(
        b, "<p class=\"legend\"><span><i style=\"background:#c0392b\"></i>broken / cascaded"
           "</span><span><i style=\"background:#e09b00\"></i>failed small (contained)</span>"
           "<span><i style=\"background:#9aa3ab\"></i>unaffected</span><span>thick, numbered: "
           "the cascade path</span></p>\n");
    for (int c = 0; c < 2; c++) {
        static const char *const chart[] = {"health", "users"};
        static const char *const title[] = {"Health per interface", "What users felt"};

        fs__report_buf_printf(b, "<h3>%s</h3>\n<div class=\"chart\">", title[c]);
        if (fs__report_safe_name(posture)) {
            snprintf(rel, sizeof(rel), "%s/charts/%s.svg", posture, chart[c]);
            snprintf(prefix, sizeof(prefix), "c%zu%s", idx, chart[c]);
            fs__html_chart(b, base_dir, rel, prefix);
        } else {
            fs__report_buf_puts(b, "<p class=\"note\">no charts: the posture name is not a plain "
                                   "folder name</p>");
        }
        fs__report_buf_puts(b, "</div>\n");
    }
    fs__report_buf_puts(b, "<h3>Timeline</h3>\n");
    fs__html_timeline(b, doc);
    fs__report_buf_puts(b, "</section>\n");
}

/* One row per stop condition, one column per posture: how close each run
 * came, and which one stopped. */
static void fs__html_stops(fs__report_buf_t *b, const cJSON *const *docs, size_t n)
{
    const cJSON *conds = n > 0 ? fs__report_stops(docs[0]) : NULL, *c;
    char text[192];
    int i = 0;

    if (cJSON_GetArraySize(conds) == 0)
        return;
    fs__html_table_head(b, docs, n, "Stop conditions", "stop-table", "condition");
    cJSON_ArrayForEach(c, conds)
    {
        fs__report_buf_printf(b, "<tr><th><code>abort_if[%d]</code> ", i);
        fs__report_buf_html(b, fs__report_stop_text(c, text, sizeof(text)));
        fs__report_buf_puts(b, "</th>");
        for (size_t d = 0; d < n; d++) {
            const cJSON *mine = cJSON_GetArrayItem(fs__report_stops(docs[d]), i);
            int tripped = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(mine, "tripped"));

            fs__report_buf_printf(b, "<td><span class=\"v v-%s\">",
                                  tripped ? "cascaded" : "unaffected");
            fs__report_buf_html(b, mine ? fs__report_stop_peak(mine, text, sizeof(text))
                                        : "\xe2\x80\x93");
            fs__report_buf_puts(b, "</span></td>");
        }
        fs__report_buf_puts(b, "</tr>\n");
        i++;
    }
    fs__report_buf_puts(b, "</tbody></table></section>\n");
}

static void fs__html_header(fs__report_buf_t *b, const cJSON *const *docs, size_t n)
{
    const cJSON *sc = n > 0 ? cJSON_GetObjectItemCaseSensitive(docs[0], "scenario") : NULL;
    const char *name = fs__report_str(sc, "name"), *title = fs__report_str(sc, "title");
    const char *desc = fs__report_str(sc, "description"), *file = fs__report_str(sc, "file");
    int held = 0, total = 0, aborted = 0;
    double seed, nodes, dur;

    for (size_t d = 0; d < n; d++) {
        int h, t;
        const char *st = fs__report_str(docs[d], "status");

        fs__report_held(docs[d], &h, &t);
        held += h;
        total += t;
        aborted += st == NULL || !fs__report_judged_run(docs[d]);
    }
    fs__report_buf_puts(b, "<header><h1>");
    fs__report_buf_html(b, title ? title : name ? name : "failsmall run");
    fs__report_buf_puts(b, "</h1>\n<p class=\"meta\"><code>");
    fs__report_buf_html(b, name ? name : "(unnamed scenario)");
    fs__report_buf_puts(b, "</code>");
    if (file) {
        fs__report_buf_puts(b, " \xc2\xb7 <code>");
        fs__report_buf_html(b, file);
        fs__report_buf_puts(b, "</code>");
    }
    if (n > 0 && fs__report_num(docs[0], "seed", &seed) == 0)
        fs__report_buf_printf(b, " \xc2\xb7 seed %.0f", seed);
    if (n > 0 && fs__report_num(docs[0], "nodes", &nodes) == 0)
        fs__report_buf_printf(b, " \xc2\xb7 %.0f edge nodes", nodes);
    if (n > 0 && fs__report_num(docs[0], "duration_ms", &dur) == 0)
        fs__report_buf_printf(b, " \xc2\xb7 %.1f s of load", dur / 1000);
    fs__report_buf_puts(b, "</p>\n");
    if (desc) {
        fs__report_buf_puts(b, "<p class=\"desc\">");
        fs__report_buf_html(b, desc);
        fs__report_buf_puts(b, "</p>\n");
    }
    if (n == 0)
        fs__report_buf_puts(b, "<p class=\"overall bad\">no results</p>\n");
    else if (held == total && aborted == 0)
        fs__report_buf_printf(b, "<p class=\"overall ok\">every expectation held (%d / %d)</p>\n",
                              held, total);
    else
        fs__report_buf_printf(b, "<p class=\"overall bad\">%d of %d expectations failed%s</p>\n",
                              total - held, total, aborted ? "; a run did not complete" : "");
    fs__report_buf_puts(b, "</header>\n");
    for (size_t d = 0; d < n; d++) {
        const char *st = fs__report_str(docs[d], "status");
        const char *why = fs__report_str(docs[d], "abort_reason");

        if (st && strcmp(st, "completed") == 0)
            continue;
        if (fs__report_stopped(docs[d])) {
            fs__report_buf_puts(b, "<div class=\"banner\" id=\"stopped\">");
            fs__html_posture_name(b, docs[d]);
            fs__report_buf_puts(b, ": stopped early by a stop condition: ");
            fs__report_buf_html(b, why ? why : "no reason given");
            fs__report_buf_puts(b, ". Every fault was reverted, the load and the fleet stopped; "
                                   "the verdicts cover the run up to then.</div>\n");
            continue;
        }
        fs__report_buf_puts(b, "<div class=\"banner\">");
        fs__html_posture_name(b, docs[d]);
        fs__report_buf_puts(b, ": the run was ");
        fs__report_buf_html(b, st ? st : "not completed");
        if (why) {
            fs__report_buf_puts(b, " (");
            fs__report_buf_html(b, why);
            fs__report_buf_puts(b, ")");
        }
        fs__report_buf_puts(b, "; its results are partial.</div>\n");
    }
}

int fs_report_html(const cJSON *const *docs, size_t n, const char *base_dir, const char *path,
                   char *err, size_t errlen)
{
    fs__report_buf_t b = {0};
    const cJSON *sc = n > 0 ? cJSON_GetObjectItemCaseSensitive(docs[0], "scenario") : NULL;
    const char *title = fs__report_str(sc, "title");
    int rc;

    fs__report_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                            "<meta name=\"viewport\" content=\"width=device-width, "
                            "initial-scale=1\">\n<title>failsmall: ");
    fs__report_buf_html(&b, title ? title : fs__report_str(sc, "name"));
    fs__report_buf_printf(&b, "</title>\n<style>\n%s</style></head>\n<body><main>\n", fs__html_css);
    fs__html_header(&b, docs, n);
    fs__html_verdicts(&b, docs, n);
    fs__html_stops(&b, docs, n);
    if (n > 1) {
        fs__report_buf_puts(&b, "<section class=\"wide\"><h2>Postures on the same axes</h2>\n"
                                "<div class=\"chart\">");
        fs__html_chart(&b, base_dir, "charts/compare.svg", "cmp");
        fs__report_buf_puts(&b, "</div></section>\n");
    }
    fs__report_buf_printf(&b,
                          "<div class=\"postures\" style=\"grid-template-columns:repeat(%zu,"
                          "minmax(0,1fr))\">\n",
                          n > 0 ? n : 1);
    for (size_t d = 0; d < n; d++)
        fs__html_posture(&b, docs[d], d, base_dir);
    fs__report_buf_puts(&b, "</div>\n<footer>Written by failsmall from results.json");
    if (n > 0 && fs__report_str(docs[0], "schema")) {
        fs__report_buf_puts(&b, " (");
        fs__report_buf_html(&b, fs__report_str(docs[0], "schema"));
        fs__report_buf_puts(&b, ")");
    }
    fs__report_buf_puts(&b, "; charts rendered by gnuplot from the .dat and .gp files in each "
                            "posture's charts folder.</footer>\n</main></body></html>\n");
    rc = fs__report_buf_write(&b, path, err, errlen);
    fs__report_buf_free(&b);
    return rc;
}
