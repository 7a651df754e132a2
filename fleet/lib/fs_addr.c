/* Loopback-only address parsing: literal addresses through inet_pton and the
 * one name "localhost", never DNS, so nothing can resolve to the outside. */
#include "fs_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define FS_ADDR_LOOPBACK_ONLY "(failsmall binds and calls 127.0.0.0/8 and ::1 only)"

/* Port text: 1-5 digits, at most 65535. Returns the port or -1. */
static long fs__addr_port(const char *s)
{
    long v = 0;
    size_t i;

    for (i = 0; s[i]; i++) {
        if (s[i] < '0' || s[i] > '9' || i >= 5)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return i == 0 || v > 65535 ? -1 : v;
}

/* Whether s could be a host name; anything else is junk, not a name. */
static int fs__addr_hostname_chars(const char *s)
{
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '-' || *s == '_'))
            return 0;
    }
    return 1;
}

int fs_addr_parse(const char *text, struct sockaddr_storage *out, char *err, size_t errlen)
{
    char host[FS_ADDR_STRLEN];
    const char *colon, *hstart, *hend;
    size_t hlen;
    long port;

    memset(out, 0, sizeof(*out));
    if (text == NULL || *text == '\0') {
        snprintf(err, errlen, "empty address: expected 127.0.0.1:PORT");
        return -EINVAL;
    }
    if (text[0] == '[') {
        hstart = text + 1;
        hend = strchr(hstart, ']');
        if (hend == NULL || hend[1] != ':') {
            snprintf(err, errlen, "\"%s\": expected [::1]:PORT", text);
            return -EINVAL;
        }
        colon = hend + 1;
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL) {
            snprintf(err, errlen, "\"%s\": missing port: expected HOST:PORT", text);
            return -EINVAL;
        }
        hstart = text;
        hend = colon;
        if (memchr(hstart, ':', (size_t)(hend - hstart)) != NULL) {
            snprintf(err, errlen, "\"%s\": IPv6 addresses need brackets, as in [::1]:PORT", text);
            return -EINVAL;
        }
    }
    port = fs__addr_port(colon + 1);
    if (port < 0) {
        snprintf(err, errlen, "\"%s\": port must be a number from 0 to 65535", text);
        return -EINVAL;
    }
    hlen = (size_t)(hend - hstart);
    if (hlen == 0 || hlen >= sizeof(host)) {
        snprintf(err, errlen, "\"%s\": %s host", text, hlen == 0 ? "missing" : "overlong");
        return -EINVAL;
    }
    memcpy(host, hstart, hlen);
    host[hlen] = '\0';

    if (text[0] == '[') {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;

        if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {
            snprintf(err, errlen, "\"%s\": not an IPv6 address", text);
            goto inval;
        }
        if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
            goto not_loopback;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        return 0;
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *)out;

        if (strcasecmp(host, "localhost") == 0) {
            sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        } else if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
            if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
                goto not_loopback;
        } else if (fs__addr_hostname_chars(host)) {
            goto not_loopback; /* a name other than localhost: never resolved */
        } else {
            snprintf(err, errlen, "\"%s\": not a host name or address", text);
            goto inval;
        }
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        return 0;
    }

not_loopback:
    memset(out, 0, sizeof(*out));
    snprintf(err, errlen, "\"%s\": not a loopback address " FS_ADDR_LOOPBACK_ONLY, text);
    return -EADDRNOTAVAIL;
inval:
    memset(out, 0, sizeof(*out));
    return -EINVAL;
}

int fs_addr_is_loopback(const struct sockaddr *sa)
{
    if (sa == NULL)
        return 0;
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
    return 0;
}

int fs_addr_format(const struct sockaddr *sa, char *buf, size_t len)
{
    char host[INET6_ADDRSTRLEN];
    int n;

    if (len > 0)
        buf[0] = '\0';
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

        inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
        n = snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

        inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
        n = snprintf(buf, len, "[%s]:%u", host, ntohs(sin6->sin6_port));
    } else {
        return -EAFNOSUPPORT;
    }
    return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int fs_addr_port(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)sa)->sin_port);
    if (sa->sa_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    return -EAFNOSUPPORT;
}
