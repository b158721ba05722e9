#!/usr/bin/env bash
# Installs everything berth needs to build, test and run its demo on Debian 12, from Debian's packages only.
# Idempotent: packages already present are skipped by apt.
#   scripts/setup.sh           install what is missing
#   scripts/setup.sh --check   install nothing; exit 1 naming every program below that is not on PATH
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libyaml-cpp-dev libboost-graph-dev libspdlog-dev libfmt-dev
  libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev librapidcheck-dev
  libnl-3-dev libnl-route-3-dev libnftables-dev libsystemd-dev
  iproute2 nftables util-linux mount procps containernetworking-plugins
  python3 python3-jsonschema python3-yaml
  # GNU time: the benchmarks (and the bench_smoke test) measure peak memory with /usr/bin/time; the CNI
  # peer of the benchmark counts its iptables rules; bench/vm_profile.sh profiles with callgrind.
  time iptables valgrind
  # bench/crash_matrix.sh names the commit it measured.
  git
  # The sanitizer and fuzz step (scripts/sanitize.sh): clang with its runtimes (ASan, UBSan, libFuzzer).
  clang libclang-rt-14-dev
  # VMs that really boot (docs/hypervisors.md): QEMU (TCG without KVM), a Debian kernel with its modules,
  # and a static busybox plus cpio for the test guest's initramfs.
  qemu-system-x86 linux-image-amd64 busybox-static cpio gzip
)

# Every program the demo, the tests and the benchmarks call, with the package above that brings it
# (tests/tools/check_tools.py fails when a script calls a program that is missing here).
tools=(
  ip:iproute2 tc:iproute2 bridge:iproute2 ss:iproute2 nft:nftables unshare:util-linux nsenter:util-linux mount:mount
  umount:mount flock:util-linux sysctl:procps pgrep:procps /usr/lib/cni/bridge:containernetworking-plugins
  python3:python3 /usr/bin/time:time qemu-system-x86_64:qemu-system-x86 /bin/busybox:busybox-static
  cpio:cpio gzip:gzip awk:mawk sed:sed grep:grep find:findutils cmake:cmake ninja:ninja-build
  ctest:cmake iptables:iptables valgrind:valgrind callgrind_annotate:valgrind clang++:clang git:git
)

if [[ ${1:-} == --check ]]; then
  missing=()
  for t in "${tools[@]}"; do
    program=${t%%:*}
    command -v "$program" >/dev/null 2>&1 || missing+=("$program (package ${t#*:})")
  done
  if ((${#missing[@]})); then
    printf 'berth: missing programs the demo and tests call:\n' >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 1
  fi
  echo "berth: every program the demo and tests call is present (${#tools[@]})"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "berth: build dependencies present"
