#!/usr/bin/env bash
# shellcheck disable=SC2016 # $names in single quotes are jq's, not the shell's
# The config.* injectors end to end, one small scenario per kind, each run in
# both postures (issue 4):
#   inj-config-<kind> for the seven bad bot/features files: legacy publishes
#     to every node and the new engine aborts (SIGABRT) on it; hardened's
#     canary rejects it (config_rejected, with the reason that names the kind),
#     the staged rollout rolls it back, and users never notice;
#   inj-config-killswitch: waf/rules with a rule killswitched, half the nodes
#     on the old engine: legacy's old proxy answers 500, hardened is fine;
#   inj-config-flap: bad and good versions in turn, the same way in both
#     postures; exactly the bad ones are refused.
. "$(dirname "$0")/lib.bash"
dir=$(cd "$(dirname "$0")" && pwd)/scenarios

# jq helpers over one results.json, about faults[0] (the fault under test):
# when it was applied and reverted, the bot/features versions it published
# (first publish, bad and good flaps), and bucket sums over its window.
JDEFS='
def bms: .slo.bucket_ms;
def at($kind): [.events[] | select(.kind == $kind and .source == "$.faults[0]") | .t_ms][0];
def ver($what): [.events[] | select(.kind == "config.publish" and (.what | startswith("bot/features "))
        and (.what | endswith(": " + $what)))
    | .what | capture(" v(?<v>[0-9]+): ").v | tonumber];
def exits: [.events[] | select(.kind == "process.exited")];
def inner($skip): [range(((at("fault.apply") + $skip) / bms | ceil); (at("fault.revert") / bms | floor))];
def sum($i; $f; $idx): .interfaces[$i].buckets[$f] as $c | [$idx[] | $c[.]] | add;
'

# jcheck FILE VALUE TEST WHAT — computes VALUE (jq, with JDEFS) from FILE and
# fails with WHAT and the value unless TEST (jq, on that value) holds.
jcheck() {
    local file=$1 val=$2 test=$3 what=$4 v
    [ -s "$file" ] || fail "$what: $file is missing"
    v=$(jq -c "$JDEFS ($val)" "$file" 2>&1) || fail "$what: jq: $v"
    jq -e -n --argjson v "$v" "\$v | $test" >/dev/null 2>&1 || fail "$what: got $v"
}

# logged LOGFILE EVENT VERSION REASON — true if LOGFILE has an EVENT line for
# bot/features VERSION whose reason contains REASON.
logged() {
    grep "event=$2 " "$1" | grep " version=$3\( \|$\)" | grep -qF -- "$4"
}

# run_both NAME — runs scenarios/NAME.json in both postures; every
# expectation in the file must hold (exit 0).
run_both() {
    run_scenario "$1" "$dir/$1.json"
    [ "$RUN_RC" = 0 ] || { cat "$E2E_DIR/$1.out"; fail "$1: exit $RUN_RC, expected 0"; }
}

