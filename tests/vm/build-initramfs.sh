#!/usr/bin/env bash
# Builds the test VM's root file system for one containerd runtime: an uncompressed initramfs
# (newc cpio) holding busybox-static, that runtime's containerd + shim + ctr and its configuration
# (tests/e2e/containerd-config.sh, the runtime's own format), runc with its libraries, the OCI test
# images, the kernel modules the guest loads and the guest scripts (tests/vm/guest). The plugin
# binary is NOT in it: it reaches the guest per run through the 9p share, so the image stays cached
# (one per runtime).
#
#   build-initramfs.sh [RUNTIME]   prints the path of the (cached) initramfs under $ROOT/.work/vm;
#                                  RUNTIME as in tests/e2e/runtimes (default: the newest)
#
# Needs ensure_vm_deps (tests/vm/deps.sh) to have run. Takes about 1 s when something changed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/deps.sh"
. "$HERE/../e2e/containerd-config.sh"

CRI_PORT=10010   # containerd's CRI TCP listener inside the guest; boot.sh forwards to it
LIB_DIR=usr/lib/resmgrlite-vm

die() { printf 'build-initramfs.sh: %s\n' "$*" >&2; exit 1; }

work="$(vm_work_dir)"
[ -f "$work/env" ] || die "$work/env is missing: run ensure_vm_deps first (tests/vm/deps.sh)"
# shellcheck disable=SC1091
. "$work/env"
e2e_select_runtime "${1:-${E2E_RUNTIMES%% *}}" || die "cannot select the containerd runtime"

# Copies an executable and the shared libraries ldd names for it (runc and the Go binaries of
# Debian's containerd are dynamically linked against glibc).
copy_with_libraries() {
  local binary="$1" target_dir="$2" staging="$3"
  install -D -m 0755 "$binary" "$staging/$target_dir/$(basename "$binary")"
  local library
  for library in $(ldd "$binary" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*'); do
    [ -e "$staging$library" ] || install -D -m 0755 "$(readlink -f "$library")" "$staging$library"
  done
}

# Everything that goes in, as one fingerprint: a change in any input rebuilds the image.
fingerprint() {
  {
    sha256sum "$HERE"/guest/* "$HERE/build-initramfs.sh" "$HERE/../e2e/containerd-config.sh"
    stat -c '%n %s %Y' "$VM_BUSYBOX" "$E2E_CONTAINERD" "$E2E_SHIM_DIR/containerd-shim-runc-v2" \
      "$E2E_CTR" "$E2E_RUNC" "$E2E_IMAGES_TAR"
    find "$VM_MODULES" -type f -printf '%P %s\n' | sort
    guest_config
  } | sha256sum | cut -c1-16
}

# containerd in the guest: cgroup v2 and root with every capability (no restrict_oom_score_adj);
# CRI on a TCP listener too, which boot.sh forwards to the host (docs/vm-e2e.md). Software
# emulation is 10 to 50 times slower than the host: generous NRI timeouts.
guest_config() {
  CFG_PURPOSE="tests/vm/build-initramfs.sh, containerd inside the test VM" \
  CFG_ROOT=/var/lib/containerd CFG_STATE=/run/containerd CFG_ADDRESS=/run/containerd/containerd.sock \
  CFG_TTRPC_ADDRESS="" CFG_TCP_ADDRESS="0.0.0.0:$CRI_PORT" CFG_OPT="" \
  CFG_NRI_DISABLED=false CFG_NRI_SOCKET=/var/run/nri/nri.sock \
  CFG_NRI_PLUGINS=/opt/nri/plugins CFG_NRI_CONF=/etc/nri/conf.d \
  CFG_NRI_REGISTRATION_TIMEOUT=20s CFG_NRI_REQUEST_TIMEOUT=10s \
  CFG_RESTRICT_OOM=false \
  CFG_CNI_BIN=/opt/cni/bin CFG_CNI_CONF=/etc/cni/net.d \
  CFG_RUNC=/usr/sbin/runc CFG_RUNC_ROOT=/run/runc CFG_SANDBOX_IMAGE="$E2E_SANDBOX_IMAGE" \
    e2e_containerd_config
}

key="$(fingerprint)"
image="$work/initramfs-$E2E_RUNTIME-$key.cpio"
if [ -s "$image" ]; then
  printf '%s\n' "$image"
  exit 0
fi

staging="$work/initramfs-staging"
rm -rf "$staging"
mkdir -p "$staging"/{bin,sbin,usr/bin,usr/sbin,etc/containerd,proc,sys,dev,run,tmp,var,root,share,$LIB_DIR}

install -m 0755 "$VM_BUSYBOX" "$staging/bin/busybox"
for applet in $("$VM_BUSYBOX" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$staging/bin/$applet"
done

copy_with_libraries "$E2E_CONTAINERD" usr/bin "$staging"
copy_with_libraries "$E2E_SHIM_DIR/containerd-shim-runc-v2" usr/bin "$staging"
copy_with_libraries "$E2E_CTR" usr/bin "$staging"
copy_with_libraries "$E2E_RUNC" usr/sbin "$staging"

cp -a "$VM_MODULES/lib" "$staging/"
install -m 0644 "$E2E_IMAGES_TAR" "$staging/$LIB_DIR/images.tar"
install -m 0755 "$HERE/guest/init" "$staging/init"
for script in agent facts cgroup-dump containerd-start containerd-stop poweroff; do
  install -m 0755 "$HERE/guest/$script" "$staging/$LIB_DIR/$script"
done
guest_config > "$staging/etc/containerd/config.toml"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$staging/etc/passwd"
printf 'root:x:0:\ntty:x:5:\n' > "$staging/etc/group"
printf '127.0.0.1 localhost\n' > "$staging/etc/hosts"
# CRI copies the node's resolv.conf into every host-network sandbox; the guest has no DNS
# (restricted user network), only the file has to exist.
printf '# no DNS in the ResMgrLite test VM\n' > "$staging/etc/resolv.conf"
printf 'resmgrlite-vm\n' > "$staging/etc/hostname"

# Only the current image of this runtime stays cached (and none of the layout before runtimes).
rm -f "$work/initramfs-$E2E_RUNTIME"-*.cpio "$work"/initramfs-????????????????.cpio
(cd "$staging" && find . -mindepth 1 | LC_ALL=C sort | "$VM_BUSYBOX" cpio -o -H newc > "$image.partial" 2>/dev/null)
mv "$image.partial" "$image"
rm -rf "$staging"
printf '%s\n' "$image"
