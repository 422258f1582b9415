#!/usr/bin/env bash
# ResMgrLite build entry point.
#   ./build.sh [publish]   fully static Native-AOT binary at out/resmgrlite
#   ./build.sh test        every test (unit, property, protocol, static-binary, end-to-end)
#   ./build.sh bench       side by side with the Go NRI plugin under the real NRI libraries; without
#                          ../shared, the project's own benchmarks (figures: docs/benchmarks.md)
#   ./build.sh demo [--containerd 2.1|1.7]
#                          real containerd sandbox (2.1.9 by default) + plugin + demo pods, prints a table
#   ./build.sh soak        long crash-consistency soak of the checkpoint logic
#   ./build.sh package     out/resmgrlite_<version>_amd64.deb (checked by lintian) and the DaemonSet image
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export RESMGRLITE_REPO="$ROOT"
OUT="$ROOT/out"
BINARY="$OUT/resmgrlite"
WORK="$ROOT/.work"          # downloads, sandboxes, VM images (git-ignored)

say()  { printf '==> %s\n' "$*"; }
die()  { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# Install Debian (bookworm) packages when missing. Only the system's own sources are used;
# trixie packages are never installed (they would upgrade libc), only downloaded elsewhere.
APT_UPDATED=0
ensure_debs() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    die "missing Debian packages: ${missing[*]} (run as root so build.sh can install them, or: apt-get install ${missing[*]})"
  fi
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    apt-get update -qq || say "apt-get update reported errors (continuing with what is available)"
    APT_UPDATED=1
  fi
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_dotnet() {
  command -v dotnet >/dev/null || die "the .NET SDK (10.0) is required: 'dotnet' is not on PATH"
}

publish() {
  ensure_dotnet
  ensure_debs lld clang file
  say "publishing static Native-AOT binary"
  dotnet publish src/ResMgrLite/ResMgrLite.csproj -c Release -r linux-x64 \
    -p:ResMgrStatic=true -o "$OUT" -nologo -clp:NoSummary -v:q
  rm -f "$OUT"/*.pdb
  say "$(file -b "$BINARY" | cut -d, -f1-6)"
  say "size: $(stat -c %s "$BINARY") bytes"
}

# The .deb and the OCI image from the published binary (packaging/build-deb.sh); lintian and the
# YAML parser the package tests use come from bookworm.
package_deb() {
  ensure_debs lintian python3-yaml
  say "packaging"
  "$ROOT/packaging/build-deb.sh" "$BINARY" "$OUT"
}

package() {
  publish
  package_deb
}

run_tests() {
  publish
  package_deb
  # Real containerd 2.1.9 and 1.7.24 + runc + busybox images, and the two-NUMA cgroup v2 VM (qemu, kernel).
  . "$ROOT/tests/vm/deps.sh"
  ensure_vm_deps
  say "running tests"
  local log="$WORK/test-output.log"
  mkdir -p "$WORK"
  set +e
  RESMGRLITE_BINARY="$BINARY" dotnet test ResMgrLite.sln -c Release -nologo \
    --logger "console;verbosity=normal" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  # One plain summary line over all test projects (the console logger's per-assembly totals).
  awk '$1 == "Passed:" { p += $2 } $1 == "Failed:" { f += $2 } $1 == "Skipped:" { s += $2 }
       END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
  return "$rc"
}

bench() {
  # ./build.sh bench [--runs N] [--quick] ...   side by side with the Go plugin (tests/bench/nri_bench.py)
  # ./build.sh bench dotnet [BenchmarkDotNet args]   the project's own suites (tests/ResMgrLite.Benchmarks)
  publish
  if [ "${1:-}" = dotnet ]; then
    shift
    own_benchmarks "$@"
    return
  fi
  if [ ! -d "$ROOT/../shared/tools/nri-harness/bin" ]; then
    say "../shared/tools/nri-harness is absent: no comparison with the Go plugin; running the project's own benchmarks only"
    own_benchmarks --quick
    return
  fi
  say "NRI harness, ours vs the Go reference plugin (under /tmp/resmgrlite-bench.lock)"
  flock /tmp/resmgrlite-bench.lock python3 "$ROOT/tests/bench/nri_bench.py" --binary "$BINARY" "$@"
}

# The BenchmarkDotNet suites; --quick runs each once with a short job (minutes, not an hour).
own_benchmarks() {
  say "running the project's own benchmarks"
  python3 "$ROOT/tests/bench/startup.py" "$BINARY" 10
  if [ "${1:-}" = --quick ]; then
    shift
    dotnet run -c Release --project tests/ResMgrLite.Benchmarks -- --filter '*' --job short "$@"
  else
    dotnet run -c Release --project tests/ResMgrLite.Benchmarks -- "$@"
  fi
}

# ./build.sh demo [--containerd 2.1|1.7] [--no-plugin]: arguments go to tests/e2e/demo.sh.
demo() {
  publish
  . "$ROOT/tests/e2e/deps.sh"
  ensure_e2e_deps
  exec "$ROOT/tests/e2e/demo.sh" "$@"
}

soak() {
  publish
  RESMGRLITE_BINARY="$BINARY" RESMGRLITE_SOAK=1 dotnet test tests/ResMgrLite.Tests -c Release \
    --filter "Category=Soak" --logger "console;verbosity=normal"
}

cmd="${1:-publish}"
[ $# -gt 0 ] && shift
case "$cmd" in
  publish) publish ;;
  test)    run_tests ;;
  bench)   bench "$@" ;;
  demo)    demo "$@" ;;
  soak)    soak ;;
  package) package ;;
  *) die "unknown command '$cmd' (publish | test | bench | demo | soak | package)" ;;
esac
