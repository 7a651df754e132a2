#!/bin/sh
# Runs test programs (unit: cmocka binaries; e2e: shell scripts), each with
# a time limit, and ends with one "N passed, N failed" line.
kind=$1
shift
pass=0
fail=0
failed=""
for t in "$@"; do
    name=$(basename "$t")
    case $kind in
    unit) timeout 300 "$t" ;;
    e2e) timeout 300 bash "$t" ;;
    esac
    rc=$?
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        failed="$failed $name(rc=$rc)"
        echo "FAILED: $name (exit $rc)"
    fi
done
[ -n "$failed" ] && echo "$kind failures:$failed"
echo "$kind: $pass passed, $fail failed"
[ $fail -eq 0 ]
