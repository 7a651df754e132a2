/* A run of several scenarios gets a front page (index.html) and one
 * Markdown table, each line a scenario × posture, so a reviewer sees at
 * once which scenario to open. */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report_util.h"
#include "xml.h"

static const char fs__suite_css[] =
    "body{margin:0;background:#f4f6f7;color:#1c2833;"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif}\n"
    "main{max-width:1200px;margin:0 auto;padding:18px 24px}\n"
    "table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d5d8dc}\n"
    "th,td{border-bottom:1px solid #eaecee;padding:6px 10px;text-align:left;"
    "vertical-align:top}\n"
    "thead th{background:#f8f9f9}code{font-family:ui-monospace,Menlo,Consolas,monospace}\n"
    ".ok{color:#1e8449;font-weight:700}.bad{color:#c0392b;font-weight:700}\n"
    ".line{display:block}.muted{color:#5d6d7e}\n";

/* A relative link target: every byte outside a small safe set
 * percent-encoded, so a folder name can neither end the attribute nor turn
 * into a scheme ("javascript:"). */
static void fs__suite_href(fs__report_buf_t *b, const char *rel, const char *file)
{
    for (const char *p = rel; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '/' || c == '~')
            fs__report_buf_add(b, p, 1);
        else
            fs__report_buf_printf(b, "%%%02X", c);
    }
    if (*rel && rel[strlen(rel) - 1] != '/')
        fs__report_buf_puts(b, "/");
    fs__report_buf_puts(b, file);
}

/* Markdown text inside a table cell: the characters that could start
 * emphasis, code, a link, an HTML tag or entity, or end the cell are
 * backslash-escaped (CommonMark allows it for any punctuation); line breaks
 * flattened. */
static void fs__suite_md(fs__report_buf_t *b, const char *s)
{
    while (s && *s) {
        unsigned char c = (unsigned char)*s;
        uint32_t cp;
        size_t n = 1;

        if (c < 0x20 || c == 0x7f)
            fs__report_buf_puts(b, " ");
        else if (strchr("\\`*_{}[]<>|&~!#", (int)c) != NULL)
            fs__report_buf_printf(b, "\\%c", c);
        else if (c >= 0x80 && (n = fs_xml_utf8_next(s, &cp)) == 1)
            fs__report_buf_puts(b, FS__REPORT_REPLACEMENT); /* not UTF-8 */
        else
            fs__report_buf_add(b, s, n);
        s += n;
    }
}

static const char *fs__suite_name(const cJSON *const *set, size_t n)
{
    const cJSON *sc = n > 0 ? cJSON_GetObjectItemCaseSensitive(set[0], "scenario") : NULL;
    const char *name = fs__report_str(sc, "name");

    return name ? name : "(unnamed scenario)";
}

/* "legacy: 5/5 held · blast radius 92.66 % · cascade a → b" for one
 * document, HTML-escaped. */
static void fs__suite_line(fs__report_buf_t *b, const cJSON *doc)
{
    const char *posture = fs__report_str(doc, "posture"), *status = fs__report_str(doc, "status");
    const cJSON *s, *path = cJSON_GetObjectItemCaseSensitive(doc, "cascade_path");
    int held, total, i = 0;
    char st[64];

    fs__report_held(doc, &held, &total);
    fs__report_buf_puts(b, "<span class=\"line\"><strong>");
    fs__report_buf_html(b, posture ? posture : "?");
    fs__report_buf_printf(b, "</strong>: <span class=\"%s\">%d/%d held</span>",
                          held == total ? "ok" : "bad", held, total);
    if (status == NULL || strcmp(status, "completed") != 0) {
        /* A stop that was expected is no failure: the expectation says. */
        fs__report_buf_printf(b, " \xc2\xb7 <span class=\"%s\">",
                              fs__report_stopped(doc) && held == total ? "ok" : "bad");
        fs__report_buf_html(b, fs__report_status(doc, st, sizeof(st)));
        fs__report_buf_puts(b, "</span>");
    }
    fs__report_buf_puts(b, " \xc2\xb7 blast radius ");
    fs__report_buf_share(b, cJSON_GetObjectItemCaseSensitive(doc, "blast_radius"));
    cJSON_ArrayForEach(s, path)
    {
        if (!cJSON_IsString(s))
            continue;
        fs__report_buf_puts(b, i++ ? " \xe2\x86\x92 " : " \xc2\xb7 cascade <code>");
        fs__report_buf_html(b, s->valuestring);
    }
    if (i)
        fs__report_buf_puts(b, "</code>");
    fs__report_buf_puts(b, "</span>");
}

