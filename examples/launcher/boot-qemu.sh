#!/bin/sh
# boot-qemu.sh VM KERNEL [INITRD]: a launcher of your own on top of berth. Waits until berth has converged and
# verified the VM's network (berth wait, which fails loudly at its deadline), then boots the VM with QEMU on
# the VM's TAP inside its netns, with the MAC, address, gateway, nameserver and extra routes from berth's result file.
#
#   berth apply -f manifests/        # or berth watch -f manifests/
#   examples/launcher/boot-qemu.sh vm1 /boot/vmlinuz-guest /boot/initrd-guest
#
# Environment: BERTH_WAIT_TIMEOUT (seconds, default 120), BERTH_RESULT_DIR (default /run/berth-vms),
# QEMU (default qemu-system-x86_64).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 VM KERNEL [INITRD]" >&2; exit 2; }
vm=$1 kernel=$2 initrd=${3:-}

result=$(berth wait "$vm" --timeout "${BERTH_WAIT_TIMEOUT:-120}" --result-dir "${BERTH_RESULT_DIR:-/run/berth-vms}")

# One field of the result file per call; values come from berth's schema-checked file and are passed to QEMU
# as separate arguments, never through a shell.
field() {
  printf '%s' "$result" | python3 -c '
import ipaddress, json, sys
r = json.load(sys.stdin)
if r.get("version") != 1:
    sys.exit("unknown result file version %r" % r.get("version"))
what = sys.argv[1]
if what == "ip":  # the kernel ip= argument: address::gateway:netmask::eth0:off:dns0
    if not r["addresses"]:
        sys.exit("the VM has no address (mode disabled or loopback): nothing to boot onto")
    itf = ipaddress.ip_interface(r["addresses"][0])
    dns = (r["dns"]["nameservers"] or [""])[0]
    print("%s::%s:%s::eth0:off:%s" % (itf.ip, r["gateway"], itf.netmask, dns))
elif what == "routes":  # the extra routes after the default one, as berth.route=TO,VIA kernel arguments
    for route in r["routes"]:
        if route["to"] != "0.0.0.0/0":
            ipaddress.ip_network(route["to"]), ipaddress.ip_address(route["via"])  # refuse anything else
            print("berth.route=%s,%s" % (route["to"], route["via"]))
else:
    print(r[what] or "")
' "$1"
}

netns=$(field netns)
tap=$(field tap)
mac=$(field mac)
ip=$(field ip)
# The kernel's ip= argument has no room for more routes: they go on the command line as berth.route=TO,VIA,
# which the kernel ignores and leaves in /proc/cmdline for the guest's init to apply (docs/launchers.md).
routes=$(field routes | tr '\n' ' ')
[ -n "$tap" ] || { echo "$0: $vm has no TAP (mode disabled or loopback)" >&2; exit 1; }

set -- -nographic -m 256 -kernel "$kernel" \
  -netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
  -device "virtio-net-pci,netdev=n0,mac=$mac" \
  -append "console=ttyS0 ip=$ip $routes"
[ -z "$initrd" ] || set -- "$@" -initrd "$initrd"
# QEMU opens the TAP by name, so it runs inside the VM's netns.
exec nsenter --net="$netns" -- "${QEMU:-qemu-system-x86_64}" "$@"
