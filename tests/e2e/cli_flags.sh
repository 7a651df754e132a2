#!/usr/bin/env bash
# Every service: --help and --version exit 0; a non-loopback address, an
# unknown flag, a bad posture or a junk number exit 2 with a message that
# names the flag; SIGTERM stops a running service cleanly (exit 0).
. "$(dirname "$0")/lib.bash"

expect_usage_error() {
    local what=$1 flag=$2 out rc
    shift 2
    out=$("$@" 2>&1 </dev/null)
    rc=$?
    [ "$rc" = 2 ] || fail "$what: exit $rc, expected 2 ($*)"
    echo "$out" | grep -q -- "$flag" || fail "$what: message does not name $flag: $out"
}

deps_for() {
    case $1 in
    botmod) echo "--node 0 --configstore 127.0.0.1:9" ;;
    proxy) echo "--node 0 --botmod 127.0.0.1:9 --origin 127.0.0.1:9 --configstore 127.0.0.1:9" ;;
    dashboard) echo "--botmod 127.0.0.1:9 --configstore 127.0.0.1:9" ;;
    *) echo "" ;;
    esac
}

for svc in origin configstore botmod proxy dashboard; do
    bin=$FS_BUILD/fs-$svc
    # shellcheck disable=SC2046
    set -- $(deps_for "$svc")
    "$bin" --help >/dev/null || fail "$svc --help failed"
    "$bin" --version | grep -q failsmall || fail "$svc --version does not say failsmall"
    expect_usage_error "$svc non-loopback" --listen "$bin" --listen 0.0.0.0:8080 "$@"
    expect_usage_error "$svc public address" --listen "$bin" --listen 10.1.2.3:8080 "$@"
    expect_usage_error "$svc unknown flag" --bogus "$bin" --listen 127.0.0.1:0 --bogus "$@"
    expect_usage_error "$svc bad posture" --posture "$bin" --listen 127.0.0.1:0 --posture sturdy "$@"
    expect_usage_error "$svc no listen" --listen "$bin" "$@"

    start "$svc" "sig_$svc" "$@"
    pid=PID_sig_$svc
    kill -TERM "${!pid}"
    wait "${!pid}"
    rc=$?
    [ "$rc" = 0 ] || fail "$svc exited $rc on SIGTERM, expected 0"
    grep -q 'event=stopped' "$E2E_DIR/sig_$svc.log" || fail "$svc did not log event=stopped"
done
expect_usage_error "botmod engine" --engine "$FS_BUILD/fs-botmod" --listen 127.0.0.1:0 --node 0 \
    --configstore 127.0.0.1:9 --engine rusty
expect_usage_error "botmod upstream" --configstore "$FS_BUILD/fs-botmod" --listen 127.0.0.1:0 \
    --node 0 --configstore 192.168.1.1:80
expect_usage_error "proxy number" --threshold "$FS_BUILD/fs-proxy" --listen 127.0.0.1:0 --node 0 \
    --botmod 127.0.0.1:9 --origin 127.0.0.1:9 --configstore 127.0.0.1:9 --threshold 12x
expect_usage_error "proxy node" --node "$FS_BUILD/fs-proxy" --listen 127.0.0.1:0 --node 'a b' \
    --botmod 127.0.0.1:9 --origin 127.0.0.1:9 --configstore 127.0.0.1:9
pass "flags checked and SIGTERM clean for all five services"
