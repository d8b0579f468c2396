#!/usr/bin/env bash
# Builds Terraform 1.16.0 from its Go module (no binary download is reachable here) into a cache
# outside the work tree, and prints the binary's path. Reuses the cached binary when present.
# Recipe: ../shared/toolchain.md.
set -euo pipefail

version=1.16.0
cache="${SECRETSSTORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-secretsstore}"
out="$cache/terraform-$version/terraform"

# Capture first: with pipefail, `terraform version | grep -q` can fail when grep exits early.
if [ -x "$out" ] && [[ "$(CHECKPOINT_DISABLE=1 "$out" version 2>/dev/null)" == *"Terraform v$version"* ]]; then
  echo "$out"
  exit 0
fi

echo "building Terraform $version from source into $out (a few minutes, once)" >&2
src=$(GOFLAGS=-mod=mod GOSUMDB=off go mod download -json "github.com/hashicorp/terraform@v$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$src" ] || { echo "go mod download gave no source folder" >&2; exit 1; }

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"

# The module zip lacks the remote-state backends that go.mod replaces with local folders:
# drop them from go.mod and from the backend registry.
backends='azure|consul|cos|gcs|kubernetes|oss|pg|s3|oci'
sed -i -E "/internal\/backend\/remote-state\/($backends)([[:space:]]|$)/d" "$work/go.mod"
init="$work/internal/backend/init/init.go"
aliases='backendAzure|backendConsul|backendCos|backendGCS|backendKubernetes|backendOSS|backendPg|backendS3|backendOCI'
sed -i -E "/^[[:space:]]*($aliases) \"/d; /[^A-Za-z]($aliases)\.New\(/d" "$init"

mkdir -p "$(dirname "$out")"
# Build to a private name and rename: a concurrent run never sees a half-written binary.
(cd "$work" && GOFLAGS=-mod=mod GOSUMDB=off go build \
  -ldflags "-X github.com/hashicorp/terraform/version.dev=no" -o "$out.$$" .)
mv -f "$out.$$" "$out"
"$out" version >&2
echo "$out"
