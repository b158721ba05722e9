#!/bin/bash
# hostile_plan.sh BERTH: edited saved plans (`berth plan --out`, then `berth apply FILE`) on the real kernel,
# inside sandbox.sh. Each edit is refused with exit 1 and the reason, and the host is byte-identical afterwards
# (nft ruleset, links, addresses, netns, sysctls, files); berth's own unedited plan still applies.
set -euo pipefail

BERTH=${1:?usage: hostile_plan.sh BERTH}
[[ ${BERTH_SANDBOX:-} == 1 ]] || { echo "hostile_plan.sh: FAIL: run me inside tests/integration/sandbox.sh" >&2; exit 1; }
SRC=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/berth-hostile-plan-XXXXXX)
trap 'rm -rf "$work"' EXIT
cni=$SRC/examples/manifests/firecracker-cni

fail() {
  echo "hostile_plan.sh: FAIL: $*" >&2
  exit 1
}
b() {
  local cmd=$1
  shift
  case $cmd in
    apply) timeout 120 "$BERTH" --no-color "$cmd" "$@" --state-dir "$work/state" --lock-dir "$work/lock" ;;
    destroy) timeout 120 "$BERTH" --no-color "$cmd" --auto-approve "$@" --state-dir "$work/state" --lock-dir "$work/lock" ;;
    *) timeout 120 "$BERTH" --no-color "$cmd" "$@" --state-dir "$work/state" ;;
  esac
}
host_state() {  # everything an edited plan could change, as text (the bridge's running timers left out)
  nft list ruleset
  {
    ip -d link show
    ip -d addr show
    for ns in $(ls /run/netns); do ip -n "$ns" -d link show; done
  } | sed -E 's/[a-z_]+_timer +[0-9.]+//g'
  ls -l /run/netns
  sysctl -n net.core.somaxconn net.ipv4.ip_forward
  find /etc/netns "$work/victim" -type f -exec md5sum {} + | sort
}
edit() {  # edit IN OUT [ARG] <<PY: runs the Python on stdin with the plan as `p` (and ARG as `arg`)
  python3 -c 'import json,sys; p = json.load(open(sys.argv[1])); arg = sys.argv[3]; exec(sys.stdin.read()); json.dump(p, open(sys.argv[2], "w"), indent=1)' \
    "$1" "$2" "${3:-}"
}
expect_refused() {  # expect_refused WHAT PLAN WANT_IN_OUTPUT
  local rc=0
  host_state >"$work/before"
  if [[ -d $2 ]]; then b apply -f "$2" >"$work/out" 2>&1 || rc=$?; else b apply "$2" >"$work/out" 2>&1 || rc=$?; fi
  [[ $rc == 1 ]] || { cat "$work/out" >&2; fail "$1: exit $rc, want 1"; }
  grep -q -- "$3" "$work/out" || { cat "$work/out" >&2; fail "$1: output lacks '$3'"; }
  host_state >"$work/after"
  diff "$work/before" "$work/after" >&2 || fail "$1: the host changed"
  echo "ok: $1"
}

# Look-alikes berth does not own, and a file outside berth's paths.
ip link add oper0 type bridge
nft add table inet other
nft add chain inet other keep '{ type filter hook forward priority 10; policy accept; }'
echo "operator's" >"$work/victim"
sysctl -qw net.core.somaxconn=1111

echo "== berth's own saved plan applies (the check refuses nothing berth makes)"
b plan -f "$cni" --out "$work/create.json" >/dev/null
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert len(p["steps"]) > 10, len(p["steps"])' "$work/create.json"

echo "== a spliced nft statement"
edit "$work/create.json" "$work/splice.json" <<'PY'
evil = " accept; }; }; delete table inet other; add table inet x { chain y { type filter hook input priority 0; policy drop"
hit = 0
for c in p["changes"]:
    if c["kind"] == "nft" and c["after"] and "postrouting" in c["after"]["attrs"]:
        c["after"]["attrs"]["postrouting"] += evil; hit += 1
for s in p["steps"]:
    if s["resource"]["kind"] == "nft" and "postrouting" in s["resource"]["attrs"]:
        s["resource"]["attrs"]["postrouting"] += evil; hit += 1
assert hit == 2, hit
PY
expect_refused "spliced nft statement" "$work/splice.json" "(create nft:/nat/fcbr0-outbound): malformed nft"

