#!/usr/bin/env bash
# make demo: build the provider, start the bundled mock on a free port, and run plan, apply,
# show and destroy on this folder against it. No prompts, no network; nothing left running.
# TERRAFORM picks the CLI: a name on PATH or a path (terraform by default; OpenTofu's tofu works too).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tf=${TERRAFORM:-terraform}
command -v "$tf" >/dev/null || {
  echo "$tf not found: make demo needs Terraform 1.11+ on PATH, or TERRAFORM naming a terraform or tofu" >&2
  exit 1
}
work=$(mktemp -d)
mock_pid=""

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

cleanup() {
  status=$?
  if [ -n "$mock_pid" ] && kill -0 "$mock_pid" 2>/dev/null; then
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  if [ "$status" -eq 0 ]; then step "demo finished: everything it made was destroyed and the mock stopped"
  else echo "demo FAILED (exit $status)" >&2; fi
  exit "$status"
}
trap cleanup EXIT INT TERM

step "building the provider and the mock server"
(cd "$root" && go build -o "$work/bin/terraform-provider-secretsstore" . && go build -o "$work/bin/mockserver" ./internal/cmd/mockserver)

step "starting the mock Secrets Store API"
token="demo-$RANDOM$RANDOM"
"$work/bin/mockserver" -addr 127.0.0.1:0 -token "$token" -activation-delay 300ms >"$work/mock.out" 2>"$work/mock.log" &
mock_pid=$!
for _ in $(seq 1 100); do
  grep -q '^mockserver listening on ' "$work/mock.out" 2>/dev/null && break
  kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.log" >&2; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/^mockserver listening on //p' "$work/mock.out")
[ -n "$url" ] || { echo "the mock did not start" >&2; exit 1; }
echo "mock listening on $url"

# dev_overrides points the CLI at the freshly built provider: no init, no registry. The short
# address resolves against the CLI's default registry (registry.terraform.io for Terraform,
# registry.opentofu.org for OpenTofu), exactly as main.tf's source does, so one key serves both.
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "secretsstore/secretsstore" = "$work/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export CLOUDFLARE_API_TOKEN="$token" CLOUDFLARE_ACCOUNT_ID=023e105f4ecef8ad9ca31a8372d0c353 CLOUDFLARE_BASE_URL="$url"
# Demo values, fed to write-only attributes through ephemeral variables.
export TF_VAR_stripe_key="sk_demo_$RANDOM$RANDOM" TF_VAR_openai_key="sk-demo-$RANDOM$RANDOM"

cfg="$work/config"
mkdir -p "$cfg"
cp "$here/main.tf" "$cfg/"
# Which CLI: `version` starts "Terraform v1.16.0" or "OpenTofu v1.12.6" (`version -json` says
# terraform_version for both). Captured first, then matched: no early-exiting reader under pipefail.
about=$("$tf" version)
cli=$(printf '%s\n' "$about" | sed -n '1s/^\([A-Za-z]*\) v[0-9].*/\1/p')
version=$(printf '%s\n' "$about" | sed -n '1s/^[A-Za-z]* v\([0-9.]*\).*/\1/p')
if [ -z "$cli" ] || [ -z "$version" ]; then
  echo "cannot tell which CLI $tf is from its version output:" >&2
  printf '%s\n' "$about" >&2
  exit 1
fi
case "$cli" in
  OpenTofu) cmd=tofu ;;
  *) cmd=terraform ;;
esac
echo "using $cli $version"
# Actions came with Terraform 1.14, and an action block is a parse error where they are unknown.
# OpenTofu has none (1.12): the demo skips the duplicate there.
if [ "$cli" = Terraform ] && printf '%s\n' "1.14.0" "$version" | sort -V -C; then
  cp "$here/duplicate.tf.14" "$cfg/duplicate.tf"
  echo "$cli $version runs actions: the demo also duplicates a secret"
else
  echo "$cli $version has no actions: the demo skips duplicating a secret"
fi
cd "$cfg"

step "$cmd plan"
"$tf" plan -input=false -no-color -compact-warnings

step "$cmd apply"
"$tf" apply -input=false -auto-approve -no-color -compact-warnings

step "what the apply made"
"$tf" output -no-color
echo
echo "The values are in no state file: grep finds neither of them."
if grep -q -e "$TF_VAR_stripe_key" -e "$TF_VAR_openai_key" terraform.tfstate; then
  echo "a secret value reached the state file" >&2
  exit 1
fi
if command -v curl >/dev/null; then
  echo "Requests the mock served:"
  curl -fsS "$url/__mock/stats"; echo
fi

step "$cmd destroy"
"$tf" destroy -input=false -auto-approve -no-color -compact-warnings
