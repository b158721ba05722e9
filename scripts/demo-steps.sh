#!/usr/bin/env bash
# The demo's steps; runs only inside the sandbox made by tests/integration/sandbox.sh.
set -euo pipefail
[[ "${BERTH_SANDBOX:-}" == 1 ]] || { echo "demo-steps.sh: run me through scripts/demo.sh (sandbox only)" >&2; exit 1; }
berth_bin=$1 manifests=$2 qemu_manifests=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
berth() { "$berth_bin" "$@"; }
host=(--state-dir "$work/state")
step() { printf '\n\033[1m==> %s\033[0m\n$ %s\n' "$1" "${*:2}"; }

step "Validate the example manifests" berth validate -f "$manifests"
berth validate -f "$manifests"

step "Plan against this (empty) sandbox host" berth plan -f "$manifests"
berth plan -f "$manifests" "${host[@]}"

step "Apply: create bridge, NAT, per-VM netns, veth, TAP, tc redirect, DNS" berth apply -f "$manifests"
berth apply -f "$manifests" "${host[@]}" --lock-dir "$work/lock"

step "Show what a VM launcher needs (netns, TAP, MAC, address, gateway, DNS)" berth show
berth show "${host[@]}" | sed -n '/^vms:/,/^observed:/p' | sed '$d'

step "A launcher of your own waits until vm1's network is verified, then reads its result file" berth wait vm1
berth wait vm1 --timeout 10

step "Plan again: nothing to do" berth plan -f "$manifests" --detailed-exitcode
berth plan -f "$manifests" "${host[@]}" --detailed-exitcode && echo "(exit code 0: converged)"

step "Break and leak things behind berth's back" "ip -n berth-vm1 link del tap0; ip addr flush dev fcbr0; ip netns add berth-ghost"
ip -n berth-vm1 link del tap0
ip addr flush dev fcbr0
ip netns add berth-ghost
ip link add bv-ghost group 0x62657274 type veth peer name ghost-peer
ip link add mybr0 type bridge   # not berth's: it must stay untouched
echo "(deleted vm1's TAP, flushed the bridge address, leaked a netns and a marked veth; added an unowned bridge)"

step "Plan: the repair and the garbage collection" berth plan -f "$manifests"
berth plan -f "$manifests" "${host[@]}" || true

step "Apply: converge" berth apply -f "$manifests"
berth apply -f "$manifests" "${host[@]}" --lock-dir "$work/lock"

step "Plan once more" berth plan -f "$manifests" --detailed-exitcode
berth plan -f "$manifests" "${host[@]}" --detailed-exitcode && echo "(exit code 0: converged)"
ip -br link show mybr0 >/dev/null && echo "(mybr0, which berth does not own, is still there)"

step "Destroy: remove everything berth owns (a script confirms with --auto-approve)" berth destroy --auto-approve
berth destroy --auto-approve "${host[@]}" --lock-dir "$work/lock"

# Isolation: VMs with a network policy; a probe sent as each VM shows what the kernel lets through.
policy_manifests=$(cd "$(dirname "$0")/.." && pwd)/examples/manifests/sandbox-policy
step "Isolation: a sandbox bridge whose VMs have network policies" berth apply -f "$policy_manifests"
berth apply -f "$policy_manifests" "${host[@]}" --lock-dir "$work/lock" | tail -1
reach='import json,sys; print("\n".join(n + ": " + vm.get("reach", "-") for n, vm in sorted(json.load(sys.stdin)["vms"].items())))'
berth show "${host[@]}" -o json | python3 -c "$reach"
python3 -m http.server 8000 --bind 10.80.0.1 >/dev/null 2>&1 &
web=$!
for _ in $(seq 1 50); do ss -ltn | grep -q '10.80.0.1:8000' && break; sleep 0.1; done
ss -ltn | grep -q '10.80.0.1:8000' || { echo "demo: FAIL: the host's web server did not listen within 5 s" >&2; exit 1; }
step "A default VM knocks on a web server of the host: silence" berth probe sbx-default tcp 10.80.0.1:8000
berth probe sbx-default tcp 10.80.0.1:8000 "${host[@]}" || echo "(exit $?: nothing answered)"
step "The VM whose policy allows tcp 8000-8099 on the host gets an answer" berth probe sbx-worker tcp 10.80.0.1:8000
berth probe sbx-worker tcp 10.80.0.1:8000 "${host[@]}" && echo "(exit 0: answered)"
step "Cloud metadata is out of reach for every VM" berth probe sbx-worker udp 169.254.169.254:80
berth probe sbx-worker udp 169.254.169.254:80 "${host[@]}" || echo "(exit $?: nothing answered)"
kill "$web"
berth destroy --auto-approve "${host[@]}" --lock-dir "$work/lock" | tail -1

