import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import * as RetryPolicy from "../src/RetryPolicy.js"
import { advance, makeQueue, recordEvents } from "./utils/harness.js"
import { classify, eventsOf, failureOf } from "./utils/reliability.js"

class Boom extends Error {
  readonly _tag = "Boom"
}

describe("LaneQueue: dead letters", () => {
  it.scoped("a task failing every attempt is recorded with attempts = retries + 1; the submitter still fails", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { retry: RetryPolicy.fixed(2, "1 second") } })
      const fiber = yield* Effect.fork(Effect.exit(queue.submitByTool("grep", Effect.fail(new Boom("no match")))))
      yield* advance("3 seconds")
      const exit = yield* Fiber.join(fiber)
      const error = failureOf(exit)
      expect(error._tag === "Some" && error.value).toBeInstanceOf(Boom)
      const letters = yield* queue.deadLetters
      expect(letters).toHaveLength(1)
      expect(letters[0]).toEqual({
        taskId: "s-1",
        lane: "query",
        commandType: "grep",
        error: "Boom: no match",
        attempts: 3,
        at: 2000
      })
      const counts = (yield* queue.metrics).lanes.query.counts
      expect(counts).toMatchObject({ failed: 1, deadLettered: 1 })
    }))

  it.scoped("exponential: attempts = 4", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { retry: RetryPolicy.exponential() } })
      const fiber = yield* Effect.fork(Effect.exit(queue.submit("execute", Effect.fail("down"))))
      yield* advance("1 second", "100 millis")
      expect(classify(yield* Fiber.join(fiber))).toBe("failed")
      const letters = yield* queue.deadLetters
      expect(letters.map(({ attempts, commandType, lane }) => ({ attempts, commandType, lane }))).toEqual([
        { attempts: 4, commandType: "execute", lane: "execute" }
      ])
      expect(letters[0]?.at).toBe(700)
    }))

  it.scoped("a task that times out on every attempt is dead-lettered too", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { timeout: "1 second", retry: RetryPolicy.fixed(1, "1 second") } })
      const fiber = yield* Effect.fork(Effect.exit(queue.submit("query", Effect.never)))
      yield* advance("5 seconds")
      expect(classify(yield* Fiber.join(fiber))).toBe("timedOut")
      const letters = yield* queue.deadLetters
      expect(letters).toHaveLength(1)
      expect(letters[0]?.attempts).toBe(2)
      expect(letters[0]?.error).toContain("TaskTimeout")
    }))

  it.scoped("a success after retries, a task on a lane without retries, and a cancelled task are not recorded", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { retry: RetryPolicy.fixed(1, "1 second") } })
      let calls = 0
      const flaky = Effect.suspend(() => ++calls === 1 ? Effect.fail("first") : Effect.succeed("second"))
      const ok = yield* Effect.fork(queue.submit("query", flaky))
      const plain = yield* Effect.fork(Effect.exit(queue.submit("execute", Effect.fail("no retry policy"))))
      const cancelled = yield* queue.enqueue("query", Effect.never)
      yield* advance("2 seconds")
      yield* cancelled.cancel
      expect(yield* Fiber.join(ok)).toBe("second")
      expect(classify(yield* Fiber.join(plain))).toBe("failed")
      expect(classify(yield* Effect.exit(cancelled.await))).toBe("cancelled")
      expect(yield* queue.deadLetters).toEqual([])
    }))

  it.scoped("capacity 3: the 4th dead letter evicts the oldest", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({
        deadLetterCapacity: 3,
        query: { retry: RetryPolicy.fixed(1, "1 second") }
      })
      for (let i = 1; i <= 3; i++) {
        const exit = yield* Effect.fork(Effect.exit(queue.submit("query", Effect.fail(`e${i}`))))
        yield* advance("1 second")
        expect(Exit.isFailure(yield* Fiber.join(exit))).toBe(true)
      }
      expect((yield* queue.deadLetters).map((letter) => letter.error)).toEqual(["e1", "e2", "e3"])
      const fourth = yield* Effect.fork(Effect.exit(queue.submit("query", Effect.fail("e4"))))
      yield* advance("1 second")
      yield* Fiber.join(fourth)
      const letters = yield* queue.deadLetters
      expect(letters.map((letter) => letter.error)).toEqual(["e2", "e3", "e4"])
      expect(letters.map((letter) => letter.taskId)).toEqual(["s-2", "s-3", "s-4"])
      // The counter still counts every dead letter, evicted or not.
      expect((yield* queue.metrics).totals.deadLettered).toBe(4)
    }))

  it.scoped("a DeadLettered event comes just before the final Failed event, which stays the task's last", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ generate: { retry: RetryPolicy.fixed(2, "100 millis") } })
      const events = yield* recordEvents(queue)
      const fiber = yield* Effect.fork(Effect.exit(queue.submitByTool("llm", Effect.fail("overloaded"))))
      yield* advance("1 second", "100 millis")
      yield* Fiber.join(fiber)
      const all = yield* events
      const deadLettered = eventsOf(all, "DeadLettered")
      expect(deadLettered).toHaveLength(1)
      expect(deadLettered[0]).toMatchObject({
        taskId: "s-1",
        lane: "generate",
        attempts: 3,
        error: "overloaded",
        at: 200
      })
      const tags = all.map((event) => event._tag)
      expect(tags.indexOf("Failed")).toBe(tags.indexOf("DeadLettered") + 1)
      expect(tags[tags.length - 1]).toBe("Failed")
    }))
})
