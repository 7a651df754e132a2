/* The fleet services in-process for the HTTP fuzz targets: one fresh loop
 * per input, the service under test bound to 127.0.0.1 port 0 with its
 * upstreams (real in-process services, or a port that refuses), the input
 * written as the raw request bytes over a real loopback connection, and
 * everything torn down again so nothing leaks from one input to the next.
 * The hardened posture throughout (docs/DESIGN.md, "Fuzzing"). */
#ifndef FZ_FLEET_H
#define FZ_FLEET_H

#include <stddef.h>
#include <stdint.h>

typedef enum { FZ_ORIGIN, FZ_CONFIGSTORE, FZ_BOTMOD, FZ_PROXY, FZ_DASHBOARD } fz_service_t;

/* Starts svc (and its upstreams), sends data[0..size) to it, reads every
 * answer until it closes, then stops and frees it all. Aborts when the
 * fleet cannot start or does not wind down cleanly: that is a finding too. */
void fz_fleet_serve(fz_service_t svc, const uint8_t *data, size_t size);

#endif
