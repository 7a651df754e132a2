# Shared by the end-to-end tests: start fleet services by hand on free
# loopback ports, talk to them with curl, and stop exactly the processes the
# test started, whatever happens.
set -u
FS_BUILD=${FS_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
E2E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/failsmall-e2e.XXXXXX")
E2E_NAME=$(basename "$0" .sh)
E2E_FAILED=0

e2e_cleanup() {
    local p
    # Only children still running in this shell's job table: a pid already
    # reaped may belong to someone else by now.
    for p in $(jobs -pr); do
        kill -TERM "$p" 2>/dev/null
    done
    wait 2>/dev/null
    if [ "$E2E_FAILED" -eq 0 ]; then
        rm -rf "$E2E_DIR"
    else
        echo "$E2E_NAME: logs kept in $E2E_DIR"
    fi
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    E2E_FAILED=1
    echo "not ok - $E2E_NAME: $*"
    local f
    for f in "$E2E_DIR"/*.log; do
        [ -f "$f" ] || continue
        echo "---- $(basename "$f") (last 15 lines)"
        tail -n 15 "$f"
    done
    exit 1
}

pass() {
    echo "ok - $E2E_NAME: $*"
}

# start SERVICE TAG ARGS... — runs build/fs-SERVICE on 127.0.0.1:0 and sets
# ADDR_TAG (host:port, read from its "event=listening" log line) and PID_TAG.
start() {
    local svc=$1 tag=$2 i addr pid
    shift 2
    "$FS_BUILD/fs-$svc" --listen 127.0.0.1:0 "$@" 2>"$E2E_DIR/$tag.log" &
    pid=$!
    printf -v "PID_$tag" '%s' "$pid"
    for i in $(seq 200); do
        addr=$(grep -o 'event=listening addr=[^ ]*' "$E2E_DIR/$tag.log" | head -n 1 | cut -d= -f3)
        if [ -n "$addr" ]; then
            printf -v "ADDR_$tag" '%s' "$addr"
            return 0
        fi
        alive "$pid" || fail "$tag exited during start"
        sleep 0.05
    done
    fail "$tag did not log its address within 10 s"
}

# alive PID — true while the process runs (a zombie counts as dead).
alive() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ]
}

dead() {
    ! alive "$1"
}

# wait_until SECONDS COMMAND... — polls COMMAND every 50 ms.
wait_until() {
    local limit=$1 i
    shift
    for i in $(seq $((limit * 20))); do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}

# human_get ADDR PATH — status code of a browser-like request.
human_get() {
    curl -s -o /dev/null -m 5 -w '%{http_code}' -H 'User-Agent: Mozilla/5.0 (X11; Linux)' \
        -H 'Accept-Language: en' -H 'Cookie: session=1' -H 'X-Failsmall-Truth: human' \
        "http://$1$2"
}

# bot_get ADDR PATH — status code of a scripted client.
bot_get() {
    curl -s -o /dev/null -m 5 -w '%{http_code}' -H 'User-Agent: curl/8.0' \
        -H 'X-Failsmall-Truth: bot' "http://$1$2"
}

# metric ADDR NAME LABEL-SUBSTRING — value of the first matching series, or 0.
metric() {
    curl -s -m 5 "http://$1/metrics" |
        awk -v n="$2" -v l="$3" 'index($1, n) == 1 && index($1, l) { v = $2; exit } END { print v + 0 }'
}

# features N — a feature file with the real bot signals plus filler rows.
features() {
    local n=$1 i sep=""
    printf '{"version":1,"features":['
    local real=('ua:curl' 'ua:python-requests' 'ua:go-http-client' 'ua:wget' 'lang:missing' 'cookie:missing')
    local weights=(0.6 0.6 0.6 0.6 0.2 0.1)
    for i in $(seq 0 $((n - 1))); do
        if [ "$i" -lt ${#real[@]} ]; then
            printf '%s{"name":"%s","weight":%s}' "$sep" "${real[$i]}" "${weights[$i]}"
        else
            printf '%s{"name":"f:%04d","weight":0.01}' "$sep" "$i"
        fi
        sep=,
    done
    printf ']}'
}

# publish ADDR KEY FILE — PUT to configstore, prints the new version.
publish() {
    curl -s -m 5 -X PUT --data-binary "@$3" "http://$1/v1/config/$2" |
        sed -n 's/.*"version":\([0-9]*\).*/\1/p'
}

# run_scenario NAME FILE [failsmall run options...] — runs a scenario into
# $E2E_DIR/NAME, keeps its output in $E2E_DIR/NAME.out, sets RUN_RC.
run_scenario() {
    local name=$1 file=$2
    shift 2
    "$FS_BUILD/failsmall" run "$file" --out "$E2E_DIR/$name" "$@" >"$E2E_DIR/$name.out" 2>&1
    RUN_RC=$?
}

# check RESULTS.JSON JQ-EXPR WHAT — fails the test with WHAT (and the value
# the expression saw) unless the jq expression is true.
check() {
    local file=$1 expr=$2 what=$3
    [ -s "$file" ] || fail "$what: $file is missing"
    jq -e "$expr" "$file" >/dev/null 2>&1 ||
        fail "$what: ($expr) is $(jq -c "$expr" "$file" 2>&1 | head -c 300)"
}

# run_procs DIR — pids of the processes of the run in DIR: one grep and
# one find over /proc, quick enough to poll every 25 ms.
run_procs() {
    {
        # The pattern from a file: grep's own command line must not match.
        grep -lsFf <(printf '%s\n' "$1") /proc/[0-9]*/cmdline
        find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$1*"
    } 2>/dev/null | cut -d/ -f3 | sort -u
}

# leftovers DIR — fifos and temporary files (NAME.tmp.XXXXXX) under DIR.
leftovers() {
    find "$1" \( -type p -o -regex '.*\.tmp\.[A-Za-z0-9]\{6\}' \) -print 2>/dev/null
}

# run_gone DIR LIMIT_MS — polls until no process of the run in DIR is left
# (GONE_MS: how long that took, from the call); false after LIMIT_MS.
run_gone() {
    local start left
    start=$(date +%s%N)
    while :; do
        GONE_MS=$((($(date +%s%N) - start) / 1000000))
        left=$(run_procs "$1")
        [ -z "$left" ] && return 0
        [ "$GONE_MS" -ge "$2" ] && break
        sleep 0.025
    done
    for p in $left; do
        echo "# left: $p $({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null)"
    done
    return 1
}
