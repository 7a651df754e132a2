#!/usr/bin/env bash
# The fiu and posix kinds end to end: a libfiu point switched on through a
# running service's fifo fails the share of calls it was given, and only in
# the fault window; libfiu's POSIX preload goes into the target's process
# alone, and posix/io/net/connect there keeps it from reaching anyone.
. "$(dirname "$0")/lib.bash"
dir=$(cd "$(dirname "$0")" && pwd)/scenarios

# window FILE — "FIRST LAST APPLY REVERT": the buckets wholly inside the
# first fault's apply..revert, and the buckets the apply and revert fell in.
window() {
    jq -r '.slo.bucket_ms as $b
        | ([.events[] | select(.kind == "fault.apply")][0].t_ms) as $a
        | ([.events[] | select(.kind == "fault.revert")][0].t_ms) as $r
        | "\(($a + $b - 1) / $b | floor) \(($r / $b | floor) - 1) \($a / $b | floor) \($r / $b | floor)"' "$1"
}

# sum FILE IFACE FIELD FIRST LAST — FIELD added up over buckets FIRST..LAST.
sum() {
    jq --arg i "$2" --arg f "$3" --argjson a "$4" --argjson z "$5" \
        '[.interfaces[$i].buckets[$f][$a:$z + 1][]] | add // 0' "$1"
}

# ---- fiu: botmod/score with probability 0.3 on every botmod ----
counts=()
for run in 1 2; do
    run_scenario "score$run" "$dir/inj-fiu-score.json" --posture legacy
    [ "$RUN_RC" = 0 ] || { cat "$E2E_DIR/score$run.out"; fail "inj-fiu-score: exit $RUN_RC"; }
    res=$E2E_DIR/score$run/legacy/results.json
    check "$res" '[.events[] | select(.kind == "fault.error" or .kind == "fault.skipped")] == []' \
        "inj-fiu-score: every botmod took the point"
    read -r first last applied reverted < <(window "$res")
    calls=$(sum "$res" 'proxy->botmod' calls "$first" "$last")
    errors=$(sum "$res" 'proxy->botmod' errors "$first" "$last")
    [ "$calls" -gt 100 ] || fail "inj-fiu-score: only $calls proxy->botmod calls in the window"
    [ $((errors * 100)) -ge $((calls * 20)) ] && [ $((errors * 100)) -le $((calls * 40)) ] ||
        fail "inj-fiu-score: $errors of $calls calls failed in the window, expected 20-40 %"
    check "$res" ".interfaces[\"proxy->botmod\"].buckets.errors[:$applied] | add == 0" \
        "inj-fiu-score: no failure before the point went on"
    check "$res" ".interfaces[\"proxy->botmod\"].buckets.errors[$((reverted + 1)):] | add == 0" \
        "inj-fiu-score: no failure after it went off"
    pass "inj-fiu-score: $errors of $calls calls failed in the window (20-40 %), none outside it"
    [ ! -e "$E2E_DIR/score$run/legacy/fiu" ] ||
        fail "inj-fiu-score: left behind: $(ls -la "$E2E_DIR/score$run/legacy/fiu")"
    counts+=("$(jq -r '.interfaces["proxy->botmod"].totals | "\(.errors) of \(.calls)"' "$res")")
done
# libfiu's PRNG is seeded per process from the run's seed, so the same
# draws come in the same order; only a call sliding across the apply or the
# revert may change the count.
e1=${counts[0]%% *} e2=${counts[1]%% *}
[ $((e1 > e2 ? e1 - e2 : e2 - e1)) -le 3 ] ||
    fail "inj-fiu-score: the same seed failed ${counts[0]} and then ${counts[1]} calls"
pass "inj-fiu-score: the same seed failed ${counts[0]} and ${counts[1]} calls in the whole run"

# ---- fiu: configstore/get switched on outright, with a failnum ----
run_scenario cs "$dir/inj-fiu-configstore.json" --posture hardened
[ "$RUN_RC" = 0 ] || { cat "$E2E_DIR/cs.out"; fail "inj-fiu-configstore: exit $RUN_RC"; }
res=$E2E_DIR/cs/hardened/results.json
check "$res" '[.events[] | select(.kind == "fault.apply")][0].what | test("failnum 7")' \
    "inj-fiu-configstore: the timeline names the failnum"
read -r first last applied reverted < <(window "$res")
calls=$(sum "$res" 'botmod->configstore' calls "$first" "$last")
errors=$(sum "$res" 'botmod->configstore' errors "$first" "$last")
[ "$calls" -gt 0 ] && [ "$errors" = "$calls" ] ||
    fail "inj-fiu-configstore: $errors of $calls config polls failed in the window, expected all"
