#!/bin/sh
# make valgrind: the flagship scenario, both postures, with the harness
# under valgrind (the fleet runs natively: it is the harness that must be
# clean, and the fleet's processes are checked by make asan). Fails on any
# valgrind error or definite leak, a harness error or an interrupt; prints
# valgrind's summary and where its log is.
build=${1:-build}
scenario=${2:-scenarios/cf-2025-11-18-bot-feature-file.json}
dir=$(mktemp -d "${TMPDIR:-/tmp}/failsmall-valgrind.XXXXXX") || exit 2
log=$dir/valgrind.log
# --child-silent-after-fork: the janitor is a fork of the harness, and
# exits with _exit() holding what it was told: nothing to report there.
valgrind --trace-children=no --child-silent-after-fork=yes --leak-check=full \
    --show-leak-kinds=definite --errors-for-leak-kinds=definite --error-exitcode=99 \
    --log-file="$log" "$build/failsmall" run "$scenario" --out "$dir/run" >"$dir/run.log" 2>&1
rc=$?
errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9][0-9,]*\) errors.*/\1/p' "$log" | tail -n 1)
definite=$(sed -n 's/.*definitely lost: \([0-9][0-9,]*\) bytes.*/\1/p' "$log" | tail -n 1)
grep -q "no leaks are possible" "$log" && definite=0
echo "valgrind: $scenario: exit $rc, $errors errors, ${definite:-?} bytes definitely lost"
grep -E "ERROR SUMMARY|definitely lost|indirectly lost|in use at exit" "$log" | sed 's/^==[0-9]*== /  /'
echo "valgrind: log $log, run $dir/run"
case $rc in
0 | 1) ;; # the expectations' verdict: not valgrind's business
*) echo "valgrind: the harness exited $rc" >&2; tail -n 5 "$dir/run.log" >&2; exit 1 ;;
esac
[ "$errors" = 0 ] && [ "$definite" = 0 ] || exit 1
