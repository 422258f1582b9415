#!/usr/bin/env bash
# Boots the ResMgrLite test VM under software emulation and stays in the foreground until the
# guest powers off (qemu exits 0) or fails (the guest init powers off too; a kernel panic
# reboots, which -no-reboot turns into an exit).
#
#   boot.sh RUN_DIR HOST_CRI_PORT [RUNTIME]
#
# RUNTIME: the containerd in the guest, as in tests/e2e/runtimes (default: the newest).
# RUN_DIR/share is the 9p share (create it first; put the plugin files in RUN_DIR/share/plugin
# to have containerd pre-launch them); RUN_DIR/console.log receives the serial console.
# 127.0.0.1:HOST_CRI_PORT on the host reaches containerd's CRI in the guest.
#
# Machine (spec/testbed-facts.md, "cgroup v2 with two NUMA nodes: a VM under qemu"):
#   TCG with one host thread per vCPU: /dev/kvm here cannot run a normal guest, and only with an
#   Intel vendor string does the guest see SMT siblings.
#   2 sockets x 2 cores x 2 threads; NUMA node 0 = CPUs 0-3, node 1 = CPUs 4-7, 512 MiB each.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/deps.sh"

NODE_MEMORY_MIB=512
# A VM whose test process died (CI timeout, kill -9) must not run forever: qemu gets at most this
# long. Far above a whole scenario (about 3 minutes idle; the test gives up after 15).
MAX_SECONDS="${RESMGRLITE_VM_MAX_SECONDS:-1200}"
CRI_GUEST_PORT=10010   # build-initramfs.sh's CRI_PORT

die() { printf 'boot.sh: %s\n' "$*" >&2; exit 2; }

[ $# -eq 2 ] || [ $# -eq 3 ] || die "usage: boot.sh RUN_DIR HOST_CRI_PORT [RUNTIME]"
run_dir="$1" host_port="$2" runtime="${3:-}"
[ -d "$run_dir/share" ] || die "$run_dir/share does not exist"
case "$host_port" in ''|*[!0-9]*) die "HOST_CRI_PORT must be a number (got '$host_port')" ;; esac

work="$(vm_work_dir)"
[ -f "$work/env" ] || die "$work/env is missing: run ensure_vm_deps first (tests/vm/deps.sh)"
# shellcheck disable=SC1091
. "$work/env"
initramfs="$("$HERE/build-initramfs.sh" ${runtime:+"$runtime"})"

# qemu must not inherit the shared test lock's descriptor (see e2e_close_inherited_fds).
e2e_close_inherited_fds
exec timeout --kill-after=10 "$MAX_SECONDS" "$VM_QEMU" \
  -name resmgrlite-vm \
  -nodefaults -no-user-config -display none -no-reboot \
  -accel tcg,thread=multi \
  -cpu max,vendor=GenuineIntel \
  -machine pc \
  -smp 8,sockets=2,cores=2,threads=2 \
  -m $((2 * NODE_MEMORY_MIB))M \
  -object memory-backend-ram,id=mem0,size=${NODE_MEMORY_MIB}M \
  -object memory-backend-ram,id=mem1,size=${NODE_MEMORY_MIB}M \
  -numa node,nodeid=0,cpus=0-3,memdev=mem0 \
  -numa node,nodeid=1,cpus=4-7,memdev=mem1 \
  -kernel "$VM_KERNEL" \
  -initrd "$initramfs" \
  -append "console=ttyS0 panic=-1 loglevel=4 mitigations=off" \
  -serial "file:$run_dir/console.log" \
  -virtfs "local,path=$run_dir/share,mount_tag=share,security_model=none,id=share" \
  -netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$host_port-10.0.2.15:$CRI_GUEST_PORT" \
  -device virtio-net-pci,netdev=net0
