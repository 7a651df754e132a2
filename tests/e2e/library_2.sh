#!/usr/bin/env bash
# Two library scenarios end to end, both postures, each must hold its own
# expectations (exit 0). module-crash-loop: the poisoned file makes a bot
# module that nothing else touches (botmod[0]) crash-loop under the
# supervisor in legacy, while hardened keeps it up and serves the users of
# the crash-looping botmod[1] with a fallback score. config-malformed: legacy
# aborts on each of the two bad files, hardened rolls each back at the canary.
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)

# run NAME — runs scenarios/NAME.json in both postures; it must exit 0.
run() {
    run_scenario "$1" "$root/scenarios/$1.json"
    [ "$RUN_RC" = 0 ] || { cat "$E2E_DIR/$1.out"; fail "$1: exit $RUN_RC, expected 0"; }
}

EV='def ev(k; s): [.events[] | select(.kind == k and .source == s)];
    def first_t(k; s): (ev(k; s) | first | .t_ms) // 1e9;'

run module-crash-loop
r=$E2E_DIR/module-crash-loop/legacy/results.json
check "$r" "$EV"' first_t("fault.apply"; "$.faults[1]") as $a | [ev("process.started"; "botmod[0]")[] | select(.t_ms > $a)] | length >= 3' \
    "module-crash-loop/legacy: botmod[0] restarted at least three times after the poisoned file"
check "$r" "$EV"' ev("process.crash_loop"; "botmod[0]") | length >= 1' \
    "module-crash-loop/legacy: the supervisor reported botmod[0] crash looping"
check "$r" "$EV"' ev("fault.signal"; "botmod[0]") | length == 0' \
    "module-crash-loop/legacy: nobody signalled botmod[0] (the file alone kills it)"
check "$r" '.interfaces["client->proxy"].verdict == "cascaded"' "module-crash-loop/legacy: client->proxy cascaded"
r=$E2E_DIR/module-crash-loop/hardened/results.json
check "$r" '.degraded_share > 0' "module-crash-loop/hardened: proxies served with a fallback score"
check "$r" '.interfaces["client->proxy"].verdict == "unaffected" and .interfaces["client->proxy"].window.failures == 0' \
    "module-crash-loop/hardened: clients saw no failure"
check "$r" "$EV"' ev("process.crash_loop"; "botmod[1]") | length >= 1' \
    "module-crash-loop/hardened: botmod[1] still crash-looped (the fault acted)"
check "$r" "$EV"' ev("process.exited"; "botmod[0]") | length == 0' \
    "module-crash-loop/hardened: botmod[0] never exited (kept its last known good)"
check "$r" "$EV"' ev("rollout.rolled_back"; "configstore") | length >= 1' \
    "module-crash-loop/hardened: the staged rollout rolled the poisoned file back"
pass "module-crash-loop: legacy crash-loops and cascades, hardened keeps serving with fallback scores"

run config-malformed
r=$E2E_DIR/config-malformed/legacy/results.json
for f in 0 1; do
    check "$r" "$EV"' first_t("fault.apply"; "$.faults['$f']") as $a | [.events[] | select(.kind == "process.exited" and (.source | startswith("botmod")) and .t_ms > $a and .t_ms < $a + 1000)] | length >= 4' \
        "config-malformed/legacy: every bot module aborted within 1 s of bad file $f"
done
r=$E2E_DIR/config-malformed/hardened/results.json
check "$r" '[.events[] | select(.kind == "process.exited")] | length == 0' \
    "config-malformed/hardened: no process exited"
check "$r" "$EV"' ev("rollout.rolled_back"; "configstore") | length == 2' \
    "config-malformed/hardened: both bad files rolled back at the canary"
check "$r" '.interfaces["botmod->configstore"].verdict == "failed_small"' \
    "config-malformed/hardened: botmod->configstore failed small"
pass "config-malformed: legacy aborts on both files, hardened rejects each and keeps last known good"
