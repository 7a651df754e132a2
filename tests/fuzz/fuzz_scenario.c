/* libFuzzer target: the scenario loader (fs_scenario_parse, what
 * fs_scenario_load runs on a file's bytes), then every accessor the run
 * reads a loaded scenario through. */
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fs_scenario_t *s = NULL;
    uint8_t faulted[FS_IF_COUNT] = {0};
    uint64_t start, end;
    char err[1024];

    if (fs_scenario_parse((const char *)data, size, "fuzz.json", NULL, &s, err, sizeof(err)) < 0)
        return 0;
    fs_scenario_fault_window(s, &start, &end);
    for (size_t i = 0; i < fs_scenario_fault_count(s); i++)
        fs_scenario_fault_ifaces(s, i, faulted);
    for (size_t i = 0; i < fs_scenario_posture_count(s); i++)
        (void)fs_scenario_expect(s, fs_scenario_posture(s, i));
    fs_scenario_free(s);
    return 0;
}
