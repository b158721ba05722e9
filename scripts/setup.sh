#!/usr/bin/env bash
# Installs everything berth needs to build, test and run its demo on Debian 12, from Debian's packages only.
# Idempotent: packages already present are skipped by apt.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libyaml-cpp-dev libboost-graph-dev libspdlog-dev libfmt-dev
  libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev librapidcheck-dev
  libnl-3-dev libnl-route-3-dev libnftables-dev libsystemd-dev
  iproute2 nftables util-linux procps containernetworking-plugins
  python3 python3-jsonschema python3-yaml
  # The sanitizer and fuzz step (scripts/sanitize.sh): clang with its runtimes (ASan, UBSan, libFuzzer).
  clang libclang-rt-14-dev
  # VMs that really boot (docs/hypervisors.md): QEMU (TCG without KVM), a Debian kernel with its modules,
  # and a static busybox plus cpio for the test guest's initramfs.
  qemu-system-x86 linux-image-amd64 busybox-static cpio
)

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
