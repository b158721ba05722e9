#!/bin/bash
# crash_matrix.sh BERTH [subset|full]: kills berth (BERTH_TEST_CRASH_AT, a test hook) at every named crash point
# during apply, destroy and a watch pass on the real kernel, and checks after each kill that berth repairs the
# host: apply exits 0, the next plan is empty, exactly one masquerade rule exists, destroy leaves nothing of
# berth's, and the unowned look-alikes are byte-identical throughout. Runs only inside sandbox.sh.
#
# subset (CI): every point once (its first arrival) for apply, the points destroy reaches for destroy, and a
# few for watch. full (bench/crash_matrix.sh): every arrival of every point in all three commands.
# NVMS (default 10) sets the number of VMs on the bridge.
set -euo pipefail

BERTH=${1:?usage: crash_matrix.sh BERTH [subset|full]}
MODE=${2:-subset}
NVMS=${NVMS:-10}
[[ ${BERTH_SANDBOX:-} == 1 ]] || { echo "crash_matrix.sh: FAIL: run me inside tests/integration/sandbox.sh" >&2; exit 1; }

work=$(mktemp -d /tmp/berth-crash-XXXXXX)
watch_pid=
cleanup() {
  [[ -n $watch_pid ]] && kill "$watch_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
man=$work/manifests
mkdir -p "$man" "$work/state"

cat >"$man/net.yaml" <<'EOF'
apiVersion: berth/v1
kind: Bridge
metadata: {name: crbr0}
spec: {address: 10.177.0.1/24}
---
apiVersion: berth/v1
kind: NAT
metadata: {name: crbr0-out}
spec: {source: {bridge: crbr0}}
EOF
for ((i = 1; i <= NVMS; i++)); do
  cat >>"$man/vms.yaml" <<EOF
---
apiVersion: berth/v1
kind: VM
metadata: {name: cvm$i}
spec: {network: {bridge: crbr0, mode: outbound, dns: [10.177.0.1]}}
EOF
done

b() {  # berth with this test's state and lock directories
  local cmd=$1
  shift
  case $cmd in
    destroy) "$BERTH" "$cmd" --auto-approve "$@" --state-dir "$work/state" --lock-dir "$work/state" ;;
    apply | watch) "$BERTH" "$cmd" "$@" --state-dir "$work/state" --lock-dir "$work/state" ;;
    *) "$BERTH" "$cmd" "$@" --state-dir "$work/state" ;;
  esac
}

fail() {
  echo "crash_matrix.sh: FAIL: $*" >&2
  exit 1
}

# Unowned look-alikes: a bridge and a bv- link without berth's mark, a foreign netns with a veth inside, a
# foreign nftables table, a foreign DNS file. Nothing berth does may change them.
ip link add lookalike0 type bridge
ip addr add 10.99.0.1/24 dev lookalike0
ip link add bv-ghost type bridge
ip netns add other
ip link add oth0 type veth peer name oth1 netns other
mkdir -p /etc/netns/other
printf 'nameserver 192.0.2.53\n' >/etc/netns/other/resolv.conf
nft add table inet other
nft add chain inet other post '{ type nat hook postrouting priority 100 ; }'
nft add rule inet other post ip saddr 10.99.0.0/24 counter accept
lookalikes() {
  ip -d link show lookalike0
  ip -d addr show dev lookalike0
  ip -d link show bv-ghost
  ip -d link show oth0
  ip -n other -d link show
  nft list table inet other
  stat -c '%n %s %a %i' /etc/netns/other /etc/netns/other/resolv.conf
  cat /etc/netns/other/resolv.conf
}
lookalikes >"$work/lookalikes.before"

check_lookalikes() {
  lookalikes >"$work/lookalikes.now"
  cmp -s "$work/lookalikes.before" "$work/lookalikes.now" ||
    { diff "$work/lookalikes.before" "$work/lookalikes.now" >&2 || true; fail "$1: an unowned look-alike changed"; }
}

# Nothing of berth's: no berth- netns file (mounted or not), no link with berth's group, no inet berth table,
# no berth- DNS directory.
check_clean() {
  local left
  left=$(ls /run/netns | grep '^berth-' || true)
  [[ -z $left ]] || fail "$1: netns files left: $left"
  left=$(ip -o link show group 0x62657274 || true)
  [[ -z $left ]] || fail "$1: links with berth's mark left: $left"
  ! nft list table inet berth >/dev/null 2>&1 || fail "$1: table inet berth left"
  left=$(ls /etc/netns | grep '^berth-' || true)
  [[ -z $left ]] || fail "$1: DNS directories left: $left"
  check_lookalikes "$1"
}

