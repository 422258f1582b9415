#!/usr/bin/env bash
# Boots the test VM without .NET and without pods: waits until containerd is up in the guest,
# prints the guest facts, checks the two NUMA nodes, SMT pairs and cgroup v2, then powers the
# guest off and reports the times. For working on the VM itself; the real scenario is the xunit
# test (docs/vm-e2e.md).
#
#   smoke.sh [RUN_DIR [RUNTIME]]   default RUN_DIR: $ROOT/.work/vm/runs/smoke; RUNTIME as in
#                                  tests/e2e/runtimes (default: the newest)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/deps.sh"

BOOT_TIMEOUT_SECONDS=180
POWEROFF_TIMEOUT_SECONDS=60

die() { printf 'smoke.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (ensure_vm_deps installs qemu and unpacks the kernel)"
ensure_vm_deps
run_dir="${1:-$(vm_work_dir)/runs/smoke}"
rm -rf "$run_dir"
mkdir -p "$run_dir/share"
share="$run_dir/share"

# Any free loopback port will do: nothing talks to CRI here.
port=$(( 20000 + RANDOM % 20000 ))
start=$SECONDS
"$HERE/boot.sh" "$run_dir" "$port" ${2:+"$2"} > "$run_dir/boot.out" 2>&1 &
qemu_pid=$!
trap 'kill "$qemu_pid" 2>/dev/null || true' EXIT

status=""
until [ "$status" = ready ]; do
  status="$(cat "$share/guest/status" 2>/dev/null || true)"
  case "$status" in failed*) tail -n 20 "$run_dir/console.log" >&2; die "guest: $status" ;; esac
  kill -0 "$qemu_pid" 2>/dev/null || { tail -n 20 "$run_dir/console.log" >&2; die "qemu exited before the guest was ready"; }
  [ $((SECONDS - start)) -lt $BOOT_TIMEOUT_SECONDS ] || die "guest not ready after ${BOOT_TIMEOUT_SECONDS}s"
  sleep 0.2
done
ready=$((SECONDS - start))
cat "$share/guest/facts"

fact() { sed -n "s/^$1=//p" "$share/guest/facts"; }
failures=0
expect() {
  local key="$1" expected="$2" actual
  actual="$(fact "$key")"
  if [ "$actual" != "$expected" ]; then
    printf 'FAIL %s: expected "%s", found "%s"\n' "$key" "$expected" "$actual" >&2
    failures=$((failures + 1))
  fi
}
expect nodes 0,1
expect node0.cpulist 0-3
expect node1.cpulist 4-7
for cpu in 0 1 2 3 4 5 6 7; do
  first=$((cpu / 2 * 2))
  expect "cpu$cpu.siblings" "$first-$((first + 1))"
done
expect cgroup.fs.magic 63677270
expect cgroup.subtree_control "cpuset cpu io memory pids"

printf '/usr/lib/resmgrlite-vm/poweroff\n' > "$share/requests/.poweroff.tmp"
mv "$share/requests/.poweroff.tmp" "$share/requests/000001.sh"
deadline=$((SECONDS + POWEROFF_TIMEOUT_SECONDS))
while kill -0 "$qemu_pid" 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || die "qemu still running ${POWEROFF_TIMEOUT_SECONDS}s after the power-off request"
  sleep 0.2
done
trap - EXIT
wait "$qemu_pid" && qemu_status=0 || qemu_status=$?
[ "$qemu_status" = 0 ] || { printf 'FAIL qemu exit status %s\n' "$qemu_status" >&2; failures=$((failures + 1)); }
printf '==> vm smoke: ready after %ss, powered off after %ss total, %s failure(s); logs in %s\n' \
  "$ready" "$((SECONDS - start))" "$failures" "$run_dir"
[ "$failures" = 0 ]
