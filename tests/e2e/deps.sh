# Sourced by build.sh (and by the other tests/e2e scripts): provides `ensure_e2e_deps`, which
# makes everything the real-containerd end-to-end tests and the demo need available under
# $ROOT/.work/e2e (git-ignored):
#   containerd-<runtime>/usr/bin/{containerd,containerd-shim-runc-v2,ctr}   one unpacked package per
#                                   runtime: 2.1 = Debian sid 2.1.9, 1.7 = Debian trixie 1.7.24
#   images/resmgrlite-images.tar    OCI image layout: busybox workload image + sandbox ("pause") image
#   env                             KEY=value lines naming every path above (read by scripts and tests)
# runc (bookworm 1.1.5) and busybox-static (bookworm) are installed from the system's own sources;
# both runtimes use that runc (sid's and trixie's need glibc 2.38).
#
# Why containerd is downloaded and unpacked, never installed: bookworm's containerd (1.6) has no
# NRI. The trixie and sid packages run on bookworm's libc (at most GLIBC_2.34), but installing them
# would drag in newer dependencies; so apt runs against a private state directory per suite whose
# only source is that suite, and the system's sources stay bookworm-only
# (spec/testbed-facts.md, "Getting the real parts" and "containerd 2.x here").
# The file is sourced with `set -euo pipefail` in effect; every helper keeps to that.

# The runtimes, newest first (the first is the default of the demo and of sandbox.sh), and their
# pinned versions: one table, tests/e2e/runtimes, also read by the test project.
E2E_RUNTIMES_TABLE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/runtimes"
E2E_RUNTIMES="$(awk '!/^#/ && NF { printf "%s%s", sep, $1; sep = " " }' "$E2E_RUNTIMES_TABLE")"
E2E_RUNC_MIN_VERSION="1.1.5"                     # trixie's and sid's runc need glibc 2.38: bookworm's only
E2E_IMAGE_LAYOUT_VERSION="1"                     # bump when the image recipe below changes
E2E_WORKLOAD_IMAGE="localhost/resmgrlite/busybox:e2e"
E2E_SANDBOX_IMAGE="localhost/resmgrlite/pause:e2e"

# One column of a runtime's line in tests/e2e/runtimes: package, suite, nri or config.
e2e_runtime_field() {
  local runtime="$1" field="$2" column
  case "$field" in
    package) column=2 ;; suite) column=3 ;; nri) column=4 ;; config) column=5 ;;
    *) e2e_fail "unknown runtime field '$field'"; return 1 ;;
  esac
  local value
  value="$(awk -v name="$runtime" -v column="$column" '!/^#/ && $1 == name { print $column }' "$E2E_RUNTIMES_TABLE")"
  [ -n "$value" ] || { e2e_fail "unknown containerd runtime '$runtime' (known: $E2E_RUNTIMES)"; return 1; }
  printf '%s\n' "$value"
}

# "1.7" -> "1_7": the suffix of the runtime's keys in the env file.
e2e_runtime_key() { printf '%s\n' "${1//./_}"; }

e2e_say() { printf '==> e2e: %s\n' "$*"; }
e2e_fail() { printf 'e2e deps: %s\n' "$*" >&2; return 1; }

e2e_root_dir() {
  if [ -n "${RESMGRLITE_REPO:-}" ]; then
    printf '%s\n' "$RESMGRLITE_REPO"
  else
    (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  fi
}

e2e_work_dir() { printf '%s/.work/e2e\n' "$(e2e_root_dir)"; }

# Installs bookworm packages from the system's own sources when a command is missing.
e2e_ensure_system_package() {
  local package="$1" command_path="$2"
  [ -x "$command_path" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    e2e_fail "missing $command_path (Debian package '$package'): run as root, or: apt-get install $package"
    return 1
  fi
  if [ "${E2E_APT_UPDATED:-0}" = 0 ]; then
    e2e_say "apt-get update (system sources)"
    apt-get update -qq || e2e_say "apt-get update reported errors (continuing)"
    E2E_APT_UPDATED=1
  fi
  e2e_say "installing $package"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
  [ -x "$command_path" ] || e2e_fail "$package installed but $command_path is missing"
}

# apt-get with a private state whose only source is one Debian suite ($apt_dir/sources.list);
# nothing of the system's apt state (sources, lists, cache, dpkg status, pinning) is read or written.
e2e_private_apt() {
  local tool="$1" apt_dir="$2"; shift 2
  "$tool" \
    -o Dir::Etc::SourceList="$apt_dir/sources.list" \
    -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::Etc::Preferences=/dev/null \
    -o Dir::Etc::PreferencesParts=/dev/null \
    -o Dir::State::Lists="$apt_dir/lists" \
    -o Dir::State::status="$apt_dir/status" \
    -o Dir::Cache="$apt_dir/cache" \
    -o APT::Sandbox::User=root \
    -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false \
    -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false \
    -o Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false \
    -o Acquire::IndexTargets::deb::CNF::DefaultEnabled=false \
    "$@"
}

# The suite's sources: trixie with its security updates (where 1.7.24's +deb13u1 lives); sid alone.
e2e_suite_sources() {
  local keyring="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"
  case "$1" in
    trixie) printf '%s\n' \
      "deb $keyring http://deb.debian.org/debian trixie main" \
      "deb $keyring http://deb.debian.org/debian-security trixie-security main" ;;
    sid) printf '%s\n' "deb $keyring http://deb.debian.org/debian sid main" ;;
    *) e2e_fail "no sources known for the suite '$1'"; return 1 ;;
  esac
}

