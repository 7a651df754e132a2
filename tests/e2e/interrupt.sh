#!/usr/bin/env bash
# Clean interrupts: SIGINT or SIGTERM at any phase (fleet starting, a fault
# active with a process stopped, the run ending) reverts every active
# fault, stops the fleet, writes results and reports saying "aborted" and
# exits 130, all within 2 s of the signal, leaving no process, fifo or
# temporary file. A second Ctrl-C kills at once, and still nothing is left.
. "$(dirname "$0")/lib.bash"
dir=$(cd "$(dirname "$0")" && pwd)/scenarios
hang=$dir/inj-process-hang.json # 5 s; every botmod SIGSTOPped from 1.5 s for 1.5 s

# botmods_stopped DIR — every bot module of the run in DIR is SIGSTOPped:
# the process.hang is on, whatever the machine's speed.
botmods_stopped() {
    local p n=0
    for p in $(run_procs "$1"); do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = fs-botmod ] || continue
        [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = T ] || return 1
        n=$((n + 1))
    done
    [ "$n" = 2 ]
}

# interrupt NAME SCENARIO WHEN SIGNAL — runs SCENARIO into $E2E_DIR/NAME,
# sends SIGNAL after WHEN seconds (or once the hang is on, for "hang") and
# waits; RC, STOP_MS (signal to exit) and OUT are set.
interrupt() {
    local name=$1 file=$2 when=$3 sig=$4 pid sent
    OUT=$E2E_DIR/$name
    "$FS_BUILD/failsmall" run "$file" --out "$OUT" >"$E2E_DIR/$name.log" 2>&1 &
    pid=$!
    if [ "$when" = hang ]; then
        wait_until 15 botmods_stopped "$OUT" || fail "$name: the hang never came"
        sleep 0.2
    else
        sleep "$when"
    fi
    kill "-$sig" "$pid"
    sent=$(date +%s%N)
    { wait "$pid"; } 2>/dev/null
    RC=$?
    STOP_MS=$((($(date +%s%N) - sent) / 1000000))
}

# aborted_cleanly WHAT REASON — the checks every clean interrupt must pass.
aborted_cleanly() {
    local what=$1 reason=$2 res=$OUT/legacy/results.json
    [ "$RC" = 130 ] || fail "$what: exit $RC, expected 130"
    [ "$STOP_MS" -le 2000 ] || fail "$what: took $STOP_MS ms from the signal to the exit (limit 2000)"
    run_gone "$OUT" 500 || fail "$what: processes left $GONE_MS ms after the exit"
    [ -z "$(leftovers "$OUT")" ] || fail "$what: left behind: $(leftovers "$OUT")"
    check "$res" '.status == "aborted"' "$what: results.json status"
    check "$res" ".abort_reason == \"$reason\"" "$what: abort reason"
    [ -d "$OUT/hardened" ] && fail "$what: the run went on to the next posture"
    grep -q "Run aborted" "$OUT/summary.md" || fail "$what: summary.md does not say aborted"
    grep -qi "aborted" "$OUT/report.html" || fail "$what: report.html does not say aborted"
    grep -q 'type="aborted"' "$OUT/junit.xml" || fail "$what: junit.xml does not say aborted"
}

# During a fault, with both bot modules SIGSTOPped: the hang is reverted
# (SIGCONT) before the stop, and the stop is quick all the same.
interrupt during-fault "$hang" hang INT
aborted_cleanly "SIGINT during a process.hang" "interrupted (SIGINT)"
res=$OUT/legacy/results.json
check "$res" '[.events[] | select(.kind == "fault.revert" and (.what | endswith("(end of run)")))] | length == 1' \
    "the active hang reverted at the abort"
check "$res" '[.events[] | select(.kind == "fault.signal" and (.what | startswith("SIGCONT")))] | length == 2' \
    "both stopped bot modules continued"
check "$res" '[.events[] | select(.kind == "run.abort" and .t_ms > 1500 and .t_ms < 3000)] | length == 1' \
    "a run.abort event at the signal, inside the hang"
check "$res" '.interfaces["proxy->botmod"].verdict == "cascaded"' "what was measured so far"
during_ms=$STOP_MS

# While the fleet starts: no verdict yet, still a results file that says so.
interrupt starting "$hang" 0.15 TERM
aborted_cleanly "SIGTERM while the fleet starts" "terminated (SIGTERM)"
starting_ms=$STOP_MS

# At the very end, while the load drains or the reports are written.
interrupt ending "$hang" 5.3 INT
[ "$RC" = 130 ] || fail "SIGINT at the end: exit $RC, expected 130"
[ "$STOP_MS" -le 2000 ] || fail "SIGINT at the end: took $STOP_MS ms (limit 2000)"
run_gone "$OUT" 500 || fail "SIGINT at the end: processes left"
[ -z "$(leftovers "$OUT")" ] || fail "SIGINT at the end: left behind: $(leftovers "$OUT")"
[ -d "$OUT/hardened" ] && fail "SIGINT at the end: the run went on to the next posture"
ending_ms=$STOP_MS
pass "SIGINT/SIGTERM abort cleanly within 2 s: during a fault $during_ms ms, while starting $starting_ms ms, at the end $ending_ms ms"

# A second Ctrl-C while the first is being handled: dead at once (killed by
# SIGINT, which a shell reports as 130); the fleet dies with it and the
# janitor sweeps its fifos.
OUT=$E2E_DIR/twice
"$FS_BUILD/failsmall" run "$hang" --out "$OUT" >"$E2E_DIR/twice.log" 2>&1 &
pid=$!
wait_until 15 botmods_stopped "$OUT" || fail "twice: the hang never came"
kill -INT "$pid"
sleep 0.02
kill -INT "$pid"
sent=$(date +%s%N)
{ wait "$pid"; } 2>/dev/null
RC=$?
second_ms=$((($(date +%s%N) - sent) / 1000000))
[ "$RC" = 130 ] || fail "second Ctrl-C: exit $RC, expected 130"
[ "$second_ms" -le 200 ] || fail "second Ctrl-C: took $second_ms ms to die (limit 200)"
run_gone "$OUT" 1000 || fail "second Ctrl-C: processes left 1 s later"
[ -z "$(leftovers "$OUT")" ] || fail "second Ctrl-C: left behind: $(leftovers "$OUT")"
pass "a second Ctrl-C kills in $second_ms ms; fleet and janitor gone within $GONE_MS ms, nothing left on disk"
