#!/usr/bin/env bash
# Builds OpenTofu 1.12.6 from its Go module (no binary download is reachable here) into the same
# cache as Terraform 1.16.0, outside the work tree, and prints the binary's path on stdout
# (progress goes to stderr). Reuses the cached binary when it reports the right version.
# Recipe: ../shared/toolchain.md.
set -euo pipefail

version=1.12.6
cache="${SECRETSSTORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-secretsstore}"
out="$cache/opentofu-$version/tofu"

# Capture first: with pipefail, `tofu version | grep -q` can fail when grep exits early. When the
# CLI config file TF_CLI_CONFIG_FILE names is missing, tofu prints a warning on stdout before the
# version line: the match looks for the line anywhere in the output.
if [ -x "$out" ] && [[ "$(CHECKPOINT_DISABLE=1 "$out" version 2>/dev/null)" == *"OpenTofu v$version"* ]]; then
  echo "$out"
  exit 0
fi

echo "building OpenTofu $version from source into $out (a few minutes, once)" >&2
src=$(GOFLAGS=-mod=mod GOSUMDB=off go mod download -json "github.com/opentofu/opentofu@v$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$src" ] || { echo "go mod download gave no source folder" >&2; exit 1; }

work=$(mktemp -d)
# A failed or interrupted build leaves neither the copy nor a half-written binary behind.
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work" "$out.$$"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"

mkdir -p "$(dirname "$out")"
# Build to a private name and rename: a concurrent run never sees a half-written binary.
# go.mod's one replace points at another module, which the build fetches (hence -mod=mod).
(cd "$work" && GOFLAGS=-mod=mod go build \
  -ldflags "-X github.com/opentofu/opentofu/version.dev=no" -o "$out.$$" ./cmd/tofu)
built=$(CHECKPOINT_DISABLE=1 "$out.$$" version 2>/dev/null) || true
if [[ "$built" != *"OpenTofu v$version"* ]]; then
  echo "the built binary does not report OpenTofu v$version: ${built:-no output}" >&2
  exit 1
fi
mv -f "$out.$$" "$out"
echo "$built" >&2
echo "$out"
