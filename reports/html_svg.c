/* gnuplot's SVG files become part of report.html. Inline SVG in HTML needs
 * no XML prolog or namespace declarations, and the page must stay
 * self-contained and script-free whatever lies in the charts folder, so the
 * file is checked and lightly rewritten rather than pasted. */
#include "html.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FS_SVG_MAX (16u << 20)

/* Case-insensitive search for what a page must never carry. */
static int fs__svg_forbidden(const char *s)
{
    static const char *const bad[] = {"<script", "javascript:", "<foreignobject",
                                      "<iframe", "<object",     "<embed",
                                      "<image",  "<!entity",    "@import",
                                      "http:",   "https:",      "//www.",
                                      "<a ",     "data:",       NULL};

    for (const char *p = s; *p; p++) {
        for (int i = 0; bad[i]; i++) {
            if (strncasecmp(p, bad[i], strlen(bad[i])) == 0)
                return 1;
        }
        /* An event handler attribute: whitespace, "on", letters, '='. */
        if (isspace((unsigned char)p[0]) && (p[1] == 'o' || p[1] == 'O') &&
            (p[2] == 'n' || p[2] == 'N') && isalpha((unsigned char)p[3])) {
            const char *q = p + 3;
            while (isalpha((unsigned char)*q))
                q++;
            while (isspace((unsigned char)*q))
                q++;
            if (*q == '=')
                return 1;
        }
    }
    return 0;
}

/* At p, an attribute named name (preceded by whitespace) with a quoted
 * value: returns the value's opening quote, else NULL. */
static const char *fs__svg_attr(const char *p, const char *name)
{
    size_t n = strlen(name);

    if (!isspace((unsigned char)p[0]) || strncmp(p + 1, name, n) != 0)
        return NULL;
    p += 1 + n;
    if (*p != '=')
        return NULL;
    p++;
    return *p == '"' || *p == '\'' ? p : NULL;
}

/* Copies the <svg> element from text into b, rewritten (see html.h). */
static int fs__svg_rewrite(fs__report_buf_t *b, const char *text, const char *prefix)
{
    const char *p = strstr(text, "<svg"), *end, *run;

    if (p == NULL || (end = strstr(p, "</svg>")) == NULL)
        return -EINVAL;
    end += strlen("</svg>");
    run = p;
    while (p < end) {
        const char *q, *close;

        if (strncmp(p, "<!--", 4) == 0) {
            close = strstr(p + 4, "-->");
            if (close == NULL || close >= end)
                return -EINVAL;
            fs__report_buf_add(b, run, (size_t)(p - run));
            p = run = close + 3;
            continue;
        }
        /* xmlns="..." and xmlns:xlink="...": the HTML parser knows SVG's
         * namespaces, and the URLs would be the page's only "links". */
        if (isspace((unsigned char)*p) && strncmp(p + 1, "xmlns", 5) == 0 &&
            (p[6] == '=' || p[6] == ':')) {
            q = strchr(p + 6, '=');
            if (q && (q[1] == '"' || q[1] == '\'') && (close = strchr(q + 2, q[1])) != NULL &&
                close < end) {
                fs__report_buf_add(b, run, (size_t)(p - run));
                p = run = close + 1;
                continue;
            }
        }
        if ((q = fs__svg_attr(p, "id")) != NULL) {
            fs__report_buf_add(b, run, (size_t)(q + 1 - run));
            fs__report_buf_printf(b, "%s-", prefix);
            p = run = q + 1;
            continue;
        }
        if ((q = fs__svg_attr(p, "xlink:href")) != NULL || (q = fs__svg_attr(p, "href")) != NULL) {
            if (q[1] != '#')
                return -EINVAL;
            fs__report_buf_add(b, run, (size_t)(q + 2 - run));
            fs__report_buf_printf(b, "%s-", prefix);
            p = run = q + 2;
            continue;
        }
        if (strncmp(p, "url(", 4) == 0) {
            q = p + 4;
            if (*q == '\'' || *q == '"')
                q++;
            if (*q != '#')
                return -EINVAL;
            fs__report_buf_add(b, run, (size_t)(q + 1 - run));
            fs__report_buf_printf(b, "%s-", prefix);
            p = run = q + 1;
            continue;
        }
        p++;
    }
    fs__report_buf_add(b, run, (size_t)(end - run));
    fs__report_buf_puts(b, "\n");
    return 0;
}

int fs__html_inline_svg(fs__report_buf_t *b, const char *path, const char *prefix)
{
    fs__report_buf_t tmp = {0};
    char *text = NULL;
    size_t len;
    int rc;

    rc = fs__report_read_file(path, FS_SVG_MAX, &text, &len);
    if (rc == -ENOENT)
        return 1;
    if (rc < 0)
        return rc;
    if (strlen(text) != len) {
        rc = -EINVAL;
        goto fail;
    }
    if ((rc = fs__svg_rewrite(&tmp, text, prefix)) < 0)
        goto fail;
    if (tmp.oom) {
        rc = -ENOMEM;
        goto fail;
    }
    if (fs__svg_forbidden(tmp.p)) {
        rc = -EPERM;
        goto fail;
    }
    fs__report_buf_add(b, tmp.p, tmp.len);
    free(text);
    fs__report_buf_free(&tmp);
    return 0;

fail:
    free(text);
    fs__report_buf_free(&tmp);
    return rc;
}
