#!/bin/bash
set -euo pipefail
W=$(mktemp -d); N=$1
{ printf 'apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: fcbr0}\nspec: {address: 10.168.0.1/16}\n---\napiVersion: berth/v1\nkind: NAT\nmetadata: {name: fcnat}\nspec: {source: {bridge: fcbr0}}\n'
for ((i=1;i<=N;i++)); do printf -- '---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: vm%d}\nspec: {network: {bridge: fcbr0, mode: outbound, dns: [10.168.0.1]}}\n' $i; done; } > $W/h.yaml
/usr/bin/time -f "apply -j ${J} N=$N: wall %e s user %U s sys %S s maxrss %M KB vol-cs %w invol-cs %c" $BERTH apply -j ${J:-0} -f $W/h.yaml --state-dir $W --lock-dir $W >/dev/null
/usr/bin/time -f "plan N=$N: wall %e s user %U s sys %S s maxrss %M KB vol-cs %w invol-cs %c" $BERTH plan -f $W/h.yaml --state-dir $W --detailed-exitcode >/dev/null
strace -f -c -o /tmp/strace-apply-$N.txt $BERTH destroy --state-dir $W --lock-dir $W >/dev/null 2>&1 || true
