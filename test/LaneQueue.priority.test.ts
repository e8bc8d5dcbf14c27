import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Lane from "../src/Lane.js"
import type * as LanesConfig from "../src/LanesConfig.js"
import { advance, makeProbe, makeQueue, recordEvents, settle } from "./utils/harness.js"
import { eventsOf } from "./utils/reliability.js"

describe("LaneQueue: priority admission under totalConcurrency", () => {
  it.scoped("with a budget of 1 and one task running, queued generate, execute, query start query, execute, generate", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ totalConcurrency: 1 })
      const probe = yield* makeProbe
      yield* queue.enqueue("execute", probe.sleep("running", "1 second"))
      yield* settle
      yield* queue.enqueue("generate", probe.sleep("generate", "1 second"))
      yield* queue.enqueue("execute", probe.sleep("execute", "1 second"))
      yield* queue.enqueue("query", probe.sleep("query", "1 second"))
      yield* settle
      expect((yield* probe.state).started).toEqual(["running"])
      yield* advance("4 seconds")
      const state = yield* probe.state
      expect(state.started).toEqual(["running", "query", "execute", "generate"])
      expect(state.peak).toBe(1)
    }))

  it.scoped("a control task is never held back by the budget: it starts at once while the budget is full", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ totalConcurrency: 1 })
      const probe = yield* makeProbe
      const events = yield* recordEvents(queue)
      yield* queue.enqueue("execute", probe.sleep("running", "1 second"))
      yield* settle
      yield* queue.enqueue("generate", probe.sleep("generate", "1 second"))
      yield* queue.enqueue("execute", probe.sleep("execute", "1 second"))
      yield* queue.enqueue("query", probe.sleep("query", "1 second"))
      yield* queue.enqueue("control", probe.sleep("control", "1 second"))
      yield* settle
      // The control task runs beside the one holding the budget.
      const before = yield* probe.state
      expect(before.started).toEqual(["running", "control"])
      expect(before.running).toBe(2)
      yield* advance("4 seconds")
      expect((yield* probe.state).started).toEqual(["running", "control", "query", "execute", "generate"])
      const started = eventsOf(yield* events, "Started")
      expect(started.map(({ at, lane }) => [lane, at])).toEqual([
        ["execute", 0],
        ["control", 0],
        ["query", 1000],
        ["execute", 2000],
        ["generate", 3000]
      ])
    }))

  it.scoped("the most urgent lane wins whatever the arrival order; FIFO holds within each lane", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ totalConcurrency: 1 })
      const probe = yield* makeProbe
      yield* queue.enqueue("generate", probe.sleep("running", "1 second"))
      yield* settle
      const order: ReadonlyArray<readonly [Lane.Lane, string]> = [
        ["generate", "g1"],
        ["query", "q1"],
        ["execute", "e1"],
        ["generate", "g2"],
        ["query", "q2"],
        ["execute", "e2"],
        ["query", "q3"],
        ["generate", "g3"]
      ]
      for (const [lane, label] of order) yield* queue.enqueue(lane, probe.sleep(label, "1 second"))
      yield* advance("9 seconds")
      expect((yield* probe.state).started).toEqual(["running", "q1", "q2", "q3", "e1", "e2", "g1", "g2", "g3"])
    }))

  it.scoped("a later urgent task goes before earlier, less urgent ones that still wait", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ totalConcurrency: 1 })
      const probe = yield* makeProbe
      yield* queue.enqueue("execute", probe.sleep("running", "2 seconds"))
      yield* queue.enqueue("generate", probe.sleep("g", "1 second"))
      yield* advance("1 second")
      // Arrives a second after g, still before the slot frees.
      yield* queue.enqueue("query", probe.sleep("q", "1 second"))
      yield* advance("3 seconds")
      expect((yield* probe.state).started).toEqual(["running", "q", "g"])
    }))

  it.scoped("starvation guard: a long-waiting generate task is promoted past newer query work", () =>
    Effect.gen(function*() {
      const run = (starvationDeadline: LanesConfig.Input["starvationDeadline"]) =>
        Effect.gen(function*() {
          const queue = yield* makeQueue(
            starvationDeadline === undefined ? { totalConcurrency: 1 } : { totalConcurrency: 1, starvationDeadline }
          )
          const probe = yield* makeProbe
          const events = yield* recordEvents(queue)
          yield* queue.enqueue("query", probe.sleep("blocker", "2 seconds"))
          yield* settle
          yield* queue.enqueue("generate", probe.sleep("g", "1 second"))
          for (let i = 1; i <= 4; i++) yield* queue.enqueue("query", probe.sleep(`q${i}`, "1 second"))
          yield* advance("8 seconds")
          return { started: (yield* probe.state).started, promoted: eventsOf(yield* events, "Promoted") }
        }).pipe(Effect.scoped)

      // Without the guard (default deadline 30 s) the query lane keeps the budget.
      const unguarded = yield* run(undefined)
      expect(unguarded.started).toEqual(["blocker", "q1", "q2", "q3", "q4", "g"])
      expect(unguarded.promoted).toEqual([])

      // With a 1 s deadline: at t=2 g has waited 2 deadlines (level 1, query's), q1 also waited 2
      // (level 0) and goes first; at t=3 g (level 0, older) beats q2 (waited 1 s: level 0).
      const guarded = yield* run("1 second")
      expect(guarded.started).toEqual(["blocker", "q1", "g", "q2", "q3", "q4"])
      const promotedG = guarded.promoted.filter((event) => event.taskId === "s-2")
      expect(promotedG.length).toBeGreaterThan(0)
      expect(promotedG.every((event) => event.lane === "generate")).toBe(true)
      const levels = promotedG.map((event) => Lane.priority(event.to))
      // Promoted step by step towards control, never past it.
      expect(levels).toEqual([...levels].sort((a, b) => b - a))
      expect(new Set(levels).size).toBe(levels.length)
      expect(levels.every((level) => level >= 0 && level < Lane.priority("generate"))).toBe(true)
      expect(promotedG.at(-1)).toMatchObject({ to: "control", waitedMillis: 3000 })
    }))

  it.scoped("starvation guard: the generate task is promoted one level per deadline", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ totalConcurrency: 1, starvationDeadline: "1 second" })
      const probe = yield* makeProbe
      yield* queue.enqueue("execute", probe.sleep("blocker", "1500 millis"))
      yield* settle
      yield* queue.enqueue("generate", probe.sleep("g", "1 second"))
      // The query task arrives at 1 s; at 1.5 s g (waited 1.5 s: level 2) still loses to it.
      yield* advance("1 second", "500 millis")
      yield* queue.enqueue("query", probe.sleep("q", "1 second"))
      yield* advance("4 seconds", "500 millis")
      expect((yield* probe.state).started).toEqual(["blocker", "q", "g"])
    }))
})
