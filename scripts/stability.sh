#!/usr/bin/env bash
# make stability: every scenario in scenarios/ (or the files in
# SCENARIOS=...) RUNS times (default 10), one run at a time, while a busy
# loop keeps the other core busy. Every run must exit 0 (every expectation
# held) and give the same verdicts, in both postures, as the scenario's
# first run. Prints a line per run, a verdict per scenario and a table;
# exits 1 when any scenario was not stable, 2 on bad input. The run folders
# of a scenario that was not stable are kept for a look.
set -u
build=${1:-build}
fs=$build/failsmall
runs=${RUNS:-10}

[ -x "$fs" ] || { echo "stability: $fs is missing (make)" >&2; exit 2; }
command -v jq >/dev/null || { echo "stability: jq is missing (make deps)" >&2; exit 2; }
case $runs in '' | *[!0-9]* | 0) echo "stability: RUNS=$runs: expected a positive integer" >&2; exit 2 ;; esac
. "$(dirname "$0")/scenario-files.sh"
scenario_files stability "$fs"

dir=$(mktemp -d "${TMPDIR:-/tmp}/failsmall-stability.XXXXXX")
keep=0
# A busy loop on the other core, stopped whatever happens.
sh -c 'while :; do :; done' &
burner=$!
cleanup() {
    kill "$burner" 2>/dev/null
    if [ "$keep" = 0 ]; then rm -rf "$dir"; else echo "stability: run folders kept in $dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# verdicts RUN_DIR — both postures' verdicts, one line each.
verdicts() {
    local p
    for p in legacy hardened; do
        [ -f "$1/$p/results.json" ] && echo "$p $(jq -c .verdicts "$1/$p/results.json")"
    done
}

# blast RUN_DIR POSTURE — the posture's blast radius, or "-".
blast() {
    jq -r '.blast_radius // "-"' "$1/$2/results.json" 2>/dev/null || echo -
}

# range VALUE... — "min-max" of the numbers given ("-" when there is none).
range() {
    printf '%s\n' "$@" | grep -v '^-$' | sort -g |
        awk 'NR == 1 { lo = $1 } { hi = $1 } END { print NR ? (lo == hi ? lo : lo "-" hi) : "-" }'
}

table=()
unstable=0
start=$EPOCHREALTIME
for f in "${files[@]}"; do
    name=$(jq -r .name "$f")
    first=""
    same=0
    lb=()
    hb=()
    t0=$EPOCHREALTIME
    mkdir -p "$dir/$name"
    for i in $(seq "$runs"); do
        out=$dir/$name/$i
        NO_COLOR=1 "$fs" run "$f" --out "$out" >"$out.log" 2>&1
        rc=$?
        [ "$rc" = 130 ] && exit 130
        v=$(verdicts "$out")
        [ -z "$first" ] && first=$v
        lb+=("$(blast "$out" legacy)")
        hb+=("$(blast "$out" hardened)")
        if [ "$rc" = 0 ] && [ "$v" = "$first" ]; then
            same=$((same + 1))
            echo "stability: $name run $i: exit 0, same verdicts"
        else
            echo "stability: $name run $i: exit $rc$([ "$v" = "$first" ] || echo ", verdicts changed:")"
            [ "$v" = "$first" ] || diff <(echo "$first") <(echo "$v") | sed -n 's/^[<>]/   &/p'
            [ "$rc" = 0 ] || jq -r '.posture as $p | .expectations[] | select(.ok | not) |
                "   \($p): \(.what): expected \(.expected), got \(.actual)"' "$out"/*/results.json
        fi
    done
    per=$(awk -v a="$t0" -v b="$EPOCHREALTIME" -v n="$runs" 'BEGIN { printf "%.1f", (b - a) / n }')
    if [ "$same" = "$runs" ]; then
        echo "stability: $name: $same of $runs runs: same verdicts, expectations held"
        rm -rf "${dir:?}/$name"
    else
        echo "stability: $name: $same of $runs runs: same verdicts, expectations held — NOT STABLE"
        unstable=$((unstable + 1))
        keep=1
    fi
    table+=("$(printf '%-34s %5s   %-15s %-15s %6s s' "$name" "$same/$runs" "$(range "${lb[@]}")" \
        "$(range "${hb[@]}")" "$per")")
done
wall=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')

echo
printf '%-34s %5s   %-15s %-15s %8s\n' scenario stable "blast legacy" "blast hardened" "per run"
printf '%s\n' "${table[@]}"
echo
echo "stability: ${#files[@]} scenarios x $runs runs in $wall s, other core busy; $((${#files[@]} - unstable)) of ${#files[@]} stable"
[ "$unstable" = 0 ]