e2e_unpacked_dir() { printf '%s/containerd-%s\n' "$1" "$2"; }

# Downloads and unpacks one runtime's containerd package (pinned version, signed index, Built-Using
# NRI version checked); a no-op when the unpacked tree already carries the pinned version.
e2e_ensure_containerd() {
  local work="$1" runtime="$2"
  local version suite nri
  version="$(e2e_runtime_field "$runtime" package)"
  suite="$(e2e_runtime_field "$runtime" suite)"
  nri="$(e2e_runtime_field "$runtime" nri)"
  local unpacked
  unpacked="$(e2e_unpacked_dir "$work" "$runtime")"
  local stamp="$unpacked/.version"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] \
     && [ -x "$unpacked/usr/bin/containerd" ] && [ -x "$unpacked/usr/bin/containerd-shim-runc-v2" ] \
     && [ -x "$unpacked/usr/bin/ctr" ]; then
    return 0
  fi
  command -v apt-get >/dev/null || { e2e_fail "apt-get is required to fetch containerd $version"; return 1; }
  local apt_dir="$work/apt-$suite" debs="$work/debs-$runtime"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$debs"
  : > "$apt_dir/status"
  e2e_suite_sources "$suite" > "$apt_dir/sources.list"
  e2e_say "fetching the $suite package index (private apt state in $apt_dir)"
  e2e_private_apt apt-get "$apt_dir" -qq update \
    || { e2e_fail "apt-get update against $suite failed (network, or debian-archive-keyring without the archive's keys)"; return 1; }
  local candidates
  candidates="$(e2e_private_apt apt-cache "$apt_dir" madison containerd | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | sort -u | tr '\n' ' ')" || true
  case " $candidates " in
    *" $version "*) ;;
    *) e2e_fail "$suite no longer offers containerd $version (it offers: ${candidates:-nothing}); update e2e_runtime_field in tests/e2e/deps.sh after checking the new package's NRI level"; return 1 ;;
  esac
  e2e_say "downloading containerd $version ($suite)"
  rm -f "$debs"/containerd_*.deb
  # apt-get download verifies the .deb against the signed index before writing it.
  (cd "$debs" && e2e_private_apt apt-get "$apt_dir" -qq download "containerd=$version") \
    || { e2e_fail "apt-get download containerd=$version failed"; return 1; }
  local deb
  deb="$(ls "$debs"/containerd_*.deb | head -n 1)"
  local deb_version built_using
  deb_version="$(dpkg-deb -f "$deb" Version)"
  [ "$deb_version" = "$version" ] \
    || { e2e_fail "downloaded $deb is version $deb_version, expected $version"; return 1; }
  # trixie names the Go sources a binary package was built from in Built-Using, sid (newer
  # dh-golang) in Static-Built-Using.
  built_using="$(dpkg-deb -f "$deb" Built-Using Static-Built-Using)"
  case "$built_using" in
    *"golang-github-containerd-nri (= $nri"[-~+]*) ;;
    *) e2e_fail "containerd $version is not built against NRI v$nri (its NRI: $(printf '%s' "$built_using" | grep -o 'golang-github-containerd-nri ([^)]*)' || echo none))"; return 1 ;;
  esac
  rm -rf "$unpacked"
  mkdir -p "$unpacked"
  dpkg -x "$deb" "$unpacked"
  "$unpacked/usr/bin/containerd" --version >/dev/null \
    || { e2e_fail "unpacked containerd $version does not run on this system"; return 1; }
  printf '%s\n' "$version" > "$stamp"
  rm -rf "$debs"
}

