#!/usr/bin/env bash
# make suite: every scenario in scenarios/ (or the files in SCENARIOS=...),
# both postures, SUITE_JOBS (default 2) scenarios at a time, each its own
# `failsmall run FILE --out OUT/NAME`; then the suite index over all of them
# (`failsmall report OUT`), the wall time and where to look. OUT is
# SUITE_OUT, default runs/suite, which belongs to the suite and is emptied
# first; a SUITE_OUT of your own is not, and its index covers every run
# folder in it.
# Exit 0 when every expectation held, 1 when some did not, 2 on bad input or
# a harness failure, 130 when interrupted.
#
# Why in parallel: a run is mostly waiting (the load is open loop, the
# faults are on a clock), about 40 % of one core for two fleets of 11
# processes, so two at once on two cores keep their verdicts (make
# stability checks them one at a time against a busy core) and the library
# fits in the 4 minutes CI gives it.
set -u
build=${1:-build}
out=${SUITE_OUT:-runs/suite}
jobs=${SUITE_JOBS:-2}
fs=$build/failsmall

[ -x "$fs" ] || { echo "suite: $fs is missing (make)" >&2; exit 2; }
command -v jq >/dev/null || { echo "suite: jq is missing (make deps)" >&2; exit 2; }
case $jobs in '' | *[!0-9]* | 0) echo "suite: SUITE_JOBS=$jobs: expected a positive integer" >&2; exit 2 ;; esac
. "$(dirname "$0")/scenario-files.sh"
scenario_files suite "$fs"

names=()
for f in "${files[@]}"; do
    names+=("$(jq -r .name "$f")") || exit 2
done
[ -n "${SUITE_OUT:-}" ] || rm -rf runs/suite
mkdir -p "$out" || exit 2

start=$EPOCHREALTIME
pid_of=()
rcs=()
running=()

# Interrupted: each failsmall still running reverts its faults, stops its
# fleet and writes partial results, then the suite stops. Ctrl-C reaches
# them from the terminal already (same process group), and a second signal
# would make failsmall give up on the partial results, so only TERM is
# passed on.
stop() {
    local p
    if [ "$1" = TERM ]; then
        for p in "${running[@]}"; do
            kill -TERM "$p" 2>/dev/null
        done
    fi
    wait
    echo "suite: interrupted" >&2
    exit 130
}
trap 'stop INT' INT
trap 'stop TERM' TERM

# reap — waits for one running scenario to finish and records its exit code.
reap() {
    local p i rc keep=()
    wait -n -p p
    rc=$?
    for i in "${!names[@]}"; do
        [ "${pid_of[$i]:-}" = "$p" ] && rcs[i]=$rc
    done
    for i in "${running[@]}"; do
        [ "$i" = "$p" ] || keep+=("$i")
    done
    running=("${keep[@]}")
}

for i in "${!files[@]}"; do
    while [ "${#running[@]}" -ge "$jobs" ]; do
        reap
    done
    echo "suite: ${names[i]}: running both postures"
    mkdir -p "$out/${names[i]}"
    NO_COLOR=1 "$fs" run "${files[i]}" --out "$out/${names[i]}" >"$out/${names[i]}/run.log" 2>&1 &
    pid_of[i]=$!
    running+=("$!")
done
while [ "${#running[@]}" -gt 0 ]; do
    reap
done
trap - INT TERM
wall=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')

worst=0
echo
for i in "${!names[@]}"; do
    rc=${rcs[i]:-2}
    # Each scenario's table, in library order, whatever order they ran in.
    sed -n '/^interface /,/^$/p' "$out/${names[i]}/run.log"
    case $rc in
    0) echo "suite: ${names[i]}: every expectation held" ;;
    1) echo "suite: ${names[i]}: SOME EXPECTATIONS FAILED (see $out/${names[i]}/summary.md)" ;;
    *) echo "suite: ${names[i]}: exit $rc (see $out/${names[i]}/run.log)" ;;
    esac
    if [ "$rc" = 2 ] || { [ "$rc" != 0 ] && [ "$worst" = 0 ]; }; then
        worst=$rc
    fi
done
"$fs" report "$out" >/dev/null || worst=2
printf 'suite: %d scenarios in %s s (%d at a time); index: %s/index.html, %s/summary.md\n' \
    "${#names[@]}" "$wall" "$jobs" "$out" "$out"
[ "$worst" = 0 ] && echo "suite: every expectation held" || echo "suite: FAILED (exit $worst)"
exit "$worst"
