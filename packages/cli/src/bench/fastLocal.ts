/**
 * The fast-local scenario: a turn of 12 cheap calls (`ls`, `glob` and `read` of small files, no injected
 * latency), where the upstream's queue made parallel slower than sequential. Reports each mode's time over the
 * sequential time (below 1 = parallel is faster; the upstream measured about 5).
 *
 * @since 0.1.0
 */
import type { Strategy } from "effect-lanes"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Format from "../render/format.js"
import type { Table } from "../render/table.js"
import type * as Files from "./files.js"
import * as Measure from "./measure.js"
import * as Scenario from "./scenario.js"
import type { Summary } from "./stats.js"
import type * as TurnModes from "./turnModes.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly root: string
  /** Recorded runs per mode, after two warm-up runs. */
  readonly runs: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Row {
  readonly mode: TurnModes.ModeId
  readonly label: string
  readonly plan: string
  readonly millis: Summary
  /** This mode's median / sequential median (below 1 = faster than sequential). */
  readonly ratioToSequential: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly runs: number
  readonly calls: ReadonlyArray<{ readonly name: string; readonly args: unknown }>
  readonly rows: ReadonlyArray<Row>
}

/** The number of calls in the turn. */
export const callCount = 12

const globPatterns = ["*", "**/*.ts", "**/*", "**/*.md"]

/**
 * The turn: `ls`, `glob`, `read` in turn, 4 of each, over the directories and the smallest files found.
 *
 * @since 0.1.0
 * @category constructors
 */
export const calls = (entries: ReadonlyArray<Files.Entry>): ReadonlyArray<Strategy.ToolCall> => {
  const directories = Array.from(
    new Set([".", ...entries.map((entry) => entry.path.split("/").slice(0, -1).join("/"))])
  )
    .filter((dir) => dir !== "")
  const small = [...entries].sort((a, b) => a.size - b.size)
  const kinds = callCount / 3
  return Array.from({ length: kinds }, (_, i): ReadonlyArray<Omit<Strategy.ToolCall, "id">> => [
    { name: "ls", args: { path: directories[i % directories.length] ?? "." } },
    { name: "glob", args: { pattern: globPatterns[i % globPatterns.length] ?? "*" } },
    { name: "read", args: { path: small[i % small.length]?.path ?? "" } }
  ]).flat().map((call, i) => ({ ...call, id: `call-${i + 1}` }))
}

/**
 * Runs the scenario.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const run = (
  options: Options
): Scenario.Run<Result> =>
  Effect.scoped(Effect.gen(function*() {
    const scenario = "fast local work"
    const { entries, modes } = yield* Scenario.prepare(scenario, options.root, Duration.zero)
    const turn = calls(entries)
    for (const mode of modes) {
      if (mode.id === "costAware") yield* Scenario.checked(scenario, mode, turn)
    }
    const plans = yield* Effect.forEach(modes, (mode) => mode.plan(turn))
    const measured = yield* Measure.interleaved(
      { label: "fast local work", warmup: 2, rounds: options.runs },
      modes.map((mode) => ({ name: mode.label, run: Scenario.checked(scenario, mode, turn) }))
    )
    const base = measured[0]?.millis.median ?? Number.NaN
    const rows = modes.map((mode, index): Row => {
      const millis = measured[index]?.millis ?? { median: Number.NaN, min: Number.NaN, max: Number.NaN, samples: 0 }
      return {
        mode: mode.id,
        label: mode.label,
        plan: plans[index] ?? "",
        millis,
        ratioToSequential: millis.median / base
      }
    })
    return { runs: options.runs, calls: turn.map(({ args, name }) => ({ name, args })), rows }
  }))

/**
 * The scenario's table.
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = (result: Result): Table => ({
  title: `Fast local work: ${callCount} calls (4 ls, 4 glob, 4 read of small files), no injected latency, ` +
    `median of ${result.runs} interleaved runs (min–max)`,
  headers: ["mode", "plan", "ms", "time / sequential"],
  rows: result.rows.map((
    row
  ) => [row.label, row.plan, Format.summary(row.millis, 2), Format.ratio(row.ratioToSequential)]),
  notes: ["time / sequential below 1.00x: parallel is faster; the upstream measured about 5x (0.5 s vs 0.1 s)."]
})