# After a kill: apply converges, a plan finds nothing, one masquerade, destroy leaves nothing.
check_repair() {
  local what=$1 out
  out=$(b apply -f "$man" 2>&1) || { echo "$out" >&2; fail "$what: apply after the crash exited $?"; }
  out=$(b plan -f "$man" --detailed-exitcode 2>&1) || { echo "$out" >&2; fail "$what: the plan after the repair is not empty"; }
  local masq
  masq=$(nft list ruleset | grep -c masquerade || true)
  [[ $masq == 1 ]] || fail "$what: $masq masquerade rules after the repair (want exactly 1)"
  check_lookalikes "$what"
  out=$(b destroy 2>&1) || { echo "$out" >&2; fail "$what: destroy exited $?"; }
  check_clean "$what: after destroy"
}

# Runs "$@" with the hook armed at POINT:NTH; returns 0 when berth died by SIGKILL there, 1 when it finished
# without reaching it (any other exit is a failure: a crash point must not change behaviour).
crashed_at() {
  local at=$1
  shift
  local rc=0
  BERTH_TEST_CRASH_AT=$at "$@" >"$work/out" 2>&1 || rc=$?
  [[ $rc == 137 ]] && return 0
  [[ $rc == 0 ]] && return 1
  cat "$work/out" >&2
  fail "$at: $* exited $rc (neither finished nor killed at the point)"
}

# A watch pass armed at POINT:NTH: 0 when it died there, 1 when its first pass converged without reaching it.
# The watcher's pid and exit status go through files, not bash's job table: over hundreds of background jobs
# a recycled pid made `wait` return an earlier watcher's status.
watch_crashed_at() {
  local at=$1 deadline=$((SECONDS + 120)) pid rc
  rm -f "$work/watch.pid" "$work/watch.rc"
  (
    sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$work/watch.pid" env BERTH_TEST_CRASH_AT="$at" "$BERTH" watch \
      -f "$man" --gc-grace 0 --log-format json --state-dir "$work/state" --lock-dir "$work/state" \
      >"$work/watch.out" 2>&1
    echo $? >"$work/watch.rc"
  ) 2>/dev/null &  # (the subshell's note that the hook killed the watcher)
  until [[ -s $work/watch.pid ]]; do
    ((SECONDS < deadline)) || fail "$at: the watcher did not start"
    sleep 0.02
  done
  pid=$(cat "$work/watch.pid")
  watch_pid=$pid
  local stopped=0
  until [[ -s $work/watch.rc ]]; do
    if ((!stopped)) && grep -q '"msg":"pass converged"' "$work/watch.out"; then
      kill "$pid"
      stopped=1
    fi
    ((SECONDS < deadline)) || { cat "$work/watch.out" >&2; fail "$at: watch neither crashed nor converged in 120 s"; }
    sleep 0.05
  done
  watch_pid=
  rc=$(cat "$work/watch.rc")
  if ((stopped)); then
    [[ $rc == 0 ]] || { cat "$work/watch.out" >&2; fail "$at: watch exited $rc after SIGTERM"; }
    return 1
  fi
  [[ $rc == 137 ]] || { cat "$work/watch.out" >&2; fail "$at: watch exited $rc"; }
  return 0
}

mapfile -t points < <(BERTH_TEST_CRASH_AT=list "$BERTH" validate -f "$man")
((${#points[@]} > 0)) || fail "berth lists no crash points"
runs=0
declare -A reached=()

# One command of the matrix: for each point, arrivals 1, 2, ... (subset: the first only) until berth no
# longer reaches it. SETUP prepares the host, RUN is the armed command.
matrix() {
  local cmd=$1 setup=$2
  local p n
  for p in "${points[@]}"; do
    for ((n = 1; ; n++)); do
      $setup
      local hit=0
      case $cmd in
        apply) crashed_at "$p:$n" b apply -f "$man" && hit=1 ;;
        destroy) crashed_at "$p:$n" b destroy && hit=1 ;;
        watch) watch_crashed_at "$p:$n" && hit=1 ;;
      esac
      ((++runs))
      if ((hit)); then
        reached[$p]=1
        check_repair "$cmd crashed at $p:$n"
        echo "ok   $cmd $p:$n"
      else
        # Not reached (this many times): the host must be as good as after an unarmed run.
        check_repair "$cmd not crashing at $p:$n"
        ((n > 1)) || echo "--   $cmd $p (not reached)"
        break
      fi
      [[ $MODE == full ]] || break
    done
  done
}

fresh() { :; }                                       # apply and watch start from a clean host
applied() { b apply -f "$man" >/dev/null 2>&1 || fail "setup apply failed"; }

start=$SECONDS
check_clean "before the matrix"
matrix apply fresh
matrix destroy applied
if [[ $MODE == full ]]; then
  matrix watch fresh
else
  # A watch pass runs the same executor and driver: a handful of points shows the pass is covered too.
  saved=("${points[@]}")
  points=(netns.create.file link.create.unaliased tc.create.qdisc)
  matrix watch fresh
  points=("${saved[@]}")
fi

for p in "${points[@]}"; do
  [[ -n ${reached[$p]:-} ]] || fail "crash point $p was never reached: the matrix does not cover it"
done
echo "crash_matrix.sh: $MODE: $runs runs over ${#points[@]} points with $NVMS VMs, every crash repaired," \
     "in $((SECONDS - start)) s"
