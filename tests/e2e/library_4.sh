#!/usr/bin/env bash
# challenge-login-cycle end to end, both postures, as a user runs it: every
# pinned expectation holds (exit 0), and the timeline shows why. A valid but
# wrong feature file reaches every node in both postures (the staged rollout
# cannot tell); the operator's rollback then fails at the dashboard's login
# on every attempt in legacy, and goes through with the break-glass token on
# the first attempt in hardened, after which users are served again.
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)

run_scenario clc "$root/scenarios/challenge-login-cycle.json"
[ "$RUN_RC" = 0 ] || fail "challenge-login-cycle: failsmall run exited $RUN_RC, expected 0: $(tail -n 20 "$E2E_DIR/clc.out")"
L=$E2E_DIR/clc/legacy/results.json
H=$E2E_DIR/clc/hardened/results.json

EV='def ev(k): [.events[] | select(.kind == k)];
    def t(k; s): [.events[] | select(.kind == k and .source == s) | .t_ms];
    def broken_end(i): .slo.bucket_ms as $b
        | (([.interfaces[i].buckets.broken | to_entries[] | select(.value == 1) | .key] | max) // -1) + 1
        | . * $b;'

# ---- both postures: the same file, everywhere, accepted ----
for r in "$L" "$H"; do
    p=$(basename "$(dirname "$r")")
    check "$r" '.status == "completed" and all(.expectations[]; .ok)' "$p: completed, expectations held"
    check "$r" '.bad_config_share == 1' "$p: every node took the poisoned file"
    check "$r" '.interfaces["client->proxy"].first_broken_ms != null and .interfaces["client->proxy"].first_broken_ms <= 3000' \
        "$p: users were blocked within 1 s of the file"
    check "$r" "$EV"' t("operator.login_failed"; "$.faults[1]") + t("operator.login"; "$.faults[1]") | min >= 4000' \
        "$p: the operator's first attempt came at 4 s, not before"
    for b in 0 1 2 3; do
        ! grep -q 'event=config_rejected' "$E2E_DIR/clc/$p/logs/botmod[$b].log" ||
            fail "$p: botmod[$b] rejected the poisoned file; it must look valid"
    done
done
# Hardened's health gate passed: the staged rollout completed with the file
# before anyone could act.
check "$H" "$EV"' [.events[] | select(.kind == "rollout.complete" and (.what | startswith("bot/features v2 ")) and .t_ms < 4000)] | length == 1' \
    "hardened: the staged rollout of the poisoned file completed before the operator acted"

# ---- legacy: the repair path needs the thing that failed ----
check "$L" "$EV"' ev("operator.login_failed") | length >= 7 and all(.[]; .what | test("^attempt [0-9]+: POST /login: 403 Forbidden: challenge rejected$"))' \
    "legacy: every login attempt was refused by the challenge"
check "$L" "$EV"' (ev("operator.login") + ev("operator.rolled_back") + ev("operator.rollback_failed") + ev("rollout.rollback")) | length == 0' \
    "legacy: no attempt got past the login, nothing was rolled back"
check "$L" "$EV"' ev("operator.gave_up") | length == 1 and (.[0].what | test("^bot/features not rolled back after [0-9]+ attempts"))' \
    "legacy: the operator gave up at the end"
check "$L" '.recovered == false and .time_to_recover_ms == null' "legacy: never recovered"
check "$L" "$EV"' broken_end("client->proxy") >= 11900' "legacy: users blocked until the end of the load"
! grep -q 'event=break_glass_login' "$E2E_DIR/clc/legacy/logs/dashboard.log" ||
    fail "legacy: the dashboard honoured a break-glass token"

# ---- hardened: break-glass, rollback, recovery ----
check "$H" "$EV"' ev("operator.login") | length == 1 and .[0].what == "attempt 1: oncall logged in with the break-glass token"' \
    "hardened: the operator logged in with the break-glass token on the first attempt"
check "$H" "$EV"' (t("operator.rolled_back"; "$.faults[1]") | length == 1) and (t("operator.rolled_back"; "$.faults[1]")[0] - t("fault.apply"; "$.faults[1]")[0] < 500)' \
    "hardened: the rollback went through within 500 ms of the operator starting"
check "$H" "$EV"' (ev("operator.login_failed") + ev("operator.rollback_failed") + ev("operator.gave_up")) | length == 0' \
    "hardened: no failed attempt, no giving up"
check "$H" "$EV"' [.events[] | select(.kind == "rollout.rollback" and (.what | test("manual rollback")))] | length == 1' \
    "hardened: configstore rolled the key back on the operator's request"
check "$H" "$EV"' broken_end("client->proxy") <= t("operator.rolled_back"; "$.faults[1]")[0] + 1000' \
    "hardened: users were served again within 1 s of the rollback"
check "$H" '.slo.bucket_ms as $b | .interfaces["client->proxy"].buckets as $c
    | [range(5000 / $b; 12000 / $b)] | all(.[]; $c.good[.] == $c.calls[.])' \
    "hardened: no user request failed from 5 s to the end"
check "$H" '.recovered == true and .time_to_recover_ms == 0' \
    "hardened: healthy again before the scheduled revert (time to recover 0 ms)"
grep -q 'event=break_glass_login user=oncall .*reason=challenge-rejected' "$E2E_DIR/clc/hardened/logs/dashboard.log" ||
    fail "hardened: no audited break-glass login in the dashboard's log"

bl=$(jq .blast_radius "$L")
bh=$(jq .blast_radius "$H")
awk -v l="$bl" -v h="$bh" 'BEGIN { exit !(h * 4 < l) }' ||
    fail "hardened blast radius $bh is not under a quarter of legacy's $bl"
pass "challenge-login-cycle: legacy cannot log in to roll back and never recovers; hardened logs in with break-glass, rolls back and recovers (blast radius $bl vs $bh)"
