import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Ref } from "effect"
import * as LaneQueue from "../src/LaneQueue.js"
import { advance, isDone, makeProbe, makeQueue, now } from "./utils/harness.js"

describe("LaneQueue timeouts", () => {
  it.scoped("a task longer than its lane timeout fails with TaskTimeout and is interrupted", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { timeout: "5 seconds" } })
      const probe = yield* makeProbe
      const after = yield* Ref.make(false)
      const handle = yield* queue.enqueue(
        "query",
        probe.wrap("slow", Effect.zipRight(Effect.sleep("8 seconds"), Ref.set(after, true)))
      )
      const outcome = yield* Effect.fork(Effect.exit(handle.await))
      yield* advance("4 seconds")
      expect(yield* isDone(outcome)).toBe(false)
      yield* advance("1 second")
      const exit = yield* Fiber.join(outcome)
      expect(yield* now).toBe(5000)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Effect.flip(handle.await)
      expect(error).toBeInstanceOf(LaneQueue.TaskTimeout)
      if (error instanceof LaneQueue.TaskTimeout) {
        expect(error._tag).toBe("TaskTimeout")
        expect(error.taskId).toBe(handle.id)
        expect(error.lane).toBe("query")
        expect(Duration.toMillis(error.timeout)).toBe(5000)
      }
      const state = yield* probe.state
      expect(state.interrupted).toEqual(["slow"])
      expect(state.running).toBe(0)
      yield* advance("5 seconds")
      expect(yield* Ref.get(after)).toBe(false)
      expect((yield* queue.stats).totalActive).toBe(0)
    }))

  it.scoped("submit fails with TaskTimeout; a shorter task in the same lane succeeds", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { timeout: "5 seconds" } })
      const probe = yield* makeProbe
      const slow = yield* Effect.fork(Effect.flip(queue.submit("execute", probe.sleep("slow", "6 seconds"))))
      const quick = yield* Effect.fork(queue.submit("execute", probe.sleep("quick", "4999 millis")))
      yield* advance("6 seconds", "500 millis")
      expect(yield* Fiber.join(quick)).toBe("quick")
      const error = yield* Fiber.join(slow)
      expect(error._tag).toBe("TaskTimeout")
      expect((yield* probe.state).interrupted).toEqual(["slow"])
    }))

  it.scoped("the timeout counts from the start, not while the task waits for a permit", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1, timeout: "5 seconds" } })
      const probe = yield* makeProbe
      // Three blockers (4 + 4 + 2 seconds, each within the timeout) hold the only permit for 10 s.
      for (const [label, seconds] of [["x1", 4], ["x2", 4], ["x3", 2]] as const) {
        yield* queue.enqueue("query", probe.sleep(label, `${seconds} seconds`))
      }
      const ok = yield* queue.enqueue("query", probe.sleep("ok", "4500 millis"))
      const late = yield* queue.enqueue("query", probe.sleep("late", "6 seconds"))
      const okFiber = yield* Effect.fork(Effect.zip(ok.await, now))
      const lateFiber = yield* Effect.fork(Effect.zip(Effect.flip(late.await), now))
      yield* advance("25 seconds", "500 millis")
      // "ok" waited 10 s, then ran its full 4.5 s: it finishes at 14.5 s.
      expect(yield* Fiber.join(okFiber)).toEqual(["ok", 14_500])
      // "late" started at 14.5 s and is cut off 5 s later.
      const [error, at] = yield* Fiber.join(lateFiber)
      expect(error._tag).toBe("TaskTimeout")
      expect(at).toBe(19_500)
      const state = yield* probe.state
      expect(state.completed).toEqual(["x1", "x2", "x3", "ok"])
      expect(state.interrupted).toEqual(["late"])
    }))

  it.scoped("a timeout in one lane does not apply to another", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { timeout: "1 second" } })
      const fiber = yield* Effect.fork(queue.submit("execute", Effect.as(Effect.sleep("10 seconds"), "done")))
      yield* advance("10 seconds")
      expect(yield* Fiber.join(fiber)).toBe("done")
    }))

  it.scoped("in a batch a timed-out task fails alone", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ generate: { timeout: "3 seconds" } })
      const batch = yield* Effect.fork(queue.submitBatch("generate", [
        Effect.as(Effect.sleep("1 second"), 1),
        Effect.as(Effect.sleep("5 seconds"), 2),
        Effect.as(Effect.sleep("2 seconds"), 3)
      ]))
      yield* advance("5 seconds")
      const exits = yield* Fiber.join(batch)
      expect(exits[0]).toEqual(Exit.succeed(1))
      expect(exits[2]).toEqual(Exit.succeed(3))
      const failed = exits[1]!
      expect(Exit.isFailure(failed)).toBe(true)
      if (Exit.isFailure(failed)) {
        const error = failed.cause._tag === "Fail" ? failed.cause.error : undefined
        expect(error).toBeInstanceOf(LaneQueue.TaskTimeout)
        expect(error?._tag === "TaskTimeout" && error.taskId).toBe("s-2")
      }
    }))
})
