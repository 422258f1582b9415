#!/usr/bin/env bash
# A private containerd (2.1.9 or 1.7.24) for end-to-end tests and the demo: its own root, state,
# sockets, runc state and NRI directories, all under one sandbox directory, so it never touches a
# system containerd and leaves nothing behind when stopped.
#
#   sandbox.sh start DIR [--no-nri] [--containerd 2.1|1.7]
#                                     write DIR/config.toml in the runtime's own format (version 3
#                                     for containerd 2.x, version 2 for 1.7), start containerd,
#                                     import the images, wait until it serves; pre-launched NRI
#                                     plugins are taken from DIR/nri/plugins and DIR/nri/conf.d
#                                     (create them first). Default runtime: the newest (2.1).
#   sandbox.sh restart DIR            restart only containerd (containers keep running)
#   sandbox.sh stop DIR               kill containers, shims and containerd, unmount, remove DIR
#   sandbox.sh status DIR             exit 0 when containerd of DIR is running
#
# Layout of DIR:   config.toml  runtime  containerd.sock  containerd.pid  containerd.log
#                  root/ state/ opt/ runc/ cni/ logs/  nri/{nri.sock,plugins/,conf.d/}
# Needs root and ensure_e2e_deps (tests/e2e/deps.sh) to have run. The configuration:
# tests/e2e/containerd-config.sh. Root here lacks CAP_SYS_RESOURCE, so restrict_oom_score_adj is
# on (the sandbox's oom_score_adj -998 would fail without it).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/deps.sh"
. "$HERE/containerd-config.sh"

die() { printf 'sandbox.sh: %s\n' "$*" >&2; exit 1; }
say() { printf '==> sandbox: %s\n' "$*"; }

# unix socket paths are limited to 108 bytes (sun_path); containerd also adds ".ttrpc".
MAX_SOCKET_PATH=100
READY_TIMEOUT_SECONDS=30
STOP_GRACE_SECONDS=10
# The shim always puts its socket here, whatever containerd's config says (testbed facts).
SHIM_SOCKET_DIR=/run/containerd/s
CGROUP_ROOT=/sys/fs/cgroup
KUBEPODS_MARKER=created-kubepods-cgroups

# Reads the env file of ensure_e2e_deps and selects a runtime: the one given, else the one the
# sandbox DIR was started with (DIR/runtime), else the default (the newest).
load_env() {
  local runtime="${1:-}" dir="${2:-}"
  local env_file
  env_file="$(e2e_work_dir)/env"
  [ -f "$env_file" ] || die "$env_file is missing: run ensure_e2e_deps first (./build.sh test or ./build.sh demo do)"
  # shellcheck disable=SC1090
  . "$env_file"
  if [ -z "$runtime" ] && [ -n "$dir" ] && [ -f "$dir/runtime" ]; then
    runtime="$(cat "$dir/runtime")"
  fi
  e2e_select_runtime "${runtime:-${E2E_RUNTIMES%% *}}" || die "cannot select the containerd runtime"
}

require_root() {
  [ "$(id -u)" = 0 ] || die "needs root (containerd, runc, mounts and cgroups); run as root"
}

write_config() {
  local dir="$1" nri_disabled="$2"
  CFG_PURPOSE="tests/e2e/sandbox.sh, a private containerd on the host" \
  CFG_ROOT="$dir/root" CFG_STATE="$dir/state" CFG_ADDRESS="$dir/containerd.sock" \
  CFG_TTRPC_ADDRESS="$dir/containerd.sock.ttrpc" CFG_TCP_ADDRESS="" CFG_OPT="$dir/opt" \
  CFG_NRI_DISABLED="$nri_disabled" CFG_NRI_SOCKET="$dir/nri/nri.sock" \
  CFG_NRI_PLUGINS="$dir/nri/plugins" CFG_NRI_CONF="$dir/nri/conf.d" \
  CFG_NRI_REGISTRATION_TIMEOUT=5s CFG_NRI_REQUEST_TIMEOUT=2s \
  CFG_RESTRICT_OOM=true \
  CFG_CNI_BIN="$dir/cni/bin" CFG_CNI_CONF="$dir/cni/conf" \
  CFG_RUNC="$E2E_RUNC" CFG_RUNC_ROOT="$dir/runc" CFG_SANDBOX_IMAGE="$E2E_SANDBOX_IMAGE" \
    e2e_containerd_config > "$dir/config.toml"
}

containerd_pid() {
  local dir="$1"
  [ -f "$dir/containerd.pid" ] || return 1
  local pid
  pid="$(cat "$dir/containerd.pid")"
  # The pid must still be our containerd (same config file), not a recycled pid.
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "--config $dir/config.toml" || return 1
  printf '%s\n' "$pid"
}

ctr_cmd() {
  local dir="$1"; shift
  "$E2E_CTR" --address "$dir/containerd.sock" "$@"
}

