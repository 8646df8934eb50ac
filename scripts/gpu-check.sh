#!/usr/bin/env bash
# The device check, for a machine with an NVIDIA GPU (docs/performance.md#gpu): builds the CUDA
# backend for sm_90 (static cudart) unless a build is given, runs the `gpu` tests, calibrates the
# cuda backend (its kernels against the fitted bandwidth and peak), replays on cuda with --check,
# and compares a measured replay with the calibrated model's, writing every figure, with the GPU's
# name, to one file. Sized for 5 minutes of GPU time.
#
#   scripts/gpu-check.sh [--build-dir DIR] [--out FILE]     # default: build-gpu, gpu-check.txt
#
# Exit 0 when every step ran; the first failing step's status otherwise (its output is in FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-gpu
out=gpu-check.txt
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "gpu-check.sh: unknown argument '$1' (known: --build-dir DIR, --out FILE)" >&2; exit 2 ;;
  esac
done
rwttt="$build/cli/rwttt"

step() {  # step NAME TIMEOUT_S COMMAND...: runs it, its output and time into $out
  local name="$1" limit="$2"; shift 2
  echo "== $name: $*" | tee -a "$out"
  local start=$SECONDS status=0
  timeout "$limit" "$@" >>"$out" 2>&1 || status=$?
  echo "== $name: exit $status in $((SECONDS - start)) s" | tee -a "$out"
  return "$status"
}

: >"$out"
if ! command -v nvidia-smi >/dev/null; then
  echo "gpu-check.sh: no nvidia-smi: this machine has no NVIDIA GPU to check" | tee -a "$out" >&2
  exit 2
fi
step "device" 30 nvidia-smi --query-gpu=name,memory.total,clocks.max.memory,driver_version \
  --format=csv
if [ ! -x "$rwttt" ]; then
  nvcc_args=()
  if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
    nvcc_args+=(-DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc)
  fi
  step "configure" 300 cmake -S . -B "$build" -G Ninja -DRWTTT_CUDA=ON \
    -DCMAKE_CUDA_ARCHITECTURES=90 -DRWTTT_FUZZERS=OFF "${nvcc_args[@]}"
  step "build" 1800 cmake --build "$build" --parallel "$(nproc)"
fi
step "backends" 60 "$rwttt" backends --check cuda
step "gpu tests" 300 ctest --test-dir "$build" -L gpu --output-on-failure
step "calibrate cuda" 300 "$rwttt" calibrate --backend cuda --model medium --repeats 5 \
  -o "$build/calibrated-cuda.json"
trace="$build/gpu-check-demo.jsonl"
step "demo trace" 60 "$rwttt" gen --count 200 --rate 50 --seed 1 -o "$trace"
for model in tiny small lact-1b-muon; do
  step "replay $model --check on cuda" 300 "$rwttt" replay "$trace" --model "$model" \
    --backend cuda --check
done
# The same replay timed by the kernels and by the calibrated profile: how far the model is.
step "replay small, measured on cuda" 300 "$rwttt" replay "$trace" --model small --backend cuda \
  --timing measured
step "replay small, modelled with the calibration" 60 "$rwttt" replay "$trace" --model small \
  --hardware "$build/calibrated-cuda.json"
echo "gpu-check.sh: every step ran; figures in $out"
