#!/bin/bash
# vm_bench.sh: berth against its three peers (A CNI bridge plugin, B one ip/tc process per object,
# C batched iproute2), side by side, each method/N/repetition in its own fresh sandbox
# (tests/integration/sandbox.sh), method order rotating every repetition.
#
#   bench/vm_bench.sh                    # N = 50 400 1000, 3 repetitions, all methods
#   NS="50 400" REPS=2 bench/vm_bench.sh
#
# Environment:
#   BERTH        berth binary (default build/cli/berth, as scripts/build.sh makes it)
#   NS           list of N (default "50 400 1000")
#   REPS         repetitions per N (default 3)
#   METHODS      methods (default "berth C B A")
#   SLOW_MAX_N   largest N for the per-process peers A and B (default 400: at 1000 they take minutes)
#   OUT          directory for raw.tsv and summary.md (default bench/results)
#   RESULTS      markdown file whose "vm_bench" section is (re)written (default bench/RESULTS.md; empty: none)
#   APPEND=1     add to OUT/raw.tsv instead of starting it afresh (e.g. fewer repetitions at N=1000)
#   POLICY=1|vm  method berth: a network policy on every VM, from the bridge or in each VM (bench/vm_one.sh);
#                RESULTS.md is then left alone (its "Network policies" section is written by hand)
#   BANDWIDTH=1  method berth: a bit rate both ways on every VM (bench/vm_one.sh); RESULTS.md is left alone
#   PPS=1        with BANDWIDTH=1: a packet rate both ways too
#   FORWARDS=K   method berth: K tcp port forwards per VM in the NAT (the VMs full, at fixed addresses);
#                RESULTS.md is then left alone
#   VERIFY=full  check every object of every VM (default: counts for all VMs, every object of 3 of them)
# Exit status: non-zero if any run failed (a VM not fully created, leftovers, a non-empty no-op plan).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/.." && pwd)
export BERTH=${BERTH:-$ROOT/build/cli/berth}
NS=${NS:-50 400 1000} REPS=${REPS:-3} METHODS=${METHODS:-berth C B A} SLOW_MAX_N=${SLOW_MAX_N:-400}
OUT=${OUT:-$HERE/results} RESULTS=${RESULTS-$HERE/RESULTS.md}
# The vm_bench section of RESULTS.md holds the figures without policies; policy runs go to OUT only.
[[ -z "${POLICY:-}" && -z "${BANDWIDTH:-}" && -z "${FORWARDS:-}" ]] || RESULTS=
[[ -x $BERTH ]] || { echo "vm_bench.sh: no berth binary at $BERTH (set BERTH)" >&2; exit 1; }
mkdir -p "$OUT"; RAW=$OUT/raw.tsv; [[ "${APPEND:-}" == 1 ]] || : >"$RAW"
read -ra ms <<<"$METHODS"
fail=0
for n in $NS; do
  for ((r = 1; r <= REPS; r++)); do
    # rotate the order: repetition r starts with method (r-1) mod k
    k=${#ms[@]}; order=()
    for ((j = 0; j < k; j++)); do order+=("${ms[$(((r - 1 + j) % k))]}"); done
    for m in "${order[@]}"; do
      if [[ $m == A || $m == B ]] && ((n > SLOW_MAX_N)); then continue; fi
      printf 'NOTE\t%s\t%s\t%s\tloadavg_before\t%s\n' "$m" "$n" "$r" "$(cut -d' ' -f1 /proc/loadavg)" >>"$RAW"
      echo "== $m N=$n rep $r (load $(cut -d' ' -f1 /proc/loadavg))" >&2
      rc=0; "$ROOT/tests/integration/sandbox.sh" "$HERE/vm_one.sh" "$m" "$n" "$r" >>"$RAW" || rc=$?
      ((rc != 77)) || exit 77  # sandbox.sh: no privileges and BERTH_SKIP_PRIVILEGED=1 (CTest skip)
      ((rc == 0)) || { echo "vm_bench.sh: FAILED: $m N=$n rep $r (exit $rc)" >&2; fail=1; }
    done
  done
done
python3 "$HERE/vm_summary.py" "$RAW" "$OUT/summary.md" "${RESULTS:-}" "$*"
exit $fail
