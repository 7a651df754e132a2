#!/usr/bin/env bash
# The bad-input corpus, tests/bad/ (issue 7): `failsmall validate` refuses
# every broken scenario with exit 2 and exactly the message its .expect file
# holds (after "failsmall: "), with nothing on stdout, no crash, no
# sanitizer report and nothing written; `failsmall run` refuses a handful
# the same way before it starts a single process or makes a folder. The
# limit that needs a file too large to commit (over 1 MiB) is made here.
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
fs=$FS_BUILD/failsmall
[ -x "$fs" ] || fail "no $fs: build first"

# A scratch copy of the corpus under the same relative path: the messages
# name tests/bad/..., and anything failsmall writes shows up in it.
work=$E2E_DIR/root
mkdir -p "$work/tests"
cp -R "$root/tests/bad" "$work/tests/bad"
snapshot() {
    (cd "$work" && find . -printf '%p %s %T@\n' | LC_ALL=C sort)
}
before=$(snapshot)

# refused BIN CMD FILE WANT [OPTIONS...] — runs BIN CMD FILE in $work and
# checks exit 2, no signal, no sanitizer report, nothing on stdout, and
# "failsmall: WANT" as the first line on stderr.
refused() {
    local bin=$1 cmd=$2 file=$3 want=$4 rc first
    shift 4
    (cd "$work" && "$bin" "$cmd" "$file" "$@" >"$E2E_DIR/out" 2>"$E2E_DIR/err")
    rc=$?
    [ "$rc" -gt 128 ] && fail "$cmd $file: killed by signal $((rc - 128)): $(head -c 2000 "$E2E_DIR/err")"
    grep -q 'Sanitizer\|runtime error:' "$E2E_DIR/err" &&
        fail "$cmd $file: sanitizer report: $(head -c 2000 "$E2E_DIR/err")"
    [ "$rc" -eq 2 ] || fail "$cmd $file: exit $rc, expected 2: $(head -n 3 "$E2E_DIR/err")"
    [ -s "$E2E_DIR/out" ] && fail "$cmd $file: wrote to stdout: $(head -n 3 "$E2E_DIR/out")"
    first=$(head -n 1 "$E2E_DIR/err")
    [ "$first" = "failsmall: $want" ] || fail "$cmd $file:
 got: $first
want: failsmall: $want"
}

