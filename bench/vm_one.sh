#!/bin/bash
# vm_one.sh METHOD N REP: one method, one N, one repetition, inside a fresh sandbox (run it through
# tests/integration/sandbox.sh; bench/vm_bench.sh does). Prints TSV lines:
#   R <method> <N> <rep> <metric> <total_ms> <per_vm_ms>
#   NOTE <method> <N> <rep> <key> <value>
# and exits non-zero if the objects were not all created (or not all removed).
#
# Methods (each builds, per VM: netns, veth with the host end on bridge fcbr0 and eth0 in the netns, tap0 in
# the netns, tc ingress qdiscs + u32 match-all mirred redirects eth0<->tap0, an /etc/netns/<ns>/resolv.conf;
# once: bridge fcbr0 10.168.0.1/16 and an nftables masquerade for 10.168.0.0/16):
#   berth  berth apply -f DIR (whole process), then no-op plan, add one VM, destroy
#   C      batched CLI: 1 `ip -batch` for all host-side work, per VM 1 `ip -n -batch` + 1 `tc -n -batch`
#   B      shell: one ip/tc process per object (11 per VM) + mkdir for the DNS file
#   A      CNI: `ip netns add` + bridge plugin ADD (ipMasq, host-local IPAM), then the tap/tc the bridge
#          plugin does not do (1 `ip -n -batch` + 1 `tc -n -batch` per VM, as C); teardown DEL + netns del
#
# Environment: BERTH (path to the berth binary; method berth), VERIFY=full to check every VM (default: counts
# for all VMs + every object of the first, middle and last VM), PLAN_REPS (no-op plan repetitions, default 5),
# POLICY (method berth): 1 gives every VM the network policy of the benchmark in bench/RESULTS.md (host DNS,
# peers deny, three egress entries) as its bridge's policy, which every VM inherits; vm writes the same block
# into every VM's manifest instead (three times the YAML to parse); unset, every VM has the secure defaults.
# BANDWIDTH (method berth): 1 gives every VM a rate limit both ways (a tbf on eth0 and on tap0), docs/bandwidth.md;
# PPS=1 with it adds a packet rate both ways (nftables limits at the VM's bridge port).
# FORWARDS=K (method berth): K tcp port forwards per VM in the NAT; the VMs are then full, at fixed addresses.
set -euo pipefail
export LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
shopt -s nullglob
M=$1 N=$2 REP=$3

die() { echo "vm_one.sh: FAIL: $*" >&2; exit 1; }
[[ "${BERTH_SANDBOX:-}" == 1 ]] || die "run me via tests/integration/sandbox.sh"
[[ "$(readlink /proc/self/ns/net)" != "${BERTH_SANDBOX_OUTER_NETNS:-}" ]] || die "not in a private netns"
grep -q ' /run/netns tmpfs ' /proc/self/mounts || die "/run/netns is not a private tmpfs"

W=$(mktemp -d /tmp/berth-bench.XXXXXX); trap 'rm -rf "$W"' EXIT
now() { T=${EPOCHREALTIME/./}; }
ms() { awk -v t="$1" 'BEGIN{printf "%.3f", t/1000}'; }
emit() { printf 'R\t%s\t%s\t%s\t%s\t%s\t%s\n' "$M" "$N" "$REP" "$1" "$(ms "$2")" \
           "$(awk -v t="$2" -v n="${3:-$N}" 'BEGIN{printf "%.4f", t/1000/n}')"; }
