#!/usr/bin/env bash
# Checks what GoReleaser built (make release-check) against what the registries read:
#   - the provider's SHA256SUMS lists exactly its zips and the manifest, every hash right;
#   - the mock's checksums file lists exactly its archives, every hash right;
#   - no mock file is named like a provider package (_OS_ARCH.zip) or a provider checksums file
#     (…SHA256SUMS, …SHA256SUMS.sig): both registries pick assets by those suffixes;
#   - the mock ships for every platform the provider does;
#   - a checksums file that was signed still matches its signature.
# Usage: release-assets.sh PROVIDER_DIST MOCK_DIST
set -euo pipefail

provider_dist=$1 mock_dist=$2
fail() { echo "release-assets: $*" >&2; exit 1; }

sums=$(cd "$provider_dist" && ls -- *_SHA256SUMS 2>/dev/null) || fail "no *_SHA256SUMS in $provider_dist"
[ "$(wc -w <<<"$sums")" = 1 ] || fail "more than one SHA256SUMS in $provider_dist: $sums"
version=${sums#terraform-provider-secretsstore_}
version=${version%_SHA256SUMS}
mock_sums="secretsstore-mock_${version}_checksums.txt"
[ -f "$mock_dist/$mock_sums" ] || fail "no $mock_sums in $mock_dist (built from another commit?)"

# platforms FILE PREFIX SUFFIX: the OS_ARCH of every line of a checksums file, which must all
# name PREFIX_VERSION_OS_ARCH.SUFFIX (the provider's manifest line aside).
platforms() {
  local line name
  while read -r line; do
    [[ $line =~ ^[0-9a-f]{64}\ \ (.+)$ ]] || fail "$1: not a checksum line: $line"
    name=${BASH_REMATCH[1]}
    [ "$name" = "terraform-provider-secretsstore_${version}_manifest.json" ] && continue
    [[ $name =~ ^$2_${version//./\\.}_([a-z0-9]+_[a-z0-9]+)\.$3$ ]] || fail "$1 lists $name, which is not a $2 package"
    echo "${BASH_REMATCH[1]}"
  done <"$1" | sort
}

provider_platforms=$(platforms "$provider_dist/$sums" terraform-provider-secretsstore zip)
mock_platforms=$(platforms "$mock_dist/$mock_sums" secretsstore-mock 'tar\.gz')
grep -q "  terraform-provider-secretsstore_${version}_manifest.json$" "$provider_dist/$sums" ||
  fail "$sums does not list the manifest"
[ -n "$provider_platforms" ] || fail "$sums lists no provider package"
[ "$provider_platforms" = "$mock_platforms" ] ||
  fail "the mock's platforms differ from the provider's: $(diff <(echo "$provider_platforms") <(echo "$mock_platforms") | tr '\n' ' ')"

for f in "$mock_dist"/secretsstore-mock_*; do
  case $f in
    *.zip | *SHA256SUMS | *SHA256SUMS.sig) fail "$f would be read as a provider file by a registry" ;;
  esac
done

# The manifest is uploaded from the repository's terraform-registry-manifest.json under its
# release name; every other file listed is in the dist folder.
manifest="terraform-provider-secretsstore_${version}_manifest.json"
repo_manifest="$(dirname "$0")/../terraform-registry-manifest.json"
[ "$(grep "  $manifest\$" "$provider_dist/$sums" | cut -d' ' -f1)" = "$(sha256sum <"$repo_manifest" | cut -d' ' -f1)" ] ||
  fail "$sums has a wrong hash for $manifest"
grep -v "  $manifest\$" "$provider_dist/$sums" | (cd "$provider_dist" && sha256sum --quiet -c -) ||
  fail "a hash in $sums is wrong"
(cd "$mock_dist" && sha256sum --quiet -c "$mock_sums") || fail "a hash in $mock_sums is wrong"

for s in "$provider_dist/$sums" "$mock_dist/$mock_sums"; do
  if [ -f "$s.sig" ]; then
    gpg --batch --verify "$s.sig" "$s" 2>/dev/null || fail "$s does not match its signature $s.sig"
    echo "release-assets: $(basename "$s") matches its signature"
  fi
done

echo "release-assets: $version: provider and mock for $(wc -l <<<"$provider_platforms") platforms; $sums lists only the provider's files"