e2e_check_runc() {
  local version
  version="$(/usr/sbin/runc --version 2>/dev/null | sed -n 's/^runc version \([0-9.]*\).*/\1/p')"
  [ -n "$version" ] || { e2e_fail "/usr/sbin/runc does not run"; return 1; }
  if [ "$(printf '%s\n%s\n' "$E2E_RUNC_MIN_VERSION" "$version" | sort -V | head -n 1)" != "$E2E_RUNC_MIN_VERSION" ]; then
    e2e_fail "runc $version is older than $E2E_RUNC_MIN_VERSION"
    return 1
  fi
}

# Closes every descriptor above 2 of the current shell; call it in the subshell that execs a
# daemon (containerd, qemu), so the daemon does not inherit the shared test lock's descriptor.
# 255 is bash's own script descriptor: bash marks it close-on-exec, and still reads from it.
e2e_close_inherited_fds() {
  local entry fd
  for entry in /proc/"$BASHPID"/fd/*; do
    fd="${entry##*/}"
    [ "$fd" -gt 2 ] 2>/dev/null && [ "$fd" != 255 ] || continue
    eval "exec $fd>&-" 2>/dev/null || true
  done
}

e2e_sha256() { sha256sum "$1" | cut -d' ' -f1; }

# Writes a blob into the layout and prints "<digest-hex> <size>".
e2e_add_blob() {
  local layout="$1" file="$2"
  local hex size
  hex="$(e2e_sha256 "$file")"
  size="$(stat -c %s "$file")"
  mv "$file" "$layout/blobs/sha256/$hex"
  printf '%s %s\n' "$hex" "$size"
}

# One image config + manifest over the shared layer; prints the manifest descriptor JSON.
e2e_add_image() {
  local layout="$1" layer_hex="$2" layer_size="$3" ref="$4" entrypoint_json="$5" cmd_json="$6"
  local tmp="$layout/.tmp"
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Entrypoint":%s,"Cmd":%s,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$entrypoint_json" "$cmd_json" "$layer_hex" > "$tmp"
  local config_hex config_size
  read -r config_hex config_size < <(e2e_add_blob "$layout" "$tmp")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$config_hex" "$config_size" "$layer_hex" "$layer_size" > "$tmp"
  local manifest_hex manifest_size
  read -r manifest_hex manifest_size < <(e2e_add_blob "$layout" "$tmp")
  printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"%s"}}' \
    "$manifest_hex" "$manifest_size" "$ref"
}

# Builds one OCI image-layout tar holding two images that share a single busybox-static layer:
# the workload image (a loop that exits on TERM, so StopContainer returns at once) and the
# sandbox image used as containerd's sandbox_image (no registry, no real pause binary here).
e2e_ensure_images() {
  local work="$1"
  local images="$work/images"
  local tar_file="$images/resmgrlite-images-v$E2E_IMAGE_LAYOUT_VERSION.tar"
  [ -s "$tar_file" ] && { printf '%s\n' "$tar_file"; return 0; }
  rm -rf "$images"
  mkdir -p "$images/rootfs/bin" "$images/rootfs/etc" "$images/layout/blobs/sha256"
  local rootfs="$images/rootfs" layout="$images/layout"
  cp /bin/busybox "$rootfs/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
  done
  mkdir -p "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/tmp" "$rootfs/etc"
  printf 'root:x:0:0:root:/:/bin/sh\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\n' > "$rootfs/etc/group"
  # Deterministic layer: same bytes (and digests) on every machine with the same busybox.
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$layout/.tmp" .
  local layer_hex layer_size
  read -r layer_hex layer_size < <(e2e_add_blob "$layout" "$layout/.tmp")
  local stop_on_term='["trap '"'"'exit 0'"'"' TERM; while :; do sleep 1 & wait $!; done"]'
  local workload sandbox
  workload="$(e2e_add_image "$layout" "$layer_hex" "$layer_size" "$E2E_WORKLOAD_IMAGE" '["/bin/sh","-c"]' "$stop_on_term")"
  sandbox="$(e2e_add_image "$layout" "$layer_hex" "$layer_size" "$E2E_SANDBOX_IMAGE" '["/bin/sh","-c"]' "$stop_on_term")"
  printf '{"schemaVersion":2,"manifests":[%s,%s]}' "$workload" "$sandbox" > "$layout/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$layout" -cf "$tar_file.partial" oci-layout index.json blobs
  mv "$tar_file.partial" "$tar_file"
  rm -rf "$rootfs" "$layout"
  printf '%s\n' "$tar_file"
}

