#!/bin/sh
# What a new user meets first: logs on stderr only (stdout is the result), exit codes 0/1/2 only, help for
# `berth` alone, the version, an unknown command named, defaults in help, and no colour where it cannot show.
# Runs the built binary against a saved observation: no root, no host touched. Usage: usage.sh BERTH SOURCE_DIR
set -eu
berth=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
ex="$src/examples/manifests/firecracker-cni"
echo '{"resources": []}' >"$work/empty.json"

# -v logs go to stderr; stdout stays one JSON document.
"$berth" -v plan --observed "$work/empty.json" --state-dir "$work/st" -f "$ex" -o json >"$work/out" 2>"$work/err"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/out" || fail "plan -v -o json: stdout is not JSON"
grep -q 'debug' "$work/err" || fail "plan -v logged nothing on stderr"
grep -q 'debug' "$work/out" && fail "a log line on stdout"

# Exit codes: usage errors are 1, never CLI11's own (105, 106, 109).
code() { status=0; "$@" >"$work/out" 2>&1 || status=$?; echo "$status"; }
[ "$(code "$berth" plan)" = 1 ] || fail "a missing required option does not exit 1"
[ "$(code "$berth" plan -f "$ex" --max-delete-share 7)" = 1 ] || fail "an out-of-range value does not exit 1"
[ "$(code "$berth" plan -f "$ex" --no-such-flag)" = 1 ] || fail "an unknown flag does not exit 1"
[ "$(code "$berth" frobnicate)" = 1 ] || fail "an unknown command does not exit 1"
grep -q 'unknown command "frobnicate"' "$work/out" || fail "the unknown command is not named: $(cat "$work/out")"
[ "$(code "$berth" plna)" = 1 ] || fail "a misspelt command does not exit 1"
grep -q 'did you mean "plan"' "$work/out" || fail "no suggestion for plna"
[ "$(code "$berth")" = 0 ] || fail "berth alone does not exit 0"
grep -q 'Subcommands:' "$work/out" || fail "berth alone prints no help"
[ "$(code "$berth" --version)" = 0 ] || fail "--version does not exit 0"
grep -q '^berth [0-9]' "$work/out" || fail "--version prints no version"

# Help shows defaults; --debounce-ms takes more than its default.
"$berth" plan --help >"$work/out"
grep -q 'max-delete-share.*=0.5' "$work/out" || fail "plan --help shows no default for --max-delete-share"
grep -q 'state-dir TEXT=/var/lib/berth' "$work/out" || fail "plan --help shows no default for --state-dir"
"$berth" watch --help >"$work/out"
grep -q 'debounce-ms.*=10' "$work/out" || fail "watch --help shows no default for --debounce-ms"
[ "$(code "$berth" watch -f "$ex" --debounce-ms 500 --platform freebsd --driver sim-freebsd \
  --sim-state "$work/sim.json" --state-dir "$work/st" --lock-dir "$work/lock" --metrics bad)" = 1 ]
grep -q 'debounce' "$work/out" && fail "--debounce-ms 500 is refused: $(cat "$work/out")"

# -o: text and json everywhere (show's text is YAML; yaml is accepted too).
for cmd in "validate -f $ex" "plan --observed $work/empty.json --state-dir $work/st -f $ex" \
           "show --observed $work/empty.json --state-dir $work/st"; do
  # shellcheck disable=SC2086
  "$berth" $cmd -o text >/dev/null || fail "$cmd -o text refused"
  # shellcheck disable=SC2086
  "$berth" $cmd -o json | python3 -c 'import json,sys; json.load(sys.stdin)' || fail "$cmd -o json is not JSON"
done

# The plan names each VM's address (the guest's address appears nowhere else in it).
"$berth" --no-color plan --observed "$work/empty.json" --state-dir "$work/st" -f "$ex" >"$work/out"
grep -q '^# VM/vm2 (.*vms.yaml:[0-9]*:[0-9]*), address 10.168.0.20/24$' "$work/out" || fail "the plan does not show vm2's address"

# show's text leads with the per-VM summary; the observed records come after it.
"$berth" show --observed "$work/empty.json" --state-dir "$work/st" >"$work/out"
vms=$(grep -n '^vms:' "$work/out" | cut -d: -f1)
observed=$(grep -n '^observed:' "$work/out" | cut -d: -f1)
[ -n "$vms" ] && [ -n "$observed" ] && [ "$vms" -lt "$observed" ] || fail "show does not lead with the VMs"

# Colour: on a terminal, but not with TERM=dumb, NO_COLOR, or when stdout is not a terminal.
plan="$berth plan --observed $work/empty.json --state-dir $work/st -f $ex"
esc=$(printf '\033')
TERM=xterm script -qec "$plan" /dev/null >"$work/tty" </dev/null
grep -q "$esc\[" "$work/tty" || fail "no colour on a terminal (the checks below would prove nothing)"
TERM=dumb script -qec "$plan" /dev/null >"$work/tty" </dev/null
grep -q "$esc\[" "$work/tty" && fail "colour with TERM=dumb"
NO_COLOR=1 TERM=xterm script -qec "$plan" /dev/null >"$work/tty" </dev/null
grep -q "$esc\[" "$work/tty" && fail "colour with NO_COLOR"
TERM=xterm $plan >"$work/out"
grep -q "$esc\[" "$work/out" && fail "colour into a file"
echo PASS
