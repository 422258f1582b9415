# Sourced (by build.sh's test step through tests/vm/vm.sh, and by the other tests/vm scripts):
# provides `ensure_vm_deps`, which makes everything the two-NUMA cgroup v2 VM needs available:
#   qemu-system-x86 (bookworm, installed from the system's own sources)
#   $ROOT/.work/vm/kernel/<version>/vmlinuz        bookworm's linux-image-*-amd64, unpacked
#   $ROOT/.work/vm/kernel/<version>/modules/...    the few modules the guest loads + modules.dep
#   everything tests/e2e/deps.sh provides (containerd 1.7.24, runc, busybox-static, OCI images)
#   $ROOT/.work/vm/env                              KEY=value lines naming all of it
# Facts behind it: spec/testbed-facts.md, "cgroup v2 with two NUMA nodes: a VM under qemu".
# The file is sourced with `set -euo pipefail` in effect; every helper keeps to that.

VM_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$VM_HERE/../e2e/deps.sh"

# The guest loads these (and what modules.dep says they need): virtio PCI transport, the 9p
# share, the network CRI is forwarded through, overlayfs for containerd's snapshotter.
VM_MODULE_FILES=(
  drivers/virtio
  drivers/net/virtio_net.ko
  drivers/net/net_failover.ko
  net/core/failover.ko
  net/9p/9pnet.ko
  net/9p/9pnet_virtio.ko
  fs/9p
  fs/netfs
  fs/fscache
  fs/overlayfs
)
VM_KERNEL_LAYOUT_VERSION="1"   # bump when the module set above changes

vm_say() { printf '==> vm: %s\n' "$*"; }
vm_fail() { printf 'vm deps: %s\n' "$*" >&2; return 1; }

vm_work_dir() { printf '%s/.work/vm\n' "$(e2e_root_dir)"; }

# The kernel package linux-image-amd64 points at today (e.g. linux-image-6.1.0-56-amd64).
vm_kernel_package() {
  apt-cache depends linux-image-amd64 2>/dev/null \
    | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1
}

vm_ensure_kernel() {
  local work="$1"
  local package
  package="$(vm_kernel_package)"
  if [ -z "$package" ]; then
    apt-get update -qq || true
    package="$(vm_kernel_package)"
  fi
  [ -n "$package" ] || { vm_fail "apt-cache knows no linux-image-amd64 (is a bookworm source configured?)"; return 1; }
  local version="${package#linux-image-}"
  local dir="$work/kernel/$version"
  if [ -f "$dir/.layout" ] && [ "$(cat "$dir/.layout")" = "$VM_KERNEL_LAYOUT_VERSION" ] && [ -f "$dir/vmlinuz" ]; then
    printf '%s\n' "$dir"
    return 0
  fi
  rm -rf "$dir"
  mkdir -p "$dir/deb"
  vm_say "downloading $package" >&2
  # apt-get download checks the .deb against the signed index; the package is never installed.
  if ! (cd "$dir/deb" && apt-get download -qq "$package" >/dev/null 2>&1); then
    apt-get update -qq || true
    (cd "$dir/deb" && apt-get download -qq "$package" >/dev/null) \
      || { vm_fail "apt-get download $package failed"; return 1; }
  fi
  dpkg -x "$dir"/deb/*.deb "$dir/unpacked"
  cp "$dir/unpacked/boot/vmlinuz-$version" "$dir/vmlinuz"
  local source="$dir/unpacked/lib/modules/$version/kernel"
  local target="$dir/modules/lib/modules/$version/kernel"
  local item
  for item in "${VM_MODULE_FILES[@]}"; do
    [ -e "$source/$item" ] || { vm_fail "$package has no $item"; return 1; }
    mkdir -p "$(dirname "$target/$item")"
    cp -a "$source/$item" "$target/$item"
  done
  # busybox depmod: the host needs no kmod package; the guest's busybox modprobe reads modules.dep.
  busybox depmod -b "$dir/modules" "$version" \
    || { vm_fail "depmod over the guest's modules failed"; return 1; }
  rm -rf "$dir/deb" "$dir/unpacked"
  printf '%s\n' "$VM_KERNEL_LAYOUT_VERSION" > "$dir/.layout"
  # Only the current kernel stays cached; older ones were for an ABI Debian has moved past.
  find "$work/kernel" -mindepth 1 -maxdepth 1 -type d ! -name "$version" -exec rm -rf {} +
  printf '%s\n' "$dir"
}

# Why software emulation only: /dev/kvm on these machines cannot run a normal guest (testbed
# facts); TCG with thread=multi always works, so there is nothing to detect or fall back from.
ensure_vm_deps() {
  local work
  work="$(vm_work_dir)"
  mkdir -p "$work"
  if [ "$(id -u)" != 0 ]; then
    vm_say "not root: the VM test needs root (qemu, kernel and packages are fetched as root) and will be skipped"
    return 0
  fi
  ensure_e2e_deps
  e2e_ensure_system_package qemu-system-x86 /usr/bin/qemu-system-x86_64
  local kernel_dir
  kernel_dir="$(vm_ensure_kernel "$work")"
  local version
  version="$(basename "$kernel_dir")"
  {
    cat "$(e2e_work_dir)/env"
    printf 'VM_QEMU=%s\n' /usr/bin/qemu-system-x86_64
    printf 'VM_KERNEL=%s\n' "$kernel_dir/vmlinuz"
    printf 'VM_KERNEL_VERSION=%s\n' "$version"
    printf 'VM_MODULES=%s\n' "$kernel_dir/modules"
    printf 'VM_BUSYBOX=%s\n' /bin/busybox
  } > "$work/env.partial"
  mv "$work/env.partial" "$work/env"
  vm_say "ready: $(/usr/bin/qemu-system-x86_64 --version | head -n 1), kernel $version"
}
