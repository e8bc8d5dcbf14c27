/**
 * The planner's regret scenario (`bench -s plan`): a grid of agent turns, each run sequentially (no queue),
 * at the best hand-written parallel width (no queue; waves split at writes, as a careful user would write
 * them), and through `Strategy.runTurn` on a fresh session after one warm-up turn, with the default settings.
 * Regret = Strategy time / min(sequential, best parallel): 1.00 means the planner found the best plan at no
 * cost; above 1 is what the planner and the queue cost.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Strategy } from "effect-lanes"
import { Tools } from "effect-lanes/tools"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { BenchFailed } from "../errors.js"
import * as Format from "../render/format.js"
import type { Table } from "../render/table.js"
import * as Files from "./files.js"
import * as Measure from "./measure.js"
import * as Queues from "./queues.js"
import * as Scenario from "./scenario.js"
import { median, type Summary } from "./stats.js"
import * as TurnModes from "./turnModes.js"

/**
 * The grid's axes.
 *
 * @since 0.1.0
 * @category constants
 */
export const grid = {
  sizes: [1, 2, 3, 4, 6, 8, 12],
  latencies: ["0", "1 ms", "20 ms", "mix"],
  mixes: ["reads", "search", "write"]
} as const

/**
 * Per-call latency: none (real local work only), 1 ms, 20 ms injected before every call, or `mix`: one call
 * of 200 ms (the middle one) among calls with no injected latency.
 *
 * @since 0.1.0
 * @category models
 */
export type Latency = typeof grid.latencies[number]

/**
 * The calls of a turn: `reads` of small files; `search`, reads, globs and greps over the tree in turn; `write`,
 * reads with one `write` in the middle.
 *
 * @since 0.1.0
 * @category models
 */
export type Mix = typeof grid.mixes[number]

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly root: string
  /** Recorded runs per contender at the fast points (0 and 1 ms); slower points take fewer (at least 1). */
  readonly runs: number
  /** A part of the grid (tests); default the whole of {@link grid}. */
  readonly sizes?: ReadonlyArray<number>
  readonly latencies?: ReadonlyArray<Latency>
  readonly mixes?: ReadonlyArray<Mix>
}

/**
 * One point of the grid.
 *
 * @since 0.1.0
 * @category models
 */
export interface Point {
  readonly calls: number
  readonly latency: Latency
  readonly mix: Mix
  readonly sequential: Summary
  /** The fastest parallel width (median), or `undefined` for one call. */
  readonly bestParallel: { readonly width: number; readonly millis: Summary } | undefined
  readonly strategy: Summary
  /** The Strategy's stages, e.g. `Parallel 4 ×4`. */
  readonly plan: string
  /** Strategy median / min(sequential median, best parallel median). */
  readonly regret: number
  /** Sequential median / Strategy median. */
  readonly speedup: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly points: ReadonlyArray<Point>
  readonly worstRegret: number
  readonly medianRegret: number
  /** Strategy efficiency (speed-up / ideal at the query lane's concurrency) for 20 ms reads, by N. */
  readonly efficiency20ms: ReadonlyArray<{ readonly calls: number; readonly efficiency: number }>
  /** The largest Strategy / sequential ratio among turns of purely local work (latency 0). */
  readonly worstLocalSlowdown: number
}

/** The files copied into the scratch tree: what the globs and greps of `search` walk. */
const maxFiles = 200

/** The query lane's default concurrency: no plan through the lanes runs wider, so no baseline does either. */
const laneWidth = 8

/**
 * The parallel widths tried at a point: 2, 4, 8 and N, up to the lane's 8. With one 200 ms call among fast
 * ones (`mix`) the widest is the best plan, so only it is timed there.
 */
const widthsFor = (n: number, latency: Latency): Array<number> =>
  latency === "mix"
    ? (n >= 2 ? [Math.min(n, laneWidth)] : [])
    : Array.from(new Set([2, 4, laneWidth, n])).filter((w) => w >= 2 && w <= Math.min(n, laneWidth)).sort((a, b) =>
      a - b
    )

const isSlow = (latency: Latency): boolean => latency === "mix" || latency === "20 ms"

/** Runs per contender: fewer where a run is long (20 ms, `mix`, and the tree-wide greps of `search`). */
const runsFor = (latency: Latency, mix: Mix, runs: number): number =>
  latency === "mix" ? 1 : latency === "20 ms" || mix === "search" ? Math.max(1, Math.floor(runs / 2)) : runs

