#!/usr/bin/env bash
# Health-mediated deployment: four hardened bot modules behind a staged
# configstore. An oversized file reaches the canary only; the canary rejects
# it, reports so, and the configstore rolls the key back by itself.
. "$(dirname "$0")/lib.bash"

features 60 >"$E2E_DIR/good.json"
features 240 >"$E2E_DIR/oversize.json"

start configstore cs --posture hardened --bake-ms 500
for n in 0 1 2 3; do
    start botmod "bm$n" --posture hardened --node "$n" --configstore "$ADDR_cs" --poll-ms 100
done

# Every node must be known before the rollout starts: the node set is fixed then.
v=$(publish "$ADDR_cs" bot/features "$E2E_DIR/good.json")
[ "$v" = 1 ] || fail "publish of the good file answered version '$v'"
for n in 0 1 2 3; do
    a=ADDR_bm$n
    wait_until 5 bash -c "curl -s http://${!a}/metrics | grep -q 'failsmall_config_version{.*bot/features.*} 1$'" ||
        fail "node $n never applied version 1"
done
pass "first version went out to all four nodes at once"

v=$(publish "$ADDR_cs" bot/features "$E2E_DIR/oversize.json")
[ "$v" = 2 ] || fail "publish of the oversized file answered version '$v'"
wait_until 5 bash -c "curl -s http://$ADDR_cs/v1/rollout/bot/features | grep -q '\"state\":\"rolled_back\"'" ||
    fail "the rollout never rolled back: $(curl -s "http://$ADDR_cs/v1/rollout/bot/features")"

rollout=$(curl -s "http://$ADDR_cs/v1/rollout/bot/features")
echo "$rollout" | grep -q '"good_version":1' || fail "good version is not 1 after rollback: $rollout"
events=$(curl -s "http://$ADDR_cs/v1/events?since=0")
echo "$events" | grep -q '"stage":"canary"' || fail "no canary stage in events: $events"
echo "$events" | grep -q '"stage":"25%"' && fail "the bad version got past the canary: $events"

rejected=0
for n in 0 1 2 3; do
    a=ADDR_bm$n
    r=$(metric "${!a}" failsmall_config_rejected_total bot/features)
    rejected=$((rejected + ${r%.*}))
    # Every node is back on (or still on) version 1.
    wait_until 3 bash -c "curl -s http://${!a}/metrics | grep -q 'failsmall_config_version{.*bot/features.*} 1$'" ||
        fail "node $n is not serving version 1 after the rollback"
done
[ "$rejected" = 1 ] || fail "$rejected nodes saw the oversized file, expected only the canary"
for n in 0 1 2 3; do
    p=PID_bm$n
    alive "${!p}" || fail "botmod $n died"
done
pass "oversized file stopped at the canary (1 of 4 nodes) and rolled back automatically"
