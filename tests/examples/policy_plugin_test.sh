#!/usr/bin/env bash
# Builds examples/policy-plugin against the installed rwttt package, as a user would out of tree,
# and fuzzes its policy with the installed rwttt.
#   policy_plugin_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/examples/policy-plugin" -B "$work/plugin" \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/plugin" >/dev/null
plugin="$work/plugin/libaligned_policy.so"
test -f "$plugin"

"$work/prefix/bin/rwttt" policies --policy-plugin "$plugin" | grep -q "^aligned"
"$work/prefix/bin/rwttt" fuzz --policy-plugin "$plugin" --policy aligned \
  --policy-opt max_wait=4 --iterations 40 --seed 11 --out "$work/failures"
