#!/usr/bin/env bash
# The 2025-11-18 mechanism by hand: one edge node (proxy + botmod), a
# configstore and an origin. A 60-feature file serves; a 240-feature file
# kills legacy's bot module (and with it every answer through the proxy),
# while hardened rejects it, counts it and keeps serving.
. "$(dirname "$0")/lib.bash"

features 60 >"$E2E_DIR/good.json"
features 240 >"$E2E_DIR/oversize.json"

run_posture() {
    local posture=$1 cs bm px v status
    start origin "origin_$posture" --posture "$posture"
    start configstore "cs_$posture" --posture "$posture" --rollout instant
    cs=ADDR_cs_$posture
    cs=${!cs}
    start botmod "bm_$posture" --posture "$posture" --node 0 --engine new \
        --configstore "$cs" --poll-ms 100
    bm=ADDR_bm_$posture
    bm=${!bm}
    local origin=ADDR_origin_$posture
    start proxy "px_$posture" --posture "$posture" --node 0 --engine new \
        --botmod "$bm" --origin "${!origin}" --configstore "$cs" --poll-ms 100
    px=ADDR_px_$posture
    px=${!px}

    v=$(publish "$cs" bot/features "$E2E_DIR/good.json")
    [ "$v" = 1 ] || fail "$posture: publish of the good file answered version '$v'"
    wait_until 3 bash -c "[ \"\$(curl -s http://$bm/metrics | grep -c 'failsmall_config_version{.*bot/features.*} 1')\" = 1 ]" ||
        fail "$posture: botmod never applied version 1"
    status=$(human_get "$px" /shop)
    [ "$status" = 200 ] || fail "$posture: human through proxy answered $status with the good file"
    status=$(bot_get "$px" /shop)
    [ "$status" = 403 ] || fail "$posture: bot through proxy answered $status with the good file"
    pass "$posture: 60-feature file serves (human 200, bot 403)"

    local bm_pid=PID_bm_$posture
    bm_pid=${!bm_pid}
    v=$(publish "$cs" bot/features "$E2E_DIR/oversize.json")
    [ "$v" = 2 ] || fail "$posture: publish of the oversized file answered version '$v'"

    if [ "$posture" = legacy ]; then
        wait_until 3 dead "$bm_pid" ||
            fail "legacy: botmod still alive 3 s after the oversized file"
        wait "$bm_pid"
        local rc=$?
        [ "$rc" = 134 ] || fail "legacy: botmod exit status $rc, expected 134 (SIGABRT, the panic)"
        grep -q 'event=panic' "$E2E_DIR/bm_legacy.log" || fail "legacy: botmod did not log the panic"
        wait_until 3 bash -c "s=\$(curl -s -o /dev/null -m 2 -w '%{http_code}' -H 'User-Agent: Mozilla/5.0' -H 'Accept-Language: en' -H 'Cookie: a=1' http://$px/shop); [ \"\${s:0:1}\" = 5 ]" ||
            fail "legacy: proxy did not answer 5xx within 3 s of the bot module's death"
        pass "legacy: botmod aborted (SIGABRT) and the proxy answers 5xx"
    else
        wait_until 3 bash -c "[ \"\$(curl -s http://$bm/metrics | grep 'failsmall_config_rejected_total{.*bot/features' | awk '{print \$2}')\" = 1 ]" ||
            fail "hardened: botmod /metrics never counted the rejected file"
        alive "$bm_pid" || fail "hardened: botmod died"
        local i
        for i in $(seq 20); do
            status=$(human_get "$px" "/shop/$i")
            [ "$status" = 200 ] || fail "hardened: human request $i answered $status after the oversized file"
        done
        status=$(bot_get "$px" /shop)
        [ "$status" = 403 ] || fail "hardened: bot answered $status after the oversized file (last known good lost?)"
        grep -q 'event=config_rejected' "$E2E_DIR/bm_hardened.log" || fail "hardened: no config_rejected log line"
        pass "hardened: botmod rejected the file, counted it, proxy still answers 200 (bots still 403)"
    fi
}

run_posture legacy
run_posture hardened
