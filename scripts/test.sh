#!/usr/bin/env bash
# README command 2: installs dependencies, builds, and runs every test (unit, property, schema, and the
# integration suite inside private network namespaces). Needs root for the integration suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd build
ctest --output-on-failure
