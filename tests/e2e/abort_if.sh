#!/usr/bin/env bash
# Stop conditions ($.abort_if) on real processes, with the library's
# scenarios/abort-if.json: legacy cascades and trips its stop condition
# long before the planned end (faults reverted, fleet stopped, results and
# reports say why, exit 0 because the stop was expected); hardened does not
# trip. A stop nobody expected exits 1, and so does an expected stop that
# never came.
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
fs=$FS_BUILD/failsmall
sc=$root/scenarios/abort-if.json
command -v jq >/dev/null || fail "jq is needed"

# j FILE FILTER — one value from a results file.
j() {
    jq -r "$2" "$1" || fail "jq $2 on $1"
}

out=$E2E_DIR/both
"$fs" run "$sc" --out "$out" >"$E2E_DIR/both.log" 2>&1
rc=$?
[ "$rc" = 0 ] || { cat "$E2E_DIR/both.log"; fail "exit $rc, expected 0 (the stop was expected)"; }
leg=$out/legacy/results.json
har=$out/hardened/results.json
duration=$(j "$leg" .duration_ms)

[ "$(j "$leg" .status)" = aborted ] || fail "legacy status $(j "$leg" .status), expected aborted"
reason=$(j "$leg" .abort_reason)
[[ $reason =~ ^abort_if\[0\]:\ blast\ radius\ [01]\.[0-9]{4}\ above\ 0\.3\ for\ 1\.[0-9]\ s\ \(since\ [0-9.]+\ s\)$ ]] ||
    fail "legacy abort_reason: $reason"
[ "$(j "$leg" '.aborted_by | "\(.index) \(.signal) \(.threshold)"')" = "0 blast_radius_above 0.3" ] ||
    fail "aborted_by: $(j "$leg" -c .aborted_by)"
at=$(j "$leg" .aborted_by.at_ms)
since=$(j "$leg" .aborted_by.since_ms)
held=$(j "$leg" .aborted_by.for_ms)
first=$(j "$leg" .fault_window.start_ms)
# Held its "for" (1 s), counted from the first fault at the earliest, and
# tripped within a few seconds of the fault, not near the end of the run.
[ "$held" -ge 1000 ] && [ "$held" -lt 1300 ] || fail "held $held ms, expected 1000-1300"
[ "$since" -ge "$first" ] || fail "since $since ms, before the first fault at $first ms"
[ "$at" -lt $((first + 4000)) ] || fail "tripped at $at ms, more than 4 s after the fault"
[ "$(j "$leg" '.aborted_by.value > 0.3')" = true ] || fail "value not above the threshold"
[ "$(j "$leg" '.abort_if | map(.tripped) | join(",")')" = "true,false" ] ||
    fail "abort_if tripped flags: $(j "$leg" -c .abort_if)"
[ "$(j "$leg" '.abort_if[0].peak >= .aborted_by.value')" = true ] || fail "peak below the value"
[ "$(j "$leg" '[.events[] | select(.kind == "abort_if.tripped")] | length')" = 1 ] ||
    fail "no single abort_if.tripped event"
[ "$(j "$leg" '[.events[] | select(.kind == "abort_if.tripped")][0].what')" = "$reason" ] ||
    fail "the timeline event does not give the reason"
[ "$(j "$leg" '[.events[] | select(.kind == "fault.revert" and (.what | endswith("(abort_if)")))] | length')" = 1 ] ||
    fail "the fault was not reverted with (abort_if)"
