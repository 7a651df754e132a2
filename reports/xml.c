#include "xml.h"

#include <string.h>

size_t fs_xml_utf8_next(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t c = u[0], min;
    size_t n;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2, c &= 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3, c &= 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        *cp = 0xfffd;
        return 1;
    }
    /* A continuation byte is never NUL, so this stops at the end too. */
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80) {
            *cp = 0xfffd;
            return 1;
        }
        c = (c << 6) | (u[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        *cp = 0xfffd;
        return 1;
    }
    *cp = c;
    return n;
}

static void fs__xml_put_cp(fs__report_buf_t *b, uint32_t c)
{
    char u[4];

    if (c < 0x80) {
        u[0] = (char)c;
        fs__report_buf_add(b, u, 1);
    } else if (c < 0x800) {
        u[0] = (char)(0xc0 | (c >> 6));
        u[1] = (char)(0x80 | (c & 0x3f));
        fs__report_buf_add(b, u, 2);
    } else if (c < 0x10000) {
        u[0] = (char)(0xe0 | (c >> 12));
        u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        u[2] = (char)(0x80 | (c & 0x3f));
        fs__report_buf_add(b, u, 3);
    } else {
        u[0] = (char)(0xf0 | (c >> 18));
        u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
        u[3] = (char)(0x80 | (c & 0x3f));
        fs__report_buf_add(b, u, 4);
    }
}

void fs_xml_escape(fs__report_buf_t *b, const char *s)
{
    while (s != NULL && *s != '\0') {
        uint32_t c;
        s += fs_xml_utf8_next(s, &c);
        switch (c) {
        case '&':
            fs__report_buf_puts(b, "&amp;");
            break;
        case '<':
            fs__report_buf_puts(b, "&lt;");
            break;
        case '>':
            fs__report_buf_puts(b, "&gt;");
            break;
        case '"':
            fs__report_buf_puts(b, "&quot;");
            break;
        case '\'':
            fs__report_buf_puts(b, "&apos;");
            break;
        case '\t':
        case '\n':
        case '\r':
            fs__report_buf_printf(b, "&#%u;", (unsigned)c);
            break;
        default:
            /* XML 1.0 cannot carry these even as references; C1 controls
             * it allows but no reader shows them usefully. */
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xfffe || c == 0xffff)
                break;
            fs__xml_put_cp(b, c);
        }
    }
}

void fs_xml_md_escape(fs__report_buf_t *b, const char *s)
{
    while (s != NULL && *s != '\0') {
        uint32_t c;
        s += fs_xml_utf8_next(s, &c);
        if (c == '<') {
            fs__report_buf_puts(b, "&lt;");
        } else if (c == '&') {
            fs__report_buf_puts(b, "&amp;");
        } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            /* A newline would end the table row or the paragraph. */
            fs__report_buf_add(b, " ", 1);
        } else if (c < 0x80 && strchr("\\`*_[]|~$", (int)c) != NULL) {
            char esc[2] = {'\\', (char)c};
            fs__report_buf_add(b, esc, 2);
        } else {
            fs__xml_put_cp(b, c);
        }
    }
}
