#!/bin/sh
# make fuzz / make fuzz-regress: the libFuzzer targets built in BUILD/fuzz.
#   fuzz.sh BUILD run SECONDS TARGET...   each target SECONDS in turn, its new
#       inputs in BUILD/corpus/<target> (the checked-in seeds in
#       tests/fuzz/corpus/<target> are read, never written), anything it
#       finds in BUILD/findings/<target>/, its log BUILD/logs/<target>.run.log;
#       prints execs, execs/s, cov and ft.
#   fuzz.sh BUILD regress 0 TARGET...     each target once over its seeds
#       (log BUILD/logs/<target>.regress.log).
# Exits 1 when any target found something (crash, leak, timeout, OOM) or
# could not run, 2 on bad usage.
build=$1
mode=$2
seconds=$3
[ $# -ge 3 ] && shift 3 || { echo "usage: fuzz.sh BUILD run|regress SECONDS TARGET..." >&2; exit 2; }
seeds=tests/fuzz/corpus
failed=""
# Leaks fail an input like a crash; an input running 10 s is a hang.
common="-detect_leaks=1 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1"

for t in "$@"; do
    bin=$build/fuzz/$t
    # Each mode its own log: make test's regress pass must not truncate the
    # log of a long run going on beside it.
    log=$build/logs/$t.$mode.log
    mkdir -p "$build/logs" "$build/findings/$t" "$build/corpus/$t"
    dict=""
    [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
    case $mode in
    run)
        # shellcheck disable=SC2086 # the options are words
        "$bin" $common $dict -max_total_time="$seconds" -artifact_prefix="$build/findings/$t/" \
            "$build/corpus/$t" "$seeds/$t" >"$log" 2>&1
        ;;
    regress)
        # Files as arguments: each runs once, no mutation.
        # shellcheck disable=SC2086
        "$bin" $common -artifact_prefix="$build/findings/$t/" "$seeds/$t"/* >"$log" 2>&1
        ;;
    *) echo "fuzz.sh: mode $mode: expected run or regress" >&2; exit 2 ;;
    esac
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -ao 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
    if [ $rc -eq 0 ]; then
        if [ "$mode" = run ]; then
            echo "fuzz: $t: ${execs:-?} execs, ${rate:-?}/s, ${cov:-cov: ?}, no finding"
        else
            echo "fuzz: $t: $(ls "$seeds/$t" | wc -l) seeds, no finding"
        fi
    else
        failed="$failed $t"
        echo "FINDING: $t (exit $rc) after ${execs:-?} execs; log $log"
        grep -E '^==[0-9]+==ERROR|^SUMMARY|Test unit written|ERROR: libFuzzer' "$log" | head -n 5 |
            sed 's/^/  /'
    fi
done
[ -z "$failed" ] || { echo "fuzz: findings in:$failed" >&2; exit 1; }
