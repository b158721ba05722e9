#!/bin/sh
# A saved plan applied with another --platform is refused before anything is read or changed, naming both
# platforms. Usage: saved_plan_platform.sh BERTH SOURCE_DIR
set -eu
berth=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo '{"resources": []}' >"$work/empty.json"
"$berth" --no-color plan --platform linux --observed "$work/empty.json" --state-dir "$work/state" \
  -f "$src/examples/manifests/firecracker-cni" --out "$work/plan.json" >/dev/null
grep -q '"platform": "linux"' "$work/plan.json" || { echo "FAIL: the saved plan names no linux platform"; exit 1; }

status=0
"$berth" --no-color apply --platform freebsd --driver sim-freebsd --sim-state "$work/sim.json" \
  --state-dir "$work/state" --lock-dir "$work/lock" "$work/plan.json" >"$work/out" 2>&1 || status=$?
cat "$work/out"
[ "$status" -eq 1 ] || { echo "FAIL: exit status $status, want 1"; exit 1; }
grep -q 'for platform "linux"' "$work/out" || { echo "FAIL: the plan's platform is not named"; exit 1; }
grep -q '"freebsd"' "$work/out" || { echo "FAIL: the apply's platform is not named"; exit 1; }
[ ! -e "$work/sim.json" ] || { echo "FAIL: the host was changed"; exit 1; }
echo "PASS"
