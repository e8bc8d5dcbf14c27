import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Fiber, Layer, Scope } from "effect"
import * as LaneQueue from "../src/LaneQueue.js"
import { advance, isDone, isInterruptedExit, makeProbe, makeQueue, now, queueLayer, settle } from "./utils/harness.js"

const noTasks: ReadonlyArray<Effect.Effect<number>> = []

describe("LaneQueue shutdown and drain", () => {
  it.scoped("after shutdown every way of submitting fails with QueueShutdown", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      expect(yield* queue.isAccepting).toBe(true)
      yield* queue.shutdown
      expect(yield* queue.isAccepting).toBe(false)
      const errors = [
        yield* Effect.flip(queue.submit("query", Effect.succeed(1))),
        yield* Effect.flip(queue.submitByTool("read", Effect.succeed(1))),
        yield* Effect.flip(queue.enqueue("query", Effect.succeed(1))),
        yield* Effect.flip(queue.submitBatch("query", [Effect.succeed(1)])),
        yield* Effect.flip(queue.submitBatch("query", noTasks))
      ]
      for (const error of errors) {
        expect(error).toBeInstanceOf(LaneQueue.QueueShutdown)
        expect(error._tag).toBe("QueueShutdown")
      }
      yield* queue.shutdown // idempotent
      expect(yield* queue.unfinished).toEqual([])
    }))

  it.scoped("a refused task never runs", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      const probe = yield* makeProbe
      yield* queue.shutdown
      yield* Effect.exit(queue.submit("query", probe.sleep("refused", "1 second")))
      yield* Effect.exit(queue.enqueue("query", probe.sleep("refused", "1 second")))
      yield* Effect.exit(queue.submitBatch("query", [probe.sleep("refused", "1 second")]))
      yield* advance("2 seconds")
      expect((yield* probe.state).started).toEqual([])
    }))

  it.scoped("work accepted before shutdown still runs to completion", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      const probe = yield* makeProbe
      const handles = yield* Effect.forEach(["a", "b"], (label) =>
        queue.enqueue("query", probe.sleep(label, "2 seconds")))
      const submitter = yield* Effect.fork(queue.submit("query", probe.sleep("c", "2 seconds")))
      const batch = yield* Effect.fork(queue.submitBatch("query", [probe.sleep("d", "2 seconds")]))
      yield* settle
      yield* queue.shutdown
      yield* advance("8 seconds")
      expect(
        yield* Effect.forEach(handles, (handle) =>
          handle.await)
      ).toEqual(["a", "b"])
      expect(yield* Fiber.join(submitter)).toBe("c")
      expect(yield* Fiber.join(batch)).toEqual([Exit.succeed("d")])
      expect((yield* probe.state).completed).toEqual(["a", "b", "c", "d"])
    }))

  it.scoped("drain succeeds as soon as the work is done", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { concurrency: 1 } })
      yield* queue.enqueue("execute", Effect.sleep("2 seconds"))
      yield* queue.enqueue("execute", Effect.sleep("1 second"))
      yield* queue.enqueue("query", Effect.sleep("2500 millis"))
      yield* queue.shutdown
      const drained = yield* Effect.fork(Effect.zipRight(queue.drain("10 seconds"), now))
      yield* advance("2 seconds", "500 millis")
      expect(yield* isDone(drained)).toBe(false)
      yield* advance("1 second", "500 millis")
      expect(yield* Fiber.join(drained)).toBe(3000)
    }))

  it.scoped("drain of an idle queue succeeds at once, shut down or not", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      yield* queue.drain("1 second")
      yield* queue.submit("query", Effect.void)
      yield* queue.drain(0)
      yield* queue.shutdown
      yield* queue.drain("1 second")
      expect(yield* now).toBe(0)
    }))

  it.scoped("drain fails with DrainTimeout naming the unfinished tasks in submission order", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      const probe = yield* makeProbe
      const quick = yield* queue.enqueue("query", probe.sleep("quick", "2 seconds"))
      const running = yield* queue.enqueue("query", probe.sleep("running", "20 seconds"))
      const waiting = yield* queue.enqueue("query", probe.sleep("waiting", "1 second"))
      const other = yield* queue.enqueue("generate", probe.sleep("other", "30 seconds"))
      const drained = yield* Effect.fork(Effect.flip(queue.drain("5 seconds")))
      yield* advance("5 seconds")
      const error = yield* Fiber.join(drained)
      expect(error).toBeInstanceOf(LaneQueue.DrainTimeout)
      expect(error._tag).toBe("DrainTimeout")
      expect(error.pending).toEqual([running.id, waiting.id, other.id])
      expect(error.pending).toEqual(["s-2", "s-3", "s-4"])
      expect(yield* quick.await).toBe("quick")
      // The work goes on after the failed drain.
      yield* advance("30 seconds")
      expect((yield* probe.state).completed).toEqual(["quick", "running", "waiting", "other"])
      yield* queue.drain("1 second")
    }))

  it.effect("closing the scope interrupts running and waiting tasks and releases every submitter", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(queueLayer({ query: { concurrency: 2 } }), scope)
      const queue = Context.get(context, LaneQueue.LaneQueue)
      const probe = yield* makeProbe
      const task = (label: string) => probe.sleep(label, "100 seconds")
      const handles = yield* Effect.forEach(["h1", "h2"], (label) => queue.enqueue("query", task(label)))
      const submitters = [
        yield* Effect.fork(queue.submit("query", task("s1"))),
        yield* Effect.fork(queue.submitByTool("read", task("s2")))
      ]
      const batch = yield* Effect.fork(queue.submitBatch("query", [task("b1"), task("b2")]))
      const handleWaiters = yield* Effect.forEach(handles, (handle) => Effect.fork(handle.await))
      yield* settle
      expect((yield* queue.stats).lanes.query).toMatchObject({ active: 2, pending: 4 })
      yield* Scope.close(scope, Exit.void)
      yield* settle
      const state = yield* probe.state
      expect(state.started).toEqual(["h1", "h2"])
      expect(state.interrupted).toEqual(expect.arrayContaining(["h1", "h2"]))
      expect(state.finalized).toHaveLength(2)
      expect(state.running).toBe(0)
      for (const fiber of [...submitters, ...handleWaiters]) {
        expect(yield* isDone(fiber)).toBe(true)
        expect(isInterruptedExit(yield* Fiber.await(fiber))).toBe(true)
      }
      expect(yield* isDone(batch)).toBe(true)
      const batchExit = yield* Fiber.await(batch)
      // Either the batch itself is interrupted, or it returns one interrupted Exit per task.
      if (Exit.isSuccess(batchExit)) {
        expect(batchExit.value).toHaveLength(2)
        for (const exit of batchExit.value) expect(isInterruptedExit(exit)).toBe(true)
      } else {
        expect(Cause.isInterruptedOnly(batchExit.cause)).toBe(true)
      }
      // A closed queue refuses new work instead of hanging.
      const refused = yield* Effect.flip(queue.submit("query", Effect.void))
      expect(refused._tag).toBe("QueueShutdown")
      yield* advance("200 seconds", "100 seconds")
      expect((yield* probe.state).started).toEqual(["h1", "h2"])
    }))

  it.effect("closing the scope of make() right after submissions leaves nobody hanging", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const queue = yield* Scope.extend(makeQueue({ execute: { concurrency: 1 } }), scope)
      const handle = yield* queue.enqueue("execute", Effect.never)
      const waiter = yield* Effect.fork(handle.await)
      const submitter = yield* Effect.fork(queue.submit("execute", Effect.never))
      yield* Effect.yieldNow()
      yield* Scope.close(scope, Exit.void)
      yield* settle
      expect(isInterruptedExit(yield* Fiber.await(waiter))).toBe(true)
      expect(yield* isDone(submitter)).toBe(true)
    }))
})