echo "== a sysctl berth never sets"
edit "$work/create.json" "$work/sysctl.json" <<'PY'
r = {"kind": "sysctl", "scope": "", "name": "net.core.somaxconn", "attrs": {"value": "4096"}, "ownership": "owned"}
p["changes"].append({"kind": "sysctl", "scope": "", "name": "net.core.somaxconn", "action": "create", "origin": "NAT/x",
                     "reason": "", "fields": [], "before": None, "after": r})
p["steps"].append({"id": len(p["steps"]), "op": "create", "key": "sysctl:/net.core.somaxconn", "resource": r,
                   "fields": [], "depends_on": [], "provenance": None, "commands": []})
PY
expect_refused "sysctl net.core.somaxconn" "$work/sysctl.json" "not one berth sets"

echo "== a file outside berth's paths"
for path in "$work/victim" /etc/netns/notberth/resolv.conf /etc/netns/berth-vm1/hosts; do
  edit "$work/create.json" "$work/file.json" "$path" <<'PY'
r = {'kind': 'file', 'scope': '', 'name': arg, 'attrs': {'content': '# written by berth\nnameserver 10.0.0.1\n'}, 'ownership': 'owned'}
p['changes'].append({'kind': 'file', 'scope': '', 'name': r['name'], 'action': 'create', 'origin': 'VM/vm1',
                     'reason': '', 'fields': [], 'before': None, 'after': r})
p['steps'].append({'id': len(p['steps']), 'op': 'create', 'key': 'file:/' + r['name'], 'resource': r,
                   'fields': [], 'depends_on': [], 'provenance': None, 'commands': []})
PY
  expect_refused "file $path" "$work/file.json" "is not one of berth's"
done

echo "== a rate limit anywhere but a VM's own two devices, or with what berth never sets"
for spec in '["", "oper0", {"rate": "8000000", "burst": "32768"}]' '["berth-vm1", "lo", {"rate": "8000000", "burst": "32768"}]' \
  '["berth-vm1", "eth0", {"rate": "8000000", "burst": "32768", "peakrate": "1"}]' '["berth-vm1", "tap0", {"rate": "0", "burst": "32768"}]'; do
  edit "$work/create.json" "$work/qdisc.json" "$spec" <<'PY'
scope, dev, attrs = json.loads(arg)
r = {'kind': 'qdisc', 'scope': scope, 'name': dev, 'attrs': attrs, 'ownership': 'owned'}
p['changes'].append({'kind': 'qdisc', 'scope': scope, 'name': dev, 'action': 'create', 'origin': 'VM/vm1',
                     'reason': '', 'fields': [], 'before': None, 'after': r})
p['steps'].append({'id': len(p['steps']), 'op': 'create', 'key': 'qdisc:' + scope + '/' + dev, 'resource': r,
                   'fields': [], 'depends_on': [], 'provenance': None, 'commands': []})
PY
  expect_refused "qdisc $spec" "$work/qdisc.json" "malformed qdisc: "
done

echo "== a packet rate in a form berth never writes, or with a statement spliced after it"
for rule in 'limit rate over 2000/minute counter drop' 'limit rate over 2000/second burst 20 bytes counter drop' \
  'limit rate over 0/second counter drop' 'limit rate over 2000/second burst 5 packets counter drop' \
  'limit rate over 2000/second counter drop; delete table inet other'; do
  edit "$work/create.json" "$work/pps.json" "$rule" <<'PY'
hit = 0
for c in p["changes"]:
    if c["kind"] == "nft" and c["name"].startswith("vm/") and c["after"] and not hit:
        vm = c["name"][3:]; c["after"]["attrs"]["bridge:in-" + vm] = arg; hit += 1
        for s in p["steps"]:
            if s["key"] == "nft:/" + c["name"]: s["resource"]["attrs"]["bridge:in-" + vm] = arg; hit += 1
assert hit == 2, hit
PY
  expect_refused "packet rate '$rule'" "$work/pps.json" "malformed nft"
done

echo "== wrong-typed and missing fields are errors, never aborts"
for change in 'p["steps"] = "all"' 'p["steps"][0]["id"] = "0"' 'p["steps"][0]["resource"]["attrs"]["type"] = 7' \
  'del p["steps"][0]["op"]' 'p["changes"][0]["action"] = "explode"' 'p["steps"][0]["resource"]["kind"] = "route"' \
  'p["changes"][0]["after"]["kind"] = "process"' 'p["format_version"] = "1"' 'p["basis"] = []' \
  'p["steps"][0]["depends_on"] = [5]' 'p = [p]'; do
  edit "$work/create.json" "$work/typed.json" <<<"$change"
  expect_refused "edited: $change" "$work/typed.json" "berth: "
done

