/**
 * The turn speed-up scenario (the seed's benchmark and scalability test): one agent turn of N `read` calls on
 * real files, through the built-in `read` tool with an injected per-call latency, in each mode of
 * `turnModes.ts`, the modes interleaved run by run.
 *
 * @since 0.1.0
 */
import type { Strategy } from "effect-lanes"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Format from "../render/format.js"
import type { Table } from "../render/table.js"
import * as Files from "./files.js"
import * as Measure from "./measure.js"
import * as Scenario from "./scenario.js"
import type { Summary } from "./stats.js"
import * as TurnModes from "./turnModes.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly root: string
  /** The call counts N. */
  readonly sizes: ReadonlyArray<number>
  /** Injected latency per call (0 for none). */
  readonly latency: Duration.Duration
  /** Recorded runs per mode and N, after one warm-up run. */
  readonly runs: number
}

/**
 * One mode's figures at one N.
 *
 * @since 0.1.0
 * @category models
 */
export interface ModeRow {
  readonly mode: TurnModes.ModeId
  readonly label: string
  readonly concurrency: number
  readonly plan: string
  readonly millis: Summary
  /** Sequential median / this mode's median. */
  readonly speedup: number
  /** N / ceil(N / concurrency). */
  readonly ideal: number
  /** speedup / ideal. */
  readonly efficiency: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface SizeRow {
  readonly calls: number
  readonly modes: ReadonlyArray<ModeRow>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly latencyMillis: number
  readonly runs: number
  readonly files: ReadonlyArray<string>
  readonly sizes: ReadonlyArray<SizeRow>
}

/**
 * Turns measured mode summaries into rows with speed-up, ideal and efficiency (the first mode is sequential).
 *
 * @since 0.1.0
 * @category constructors
 */
export const rows = (
  calls: number,
  modes: ReadonlyArray<TurnModes.Mode>,
  plans: ReadonlyArray<string>,
  measured: ReadonlyArray<{ readonly millis: Summary }>
): ReadonlyArray<ModeRow> => {
  const base = measured[0]?.millis.median ?? Number.NaN
  return modes.map((mode, index) => {
    const millis = measured[index]?.millis ?? { median: Number.NaN, min: Number.NaN, max: Number.NaN, samples: 0 }
    const speedup = base / millis.median
    const ideal = TurnModes.ideal(calls, mode.concurrency)
    return {
      mode: mode.id,
      label: mode.label,
      concurrency: mode.concurrency,
      plan: plans[index] ?? "",
      millis,
      speedup,
      ideal,
      efficiency: speedup / ideal
    }
  })
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
    const scenario = "turn speed-up"
    const { entries, modes } = yield* Scenario.prepare(scenario, options.root, options.latency)
    const largest = Math.max(...options.sizes)
    const files = Files.take(entries, largest)
    const callsOf = (n: number): ReadonlyArray<Strategy.ToolCall> =>
      files.slice(0, n).map((path, i) => ({ id: `call-${i + 1}`, name: "read", args: { path } }))
    // warm the cost-aware mode's latency model with a first run
    for (const mode of modes) {
      if (mode.id === "costAware") yield* Scenario.checked(scenario, mode, callsOf(largest))
    }
    const sizes: Array<SizeRow> = []
    for (const n of options.sizes) {
      const calls = callsOf(n)
      const plans = yield* Effect.forEach(modes, (mode) => mode.plan(calls))
      const measured = yield* Measure.interleaved(
        { label: `turn speed-up, N=${n}`, warmup: 1, rounds: options.runs },
        modes.map((mode) => ({ name: mode.label, run: Scenario.checked(scenario, mode, calls) }))
      )
      sizes.push({ calls: n, modes: rows(n, modes, plans, measured) })
    }
    return { latencyMillis: Duration.toMillis(options.latency), runs: options.runs, files, sizes }
  }))

/**
 * The scenario's table.
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = (result: Result): Table => ({
  title: `Turn speed-up: N read calls, ${Format.number(result.latencyMillis, 0)} ms injected latency per call, ` +
    `median of ${result.runs} interleaved runs (min–max)`,
  headers: ["N", "mode", "plan", "ms", "speed-up", "ideal", "efficiency"],
  rows: result.sizes.flatMap((size) =>
    size.modes.map((row, index) => [
      index === 0 ? String(size.calls) : "",
      row.label,
      row.plan,
      Format.summary(row.millis, 1),
      Format.ratio(row.speedup),
      Format.ratio(row.ideal),
      `${Format.number(row.efficiency * 100, 0)}%`
    ])
  ),
  notes: [
    "speed-up = sequential median / mode median; ideal = N / ceil(N / concurrency); efficiency = speed-up / ideal.",
    "Both Strategy modes plan each call by its traits and the costs their session learnt (the second with a",
    "LatencyModel of its own, warmed by a first run); `-s plan` compares the planner with the best plan."
  ]
})
