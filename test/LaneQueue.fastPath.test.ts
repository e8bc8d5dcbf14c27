/**
 * The idle-lane fast path: a `submit` to a lane with nothing in its line, a free permit, no session
 * budget and no rate limit starts its task at once on a fiber of its own instead of handing it to a
 * worker. Everything the contract promises must hold there as on the worker path: FIFO, the bound,
 * timeouts from the start, cancel and interruption, events in order, the submitter's context.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, FiberRef, HashMap, Layer, Option, Predicate, Ref } from "effect"
import type * as LaneEvent from "../src/LaneEvent.js"
import type * as LaneQueue from "../src/LaneQueue.js"
import { advance, isDone, makeProbe, makeQueue, recordEvents, settle, tagsOf } from "./utils/harness.js"
import { classify, failureOf } from "./utils/reliability.js"

const startedIds = (events: ReadonlyArray<LaneEvent.LaneEvent>) =>
  events.filter((event) => event._tag === "Started").map((event) => event.taskId)

class Greeting extends Context.Tag("test/Greeting")<Greeting, string>() {}

describe("LaneQueue: the idle-lane fast path", () => {
  it.scoped("a task that completes without suspending has answered when submit returns; events in order", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 2 } })
      const events = yield* recordEvents(queue)
      for (let i = 1; i <= 3; i++) expect(yield* queue.submit("query", Effect.succeed(i))).toBe(i)
      expect(yield* queue.stats).toMatchObject({ totalActive: 0, totalPending: 0 })
      const seen = yield* events
      for (const id of ["s-1", "s-2", "s-3"]) expect(tagsOf(seen, id)).toEqual(["Submitted", "Started", "Completed"])
      expect(startedIds(seen)).toEqual(["s-1", "s-2", "s-3"])
      expect((yield* queue.metrics).lanes.query.counts).toMatchObject({ submitted: 3, started: 3, completed: 3 })
    }))

  it.scoped("a submit to a lane with free permits but a line does not overtake it (FIFO against a batch)", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 4 } })
      const events = yield* recordEvents(queue)
      // The batch is accepted (its tasks wait in the line for the workers just woken) and, in the same
      // fiber step, a submit arrives while three permits are free: it must queue behind the batch.
      const both = yield* Effect.fork(
        Effect.all([
          queue.submitBatch("query", [Effect.succeed("b1"), Effect.succeed("b2")]),
          queue.submit("query", Effect.succeed("s"))
        ], { concurrency: "unbounded" })
      )
      yield* settle
      const [batch, single] = yield* Fiber.join(both)
      expect(batch.map(Exit.isSuccess)).toEqual([true, true])
      expect(single).toBe("s")
      expect(startedIds(yield* events)).toEqual(["s-1", "s-2", "s-3"])
    }))

  it.scoped("an enqueued task waiting for its worker is not overtaken by a submit in the same step", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 2 } })
      const probe = yield* makeProbe
      // enqueue, then submit in the same fiber step: A waits in the line for the worker just woken
      const both = yield* Effect.fork(
        Effect.flatMap(
          queue.enqueue("query", probe.sleep("A", "1 second")),
          (handle) => Effect.zip(queue.submit("query", probe.sleep("B", "1 second")), handle.await)
        )
      )
      yield* advance("2 seconds")
      expect(yield* Fiber.join(both)).toEqual(["B", "A"])
      expect((yield* probe.state).started).toEqual(["A", "B"])
    }))

  it.scoped("fast-path tasks count against the lane's bound; the next ones wait in the line, in order", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { concurrency: 2 } })
      const probe = yield* makeProbe
      const fibers = yield* Effect.forEach(
        ["a", "b", "c", "d", "e"],
        (label) => Effect.fork(queue.submit("execute", probe.sleep(label, "1 second")))
      )
      yield* settle
      expect(yield* queue.stats).toMatchObject({ totalActive: 2, totalPending: 3 })
      yield* advance("3 seconds")
      expect(yield* Effect.forEach(fibers, Fiber.join)).toEqual(["a", "b", "c", "d", "e"])
      const state = yield* probe.state
      expect(state.peak).toBe(2)
      expect(state.started).toEqual(["a", "b", "c", "d", "e"])
    }))

  it.scoped("the lane timeout counts from the start; the permit comes back", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1, timeout: "1 second" } })
      const events = yield* recordEvents(queue)
      const fiber = yield* Effect.fork(Effect.exit(queue.submit("query", Effect.never)))
      yield* advance("999 millis", "999 millis")
      expect(yield* isDone(fiber)).toBe(false)
      yield* advance("1 millis", "1 millis")
      expect(classify(yield* Fiber.join(fiber))).toBe("timedOut")
      expect(tagsOf(yield* events, "s-1")).toEqual(["Submitted", "Started", "TimedOut"])
      expect(yield* queue.stats).toMatchObject({ totalActive: 0 })
      expect(yield* queue.submit("query", Effect.succeed("next"))).toBe("next")
    }))

  it.scoped("cancel stops the work: the submitter gets TaskCancelled, the finalizer runs, the line moves", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      const events = yield* recordEvents(queue)
      const probe = yield* makeProbe
      const first = yield* Effect.fork(Effect.exit(queue.submit("query", probe.wrap("A", Effect.never))))
      yield* settle
      const second = yield* Effect.fork(queue.submit("query", probe.sleep("B", "1 second")))
      yield* settle
      expect(yield* queue.cancel("s-1")).toBe(true)
      const exit = yield* Fiber.join(first)
      expect(Option.map(failureOf(exit), (error) => Predicate.isTagged(error, "TaskCancelled"))).toEqual(
        Option.some(true)
      )
      expect((yield* probe.state).interrupted).toEqual(["A"])
      yield* advance("1 second")
      expect(yield* Fiber.join(second)).toBe("B")
      expect(tagsOf(yield* events, "s-1")).toEqual(["Submitted", "Started", "Cancelled"])
    }))

  it.scoped("interrupting the submitter stops the work and frees the permit", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      const probe = yield* makeProbe
      const submitter = yield* Effect.fork(queue.submit("query", probe.wrap("A", Effect.never)))
      yield* settle
      yield* Fiber.interrupt(submitter)
      expect((yield* probe.state).interrupted).toEqual(["A"])
      expect(yield* queue.stats).toMatchObject({ totalActive: 0, totalPending: 0 })
      expect(yield* queue.unfinished).toEqual([])
    }))

  it.scoped("cancelAll from inside a fast-path task leaves that task alone", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      const exit = yield* Effect.exit(queue.submit("query", queue.cancelAll))
      expect(exit).toEqual(Exit.succeed(0))
    }))

  it.scoped("the task runs with its submitter's services, FiberRefs, annotations and span", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      const ref = yield* FiberRef.make("default")
      const seen = yield* Effect.gen(function*() {
        const greeting = yield* Greeting
        const value = yield* FiberRef.get(ref)
        const annotations = yield* Effect.logAnnotations
        const span = yield* Effect.currentSpan
        return { greeting, value, request: Option.getOrUndefined(HashMap.get(annotations, "request")), span: span.name }
      }).pipe(
        (task) => queue.submit("query", task),
        Effect.withSpan("caller"),
        Effect.annotateLogs("request", "r-1"),
        Effect.locally(ref, "submitter's"),
        Effect.provide(Layer.succeed(Greeting, "hello"))
      )
      expect(seen).toEqual({ greeting: "hello", value: "submitter's", request: "r-1", span: "caller" })
    }))

  it.scoped("closing the queue interrupts a running fast-path task and releases its submitter", () =>
    Effect.gen(function*() {
      const probe = yield* makeProbe
      const ready = yield* Ref.make<LaneQueue.LaneQueue | undefined>(undefined)
      const scoped = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
        const queue = yield* makeQueue({ query: { concurrency: 1 } })
        yield* Ref.set(ready, queue)
        return yield* Effect.never
      })))
      yield* settle
      const queue = yield* Ref.get(ready)
      if (queue === undefined) return expect.fail("no queue")
      const submitter = yield* Effect.fork(Effect.exit(queue.submit("query", probe.wrap("A", Effect.never))))
      yield* settle
      yield* Fiber.interrupt(scoped)
      const exit = yield* Fiber.join(submitter)
      expect(Exit.isFailure(exit)).toBe(true)
      expect((yield* probe.state).interrupted).toEqual(["A"])
    }))
})
