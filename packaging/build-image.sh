#!/usr/bin/env bash
# Writes the DaemonSet's container image as an OCI image-layout archive: one layer holding only
# the static binary (/usr/bin/resmgrlite), entrypoint that binary. No registry and no image
# builder needed; push it with e.g. `skopeo copy oci-archive:FILE docker://REGISTRY/resmgrlite:TAG`
# or load it on a node with `ctr -n k8s.io images import FILE`.
#
#   packaging/build-image.sh BINARY VERSION OUT_FILE
set -euo pipefail

binary=$1 version=$2 out_file=$3
epoch="${SOURCE_DATE_EPOCH:-0}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
layout="$work/layout"
mkdir -p "$work/rootfs/usr/bin" "$layout/blobs/sha256"
install -m 0755 "$binary" "$work/rootfs/usr/bin/resmgrlite"

# blob FILE: moves FILE into the layout, prints "<sha256> <size>".
blob() {
  local hex size
  hex="$(sha256sum "$1" | cut -d' ' -f1)"
  size="$(stat -c %s "$1")"
  mv "$1" "$layout/blobs/sha256/$hex"
  printf '%s %s\n' "$hex" "$size"
}

tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner -C "$work/rootfs" -cf "$work/layer.tar" usr
diff_id="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
gzip -9n "$work/layer.tar"
read -r layer_hex layer_size < <(blob "$work/layer.tar.gz")

created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"
printf '{"architecture":"amd64","os":"linux","created":"%s","config":{"Entrypoint":["/usr/bin/resmgrlite"],"Labels":{"org.opencontainers.image.title":"resmgrlite","org.opencontainers.image.version":"%s"}},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"%s","created_by":"packaging/build-image.sh"}]}' \
  "$created" "$version" "$diff_id" "$created" > "$work/config.json"
read -r config_hex config_size < <(blob "$work/config.json")

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
  "$config_hex" "$config_size" "$layer_hex" "$layer_size" > "$work/manifest.json"
read -r manifest_hex manifest_size < <(blob "$work/manifest.json")

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"localhost/resmgrlite:%s"}}]}' \
  "$manifest_hex" "$manifest_size" "$version" > "$layout/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"

tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner -C "$layout" -cf "$out_file.partial" oci-layout index.json blobs
mv "$out_file.partial" "$out_file"
echo "==> image: $out_file (localhost/resmgrlite:$version)"
