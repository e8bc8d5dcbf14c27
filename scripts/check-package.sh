#!/usr/bin/env bash
# The packed-tarball check: build and pack the library and the CLI, install the library's tarball into a fresh
# project with only its required peers, import every core entry point and run a small session; then add the
# optional peers and import every optional entry point; then install the CLI's tarball and run its --help.
# Prints the installed size (node_modules) at each step. Needs the registry (npm install of the peers).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d)
# a developer's own builds are set aside and put back, whatever the outcome
mkdir "$work/kept"
for built in dist packages/cli/dist; do
  if [ -e "$built" ]; then mkdir -p "$work/kept/$(dirname "$built")" && mv "$built" "$work/kept/$built"; fi
done
restore() {
  rm -rf "$repo/dist" "$repo/packages/cli/dist"
  for built in dist packages/cli/dist; do
    if [ -e "$work/kept/$built" ]; then mv "$work/kept/$built" "$repo/$built"; fi
  done
  rm -rf "$work"
}
trap restore EXIT

version() { node -p "require('$repo/package.json').devDependencies['$1']"; }
size() { echo "installed: $(du -sb "$1/node_modules" | cut -f1) bytes ($(du -sh "$1/node_modules" | cut -f1) on disk), $(cd "$1" && npm ls --all --parseable 2>/dev/null | tail -n +2 | wc -l) packages"; }

npm run build >/dev/null
npm run build -w @effect-lanes/cli >/dev/null
npm pack --silent --pack-destination "$work" >/dev/null
npm pack --silent --pack-destination "$work" -w @effect-lanes/cli >/dev/null
library=$(ls "$work"/effect-lanes-[0-9]*.tgz)
cli=$(ls "$work"/effect-lanes-cli-*.tgz)
echo "packed: $(basename "$library") $(du -b "$library" | cut -f1) bytes, $(tar -tzf "$library" | wc -l) files; $(basename "$cli") $(du -b "$cli" | cut -f1) bytes"
if tar -tzf "$library" | grep -E '(^package/src/cli/|\.test\.ts$|^package/test/|^package/packages/)'; then
  echo "the library's tarball holds files that are not the library's" >&2
  exit 1
fi

app="$work/app"
mkdir "$app"
cp scripts/package-check/*.mjs "$app/"
cd "$app"
npm init -y >/dev/null
npm pkg set type=module >/dev/null
npm install --no-audit --no-fund --loglevel=error "$library" "effect@$(version effect)" "@effect/platform@$(version @effect/platform)"
copies=$(npm ls effect --all --parseable 2>/dev/null | sort -u | wc -l)
if [ "$copies" != 1 ]; then
  echo "effect is installed $copies times:" >&2
  npm ls effect --all >&2
  exit 1
fi
size "$app"
node core.mjs
# the packed declarations, as a strict NodeNext project sees them (the repository's TypeScript, no skipLibCheck)
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022", "strict": true,
  "exactOptionalPropertyTypes": true, "noEmit": true, "skipLibCheck": false, "types": [] }, "files": ["types.ts"] }
JSON
cat > types.ts <<'TS'
import { Effect, Layer } from "effect"
import { LaneQueue, LanesConfig, Strategy } from "effect-lanes"
import * as Queue from "effect-lanes/LaneQueue"
export const program: Effect.Effect<number, unknown, LaneQueue.LaneQueue> = Effect.flatMap(
  Queue.LaneQueue,
  (queue) => queue.submit("query", Effect.succeed(Strategy.defaults.minToolCount))
)
export const layer: Layer.Layer<LaneQueue.LaneQueue> = LaneQueue.layer("types").pipe(
  Layer.provide(LanesConfig.layerWith({ query: { concurrency: 2 } }))
)
TS
"$repo/node_modules/.bin/tsc" -p tsconfig.json
echo "types: the packed declarations type-check (NodeNext, strict, no skipLibCheck)"

optional=()
for peer in $(node -p "Object.keys(require('$repo/package.json').peerDependenciesMeta).join(' ')"); do
  optional+=("$peer@$(version "$peer")")
done
npm install --no-audit --no-fund --loglevel=error "${optional[@]}"
size "$app"
node optional.mjs

npm install --no-audit --no-fund --loglevel=error "$cli"
size "$app"
npx --no-install effect-lanes --help >/dev/null
if ! npx --no-install effect-lanes bench -s ids --ids 1000 --rounds 1 >"$work/cli.log" 2>&1; then
  cat "$work/cli.log" >&2
  exit 1
fi
echo "cli: the packed effect-lanes --help and bench -s ids ran"
