#!/usr/bin/env bash
# The sanitizer and fuzz step of CI (scripts/test.sh runs it after the main suite): builds berth with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer (no recovery: a finding fails its test) and the libFuzzer
# targets, into build-san/, then runs the unit and property suites and a short smoke run of each fuzz target.
# FUZZ_SECONDS (default 5) bounds each fuzz run; the long runs are bench/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build-san -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DBERTH_SANITIZE=ON -DBERTH_FUZZ=ON -DBERTH_INTEGRATION_TESTS=OFF -DBERTH_FUZZ_SECONDS="${FUZZ_SECONDS:-5}" \
  -DBERTH_PROPERTY_CASES="${PROPERTY_CASES:-100}" \
  "${launcher[@]}"
# The suites and fuzz targets only (not the berth binary and its Linux driver: the main build tests those),
# to keep the second build small in CI.
ninja -C build-san ${JOBS:+-j"$JOBS"} berth_unit_tests berth_property_tests \
  manifest_fuzz plan_fuzz observation_fuzz state_fuzz
# detect_leaks: the suites must not leak either; halt_on_error keeps the first report readable.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The unit-labelled checks of the berth binary and the Linux driver (not built here) run in the main build.
ctest --test-dir build-san --output-on-failure -L 'unit|property|fuzz' \
  -E '^(freebsd_plan_from_snapshot|saved_plan_platform_refused|version|linux_driver_unit|cli_.*)$'
