#!/bin/bash
# run_fuzz.sh FUZZER SECONDS SEEDS WORKDIR: runs a libFuzzer target for SECONDS from the seed corpus SEEDS
# (never written to: new inputs go to WORKDIR/corpus), crash reproducers into WORKDIR. Fails on any finding.
set -euo pipefail
fuzzer=$1 seconds=$2 seeds=$3 work=$4
mkdir -p "$work/corpus"
# One process, the usual libFuzzer limits; a crash, leak, timeout or out-of-memory makes it exit non-zero.
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" "$seeds"
