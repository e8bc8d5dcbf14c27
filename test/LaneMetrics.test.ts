import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Metric, MetricState, Option } from "effect"
import * as LaneMetrics from "../src/LaneMetrics.js"
import * as LaneQueue from "../src/LaneQueue.js"
import * as LanesConfig from "../src/LanesConfig.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import { advance, makeQueue, recordEvents, settle } from "./utils/harness.js"
import { classify, eventsOf } from "./utils/reliability.js"

const millis = (ms: number): Duration.DurationInput => Duration.millis(ms)

/** The metric pairs of Effect's global registry named `name` and tagged with `lane`. */
const metricFor = (name: string, lane: string) =>
  Effect.map(Metric.snapshot, (pairs) =>
    pairs.filter((pair) =>
      pair.metricKey.name === name &&
      pair.metricKey.tags.some((tag) => tag.key === "lane" && tag.value === lane)
    ))

const counterValue = (name: string, lane: string) =>
  Effect.map(metricFor(name, lane), (pairs) => {
    const state = pairs[0]?.metricState
    return state !== undefined && MetricState.isCounterState(state) ? Number(state.count) : 0
  })

const summaryOf = (name: string, lane: string) =>
  Effect.map(metricFor(name, lane), (pairs) => {
    const state = pairs[0]?.metricState
    return state !== undefined && MetricState.isSummaryState(state) ? Option.some(state) : Option.none()
  })

