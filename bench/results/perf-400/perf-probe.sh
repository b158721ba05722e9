#!/bin/bash
set -euo pipefail
W=$(mktemp -d); N=$1
{ printf 'apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: fcbr0}\nspec: {address: 10.168.0.1/16}\n---\napiVersion: berth/v1\nkind: NAT\nmetadata: {name: fcnat}\nspec: {source: {bridge: fcbr0}}\n'
for ((i=1;i<=N;i++)); do printf -- '---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: vm%d}\nspec: {network: {bridge: fcbr0, mode: outbound, dns: [10.168.0.1]}}\n' $i; done; } > $W/h.yaml
perf record -q -e cpu-clock -F 2000 -g -o /tmp/perf-apply.data $BERTH apply -f $W/h.yaml --state-dir $W --lock-dir $W >/dev/null 2>/tmp/perf-rec.err || true
perf record -q -e cpu-clock -F 2000 -g -o /tmp/perf-plan.data $BERTH plan -f $W/h.yaml --state-dir $W --detailed-exitcode >/dev/null 2>>/tmp/perf-rec.err || true
