#!/usr/bin/env bash
# bench/fuzz.sh: the long fuzz runs. Builds the libFuzzer targets (scripts/sanitize.sh's build-san/, clang with
# ASan and UBSan) and runs each for FUZZ_TIME seconds (default 600) at low priority from the seed corpus, keeping the
# grown corpus in build-san/fuzz-long/<target>/ and any crash reproducer beside it. Prints the final stats.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_TIME:-600}
[[ -f build-san/build.ninja ]] || FUZZ_SECONDS=1 scripts/sanitize.sh >/dev/null
ninja -C build-san manifest_fuzz plan_fuzz observation_fuzz state_fuzz >/dev/null
for t in ${TARGETS:-manifest plan observation state}; do
  work=build-san/fuzz-long/$t
  mkdir -p "$work/corpus"
  echo "== $t: ${SECONDS_EACH} s"
  rc=0
  nice -n 19 build-san/tests/fuzz/${t}_fuzz -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "tests/fuzz/corpus/$t" \
    >"$work/log" 2>&1 || rc=$?
  grep -E '^(stat::|#[0-9]+ +DONE|==[0-9]+==ERROR|SUMMARY|Done)' "$work/log" || true
  echo "exit: $rc (log: $work/log)"
done