describe("LaneQueue: metrics", () => {
  it.scoped("run-time quantiles of a known workload: 10 tasks of 10..100 ms in parallel", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 10 } })
      const runs = Array.from({ length: 10 }, (_, i) => (i + 1) * 10)
      const batch = yield* Effect.fork(queue.submitBatch("query", runs.map((ms) => Effect.sleep(millis(ms)))))
      yield* advance("100 millis", "10 millis")
      yield* Fiber.join(batch)
      const query = (yield* queue.metrics).lanes.query
      // Nearest rank: p50 is the 5th of 10, p90 the 9th, p95 and p99 the 10th.
      expect(query.runMillis).toEqual({
        count: 10,
        min: 10,
        max: 100,
        mean: 55,
        p50: 50,
        p90: 90,
        p95: 100,
        p99: 100
      })
      expect(query.waitMillis).toMatchObject({ count: 10, max: 0, p99: 0 })
      expect(query.counts).toMatchObject({ submitted: 10, started: 10, completed: 10 })
    }))

  it.scoped("wait-time quantiles of a known workload: 10 tasks of 10 ms on one permit", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { concurrency: 1 } })
      const batch = yield* Effect.fork(
        queue.submitBatch("execute", Array.from({ length: 10 }, () => Effect.sleep("10 millis")))
      )
      yield* advance("100 millis", "10 millis")
      yield* Fiber.join(batch)
      const execute = (yield* queue.metrics).lanes.execute
      // Each task waits for the ones before it: 0, 10, ..., 90.
      expect(execute.waitMillis).toEqual({
        count: 10,
        min: 0,
        max: 90,
        mean: 45,
        p50: 40,
        p90: 80,
        p95: 90,
        p99: 90
      })
      expect(execute.runMillis).toMatchObject({ count: 10, min: 10, max: 10, p50: 10, p99: 10 })
    }))

  it.scoped("100 tasks of 1..100 ms in parallel: p50 50, p90 90, p95 95, p99 99", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 100 } })
      const batch = yield* Effect.fork(queue.submitBatch(
        "query",
        Array.from({ length: 100 }, (_, i) => Effect.sleep(millis(100 - i)))
      ))
      yield* advance("100 millis", "10 millis")
      yield* Fiber.join(batch)
      const { runMillis, waitMillis } = (yield* queue.metrics).lanes.query
      expect(runMillis).toMatchObject({ count: 100, min: 1, max: 100, mean: 50.5, p50: 50, p90: 90, p95: 95, p99: 99 })
      expect(waitMillis).toMatchObject({ count: 100, max: 0, p99: 0 })
    }))

  it.scoped("counts per lane and totals for a mixed workload", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({
        query: { timeout: "1 second" },
        execute: { retry: RetryPolicy.fixed(2, "100 millis") }
      })
      const outcomes: ReadonlyArray<Fiber.Fiber<Exit.Exit<unknown, unknown>>> = yield* Effect.all([
        Effect.fork(Effect.exit(queue.submit("query", Effect.void))),
        Effect.fork(Effect.exit(queue.submit("query", Effect.fail("bad")))),
        Effect.fork(Effect.exit(queue.submit("query", Effect.never))),
        Effect.fork(Effect.exit(queue.submit("execute", Effect.fail("worse")))),
        Effect.fork(Effect.exit(queue.submit("generate", Effect.never))),
        Effect.fork(Effect.exit(queue.submit("control", Effect.succeed(1))))
      ])
      yield* advance("1 second", "100 millis")
      expect(yield* queue.cancel("s-5")).toBe(true)
      const observed = yield* Effect.forEach(outcomes, (fiber) => Effect.map(Fiber.join(fiber), classify))
      expect(observed).toEqual(["succeeded", "failed", "timedOut", "failed", "cancelled", "succeeded"])
      const metrics = yield* queue.metrics
      expect(metrics.lanes.query.counts).toEqual({
        submitted: 3,
        started: 3,
        completed: 1,
        failed: 1,
        timedOut: 1,
        retried: 0,
        deadLettered: 0,
        cancelled: 0
      })
      expect(metrics.lanes.execute.counts).toEqual({
        submitted: 1,
        started: 1,
        completed: 0,
        failed: 1,
        timedOut: 0,
        retried: 2,
        deadLettered: 1,
        cancelled: 0
      })
      expect(metrics.lanes.generate.counts).toMatchObject({ submitted: 1, started: 1, cancelled: 1 })
      expect(metrics.lanes.control.counts).toMatchObject({ submitted: 1, started: 1, completed: 1 })
      expect(metrics.totals).toEqual({
        submitted: 6,
        started: 6,
        completed: 2,
        failed: 2,
        timedOut: 1,
        retried: 2,
        deadLettered: 1,
        cancelled: 1
      })
    }))

  it.scoped("an empty lane reports zeros", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      const metrics = yield* queue.metrics
      for (const lane of ["control", "query", "execute", "generate"] as const) {
        expect(metrics.lanes[lane].runMillis).toEqual({
          count: 0,
          min: 0,
          max: 0,
          mean: 0,
          p50: 0,
          p90: 0,
          p95: 0,
          p99: 0
        })
      }
      expect(Object.values(metrics.totals).every((n) => n === 0)).toBe(true)
    }))

  it.scoped("the Effect Metrics are tagged by lane (not session: they must not grow per session) and follow the counts", () =>
    Effect.gen(function*() {
      const names = ["effect_lanes_tasks_submitted", "effect_lanes_tasks_completed", "effect_lanes_tasks_failed"]
      const before = yield* Effect.forEach(names, (name) => counterValue(name, "execute"))
      const queryBefore = yield* counterValue("effect_lanes_tasks_completed", "query")
      const runsBefore = yield* summaryOf("effect_lanes_run_millis", "execute")
      const queue = yield* LaneQueue.make("metrics").pipe(Effect.provide(LanesConfig.layerWith({})))
      const batch = yield* Effect.fork(queue.submitBatch("execute", [
        Effect.sleep("10 millis"),
        Effect.sleep("20 millis"),
        Effect.fail("x")
      ]))
      yield* advance("20 millis", "10 millis")
      yield* Fiber.join(batch)
      const after = yield* Effect.forEach(names, (name) => counterValue(name, "execute"))
      expect(after.map((n, i) => n - (before[i] ?? 0))).toEqual([3, 2, 1])
      expect(yield* counterValue("effect_lanes_tasks_completed", "query")).toBe(queryBefore)
      const runs = yield* summaryOf("effect_lanes_run_millis", "execute")
      expect(Option.isSome(runs)).toBe(true)
      if (Option.isSome(runs)) {
        const previous = Option.match(runsBefore, { onNone: () => ({ count: 0, sum: 0 }), onSome: (state) => state })
        // Run times 10, 20 and 0 (the failure); Effect's summary quantiles are approximations.
        expect({ count: runs.value.count - previous.count, sum: runs.value.sum - previous.sum }).toEqual({
          count: 3,
          sum: 30
        })
        expect(runs.value.quantiles.map(([q]) => q)).toEqual([0.5, 0.9, 0.95, 0.99])
      }
      const tags = (yield* metricFor("effect_lanes_tasks_submitted", "execute")).flatMap((pair) =>
        pair.metricKey.tags.map((tag) => tag.key)
      )
      expect(tags).toEqual(["lane"])
      // The counters exported as the queue's metric definitions.
      expect(LaneMetrics.countNames).toHaveLength(8)
    }))
})

