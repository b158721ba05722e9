#!/bin/sh
# cmake --install puts the binary, the systemd unit, the schemas and the documentation where the unit expects
# them, under any prefix. Usage: install.sh BUILD_DIR
set -eu
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
prefix="$work/usr"
cmake --install "$build" --prefix "$prefix" >"$work/log" 2>&1 || { cat "$work/log"; fail "cmake --install failed"; }
unit="$prefix/lib/systemd/system/berth-watch.service"
[ -x "$prefix/bin/berth" ] || fail "no $prefix/bin/berth"
[ -f "$unit" ] || fail "no $unit"
"$prefix/bin/berth" --version | grep -q '^berth ' || fail "the installed binary does not run"
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$unit")
[ "$exec_start" = "$prefix/bin/berth" ] || fail "the unit runs '$exec_start', not the installed $prefix/bin/berth"
doc=$(sed -n 's|^Documentation=file://||p' "$unit")
[ -f "$doc" ] || fail "the unit's documentation $doc is not installed"
for f in berth.schema.json vm.schema.json common.schema.json README.md; do
  [ -f "$prefix/share/berth/schemas/$f" ] || fail "schema file $f not installed"
done
for f in architecture.md hypervisors.md isolation.md freebsd.md; do
  [ -f "$prefix/share/doc/berth/docs/$f" ] || fail "doc $f not installed (README.md links it)"
done
echo PASS
