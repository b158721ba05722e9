#!/bin/sh
# Platform and node mix-ups are said, not silent: a Jail planned for Linux is an error naming it; a saved
# observation's platform and node are honoured (a different --platform is refused naming both); documents
# left out for other nodes are counted. Runs the built binary without root. Usage: platform_node.sh BERTH SRC
set -eu
berth=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; [ -f "$work/out" ] && cat "$work/out"; exit 1; }
ex="$src/examples/manifests"
echo '{"resources": []}' >"$work/empty.json"
code() { status=0; "$@" >"$work/out" 2>&1 || status=$?; echo "$status"; }

# A Jail on Linux: an error naming it with its file:line.
[ "$(code "$berth" --no-color plan --observed "$work/empty.json" --state-dir "$work/st" -f "$ex/freebsd-vnet")" = 1 ] ||
  fail "planning FreeBSD jails for Linux did not fail"
grep -q 'jail.yaml:[0-9]*:[0-9]*: error: kind: Jail/' "$work/out" || fail "the Jail is not named with file:line"
[ "$(code "$berth" validate --platform linux -f "$ex/freebsd-vnet")" = 1 ] || fail "validate --platform linux passed a Jail"
[ "$(code "$berth" validate -f "$ex/freebsd-vnet")" = 0 ] || fail "validate without --platform refused a Jail"

# A NAT without egress is caught by validate --platform freebsd.
mkdir "$work/noegress"
sed '/egress:/d' "$ex/freebsd-vnet/bridge.yaml" >"$work/noegress/bridge.yaml"
cp "$ex/freebsd-vnet/jail.yaml" "$work/noegress/"
[ "$(code "$berth" validate --platform freebsd -f "$work/noegress")" = 1 ] || fail "a FreeBSD NAT without egress validated"
grep -q 'nat-needs-egress\|spec.egress' "$work/out" || fail "the missing egress is not named"

# A FreeBSD host's observation plans as FreeBSD without --platform, and a different --platform is refused.
host="--driver sim-freebsd --sim-state $work/sim.json --state-dir $work/fst"
# shellcheck disable=SC2086
"$berth" --no-color show --platform freebsd $host --node jailhost -o json >"$work/show.json"
grep -q '"platform": "freebsd"' "$work/show.json" || fail "show -o json records no platform"
grep -q '"node": "jailhost"' "$work/show.json" || fail "show -o json records no node"
[ "$(code "$berth" --no-color plan --observed "$work/show.json" --state-dir "$work/st2" -f "$ex/freebsd-vnet")" = 0 ] ||
  fail "a FreeBSD observation did not plan as FreeBSD"
grep -q 'jail:/web\|jail:' "$work/out" || fail "the FreeBSD plan has no jail"
[ "$(code "$berth" plan --platform linux --observed "$work/show.json" --state-dir "$work/st2" -f "$ex/firecracker-cni")" = 1 ] ||
  fail "--platform linux against a FreeBSD observation was not refused"
grep -q '"freebsd"' "$work/out" && grep -q '"linux"' "$work/out" || fail "the refusal does not name both platforms"

# An observation naming a platform this build does not know is refused, its name quoted and cut.
printf '{"platform": "%0200d", "resources": []}' 0 >"$work/odd.json"
[ "$(code "$berth" plan --observed "$work/odd.json" --state-dir "$work/st2" -f "$ex/firecracker-cni")" = 1 ] ||
  fail "an unknown observed platform was not refused"
grep -q '(200 bytes) is not one this build knows' "$work/out" || fail "the unknown platform is not named (cut)"

# --node: validate names the nodes; plan says how many documents were left out, for the observation's node.
[ "$(code "$berth" validate -f "$ex/fleet")" = 0 ] || fail "validate of the fleet failed"
grep -q 'node-a, node-b' "$work/out" || fail "validate does not name the fleet's nodes"
[ "$(code "$berth" --no-color plan --node node-b --observed "$work/empty.json" --state-dir "$work/st3" -f "$ex/fleet")" = 0 ] ||
  fail "plan --node node-b failed"
grep -q 'planning for node "node-b": [1-9][0-9]* of [0-9]* document(s) are for other nodes' "$work/out" ||
  fail "plan does not say documents for other nodes were left out"
echo '{"platform": "linux", "node": "node-a", "observed": {"resources": []}}' >"$work/a.json"
[ "$(code "$berth" --no-color plan --observed "$work/a.json" --state-dir "$work/st4" -f "$ex/fleet")" = 0 ] ||
  fail "plan of node-a's observation failed"
grep -q 'planning for node "node-a"' "$work/out" || fail "plan --observed does not use the observation's node"
echo PASS
