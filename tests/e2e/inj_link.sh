#!/usr/bin/env bash
# shellcheck disable=SC2016 # $names in single quotes are jq's, not the shell's
# The link.* injectors end to end, one effect per kind (issue 4):
#   inj-link-mix (hardened): latency, down, reset and bandwidth on
#     proxy->origin, then blackhole on proxy->botmod, one after another, each
#     read from the buckets of its own window;
#   inj-link-http-error (legacy, three runs): half of proxy->origin's calls
#     answered 503 by the link, the same count for the same seed.
. "$(dirname "$0")/lib.bash"
dir=$(cd "$(dirname "$0")" && pwd)/scenarios

# jq helpers over one results.json. Buckets are slo.bucket_ms wide; fault k's
# window is read from its fault.apply / fault.revert events. inner(k; trim):
# the buckets wholly inside the window but the first (calls that began just
# before the apply end in it) and but the last trim ms; window(k): every
# bucket it touches; before(k): the buckets before it but the first;
# after(k; from; to): the buckets from..to ms after its revert.
JDEFS='
def bms: .slo.bucket_ms;
def at($k; $kind): [.events[] | select(.kind == $kind and .source == "$.faults[\($k)]") | .t_ms][0];
def inner($k; $trim): at($k; "fault.apply") as $a | at($k; "fault.revert") as $r
    | [range((($a + bms - 1) / bms | floor) + 1; (($r - $trim) / bms | floor))];
def inner($k): inner($k; 0);
def window($k): [range(at($k; "fault.apply") / bms | floor; at($k; "fault.revert") / bms | ceil)];
def before($k): [range(1; at($k; "fault.apply") / bms | floor)];
def after($k; $from; $to): at($k; "fault.revert") as $r
    | [range((($r + $from) / bms | ceil); (($r + $to) / bms | floor))];
def col($i; $f; $idx): .interfaces[$i].buckets[$f] as $c | [$idx[] | $c[.]];
def sum($i; $f; $idx): col($i; $f; $idx) | add;
def median: sort | .[length / 2 | floor];
'

# jcheck FILE VALUE TEST WHAT — computes VALUE (jq, with JDEFS) from FILE and
# fails with WHAT and the value unless TEST (jq, on that value) holds.
jcheck() {
    local file=$1 val=$2 test=$3 what=$4 v
    [ -s "$file" ] || fail "$what: $file is missing"
    v=$(jq -c "$JDEFS ($val)" "$file" 2>&1) || fail "$what: jq: $v"
    jq -e -n --argjson v "$v" "\$v | $test" >/dev/null 2>&1 || fail "$what: got $v"
}

# ---- inj-link-mix: five kinds in one hardened run ----
run_scenario mix "$dir/inj-link-mix.json"
[ "$RUN_RC" = 0 ] || { cat "$E2E_DIR/mix.out"; fail "inj-link-mix: exit $RUN_RC, expected 0"; }
R=$E2E_DIR/mix/hardened/results.json
jcheck "$R" '[.events[] | select(.kind == "fault.apply" or .kind == "fault.revert") | .source] | length' \
    '. == 10' "mix: every fault applied and reverted on the timeline"
jcheck "$R" '[.events[] | select(.kind == "fault.error")] | length' '. == 0' "mix: no fault.error"

# link.latency 300 ms (faults[0]). The p50 is the upper edge of a log bin
# (sqrt 2 apart), so it only says the median lies in (p50/sqrt2, p50]; the
# scenario's 350 ms SLO latency bounds it from above: no call in the window
# may be slow. Together: every bucket's median in [base + 250, 350].
jcheck "$R" 'col("proxy->origin"; "p50_ms"; before(0)) | median' '. < 5' \
    "latency: proxy->origin median before the fault"
jcheck "$R" '(col("proxy->origin"; "p50_ms"; before(0)) | median) as $base
    | [col("proxy->origin"; "p50_ms"; inner(0))[] | . / 1.41421356 - $base] | min' '. >= 250' \
    "latency: lowest proxy->origin median in the window, minus the median before, at least 250 ms"
jcheck "$R" '[sum("proxy->origin"; "calls"; inner(0)), sum("proxy->origin"; "good"; inner(0)),
    sum("proxy->origin"; "slow"; inner(0))]' '.[0] > 100 and .[1] == .[0] and .[2] == 0' \
    "latency: [calls, good, slow] of proxy->origin in the window (all under the 350 ms SLO)"
