#!/bin/bash
# make-initramfs.sh OUT KERNEL_VERSION: the test guest's initramfs (gzip'd newc cpio) from busybox-static, the
# init beside this script and the Debian kernel's virtio-net and virtio-pci modules with their dependencies,
# in load order (modules.dep lists a module's dependencies; they load first).
set -euo pipefail
out=$1 kver=$2
here=$(cd "$(dirname "$0")" && pwd)
mods=/lib/modules/$kver
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/modules"
cp /bin/busybox "$work/bin/busybox"
cp "$here/init" "$work/init"
chmod 755 "$work/init"

declare -A loaded=()
order=()
add() {  # add MODULE_PATH (relative to $mods), its dependencies first
  local m=$1 deps d
  [[ -n "${loaded[$m]:-}" ]] && return
  loaded[$m]=1
  deps=$(awk -v m="$m:" '$1 == m { $1 = ""; print }' "$mods/modules.dep")
  for d in $deps; do add "$d"; done
  cp "$mods/$m" "$work/modules/$(basename "$m")"
  order+=("$(basename "$m")")
}
for name in virtio_pci virtio_net; do
  path=$(awk -F: -v n="/$name.ko" 'index($1, n) && substr($1, length($1) - length(n) + 1) == n { print $1; exit }' "$mods/modules.dep")
  [[ -n $path ]] && add "$path"   # absent: built into the kernel
done
printf '%s\n' "${order[@]}" > "$work/modules.order"
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
