#!/usr/bin/env bash
# The link hooks end to end: link.down on proxy->botmod (legacy cascades,
# hardened fails open and stays small) and link.latency on proxy->origin
# (slow answers break client->proxy in both postures).
. "$(dirname "$0")/lib.bash"
dir=$(cd "$(dirname "$0")" && pwd)/scenarios

for s in link-down link-latency; do
    "$FS_BUILD/failsmall" run "$dir/$s.json" --out "$E2E_DIR/$s" >"$E2E_DIR/$s.out" 2>&1
    rc=$?
    [ "$rc" = 0 ] || { cat "$E2E_DIR/$s.out"; fail "$s: exit $rc, expected 0"; }
    pass "$s: every expectation held in both postures"
done
grep -q '"kind":[[:space:]]*"fault.apply"' "$E2E_DIR/link-down/legacy/results.json" ||
    fail "link-down: fault.apply missing from the timeline"
grep -q '"kind":[[:space:]]*"fault.revert"' "$E2E_DIR/link-down/legacy/results.json" ||
    fail "link-down: fault.revert missing from the timeline"
