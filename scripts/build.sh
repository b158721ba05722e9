#!/usr/bin/env bash
# Configures and builds berth into build/ (warnings are errors). Used by the demo and test commands.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DBERTH_WERROR=ON >/dev/null
cmake --build build
