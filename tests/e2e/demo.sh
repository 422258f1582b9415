#!/usr/bin/env bash
# The README's main command, run by `./build.sh demo` after it has published out/resmgrlite and
# run ensure_e2e_deps: a private containerd (2.1.9 by default, 1.7.24 with --containerd 1.7) with
# resmgrlite pre-launched as an NRI plugin, one pod per QoS class created through our own CRI
# client the way the kubelet creates them, and a table of the cpuset / mems / memory / CPU values the kernel then shows. Everything is
# torn down afterwards (tests/ResMgrLite.CriTool, command `demo`, does the work).
#
# Usage: tests/e2e/demo.sh [--no-plugin] [--containerd 2.1|1.7]   (RESMGRLITE_BINARY overrides out/resmgrlite)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export RESMGRLITE_REPO="${RESMGRLITE_REPO:-$ROOT}"
BINARY="${RESMGRLITE_BINARY:-$ROOT/out/resmgrlite}"

missing=()
[ "$(id -u)" = 0 ] || missing+=("root: the demo starts containerd and runc, mounts overlays and writes cgroups (run: sudo ./build.sh demo)")
command -v dotnet >/dev/null || missing+=("the .NET 10 SDK ('dotnet' on PATH) to run the CRI client")
[ -x "$BINARY" ] || missing+=("the plugin binary $BINARY (./build.sh publishes it)")
[ -f "$RESMGRLITE_REPO/.work/e2e/env" ] || missing+=("containerd, runc and the demo images (as root, ./build.sh demo fetches them into .work/e2e)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'demo: cannot run; missing:\n' >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 2
fi

printf '==> building the CRI client (tests/ResMgrLite.CriTool)\n'
dotnet build "$ROOT/tests/ResMgrLite.CriTool/ResMgrLite.CriTool.csproj" -c Release -nologo -v:q -clp:NoSummary >/dev/null
exec dotnet run --project "$ROOT/tests/ResMgrLite.CriTool/ResMgrLite.CriTool.csproj" -c Release --no-build --no-launch-profile \
  -- demo --binary "$BINARY" "$@"