n=0
for f in "$work"/tests/bad/*.json; do
    rel=tests/bad/$(basename "$f")
    [ -f "${f%.json}.expect" ] || fail "$rel has no .expect file"
    refused "$fs" validate "$rel" "$(cat "${f%.json}.expect")"
    n=$((n + 1))
done
for f in "$work"/tests/bad/*.expect; do
    [ -f "${f%.expect}.json" ] || fail "tests/bad/$(basename "$f") has no .json file"
done
[ "$n" -ge 60 ] || fail "only $n cases in tests/bad (at least 60)"
[ "$(snapshot)" = "$before" ] || fail "validate changed files: $(diff <(echo "$before") <(snapshot))"
pass "validate refuses all $n cases of tests/bad with exit 2 and the expected message"

# The 1 MiB limit, exactly: a valid scenario padded with whitespace to
# 1048576 bytes loads; one byte more is refused, from a file and from a
# pipe (whose size fstat cannot tell).
mkdir -p "$work/big"
base='{"name":"big","duration":"5s","faults":[{"at":"1s","kind":"process.kill","target":"botmod"}]}'
{
    printf '%s' "$base"
    head -c $((1048576 - ${#base})) /dev/zero | tr '\0' ' '
} >"$work/big/at-limit.json"
[ "$(stat -c %s "$work/big/at-limit.json")" -eq 1048576 ] || fail "at-limit.json is not 1 MiB"
(cd "$work" && "$fs" validate big/at-limit.json >/dev/null 2>&1) ||
    fail "a scenario of exactly 1 MiB is refused: $(cd "$work" && "$fs" validate big/at-limit.json 2>&1)"
{
    cat "$work/big/at-limit.json"
    printf ' '
} >"$work/big/over-limit.json"
refused "$fs" validate big/over-limit.json \
    "big/over-limit.json: larger than 1048576 bytes (1 MiB), the limit on a scenario file"
(cd "$work" && "$fs" validate /dev/stdin <big/over-limit.json >"$E2E_DIR/out" 2>"$E2E_DIR/err")
rc=$?
if [ "$rc" -ne 2 ] || ! grep -q '^failsmall: /dev/stdin: larger than 1048576 bytes (1 MiB)' "$E2E_DIR/err"; then
    fail "a pipe over 1 MiB: exit $rc: $(head -n 2 "$E2E_DIR/err")"
fi
pass "a scenario file may be 1 MiB and not one byte more"

# The cap on published configs is lowered by --max-config-bytes.
printf '%s\n' '{"name":"cap","duration":"5s","faults":[{"at":"1s","for":"2s",' \
    '"kind":"config.oversize","key":"waf/rules","bytes":2000000}]}' >"$work/big/cap.json"
(cd "$work" && "$fs" validate big/cap.json >/dev/null 2>&1) || fail "2 MB under the default cap is refused"
refused "$fs" validate big/cap.json "big/cap.json: \$.faults[0].bytes: 2000000 bytes, over the cap \
of 1048576 bytes on a config the harness publishes (set by --max-config-bytes)" \
    --max-config-bytes 1048576
pass "--max-config-bytes lowers the cap on a published config"
rm -r "$work/big"

# run refuses the same way before it starts anything: a copy of failsmall
# beside stand-ins for fs-exec and the fleet that only record that they
# were started. It must not start them, nor make runs/ or --out.
bin=$E2E_DIR/bin
mkdir -p "$bin"
cp "$fs" "$bin/failsmall"
for b in fs-exec fs-origin fs-configstore fs-botmod fs-proxy fs-dashboard; do
    # shellcheck disable=SC2016 # $0 is the stand-in's, not ours
    printf '#!/bin/sh\necho "$0" >>"%s/spawned"\nexit 3\n' "$E2E_DIR" >"$bin/$b"
    chmod +x "$bin/$b"
done
before=$(snapshot)
m=0
for name in 003-truncated 042-limit-nodes-65 056-limit-faults-257 058-limit-config-bytes \
    099-target-host-port 108-unknown-fleet-listen 141-two-hangs-overlap 143-deep-arrays-10000; do
    f=tests/bad/$name.json
    [ -f "$work/$f" ] || fail "$f is gone: update the list of cases run refuses"
    refused "$bin/failsmall" run "$f" "$(cat "$work/tests/bad/$name.expect")"
    refused "$bin/failsmall" run "$f" "$(cat "$work/tests/bad/$name.expect")" --out out
    m=$((m + 1))
done
[ -e "$E2E_DIR/spawned" ] && fail "run started processes for a bad scenario: $(cat "$E2E_DIR/spawned")"
[ "$(snapshot)" = "$before" ] || fail "run wrote files: $(diff <(echo "$before") <(snapshot))"
# The stand-ins do record a start: a valid scenario reaches them at once
# (then the run is stopped; the fleet it wanted never came up).
mkdir -p "$E2E_DIR/valid"
(cd "$E2E_DIR/valid" && exec "$bin/failsmall" run "$root/tests/e2e/scenarios/link-down.json" \
    --posture legacy --out out >"$E2E_DIR/valid.log" 2>&1) &
pid=$!
wait_until 10 test -s "$E2E_DIR/spawned" || fail "the stand-ins record nothing: the check above proves nothing"
kill -TERM "$pid" 2>/dev/null
wait "$pid"
pass "run refuses $m bad scenarios the same way, before it starts a process or makes a folder"
