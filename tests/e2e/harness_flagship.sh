#!/usr/bin/env bash
# The flagship scenario end to end, both postures: every expectation holds
# (exit 0), results.json says so, and no fleet process outlives the run.
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$E2E_DIR/flagship

"$FS_BUILD/failsmall" run "$root/scenarios/cf-2025-11-18-bot-feature-file.json" --out "$out" \
    >"$E2E_DIR/run.log" 2>&1
rc=$?
cat "$E2E_DIR/run.log"
[ "$rc" = 0 ] || fail "failsmall run exited $rc, expected 0"
for p in legacy hardened; do
    r=$out/$p/results.json
    [ -s "$r" ] || fail "$p: no results.json"
    grep -q '"schema":[[:space:]]*"failsmall.results/1"' "$r" || fail "$p: schema missing"
    grep -q '"status":[[:space:]]*"completed"' "$r" || fail "$p: status is not completed"
    grep -q '"ok":[[:space:]]*false' "$r" && fail "$p: an expectation failed in results.json"
    ls "$out/$p/logs/botmod[0].log" >/dev/null || fail "$p: botmod[0]'s log was not captured"
done
grep -q '"kind":[[:space:]]*"process.crash_loop"' "$out/legacy/results.json" ||
    fail "legacy: the bot modules' crash loop is not on the timeline"
grep -q '"kind":[[:space:]]*"rollout.rolled_back"' "$out/hardened/results.json" ||
    fail "hardened: no automatic rollback on the timeline"
grep -q 'cascaded' "$E2E_DIR/run.log" || fail "no verdict table printed"
for f in report.html summary.md junit.xml legacy/junit.xml hardened/summary.md \
    legacy/charts/health.svg hardened/charts/users.png; do
    [ -s "$out/$f" ] || fail "the run did not write $f"
done
grep -q "report: $out/report.html" "$E2E_DIR/run.log" || fail "the run did not say where the report is"
pgrep -f -- "$out" >/dev/null && fail "fleet processes outlived the run: $(pgrep -af -- "$out")"
pass "flagship: legacy cascades, hardened fails small, expectations hold, nothing left behind"
