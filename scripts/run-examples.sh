#!/usr/bin/env bash
# Runs every example in examples/ and fails on the first that exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
for example in examples/*.ts; do
  echo "--- $example"
  npx tsx "$example"
done
for trace in examples/traces/*; do
  echo "--- replay $trace"
  npx tsx src/cli/main.ts replay "$trace" --runs 1
done
