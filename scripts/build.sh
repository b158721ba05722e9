#!/usr/bin/env bash
# Configures and builds berth into build/ (warnings are errors). Used by the demo and test commands.
#   scripts/build.sh            everything (binary, tests, benchmarks)
#   scripts/build.sh TARGET...  only those targets and what they need (the demo builds just `berth`)
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DBERTH_WERROR=ON >/dev/null
cmake --build build ${1:+--target "$@"}
