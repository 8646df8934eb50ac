#!/usr/bin/env bash
# Configures and builds rwttt into ./build (Release). Extra arguments go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cuda_args=()
# nvcc lives outside PATH in the CUDA toolkit's default prefix; point CMake at it when present.
if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
  cuda_args+=(-DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc)
fi
cmake -S . -B build -G Ninja "${cuda_args[@]}" "$@" >/dev/null
cmake --build build --parallel "$(nproc)"
