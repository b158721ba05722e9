#!/usr/bin/env bash
# README command 2: installs dependencies, builds, and runs every test (unit, property, schema, and the
# integration suite inside private network namespaces), then the unit and property suites again under ASan and
# UBSan with a short run of each fuzz target (scripts/sanitize.sh). Needs root for the integration suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
(cd build && ctest --output-on-failure)
scripts/sanitize.sh
