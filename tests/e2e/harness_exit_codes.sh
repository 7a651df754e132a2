#!/usr/bin/env bash
# What CI relies on: bad input exits 2 with the file, JSON path or
# line:column; a failed expectation exits 1; Ctrl-C exits 130 with partial
# results and no process left behind.
. "$(dirname "$0")/lib.bash"
dir=$(cd "$(dirname "$0")" && pwd)/scenarios
fs=$FS_BUILD/failsmall

expect_exit() {
    local want=$1 pattern=$2 out rc
    shift 2
    out=$("$@" 2>&1)
    rc=$?
    [ "$rc" = "$want" ] || fail "exit $rc, expected $want: $* -> $out"
    echo "$out" | grep -q -- "$pattern" || fail "output lacks '$pattern': $* -> $out"
}

printf '{\n  "name": "x",\n  "duration": 5s\n}\n' >"$E2E_DIR/syntax.json"
expect_exit 2 "syntax.json:3:" "$fs" validate "$E2E_DIR/syntax.json"
sed 's/"seed": 7/"seed": 7, "sede": 1/' "$dir/link-down.json" >"$E2E_DIR/unknown.json"
expect_exit 2 'unknown.json: \$.sede' "$fs" run "$E2E_DIR/unknown.json"
sed 's/"at": "1.5s"/"at": "4.5s"/' "$dir/link-down.json" >"$E2E_DIR/late.json"
expect_exit 2 'late.json: \$.faults\[0\]' "$fs" validate "$E2E_DIR/late.json"
expect_exit 2 "--posture" "$fs" run "$dir/link-down.json" --posture sturdy
expect_exit 2 "--time-scale" "$fs" run "$dir/link-down.json" --time-scale -1
expect_exit 2 "no such file\|No such file" "$fs" run "$E2E_DIR/missing.json"
expect_exit 2 "unknown command" "$fs" frobnicate
expect_exit 0 "e2e-link-down" "$fs" list "$dir"
mkdir -p "$E2E_DIR/badrep/legacy"
printf '{\n  "schema": "failsmall.results/1",\n  "posture": legacy\n}\n' \
    >"$E2E_DIR/badrep/legacy/results.json"
expect_exit 2 "legacy/results.json: line 3 column" "$fs" report "$E2E_DIR/badrep"
printf '{"schema": "other/1"}' >"$E2E_DIR/badrep/legacy/results.json"
expect_exit 2 'results.json: \$.schema: not a failsmall results file' "$fs" report "$E2E_DIR/badrep"
pass "bad scenarios, results files, flags and commands exit 2 and say where"

sed 's/"client->proxy": "unaffected"/"client->proxy": "cascaded"/' "$dir/link-down.json" \
    >"$E2E_DIR/wrong.json"
expect_exit 1 "XX" "$fs" run "$E2E_DIR/wrong.json" --posture hardened --out "$E2E_DIR/wrong"
grep -q '"ok":[[:space:]]*false' "$E2E_DIR/wrong/hardened/results.json" ||
    fail "the failed expectation is not in results.json"
[ -d "$E2E_DIR/wrong/legacy" ] && fail "--posture hardened also ran legacy"
pass "a failed expectation exits 1 and is recorded"

"$fs" run "$dir/link-down.json" --out "$E2E_DIR/int" >"$E2E_DIR/int.log" 2>&1 &
pid=$!
sleep 3
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" = 130 ] || { cat "$E2E_DIR/int.log"; fail "interrupted run exited $rc, expected 130"; }
grep -q '"status":[[:space:]]*"aborted"' "$E2E_DIR/int/legacy/results.json" ||
    fail "no partial results after Ctrl-C"
[ -d "$E2E_DIR/int/hardened" ] && fail "the run went on to the next posture after Ctrl-C"
sleep 0.5
pgrep -f -- "$E2E_DIR/int" >/dev/null && fail "processes left after Ctrl-C: $(pgrep -af -- "$E2E_DIR/int")"
pass "Ctrl-C exits 130, writes partial results, leaves nothing behind"

# A fleet that cannot start is a harness error at once, not a wait for the
# ready timeout while it crash-loops: failsmall and the real fs-exec beside
# services that exit as soon as they start.
bin=$E2E_DIR/badfleet
mkdir -p "$bin"
cp "$fs" "$FS_BUILD/fs-exec" "$bin/"
for s in origin configstore botmod proxy dashboard; do
    printf '#!/bin/sh\necho "fs-%s: cannot start" >&2\nexit 1\n' "$s" >"$bin/fs-$s"
    chmod +x "$bin/fs-$s"
done
start=$(date +%s%N)
"$bin/failsmall" run "$dir/link-down.json" --out "$E2E_DIR/badfleet-run" >"$E2E_DIR/badfleet.log" 2>&1
rc=$?
took=$((($(date +%s%N) - start) / 1000000))
[ "$rc" = 2 ] || fail "a fleet that exits at once: exit $rc, expected 2"
[ "$took" -lt 3000 ] || fail "a fleet that exits at once took $took ms to report (limit 3000)"
grep -q "the fleet did not start: .* exited with" "$E2E_DIR/badfleet.log" ||
    fail "no 'the fleet did not start' error: $(cat "$E2E_DIR/badfleet.log")"
grep -q "cannot start" "$E2E_DIR/badfleet-run/legacy/logs/"*.log || fail "the services' own words are not in the logs"
# The verdict table says why instead of dashes and "expectations 0/0 held".
grep -q "^legacy    harness error: the fleet did not start: .* exited with" "$E2E_DIR/badfleet.log" ||
    fail "the table does not give the harness error: $(cat "$E2E_DIR/badfleet.log")"
grep -q "0/0 held\|(no verdict)" "$E2E_DIR/badfleet.log" && fail "the table shows empty verdicts: $(cat "$E2E_DIR/badfleet.log")"
pass "a fleet that cannot start exits 2 in $took ms, naming the process"
