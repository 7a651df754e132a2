#!/usr/bin/env bash
# process.* end to end, one small scenario per kind, each checked on the
# results timeline: crash and kill die of their signal and come back, a
# fault with nothing running to signal is an error and a partly running
# target is a skip, hang makes legacy proxies time out while hardened ones
# fail open, a crash loop restarts its target again and again until
# reverted, restart stops cleanly and comes back, and a share picks the
# same instance for the same seed.
. "$(dirname "$0")/lib.bash"
dir=$(cd "$(dirname "$0")" && pwd)/scenarios

# run NAME SCENARIO [options] — runs scenarios/inj-process-SCENARIO.json
# into $E2E_DIR/NAME; it must exit 0.
run() {
    local name=$1 scenario=$2
    shift 2
    run_scenario "$name" "$dir/inj-process-$scenario.json" "$@"
    [ "$RUN_RC" = 0 ] || { cat "$E2E_DIR/$name.out"; fail "$name: exit $RUN_RC, expected 0"; }
}

# jq filters over .events, used inside check expressions.
EV='def ev(k; s): [.events[] | select(.kind == k and .source == s)];
    def first_t(k; s): (ev(k; s) | first | .t_ms) // 1e9;
    def after(k; s; t): [ev(k; s)[] | select(.t_ms >= t)];'

# crash with SIGABRT on botmod[0], then again while it waits for its restart.
run crash crash --posture legacy
r=$E2E_DIR/crash/legacy/results.json
check "$r" "$EV"' ev("process.exited"; "botmod[0]") | length == 1 and (.[0].what | test("SIGABRT"))' \
    "crash: botmod[0] exited once, with SIGABRT"
check "$r" "$EV"' any(.events[]; .kind == "fault.signal" and .source == "botmod[0]" and (.what | test("^SIGABRT to pid [0-9]+")))' \
    "crash: the signal (and the pid) is stamped"
check "$r" "$EV"' first_t("process.exited"; "botmod[0]") as $t | (after("process.restarting"; "botmod[0]"; $t) | length) >= 1 and (after("process.ready"; "botmod[0]"; $t) | length) >= 1' \
    "crash: the supervisor restarted botmod[0] and it became ready"
check "$r" "$EV"' ev("fault.error"; "$.faults[1]") | length == 1 and (.[0].what | test("botmod\\[0\\] not running"))' \
    "crash: a crash while botmod[0] was down is a fault error naming it"
check "$r" "$EV"' ev("process.exited"; "botmod[1]") + ev("process.exited"; "proxy[0]") | length == 0' \
    "crash: nothing else exited"
pass "process.crash: botmod[0] died of SIGABRT and came back; nothing to signal is an error"
# libfiu removes its fifos at exit() only: the aborted incarnation's are the
# harness's to remove once the fleet is down, with their directory.
[ ! -e "$E2E_DIR/crash/legacy/fiu" ] ||
    fail "crash: left behind: $(ls -la "$E2E_DIR/crash/legacy/fiu")"
pass "process.crash: no libfiu fifo left after the run, the crashed incarnation's included"

# kill botmod[1], then every botmod while botmod[1] waits for its restart.
run kill kill --posture legacy
r=$E2E_DIR/kill/legacy/results.json
check "$r" "$EV"' ev("process.exited"; "botmod[1]") | length == 1 and (.[0].what | test("SIGKILL"))' \
    "kill: botmod[1] exited once, with SIGKILL"
check "$r" "$EV"' first_t("process.exited"; "botmod[1]") as $t | (after("process.ready"; "botmod[1]"; $t) | length) >= 1' \
    "kill: botmod[1] came back"
check "$r" "$EV"' ev("process.exited"; "botmod[0]") | length == 1 and (.[0].what | test("SIGKILL"))' \
    "kill: the service-wide kill reached the running botmod[0]"
check "$r" "$EV"' ev("fault.skipped"; "botmod[1]") | length == 1' \
    "kill: the botmod[1] that was down is recorded as skipped"
check "$r" "$EV"' ev("fault.apply"; "$.faults[1]") | length == 1' \
    "kill: a partly applied kill still counts as applied"
pass "process.kill: SIGKILL, restart; a target that is down is skipped"

# hang every botmod for 1.5 s, both postures (the scenario's expectations
# already hold the verdicts; the numbers below say why).
run hang hang
for p in legacy hardened; do
    r=$E2E_DIR/hang/$p/results.json
    check "$r" "$EV"' [.events[] | select(.kind == "fault.signal" and (.what | test("^SIGSTOP")))] | length == 2' \
        "hang/$p: both bot modules stopped"
    check "$r" "$EV"' [.events[] | select(.kind == "fault.signal" and (.what | test("^SIGCONT")))] | length == 2' \
        "hang/$p: both bot modules continued on revert"
    check "$r" '[.events[] | select(.kind == "process.exited")] | length == 0' \
        "hang/$p: a hang is not a crash: nothing exited"
