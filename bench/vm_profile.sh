#!/bin/bash
# vm_profile.sh N OUTDIR: inside tests/integration/sandbox.sh, apply N VMs with berth ($BERTH), then run the
# no-op `berth plan` under valgrind --tool=callgrind (perf has no hardware counters on this VM) and write
# OUTDIR/callgrind.out + OUTDIR/annotate.txt (inclusive and self cost per function).
#   tests/integration/sandbox.sh bench/vm_profile.sh 400 bench/results/profile-400
set -euo pipefail
export LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
[[ "${BERTH_SANDBOX:-}" == 1 ]] || { echo "run me via tests/integration/sandbox.sh" >&2; exit 1; }
N=$1 OUTD=$2 B=${BERTH:?set BERTH}
mkdir -p "$OUTD"; W=$(mktemp -d /tmp/berth-prof.XXXXXX); trap 'rm -rf "$W"' EXIT
{
  printf 'apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: fcbr0}\nspec: {address: 10.168.0.1/16}\n'
  printf -- '---\napiVersion: berth/v1\nkind: NAT\nmetadata: {name: fcnat}\nspec: {source: {bridge: fcbr0}}\n'
  for ((i = 1; i <= N; i++)); do
    printf -- '---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: vm%d}\n' "$i"
    printf 'spec: {network: {bridge: fcbr0, mode: outbound, dns: [10.168.0.1]}}\n'
  done
} >"$W/host.yaml"
if [[ "${MODE:-plan}" == apply ]]; then  # MODE=apply: profile the create (apply from an empty host) instead
  valgrind --tool=callgrind --callgrind-out-file="$OUTD/callgrind.out" \
    "$B" apply -f "$W/host.yaml" --state-dir "$W" --lock-dir "$W" >/dev/null 2>"$OUTD/valgrind.log"
else
  "$B" apply -f "$W/host.yaml" --state-dir "$W" --lock-dir "$W" >/dev/null
  valgrind --tool=callgrind --callgrind-out-file="$OUTD/callgrind.out" \
    "$B" plan -f "$W/host.yaml" --state-dir "$W" --detailed-exitcode >/dev/null 2>"$OUTD/valgrind.log"
fi
{
  echo "# inclusive"; callgrind_annotate --inclusive=yes "$OUTD/callgrind.out" 2>/dev/null | head -60 || true
  echo "# self"; callgrind_annotate "$OUTD/callgrind.out" 2>/dev/null | head -45 || true
} >"$OUTD/annotate.txt"
"$B" destroy --auto-approve --state-dir "$W" --lock-dir "$W" >/dev/null