jcheck "$R" '[(col("proxy->botmod"; "p50_ms"; before(0)) | median),
    (col("proxy->botmod"; "p50_ms"; inner(0)) | median)]' '.[1] < 5 and .[1] <= 2 * .[0] and .[0] <= 2 * .[1]' \
    "latency: proxy->botmod median [before, during] must stay put"
pass "link.latency 300 ms: proxy->origin's median up by 250..350 ms, proxy->botmod's unchanged"

# link.down (faults[1]): the caller's connections are refused (reset on the
# ones already open), nothing gets through, and it all comes back on revert.
jcheck "$R" '[sum("proxy->origin"; "good"; inner(1)), sum("proxy->origin"; "errors"; window(1))]' \
    '.[0] == 0 and .[1] > 0' "down: [good calls, reset calls] of proxy->origin in the window"
jcheck "$R" 'sum("client->proxy"; "errors"; inner(1)) / sum("client->proxy"; "calls"; inner(1))' \
    '. > 0.6 and . < 0.95' "down: share of client requests failing (every human one: 502)"
jcheck "$R" '[sum("proxy->origin"; "calls"; after(1; 200; 500)), sum("proxy->origin"; "good"; after(1; 200; 500)),
    sum("client->proxy"; "errors"; after(1; 200; 500))]' '.[0] > 20 and .[1] == .[0] and .[2] == 0' \
    "down: [calls, good] of proxy->origin and client errors from 200 ms after the revert"
pass "link.down: proxy->origin refused (clients get errors), recovered after the revert"

# link.reset (faults[2]): forwarded, then the caller is reset: all errors.
jcheck "$R" '[sum("proxy->origin"; "calls"; inner(2)), sum("proxy->origin"; "errors"; inner(2))]' \
    '.[0] > 100 and .[1] == .[0]' "reset: [calls, errors] of proxy->origin in the window"
jcheck "$R" '[sum("proxy->origin"; "calls"; after(2; 200; 500)), sum("proxy->origin"; "good"; after(2; 200; 500))]' \
    '.[0] > 20 and .[1] == .[0]' "reset: [calls, good] of proxy->origin after the revert"
pass "link.reset: every proxy->origin call in the window reset, none after"

# link.bandwidth 20 B/s (faults[3]) on the origin's answer, "origin ok\n"
# (10 bytes, docs/PROTOCOL.md): 500 ms more per call, so every call is slow
# and each bucket's median bin holds 500 ms.
jcheck "$R" '[sum("proxy->origin"; "calls"; inner(3)), sum("proxy->origin"; "slow"; inner(3))]' \
    '.[0] > 100 and .[1] == .[0]' "bandwidth: [calls, slow] of proxy->origin in the window"
jcheck "$R" '(col("proxy->origin"; "p50_ms"; before(0)) | median) as $base
    | [col("proxy->origin"; "p50_ms"; inner(3))[] | [. / 1.41421356 - $base, .]]
    | [(map(.[0]) | max), (map(.[1]) | min)]' '.[0] <= 500 and .[1] >= 500' \
    "bandwidth: every median bin [highest lower edge, lowest upper edge] must hold 500 ms"
pass "link.bandwidth 20 B/s: proxy->origin calls slowed by 10 bytes / 20 B/s = 500 ms"

# link.blackhole (faults[4]) on proxy->botmod: calls accepted, never
# answered; the hardened proxy gives up at its 200 ms deadline and fails open.
jcheck "$R" '[sum("proxy->botmod"; "calls"; inner(4)), sum("proxy->botmod"; "good"; inner(4)),
    sum("proxy->botmod"; "errors"; inner(4))]' '.[0] > 100 and .[1] == 0 and .[2] == 0' \
    "blackhole: [calls, good, errors] of proxy->botmod in the window (never answered)"
# Requests that began in the last 200 ms were still waiting at the revert.
jcheck "$R" '[sum("client->proxy"; "calls"; inner(4; 200)), sum("client->proxy"; "degraded"; inner(4; 200)),
    (col("client->proxy"; "p50_ms"; inner(4; 200)) | min), (col("client->proxy"; "p50_ms"; inner(4; 200)) | max)]' \
    '.[0] > 100 and .[1] == .[0] and .[2] >= 200 and .[3] / 1.41421356 <= 200' \
    "blackhole: [client calls, degraded, min p50, max p50] (every one waited out the 200 ms deadline)"
