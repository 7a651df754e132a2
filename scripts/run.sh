#!/bin/sh
# make run: until the harness lands, run the flagship mechanism by hand on
# one edge node in both postures and show what each posture does.
build=${1:-build}
echo "failsmall: the harness (failsmall run SCENARIO) arrives next; meanwhile, the flagship"
echo "mechanism (a 240-feature bot file) on a hand-started edge node, legacy then hardened:"
FS_BUILD=$(cd "$build" && pwd) bash "$(dirname "$0")/../tests/e2e/fleet_oversize.sh"
