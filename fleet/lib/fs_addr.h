/* Listen/upstream addresses. The fleet binds and calls loopback only: a
 * chaos harness must never be able to reach or expose anything else. */
#ifndef FS_ADDR_H
#define FS_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

#define FS_ADDR_STRLEN 64

/* Parses "HOST:PORT" where HOST is 127.x.y.z, "localhost" or "[::1]" and
 * PORT is 0-65535 (0 = let the kernel pick). Fills *out. Returns 0, -EINVAL
 * for a syntax error or -EADDRNOTAVAIL for a non-loopback host; err gets a
 * message naming the text. */
int fs_addr_parse(const char *text, struct sockaddr_storage *out, char *err, size_t errlen);

/* Formats sa as "HOST:PORT" into buf (FS_ADDR_STRLEN bytes is enough). */
int fs_addr_format(const struct sockaddr *sa, char *buf, size_t len);

/* 1 when sa is 127.0.0.0/8 or ::1, else 0 (::ffff:127.x included: a
 * mapped address is not what fs_addr_parse would ever give). */
int fs_addr_is_loopback(const struct sockaddr *sa);

/* Port of sa in host byte order. */
int fs_addr_port(const struct sockaddr *sa);

#endif