static int fs__suite_index(const cJSON *const *const *sets, const size_t *nsets,
                           const char *const *rel, size_t ns, const char *path, char *err,
                           size_t errlen)
{
    fs__report_buf_t b = {0};
    size_t failing = 0;
    int rc;

    for (size_t s = 0; s < ns; s++) {
        for (size_t d = 0; d < nsets[s]; d++) {
            int held, total;
            const char *st = fs__report_str(sets[s][d], "status");

            fs__report_held(sets[s][d], &held, &total);
            if (held != total || st == NULL || !fs__report_judged_run(sets[s][d])) {
                failing++;
                break;
            }
        }
    }
    fs__report_buf_printf(&b,
                          "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                          "<meta name=\"viewport\" content=\"width=device-width, "
                          "initial-scale=1\">\n<title>failsmall: %zu scenarios</title>\n"
                          "<style>\n%s</style></head>\n<body><main>\n"
                          "<h1>failsmall: %zu scenarios</h1>\n<p class=\"%s\">%s</p>\n"
                          "<table id=\"suite-table\"><thead><tr><th>scenario</th>"
                          "<th>verdicts</th></tr></thead><tbody>\n",
                          ns, fs__suite_css, ns, failing ? "bad" : "ok",
                          failing ? "some expectations failed" : "every expectation held");
    for (size_t s = 0; s < ns; s++) {
        const cJSON *sc =
            nsets[s] > 0 ? cJSON_GetObjectItemCaseSensitive(sets[s][0], "scenario") : NULL;
        const char *title = fs__report_str(sc, "title");

        fs__report_buf_puts(&b, "<tr><td><a href=\"");
        fs__suite_href(&b, rel[s] ? rel[s] : "", "report.html");
        fs__report_buf_puts(&b, "\"><code>");
        fs__report_buf_html(&b, fs__suite_name(sets[s], nsets[s]));
        fs__report_buf_puts(&b, "</code></a>");
        if (title) {
            fs__report_buf_puts(&b, "<br><span class=\"muted\">");
            fs__report_buf_html(&b, title);
            fs__report_buf_puts(&b, "</span>");
        }
        fs__report_buf_puts(&b, "</td><td>");
        for (size_t d = 0; d < nsets[s]; d++)
            fs__suite_line(&b, sets[s][d]);
        if (nsets[s] == 0)
            fs__report_buf_puts(&b, "<span class=\"bad\">no results</span>");
        fs__report_buf_puts(&b, "</td></tr>\n");
    }
    fs__report_buf_puts(&b, "</tbody></table>\n</main></body></html>\n");
    rc = fs__report_buf_write(&b, path, err, errlen);
    fs__report_buf_free(&b);
    return rc;
}

static int fs__suite_markdown(const cJSON *const *const *sets, const size_t *nsets,
                              const char *const *rel, size_t ns, const char *path, char *err,
                              size_t errlen)
{
    fs__report_buf_t b = {0};
    int rc;

    fs__report_buf_printf(&b,
                          "# failsmall: %zu scenarios\n\n"
                          "| scenario | posture | status | expectations held | blast radius |\n"
                          "|---|---|---|---|---|\n",
                          ns);
    for (size_t s = 0; s < ns; s++) {
        for (size_t d = 0; d < nsets[s]; d++) {
            const cJSON *doc = sets[s][d];
            char st[64];
            int held, total;

            fs__report_held(doc, &held, &total);
            fs__report_buf_puts(&b, "| [");
            fs__suite_md(&b, fs__suite_name(sets[s], nsets[s]));
            fs__report_buf_puts(&b, "](");
            fs__suite_href(&b, rel[s] ? rel[s] : "", "report.html");
            fs__report_buf_puts(&b, ") | ");
            fs__suite_md(&b, fs__report_str(doc, "posture"));
            fs__report_buf_puts(&b, " | ");
            fs__suite_md(&b, fs__report_status(doc, st, sizeof(st)));
            fs__report_buf_printf(&b, " | %s %d/%d | ",
                                  held == total ? "\xe2\x9c\x85" : "\xe2\x9d\x8c", held, total);
            fs__report_buf_share(&b, cJSON_GetObjectItemCaseSensitive(doc, "blast_radius"));
            fs__report_buf_puts(&b, " |\n");
        }
        if (nsets[s] == 0) {
            fs__report_buf_puts(&b, "| ");
            fs__suite_md(&b, rel[s] ? rel[s] : "?");
            fs__report_buf_puts(&b, " | \xe2\x80\x93 | no results | \xe2\x9d\x8c 0/0 | "
                                    "\xe2\x80\x93 |\n");
        }
    }
    rc = fs__report_buf_write(&b, path, err, errlen);
    fs__report_buf_free(&b);
    return rc;
}

int fs_report_suite(const cJSON *const *const *sets, const size_t *nsets, const char *const *rel,
                    size_t nscenarios, const char *dir, char *err, size_t errlen)
{
    char path[4096];
    int rc;

    if ((size_t)snprintf(path, sizeof(path), "%s/index.html", dir) >= sizeof(path)) {
        snprintf(err, errlen, "%s: path too long", dir);
        return -ENAMETOOLONG;
    }
    if ((rc = fs__suite_index(sets, nsets, rel, nscenarios, path, err, errlen)) < 0)
        return rc;
    snprintf(path, sizeof(path), "%s/summary.md", dir);
    return fs__suite_markdown(sets, nsets, rel, nscenarios, path, err, errlen);
}
