/* Every fault kind, in documentation order. Adding a kind is a line here
 * and its ops table in the family's file; nothing else switches on kinds. */
#include <string.h>

#include "inj_config.h"
#include "inj_dependency.h"
#include "inj_fiu.h"
#include "injector.h"
#include "inj_link.h"
#include "inj_operator.h"
#include "inj_process.h"

static const fs_inj_ops_t *const fs__inj_table[] = {
    &fs_inj_config_oversize_ops,
    &fs_inj_config_duplicate_rows_ops,
    &fs_inj_config_malformed_ops,
    &fs_inj_config_truncated_ops,
    &fs_inj_config_wrong_type_ops,
    &fs_inj_config_empty_ops,
    &fs_inj_config_killswitch_ops,
    &fs_inj_config_poisoned_weights_ops,
    &fs_inj_process_crash_ops,
    &fs_inj_process_kill_ops,
    &fs_inj_process_hang_ops,
    &fs_inj_process_crash_loop_ops,
    &fs_inj_process_restart_ops,
    &fs_inj_link_down_ops,
    &fs_inj_link_blackhole_ops,
    &fs_inj_link_latency_ops,
    &fs_inj_link_reset_ops,
    &fs_inj_link_http_error_ops,
    &fs_inj_link_bandwidth_ops,
    &fs_inj_fiu_ops,
    &fs_inj_posix_ops,
    &fs_inj_dependency_outage_ops,
    &fs_inj_operator_rollback_ops,
    NULL,
};

const fs_inj_ops_t *fs_inj_find(const char *kind)
{
    for (int i = 0; kind && fs__inj_table[i]; i++) {
        if (strcmp(fs__inj_table[i]->kind, kind) == 0)
            return fs__inj_table[i];
    }
    return NULL;
}

const fs_inj_ops_t *const *fs_inj_all(void)
{
    return fs__inj_table;
}
