#!/bin/sh
# make run: the flagship scenario in both postures, then where to look.
build=${1:-build}
scenario=scenarios/cf-2025-11-18-bot-feature-file.json
out=runs/cf-2025-11-18-bot-feature-file
"$build/failsmall" run "$scenario" --out "$out"
rc=$?
echo
echo "report:  $out/report.html (summary.md, junit.xml beside it)"
echo "results: $out/legacy/results.json and $out/hardened/results.json"
echo "logs:    $out/<posture>/logs/"
exit $rc
