#!/usr/bin/env bash
# The main job on a fresh machine: build, generate a small trace, replay it through the rwttt
# scheduler on the In-Place-TTT 4B shapes (the cost model's report), then replay it again with
# real kernels on the `tiny` model and check its history against the serial reference.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
mkdir -p out
rwttt=./build/cli/rwttt
$rwttt gen --count 64 --rate 20 --arrival gamma --cv 2 \
  --prompt lognormal:96:0.6 --output uniform:16:64 --seed 7 -o out/demo.jsonl
$rwttt trace stats out/demo.jsonl
echo
$rwttt replay out/demo.jsonl --model inplace-ttt-4b --hardware h100-sxm --policy rwttt \
  --timeline out/demo.timeline.json
echo
$rwttt replay out/demo.jsonl --model tiny --policy rwttt --history out/demo.history.jsonl --check
