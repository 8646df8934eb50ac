#!/usr/bin/env bash
# Installs the Debian 12 packages rwttt builds with, skipping the network when all are present.
# Every dependency is a Debian package; nothing is downloaded at build time.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config git zstd
  libfmt-dev libsimdjson-dev libcli11-dev libxxhash-dev librandom123-dev libzstd-dev
  libboost-graph-dev libthrust-dev
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev  # the libFuzzer targets (scripts/fuzz.sh, ctest -L slow)
  python3-venv python3-wheel python3-pytest python3-numpy  # python/ and its tests (ctest -L python)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "rwttt: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}"