# ---- one bad bot/features file per kind ----
# scenario|kind|the reason each bot module gives for it (fleet/botmod/features.c)
kinds=(
    'duplicate-rows|config.duplicate_rows|$.features: 240 features, limit 200'
    'oversize-features|config.oversize features|$.features: 201 features, limit 200'
    'oversize-bytes|config.oversize bytes|document is 5000000 bytes, limit 4194304'
    'malformed|config.malformed|syntax error'
    'truncated|config.truncated|syntax error'
    'wrong-type|config.wrong_type|$.version: expected a non-negative integer'
    'empty|config.empty|empty feature file'
)
for entry in "${kinds[@]}"; do
    IFS='|' read -r kind label reason <<<"$entry"
    name=inj-config-$kind
    run_both "$name"
    L=$E2E_DIR/$name/legacy/results.json
    H=$E2E_DIR/$name/hardened/results.json
    LL=$E2E_DIR/$name/legacy/logs
    HL=$E2E_DIR/$name/hardened/logs

    # Legacy: instant rollout to both nodes; both bot modules abort on it
    # (after the publish: a 5 MB file may take until after the revert to
    # fetch under ASan, hence the logs name the version), nothing died
    # before, and both serve again once the good file is back.
    v=$(jq "$JDEFS ver(\"fault\")[0]" "$L")
    if [ -z "$v" ] || [ "$v" = null ]; then
        fail "$kind legacy: no \"fault\" config.publish on the timeline"
    fi
    jcheck "$L" '.bad_config_share' '. == 1' "$kind legacy: bad_config_share (instant rollout)"
    jcheck "$L" 'at("fault.apply") as $a | [exits[] | select(.what | test("SIGABRT")) | select(.t_ms >= $a) | .source] | unique' \
        '. == ["botmod[0]", "botmod[1]"]' "$kind legacy: bot modules that exited with SIGABRT after the publish"
    jcheck "$L" 'at("fault.apply") as $a | [exits[] | select(.t_ms < $a)] | length' '. == 0' \
        "$kind legacy: exits before the fault"
    for n in 0 1; do
        logged "$LL/botmod[$n].log" panic "$v" "$reason" ||
            fail "$kind legacy: botmod[$n] did not log a panic on v$v with reason '$reason'"
        jcheck "$L" "at(\"fault.revert\") as \$r | [.events[] | select(.kind == \"process.ready\" and
            .source == \"botmod[$n]\" and .t_ms > \$r)] | length" '. >= 1' \
            "$kind legacy: botmod[$n] ready again after the revert"
    done
    jcheck "$L" '.recovered' '. == true' "$kind legacy: recovered by the end"

    # Hardened: the canary (node 0) rejects it with the same reason, the
    # rollout rolls it back so node 1 never sees it, nothing restarts.
    v=$(jq "$JDEFS ver(\"fault\")[0]" "$H")
    if [ -z "$v" ] || [ "$v" = null ]; then
        fail "$kind hardened: no \"fault\" config.publish on the timeline"
    fi
    jcheck "$H" '.bad_config_share' '. == 0.5' "$kind hardened: bad_config_share (canary only: 1/nodes)"
    jcheck "$H" "[.events[] | select(.kind == \"rollout.rolled_back\" and (.what | startswith(\"bot/features v$v \")))] | length" \
        '. == 1' "$kind hardened: rollout.rolled_back of v$v"
    jcheck "$H" 'exits | length' '. == 0' "$kind hardened: process exits"
    logged "$HL/botmod[0].log" config_rejected "$v" "$reason" ||
        fail "$kind hardened: botmod[0] did not log config_rejected of v$v with reason '$reason'"
    ! grep -q 'event=config_rejected' "$HL/botmod[1].log" ||
        fail "hardened $kind: botmod[1] was offered the bad version (the rollout did not stop at the canary)"
    jcheck "$H" '.interfaces["client->proxy"].totals | [.calls, .errors, .wrong]' '.[0] > 100 and .[1] == 0 and .[2] == 0' \
        "$kind hardened: client->proxy [calls, errors, wrong answers]"
    if [ "$kind" = duplicate-rows ]; then
        # The scenario's second fault: waf/rules with every rule twice.
        for n in 0 1; do
            grep -q 'event=config_rejected key=waf/rules .*duplicate rule id' "$LL/proxy[$n].log" ||
                fail "$kind legacy: proxy[$n] did not refuse waf/rules with every rule twice"
        done
        grep -q 'event=config_rejected key=waf/rules .*duplicate rule id' "$HL/proxy[0].log" ||
            fail "$kind hardened: the canary proxy did not refuse waf/rules with every rule twice"
    fi
    pass "$label: legacy bot modules abort (\"$reason\"), hardened canary rejects it, users unaffected"
done

# ---- config.killswitch on waf/rules, node 1 on the old engine ----
run_both inj-config-killswitch
L=$E2E_DIR/inj-config-killswitch/legacy/results.json
H=$E2E_DIR/inj-config-killswitch/hardened/results.json
LL=$E2E_DIR/inj-config-killswitch/legacy/logs
HL=$E2E_DIR/inj-config-killswitch/hardened/logs
# 100 ms for every proxy to poll the new rules.
jcheck "$L" '[sum("client->proxy"; "calls"; inner(200)), sum("client->proxy"; "errors"; inner(200))] | .[1] / .[0]' \
    '. >= 0.3 and . <= 0.55' "killswitch legacy: share of client requests failing while the rule is killswitched"
jcheck "$L" '(at("fault.revert") + 200) as $t | [range($t / bms | ceil; .duration_ms / bms)] as $idx
    | [sum("client->proxy"; "calls"; $idx), sum("client->proxy"; "errors"; $idx)]' '.[0] > 100 and .[1] == 0' \
    "killswitch legacy: client [calls, errors] from 200 ms after the revert"
