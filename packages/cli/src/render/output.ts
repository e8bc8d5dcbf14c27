/**
 * Writing result files (`--json`, `--chart`) and printing tables.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as os from "node:os"
import * as ThreadPool from "../bench/threadPool.js"
import { OutputFailed } from "../errors.js"
import * as Progress from "./progress.js"
import * as Table from "./table.js"

/**
 * Writes a text file, creating its directory.
 *
 * @since 0.1.0
 * @category output
 */
export const writeText = (
  file: string,
  text: string
): Effect.Effect<void, OutputFailed, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    yield* fs.makeDirectory(path.dirname(path.resolve(file)), { recursive: true })
    yield* fs.writeFileString(file, text)
  }).pipe(Effect.mapError((error) => new OutputFailed({ path: file, reason: error.message })))

/**
 * Writes a value as indented JSON (non-finite numbers become `null`).
 *
 * @since 0.1.0
 * @category output
 */
export const writeJson = (
  file: string,
  value: unknown
): Effect.Effect<void, OutputFailed, FileSystem.FileSystem | Path.Path> =>
  writeText(file, `${JSON.stringify(value, null, 2)}\n`)

/**
 * Clears the progress line and prints a table followed by a blank line.
 *
 * @since 0.1.0
 * @category output
 */
export const printTable = (table: Table.Table): Effect.Effect<void, never, Progress.Progress> =>
  Effect.zipRight(Progress.clear, Console.log(`${Table.render(table)}\n`))

/**
 * The machine the figures come from.
 *
 * @since 0.1.0
 * @category models
 */
export interface Machine {
  readonly cores: number
  readonly cpu: string
  readonly memoryBytes: number
  readonly node: string
  readonly platform: string
  readonly arch: string
  readonly uvThreadpoolSize: number
}

/**
 * Describes this machine.
 *
 * @since 0.1.0
 * @category constructors
 */
export const machine: Effect.Effect<Machine> = Effect.sync(() => ({
  cores: ThreadPool.cores(),
  cpu: os.cpus()[0]?.model ?? "unknown",
  memoryBytes: os.totalmem(),
  node: process.version,
  platform: process.platform,
  arch: process.arch,
  uvThreadpoolSize: ThreadPool.current()
}))