after=$(sum "$res" 'botmod->configstore' calls $((reverted + 1)) 1000)
check "$res" ".interfaces[\"botmod->configstore\"].buckets.errors[$((reverted + 1)):] | add == 0" \
    "inj-fiu-configstore: no failed poll after the revert"
[ "$after" -gt 0 ] || fail "inj-fiu-configstore: no poll after the revert"
pass "inj-fiu-configstore: $errors of $calls polls failed in the window, none of $after after"

# ---- posix: the preload in proxy[0] only; connect fails there ----
out=$E2E_DIR/posix
"$FS_BUILD/failsmall" run "$dir/inj-posix-connect.json" --out "$out" --posture legacy \
    >"$E2E_DIR/posix.out" 2>&1 &
harness=$!
logs=$out/legacy/logs
ready() {
    local n
    n=$(cat "$logs"/*.log 2>/dev/null | grep -c 'svc=failsmall.*event=ready')
    [ "$n" -ge 7 ]
}
wait_until 20 ready || fail "inj-posix-connect: the fleet did not come up"
for log in "$logs"/*.log; do
    name=$(basename "$log" .log)
    pid=$(grep -o 'event=started proc=[^ ]* incarnation=1 pid=[0-9]*' "$log" | head -n 1 |
        sed 's/.*pid=//')
    [ -n "$pid" ] || fail "inj-posix-connect: no pid in $log"
    n=$(tr '\0' '\n' <"/proc/$pid/environ" | grep -c '^LD_PRELOAD=.*fiu_posix_preload\.so')
    mapped=$(grep -c '/fiu_posix_preload\.so' "/proc/$pid/maps")
    if [ "$name" = 'proxy[0]' ]; then
        [ "$n" = 1 ] && [ "$mapped" -gt 0 ] ||
            fail "inj-posix-connect: $name has $n LD_PRELOAD entries, preload mapped $mapped times"
    else
        [ "$n" = 0 ] && [ "$mapped" = 0 ] ||
            fail "inj-posix-connect: $name was started under libfiu's POSIX preload"
    fi
done
! grep -q fiu_posix_preload "/proc/$harness/maps" ||
    fail "inj-posix-connect: the harness itself runs under the preload"
pass "inj-posix-connect: libfiu's POSIX preload is in proxy[0] (once) and nowhere else"
wait "$harness"
rc=$?
[ "$rc" = 0 ] || { cat "$E2E_DIR/posix.out"; fail "inj-posix-connect: exit $rc"; }
res=$out/legacy/results.json
check "$res" '[.events[] | select(.kind == "fault.error" or .kind == "fault.skipped")] == []' \
    "inj-posix-connect: every fault acted"
check "$res" '[.events[] | select(.kind == "fault.prepare") | .what | test("^proxy\\[0\\] starts with LD_PRELOAD=")] == [true, true]' \
    "inj-posix-connect: the timeline shows the preload for proxy[0] alone"
# connect goes on at 1.5 s, the resets break proxy[0]'s connections at
# 1.6-1.8 s; from then until the revert at 3.5 s it reaches nobody.
for l in 'proxy[0]->botmod[0]' 'proxy[0]->origin[0]'; do
    check "$res" "[.interfaces[].links[]? | select(.name == \"$l\") | .buckets.calls[19:34] | add] == [0]" \
        "inj-posix-connect: $l carries no call while connect fails"
    check "$res" "[.interfaces[].links[]? | select(.name == \"$l\") | .buckets.calls[36:45] | add > 30] == [true]" \
        "inj-posix-connect: $l carries calls again after the revert"
done
for l in 'proxy[1]->botmod[1]' 'proxy[1]->origin[0]'; do
    check "$res" "[.interfaces[].links[]? | select(.name == \"$l\") | (.buckets.calls[15:35] | add > 100) and (.totals.errors == 0)] == [true]" \
        "inj-posix-connect: $l goes on untouched"
done
cerr=$(sum "$res" 'client->proxy' errors 19 33)
ccalls=$(sum "$res" 'client->proxy' calls 19 33)
[ $((cerr * 100)) -ge $((ccalls * 35)) ] && [ $((cerr * 100)) -le $((ccalls * 65)) ] ||
    fail "inj-posix-connect: $cerr of $ccalls client requests failed, expected about half (proxy[0]'s)"
pass "inj-posix-connect: proxy[0] reached nobody while connect failed ($cerr of $ccalls client requests failed), proxy[1] untouched"
