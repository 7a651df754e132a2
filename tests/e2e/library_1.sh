#!/usr/bin/env bash
# Two library scenarios end to end, both postures, from scenarios/ as a user
# runs them: every pinned expectation holds (exit 0), and what the verdicts
# cannot say is checked in results.json.
#   cf-2025-12-05-killswitch: the old-engine proxies answer 500 in legacy;
#     in hardened the staged rollout completes and the nil guard holds.
#   hmd-canary: the oversized feature file reaches every node under instant
#     rollout, only the canary under staged rollout, and is rolled back.
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)

# ---- cf-2025-12-05-killswitch ----
run_scenario ks "$root/scenarios/cf-2025-12-05-killswitch.json"
[ "$RUN_RC" = 0 ] || fail "cf-2025-12-05-killswitch: failsmall run exited $RUN_RC, expected 0: $(tail -n 20 "$E2E_DIR/ks.out")"
L=$E2E_DIR/ks/legacy/results.json
H=$E2E_DIR/ks/hardened/results.json
for r in "$L" "$H"; do
    check "$r" '.status == "completed" and all(.expectations[]; .ok)' "killswitch $r: completed, expectations held"
done
# The last round(0.28 x 7) = 2 nodes run the old engine: they, and only they, hit the nil.
for n in 5 6; do
    grep -q 'event=waf_error .*engine=old' "$E2E_DIR/ks/legacy/logs/proxy[$n].log" ||
        fail "killswitch legacy: old-engine proxy[$n] logged no waf_error"
done
for n in 0 1 2 3 4; do
    ! grep -q 'event=waf_error' "$E2E_DIR/ks/legacy/logs/proxy[$n].log" ||
        fail "killswitch legacy: new-engine proxy[$n] logged a waf_error"
done
check "$L" '.interfaces["client->proxy"].totals.errors > 0' "killswitch legacy: client->proxy errors"
# Hardened: the canary (new engine) is healthy, so the killswitch reaches
# every node; the nil guard, not the rollout, keeps the old engine serving.
check "$H" '[.events[] | select(.kind == "rollout.complete" and (.what | startswith("waf/rules v2 ")))] | length == 1' \
    "killswitch hardened: the staged rollout of the killswitch completes"
check "$H" '.bad_config_share == 1' "killswitch hardened: every node took the killswitch"
! grep -q 'event=waf_error' "$E2E_DIR"/ks/hardened/logs/proxy*.log ||
    fail "killswitch hardened: a proxy logged a waf_error"
pass "cf-2025-12-05-killswitch: the old-engine cohort answers 500 in legacy, the nil guard holds in hardened"

# ---- hmd-canary ----
run_scenario hmd "$root/scenarios/hmd-canary.json"
[ "$RUN_RC" = 0 ] || fail "hmd-canary: failsmall run exited $RUN_RC, expected 0: $(tail -n 20 "$E2E_DIR/hmd.out")"
L=$E2E_DIR/hmd/legacy/results.json
H=$E2E_DIR/hmd/hardened/results.json
for r in "$L" "$H"; do
    check "$r" '.status == "completed" and all(.expectations[]; .ok)' "hmd-canary $r: completed, expectations held"
done
check "$L" '.bad_config_share == 1' "hmd-canary legacy: share of nodes served the bad file (instant rollout)"
check "$H" '.nodes > 1 and (.bad_config_share - 1 / .nodes | . < 0.0001 and . > -0.0001)' \
    "hmd-canary hardened: share of nodes served the bad file (the canary alone, 1/nodes)"
check "$H" '[.events[] | select(.kind == "rollout.rolled_back" and (.what | startswith("bot/features v2 ")))] | length == 1' \
    "hmd-canary hardened: automatic rollback of bot/features v2 on the timeline"
check "$H" '([.events[] | select(.kind == "rollout.rolled_back")][0].t_ms) - .fault_window.start_ms | . >= 0 and . < 2000' \
    "hmd-canary hardened: rollback within the canary's bake time after the publish"
check "$H" '[.events[] | select(.kind == "rollout.stage" and (.what | startswith("bot/features v2 stage 25%")))] | length == 0' \
    "hmd-canary hardened: v2 must stop at the canary (no 25% stage)"
check "$L" '[.events[] | select(.kind == "rollout.rolled_back")] | length == 0' \
    "hmd-canary legacy: instant rollout has no automatic rollback"
check "$L" '[.events[] | select(.kind == "process.exited")] | length > 0' "hmd-canary legacy: bot modules crashed"
check "$H" '[.events[] | select(.kind == "process.exited")] | length == 0' "hmd-canary hardened: no process exited"
pass "hmd-canary: the bad file reached 1.0 of the fleet instantly, 1/nodes staged, then rolled back"