done
r=$E2E_DIR/hang/legacy/results.json
check "$r" '.interfaces["proxy->botmod"].window.failures > 0' "hang/legacy: proxy->botmod calls failed"
check "$r" '.interfaces["client->proxy"].verdict == "cascaded" and .interfaces["client->proxy"].window.failures > 0' \
    "hang/legacy: clients saw the failure (cascaded)"
r=$E2E_DIR/hang/hardened/results.json
check "$r" '.interfaces["proxy->botmod"].window.failures > 0' "hang/hardened: proxy->botmod calls failed"
check "$r" '.degraded_share > 0 and .interfaces["client->proxy"].window.failures == 0' \
    "hang/hardened: proxies failed open (degraded, no client failures)"
check "$r" '.interfaces["client->proxy"].verdict == "unaffected"' "hang/hardened: client->proxy unaffected"
pass "process.hang: legacy proxies time out, hardened ones fail open"

# crash loop on botmod[1] from 0.5 s to 2.5 s.
run crash-loop crash-loop --posture hardened
r=$E2E_DIR/crash-loop/hardened/results.json
check "$r" "$EV"' first_t("fault.apply"; "$.faults[0]") as $a | first_t("fault.revert"; "$.faults[0]") as $v | [ev("process.started"; "botmod[1]")[] | select(.t_ms > $a and .t_ms <= $v)] | length >= 3' \
    "crash-loop: at least three restarts of botmod[1] while the fault was on"
check "$r" "$EV"' ev("process.crash_loop"; "botmod[1]") | length >= 1' \
    "crash-loop: the supervisor reported a crash loop of botmod[1]"
check "$r" "$EV"' [ev("fault.signal"; "botmod[1]")[] | select(.what | test("^SIGABRT"))] | length >= 3' \
    "crash-loop: every incarnation was crashed (one SIGABRT each)"
check "$r" "$EV"' first_t("fault.revert"; "$.faults[0]") as $v | (after("fault.signal"; "botmod[1]"; $v + 1) | length) == 0 and (after("process.exited"; "botmod[1]"; $v + 1) | length) == 0' \
    "crash-loop: no signal and no exit after the revert"
check "$r" '[.events[] | select(.source == "botmod[1]" and (.kind | test("^process\\.(started|ready|exited)$")))] | last | .kind == "process.ready"' \
    "crash-loop: botmod[1] is up at the end"
check "$r" "$EV"' ev("process.exited"; "botmod[0]") | length == 0' "crash-loop: botmod[0] untouched"
pass "process.crash_loop: restarted again and again until reverted, then stayed up"

# restart the origin.
run restart restart --posture legacy
r=$E2E_DIR/restart/legacy/results.json
check "$r" "$EV"' ev("fault.signal"; "origin") | length == 1 and (.[0].what | test("^SIGTERM"))' \
    "restart: the origin got SIGTERM"
check "$r" "$EV"' ev("process.exited"; "origin") | length == 1 and (.[0].what | test("status 0"))' \
    "restart: the origin stopped cleanly (status 0)"
check "$r" "$EV"' first_t("process.exited"; "origin") as $t | (after("process.started"; "origin"; $t) | length) == 1 and (after("process.ready"; "origin"; $t) | length) == 1' \
    "restart: the origin started and became ready again"
pass "process.restart: clean stop, started again, ready"

# a share of 0.5 of two bot modules: exactly one, the same one for the
# same seed; another seed picks the other (the choice is the seed's).
picked() {
    jq -r '[.events[] | select(.kind == "fault.signal") | .source] | join(",")' "$1"
}
for name in share share-again; do
    run "$name" share --posture legacy
    r=$E2E_DIR/$name/legacy/results.json
    check "$r" '[.events[] | select(.kind == "fault.signal")] | length == 1' \
        "$name: exactly one bot module signalled"
    check "$r" '[.events[] | select(.kind == "process.exited")] | length == 1' \
        "$name: exactly one process exited"
done
a=$(picked "$E2E_DIR/share/legacy/results.json")
b=$(picked "$E2E_DIR/share-again/legacy/results.json")
case $a in botmod\[[01]\]) ;; *) fail "share: signalled '$a', expected one bot module" ;; esac
[ "$a" = "$b" ] || fail "share: seed 23 picked $a, then $b"
run share-other share --posture legacy --seed 24
c=$(picked "$E2E_DIR/share-other/legacy/results.json")
case $c in botmod\[[01]\]) ;; *) fail "share: seed 24 signalled '$c'" ;; esac
[ "$c" != "$a" ] || fail "share: seeds 23 and 24 both picked $a (is the choice seeded?)"
pass "process.* share 0.5: one of two bot modules, $a for seed 23 twice, $c for seed 24"