grep -q 'event=waf_error .*engine=old' "$LL/proxy[1].log" || fail "killswitch legacy: proxy[1] (old engine) logged no waf_error"
! grep -q 'event=waf_error' "$LL/proxy[0].log" || fail "killswitch legacy: proxy[0] (new engine) logged a waf_error"
pass "config.killswitch legacy: the old-engine proxy answers 500, about half of the users fail, all back after the revert"
# Hardened: the killswitch reaches every node (the canary reports it healthy,
# so the staged rollout goes on to 100 %) and the nil guard holds.
jcheck "$H" '[.events[] | select(.kind | startswith("rollout.")) | select(.what | startswith("waf/rules v2 "))
    | .kind + " " + (.what | capture("stage (?<s>[^ ]+)").s // "")]' \
    '. == ["rollout.published ", "rollout.stage canary", "rollout.stage 25%", "rollout.stage 100%", "rollout.complete "]' \
    "killswitch hardened: the staged rollout of waf/rules v2"
for n in 0 1; do
    grep -q 'event=waf_rules_loaded key=waf/rules version=2 .*killswitched=1' "$HL/proxy[$n].log" ||
        fail "killswitch hardened: proxy[$n] never loaded the killswitched rules"
done
! grep -q 'event=waf_error' "$HL"/proxy*.log || fail "killswitch hardened: a proxy logged a waf_error"
jcheck "$H" '.interfaces["client->proxy"].totals | [.calls, .errors]' '.[0] > 100 and .[1] == 0' \
    "killswitch hardened: client->proxy [calls, errors]"
pass "config.killswitch hardened: rolled out in stages to every proxy, nobody failed"

# ---- flap: config.wrong_type re-published every 250 ms ----
run_both inj-config-flap
L=$E2E_DIR/inj-config-flap/legacy/results.json
H=$E2E_DIR/inj-config-flap/hardened/results.json
LL=$E2E_DIR/inj-config-flap/legacy/logs
HL=$E2E_DIR/inj-config-flap/hardened/logs
flaps='[.events[] | select(.kind == "config.publish") | .what | capture(": (?<w>.*)$").w]'
lf=$(jq -c "$flaps" "$L")
hf=$(jq -c "$flaps" "$H")
# 250, 500, 750 and 1000 ms into the 1.1 s fault: four flaps, seed 3 gives
# both kinds.
jq -e -n --argjson f "$lf" '$f[0] == "fault" and $f[-1] == "revert" and ($f[1:-1] | length == 4)
    and ($f[1:-1] | all(. == "flap: bad" or . == "flap: good"))
    and ($f | index("flap: bad")) != null and ($f | index("flap: good")) != null' >/dev/null ||
    fail "flap: legacy published $lf, expected fault, four flaps (bad and good), revert"
[ "$lf" = "$hf" ] || fail "flap: the same seed flapped $lf in legacy but $hf in hardened"
# Hardened: the canary rejects exactly the bad versions (the first publish
# and every "flap: bad") and loads every "flap: good" one.
bad=$(jq -c "$JDEFS ver(\"fault\") + ver(\"flap: bad\") | sort" "$H")
good=$(jq -c "$JDEFS ver(\"flap: good\")" "$H")
rej=$(grep -o 'event=config_rejected key=bot/features version=[0-9]*' "$HL/botmod[0].log" |
    sed 's/.*=//' | jq -s -c 'unique')
[ "$rej" = "$bad" ] || fail "flap hardened: botmod[0] rejected versions $rej, the bad ones were $bad"
for v in $(jq -r '.[]' <<<"$good"); do
    grep -q "event=features_loaded key=bot/features version=$v " "$HL/botmod[0].log" ||
        fail "flap hardened: botmod[0] did not load good flap v$v"
done
jcheck "$H" '[.bad_config_share, (exits | length)]' '. == [0.5, 0]' "flap hardened: [bad_config_share, process exits]"
# Legacy: every version a bot module panicked on was a bad one, and at
# least one flap brought it down again.
lbad=$(jq -c "$JDEFS ver(\"fault\") + ver(\"flap: bad\") | sort" "$L")
panics=$(cat "$LL"/botmod*.log | grep -o 'event=panic .* version=[0-9]*' | sed 's/.*version=//' | jq -s -c 'unique')
jq -e -n --argjson p "$panics" --argjson b "$lbad" '($p - $b) == [] and ($p - [$b[0]]) != []' >/dev/null ||
    fail "flap legacy: bot modules panicked on versions $panics, the bad ones were $lbad"
jcheck "$L" '.bad_config_share' '. == 1' "flap legacy: bad_config_share"
pass "config.* flap: $(jq -r 'map(select(startswith("flap"))) | join(", ")' <<<"$lf") in both postures; only bad versions refused (hardened) or fatal (legacy)"
