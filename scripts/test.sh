#!/usr/bin/env bash
# Builds rwttt with warnings as errors and runs every test; prints ctest's summary. Then the
# sanitizer lane: a second tree, build-asan, with AddressSanitizer and UndefinedBehaviorSanitizer
# (no CUDA, no benchmarks), runs the unit and property tests and prints its own summary.
# Pass ctest arguments to narrow the first run, e.g. scripts/test.sh -L unit.
# RWTTT_SANITIZER_LANE=0 skips the sanitizer lane (CI keeps it on).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh -DRWTTT_WERROR=ON
status=0
(cd build && ctest --output-on-failure --parallel "$(nproc)" "$@") || status=$?
echo "rwttt: main build and tests took ${SECONDS} s"

if [ "${RWTTT_SANITIZER_LANE:-1}" != 0 ]; then
  echo "rwttt: sanitizer lane (build-asan: address,undefined; ctest -L 'unit|property')"
  # -O1 and one copy of each hot loop (RWTTT_NO_HOST_CLONES) instead of three: the sanitizers
  # check the same source, and the lane compiles in a third of the time (omp_backend.cc: 151 s at
  # -O3 with clones, 27 s).
  cmake -S . -B build-asan -G Ninja -DRWTTT_SANITIZE=address,undefined -DRWTTT_CUDA=OFF \
    -DRWTTT_BUILD_BENCH=OFF -DRWTTT_WERROR=ON -DCMAKE_CXX_FLAGS=-DRWTTT_NO_HOST_CLONES \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" >/dev/null
  cmake --build build-asan --parallel "$(nproc)"
  # The two CLI sweeps start the rwttt binary hundreds of times, which under the sanitizers costs
  # minutes and adds no coverage the other tests lack: they run in the main lane only.
  (cd build-asan &&
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      ctest --output-on-failure --parallel "$(nproc)" -L 'unit|property' \
        -E '^(NumericFlags|GoldenOutputs)\.') || status=$?
  echo "rwttt: sanitizer lane done at ${SECONDS} s"
fi
exit "$status"
