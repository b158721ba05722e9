#!/bin/bash
# hostile_host.sh BERTH: berth against a hostile host and hostile input, on the real kernel inside sandbox.sh.
# Each check is one reproduced problem: a planted or half-made netns file, a berth- netns holding someone
# else's link, a foreign file in a berth DNS directory, hostile manifest paths and state files, odd options.
# Every failure names the check; every wait has a deadline.
set -euo pipefail

BERTH=${1:?usage: hostile_host.sh BERTH}
[[ ${BERTH_SANDBOX:-} == 1 ]] || { echo "hostile_host.sh: FAIL: run me inside tests/integration/sandbox.sh" >&2; exit 1; }
SRC=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/berth-hostile-XXXXXX)
trap 'rm -rf "$work"' EXIT
cni=$SRC/examples/manifests/firecracker-cni

fail() {
  echo "hostile_host.sh: FAIL: $*" >&2
  exit 1
}
b() {
  local cmd=$1
  shift
  case $cmd in
    destroy) timeout 120 "$BERTH" "$cmd" --auto-approve "$@" --state-dir "$work/state" --lock-dir "$work/lock" ;;
    apply) timeout 120 "$BERTH" "$cmd" "$@" --state-dir "$work/state" --lock-dir "$work/lock" ;;
    validate) timeout 120 "$BERTH" "$cmd" "$@" ;;
    *) timeout 120 "$BERTH" "$cmd" "$@" --state-dir "$work/state" ;;
  esac
}
expect_rc() {  # expect_rc WANT WHAT CMD...: runs CMD, output in $work/out
  local want=$1 what=$2 rc=0
  shift 2
  "$@" >"$work/out" 2>&1 || rc=$?
  [[ $rc == "$want" ]] || { cat "$work/out" >&2; fail "$what: exit $rc, want $want"; }
}
expect_out() {
  grep -q -- "$1" "$work/out" || { cat "$work/out" >&2; fail "$2: output lacks '$1'"; }
}
clean_host() {
  b destroy >/dev/null 2>&1 || true
  [[ -z $(ls /run/netns | grep '^berth-' || true) ]] || fail "$1: berth netns left after destroy"
}

echo "== a planted, unmounted /run/netns/berth-vm1 is replaced, not 'updated'"
mkdir -p /run/netns
install -m000 /dev/null /run/netns/berth-vm1
expect_rc 0 "plan with a planted netns file" b plan -f "$cni"
expect_out "half-made" "plan with a planted netns file"
expect_rc 0 "apply over a planted netns file" b apply -f "$cni"
expect_rc 0 "plan after the repair" b plan -f "$cni" --detailed-exitcode
ip netns exec berth-vm1 ip link show tap0 >/dev/null || fail "berth-vm1 is not a usable namespace after the repair"
clean_host "planted netns"

echo "== a berth- netns holding someone else's link is neither adopted nor removed"
ip netns add berth-vm1
ip -n berth-vm1 link add oper0 type bridge
ip netns add berth-x-unowned
ip -n berth-x-unowned link add oper1 type bridge
expect_rc 1 "apply over a foreign berth-vm1" b apply -f "$cni"
expect_out "holds link oper0" "apply over a foreign berth-vm1"
expect_rc 0 "destroy with foreign berth- netns" b destroy
ip -n berth-vm1 link show oper0 >/dev/null || fail "destroy removed the operator's oper0 (in berth-vm1)"
ip -n berth-x-unowned link show oper1 >/dev/null || fail "destroy removed the operator's oper1 (in berth-x-unowned)"
expect_rc 0 "plan --adopt-foreign-netns" b plan -f "$cni" --adopt-foreign-netns
expect_out "link:berth-x-unowned/oper1" "plan --adopt-foreign-netns lists what the removal takes"
ip netns del berth-vm1
ip netns del berth-x-unowned

echo "== a foreign file in a berth DNS directory survives apply and destroy"
mkdir -p /etc/netns/berth-notes /etc/netns/berth-vm3
echo "keep me" >/etc/netns/berth-notes/other.txt
echo "mine too" >/etc/netns/berth-vm3/hosts
expect_rc 0 "apply with foreign DNS files" b apply -f "$cni"
expect_rc 0 "destroy with foreign DNS files" b destroy
[[ $(cat /etc/netns/berth-notes/other.txt) == "keep me" ]] || fail "berth-notes/other.txt was changed or removed"
[[ $(cat /etc/netns/berth-vm3/hosts) == "mine too" ]] || fail "berth-vm3/hosts was changed or removed"
rm -rf /etc/netns/berth-notes /etc/netns/berth-vm3

