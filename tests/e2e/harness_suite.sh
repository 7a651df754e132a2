#!/usr/bin/env bash
# Several scenarios at once, on two short injector scenarios:
#   failsmall run A B --out DIR: DIR/<name>/ each and the suite index in DIR;
#   scripts/suite.sh (make suite): runs them in parallel, prints each table
#     and the wall time, writes the index, exits 1 when one scenario's
#     expectation fails and names it, exits 2 before running anything when a
#     file does not load;
#   failsmall report DIR on a folder of run folders rebuilds the index.
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
a=$root/tests/e2e/scenarios/inj-config-empty.json
b=$root/tests/e2e/scenarios/inj-config-malformed.json

multi=$E2E_DIR/multi
"$FS_BUILD/failsmall" run "$a" "$b" --out "$multi" >"$E2E_DIR/multi.out" 2>&1 ||
    fail "failsmall run A B --out: exit $?: $(tail -n 20 "$E2E_DIR/multi.out")"
for n in e2e-inj-config-empty e2e-inj-config-malformed; do
    check "$multi/$n/hardened/results.json" '.status == "completed"' "run A B --out: $n in DIR/$n"
    grep -q "href=\"$n/report.html\"" "$multi/index.html" || fail "run A B --out: index.html lacks $n"
done
grep -q "suite: $multi/index.html" "$E2E_DIR/multi.out" || fail "run A B --out: does not say where the index is"

# One scenario whose expectation cannot hold, beside one that holds.
jq '.name = "e2e-suite-wrong" | .expect.hardened.interfaces["botmod->configstore"] = "cascaded"' "$a" \
    >"$E2E_DIR/wrong.json"
suite=$E2E_DIR/suite
(cd "$root" && SUITE_OUT=$suite SCENARIOS="$E2E_DIR/wrong.json $b" bash scripts/suite.sh "$FS_BUILD") \
    >"$E2E_DIR/suite.out" 2>&1
rc=$?
[ "$rc" = 1 ] || fail "suite with a failing expectation: exit $rc, expected 1: $(tail -n 20 "$E2E_DIR/suite.out")"
grep -q 'suite: e2e-suite-wrong: SOME EXPECTATIONS FAILED' "$E2E_DIR/suite.out" ||
    fail "suite: the failing scenario is not named: $(tail -n 20 "$E2E_DIR/suite.out")"
grep -q 'suite: e2e-inj-config-malformed: every expectation held' "$E2E_DIR/suite.out" ||
    fail "suite: the passing scenario is not reported"
grep -Eq "^suite: 2 scenarios in [0-9.]+ s \(2 at a time\); index: $suite/index.html" "$E2E_DIR/suite.out" ||
    fail "suite: no wall time or index line: $(tail -n 5 "$E2E_DIR/suite.out")"
[ "$(grep -c '^interface ' "$E2E_DIR/suite.out")" = 2 ] || fail "suite: expected one verdict table per scenario"
for n in e2e-suite-wrong e2e-inj-config-malformed; do
    grep -q "href=\"$n/report.html\"" "$suite/index.html" || fail "suite: index.html lacks $n"
    [ -s "$suite/$n/report.html" ] || fail "suite: no report for $n"
done
grep -q '❌' "$suite/summary.md" || fail "suite: summary.md does not mark the failed expectation"

# The index again from the folders alone.
rm "$suite/index.html" "$suite/summary.md"
"$FS_BUILD/failsmall" report "$suite" >"$E2E_DIR/report.out" 2>&1 ||
    fail "failsmall report SUITE: $(cat "$E2E_DIR/report.out")"
grep -q 'suite index rebuilt over 2 scenario folders' "$E2E_DIR/report.out" && [ -s "$suite/index.html" ] ||
    fail "failsmall report SUITE did not rebuild the index: $(cat "$E2E_DIR/report.out")"

# A file that does not load: nothing runs.
echo '{"name": "x",' >"$E2E_DIR/broken.json"
(cd "$root" && SUITE_OUT=$E2E_DIR/none SCENARIOS="$E2E_DIR/broken.json $b" bash scripts/suite.sh "$FS_BUILD") \
    >"$E2E_DIR/broken.out" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "suite with a broken file: exit $rc, expected 2"
grep -q 'broken.json:[0-9]*:[0-9]*: ' "$E2E_DIR/broken.out" || fail "suite: the broken file is not named: $(cat "$E2E_DIR/broken.out")"
[ ! -e "$E2E_DIR/none" ] || fail "suite with a broken file ran something"
pass "several scenarios: run --out holds their folders and the index; make suite runs them in parallel, fails on a failed expectation, refuses a broken file"
