#!/usr/bin/env node
/*
 * The `effect-lanes` executable.
 *
 * CommonJS on purpose: this file is read synchronously, before libuv's thread pool starts, so
 * `--uv-threadpool-size N` can still set UV_THREADPOOL_SIZE here (an ES module entry is read through the pool,
 * which then already runs with its default of 4 threads). A value is applied when it reads as an integer from 1
 * to 1024, as `Number` reads it: the same test and bounds as the option's Schema (`ThreadPool.range` and
 * `CliOptions.integer` in src/). The program then validates the option with the others (a bad value is a usage
 * error) and checks that the pool in force has the requested size (it has not when the program is started
 * without this file).
 *
 * An installed package runs its compiled `dist/main.js`. In a source checkout (`src/` present, nothing built)
 * it runs the TypeScript sources through tsx, with the repository's tsconfig mapping `effect-lanes` to `src/`.
 */
"use strict"
const { existsSync } = require("node:fs")
const path = require("node:path")
const { pathToFileURL } = require("node:url")

const option = "--uv-threadpool-size"
const args = process.argv.slice(2)
for (let i = 0; i < args.length; i++) {
  const arg = args[i]
  if (arg === "--") break
  const value = arg === option ? args[i + 1] : arg.startsWith(option + "=") ? arg.slice(option.length + 1) : undefined
  // plain decimal digits, 1 to 1024: the bounds and syntax of the option's Schema (src/options.ts)
  const size = value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (size >= 1 && size <= 1024) {
    process.env.UV_THREADPOOL_SIZE = String(size)
  }
}

const packageDir = path.join(__dirname, "..")
const sources = path.join(packageDir, "src", "main.ts")
if (existsSync(sources)) {
  const tsconfig = path.join(packageDir, "tsconfig.json")
  // children (the cluster benchmark's runners) load TypeScript with `--import tsx` and find the same tsconfig
  process.env.TSX_TSCONFIG_PATH = tsconfig
  import("tsx/esm/api")
    .then(({ register }) => {
      register({ tsconfig })
      return import(pathToFileURL(sources).href)
    })
    .catch(fail)
} else {
  import(pathToFileURL(path.join(packageDir, "dist", "main.js")).href).catch(fail)
}

function fail(error) {
  console.error(`effect-lanes: cannot start: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
