#!/usr/bin/env bash
# No orphans: the harness is SIGKILLed at 20 seeded random moments of a run
# (one in each twentieth of it, so start, faults, stop and reports all get
# theirs). Within 1 s no process of that run may be left (fleet, janitor,
# gnuplot: anything whose command line names the run folder or whose
# working directory is in it), and no fifo or temporary file.
# FS_KILL_SEED picks other moments; the seed is printed either way.
. "$(dirname "$0")/lib.bash"
scenario=$(cd "$(dirname "$0")" && pwd)/scenarios/kill-anywhere.json
seed=${FS_KILL_SEED:-20261123}
kills=20

# A whole run first: the length to spread the kills over, and the proof
# that a normal end leaves nothing either (janitor included).
start=$(date +%s%N)
run_scenario whole "$scenario" --posture legacy
whole_ms=$((($(date +%s%N) - start) / 1000000))
[ "$RUN_RC" = 0 ] || fail "the unkilled run exited $RUN_RC"
[ -z "$(run_procs "$E2E_DIR/whole")" ] || fail "processes left after a normal run"
[ -z "$(leftovers "$E2E_DIR/whole")" ] || fail "left after a normal run: $(leftovers "$E2E_DIR/whole")"

moments=$(awk -v seed="$seed" -v n="$kills" -v t="$whole_ms" \
    'BEGIN { srand(seed); for (i = 0; i < n; i++) printf "%d ", (i + rand()) * t / n }')
echo "# seed $seed, run of $whole_ms ms, kills at (ms): $moments"

alive_at_kill=0 worst_ms=0 i=0
for ms in $moments; do
    out=$E2E_DIR/k$i
    "$FS_BUILD/failsmall" run "$scenario" --posture legacy --out "$out" >"$E2E_DIR/k$i.out" 2>&1 &
    pid=$!
    sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
    fleet=0
    for p in $(run_procs "$out"); do
        [ "$p" != "$pid" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" != fs-janitor ] &&
            fleet=$((fleet + 1))
    done
    kill -KILL "$pid" 2>/dev/null
    killed=$(date +%s%N)
    [ "$fleet" -gt 0 ] && alive_at_kill=$((alive_at_kill + 1))
    { wait "$pid"; } 2>/dev/null
    run_gone "$out" 1000 ||
        fail "kill $i at $ms ms (seed $seed): processes alive 1 s later"
    gone_ms=$((($(date +%s%N) - killed) / 1000000))
    [ "$gone_ms" -gt "$worst_ms" ] && worst_ms=$gone_ms
    files=$(leftovers "$out")
    [ -z "$files" ] || fail "kill $i at $ms ms (seed $seed): left behind: $files"
    i=$((i + 1))
done
# Not a test that cannot fail: most kills must have hit a live fleet.
[ "$alive_at_kill" -ge $((kills / 2)) ] ||
    fail "only $alive_at_kill of $kills kills found the fleet running: the moments miss the run"
pass "SIGKILL at $kills moments (seed $seed; $alive_at_kill with the fleet up): every process gone within $worst_ms ms, no fifo or temporary file left"
