#!/bin/bash
# sandbox.sh CMD [ARGS...]: runs CMD inside private mount and network namespaces so that integration tests
# never see or touch the machine's real network: tmpfs over /run/netns, /etc/netns and /run/berth-vms
# (the launchers' result files), a fresh sysfs, lo up.
#
# Without root / CAP_NET_ADMIN it fails loudly (exit 1); with BERTH_SKIP_PRIVILEGED=1 it exits 77 (CTest skip).
set -euo pipefail

skip_or_fail() {
  if [[ "${BERTH_SKIP_PRIVILEGED:-}" == 1 ]]; then
    echo "sandbox.sh: SKIP: $1 (BERTH_SKIP_PRIVILEGED=1)" >&2
    exit 77
  fi
  echo "sandbox.sh: FAIL: $1; integration tests need root with CAP_NET_ADMIN and CAP_SYS_ADMIN" \
       "(set BERTH_SKIP_PRIVILEGED=1 to skip them on a developer machine)" >&2
  exit 1
}

[[ $# -ge 1 ]] || { echo "usage: sandbox.sh CMD [ARGS...]" >&2; exit 2; }
[[ $EUID -eq 0 ]] || skip_or_fail "not running as root"
command -v unshare >/dev/null || skip_or_fail "unshare(1) not found"
# CAP_NET_ADMIN is bit 12, CAP_SYS_ADMIN bit 21 of the effective set.
cap_eff=$((16#$(awk '/^CapEff:/ {print $2}' /proc/self/status)))
(( (cap_eff >> 12) & 1 )) || skip_or_fail "no CAP_NET_ADMIN"
(( (cap_eff >> 21) & 1 )) || skip_or_fail "no CAP_SYS_ADMIN"
unshare --mount --net --propagation private true 2>/dev/null || skip_or_fail "unshare --mount --net refused"

# Mount points must exist; remember which ones we create so the real filesystem is left as it was.
created=()
for d in /run/netns /etc/netns /run/berth-vms; do
  [[ -d $d ]] || { mkdir -p "$d"; created+=("$d"); }
done
cleanup() { local d; for d in "${created[@]}"; do rmdir "$d" 2>/dev/null || true; done; }
trap cleanup EXIT

export BERTH_SANDBOX_OUTER_NETNS=$(readlink /proc/self/ns/net)
unshare --mount --net --propagation private -- /bin/bash -euo pipefail -c '
  mount --make-rprivate /
  mount -t tmpfs berth-sbx /run/netns
  mount -t tmpfs berth-sbx /etc/netns
  mount -t tmpfs -o mode=0755 berth-sbx /run/berth-vms
  if [[ -d /var/run/netns && ! /var/run/netns -ef /run/netns ]]; then
    mount -t tmpfs berth-sbx /var/run/netns
  fi
  mount -t sysfs berth-sbx /sys
  ip link set lo up
  [[ "$(readlink /proc/self/ns/net)" != "$BERTH_SANDBOX_OUTER_NETNS" ]] || { echo "sandbox.sh: not isolated" >&2; exit 1; }
  export BERTH_SANDBOX=1
  exec "$@"
' sandbox "$@" && rc=0 || rc=$?
exit $rc
