#!/usr/bin/env bash
# Runs every example in examples/ and fails on the first that exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
for example in examples/*.ts; do
  echo "--- $example"
  npx tsx "$example"
done
