#!/usr/bin/env bash
# bench/crash_matrix.sh: the full crash matrix (tests/integration/crash_matrix.sh full): berth killed at every
# arrival of every named crash point in apply, destroy and a watch pass, each followed by the repair checks,
# in a private sandbox. Writes the log to bench/results/crash_matrix.log. CI runs the subset (CTest
# crash_matrix). BERTH (default build/cli/berth), NVMS (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
BERTH=${BERTH:-build/cli/berth}
mkdir -p bench/results
log=bench/results/crash_matrix.log
start=$(date +%s)
{
  echo "# $(date -u +%FT%TZ) $(uname -r) NVMS=${NVMS:-10} berth $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  NVMS=${NVMS:-10} tests/integration/sandbox.sh tests/integration/crash_matrix.sh "$(realpath "$BERTH")" full
} 2>&1 | grep --line-buffered -v ' Killed  ' | tee "$log"  # (bash's note on each watcher the hook killed)
echo "crash matrix: $(grep -c '^ok ' "$log") crashes repaired, $(grep -c '^-- ' "$log") points not reached" \
     "per command, $(( $(date +%s) - start )) s; log in $log"
