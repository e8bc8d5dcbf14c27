import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Ref } from "effect"
import type * as Lane from "../src/Lane.js"
import type * as LaneQueue from "../src/LaneQueue.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import { advance, isDone, makeQueue, now, settle } from "./utils/harness.js"

/** A recorder of start times (TestClock millis), by label. */
const makeStarts = Effect.map(Ref.make<ReadonlyArray<readonly [string, number]>>([]), (ref) => ({
  /** A task that records its start, then sleeps `seconds` and succeeds. */
  task: (label: string, seconds = 0) =>
    Effect.zipRight(
      Effect.flatMap(now, (at) => Ref.update(ref, (all) => [...all, [label, at] as const])),
      Effect.sleep(`${seconds} seconds`)
    ),
  /** Start times in seconds, in start order. */
  seconds: Effect.map(Ref.get(ref), (all) => all.map(([label, at]) => [label, at / 1000] as const))
}))

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

describe("LaneQueue: rate limits", () => {
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

  describe("a token is taken only by a task that really starts (regressions)", () => {
    it.scoped("a task cancelled while the lane waits on the limiter for it costs no token", () =>
      Effect.gen(function*() {
        // 1 start per 10 s. A starts at 0 s; B waits for a token and is cancelled at 1 s; C,
        // submitted at 11 s, starts at 11 s (the token refilled at 10 s is still there), not 20 s.
        const queue = yield* makeQueue({ query: { rateLimit: { limit: 1, interval: "10 seconds" } } })
        const starts = yield* makeStarts
        yield* queue.enqueue("query", starts.task("A"))
        const b = yield* queue.enqueue("query", starts.task("B"))
        yield* advance("1 second")
        yield* b.cancel
        yield* advance("10 seconds")
        const c = yield* queue.enqueue("query", starts.task("C"))
        yield* advance("1 second")
        expect(yield* starts.seconds).toEqual([["A", 0], ["C", 11]])
        expect(yield* c.await).toBeUndefined()
      }))

    it.scoped("under a session budget the token is taken after the budget slot", () =>
      Effect.gen(function*() {
        // totalConcurrency 1; generate at 1 start per 10 s; a 30 s query task holds the budget
        // from 1 s to 31 s. Generate tasks of 1 s each start at 0, 31, 41 and 51 s: never two
        // within 10 s (a token taken while waiting for the budget would allow 31 and 32).
        const queue = yield* makeQueue({
          totalConcurrency: 1,
          generate: { rateLimit: { limit: 1, interval: "10 seconds" } }
        })
        const starts = yield* makeStarts
        const g1 = yield* queue.enqueue("generate", starts.task("G1", 1))
        const q = yield* queue.enqueue("query", starts.task("Q", 30))
        const rest = yield* Effect.forEach(["G2", "G3", "G4"], (label) =>
          queue.enqueue("generate", starts.task(label, 1)))
        yield* advance("60 seconds")
        expect(yield* starts.seconds).toEqual([["G1", 0], ["Q", 1], ["G2", 31], ["G3", 41], ["G4", 51]])
        yield* Effect.forEach([g1, q, ...rest], (handle) =>
          handle.await, { discard: true })
      }))

    it.scoped("a retry is a start: it waits for a token of its own", () =>
      Effect.gen(function*() {
        // 1 start per 10 s, fixed(2, 1 second) retries of a task that always fails: attempts at
        // 0, 10 and 20 s (the upstream's limiter let them through at 0, 1 and 2 s).
        const queue = yield* makeQueue({
          generate: { rateLimit: { limit: 1, interval: "10 seconds" }, retry: RetryPolicy.fixed(2, "1 second") }
        })
        const attempts = yield* Ref.make<ReadonlyArray<number>>([])
        const failing = Effect.zipRight(
          Effect.flatMap(now, (at) => Ref.update(attempts, (all) => [...all, at / 1000])),
          Effect.fail("429")
        )
        const fiber = yield* Effect.fork(queue.submit("generate", failing))
        yield* advance("30 seconds")
        expect(yield* Ref.get(attempts)).toEqual([0, 10, 20])
        expect(yield* Effect.exit(Fiber.join(fiber))).toEqual(Exit.fail("429"))
      }))

    it.scoped("a limit lowered while the lane waits on its limiter is never exceeded", () =>
      Effect.gen(function*() {
        // query at concurrency 2, 1 start per 10 s: A (100 s) starts at 0, B waits for a token.
        // At 5 s the limit drops to 1: the token of 10 s does not start B; B starts when A ends.
        const queue = yield* makeQueue({ query: { concurrency: 2, rateLimit: { limit: 1, interval: "10 seconds" } } })
        const starts = yield* makeStarts
        yield* queue.enqueue("query", starts.task("A", 100))
        const b = yield* queue.enqueue("query", starts.task("B"))
        yield* advance("5 seconds")
        yield* queue.setConcurrency("query", 1)
        yield* advance("20 seconds")
        expect(yield* starts.seconds).toEqual([["A", 0]])
        yield* advance("80 seconds")
        expect(yield* starts.seconds).toEqual([["A", 0], ["B", 100]])
        yield* b.await
      }))

    it.scoped("a limit lowered while the lane waits on the budget is never exceeded", () =>
      Effect.gen(function*() {
        // totalConcurrency 2: query A (100 s) and execute E (20 s) hold it; query B waits for a
        // slot. At 5 s query drops to 1: the slot E frees at 20 s does not start B.
        const queue = yield* makeQueue({ totalConcurrency: 2, query: { concurrency: 2 } })
        const starts = yield* makeStarts
        yield* queue.enqueue("query", starts.task("A", 100))
        yield* queue.enqueue("execute", starts.task("E", 20))
        const b = yield* queue.enqueue("query", starts.task("B"))
        yield* advance("5 seconds")
        yield* queue.setConcurrency("query", 1)
        yield* advance("20 seconds")
        expect(yield* starts.seconds).toEqual([["A", 0], ["E", 0]])
        expect((yield* queue.stats).lanes.query).toMatchObject({ pending: 1, active: 1, concurrency: 1 })
        yield* advance("80 seconds")
        expect(yield* starts.seconds).toEqual([["A", 0], ["E", 0], ["B", 100]])
        yield* b.await
      }))
  })
})
