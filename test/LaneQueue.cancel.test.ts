import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import * as LaneQueue from "../src/LaneQueue.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import { advance, isDone, makeProbe, makeQueue, recordEvents, settle, tagsOf } from "./utils/harness.js"
import { classify, eventsOf, failureOf } from "./utils/reliability.js"

describe("LaneQueue: cancel", () => {
  it.scoped("cancelAll interrupts pending and running tasks; submitters get TaskCancelled; permits come back", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      const probe = yield* makeProbe
      // execute: concurrency 4; 4 run, 6 wait.
      const fibers = yield* Effect.forEach(
        Array.from({ length: 10 }, (_, i) => i),
        (i) => Effect.fork(Effect.exit(queue.submit("execute", probe.sleep(`t${i}`, "10 seconds"))))
      )
      yield* advance("1 second")
      expect(yield* queue.stats).toMatchObject({ totalActive: 4, totalPending: 6 })
      expect(yield* queue.cancelAll).toBe(10)
      const exits = yield* Effect.forEach(fibers, Fiber.join)
      expect(exits.map(classify)).toEqual(Array.from({ length: 10 }, () => "cancelled"))
      for (const [i, exit] of exits.entries()) {
        const error = failureOf(exit)
        expect(error._tag === "Some" && error.value).toBeInstanceOf(LaneQueue.TaskCancelled)
        expect(error._tag === "Some" && error.value).toMatchObject({ taskId: `s-${i + 1}`, lane: "execute" })
      }
      // The running tasks' finalizers ran; the waiting ones never started.
      const state = yield* probe.state
      expect(state.interrupted).toEqual(["t0", "t1", "t2", "t3"])
      expect(state.finalized).toEqual(["t0", "t1", "t2", "t3"])
      expect(state.started).toEqual(["t0", "t1", "t2", "t3"])
      expect(state.running).toBe(0)
      const stats = yield* queue.stats
      expect(stats).toMatchObject({ totalActive: 0, totalPending: 0 })
      expect(stats.lanes.execute).toEqual({ pending: 0, active: 0, concurrency: 4 })
      expect(yield* queue.unfinished).toEqual([])
      // All 4 permits are free: 4 new tasks run at once and end together.
      const again = yield* Effect.fork(queue.submitBatch(
        "execute",
        Array.from({ length: 4 }, (_, i) => probe.sleep(`n${i}`, "1 second"))
      ))
      yield* settle
      expect((yield* probe.state).running).toBe(4)
      yield* advance("1 second")
      expect((yield* Fiber.join(again)).every(Exit.isSuccess)).toBe(true)
      expect((yield* queue.metrics).lanes.execute.counts).toMatchObject({ cancelled: 10, completed: 4 })
    }))

  it.scoped("cancelAll covers every lane, enqueued handles and batches, and emits Cancelled events", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      const events = yield* recordEvents(queue)
      const handle = yield* queue.enqueue("generate", Effect.never)
      const batch = yield* Effect.fork(queue.submitBatch("query", [Effect.never, Effect.never, Effect.succeed(1)]))
      const single = yield* Effect.fork(Effect.exit(queue.submitByTool("bash", Effect.never)))
      yield* settle
      expect(yield* queue.cancelAll).toBe(5)
      expect(classify(yield* Effect.exit(handle.await))).toBe("cancelled")
      expect((yield* Fiber.join(batch)).map(classify)).toEqual(["cancelled", "cancelled", "cancelled"])
      expect(classify(yield* Fiber.join(single))).toBe("cancelled")
      const all = yield* events
      for (let n = 1; n <= 5; n++) {
        expect(tagsOf(all, `s-${n}`).filter((tag) => tag === "Cancelled")).toHaveLength(1)
      }
      expect(yield* queue.cancelAll).toBe(0)
    }))

  it.scoped("cancel(id) cancels one task and returns true; the others go on", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      const probe = yield* makeProbe
      const a = yield* queue.enqueue("query", probe.sleep("a", "2 seconds"))
      const b = yield* queue.enqueue("query", probe.sleep("b", "2 seconds"))
      const c = yield* queue.enqueue("query", probe.sleep("c", "2 seconds"))
      yield* advance("1 second")
      // b waits; cancel it, then the running a.
      expect(yield* queue.cancel(b.id)).toBe(true)
      expect(classify(yield* Effect.exit(b.await))).toBe("cancelled")
      expect(yield* queue.cancel(a.id)).toBe(true)
      expect(classify(yield* Effect.exit(a.await))).toBe("cancelled")
      const cFiber = yield* Effect.fork(c.await)
      yield* settle
      // c started as soon as a was cancelled, at 1 s.
      expect((yield* probe.state).started).toEqual(["a", "c"])
      yield* advance("2 seconds")
      expect(yield* Fiber.join(cFiber)).toBe("c")
      expect((yield* probe.state).interrupted).toEqual(["a"])
    }))

  it.scoped("cancel of an unknown or finished ID returns false and changes nothing", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      expect(yield* queue.cancel("s-99")).toBe(false)
      expect(yield* queue.cancel("other-1")).toBe(false)
      const done = yield* queue.enqueue("query", Effect.succeed("done"))
      expect(yield* done.await).toBe("done")
      expect(yield* queue.cancel(done.id)).toBe(false)
      expect((yield* queue.metrics).totals.cancelled).toBe(0)
    }))

  it.scoped("a task cancelled during its retry delay is cancelled, not retried or dead-lettered", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { retry: RetryPolicy.fixed(3, "1 second") } })
      const fiber = yield* Effect.fork(Effect.exit(queue.submit("query", Effect.fail("x"))))
      yield* advance("500 millis", "500 millis")
      expect(yield* queue.cancel("s-1")).toBe(true)
      expect(classify(yield* Fiber.join(fiber))).toBe("cancelled")
      expect(yield* queue.deadLetters).toEqual([])
      expect((yield* queue.stats).totalActive).toBe(0)
    }))

  it.scoped("under totalConcurrency, cancelAll frees the budget as well", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ totalConcurrency: 2 })
      const probe = yield* makeProbe
      for (let i = 0; i < 5; i++) yield* queue.enqueue("query", probe.sleep(`old${i}`, "1 minute"))
      yield* settle
      expect((yield* probe.state).running).toBe(2)
      expect(yield* queue.cancelAll).toBe(5)
      yield* queue.enqueue("execute", probe.sleep("e", "1 second"))
      yield* queue.enqueue("generate", probe.sleep("g", "1 second"))
      yield* settle
      expect((yield* probe.state).running).toBe(2)
      yield* advance("1 second")
      expect([...(yield* probe.state).completed].sort()).toEqual(["e", "g"])
    }))

  it.scoped("control-lane work is never blocked by saturated lanes", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ totalConcurrency: 2, query: { concurrency: 1 } })
      const probe = yield* makeProbe
      for (let i = 0; i < 5; i++) yield* queue.enqueue("query", probe.sleep(`q${i}`, "1 minute"))
      for (let i = 0; i < 5; i++) yield* queue.enqueue("execute", probe.sleep(`e${i}`, "1 minute"))
      for (let i = 0; i < 5; i++) yield* queue.enqueue("generate", probe.sleep(`g${i}`, "1 minute"))
      yield* settle
      const pause = yield* Effect.fork(queue.submitByTool("pause", probe.sleep("pause", "10 millis")))
      yield* advance("10 millis", "10 millis")
      expect(yield* Fiber.join(pause)).toBe("pause")
      // A control task can cancel the rest of the session's work.
      const cancelled = yield* Effect.fork(queue.submitByTool("cancel", Effect.succeed("stop")))
      yield* settle
      expect(yield* Fiber.join(cancelled)).toBe("stop")
      expect(yield* queue.cancelAll).toBe(15)
      expect(yield* queue.stats).toMatchObject({ totalActive: 0, totalPending: 0 })
      expect(yield* isDone(pause)).toBe(true)
    }))

  it.scoped("a cancelled task whose finalizer fails: submitter, events and metrics agree on one outcome", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      const events = yield* recordEvents(queue)
      const handle = yield* queue.enqueue("execute", Effect.ensuring(Effect.never, Effect.dieMessage("cleanup failed")))
      yield* settle
      const reported = yield* queue.cancel(handle.id)
      const outcome = classify(yield* Effect.exit(handle.await))
      // The interruption ran the finalizer, which died: the task failed, and cancel says it did not cancel it.
      expect(outcome).toBe("failed")
      expect(reported).toBe(false)
      const terminal = { Completed: "succeeded", Failed: "failed", TimedOut: "timedOut", Cancelled: "cancelled" }
      const ends = (yield* events).flatMap((event) =>
        event.taskId === handle.id && event._tag in terminal ? [terminal[event._tag as keyof typeof terminal]] : []
      )
      expect(ends).toEqual([outcome])
      const counts = (yield* queue.metrics).lanes.execute.counts
      expect({ failed: counts.failed, cancelled: counts.cancelled }).toEqual({
        failed: outcome === "failed" ? 1 : 0,
        cancelled: outcome === "cancelled" ? 1 : 0
      })
    }))

  it.scoped("a waiting task cancelled has no Started event; a running one has Started then Cancelled", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      const events = yield* recordEvents(queue)
      yield* queue.enqueue("query", Effect.never)
      yield* queue.enqueue("query", Effect.never)
      yield* settle
      yield* queue.cancelAll
      const all = yield* events
      expect(tagsOf(all, "s-1")).toEqual(["Submitted", "Started", "Cancelled"])
      expect(tagsOf(all, "s-2")).toEqual(["Submitted", "Cancelled"])
      expect(eventsOf(all, "Cancelled")).toHaveLength(2)
    }))

  describe("cancelAll from inside a task never cancels that task (regressions)", () => {
    /** Runs `inner(queue)` as a task of `lane` next to two sleepers; returns its exit and cancelAll's count. */
    const fromInside = (
      settings: Parameters<typeof makeQueue>[0],
      lane: "query" | "execute",
      inner: (queue: LaneQueue.LaneQueue) => Effect.Effect<number>
    ) =>
      Effect.gen(function*() {
        const queue = yield* makeQueue(settings)
        const others = yield* Effect.forEach(
          ["a", "b"],
          () => Effect.fork(Effect.exit(queue.submit(lane, Effect.sleep("1 minute"))))
        )
        yield* settle
        const self = yield* Effect.fork(
          queue.submit(lane, Effect.flatMap(inner(queue), (n) => Effect.as(Effect.sleep("1 second"), n)))
        )
        yield* advance("2 seconds")
        const exit = yield* Fiber.await(self)
        const otherExits = yield* Effect.forEach(others, Fiber.join)
        return { exit, others: otherExits.map(classify) }
      })

    it.scoped("as the task's first action", () =>
      Effect.gen(function*() {
        const { exit, others } = yield* fromInside({}, "execute", (queue) => queue.cancelAll)
        expect(exit).toEqual(Exit.succeed(2))
        expect(others).toEqual(["cancelled", "cancelled"])
      }))

    it.scoped("on a lane with a timeout (the task runs inside the timeout's race)", () =>
      Effect.gen(function*() {
        const { exit, others } = yield* fromInside(
          { execute: { timeout: "1 hour" } },
          "execute",
          (queue) => queue.cancelAll
        )
        expect(exit).toEqual(Exit.succeed(2))
        expect(others).toEqual(["cancelled", "cancelled"])
      }))

    it.scoped("from a fiber the task forked", () =>
      Effect.gen(function*() {
        const { exit, others } = yield* fromInside({}, "query", (queue) =>
          Effect.flatMap(Effect.fork(queue.cancelAll), Fiber.join))
        expect(exit).toEqual(Exit.succeed(2))
        expect(others).toEqual(["cancelled", "cancelled"])
      }))
  })
})