echo "== the unedited plan applies"
b apply "$work/create.json" >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "berth's own saved plan was refused"; }
b plan -f "$cni" --detailed-exitcode >/dev/null || fail "the plan after applying a saved plan is not empty"

echo "== berth's own saved plans on a populated host apply: a no-op, and a removal of one VM"
b plan -f "$cni" --out "$work/noop.json" >/dev/null
b apply "$work/noop.json" >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "berth's own empty saved plan was refused"; }
mkdir -p "$work/two"
cp "$cni"/*.yaml "$work/two/"
python3 - "$work/two/vms.yaml" <<'PY'
import sys
docs = open(sys.argv[1]).read().split("\n---\n")
open(sys.argv[1], "w").write("\n---\n".join(d for d in docs if "name: vm3" not in d))
PY
b plan -f "$work/two" --out "$work/remove.json" >/dev/null
b apply "$work/remove.json" >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "berth's own removal plan was refused"; }
[[ ! -e /run/netns/berth-vm3 ]] || fail "the removal plan left berth-vm3"
b apply -f "$cni" >/dev/null 2>&1 || fail "re-applying vm3"

echo "== deleting a bridge berth does not own"
b plan -f "$cni" --out "$work/empty.json" >/dev/null
edit "$work/empty.json" "$work/unowned.json" <<'PY'
seen = [r for r in p["basis"]["resources"] if r["kind"] == "link" and r["name"] == "oper0"]
r = seen[0] if seen else {"kind": "link", "scope": "", "name": "oper0", "attrs": {"type": "bridge"}, "ownership": "unowned"}
mine = dict(r, ownership="owned", owner="Bridge/fcbr0")
p["changes"].append({"kind": "link", "scope": "", "name": "oper0", "action": "delete", "origin": "Bridge/fcbr0",
                     "reason": "", "fields": [], "before": mine, "after": None})
p["steps"].append({"id": len(p["steps"]), "op": "delete", "key": "link:/oper0", "resource": mine,
                   "fields": [], "depends_on": [], "provenance": None, "commands": []})
PY
expect_refused "delete an unowned bridge" "$work/unowned.json" "is not berth's on this host"

echo "== a nulled refusal deleting every VM"
mkdir -p "$work/novms"
cp "$cni/bridge.yaml" "$work/novms/"
for f in "$cni"/*.yaml; do grep -q "kind: NAT" "$f" && cp "$f" "$work/novms/"; done
b plan -f "$work/novms" --out "$work/mass.json" >/dev/null || true
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["refusal"], "no refusal"' "$work/mass.json"
edit "$work/mass.json" "$work/mass-nulled.json" <<<'p["refusal"] = None'
expect_refused "nulled refusal" "$work/mass-nulled.json" "refusing to delete"
edit "$work/mass.json" "$work/mass-renamed.json" <<'PY'
p["refusal"] = None
for s in p["basis"]["resources"]:
    if s["kind"] == "netns": s["ownership"] = "unowned"
PY
expect_refused "nulled refusal, workloads marked unowned in the basis" "$work/mass-renamed.json" "berth: "

echo "== berth records the netns it creates; a berth- netns it did not record is neither adopted nor removed"
recorded() { python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["created"]))' "$work/state/netns.json"; }
[[ $(recorded) == "berth-vm1 berth-vm2 berth-vm3" ]] || fail "netns.json lists '$(recorded)'"
ip netns add berth-opr
b plan -f "$cni" --detailed-exitcode >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "an unrecorded berth-opr changed the plan"; }
mkdir -p "$work/opr"
cp "$cni"/*.yaml "$work/opr/"
printf -- '---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: opr}\nspec: {network: {bridge: fcbr0}}\n' >>"$work/opr/vms.yaml"
expect_refused "a VM whose netns name an operator holds" "$work/opr" "netns:/berth-opr"
b destroy >/dev/null 2>&1 || fail "destroy"
[[ -e /run/netns/berth-opr ]] || fail "destroy removed the unrecorded berth-opr"
[[ -z $(recorded) ]] || fail "netns.json still lists '$(recorded)' after destroy"
b apply -f "$work/opr" --adopt-foreign-netns >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "--adopt-foreign-netns"; }
b destroy --adopt-foreign-netns >/dev/null 2>&1 || fail "destroy --adopt-foreign-netns"
[[ ! -e /run/netns/berth-opr ]] || fail "an adopted berth-opr was not removed with its VM"

b destroy >/dev/null 2>&1 || fail "destroy"
ip link show oper0 >/dev/null || fail "destroy removed oper0"
nft list table inet other >/dev/null || fail "destroy removed table inet other"
echo "hostile_plan.sh: every check passed"