/** The calls of a turn of `n` calls. */
const callsOf = (mix: Mix, n: number, files: ReadonlyArray<string>): Array<Strategy.ToolCall> =>
  Array.from({ length: n }, (_, i): Strategy.ToolCall => {
    const id = `call-${i + 1}`
    const path = files[i % Math.max(1, files.length)] ?? "."
    if (mix === "write" && n > 1 && i === Math.floor(n / 2)) {
      return { id, name: "write", args: { path: `bench-out/${i}.txt`, content: `turn output ${i}\n` } }
    }
    if (mix === "search") {
      if (i % 3 === 1) return { id, name: "glob", args: { pattern: "**/*.ts" } }
      if (i % 3 === 2) return { id, name: "grep", args: { pattern: "Effect\\.fn\\(", glob: "*.ts" } }
    }
    return { id, name: "read", args: { path } }
  })

/** Runs a call with the point's injected latency. */
const executor = (tools: Tools.Service, latency: Latency, n: number) => {
  const slow = Math.floor(n / 2)
  const delay = (index: number): Duration.Duration =>
    latency === "1 ms"
      ? Duration.millis(1)
      : latency === "20 ms"
      ? Duration.millis(20)
      : latency === "mix" && index === slow
      ? Duration.millis(200)
      : Duration.zero
  return (call: Strategy.ToolCall): Effect.Effect<unknown, unknown> => {
    const index = Number(call.id.slice("call-".length)) - 1
    const wait = delay(index)
    return Duration.toMillis(wait) > 0 ? Effect.zipRight(Effect.sleep(wait), tools.run(call)) : tools.run(call)
  }
}

/** The hand-written parallel turn: waves split at every call that is not read-only, each wave at `width`. */
const handParallel = (
  calls: ReadonlyArray<Strategy.ToolCall>,
  width: number,
  execute: (call: Strategy.ToolCall) => Effect.Effect<unknown, unknown>
) => {
  const waves: Array<Array<Strategy.ToolCall>> = []
  for (const call of calls) {
    const last = waves[waves.length - 1]
    const readOnly = Strategy.traitsOf(call, { tools: Tools.specs }).readOnly
    if (readOnly && last !== undefined && last.every((c) => Strategy.traitsOf(c, { tools: Tools.specs }).readOnly)) {
      last.push(call)
    } else waves.push([call])
  }
  return Effect.map(
    Effect.forEach(waves, (wave) => Effect.forEach(wave, (call) => Effect.exit(execute(call)), { concurrency: width })),
    (exits) => exits.flat()
  )
}

