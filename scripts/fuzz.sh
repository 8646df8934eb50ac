#!/usr/bin/env bash
# Builds rwttt's libFuzzer targets with clang into ./build-fuzz (readers_fuzz/CMakeLists.txt), generates
# their seed corpora with the rwttt CLI, and runs each target for a fixed number of executions.
#
#   scripts/fuzz.sh                        # every target, -runs=20000 each
#   scripts/fuzz.sh --runs 0 --time 600 history_fuzzer   # one target for ten minutes
#   scripts/fuzz.sh --build-only
#
# Options: --runs N (executions per target; 0 for no limit), --time S (-max_total_time per target),
# --rwttt PATH (the CLI that writes the seeds; default build/cli/rwttt, built when missing),
# --build-dir DIR (default build-fuzz). Extra arguments after `--` go to every target.
# Corpora grow in DIR/corpus/TARGET; a crashing input is saved as DIR/crashes/TARGET-crash-<sha1>
# and the script exits non-zero. Exit 3 when no clang with libFuzzer is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

runs=20000
time_limit=0
build_only=0
rwttt=""
build_dir=build-fuzz
targets=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --time) time_limit=$2; shift 2 ;;
    --rwttt) rwttt=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all_targets=(native_trace_fuzzer azure_trace_fuzzer burstgpt_trace_fuzzer mooncake_trace_fuzzer
  history_fuzzer history_zst_fuzzer model_profile_fuzzer hardware_profile_fuzzer spec_fuzzer)
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

clangxx=""
for c in clang++ clang++-14; do
  if command -v "$c" >/dev/null; then clangxx=$(command -v "$c"); break; fi
done
if [ -z "$clangxx" ]; then
  echo "readers_fuzz: no clang++ found (Debian: clang-14 libclang-rt-14-dev); nothing built" >&2
  exit 3
fi
clangc=${clangxx/clang++/clang}

# Build.
CXX=$clangxx CC=$clangc cmake -S readers_fuzz -B "$build_dir" -G Ninja >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
[ "$build_only" -eq 0 ] || exit 0
build_dir=$(cd "$build_dir" && pwd)

# Seeds: small valid files written by rwttt itself (and, for the imported formats it does not
# write, a few rows in each format as docs/traces.md gives them), regenerated on every run.
if [ -z "$rwttt" ]; then
  rwttt=$root/build/cli/rwttt
  if [ ! -x "$rwttt" ]; then
    ./scripts/build.sh >/dev/null
  fi
fi
seeds=$build_dir/seeds
rm -rf "$seeds"
for t in "${all_targets[@]}"; do mkdir -p "$seeds/$t" "$build_dir/corpus/$t"; done
mkdir -p "$build_dir/crashes"
"$rwttt" gen --count 4 --seed 1 -o "$seeds/native_trace_fuzzer/fixed.jsonl"
"$rwttt" gen --count 6 --seed 2 --arrival gamma --cv 3 --prompt uniform:1:300 \
  --output lognormal:40:1 -o "$seeds/native_trace_fuzzer/mixed.jsonl"
printf 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:50.9951690,396,109\n' \
  > "$seeds/azure_trace_fuzzer/azure.csv"
printf 'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n5,ChatGPT,472,18,490,Conversation log\n45,GPT-4,1087,0,1087,API log\n' \
  > "$seeds/burstgpt_trace_fuzzer/burstgpt.csv"
printf '{"timestamp": 0, "input_length": 6955, "output_length": 52, "hash_ids": [46, 47]}\n{"timestamp": 3052, "input_length": 1000, "output_length": 7}\n' \
  > "$seeds/mooncake_trace_fuzzer/mooncake.jsonl"
(
  cd "$build_dir"
  "$rwttt" gen --count 3 --seed 3 --prompt fixed:16 --output fixed:4 -o seed-trace.jsonl
  for policy in rwttt naive; do
    "$rwttt" replay seed-trace.jsonl --policy "$policy" --model tiny --hardware cpu-host \
      --history "$seeds/history_fuzzer/$policy.jsonl" >/dev/null
    "$rwttt" replay seed-trace.jsonl --policy "$policy" --model tiny --hardware cpu-host \
      --history "$seeds/history_zst_fuzzer/$policy.jsonl.zst" >/dev/null
  done
  rm -f seed-trace.jsonl
)
for m in tiny small; do "$rwttt" profiles --show "$m" > "$seeds/model_profile_fuzzer/$m.json"; done
for h in h100-sxm cpu-host; do
  "$rwttt" profiles --show "$h" > "$seeds/hardware_profile_fuzzer/$h.json"
done
i=0
for spec in fixed:128 uniform:1:300 lognormal:40:1 lost-update@0.2 stale-read torn-state@1 3/8 1/1; do
  printf '%s' "$spec" > "$seeds/spec_fuzzer/$i"; i=$((i + 1))
done

# Run. Each target in its own temporary directory (readers_fuzz/fuzz_support.h), inputs up to 4 KiB, a
# hang after 10 s and 2 GiB of memory are failures.
failed=()
for t in "${targets[@]}"; do
  args=(-runs="$runs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$build_dir/crashes/$t-")
  [ "$runs" -ne 0 ] || args=(-max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$build_dir/crashes/$t-")
  [ "$time_limit" -eq 0 ] || args+=(-max_total_time="$time_limit")
  start=$SECONDS
  if "$build_dir/$t" "${args[@]}" "${extra[@]}" "$build_dir/corpus/$t" "$seeds/$t" \
      > "$build_dir/$t.log" 2>&1; then
    echo "readers_fuzz: $t ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' \
      "$build_dir/$t.log" | grep -o '[0-9]*$') runs, $((SECONDS - start)) s)"
  else
    echo "readers_fuzz: $t FAILED; see $build_dir/$t.log and $build_dir/crashes/" >&2
    tail -n 40 "$build_dir/$t.log" >&2
    failed+=("$t")
  fi
done
[ ${#failed[@]} -eq 0 ] || { echo "readers_fuzz: failed: ${failed[*]}" >&2; exit 1; }