grep -q 'event=botmod_fallback reason=botmod-timeout' "$E2E_DIR"/mix/hardened/logs/proxy*.log ||
    fail "blackhole: no proxy logged a botmod-timeout fallback"
jcheck "$R" '[sum("proxy->botmod"; "calls"; after(4; 200; 900)), sum("proxy->botmod"; "good"; after(4; 200; 900))]' \
    '.[0] > 20 and .[1] == .[0]' "blackhole: [calls, good] of proxy->botmod after the revert"
pass "link.blackhole: proxy->botmod calls never answered, proxies timed out at 200 ms and failed open"

# ---- inj-link-http-error: 40-60 % failed, same seed same count ----
for run in he1 he2; do
    run_scenario "$run" "$dir/inj-link-http-error.json"
    [ "$RUN_RC" = 0 ] || { cat "$E2E_DIR/$run.out"; fail "inj-link-http-error ($run): exit $RUN_RC"; }
done
run_scenario he3 "$dir/inj-link-http-error.json" --seed 24
[ "$RUN_RC" = 0 ] || { cat "$E2E_DIR/he3.out"; fail "inj-link-http-error --seed 24: exit $RUN_RC"; }
H1=$E2E_DIR/he1/legacy/results.json
H2=$E2E_DIR/he2/legacy/results.json
H3=$E2E_DIR/he3/legacy/results.json
for h in "$H1" "$H3"; do
    jcheck "$h" 'sum("proxy->origin"; "errors"; inner(0)) / sum("proxy->origin"; "calls"; inner(0))' \
        '. >= 0.4 and . <= 0.6' "http_error: share of proxy->origin calls failed in the window ($h)"
    jcheck "$h" '[sum("proxy->origin"; "errors"; before(0)), sum("proxy->origin"; "errors"; after(0; 200; 1000))]' \
        '. == [0, 0]' "http_error: proxy->origin errors [before, after] the window ($h)"
done
e1=$(jq '.interfaces["proxy->origin"].totals.errors' "$H1")
e2=$(jq '.interfaces["proxy->origin"].totals.errors' "$H2")
e3=$(jq '.interfaces["proxy->origin"].totals.errors' "$H3")
c1=$(jq '.interfaces["proxy->origin"].totals.calls' "$H1")
c2=$(jq '.interfaces["proxy->origin"].totals.calls' "$H2")
# The draws are per request in arrival order, so the same requests fail on
# every run of a seed when the same calls fall inside the window: exactly
# equal counts on an unloaded machine. When the machine is loaded (the
# sanitizer build) a call near the apply or revert can land on the other
# side of the edge, every later draw shifts by one, and the count moves
# within the binomial's spread; so equal call counts must give equal
# errors, and otherwise the shares may differ by at most 2 points.
if [ "$c1" = "$c2" ] && [ "$e1" = "$e2" ]; then
    :
elif [ "$c1" = "$c2" ]; then
    fail "http_error: seed 23 failed $e1 of $c1 calls on one run and $e2 of $c2 on the next"
else
    jq -en --argjson e1 "$e1" --argjson c1 "$c1" --argjson e2 "$e2" --argjson c2 "$c2" \
        '(($e1 / $c1) - ($e2 / $c2)) | fabs <= 0.02' >/dev/null ||
        fail "http_error: seed 23 failed $e1 of $c1 calls on one run and $e2 of $c2 on the next"
    echo "# http_error: the two runs of seed 23 saw $c1 and $c2 calls (an edge moved); errors $e1 and $e2"
fi
[ "$e1" != "$e3" ] || fail "http_error: seed 24 failed exactly as many calls ($e3) as seed 23: is the draw seeded?"
jq -e '.interfaces["proxy->origin"].links | length == 2 and all(.totals.errors > 0)' "$H1" >/dev/null ||
    fail "http_error: not every proxy[i]->origin[0] link answered errors"
pass "link.http_error p=0.5: 40-60 % of proxy->origin's calls got 503; $e1 both runs of seed 23, $e3 with seed 24"
