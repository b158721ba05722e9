#!/bin/sh
# berth watch against the simulated FreeBSD host: /healthz is 200 only while the last pass converged and the
# manifests are valid (503 otherwise), berth_last_success_timestamp_seconds is set by a converged pass, and with
# -v --log-format json every line on stderr is one JSON object while stdout stays empty.
# Every wait has a deadline and fails loudly. Usage: watch_health.sh BERTH SOURCE_DIR
set -eu
berth=$1
src=$2
work=$(mktemp -d)
pid=
cleanup() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$work/err" ] && tail -20 "$work/err"; exit 1; }

mkdir "$work/m"
cp "$src"/examples/manifests/freebsd-vnet/*.yaml "$work/m/"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$berth" -v watch --platform freebsd --driver sim-freebsd --sim-state "$work/sim.json" --state-dir "$work/st" \
  --lock-dir "$work/lock" -f "$work/m" --metrics "127.0.0.1:$port" --log-format json --debounce-ms 50 \
  >"$work/out" 2>"$work/err" &
pid=$!

# get PATH: prints "CODE BODY" (CODE 0 when nothing answers yet)
get() {
  python3 - "$port" "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]), timeout=2)
    print(r.status, r.read().decode().replace("\n", " "))
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode().replace("\n", " "))
except OSError:
    print(0)
PY
}
# until PATH CODE: waits up to 60 s for PATH to answer CODE
until_code() {
  i=0
  while :; do
    answer=$(get "$1")
    [ "${answer%% *}" = "$2" ] && return 0
    kill -0 "$pid" 2>/dev/null || fail "watch exited"
    i=$((i + 1))
    [ $i -lt 600 ] || fail "$1 never answered $2 (last: $answer)"
    sleep 0.1
  done
}

until_code /healthz 200
stamp=$(get /metrics | tr ' ' '\n' | grep -A1 '^berth_last_success_timestamp_seconds$' | tail -1)
[ -n "$stamp" ] && [ "$stamp" -gt 0 ] || fail "berth_last_success_timestamp_seconds is '$stamp' after a converged pass"

echo 'apiVersion: berth/v1
kind: Bridge
metadata: {name: broken}
spec: {address: not-an-address}' >"$work/m/zz-broken.yaml"
until_code /healthz 503
get /healthz | grep -q 'invalid' || fail "the 503 does not say the manifests are invalid"
rm "$work/m/zz-broken.yaml"
until_code /healthz 200

kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null; do
  i=$((i + 1)); [ $i -lt 300 ] || fail "watch did not stop within 30 s of SIGTERM"; sleep 0.1
done
status=0; wait "$pid" || status=$?
pid=
[ "$status" -eq 0 ] || fail "watch exited $status"
[ ! -s "$work/out" ] || fail "watch wrote to stdout: $(head -3 "$work/out")"
python3 - "$work/err" <<'PY' || fail "a stderr line is not a JSON object"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "no log lines"
for line in lines:
    assert isinstance(json.loads(line), dict), line
assert any(json.loads(l).get("level") == "debug" for l in lines), "-v logged no debug line"
PY
echo PASS