note() { printf 'NOTE\t%s\t%s\t%s\t%s\t%s\n' "$M" "$N" "$REP" "$1" "$2"; }
median() { sort -n | awk '{v[NR]=$1} END{print (NR%2)?v[(NR+1)/2]:int((v[NR/2]+v[NR/2+1])/2)}'; }
wait_gone() {  # wait_gone GLOB_PREFIX: until no host interface with that prefix is left (at most ~60 s)
  local a i; for ((i = 0; i < 12000; i++)); do a=(/sys/class/net/"$1"*); ((${#a[@]})) || return 0; sleep 0.005; done
  die "host interfaces $1* still there after 60 s"
}

# ---- verification (never timed): NS_PREFIX and VETH_PREFIX name the method's objects
verify_vm() {  # verify_vm NETNS: eth0 + tap0 up, 2 ingress qdiscs, 2 mirred filters, resolv.conf
  local ns=$1 links tcs
  links=$(ip -n "$ns" -o link show) || return 1
  grep -qE ': eth0@[^:]+: <[^>]*UP' <<<"$links" || { echo "$ns: eth0 missing or down" >&2; return 1; }
  grep -qE ': tap0: <' <<<"$links" || { echo "$ns: tap0 missing" >&2; return 1; }
  tcs=$(tc -n "$ns" filter show dev eth0 ingress; tc -n "$ns" filter show dev tap0 ingress)
  [[ $(grep -c 'mirred (Egress Redirect to device tap0)' <<<"$tcs") -ge 1 ]] || { echo "$ns: no eth0->tap0" >&2; return 1; }
  [[ $(grep -c 'mirred (Egress Redirect to device eth0)' <<<"$tcs") -ge 1 ]] || { echo "$ns: no tap0->eth0" >&2; return 1; }
  [[ -s /etc/netns/$ns/resolv.conf ]] || { echo "$ns: no resolv.conf" >&2; return 1; }
}
verify_all() {  # verify_all COUNT
  local n=$1 a b i bad=0
  a=(/run/netns/"$NS_PREFIX"*); b=(/sys/class/net/fcbr0/brif/"$VETH_PREFIX"*)
  note netns "${#a[@]}"; note veths_on_bridge "${#b[@]}"
  ((${#a[@]} == n)) || die "$M: ${#a[@]} netns, expected $n"
  ((${#b[@]} == n)) || die "$M: ${#b[@]} veths on fcbr0, expected $n"
  nft list ruleset 2>/dev/null | grep masquerade >/dev/null || die "$M: no masquerade rule"
  local idx=(1 $(((n + 1) / 2)) "$n")
  [[ "${VERIFY:-}" == full ]] && idx=($(seq 1 "$n"))
  for i in "${idx[@]}"; do verify_vm "$NS_PREFIX$i" || bad=$((bad + 1)); done
  ((bad == 0)) || die "$M: $bad VMs incomplete"
  note vms_verified "${#idx[@]}"
}
verify_empty() {
  local a=(/run/netns/"$NS_PREFIX"*) b=(/sys/class/net/"$VETH_PREFIX"*)
  note leftover_netns "${#a[@]}"; note leftover_veths "${#b[@]}"
  ((${#a[@]} == 0 && ${#b[@]} == 0)) || die "$M: leftovers after teardown"
}

tc_batch() {  # the 4 tc lines of one VM's netns
  cat <<'B'
qdisc add dev eth0 ingress
filter add dev eth0 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev tap0
qdisc add dev tap0 ingress
filter add dev tap0 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev eth0
B
}
bridge_and_nat() {
  ip link add fcbr0 type bridge && ip addr add 10.168.0.1/16 dev fcbr0 && ip link set fcbr0 up
  nft -f - <<'NFT'
table ip peer
delete table ip peer
table ip peer {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 10.168.0.0/16 oifname != "fcbr0" masquerade
  }
}
NFT
}

gen_manifests() {  # gen_manifests DIR COUNT
  mkdir -p "$1"
  local bw=''
  [[ "${BANDWIDTH:-}" == 1 ]] && bw=", bandwidth: {egress: 200mbit, ingress: 50mbit${PPS:+, pps: {egress: 20000, ingress: 5000\}}}"
  local policy='host: [{protocol: udp, port: 53}], peers: deny, egress: {default: allow, allow: [{to: 10.20.0.5/32, protocol: tcp, port: 443}], deny: [{to: private}, {to: 203.0.113.0/24}]}'
  {
    if [[ "${POLICY:-}" == 1 ]]; then
      printf 'apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: fcbr0}\nspec: {address: 10.168.0.1/16, policy: {%s}}\n' "$policy"
    else
      printf 'apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: fcbr0}\nspec: {address: 10.168.0.1/16}\n'
    fi
    local i k fw=${FORWARDS:-0}
    if ((fw > 0)); then  # FORWARDS=K: K tcp forwards per VM (host ports 10000+), each VM full at a fixed address
      printf -- '---\napiVersion: berth/v1\nkind: NAT\nmetadata: {name: fcnat}\nspec:\n  source: {bridge: fcbr0}\n  forwards:\n'
      for ((i = 1; i <= $2; i++)); do
        for ((k = 0; k < fw; k++)); do
          printf '    - {port: %d, to: "10.168.%d.%d:%d"}\n' $((10000 + (i - 1) * fw + k)) $((i / 250)) $((i % 250 + 2)) $((80 + k))
        done
      done
    else
      printf -- '---\napiVersion: berth/v1\nkind: NAT\nmetadata: {name: fcnat}\nspec: {source: {bridge: fcbr0}}\n'
    fi
    for ((i = 1; i <= $2; i++)); do
      printf -- '---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: vm%d}\n' "$i"
      if ((fw > 0)); then
        printf 'spec: {network: {bridge: fcbr0, mode: full, address: 10.168.%d.%d/16, dns: [10.168.0.1]%s}}\n' $((i / 250)) $((i % 250 + 2)) "$bw"
      elif [[ "${POLICY:-}" == vm ]]; then
        printf 'spec: {network: {bridge: fcbr0, mode: outbound, dns: [10.168.0.1], policy: {%s}%s}}\n' "$policy" "$bw"
      else
        printf 'spec: {network: {bridge: fcbr0, mode: outbound, dns: [10.168.0.1]%s}}\n' "$bw"
      fi
    done
  } >"$1/host.yaml"
}

case $M in
berth)
  B=${BERTH:?set BERTH to the berth binary}
  NS_PREFIX=berth-vm VETH_PREFIX=bv-vm
  S=$W/state; mkdir -p "$S"
  gen_manifests "$W/m" "$N"; gen_manifests "$W/m1" $((N + 1))
  timed() {  # timed NAME CMD...: run under GNU time, sets T_US and RSS_KB
    local t0 rc=0; shift; now; t0=$T
    /usr/bin/time -f '%M %U %S' -o "$W/rss" "$@" >"$W/out" 2>"$W/err" || rc=$?
    now; T_US=$((T - t0)); read -r RSS_KB u s < <(tail -1 "$W/rss")
    CPU_US=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%d", (u+s)*1e6}'); return $rc
  }
  timed create "$B" apply -f "$W/m" --state-dir "$S" --lock-dir "$S" || { cat "$W/err" >&2; die "apply failed"; }
  emit create "$T_US"; emit create.cpu "$CPU_US"; note rss_kb.apply "$RSS_KB"
  verify_all "$N"
  note policy "${POLICY:-0}"; note forwards "${FORWARDS:-0}"
  note bandwidth "${BANDWIDTH:-0}"; note pps "${PPS:-0}"
  if [[ "${BANDWIDTH:-}" == 1 ]]; then  # the limits are there, the last VM as a sample
    qd=$(tc -n "berth-vm$N" qdisc show dev eth0 root)
    [[ $qd == *"tbf be7:"*"rate 200Mbit"* ]] || die "no egress limit on vm$N: $qd"
    qd=$(tc -n "berth-vm$N" qdisc show dev tap0 root)
    [[ $qd == *"tbf be7:"*"rate 50Mbit"* ]] || die "no ingress limit on vm$N: $qd"
    if [[ -n "${PPS:-}" ]]; then
      chain=$(nft list chain bridge berth "in-vm$N")
      [[ $chain == *"limit rate over 5000/second"* ]] || die "no ingress packet rate on vm$N: $chain"
    fi
  fi
  if [[ -n "${POLICY:-}" ]]; then  # the entries are there, one VM's chain as a sample
    chain=$(nft list chain inet berth "out-vm$N")  # not piped into grep -q: pipefail and SIGPIPE
    [[ $chain == *203.0.113.0/24* ]] || die "no policy rules for vm$N"
  fi
  # no-op reconcile: observe + plan, whole process, exit code 0 = no changes
  xs=(); cs=(); for ((k = 0; k < ${PLAN_REPS:-5}; k++)); do
    timed plan "$B" plan -f "$W/m" --state-dir "$S" --detailed-exitcode || { cat "$W/out" "$W/err" >&2; die "no-op plan not empty"; }
    xs+=("$T_US"); cs+=("$CPU_US")
  done
  emit noop_plan "$(printf '%s\n' "${xs[@]}" | median)" 1; note rss_kb.plan "$RSS_KB"
  emit noop_plan.cpu "$(printf '%s\n' "${cs[@]}" | median)" 1
  # add one VM to a host with N
  timed add1 "$B" apply -f "$W/m1" --state-dir "$S" --lock-dir "$S" || { cat "$W/err" >&2; die "add-one apply failed"; }
  emit add_one "$T_US" 1; emit add_one.cpu "$CPU_US" 1; note rss_kb.add_one "$RSS_KB"
  verify_vm "berth-vm$((N + 1))" || die "added VM incomplete"
  # teardown: berth destroy (sync part), then until the kernel has removed every host veth
  now; T0=$T
  timed destroy "$B" destroy --auto-approve --state-dir "$S" --lock-dir "$S" || { cat "$W/err" >&2; die "destroy failed"; }
  emit teardown.sync "$T_US" $((N + 1)); emit teardown.cpu "$CPU_US" $((N + 1)); note rss_kb.destroy "$RSS_KB"
  wait_gone bv-vm; now; emit teardown $((T - T0)) $((N + 1))
  verify_empty
  ;;
C)
  NS_PREFIX=vm VETH_PREFIX=fcv
  for ((i = 1; i <= N; i++)); do echo "netns add vm$i"; done >"$W/host.batch"
  for ((i = 1; i <= N; i++)); do
    echo "link add fcv$i type veth peer name eth0 netns vm$i"; echo "link set fcv$i master fcbr0 up"
  done >>"$W/host.batch"
  printf '%s\n' "link set eth0 up" "tuntap add dev tap0 mode tap" "link set tap0 up" >"$W/ns.batch"
  tc_batch >"$W/tc.batch"
  for ((i = 1; i <= N; i++)); do echo "netns del vm$i"; done >"$W/del.batch"
  dirs=(); for ((i = 1; i <= N; i++)); do dirs+=("/etc/netns/vm$i"); done
  now; T0=$T
  bridge_and_nat
  /usr/bin/time -f %M -o "$W/rss" ip -batch "$W/host.batch"
  mkdir -p "${dirs[@]}"
  for ((i = 1; i <= N; i++)); do
    ip -n "vm$i" -batch "$W/ns.batch"
    tc -n "vm$i" -batch "$W/tc.batch"
    echo "nameserver 10.168.0.1" >"/etc/netns/vm$i/resolv.conf"
  done
  now; emit create $((T - T0)); note rss_kb.host_ip_batch "$(tail -1 "$W/rss")"
  verify_all "$N"
  now; T0=$T
  ip -batch "$W/del.batch"; rm -rf /etc/netns/vm*
  now; emit teardown.sync $((T - T0)); wait_gone fcv; now; emit teardown $((T - T0))
  verify_empty
  ;;
B)
  NS_PREFIX=vm VETH_PREFIX=fcv
  now; T0=$T
  bridge_and_nat
  for ((i = 1; i <= N; i++)); do
    ip netns add "vm$i"
    ip link add "fcv$i" type veth peer name eth0 netns "vm$i"
    ip link set "fcv$i" master fcbr0
    ip link set "fcv$i" up
    ip -n "vm$i" link set eth0 up
    ip -n "vm$i" tuntap add dev tap0 mode tap
    ip -n "vm$i" link set tap0 up
    tc -n "vm$i" qdisc add dev eth0 ingress
    tc -n "vm$i" filter add dev eth0 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev tap0
    tc -n "vm$i" qdisc add dev tap0 ingress
    tc -n "vm$i" filter add dev tap0 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev eth0
    mkdir -p "/etc/netns/vm$i"; echo "nameserver 10.168.0.1" >"/etc/netns/vm$i/resolv.conf"
  done
  now; emit create $((T - T0))
  verify_all "$N"
  now; T0=$T
  for ((i = 1; i <= N; i++)); do ip netns del "vm$i"; rm -rf "/etc/netns/vm$i"; done
  now; emit teardown.sync $((T - T0)); wait_gone fcv; now; emit teardown $((T - T0))
  verify_empty
  ;;
A)
  NS_PREFIX=vm VETH_PREFIX=veth  # the bridge plugin names host veths vethXXXXXXXX
  CNI=/usr/lib/cni
  [[ -x $CNI/bridge && -x $CNI/host-local ]] || die "containernetworking-plugins not installed (scripts/setup.sh)"
  conf() { printf '{"cniVersion":"1.0.0","name":"fcnet","type":"bridge","bridge":"fcbr0","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.168.0.0/16","dataDir":"%s/ipam"}}' "$W"; }
  cni() {  # cni CMD I
    CNI_COMMAND=$1 CNI_CONTAINERID=vm$2 CNI_NETNS=/run/netns/vm$2 CNI_IFNAME=eth0 CNI_PATH=$CNI \
      "$CNI/bridge" <<<"$(conf)" >"$W/cni.out" || { cat "$W/cni.out" >&2; die "CNI $1 vm$2"; }
  }
  printf '%s\n' "tuntap add dev tap0 mode tap" "link set tap0 up" >"$W/ns.batch"
  tc_batch >"$W/tc.batch"
  now; T0=$T
  for ((i = 1; i <= N; i++)); do
    ip netns add "vm$i"
    cni ADD "$i"
    ip -n "vm$i" -batch "$W/ns.batch"
    tc -n "vm$i" -batch "$W/tc.batch"
    mkdir -p "/etc/netns/vm$i"; echo "nameserver 10.168.0.1" >"/etc/netns/vm$i/resolv.conf"
  done
  now; emit create $((T - T0))
  note nat_rules "$(iptables -t nat -S | wc -l)"
  verify_all "$N"
  now; T0=$T
  for ((i = 1; i <= N; i++)); do cni DEL "$i"; ip netns del "vm$i"; rm -rf "/etc/netns/vm$i"; done
  now; emit teardown.sync $((T - T0)); wait_gone veth; now; emit teardown $((T - T0))
  verify_empty
  ;;
*) die "unknown method $M" ;;
esac
