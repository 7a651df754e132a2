# Sourced by suite.sh and stability.sh: the scenarios they run, in `files`:
# those in SCENARIOS=... if given, else every scenario in scenarios/. Every
# file must load before anything runs, so a typo fails in a second.
# scenario_files WHO FAILSMALL — WHO prefixes the messages; exits 2 on none
# or on a file that does not load.
scenario_files() {
    local who=$1 fs=$2 f
    if [ -n "${SCENARIOS:-}" ]; then
        read -r -a files <<<"$SCENARIOS"
    else
        files=()
        for f in scenarios/*.json; do
            [ "$f" = scenarios/scenario.schema.json ] || files+=("$f")
        done
    fi
    [ "${#files[@]}" -gt 0 ] || { echo "$who: no scenarios" >&2; exit 2; }
    "$fs" validate "${files[@]}" >/dev/null || exit 2
}
