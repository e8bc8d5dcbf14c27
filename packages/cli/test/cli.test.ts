/**
 * Smoke test of the command-line program: every benchmark scenario runs in-process at tiny
 * sizes; the test checks the shape of each result and that every figure is a finite positive number. No
 * timing is asserted.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Layer, Option } from "effect"
import { fileURLToPath } from "node:url"
import * as App from "../src/app.js"
import * as FastLocal from "../src/bench/fastLocal.js"
import * as Memory from "../src/bench/memory.js"
import * as PlanGrid from "../src/bench/planGrid.js"
import * as QueueCost from "../src/bench/queueCost.js"
import * as RuntimeSizing from "../src/bench/runtimeSizing.js"
import * as TaskIds from "../src/bench/taskIds.js"
import * as TurnSpeedup from "../src/bench/turnSpeedup.js"
import * as Chart from "../src/render/chart.js"
import * as Progress from "../src/render/progress.js"
import * as Table from "../src/render/table.js"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const src = fileURLToPath(new URL("../src", import.meta.url))
const env = Layer.mergeAll(NodeContext.layer, Progress.layerSilent)

/** Every number in a value, with its path; `null`/strings/booleans are not figures. */
const figures = (value: unknown, path = "$"): Array<readonly [string, number]> => {
  if (typeof value === "number") return [[path, value]]
  if (Array.isArray(value)) return value.flatMap((item, i) => figures(item, `${path}[${i}]`))
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => figures(item, `${path}.${key}`))
  }
  return []
}

/** Asserts that every figure is finite and positive (counts named in `mayBeZero` may be 0). */
const expectFigures = (value: unknown, mayBeZero: ReadonlyArray<string> = []) => {
  const all = figures(value)
  expect(all.length).toBeGreaterThan(0)
  for (const [path, n] of all) {
    const zeroOk = mayBeZero.some((key) => path.endsWith(`.${key}`))
    expect(Number.isFinite(n), `${path} = ${n}`).toBe(true)
    expect(zeroOk ? n >= 0 : n > 0, `${path} = ${n}`).toBe(true)
  }
}

const rendered = (table: Table.Table) => {
  const text = Table.render(table)
  expect(text.split("\n").length).toBeGreaterThan(3)
  return text
}

describe("bench scenarios (tiny sizes)", () => {
  it.live("turn speed-up: every mode at every N, with a chart", () =>
    Effect.gen(function*() {
      const result = yield* TurnSpeedup.run({ root: src, sizes: [2, 6], latency: Duration.millis(2), runs: 1 })
      expect(result.sizes.map((size) => size.calls)).toEqual([2, 6])
      for (const size of result.sizes) {
        expect(size.modes.map((mode) => mode.mode)).toEqual([
          "sequential",
          "lanes8",
          "lanes16",
          "strategy",
          "costAware"
        ])
      }
      expectFigures(result)
      rendered(TurnSpeedup.table(result))
      const svg = Chart.svg(result)
      expect(svg.startsWith("<svg")).toBe(true)
      expect(svg.match(/<polyline/g)?.length).toBe(5 + 2)
    }).pipe(Effect.provide(env)))

  it.live("plan: regret at every point of a small grid, worst and median", () =>
    Effect.gen(function*() {
      const result = yield* PlanGrid.run({
        root: `${repo}/examples`,
        runs: 1,
        sizes: [1, 3],
        latencies: ["0", "1 ms"],
        mixes: ["reads", "write"]
      })
      expect(result.points).toHaveLength(8)
      expect(result.points.map((p) => [p.latency, p.mix, p.calls])).toContainEqual(["1 ms", "write", 3])
      expect(result.points.find((p) => p.calls === 1)?.bestParallel).toBeUndefined()
      expect(result.worstRegret).toBeGreaterThanOrEqual(result.medianRegret)
      for (const point of result.points) {
        const best = Math.min(point.sequential.median, point.bestParallel?.millis.median ?? Infinity)
        expect(point.regret).toBeCloseTo(point.strategy.median / best)
      }
      rendered(PlanGrid.table(result))
    }).pipe(Effect.provide(env)))

  it.live("fast local work: a ratio per mode", () =>
    Effect.gen(function*() {
      const result = yield* FastLocal.run({ root: `${repo}/examples`, runs: 1 })
      expect(result.calls.map((call) => call.name)).toEqual(
        Array.from({ length: 4 }, () => ["ls", "glob", "read"]).flat()
      )
      expect(result.rows).toHaveLength(5)
      expectFigures(result)
      rendered(FastLocal.table(result))
    }).pipe(Effect.provide(env)))

  it.live("queue cost: every contender with its ratio to Effect.forEach", () =>
    Effect.gen(function*() {
      const result = yield* QueueCost.run({ tasks: 200, concurrency: 4, warmup: 0, rounds: 1 })
      expect(result.rows.map((row) => row.name)).toEqual([
        "Effect.forEach",
        "p-queue",
        "p-limit",
        "fiber per task + Semaphore",
        "submit, 1 lane",
        "submitBatch, 1 lane",
        "submit, 4 lanes",
        "submitBatch, 4 lanes"
      ])
      expect(result.rows[0]?.ratioToForEach).toBe(1)
      expectFigures(result)
      rendered(QueueCost.table(result))
    }).pipe(Effect.provide(env)))

  it.live("task IDs: ns per ID for the counter and for randomUUID", () =>
    Effect.gen(function*() {
      const result = yield* TaskIds.run({ ids: 2000, warmup: 0, rounds: 1 })
      expect(result.rows).toHaveLength(5)
      expectFigures(result)
      rendered(TaskIds.table(result))
    }).pipe(Effect.provide(env)))

  it.live("memory: heap before, pending and drained for each round", () =>
    Effect.gen(function*() {
      const result = yield* Memory.run({ tasks: 2000, rounds: 2 })
      expect(result.rounds).toHaveLength(2)
      expectFigures({ ...result, gcForced: undefined })
      rendered(Memory.table(result))
    }).pipe(Effect.provide(env)))

  it.live("runtime sizing: child processes per pool size, nothing cached", () =>
    Effect.gen(function*() {
      const result = yield* RuntimeSizing.run({
        root: src,
        sizes: [4, 8],
        reads: 8,
        iterations: 2,
        rounds: 1,
        cacheFile: Option.none()
      })
      expect(result.rows.map((row) => row.size)).toEqual([4, 8])
      expect(result.cachedIn).toBeNull()
      expectFigures(result)
      rendered(RuntimeSizing.table(result))
    }).pipe(Effect.provide(env)))
})

describe("command line", () => {
  const run = (...args: Array<string>) =>
    Effect.exit(App.cli(["node", "effect-lanes", ...args])).pipe(Effect.provide(env))

  it.live("a missing directory fails with DirectoryNotFound", () =>
    Effect.gen(function*() {
      const exit = yield* run("bench", "--dir", "/no/such/directory")
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) expect(String(exit.cause)).toContain("DirectoryNotFound")
    }))

  it.live("an unreadable trace fails with TraceUnreadable", () =>
    Effect.gen(function*() {
      const exit = yield* run("replay", "/no/such/trace.jsonl")
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) expect(String(exit.cause)).toContain("TraceUnreadable")
    }))
})
