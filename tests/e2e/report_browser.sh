#!/usr/bin/env bash
# report.html of the flagship in a real browser: headless Chromium renders
# the page built from the flagship fixtures (tests/fixtures/results-flagship-
# *.json, real runs), takes a screenshot, and the test fails if the page
# logs anything to the console or the verdict table is missing from the DOM.
# The report comes from `failsmall report DIR`, which also rebuilds only the
# formats asked for, refuses a folder without results and rebuilds the
# suite index of a folder of run folders.
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
out=$E2E_DIR/flagship
page=$out/report.html

[ -x "$chromium" ] || fail "$chromium is missing: install Debian's chromium (make deps does)"

# browse NAME URL ARGS... — one headless Chromium run with a fresh profile,
# its stderr log in $E2E_DIR/NAME.log, its stdout in $E2E_DIR/NAME.out.
browse() {
    local name=$1 url=$2
    shift 2
    timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-quic --user-data-dir="$E2E_DIR/profile-$name" \
        --enable-logging=stderr --v=0 "$@" "$url" \
        >"$E2E_DIR/$name.out" 2>"$E2E_DIR/$name.log"
}

# console_errors NAME — the console lines of a run. The page has no
# scripts, so any console message at all (Chromium logs console.error as
# INFO:CONSOLE) means something went wrong.
console_errors() {
    grep -E 'CONSOLE|Uncaught' "$E2E_DIR/$1.log"
}

# The detector itself, on a page that does fail: a check that cannot fail
# proves nothing.
printf '<!DOCTYPE html><html><body><p>x</p><script>undefined_fn();</script></body></html>' \
    >"$E2E_DIR/broken.html"
browse selfcheck "file://$E2E_DIR/broken.html" --dump-dom ||
    fail "chromium did not run (exit $?)"
console_errors selfcheck >/dev/null ||
    fail "the console error detector missed an uncaught exception in $E2E_DIR/broken.html"

mkdir -p "$out/legacy" "$out/hardened"
cp "$root/tests/fixtures/results-flagship-legacy.json" "$out/legacy/results.json"
cp "$root/tests/fixtures/results-flagship-hardened.json" "$out/hardened/results.json"
"$FS_BUILD/failsmall" report "$out" --format junit >"$E2E_DIR/report.out" 2>&1 ||
    fail "failsmall report --format junit: $(cat "$E2E_DIR/report.out")"
[ -s "$out/junit.xml" ] && [ -s "$out/legacy/junit.xml" ] || fail "--format junit wrote no junit.xml"
[ -e "$page" ] || [ -e "$out/summary.md" ] && fail "--format junit also wrote html or markdown"
"$FS_BUILD/failsmall" report "$out" --format pdf >/dev/null 2>&1
[ $? = 2 ] || fail "failsmall report --format pdf did not exit 2"
mkdir "$E2E_DIR/empty"
"$FS_BUILD/failsmall" report "$E2E_DIR/empty" >/dev/null 2>&1
[ $? = 2 ] || fail "failsmall report on a folder without results did not exit 2"
# A folder of run folders gets its suite index instead.
"$FS_BUILD/failsmall" report "$E2E_DIR" >"$E2E_DIR/report.out" 2>&1 ||
    fail "failsmall report on a folder of run folders: $(cat "$E2E_DIR/report.out")"
grep -q 'href="flagship/report.html"' "$E2E_DIR/index.html" && [ -s "$E2E_DIR/summary.md" ] ||
    fail "failsmall report on a folder of run folders wrote no suite index linking flagship/"
"$FS_BUILD/failsmall" report "$out" >"$E2E_DIR/report.out" 2>&1 ||
    fail "failsmall report: $(cat "$E2E_DIR/report.out")"
for f in summary.md junit.xml legacy/charts/health.svg hardened/charts/users.png charts/compare.svg; do
    [ -s "$out/$f" ] || fail "failsmall report did not write $f"
done
how="failsmall report"
[ -s "$page" ] || fail "no report.html in $out"
grep -q '<script' "$page" && fail "report.html holds a script"
grep -qE 'https?://' "$page" && fail "report.html refers to something outside itself"

browse dom "file://$page" --dump-dom || fail "chromium --dump-dom exited $?"
console_errors dom && fail "console errors while rendering report.html"
dom=$E2E_DIR/dom.out
grep -q '<table class="verdicts" id="verdict-table">' "$dom" ||
    fail "the verdict table is missing from the rendered page"
for iface in 'client-&gt;proxy' 'user-&gt;dashboard' 'proxy-&gt;botmod' 'botmod-&gt;configstore'; do
    grep -q "<tr><th>$iface</th>" "$dom" || fail "the verdict table has no row for $iface"
done
grep -q '<th>legacy</th><th>hardened</th>' "$dom" || fail "the postures are not side by side"
[ "$(grep -o '<svg class="graph"' "$dom" | wc -l)" -eq 2 ] ||
    fail "expected a dependency graph per posture"

browse shot "file://$page" --screenshot="$E2E_DIR/report.png" --window-size=1400,2000 ||
    fail "chromium --screenshot exited $?"
console_errors shot && fail "console errors while taking the screenshot"
[ -s "$E2E_DIR/report.png" ] || fail "no screenshot"
[ "$(head -c 8 "$E2E_DIR/report.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    fail "the screenshot is not a PNG"
# A blank page compresses to almost nothing; the report is far richer.
[ "$(stat -c %s "$E2E_DIR/report.png")" -gt 60000 ] ||
    fail "the screenshot looks empty ($(stat -c %s "$E2E_DIR/report.png") bytes)"
if [ -n "${FS_KEEP_SCREENSHOT:-}" ]; then
    cp "$E2E_DIR/report.png" "$FS_KEEP_SCREENSHOT"
fi
pass "flagship report.html (from $how) renders in chromium without console errors, verdict table present"
