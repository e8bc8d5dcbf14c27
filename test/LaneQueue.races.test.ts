import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Ref, Scope, Stream } from "effect"
import type * as Lane from "../src/Lane.js"
import * as LaneQueue from "../src/LaneQueue.js"
import * as LanesConfig from "../src/LanesConfig.js"
import { makeQueue, recordEvents, settle, settleUntil } from "./utils/harness.js"

/**
 * Races found in review, made deterministic: a submitter that runs `n` steps before `submit` with
 * Effect's yield budget lowered to 20 steps is descheduled at every point of the submission in turn.
 */
const filler = (n: number): Effect.Effect<void> =>
  n <= 0 ? Effect.void : Effect.flatMap(Effect.void, () => filler(n - 1))
const descheduledAt = (n: number) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.yieldNow().pipe(Effect.zipRight(filler(n)), Effect.zipRight(self), Effect.withMaxOpsBeforeYield(20))
const offsets = Array.from({ length: 24 }, (_, n) => n)

describe("LaneQueue races", () => {
  it.effect("closing the scope while a submission is half-way never leaves the submitter hanging", () =>
    Effect.forEach(offsets, (n) =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const queue = yield* LaneQueue.make("s").pipe(Scope.extend(scope), Effect.provide(LanesConfig.layerWith({})))
        const submitter = yield* Effect.fork(Effect.exit(descheduledAt(n)(queue.submit("query", Effect.succeed(1)))))
        yield* Effect.yieldNow()
        yield* Effect.yieldNow()
        yield* Scope.close(scope, Exit.void)
        expect(yield* settleUntil(Effect.map(Fiber.poll(submitter), (poll) => poll._tag === "Some"))).toBe(true)
        expect(yield* queue.unfinished).toEqual([])
        expect((yield* queue.stats).totalPending).toBe(0)
      }), { discard: true }))

  it.effect("interrupting a submitter at any point of its submission means its task never runs", () =>
    Effect.forEach(offsets, (n) =>
      Effect.scoped(Effect.gen(function*() {
        const queue = yield* makeQueue({ query: { concurrency: 1 } })
        const ran = yield* Ref.make(false)
        const blocker = yield* queue.enqueue("query", Effect.never)
        const submitter = yield* Effect.fork(descheduledAt(n)(queue.submit("query", Ref.set(ran, true))))
        yield* Effect.yieldNow()
        yield* Effect.yieldNow()
        yield* Fiber.interrupt(submitter)
        yield* blocker.cancel
        yield* settle
        expect(yield* Ref.get(ran)).toBe(false)
        expect(yield* queue.unfinished).toEqual([])
      })), { discard: true }))

  it.effect("task IDs follow the order of the lane's line, whoever is descheduled", () =>
    Effect.forEach(offsets, (n) =>
      Effect.scoped(Effect.gen(function*() {
        const queue = yield* makeQueue({ query: { concurrency: 1 } })
        const events = yield* queue.subscribe
        const a = yield* Effect.fork(descheduledAt(n)(queue.submit("query", Effect.void)))
        const b = yield* Effect.fork(descheduledAt(8)(queue.submit("query", Effect.void)))
        yield* Fiber.join(a)
        yield* Fiber.join(b)
        const seen = yield* Stream.runCollect(Stream.take(events, 6))
        const submitted = Array.from(seen).filter((event) => event._tag === "Submitted").map((event) => event.taskId)
        const started = Array.from(seen).filter((event) => event._tag === "Started").map((event) => event.taskId)
        expect(submitted).toEqual(["s-1", "s-2"])
        expect(started).toEqual(["s-1", "s-2"])
      })), { discard: true }))

  it.scoped("a task whose fiber is interrupted by something else than the queue: the next task is untouched", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      // A interrupts the fiber it runs on (a lane worker) itself; that worker must not run B.
      const interruptSelf = Effect.withFiberRuntime<void>((fiber) => {
        fiber.unsafeInterruptAsFork(fiber.id())
        return Effect.void
      })
      const [a, b] = yield* queue.submitBatch("query", [
        Effect.zipRight(interruptSelf, Effect.never),
        Effect.succeed("B")
      ])
      expect(a !== undefined && Exit.isFailure(a) && Cause.isInterruptedOnly(a.cause)).toBe(true)
      expect(b).toEqual(Exit.succeed("B"))
      expect(yield* queue.unfinished).toEqual([])
    }))

  it.scoped("a failure that cannot be serialised (a BigInt, a cycle) still reaches its submitter; the lane goes on", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      const events = yield* recordEvents(queue)
      const cycle: { self?: unknown } = {}
      cycle.self = cycle
      expect(yield* Effect.exit(queue.submit("query", Effect.fail(1n)))).toEqual(Exit.fail(1n))
      expect(yield* Effect.exit(queue.submit("query", Effect.fail(cycle)))).toEqual(Exit.fail(cycle))
      expect(yield* queue.submit("query", Effect.succeed("ok"))).toBe("ok")
      const failed = (yield* events).flatMap((event) => event._tag === "Failed" ? [event.error] : [])
      expect(failed).toHaveLength(2)
      expect(failed[0]).toContain("1")
    }))

  describe("failures of any shape (regressions: describing them killed the process)", () => {
    /** A null-prototype object holding a BigInt: no toString, and JSON cannot serialise it. */
    const nullPrototype = (): object => {
      const value: { n?: bigint } = Object.create(null)
      value.n = 10n
      return value
    }

    it.scoped("a failure with a null-prototype object holding a BigInt: submitter answered, final event, drain woken", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue({ query: { retry: { _tag: "None" } } })
        const events = yield* recordEvents(queue)
        const error = nullPrototype()
        const drain = yield* Effect.fork(queue.drain("1 minute"))
        // failing synchronously (the first thing the task does) and after a suspension
        expect(yield* Effect.exit(queue.submit("query", Effect.fail(error)))).toEqual(Exit.fail(error))
        expect(yield* Effect.exit(queue.submit("query", Effect.zipRight(Effect.yieldNow(), Effect.fail(error)))))
          .toEqual(Exit.fail(error))
        const exits = yield* queue.submitBatch("query", [Effect.fail(error), Effect.die(error), Effect.succeed(1)])
        expect(exits.map(Exit.isSuccess)).toEqual([false, false, true])
        yield* Fiber.join(drain)
        const finals = (yield* events).filter((event) => event._tag === "Failed" || event._tag === "Completed")
        expect(finals.map((event) => event._tag)).toEqual(["Failed", "Failed", "Failed", "Failed", "Completed"])
        for (const event of finals) if (event._tag === "Failed") expect(typeof event.error).toBe("string")
        expect(yield* queue.unfinished).toEqual([])
      }))

    it.scoped("a failure whose getters throw is described all the same", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const events = yield* recordEvents(queue)
        const hostile = new Error("x")
        Object.defineProperty(hostile, "message", {
          get() {
            throw new Error("no message for you")
          }
        })
        expect(Exit.isFailure(yield* Effect.exit(queue.submit("query", Effect.fail(hostile))))).toBe(true)
        expect((yield* events).filter((event) => event._tag === "Failed")).toHaveLength(1)
      }))
  })

  describe("untyped input fails as an effect (regression: it threw at the call)", () => {
    /** A lane name as untyped JavaScript would pass it. */
    const untypedLane = (name: string): Lane.Lane => JSON.parse(JSON.stringify(name))

    it.scoped("submit, submitBatch and enqueue to an unknown lane name die in the effect, naming it", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const lane = untypedLane("qurey")
        for (
          const attempt of [
            () => queue.submit(lane, Effect.void),
            () => queue.submitBatch(lane, [Effect.void]),
            () => queue.enqueue(lane, Effect.void),
            () => queue.submitExternal(lane, { commandType: "x" })
          ]
        ) {
          const effect = attempt()
          const exit = yield* Effect.exit(effect)
          expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
          expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("qurey")
        }
        expect(yield* queue.submit("query", Effect.succeed(1))).toBe(1)
      }))
  })
})
