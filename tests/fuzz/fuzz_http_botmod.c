/* libFuzzer target: the botmod service's HTTP request handling, in-process
 * over loopback (fz_fleet.h): the input is the raw bytes of its requests. */
#include <stddef.h>
#include <stdint.h>

#include "fz_fleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_fleet_serve(FZ_BOTMOD, data, size);
    return 0;
}
