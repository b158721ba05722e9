#!/bin/sh
# berth destroy against the simulated FreeBSD host: it shows the plan worded for destroy, refuses without a
# terminal unless --auto-approve, asks for 'yes' on a terminal (anything else changes nothing), and then removes
# everything. Usage: destroy.sh BERTH SOURCE_DIR
set -eu
berth=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; [ -f "$work/out" ] && cat "$work/out"; exit 1; }
host="--platform freebsd --driver sim-freebsd --sim-state $work/sim.json --state-dir $work/st --lock-dir $work/lock"

# shellcheck disable=SC2086
"$berth" --no-color apply $host -f "$src/examples/manifests/freebsd-vnet" >"$work/out" 2>&1 || fail "apply failed"
cp "$work/sim.json" "$work/before.json"

status=0
# shellcheck disable=SC2086
"$berth" --no-color destroy $host </dev/null >"$work/out" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "destroy without a terminal and without --auto-approve exited $status, want 1"
grep -q -- '--auto-approve' "$work/out" || fail "the refusal does not name --auto-approve"
grep -q '(destroy)' "$work/out" || fail "the plan is not shown worded for destroy"
grep -q 'removed from the manifests' "$work/out" && fail "destroy speaks of manifests it does not take"
cmp -s "$work/sim.json" "$work/before.json" || fail "a refused destroy changed the host"

status=0
echo no | script -qec "$berth --no-color destroy $host" /dev/null >"$work/out" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "destroy answered 'no' exited $status, want 1"
grep -q "Only 'yes' will be accepted" "$work/out" || fail "destroy on a terminal did not ask"
grep -q 'cancelled' "$work/out" || fail "a declined destroy does not say it was cancelled"
cmp -s "$work/sim.json" "$work/before.json" || fail "a declined destroy changed the host"

status=0
echo yes | script -qec "$berth --no-color destroy $host" /dev/null >"$work/out" 2>&1 || status=$?
[ "$status" -eq 0 ] || fail "destroy answered 'yes' exited $status"
cmp -s "$work/sim.json" "$work/before.json" && fail "a confirmed destroy changed nothing"

# shellcheck disable=SC2086
"$berth" --no-color destroy --auto-approve $host </dev/null >"$work/out" 2>&1 || fail "a second destroy failed"
grep -q 'Nothing to destroy' "$work/out" || fail "a second destroy does not say there is nothing to destroy"
echo PASS