/** Copies the regular files of `root` into a fresh scratch directory (writes never touch `root`). */
const scratchCopy = (root: string, entries: ReadonlyArray<Files.Entry>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const temp = yield* fs.makeTempDirectoryScoped({ prefix: "effect-lanes-plan-" })
    for (const entry of entries) {
      const target = path.join(temp, entry.path)
      yield* fs.makeDirectory(path.dirname(target), { recursive: true })
      yield* fs.copyFile(path.join(root, entry.path), target)
    }
    yield* fs.makeDirectory(path.join(temp, "bench-out"))
    return temp
  })

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
    const scenario = "plan"
    const entries = (yield* Files.nonEmpty(scenario, options.root)).slice(0, maxFiles)
    const root = yield* Effect.mapError(
      scratchCopy(options.root, entries),
      (error) => new BenchFailed({ scenario, reason: error.message })
    )
    const tools = yield* Scenario.tools(scenario, root)
    const turnOptions = yield* Tools.turnOptions(tools.root)
    const files = Files.take([...entries].sort((a, b) => a.size - b.size), 12)
    const points: Array<Point> = []
    for (const latency of options.latencies ?? grid.latencies) {
      for (const mix of options.mixes ?? grid.mixes) {
        for (const n of options.sizes ?? grid.sizes) {
          const calls = callsOf(mix, n, files)
          const execute = executor(tools, latency, n)
          const label = `plan: N=${n}, ${latency}, ${mix}`
          const queue = yield* Queues.make(`plan-${points.length}`, {})
          const strategyRun = Effect.flatMap(
            Strategy.runTurn(queue, calls, execute, turnOptions),
            Scenario.failIfAny(scenario, "Strategy")
          )
          yield* strategyRun // the warm-up turn: the fresh session learns its tools and its overhead
          const contenders = [
            {
              name: "sequential",
              run: Effect.flatMap(
                Effect.forEach(calls, (call) => Effect.exit(execute(call))),
                Scenario.failIfAny(scenario, "sequential")
              )
            },
            ...widthsFor(n, latency).map((width) => ({
              name: `parallel ${width}`,
              run: Effect.flatMap(
                handParallel(calls, width, execute),
                Scenario.failIfAny(scenario, `parallel ${width}`)
              )
            })),
            { name: "Strategy", run: strategyRun }
          ]
          const measured = yield* Measure.interleaved(
            { label, warmup: isSlow(latency) ? 0 : 1, rounds: runsFor(latency, mix, options.runs) },
            contenders
          )
          const [sequential, ...rest] = measured
          const strategy = rest[rest.length - 1]
          if (sequential === undefined || strategy === undefined) continue
          const parallels = rest.slice(0, -1).map((row, i) => ({
            width: widthsFor(n, latency)[i] ?? 1,
            millis: row.millis
          }))
          const bestParallel = parallels.reduce<typeof parallels[number] | undefined>(
            (best, p) => best === undefined || p.millis.median < best.millis.median ? p : best,
            undefined
          )
          const best = Math.min(sequential.millis.median, bestParallel?.millis.median ?? Infinity)
          const stats = yield* queue.stats
          const estimates = yield* Effect.forEach(calls, (call) => queue.latency.estimate(call.name))
          const plan = TurnModes.describeStages(Strategy.stages(calls, stats.lanes.query.concurrency, {
            ...turnOptions,
            estimates: estimates.map((e) => e._tag === "Some" ? e.value : 1),
            perTaskOverheadMillis: yield* queue.latency.overhead
          }))
          points.push({
            calls: n,
            latency,
            mix,
            sequential: sequential.millis,
            bestParallel,
            strategy: strategy.millis,
            plan,
            regret: strategy.millis.median / best,
            speedup: sequential.millis.median / strategy.millis.median
          })
        }
      }
    }
    const regrets = points.map((p) => p.regret)
    const efficiency20ms = points
      .filter((p) => p.latency === "20 ms" && p.mix === "reads" && p.calls >= 2)
      .map((p) => ({ calls: p.calls, efficiency: p.speedup / TurnModes.ideal(p.calls, laneWidth) }))
    const local = points.filter((p) => p.latency === "0").map((p) => p.strategy.median / p.sequential.median)
    return {
      points,
      worstRegret: Math.max(...regrets),
      medianRegret: median(regrets),
      efficiency20ms,
      worstLocalSlowdown: local.length === 0 ? Number.NaN : Math.max(...local)
    }
  }))

/**
 * The scenario's table.
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = (result: Result): Table => ({
  title: "Planner regret: Strategy (fresh session, one warm-up turn) against sequential and the best parallel " +
    "width, median ms (min–max)",
  headers: ["latency", "mix", "N", "sequential", "best parallel", "Strategy", "plan", "regret"],
  rows: result.points.map((p) => [
    p.latency,
    p.mix,
    String(p.calls),
    Format.summary(p.sequential, 2),
    p.bestParallel === undefined ? "-" : `${Format.summary(p.bestParallel.millis, 2)} @${p.bestParallel.width}`,
    Format.summary(p.strategy, 2),
    p.plan,
    Format.ratio(p.regret)
  ]),
  notes: [
    `regret = Strategy / min(sequential, best parallel): worst ${Format.ratio(result.worstRegret)}, median ${
      Format.ratio(result.medianRegret)
    }.`,
    `Strategy efficiency, 20 ms reads: ${
      result.efficiency20ms.map((e) => `N=${e.calls} ${Format.number(e.efficiency * 100, 0)}%`).join(", ")
    } (speed-up / ideal at query concurrency 8).`,
    `Purely local turns (latency 0): Strategy at most ${Format.ratio(result.worstLocalSlowdown)} of sequential.`,
    "Sequential and parallel run the calls directly (no queue), parallel at widths up to the query lane's 8 and",
    "split into waves at writes; the Strategy runs them through a fresh session's lanes (default settings)."
  ]
})