# The revert is stamped when it is done, a millisecond or two after the trip
# on a busy machine; nothing else about faults may follow the trip.
[ "$(j "$leg" "[.events[] | select(.kind == \"fault.revert\" and (.what | endswith(\"(abort_if)\")) and .t_ms >= $at and .t_ms < $at + 100)] | length")" = 1 ] ||
    fail "the (abort_if) revert is not within 100 ms of the trip at $at ms"
[ "$(j "$leg" "[.events[] | select((.kind | startswith(\"fault.\")) and .t_ms > $at and (.what | endswith(\"(abort_if)\") | not))] | length")" = 0 ] ||
    fail "a fault event after the trip"
end=$(j "$leg" '[.events[] | select(.kind == "run.end")][0].t_ms')
[ "$end" -lt $((duration - 5000)) ] || fail "the load stopped at $end ms of $duration"
[ "$(j "$leg" .wall_ms)" -lt $((duration - 5000)) ] || fail "legacy took $(j "$leg" .wall_ms) ms"
[ "$(j "$leg" '.expectations[] | select(.what == "aborted") | "\(.expected) \(.actual) \(.ok)"')" = "true true true" ] ||
    fail "the aborted expectation: $(j "$leg" -c .expectations)"
pass "legacy trips abort_if[0] at $at ms (fault at $first ms, run of $duration ms): reverted, stopped, reason recorded"

# The fleet stopped: every process that was running logged its exit, and
# nothing of either posture is left.
for f in "$out"/legacy/logs/{configstore,origin,dashboard,proxy*}.log; do
    tail -n 1 "$f" | grep -q 'svc=failsmall .*event=exit' || fail "$(basename "$f"): no exit at the end"
done
pgrep -f -- "$out" >/dev/null && fail "processes left: $(pgrep -af -- "$out")"
pass "the fleet is gone after the stop"

[ "$(j "$har" .status)" = completed ] || fail "hardened status $(j "$har" .status)"
[ "$(j "$har" .aborted_by)" = null ] || fail "hardened aborted_by $(j "$har" -c .aborted_by)"
[ "$(j "$har" '.abort_if | map(.tripped) | any')" = false ] || fail "hardened tripped"
[ "$(j "$har" '.abort_if[0].peak < 0.3')" = true ] || fail "hardened peak $(j "$har" .abort_if[0].peak)"
pass "hardened runs to the end, peak blast radius $(j "$har" .abort_if[0].peak)"

grep -q 'id="stopped">legacy: stopped early by a stop condition: abort_if\[0\]' "$out/report.html" ||
    fail "report.html has no stop banner"
grep -q '<h2>Stop conditions</h2>' "$out/report.html" || fail "report.html has no stop table"
grep -q 'Stopped by a stop condition\*\* (legacy): abort\\_if\\\[0\\\]' "$out/summary.md" ||
    fail "summary.md does not say it: $(head -n 5 "$out/summary.md")"
grep -q 'name="abort_reason" value="abort_if\[0\]' "$out/junit.xml" || fail "junit.xml lacks the reason"
grep -q '<failure' "$out/junit.xml" && fail "junit.xml fails an expected stop"
grep -q "legacy    stopped early by abort_if\[0\]: .* (expected)$" "$E2E_DIR/both.log" ||
    fail "the terminal table does not say it: $(cat "$E2E_DIR/both.log")"
# Broken when it stopped: "not recovered" because it did not wait, not "never".
grep -q '<strong>no</strong>: still broken when the run was stopped' "$out/report.html" ||
    fail "report.html does not say the run stopped before any recovery"
grep -q '^| time to recover | not recovered (run stopped) |' "$out/summary.md" ||
    fail "summary.md: $(grep 'time to recover' "$out/summary.md")"
grep -Eq '^time to recover +stopped ' "$E2E_DIR/both.log" ||
    fail "the terminal table: $(grep 'time to recover' "$E2E_DIR/both.log")"
pass "report.html, summary.md, junit.xml and the table give the reason"

# exit_1 NAME POSTURE WANT — runs $E2E_DIR/NAME.json in one posture into
# $E2E_DIR/NAME: exit 1 and the aborted expectation "expected actual ok" WANT.
exit_1() {
    local name=$1 posture=$2 want=$3 rc
    "$fs" run "$E2E_DIR/$name.json" --posture "$posture" --out "$E2E_DIR/$name" \
        >"$E2E_DIR/$name.log" 2>&1
    rc=$?
    [ "$rc" = 1 ] || { cat "$E2E_DIR/$name.log"; fail "$name: exit $rc, expected 1"; }
    r=$E2E_DIR/$name/$posture/results.json
    [ "$(j "$r" '.expectations[] | select(.what == "aborted") | "\(.expected) \(.actual) \(.ok)"')" = "$want" ] ||
        fail "$name: the aborted expectation: $(j "$r" -c .expectations)"
}

# Nobody expected the stop: exit 1, the aborted expectation fails.
sed 's/"aborted": true,//' "$sc" >"$E2E_DIR/unexpected.json"
exit_1 unexpected legacy "false true false"
grep -q '<failure message="expected false, got true"' "$E2E_DIR/unexpected/junit.xml" ||
    fail "junit.xml does not fail it"
grep -q "(not expected)$" "$E2E_DIR/unexpected.log" || fail "the table does not say it was not expected"
pass "a stop nobody expected exits 1"

# An expected stop that never comes fails too (hardened, a shorter run).
sed -e 's/"duration": "15s"/"duration": "8s"/' -e 's/"for": "8s", "kind"/"for": "4s", "kind"/' \
    -e 's/"aborted": false/"aborted": true/' "$sc" >"$E2E_DIR/never.json"
exit_1 never hardened "true false false"
pass "an expected stop that did not happen exits 1"
