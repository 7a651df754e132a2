/* libFuzzer target: the proxy's loader of the WAF rules file (waf/rules),
 * then an evaluation on both engines with and without the nil guard. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../fleet/proxy/waf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = {"/", "/admin", "/shop/item?id=3", ""};
    fs_waf_rules_t *r = NULL;
    fs_waf_result_t res;
    char err[512];

    if (fs_waf_rules_parse((const char *)data, size, &r, err, sizeof(err)) < 0)
        return 0;
    if (fs_waf_rules_killed(r) > fs_waf_rules_count(r))
        abort();
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        for (int guard = 0; guard < 2; guard++) {
            fs_waf_eval(r, FS_WAF_ENGINE_NEW, guard, paths[i], &res, err, sizeof(err));
            fs_waf_eval(r, FS_WAF_ENGINE_OLD, guard, paths[i], &res, err, sizeof(err));
        }
    fs_waf_rules_free(r);
    return 0;
}
