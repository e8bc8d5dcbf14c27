/**
 * The runtime-sizing scenario (the report's Phase 2 runtime change, in Node terms): parallel local file reads
 * at libuv's default thread pool size and at 2 x cores (at least 4), each measured in a fresh child process
 * started with `UV_THREADPOOL_SIZE`, sizes interleaved round by round. The faster size is recommended, as
 * `--uv-threadpool-size N`, when it clearly beats the default (see {@link margin}).
 *
 * @since 0.1.0
 */
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { BenchFailed } from "../errors.js"
import * as Format from "../render/format.js"
import * as Progress from "../render/progress.js"
import type { Table } from "../render/table.js"
import * as Files from "./files.js"
import { median, summarize, type Summary } from "./stats.js"
import * as ThreadPool from "./threadPool.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The directory whose files are read. */
  readonly root: string
  /** Pool sizes to compare; default libuv's 4 and max(4, 2 x cores). */
  readonly sizes?: ReadonlyArray<number>
  /** Reads started at once per iteration. */
  readonly reads: number
  /** Timed iterations per child process (after one untimed). */
  readonly iterations: number
  /** Child processes per size. */
  readonly rounds: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Row {
  readonly size: number
  /** Milliseconds per iteration of `reads` parallel reads (each child's median, summarised over children). */
  readonly millis: Summary
  readonly readsPerSecond: number
  /** Default size's median time / this size's (above 1 = faster than the default). */
  readonly speedupOverDefault: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly cores: number
  readonly files: number
  readonly reads: number
  readonly rows: ReadonlyArray<Row>
  /** The size recommended for this machine: the fastest when it clearly beats the default, else the default. */
  readonly chosen: number
}

/**
 * The noise margin: a size must beat the default's median by this much, and its slowest run must beat the
 * default's fastest, to be chosen.
 */
export const margin = 0.05

const childScript = `
const fs = require("node:fs")
const files = JSON.parse(process.env.EFFECT_LANES_FILES)
const reads = Number(process.env.EFFECT_LANES_READS)
const iterations = Number(process.env.EFFECT_LANES_ITERATIONS)
const once = () => Promise.all(Array.from({ length: reads }, (_, i) => fs.promises.readFile(files[i % files.length])))
;(async () => {
  await once()
  const times = []
  for (let i = 0; i < iterations; i++) {
    const start = performance.now()
    await once()
    times.push(performance.now() - start)
  }
  process.stdout.write(JSON.stringify(times))
})()
`

const Times = Schema.parseJson(Schema.NonEmptyArray(Schema.Number))

const child = (size: number, files: ReadonlyArray<string>, options: Options) =>
  Command.make(process.execPath, "-e", childScript).pipe(
    Command.env({
      UV_THREADPOOL_SIZE: String(size),
      EFFECT_LANES_FILES: JSON.stringify(files),
      EFFECT_LANES_READS: String(options.reads),
      EFFECT_LANES_ITERATIONS: String(options.iterations)
    }),
    Command.string,
    Effect.flatMap(Schema.decodeUnknown(Times)),
    Effect.map(median),
    Effect.mapError((error) =>
      new BenchFailed({ scenario: "runtime sizing", reason: `child process at size ${size}: ${error.message}` })
    )
  )

/**
 * The sizes compared by default: libuv's default and max(4, 2 x cores), without duplicates.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultSizes = (): ReadonlyArray<number> =>
  Array.from(new Set([ThreadPool.defaultSize, Math.max(4, 2 * ThreadPool.cores())]))

/**
 * Runs the scenario.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const run = (
  options: Options
): Effect.Effect<
  Result,
  BenchFailed,
  Progress.Progress | CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const entries = yield* Files.nonEmpty("runtime sizing", options.root)
    const files = entries.map((entry) => path.join(options.root, entry.path))
    const sizes = Array.from(new Set([ThreadPool.defaultSize, ...(options.sizes ?? defaultSizes())]))
    const samples = sizes.map(() => new Array<number>())
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < sizes.length; k++) {
        const index = (k + round) % sizes.length
        const size = sizes[index] ?? ThreadPool.defaultSize
        yield* Progress.update(
          `runtime sizing: UV_THREADPOOL_SIZE=${size} (round ${round + 1}/${options.rounds})`,
          round * sizes.length + k,
          options.rounds * sizes.length
        )
        samples[index]?.push(yield* child(size, files, options))
      }
    }
    const summaries = samples.map(summarize)
    const base = summaries[0]?.median ?? Number.NaN
    const rows = sizes.map((size, index): Row => {
      const millis = summaries[index] ?? summarize([])
      return {
        size,
        millis,
        readsPerSecond: options.reads / (millis.median / 1000),
        speedupOverDefault: base / millis.median
      }
    })
    const best = rows.reduce((a, b) => b.millis.median < a.millis.median ? b : a)
    const baseline = rows[0]?.millis
    // only a clear win counts: faster by the margin, and every run of it faster than every run of the default
    const clear = baseline !== undefined && best.speedupOverDefault > 1 + margin && best.millis.max < baseline.min
    const chosen = clear ? best.size : ThreadPool.defaultSize
    return { cores: ThreadPool.cores(), files: files.length, reads: options.reads, rows, chosen }
  })

/**
 * The scenario's table.
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = (result: Result): Table => ({
  title: `Runtime sizing: ${result.reads} parallel reads of ${result.files} files per iteration, ` +
    `one child process per size and round (${result.cores} cores)`,
  headers: ["UV_THREADPOOL_SIZE", "ms / iteration", "reads/s", "vs default"],
  rows: result.rows.map((row) => [
    row.size === ThreadPool.defaultSize ? `${row.size} (default)` : String(row.size),
    Format.summary(row.millis),
    Format.number(row.readsPerSecond, 0),
    Format.ratio(row.speedupOverDefault)
  ]),
  notes: [
    result.chosen === ThreadPool.defaultSize ?
      `chosen: ${result.chosen}, the default (no other size beat its median by more than ${margin * 100}% with ` +
      "every run faster): nothing to set." :
      `chosen: ${result.chosen}: run effect-lanes --uv-threadpool-size ${result.chosen} ... ` +
      `(or set UV_THREADPOOL_SIZE=${result.chosen}) to use it.`,
    ...(result.rows.length === 1 ? ["2 x cores (at least 4) equals the default on this machine."] : []),
    ...(ThreadPool.userSet() ? [`this process runs with UV_THREADPOOL_SIZE=${ThreadPool.current()} (set by you)`] : [])
  ]
})
