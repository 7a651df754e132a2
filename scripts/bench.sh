#!/usr/bin/env bash
# make bench: throughput through one edge node against its peer, the origin
# served directly, in the same invocation (the ratio is what to compare
# across commits, not the absolute numbers), and each service's RSS.
# BENCH_SECONDS (default 10), BENCH_CONNS (default 32).
set -u
build=$(cd "${1:-build}" && pwd)
command -v wrk >/dev/null || {
    echo "bench: wrk is missing: apt-get install wrk (or make deps)" >&2
    exit 2
}
export FS_BUILD=$build
. "$(dirname "$0")/../tests/e2e/lib.bash"
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNS:-32}

rps() {
    wrk -t 1 -c "$conns" -d "${secs}s" -H 'User-Agent: Mozilla/5.0' -H 'Accept-Language: en' \
        -H 'Cookie: s=1' "http://$1/bench" | awk '/^Requests\/sec/ { print $2 }'
}

rss_kb() {
    awk '/^VmRSS/ { print $2 }' "/proc/$1/status"
}

for posture in legacy hardened; do
    start origin "o_$posture"
    start configstore "c_$posture" --posture "$posture"
    c=ADDR_c_$posture
    start botmod "b_$posture" --posture "$posture" --node 0 --configstore "${!c}"
    b=ADDR_b_$posture
    o=ADDR_o_$posture
    start proxy "p_$posture" --posture "$posture" --node 0 --botmod "${!b}" --origin "${!o}" \
        --configstore "${!c}"
    features 60 >"$E2E_DIR/f.json"
    publish "${!c}" bot/features "$E2E_DIR/f.json" >/dev/null
    sleep 0.5
    p=ADDR_p_$posture
    peer=$(rps "${!o}")
    through=$(rps "${!p}")
    printf 'bench %-8s origin direct: %10.0f req/s   through proxy: %10.0f req/s   ratio %.3f\n' \
        "$posture" "$peer" "$through" "$(awk -v a="$through" -v b="$peer" 'BEGIN { print (b > 0 ? a / b : 0) }')"
    for s in o c b p; do
        pid=PID_${s}_$posture
        printf 'bench %-8s rss %-12s %6d KiB\n' "$posture" \
            "$(case $s in o) echo origin ;; c) echo configstore ;; b) echo botmod ;; p) echo proxy ;; esac)" \
            "$(rss_kb "${!pid}")"
    done
done
