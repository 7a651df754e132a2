#!/usr/bin/env bash
# Two library scenarios about retries, both postures, each must hold its own
# expectations (exit 0), and the effects are read back from results.json.
# aws-2025-10-20-empty-record: configstore answers empty; legacy bot modules
# abort on it, synchronized retries pile up and drown the modules when they
# come back; hardened keeps its last known good. retry-storm: a slow origin with retries at every
# layer; legacy's collapse outlives the fault, hardened recovers within 1 s.
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)

run() {
    run_scenario "$1" "$root/scenarios/$1.json"
    [ "$RUN_RC" = 0 ] || { cat "$E2E_DIR/$1.out"; fail "$1: exit $RUN_RC, expected 0"; }
}

EV='def ev(k; s): [.events[] | select(.kind == k and (.source | startswith(s)))];'

run aws-2025-10-20-empty-record
r=$E2E_DIR/aws-2025-10-20-empty-record/legacy/results.json
check "$r" "$EV"' ev("process.exited"; "botmod") | length >= 4' \
    "aws/legacy: every bot module exited on the empty answer"
check "$r" '.load.retries > 1000 and .interfaces["proxy->botmod"].window.calls > 5 * .load.user_requests_in_window' \
    "aws/legacy: clients and proxies retried; calls to the bot modules multiplied"
check "$r" '.interfaces["client->proxy"].window.failures > 0.8 * .interfaces["client->proxy"].window.calls' \
    "aws/legacy: goodput collapsed while throughput rose"
# After the record is back: the bot modules are called (throughput) and
# answer (they are up), but nothing reaches users: work done, no progress.
check "$r" '(.fault_window.end_ms / 100 | floor) as $e |
    ([.interfaces["proxy->botmod"].buckets.calls[$e + 20:$e + 60][]] | add) > 1000 and
    ([.interfaces["client->proxy"].buckets.good[$e + 20:$e + 60][]] | add) < 40' \
    "aws/legacy: 2-6 s after the record came back the modules were busy and users got nothing"
check "$r" '.recovered == false' "aws/legacy: the collapse outlived the outage"
r=$E2E_DIR/aws-2025-10-20-empty-record/hardened/results.json
check "$r" '[.events[] | select(.kind == "process.exited")] | length == 0' "aws/hardened: nothing exited"
check "$r" '.load.retries == 0 and .interfaces["client->proxy"].window.failures == 0' \
    "aws/hardened: no user request failed, so nobody retried"
check "$r" '.interfaces["botmod->configstore"].verdict == "failed_small"' \
    "aws/hardened: the pollers' own interface failed small"
pass "aws-2025-10-20-empty-record: legacy trusts the empty record and retries multiply, hardened keeps last known good"

run retry-storm
r=$E2E_DIR/retry-storm/legacy/results.json
check "$r" '.interfaces["proxy->origin"].window.amplification >= 5' \
    "retry-storm/legacy: five or more origin calls per user request"
check "$r" '.recovered == false' "retry-storm/legacy: the collapse outlived the fault"
check "$r" '.knobs | map(.name) | index("proxy.attempt_timeout") != null' \
    "retry-storm/legacy: the knobs are recorded in results.json"
# After the fault: the origin is busy (calls keep coming) yet almost nothing
# gets through, the signature of a congestive collapse.
check "$r" '(.fault_window.end_ms / 100 | floor) as $e | .interfaces["client->proxy"].buckets as $b |
    ([$b.good[$e + 10:$e + 50][]] | add) < 0.1 * ([$b.calls[$e + 10:$e + 50][]] | add)' \
    "retry-storm/legacy: goodput stayed below 10 % of throughput for 4 s after the fault"
r=$E2E_DIR/retry-storm/hardened/results.json
check "$r" '.interfaces["proxy->origin"].window.amplification <= 3' \
    "retry-storm/hardened: the retry budget kept origin calls near the clients' own retries"
check "$r" '.recovered == true and .time_to_recover_ms <= 1000' \
    "retry-storm/hardened: users recovered within 1 s of the fault's end"
pass "retry-storm: legacy amplifies into a collapse that outlives the fault, hardened recovers"
