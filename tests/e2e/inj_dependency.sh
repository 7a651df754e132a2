#!/usr/bin/env bash
# dependency.outage end to end, one mode each: configstore answering an
# empty 200 (hardened bot modules reject it and keep the last known good;
# legacy ones trust it and panic), the origin refusing connections (every
# proxy->origin call fails and clients see it), and every bot module
# blackholed (legacy proxies hang, hardened ones fail open, degraded).
. "$(dirname "$0")/lib.bash"
dir=$(cd "$(dirname "$0")" && pwd)/scenarios

# expect_run NAME — the run exited 0: every expectation in the scenario held.
expect_run() {
    [ "$RUN_RC" = 0 ] || { cat "$E2E_DIR/$1.out"; fail "$1: exit $RUN_RC, expected 0"; }
}

# applied_and_reverted RESULTS WHAT — the fault acted (no fault.error) and went.
applied_and_reverted() {
    check "$1" '[.events[] | select(.kind == "fault.apply")] | length == 1' "$2: fault.apply stamped"
    check "$1" '[.events[] | select(.kind == "fault.revert")] | length == 1' "$2: fault.revert stamped"
    check "$1" '[.events[] | select(.kind == "fault.error")] | length == 0' "$2: no fault.error"
}

# ---- empty: configstore answers 200 with nothing in it, 1 s .. 3 s ----
run_scenario empty "$dir/inj-dep-empty.json"
expect_run empty
for posture in legacy hardened; do
    applied_and_reverted "$E2E_DIR/empty/$posture/results.json" "empty $posture"
done
h=$E2E_DIR/empty/hardened/results.json
l=$E2E_DIR/empty/legacy/results.json
check "$h" '[.events[] | select(.kind == "process.exited")] | length == 0' \
    "empty hardened: no process exits"
check "$h" '.verdicts["botmod->configstore"] == "failed_small"' "empty hardened: botmod->configstore"
check "$h" '.verdicts["client->proxy"] == "unaffected"' "empty hardened: client->proxy"
check "$h" '.verdicts["proxy->botmod"] == "unaffected"' "empty hardened: proxy->botmod"
# The link answered: empty 200s are filed as wrong answers, not errors.
check "$h" '.interfaces["botmod->configstore"].totals.wrong > 0' \
    "empty hardened: empty answers on botmod->configstore"
for i in 0 1; do
    log=$E2E_DIR/empty/hardened/logs/botmod[$i].log
    grep -q 'event=config_rejected key=bot/features version=0 .*kept=[1-9]' "$log" ||
        fail "empty hardened: botmod[$i] did not log config_rejected of version 0 keeping a good one"
    ! grep -q 'event=panic' "$log" || fail "empty hardened: botmod[$i] panicked"
    # The real version coming back is applied as usual.
    [ "$(grep -c 'event=features_loaded' "$log")" -ge 2 ] ||
        fail "empty hardened: botmod[$i] did not load the real version again after the outage"
done
# The proxies' WAF pollers get the same empty answer: rejected in both
# postures, the rules in hand kept, the proxy alive.
for posture in legacy hardened; do
    for i in 0 1; do
        grep -q 'event=config_rejected key=waf/rules version=0' \
            "$E2E_DIR/empty/$posture/logs/proxy[$i].log" ||
            fail "empty $posture: proxy[$i] did not reject the empty waf/rules"
    done
    check "$E2E_DIR/empty/$posture/results.json" \
        '[.events[] | select(.kind == "process.exited" and (.source | startswith("proxy")))] | length == 0' \
        "empty $posture: no proxy exits"
done
check "$l" '[.events[] | select(.kind == "process.exited" and (.source | startswith("botmod")) and
            (.what | test("SIGABRT")) and .t_ms >= 1000)] | map(.source) | unique | length == 2' \
    "empty legacy: every botmod panicked (SIGABRT) after the fault"
check "$l" '.verdicts["client->proxy"] == "cascaded"' "empty legacy: client->proxy"
grep -q 'event=panic reason="empty feature file" key=bot/features version=0' \
    "$E2E_DIR/empty/legacy/logs/botmod[0].log" || fail "empty legacy: botmod[0] logged no panic"
pass "empty: hardened botmods keep the last good file and log config_rejected; legacy ones panic"

# ---- refused: the origin refuses connections, 1 s .. 2.5 s ----
run_scenario refused "$dir/inj-dep-refused-origin.json" --posture legacy
expect_run refused
r=$E2E_DIR/refused/legacy/results.json
applied_and_reverted "$r" "refused"
# Open connections are reset (errors); new ones are refused before the
# link sees a call, so inside the outage not one origin answer got through.
check "$r" '.interfaces["proxy->origin"].totals.errors >= 1' "refused: proxy->origin errors"
check "$r" '.interfaces["proxy->origin"].buckets.good[11:25] | add == 0' \
    "refused: no origin answers during the outage"
check "$r" '.interfaces["proxy->origin"].buckets.good[27:40] | add > 0' \
    "refused: origin answers again after the revert"
check "$r" '.verdicts["client->proxy"] == "cascaded"' "refused: client->proxy"
check "$r" '.interfaces["client->proxy"].buckets.errors[11:25] | add > 0' \
    "refused: clients get errors during the outage"
pass "refused: proxy->origin calls fail during the outage and clients see it"

# ---- blackhole: every bot module accepts and never answers, 1 s .. 2.5 s ----
run_scenario blackhole "$dir/inj-dep-blackhole-botmod.json"
expect_run blackhole
l=$E2E_DIR/blackhole/legacy/results.json
h=$E2E_DIR/blackhole/hardened/results.json
applied_and_reverted "$l" "blackhole legacy"
applied_and_reverted "$h" "blackhole hardened"
# Legacy proxies have no deadline: clients wait past the SLO.
check "$l" '.verdicts["client->proxy"] == "cascaded"' "blackhole legacy: client->proxy"
check "$l" '.interfaces["client->proxy"].totals.slow > 0' "blackhole legacy: clients wait past the SLO"
check "$l" '.interfaces["proxy->botmod"].buckets.good[11:25] | add == 0' \
    "blackhole legacy: no bot module answers during the outage"
check "$h" '.verdicts["client->proxy"] == "unaffected"' "blackhole hardened: client->proxy"
check "$h" '.verdicts["proxy->botmod"] == "failed_small"' "blackhole hardened: proxy->botmod"
check "$h" '.degraded_share > 0' "blackhole hardened: degraded answers"
pass "blackhole: legacy proxies hang, hardened ones fail open with the degraded marker"
