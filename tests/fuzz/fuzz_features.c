/* libFuzzer target: botmod's loader of the bot feature file (bot/features),
 * into a table that already holds the defaults, as a poll would find it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../fleet/botmod/features.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fs_features_t *t = malloc(sizeof(*t)), *before = malloc(sizeof(*before));
    char err[512];

    if (t == NULL || before == NULL)
        abort();
    fs_features_defaults(t);
    memcpy(before, t, sizeof(*t));
    /* On any error the table must be exactly as it was (features.h). */
    if (fs_features_load(t, (const char *)data, size, err, sizeof(err)) < 0 &&
        memcmp(before, t, sizeof(*t)) != 0)
        abort();
    if (t->count > FS_FEATURES_MAX)
        abort();
    free(before);
    free(t);
    return 0;
}
