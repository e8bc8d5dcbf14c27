import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Ref } from "effect"
import type * as Lane from "../src/Lane.js"
import type * as LaneQueue from "../src/LaneQueue.js"
import { advance, isDone, makeQueue, now, settle } from "./utils/harness.js"

/** Submits `n` instant tasks to `lane` in one batch; each records the TestClock time it started. */
const instantBatch = (queue: LaneQueue.LaneQueue, lane: Lane.Lane, n: number) =>
  Effect.gen(function*() {
    const starts = yield* Ref.make<ReadonlyArray<number>>([])
    const tasks = Array.from(
      { length: n },
      (_, i) => Effect.flatMap(now, (at) => Effect.as(Ref.update(starts, (all) => [...all, at]), i))
    )
    const fiber = yield* Effect.fork(queue.submitBatch(lane, tasks))
    return { fiber, starts: Ref.get(starts) }
  })

describe("Reliability: rate limits", () => {
  it.scoped("generate defaults to 60 per minute: the 61st start waits for the bucket to refill", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      const { fiber, starts } = yield* instantBatch(queue, "generate", 62)
      yield* settle
      expect(yield* starts).toHaveLength(60)
      expect((yield* starts).every((at) => at === 0)).toBe(true)
      expect((yield* queue.stats).lanes.generate.pending).toBe(2)
      yield* advance("999 millis", "333 millis")
      expect(yield* starts).toHaveLength(60)
      // One token per second (60 per minute, refilled evenly).
      yield* advance("1 millis")
      expect((yield* starts).slice(60)).toEqual([1000])
      yield* advance("1 second")
      expect((yield* starts).slice(60)).toEqual([1000, 2000])
      const exits = yield* Fiber.join(fiber)
      // Nothing dropped: every task ran and succeeded, in order.
      expect(exits).toEqual(Array.from({ length: 62 }, (_, i) => Exit.succeed(i)))
      const counts = (yield* queue.metrics).lanes.generate.counts
      expect(counts).toMatchObject({ submitted: 62, started: 62, completed: 62 })
    }))

  it.scoped("the rate limit delays starts of single submissions too, and never fails them", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      yield* Effect.fork(queue.submitBatch("generate", Array.from({ length: 60 }, () => Effect.void)))
      yield* settle
      const late = yield* Effect.fork(queue.submitByTool("llm", now))
      yield* settle
      expect(yield* isDone(late)).toBe(false)
      expect((yield* queue.stats).lanes.generate).toMatchObject({ pending: 1 })
      yield* advance("1 second", "250 millis")
      expect(yield* Fiber.join(late)).toBe(1000)
    }))

  it.scoped("a custom limit from layerWith: 2 per second on query", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { rateLimit: { limit: 2, interval: "1 second" } } })
      const { fiber, starts } = yield* instantBatch(queue, "query", 5)
      yield* advance("2 seconds", "250 millis")
      expect(yield* starts).toEqual([0, 0, 500, 1000, 1500])
      expect((yield* Fiber.join(fiber)).every(Exit.isSuccess)).toBe(true)
    }))

  it.scoped("rateLimit: false removes the generate lane's default", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ generate: { rateLimit: false } })
      const { fiber, starts } = yield* instantBatch(queue, "generate", 200)
      yield* settle
      const exits = yield* Fiber.join(fiber)
      expect(exits).toHaveLength(200)
      expect(yield* starts).toEqual(Array.from({ length: 200 }, () => 0))
    }))

  it.scoped("other lanes are not rate limited by default", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      const { fiber, starts } = yield* instantBatch(queue, "query", 200)
      yield* settle
      yield* Fiber.join(fiber)
      expect(yield* starts).toEqual(Array.from({ length: 200 }, () => 0))
    }))
})
