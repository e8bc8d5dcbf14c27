#!/usr/bin/env bash
# Runs every example in examples/ and fails on the first that exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
for example in examples/*.ts; do
  echo "--- $example"
  npx tsx "$example"
done
# every trace file, not the subagent files a Claude Code session reads itself
for trace in $(find examples/traces -type f \( -name "*.json" -o -name "*.jsonl" \) -not -path "*/subagents/*" | sort); do
  echo "--- replay $trace"
  npx effect-lanes replay "$trace" --runs 1
done