describe("LaneQueue: pressure events", () => {
  it.scoped("threshold 3: LanePressure when pending first reaches 3, LaneIdle when it returns to 0", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1, pressureThreshold: 3 } })
      const events = yield* recordEvents(queue)
      yield* queue.enqueue("query", Effect.sleep("1 second"))
      yield* settle
      yield* queue.enqueue("query", Effect.sleep("1 second"))
      yield* queue.enqueue("query", Effect.sleep("1 second"))
      expect(eventsOf(yield* events, "LanePressure")).toEqual([])
      yield* queue.enqueue("query", Effect.sleep("1 second"))
      yield* queue.enqueue("query", Effect.sleep("1 second"))
      yield* settle
      const pressure = eventsOf(yield* events, "LanePressure")
      expect(pressure).toHaveLength(1)
      expect(pressure[0]).toMatchObject({ taskId: "s-4", lane: "query", pending: 3, threshold: 3, at: 0 })
      yield* advance("3 seconds")
      expect(eventsOf(yield* events, "LaneIdle")).toEqual([])
      // The last pending task starts at 4 s: the line is empty again.
      yield* advance("1 second")
      const idle = eventsOf(yield* events, "LaneIdle")
      expect(idle).toHaveLength(1)
      expect(idle[0]).toMatchObject({ lane: "query", taskId: "s-5", at: 4000 })
      // A second wave raises pressure again.
      yield* queue.enqueue("query", Effect.sleep("1 second"))
      yield* queue.enqueue("query", Effect.sleep("1 second"))
      yield* queue.enqueue("query", Effect.sleep("1 second"))
      yield* queue.enqueue("query", Effect.sleep("1 second"))
      yield* settle
      expect(eventsOf(yield* events, "LanePressure")).toHaveLength(2)
      yield* advance("5 seconds")
      expect(eventsOf(yield* events, "LaneIdle")).toHaveLength(2)
    }))

  it.scoped("a lane emptied by cancellation is idle too", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { concurrency: 1, pressureThreshold: 2 } })
      const events = yield* recordEvents(queue)
      for (let i = 0; i < 4; i++) yield* queue.enqueue("execute", Effect.never)
      yield* settle
      expect(eventsOf(yield* events, "LanePressure")).toHaveLength(1)
      yield* queue.cancelAll
      expect(eventsOf(yield* events, "LaneIdle")).toHaveLength(1)
    }))

  it.scoped("no pressure events by default", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      const events = yield* recordEvents(queue)
      const batch = yield* Effect.fork(queue.submitBatch(
        "query",
        Array.from({ length: 50 }, () => Effect.sleep("100 millis"))
      ))
      yield* advance("5 seconds")
      yield* Fiber.join(batch)
      const all = yield* events
      expect(all.filter((event) => event._tag === "LanePressure" || event._tag === "LaneIdle")).toEqual([])
    }))
})