echo "== hostile manifest paths are errors, never aborts or hangs"
mkfifo "$work/fifo.yaml"
expect_rc 1 "-f FIFO" b validate -f "$work/fifo.yaml"
expect_out "not a regular file" "-f FIFO"
expect_rc 1 "-f /dev/zero" b validate -f /dev/zero
mkdir -p "$work/loop"
cp "$cni"/*.yaml "$work/loop/"
ln -s loop.yaml "$work/loop/loop.yaml"
expect_rc 1 "symlink loop in a -f directory" b validate -f "$work/loop"
expect_out "loop.yaml" "symlink loop in a -f directory"
mkdir -m 0777 "$work/open"
cp "$cni"/bridge.yaml "$work/open/"
expect_rc 1 "world-writable manifest directory" b validate -f "$work/open"
expect_out "allow-unsafe-manifests" "world-writable manifest directory"
expect_rc 0 "world-writable manifest directory, allowed" b validate -f "$work/open" --allow-unsafe-manifests
printf 'apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: "br\xff\xfe"}\nspec: {address: 10.1.0.1/24}\n' >"$work/utf8.yaml"
expect_rc 1 "invalid UTF-8 name with -o json" b validate -f "$work/utf8.yaml" -o json
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/out" || fail "validate -o json did not print JSON"

echo "== hostile state files are errors naming the file"
mkdir -p "$work/state"
chmod 700 "$work/state"
echo '{"version": 1, "interfaces": {"VM/vm1": {"address": 7}}}' >"$work/state/allocations.json"
expect_rc 1 "wrong-typed allocations.json" b apply -f "$cni"
expect_out "allocations.json" "wrong-typed allocations.json"
rm "$work/state/allocations.json"
mkdir "$work/state/allocations.json"
expect_rc 1 "allocations.json is a directory" b apply -f "$cni"
expect_out "allocations.json" "allocations.json is a directory"
rmdir "$work/state/allocations.json"
echo '{"version": "1", "applied": [3]}' >"$work/state/inventory.json"
expect_rc 1 "wrong-typed inventory.json" b destroy
rm "$work/state/inventory.json"

echo "== options: usage errors exit 1, odd lock timeouts are handled"
expect_rc 1 "an unknown option" "$BERTH" plan --no-such-option
expect_rc 1 "--lock-timeout nan" b apply -f "$cni" --lock-timeout nan
expect_rc 1 "--lock-timeout -1" b apply -f "$cni" --lock-timeout -1
# 1e30 seconds overflowed the conversion to milliseconds and gave up at once: hold the lock for a second
# (flock(1) on berth's lock file) and berth must wait for it, not fail.
mkdir -p -m 700 "$work/lock"
flock "$work/lock/apply.lock" sleep 1 &
holder=$!
deadline=$((SECONDS + 10))
while flock -n "$work/lock/apply.lock" true; do  # until the holder has it
  ((SECONDS < deadline)) || fail "flock(1) did not take the lock within 10 s"
  sleep 0.02
done
expect_rc 0 "--lock-timeout 1e30 while the lock is held" b apply -f "$cni" --lock-timeout 1e30
wait "$holder"
clean_host "lock timeout"

echo "== descriptors: 60 VMs under a soft limit of 64 descriptors"
mkdir -p "$work/many"
printf 'apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: manybr0}\nspec: {address: 10.178.0.1/24}\n' >"$work/many/net.yaml"
for ((i = 1; i <= 60; i++)); do
  printf -- '---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: m%d}\nspec: {network: {bridge: manybr0}}\n' "$i"
done >"$work/many/vms.yaml"
expect_rc 0 "apply of 60 VMs with ulimit -n 64" prlimit --nofile=64:"$(ulimit -Hn)" "$BERTH" apply -f "$work/many" \
  --state-dir "$work/state" --lock-dir "$work/lock"
clean_host "descriptors"

echo "hostile_host.sh: every check passed"
