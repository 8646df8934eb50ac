#!/usr/bin/env bash
# Builds rwttt with warnings as errors and runs every test; prints ctest's summary.
# Pass ctest arguments to narrow the run, e.g. scripts/test.sh -L unit
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh -DRWTTT_WERROR=ON
cd build
ctest --output-on-failure --parallel "$(nproc)" "$@"
