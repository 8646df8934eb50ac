#!/usr/bin/env bash
# The main job on a fresh machine: build, generate a small trace, and report on it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
mkdir -p out
./build/cli/rwttt gen --count 64 --rate 8 --arrival gamma --cv 2 \
  --prompt lognormal:96:0.6 --output uniform:16:64 --seed 7 -o out/demo.jsonl
./build/cli/rwttt trace stats out/demo.jsonl