[[ -n $qemu_manifests ]] || exit 0
# A VM that really boots: QEMU (KVM where berth's probe saw it run a guest, else TCG) with Debian's kernel and
# the test guest's initramfs.
if ! command -v qemu-system-x86_64 >/dev/null || [[ ! -e /vmlinuz ]]; then
  echo "(skipping the QEMU guest: scripts/setup.sh installs qemu-system-x86 and linux-image-amd64)"
  exit 0
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
initrd=/var/lib/berth/images/berth-guest-initrd.gz   # the path examples/manifests/qemu-vm names
mkdir -p "$(dirname "$initrd")"
"$repo/tests/integration/guest/make-initramfs.sh" "$initrd" "$(basename "$(readlink -f /vmlinuz)" | sed 's/^vmlinuz-//')"

step "Plan a QEMU guest: the hypervisor step comes after its netns, TAP and tc redirect" berth plan -f "$qemu_manifests"
berth plan -f "$qemu_manifests" "${host[@]}" | grep -E 'vmproc|boot_args|^Plan' || true

step "Apply: berth launches QEMU inside the VM's netns" berth apply -f "$qemu_manifests"
berth apply -f "$qemu_manifests" "${host[@]}" --lock-dir "$work/lock"
console=$work/state/vms/qemu-demo/console.log
show_json=$(berth show "${host[@]}" -o json)
accel='import json,sys; s=json.load(sys.stdin); k=s["kvm"]; a=s["vms"]["qemu-demo"].get("accelerator", "?").upper()'
accel+='; print("(the guest runs under %s%s)" % (a, "" if k["usable"] else "; KVM is not used: " + k["reason"]))'
python3 -c "$accel" <<<"$show_json"
# A deadline, never a silent hang: TCG on two busy cores boots Debian's kernel in 10-60 s, KVM in about 1 s.
wait_for_report() {
  echo "(waiting for the guest's report on its serial console, $console)"
  for _ in $(seq 1 360); do grep -q BERTH-GUEST "$console" 2>/dev/null && break; sleep 0.5; done
  grep BERTH-GUEST "$console" && return 0
  echo "demo: FAIL: no report from the guest within 180 s; the end of its console:" >&2
  tail -20 "$console" >&2 || true
  exit 1
}
wait_for_report
python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["vms"]["qemu-demo"], indent=1))' <<<"$show_json"

step "Kill the VM behind berth's back: the plan restarts it" "kill -9 PID; berth plan -f $qemu_manifests"
pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$work/state/vms/qemu-demo/record.json")
kill -9 "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && { echo "demo: FAIL: QEMU (pid $pid) still runs 10 s after SIGKILL" >&2; exit 1; }
berth plan -f "$qemu_manifests" "${host[@]}" | grep -E 'vmproc|running|^Plan' || true

step "Apply: berth starts it again; the guest reports once more" berth apply -f "$qemu_manifests"
berth apply -f "$qemu_manifests" "${host[@]}" --lock-dir "$work/lock" | tail -2
wait_for_report

step "Destroy: the VM is stopped first, then its network goes" berth destroy --auto-approve
berth destroy --auto-approve "${host[@]}" --lock-dir "$work/lock"