start() {
  local dir="$1"; shift
  local nri_disabled=false runtime=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --no-nri) nri_disabled=true ;;
      --containerd)
        [ $# -ge 2 ] || die "--containerd needs a runtime ($E2E_RUNTIMES)"
        runtime="$2"; shift ;;
      *) die "unknown option '$1'" ;;
    esac
    shift
  done
  require_root
  load_env "$runtime"
  case "$dir" in /*) ;; *) die "DIR must be an absolute path (got '$dir')" ;; esac
  [ ${#dir} -le $((MAX_SOCKET_PATH - 20)) ] || die "DIR '$dir' is too long for unix socket paths (max $((MAX_SOCKET_PATH - 20)) bytes)"
  if containerd_pid "$dir" >/dev/null; then
    die "a containerd is already running for $dir (stop it first)"
  fi
  mkdir -p "$dir"/{root,state,opt,runc,cni/bin,cni/conf,logs,nri/plugins,nri/conf.d}
  chmod 0700 "$dir/nri"
  [ -d "$CGROUP_ROOT/cpuset/kubepods" ] || [ -d "$CGROUP_ROOT/kubepods" ] || : > "$dir/$KUBEPODS_MARKER"
  printf '%s\n' "$E2E_RUNTIME" > "$dir/runtime"
  write_config "$dir" "$nri_disabled"

  launch_containerd "$dir"
  wait_for_containerd "$dir"
  ctr_cmd "$dir" -n k8s.io images import --snapshotter overlayfs "$E2E_IMAGES_TAR" >/dev/null \
    || die "importing $E2E_IMAGES_TAR failed (log: $dir/containerd.log)"
  wait_for_cri "$dir"
  say "containerd $E2E_CONTAINERD_VERSION ready: pid $(cat "$dir/containerd.pid"), CRI at unix://$dir/containerd.sock"
}

launch_containerd() {
  local dir="$1"
  say "starting containerd ($dir)"
  # setsid: containerd must outlive the caller's process group (a test runner, a shell). It gets
  # none of the caller's other descriptors: one of them is the shared test lock
  # (flock /tmp/resmgrlite-e2e.lock), and a containerd or shim that outlived its run would hold
  # that lock forever.
  (
    e2e_close_inherited_fds
    PATH="$E2E_SHIM_DIR:$(dirname "$E2E_RUNC"):/usr/sbin:/usr/bin:/sbin:/bin" \
      exec setsid "$E2E_CONTAINERD" --config "$dir/config.toml" </dev/null >>"$dir/containerd.log" 2>&1
  ) &
  echo $! > "$dir/containerd.pid"
  READY_DEADLINE=$((SECONDS + READY_TIMEOUT_SECONDS))
}

startup_failed() {
  local dir="$1" reason="$2"
  tail -n 30 "$dir/containerd.log" >&2
  die "$reason (log above: $dir/containerd.log)"
}

wait_for_containerd() {
  local dir="$1"
  until ctr_cmd "$dir" version >/dev/null 2>&1; do
    containerd_pid "$dir" >/dev/null || startup_failed "$dir" "containerd exited during start-up"
    [ $SECONDS -lt $READY_DEADLINE ] || startup_failed "$dir" "containerd not ready after ${READY_TIMEOUT_SECONDS}s"
    sleep 0.1
  done
}

wait_for_cri() {
  local dir="$1"
  until ctr_cmd "$dir" plugins ls 2>/dev/null | grep -Eq 'io\.containerd\.grpc\.v1[[:space:]]+cri[[:space:]].*ok'; do
    containerd_pid "$dir" >/dev/null || startup_failed "$dir" "containerd exited during start-up"
    [ $SECONDS -lt $READY_DEADLINE ] || startup_failed "$dir" "the CRI plugin is not ready after ${READY_TIMEOUT_SECONDS}s"
    sleep 0.1
  done
}

# Restarts only containerd: containers and shims keep running, as on a real node's daemon restart.
restart() {
  local dir="$1"
  require_root
  load_env "" "$dir"
  [ -f "$dir/config.toml" ] || die "$dir is not a sandbox (no config.toml)"
  local pid
  if pid="$(containerd_pid "$dir")"; then
    kill_and_wait "$pid" "$STOP_GRACE_SECONDS"
  fi
  launch_containerd "$dir"
  wait_for_containerd "$dir"
  wait_for_cri "$dir"
  say "containerd restarted: pid $(cat "$dir/containerd.pid")"
}

kill_and_wait() {
  local pid="$1" grace="$2"
  kill -TERM "$pid" 2>/dev/null || return 0
  local waited=0
  while kill -0 "$pid" 2>/dev/null && [ $waited -lt $((grace * 10)) ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -KILL "$pid" 2>/dev/null || true
  # Reap, if it is our child; otherwise wait until the kernel has let it go.
  waited=0
  while kill -0 "$pid" 2>/dev/null && [ $waited -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
}

# Shims started by this sandbox's containerd name its socket in their command line.
shim_pids() {
  local dir="$1" pid
  for pid in $(pgrep -f -- "containerd-shim-runc-v2 .*-address $dir/containerd.sock" || true); do
    printf '%s\n' "$pid"
  done
}

stop() {
  local dir="$1"
  require_root
  load_env "" "$dir"
  case "$dir" in /*) ;; *) die "DIR must be an absolute path (got '$dir')" ;; esac
  [ -d "$dir" ] || { say "nothing to stop ($dir does not exist)"; return 0; }
  [ -f "$dir/config.toml" ] || die "$dir does not look like a sandbox (no config.toml); not touching it"

  # 1. Containers: kill every runc container of this sandbox (the shims then exit).
  if [ -d "$dir/runc" ]; then
    local id
    for id in $("$E2E_RUNC" --root "$dir/runc" list -q 2>/dev/null || true); do
      "$E2E_RUNC" --root "$dir/runc" kill "$id" KILL 2>/dev/null || true
    done
  fi
  # 2. containerd itself.
  local pid
  if pid="$(containerd_pid "$dir")"; then
    kill_and_wait "$pid" "$STOP_GRACE_SECONDS"
  fi
  # 3. Shims left behind (they outlive containerd by design), and pre-launched plugins that did
  #    not exit with their socket (a plugin that never registered, a hung one).
  for pid in $(shim_pids "$dir"); do
    kill_and_wait "$pid" 2
  done
  for pid in $(pgrep -f -- "$dir/nri/plugins/" || true); do
    kill_and_wait "$pid" 2
  done
  # 4. runc state and container cgroups of containers that are still registered.
  if [ -d "$dir/runc" ]; then
    for id in $("$E2E_RUNC" --root "$dir/runc" list -q 2>/dev/null || true); do
      "$E2E_RUNC" --root "$dir/runc" delete --force "$id" 2>/dev/null || true
    done
  fi
  # 5. Shim sockets: /run/containerd/s/<sha256(address/namespace/id)> (containerd 1.7 and 2.x alike).
  local task_dir ns_dir id_dir hex
  for ns_dir in "$dir"/state/io.containerd.runtime.v2.task/*; do
    [ -d "$ns_dir" ] || continue
    for id_dir in "$ns_dir"/*; do
      [ -d "$id_dir" ] || continue
      hex="$(printf '%s' "$dir/containerd.sock/$(basename "$ns_dir")/$(basename "$id_dir")" | sha256sum | cut -d' ' -f1)"
      rm -f "$SHIM_SOCKET_DIR/$hex"
    done
  done
  rmdir "$SHIM_SOCKET_DIR" /run/containerd 2>/dev/null || true
  # 6. Mounts (rootfs overlays, sandbox shm, ...), deepest first.
  local target
  for target in $(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r); do
    umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null || true
  done
  if awk -v d="$dir/" 'index($2, d) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
    die "mounts under $dir remain; not removing it"
  fi
  # 7. Pod cgroups: the kubelet removes them on a node; here the CRI driver lists the ones it
  #    used in DIR/pod-cgroups. Then the kubepods trees, when this sandbox created them.
  #    rmdir removes only empty cgroups, so nothing still in use can go.
  if [ -f "$dir/pod-cgroups" ]; then
    local pod_cgroup hierarchy_dir
    while read -r pod_cgroup; do
      case "$pod_cgroup" in /kubepods/*) ;; *) continue ;; esac
      for hierarchy_dir in "$CGROUP_ROOT"/*/ "$CGROUP_ROOT"/; do
        [ -d "$hierarchy_dir${pod_cgroup#/}" ] || continue
        find "$hierarchy_dir${pod_cgroup#/}" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      done
    done < "$dir/pod-cgroups"
  fi
  if [ -f "$dir/$KUBEPODS_MARKER" ]; then
    local hierarchy
    for hierarchy in "$CGROUP_ROOT"/*/kubepods "$CGROUP_ROOT"/kubepods; do
      [ -d "$hierarchy" ] || continue
      find "$hierarchy" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
  fi
  rm -rf "$dir"
  # The shared parent of the harness's sandboxes goes too once the last one is gone.
  [ "$(basename "$(dirname "$dir")")" != resmgrlite-e2e ] || rmdir "$(dirname "$dir")" 2>/dev/null || true
  say "stopped and removed $dir"
}

status() {
  local dir="$1"
  load_env "" "$dir"
  containerd_pid "$dir" >/dev/null
}

[ $# -ge 2 ] || die "usage: sandbox.sh start DIR [--no-nri] [--containerd 2.1|1.7] | restart DIR | stop DIR | status DIR"
command="$1"; shift
case "$command" in
  start) start "$@" ;;
  restart) restart "$@" ;;
  stop) stop "$@" ;;
  status) status "$@" ;;
  *) die "unknown command '$command' (start | restart | stop | status)" ;;
esac
