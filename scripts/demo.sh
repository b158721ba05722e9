#!/usr/bin/env bash
# README command 1: installs dependencies, builds, and runs the demo inside a private sandbox (its own network
# and mount namespaces), so this machine's network is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh berth   # only what the demo runs: the tests build with scripts/test.sh
exec tests/integration/sandbox.sh scripts/demo-steps.sh "$PWD/build/cli/berth" "$PWD/examples/manifests/firecracker-cni" \
  "$PWD/examples/manifests/qemu-vm"
