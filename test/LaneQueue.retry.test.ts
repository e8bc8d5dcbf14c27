import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import * as RetryPolicy from "../src/RetryPolicy.js"
import { advance, isDone, makeProbe, makeQueue, now, recordEvents, settle } from "./utils/harness.js"
import { classify, eventsOf, failureOf, makeAttemptRecorder } from "./utils/reliability.js"

describe("LaneQueue: retries", () => {
  it.scoped("exponential: attempts at 0, 100, 300, 700 ms, then the submitter sees the failure", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { retry: RetryPolicy.exponential() } })
      const attempts = yield* makeAttemptRecorder
      const fiber = yield* Effect.fork(Effect.exit(queue.submit("query", attempts.task(() => Effect.fail("boom")))))
      yield* advance("600 millis", "100 millis")
      expect(yield* attempts.times).toEqual([0, 100, 300])
      expect(yield* isDone(fiber)).toBe(false)
      yield* advance("100 millis", "100 millis")
      const exit = yield* Fiber.join(fiber)
      expect(yield* now).toBe(700)
      expect(yield* attempts.times).toEqual([0, 100, 300, 700])
      expect(failureOf(exit)).toEqual(failureOf(Exit.fail("boom")))
      // Nothing more happens afterwards.
      yield* advance("60 seconds", "10 seconds")
      expect(yield* attempts.times).toHaveLength(4)
    }))

  it.scoped("fixed: every retry waits the same delay", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { retry: RetryPolicy.fixed(2, "250 millis") } })
      const attempts = yield* makeAttemptRecorder
      const fiber = yield* Effect.fork(Effect.exit(queue.submit("execute", attempts.task(() => Effect.fail("nope")))))
      yield* advance("2 seconds", "50 millis")
      expect(yield* attempts.times).toEqual([0, 250, 500])
      expect(classify(yield* Fiber.join(fiber))).toBe("failed")
    }))

  it.scoped("a success on a later attempt returns its value", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { retry: RetryPolicy.exponential() } })
      const attempts = yield* makeAttemptRecorder
      const fiber = yield* Effect.fork(queue.submit(
        "query",
        attempts.task((n) => n < 3 ? Effect.fail(`attempt ${n} failed`) : Effect.succeed(`ok on attempt ${n}`))
      ))
      yield* advance("1 second", "100 millis")
      expect(yield* Fiber.join(fiber)).toBe("ok on attempt 3")
      expect(yield* attempts.times).toEqual([0, 100, 300])
      const metrics = yield* queue.metrics
      expect(metrics.lanes.query.counts).toMatchObject({ completed: 1, failed: 0, retried: 2, deadLettered: 0 })
      expect(yield* queue.deadLetters).toEqual([])
    }))

  it.scoped("none (the default) runs a failing task once", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      const attempts = yield* makeAttemptRecorder
      const events = yield* recordEvents(queue)
      const fiber = yield* Effect.fork(Effect.exit(queue.submit("query", attempts.task(() => Effect.fail("once")))))
      yield* advance("1 second", "100 millis")
      expect(classify(yield* Fiber.join(fiber))).toBe("failed")
      yield* advance("1 minute", "30 seconds")
      expect(yield* attempts.times).toEqual([0])
      expect(eventsOf(yield* events, "Retrying")).toEqual([])
      expect((yield* queue.metrics).totals.retried).toBe(0)
    }))

  it.scoped("a TaskTimeout counts as a failed attempt", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { timeout: "1 second", retry: RetryPolicy.fixed(2, "500 millis") } })
      const attempts = yield* makeAttemptRecorder
      const probe = yield* makeProbe
      // Attempts 1 and 2 outrun the 1 s timeout; attempt 3 finishes within it.
      const fiber = yield* Effect.fork(queue.submit(
        "query",
        attempts.task((n) => probe.sleep(`a${n}`, n < 3 ? "5 seconds" : "200 millis"))
      ))
      yield* advance("5 seconds", "100 millis")
      expect(yield* Fiber.join(fiber)).toBe("a3")
      // 0: first attempt, cut at 1000; retry after 500 -> 1500, cut at 2500; retry after 500 -> 3000.
      expect(yield* attempts.times).toEqual([0, 1500, 3000])
      expect((yield* probe.state).interrupted).toEqual(["a1", "a2"])
    }))

  it.scoped("a task that times out on every attempt fails with TaskTimeout", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { timeout: "1 second", retry: RetryPolicy.fixed(1, "1 second") } })
      const attempts = yield* makeAttemptRecorder
      const fiber = yield* Effect.fork(Effect.exit(queue.submit("query", attempts.task(() => Effect.never))))
      yield* advance("10 seconds", "500 millis")
      const exit = yield* Fiber.join(fiber)
      expect(classify(exit)).toBe("timedOut")
      expect(yield* attempts.times).toEqual([0, 2000])
    }))

  it.scoped("Retrying events carry the next attempt's number and its delay, one per retry", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { retry: RetryPolicy.exponential() } })
      const events = yield* recordEvents(queue)
      const fiber = yield* Effect.fork(Effect.exit(queue.submit("query", Effect.fail("boom"))))
      yield* advance("1 second", "100 millis")
      yield* Fiber.join(fiber)
      const retrying = eventsOf(yield* events, "Retrying")
      expect(retrying.map(({ at, attempt, delayMillis }) => ({ at, attempt, delayMillis }))).toEqual([
        { at: 0, attempt: 2, delayMillis: 100 },
        { at: 100, attempt: 3, delayMillis: 200 },
        { at: 300, attempt: 4, delayMillis: 400 }
      ])
      expect(retrying.every((event) => event.taskId === "s-1" && event.lane === "query")).toBe(true)
      expect(retrying.every((event) => event.error.includes("boom"))).toBe(true)
      // One retried count per retry started, not one for the final failure.
      expect((yield* queue.metrics).lanes.query.counts.retried).toBe(3)
    }))

  it.scoped("a task's events: Submitted, Started, Retrying..., DeadLettered, then the final Failed", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { retry: RetryPolicy.fixed(2, "1 second") } })
      const events = yield* recordEvents(queue)
      const fiber = yield* Effect.fork(Effect.exit(queue.submit("execute", Effect.fail("bad"))))
      yield* advance("5 seconds")
      yield* Fiber.join(fiber)
      expect((yield* events).map((event) => event._tag)).toEqual([
        "Submitted",
        "Started",
        "Retrying",
        "Retrying",
        "DeadLettered",
        "Failed"
      ])
    }))

  it.scoped("retries hold the lane permit: the next task waits for the retried one", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1, retry: RetryPolicy.fixed(2, "1 second") } })
      const first = yield* Effect.fork(Effect.exit(queue.submit("query", Effect.fail("x"))))
      const second = yield* Effect.fork(queue.submit("query", Effect.zipRight(Effect.sleep("1 millis"), now)))
      yield* settle
      yield* advance("3 seconds", "500 millis")
      yield* Fiber.join(first)
      // The second task starts when the first gives up at 2000.
      expect(yield* Fiber.join(second)).toBe(2001)
    }))

  it.scoped("interrupting a task during its retry delay ends the retries", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { retry: RetryPolicy.fixed(3, "1 second") } })
      const attempts = yield* makeAttemptRecorder
      const handle = yield* queue.enqueue("query", attempts.task(() => Effect.fail("x")))
      yield* advance("1500 millis", "500 millis")
      expect(yield* attempts.times).toEqual([0, 1000])
      yield* handle.cancel
      const exit = yield* Effect.exit(handle.await)
      expect(classify(exit)).toBe("cancelled")
      yield* advance("10 seconds")
      expect(yield* attempts.times).toEqual([0, 1000])
      expect(yield* queue.deadLetters).toEqual([])
      expect(Exit.isFailure(exit)).toBe(true)
    }))
})
