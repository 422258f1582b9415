#!/usr/bin/env bash
# Starts a real containerd with one of the packaged NRI drop-ins and checks that NRI is on the way
# ResMgrLite needs it: the NRI plugin loaded, the pre-launched plugin started from
# /opt/nri/plugins (a symbolic link, as the package installs it) and registered, and an external
# plugin connected on /var/run/nri/nri.sock.
#
#   containerd-dropin.sh RUNTIME DROPIN CONFIG_VERSION BINARY WORKDIR
#
# RUNTIME      a runtime of tests/e2e/runtimes ("2.1", "1.7"), as fetched by ensure_e2e_deps
#              (tests/e2e/deps.sh; ./build.sh test runs it first)
# DROPIN       the drop-in file, imported from WORKDIR/conf.d by a config.toml of CONFIG_VERSION
# BINARY       the published resmgrlite binary
# WORKDIR      an empty directory outside /opt, /run and /var (root, state, sockets, logs)
#
# Nothing of the host is touched: the script runs in a private mount namespace in which /opt,
# /run, /var/log and /var/lib are empty tmpfs mounts, so the drop-in's real paths can be used as
# they are; and as the first process of a private PID namespace, so that however the script ends
# (even killed), the kernel ends containerd and the plugins with it. No process of it keeps a
# descriptor it inherited (one is the shared test lock, flock /tmp/resmgrlite-e2e.lock). Needs
# root. Prints "ok: ..." per check; exits 1 with the reason (and the logs) otherwise.
set -euo pipefail

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../e2e" && pwd)/deps.sh"

if [ -z "${RESMGRLITE_DROPIN_NAMESPACE:-}" ]; then
  e2e_close_inherited_fds
  RESMGRLITE_DROPIN_NAMESPACE=1 exec unshare --mount --propagation private --pid --fork --kill-child --mount-proc "$0" "$@"
fi

runtime=$1 dropin=$2 version=$3 binary=$4 work=$5
env_file="$(e2e_work_dir)/env"
[ -f "$env_file" ] || { echo "FAIL: $env_file is missing: run ensure_e2e_deps first (./build.sh test does)"; exit 1; }
# shellcheck disable=SC1090
. "$env_file"
e2e_select_runtime "$runtime" || { echo "FAIL: containerd $runtime is not among the fetched runtimes"; exit 1; }
containerd=$E2E_CONTAINERD ctr=$E2E_CTR
WAIT_SECONDS=20

fail() {
  echo "FAIL: $*"
  for log in "$work/containerd.log" /var/log/resmgrlite.log "$work/external.log"; do
    [ -f "$log" ] && { echo "--- $log"; tail -n 40 "$log"; }
  done
  exit 1
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds.
wait_for() {
  local tries=$(($1 * 10)); shift
  while ! "$@" >/dev/null 2>&1; do
    tries=$((tries - 1))
    [ $tries -gt 0 ] || return 1
    sleep 0.1
  done
}

for dir in /opt /run /var/log /var/lib; do
  mount -t tmpfs -o mode=0755 tmpfs "$dir"
done
mkdir -p /opt/nri/plugins "$work/conf.d" "$work/root" "$work/state" "$work/opt"
ln -s "$binary" /opt/nri/plugins/90-resmgrlite
cp "$dropin" "$work/conf.d/90-resmgrlite-nri.toml"

if [ "$version" = 3 ]; then q="'"; else q='"'; fi
cat > "$work/config.toml" <<CONFIG
version = $version
imports = ["$work/conf.d/*.toml"]
root = "$work/root"
state = "$work/state"

[grpc]
  address = "$work/containerd.sock"

[ttrpc]
  address = "$work/containerd.sock.ttrpc"

[plugins.${q}io.containerd.internal.v1.opt${q}]
  path = "$work/opt"
CONFIG
if [ "$version" = 2 ]; then
  # A table only version 2 knows (as in the config.toml Debian ships): read only when the
  # drop-in's version matches.
  cat >> "$work/config.toml" <<CONFIG

[plugins."io.containerd.grpc.v1.cri".cni]
  conf_dir = "$work/cni"
CONFIG
fi

"$containerd" --config "$work/config.toml" config dump > "$work/config-dump.toml" 2>&1 \
  || fail "containerd cannot read the configuration"
grep -q "Ignoring unknown key" "$work/config-dump.toml" && fail "containerd ignored keys of the merged configuration"
awk '/nri\.v1\.nri/ { nri = 1; next } /^ *\[/ { nri = 0 } nri && /disable = false/ { found = 1 } END { exit !found }' "$work/config-dump.toml" \
  || fail "the merged configuration does not have NRI on"
echo "ok: the merged configuration has NRI on"

PATH="$E2E_SHIM_DIR:$PATH" "$containerd" --config "$work/config.toml" </dev/null > "$work/containerd.log" 2>&1 &
containerd_pid=$!
external_pid=
trap 'kill $external_pid $containerd_pid 2>/dev/null || :; wait 2>/dev/null || :' EXIT

wait_for $WAIT_SECONDS "$ctr" --address "$work/containerd.sock" version || fail "containerd did not start"
"$ctr" --address "$work/containerd.sock" plugins ls | grep -Eq 'io\.containerd\.nri\.v1[[:space:]]+nri[[:space:]].*ok' \
  || fail "the NRI plugin is not loaded"
echo "ok: containerd $("$containerd" --version | awk '{ print $3 }') loaded the NRI plugin"

wait_for $WAIT_SECONDS grep -q "runtime containerd" /var/log/resmgrlite.log \
  || fail "the pre-launched plugin /opt/nri/plugins/90-resmgrlite did not register"
echo "ok: the pre-launched plugin registered: $(grep -m1 "runtime containerd" /var/log/resmgrlite.log)"

[ -S /var/run/nri/nri.sock ] || fail "no NRI socket at /var/run/nri/nri.sock"
"$binary" run --socket /var/run/nri/nri.sock --name dropin-probe --idx 91 --log-file "$work/external.log" </dev/null &
external_pid=$!
wait_for $WAIT_SECONDS grep -q "runtime containerd" "$work/external.log" \
  || fail "an external plugin could not connect on /var/run/nri/nri.sock"
echo "ok: an external plugin connected on /var/run/nri/nri.sock"

# For the record (the DaemonSet's memory request is sized from it): resident memory of both.
rss() { awk '/^VmRSS:/ { print $2 " kB" }' "/proc/$1/status" 2>/dev/null; }
for pid in $(pgrep -f '^/opt/nri/plugins/90-resmgrlite$' || :); do echo "rss: pre-launched plugin $(rss "$pid")"; done
echo "rss: external plugin $(rss "$external_pid")"
