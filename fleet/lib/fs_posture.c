#include "fs_posture.h"

#include <errno.h>
#include <string.h>

static const char *const fs__posture_names[FS_POSTURE_COUNT] = {"legacy", "hardened"};

const char *fs_posture_name(fs_posture_t p)
{
    return (unsigned)p < FS_POSTURE_COUNT ? fs__posture_names[p] : "unknown";
}

int fs_posture_parse(const char *name, fs_posture_t *out)
{
    for (int i = 0; name != NULL && i < FS_POSTURE_COUNT; i++) {
        if (strcmp(name, fs__posture_names[i]) == 0) {
            *out = (fs_posture_t)i;
            return 0;
        }
    }
    return -ENOENT;
}
