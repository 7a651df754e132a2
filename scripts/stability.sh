#!/bin/sh
# make stability: the flagship RUNS times (default 10) while the other core
# is kept busy; every run must give the same verdicts and exit 0.
build=${1:-build}
[ -x "$build/failsmall" ] || { echo "stability: $build/failsmall is missing (make)" >&2; exit 2; }
runs=${RUNS:-10}
scenario=scenarios/cf-2025-11-18-bot-feature-file.json
dir=$(mktemp -d "${TMPDIR:-/tmp}/failsmall-stability.XXXXXX")
# A busy loop on the other core, stopped whatever happens.
sh -c 'while :; do :; done' &
burner=$!
trap 'kill $burner 2>/dev/null; rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM
first=""
same=0
for i in $(seq "$runs"); do
    "$build/failsmall" run "$scenario" --out "$dir/$i" >"$dir/$i.log" 2>&1
    rc=$?
    verdicts=$(for p in legacy hardened; do
        sed -n '/"verdicts"/,/}/p' "$dir/$i/$p/results.json"
    done | tr -d ' \n')
    [ -z "$first" ] && first=$verdicts
    if [ "$rc" = 0 ] && [ "$verdicts" = "$first" ]; then
        same=$((same + 1))
        echo "stability: run $i: exit 0, same verdicts"
    else
        echo "stability: run $i: exit $rc, verdicts $verdicts"
    fi
done
echo "stability: $same of $runs runs gave the same verdicts and held every expectation"
[ "$same" = "$runs" ]
