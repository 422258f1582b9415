#!/usr/bin/env bash
# Builds resmgrlite_<version>_amd64.deb with Debian's own tools (dpkg-deb), checks it with
# lintian, and writes the container image for the DaemonSet as an OCI archive.
#
#   packaging/build-deb.sh BINARY OUT_DIR
#
# Called by `./build.sh package` after publishing BINARY. Needs dpkg-deb, gzip, lintian.
# Layout (checked by tests/ResMgrLite.Install.Tests/PackageTests.cs):
#   /usr/bin/resmgrlite                        the static binary (CLI and plugin)
#   /opt/nri/plugins/90-resmgrlite             link to it, made by postinst (see deb/postinst)
#   /etc/nri/conf.d/90-resmgrlite.conf         conffile: the sample configuration
#   /etc/logrotate.d/resmgrlite                conffile
#   /lib/systemd/system/resmgrlite.service     external mode (not enabled)
#   /usr/share/resmgrlite/hooks/               example hooks
#   /usr/share/resmgrlite/containerd/          NRI drop-ins for config.toml version 2 and 3
#   /usr/share/doc/resmgrlite/                 copyright, changelog, guides, DaemonSet example
#   /usr/share/man/man1/resmgrlite.1.gz        from --help
#   /var/lib/resmgrlite/                       state
set -euo pipefail

binary=$1 out=$2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
work="$repo/.work/package"
root="$work/root"

version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/src/ResMgrLite/ResMgrLite.csproj")"
[ -n "$version" ] || { echo "build-deb.sh: no <Version> in src/ResMgrLite/ResMgrLite.csproj" >&2; exit 1; }
case "$("$binary" --version)" in
  "$version"|"$version+"*) ;;
  *) echo "build-deb.sh: $binary says version '$("$binary" --version)', the project says $version" >&2; exit 1 ;;
esac

# Reproducible: every date and mtime is the last commit's.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}"
date_rfc2822="$(date -u -d "@$SOURCE_DATE_EPOCH" -R)"
date_day="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)"

rm -rf "$work"
install -d -m 0755 "$root/DEBIAN"
put() { # put MODE SOURCE DESTINATION
  install -D -m "$1" "$2" "$root$3"
}

put 0755 "$binary" /usr/bin/resmgrlite
put 0644 "$here/90-resmgrlite.conf" /etc/nri/conf.d/90-resmgrlite.conf
put 0644 "$here/logrotate-resmgrlite" /etc/logrotate.d/resmgrlite
put 0644 "$here/systemd/resmgrlite.service" /lib/systemd/system/resmgrlite.service
for hook in "$repo"/hooks/*; do
  put 0755 "$hook" "/usr/share/resmgrlite/hooks/$(basename "$hook")"
done
put 0644 "$here/containerd/nri-v2.toml" /usr/share/resmgrlite/containerd/nri-v2.toml
put 0644 "$here/containerd/nri-v3.toml" /usr/share/resmgrlite/containerd/nri-v3.toml
put 0644 "$here/deb/lintian-overrides" /usr/share/lintian/overrides/resmgrlite
install -d -m 0755 "$root/var/lib/resmgrlite"

doc=/usr/share/doc/resmgrlite
put 0644 "$here/deb/copyright" "$doc/copyright"
put 0644 "$here/kubernetes/resmgrlite-daemonset.yaml" "$doc/examples/resmgrlite-daemonset.yaml"
# The node guide and every page it links to (a test holds the links to it).
for guide in README.md docs/install.md docs/hooks.md docs/configuration.md docs/state.md docs/inputs.md \
  docs/inputs-memory.md docs/runtimes.md docs/simulate.md docs/metrics.md docs/logging.md docs/resize.md; do
  put 0644 "$repo/$guide" "$doc/$(basename "$guide")"
  gzip -9n "$root$doc/$(basename "$guide")"
done
printf '%s\n' \
  "resmgrlite ($version) unstable; urgency=medium" "" \
  "  * Built from the ResMgrLite repository, commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)." "" \
  " -- ResMgrLite maintainers <maintainers@resmgrlite.invalid>  $date_rfc2822" > "$root$doc/changelog"
gzip -9n "$root$doc/changelog"

install -d -m 0755 "$root/usr/share/man/man1"
"$here/make-manpage.sh" "$binary" "$version" "$date_day" | gzip -9n > "$root/usr/share/man/man1/resmgrlite.1.gz"

for script in postinst postrm; do
  install -m 0755 "$here/deb/$script" "$root/DEBIAN/$script"
done
install -m 0644 "$here/deb/conffiles" "$root/DEBIAN/conffiles"
built_using="$(dpkg-query -W -f='${source:Package} (= ${source:Version})' libc6-dev), $(dpkg-query -W -f='${source:Package} (= ${source:Version})' libgcc-12-dev)"
installed_size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$installed_size/" -e "s/@BUILT_USING@/$built_using/" \
  "$here/deb/control.in" > "$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"
find "$root" -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$out"
deb="$out/resmgrlite_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "==> package: $deb ($(stat -c %s "$deb") bytes)"

# lintian from bookworm; every tag it reports fails the build unless deb/lintian-overrides justifies it.
lintian --fail-on error,warning --display-level '>=warning' --tag-display-limit 0 "$deb"
echo "==> lintian: clean"

"$here/build-image.sh" "$binary" "$version" "$out/resmgrlite_${version}_oci.tar"