ensure_e2e_deps() {
  local work runtime
  work="$(e2e_work_dir)"
  if [ "$(id -u)" != 0 ]; then
    local missing=()
    for runtime in $E2E_RUNTIMES; do
      [ -x "$(e2e_unpacked_dir "$work" "$runtime")/usr/bin/containerd" ] \
        || missing+=("containerd $(e2e_runtime_field "$runtime" package) (unpacked under $(e2e_unpacked_dir "$work" "$runtime"))")
    done
    [ -x /usr/sbin/runc ] || missing+=("runc (apt-get install runc)")
    [ -x /bin/busybox ] || missing+=("busybox-static (apt-get install busybox-static)")
    e2e_say "not root: the end-to-end tests and the demo need root (containerd, runc, cgroups) and will be skipped"
    [ ${#missing[@]} -eq 0 ] || e2e_say "also missing (fetched automatically when run as root): ${missing[*]}"
    return 0
  fi
  mkdir -p "$work"
  # Layout before there were two runtimes: one unpacked tree and one apt state, both trixie.
  rm -rf "$work/containerd" "$work/apt" "$work/debs"
  e2e_ensure_system_package runc /usr/sbin/runc
  e2e_ensure_system_package busybox-static /bin/busybox
  e2e_check_runc
  for runtime in $E2E_RUNTIMES; do
    e2e_ensure_containerd "$work" "$runtime"
  done
  local images_tar
  images_tar="$(e2e_ensure_images "$work")"
  {
    for runtime in $E2E_RUNTIMES; do
      local key bin
      key="$(e2e_runtime_key "$runtime")"
      bin="$(e2e_unpacked_dir "$work" "$runtime")/usr/bin"
      printf 'E2E_CONTAINERD_%s=%s\n' "$key" "$bin/containerd"
      printf 'E2E_SHIM_DIR_%s=%s\n' "$key" "$bin"
      printf 'E2E_CTR_%s=%s\n' "$key" "$bin/ctr"
    done
    printf 'E2E_RUNC=%s\n' /usr/sbin/runc
    printf 'E2E_IMAGES_TAR=%s\n' "$images_tar"
    printf 'E2E_WORKLOAD_IMAGE=%s\n' "$E2E_WORKLOAD_IMAGE"
    printf 'E2E_SANDBOX_IMAGE=%s\n' "$E2E_SANDBOX_IMAGE"
  } > "$work/env.partial"
  mv "$work/env.partial" "$work/env"
  local versions=""
  for runtime in $E2E_RUNTIMES; do
    versions="$versions${versions:+, }containerd $(e2e_runtime_field "$runtime" package) (NRI v$(e2e_runtime_field "$runtime" nri))"
  done
  e2e_say "ready: $versions, $(/usr/sbin/runc --version | head -n 1), images $(basename "$images_tar")"
}

# Sets E2E_RUNTIME, E2E_CONTAINERD, E2E_SHIM_DIR and E2E_CTR (from the env file's keys of one
# runtime: source the env file first) and E2E_CONTAINERD_VERSION, E2E_NRI_VERSION and
# E2E_CONFIG_VERSION (from tests/e2e/runtimes).
e2e_select_runtime() {
  local runtime="$1"
  case " $E2E_RUNTIMES " in
    *" $runtime "*) ;;
    *) e2e_fail "unknown containerd runtime '$runtime' (known: $E2E_RUNTIMES)"; return 1 ;;
  esac
  local key name
  key="$(e2e_runtime_key "$runtime")"
  for name in CONTAINERD SHIM_DIR CTR; do
    local from="E2E_${name}_$key"
    [ -n "${!from:-}" ] || { e2e_fail "the e2e env file has no $from: run ensure_e2e_deps again"; return 1; }
    printf -v "E2E_$name" '%s' "${!from}"
  done
  E2E_CONTAINERD_VERSION="$(e2e_runtime_field "$runtime" package)"
  E2E_NRI_VERSION="$(e2e_runtime_field "$runtime" nri)"
  E2E_CONFIG_VERSION="$(e2e_runtime_field "$runtime" config)"
  E2E_RUNTIME="$runtime"
}
