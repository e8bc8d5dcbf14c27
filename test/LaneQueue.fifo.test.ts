import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Ref } from "effect"
import { advance, isCancelledExit, isDone, makeProbe, makeQueue, settle } from "./utils/harness.js"

/** Runs a labelled task in some scheduler; returns the task's label. */
type Run = (label: string, task: Effect.Effect<void>) => Effect.Effect<string, unknown>

/**
 * Concurrency 1: A runs until `release` completes, B and C wait; a newcomer D submits the instant A
 * completes (its submitter wakes on the same `Deferred` right after A's fiber). Returns start order.
 */
const newcomerScenario = (run: Run) =>
  Effect.gen(function*() {
    const release = yield* Deferred.make<void>()
    const started = yield* Ref.make<ReadonlyArray<string>>([])
    const task = (label: string, body: Effect.Effect<void>) =>
      run(label, Effect.zipRight(Ref.update(started, (s) => [...s, label]), body))
    yield* Effect.fork(task("A", Deferred.await(release)))
    yield* settle
    yield* Effect.fork(task("B", Effect.sleep("1 second")))
    yield* settle
    yield* Effect.fork(task("C", Effect.sleep("1 second")))
    yield* settle
    yield* Effect.fork(Effect.zipRight(Deferred.await(release), task("D", Effect.sleep("1 second"))))
    yield* settle
    yield* Deferred.succeed(release, undefined)
    yield* advance("5 seconds")
    return yield* Ref.get(started)
  })

describe("LaneQueue FIFO", () => {
  it.effect("the newcomer scenario lets a bare Semaphore barge (so the next test can fail)", () =>
    Effect.gen(function*() {
      const semaphore = yield* Effect.makeSemaphore(1)
      const order = yield* newcomerScenario((label, task) => semaphore.withPermits(1)(Effect.as(task, label)))
      expect(order).not.toEqual(["A", "B", "C", "D"])
    }))

  it.scoped("a newcomer arriving the instant a permit is released does not overtake waiters", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      const order = yield* newcomerScenario((label, task) => queue.submit("query", Effect.as(task, label)))
      expect(order).toEqual(["A", "B", "C", "D"])
    }))

  it.scoped("a newcomer whose sleep ends the same virtual instant as the running task waits its turn", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      const probe = yield* makeProbe
      yield* queue.enqueue("query", probe.sleep("A", "10 seconds"))
      yield* queue.enqueue("query", probe.sleep("B", "1 second"))
      yield* queue.enqueue("query", probe.sleep("C", "1 second"))
      const late = yield* Effect.fork(
        Effect.zipRight(Effect.sleep("10 seconds"), queue.submit("query", probe.sleep("D", "1 second")))
      )
      yield* advance("13 seconds")
      expect(yield* Fiber.join(late)).toBe("D")
      expect((yield* probe.state).started).toEqual(["A", "B", "C", "D"])
    }))

  it.scoped("the same at concurrency 2, with the newcomer arriving as two permits free", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { concurrency: 2 } })
      const probe = yield* makeProbe
      for (const label of ["A1", "A2", "B", "C", "D"]) {
        yield* queue.enqueue("execute", probe.sleep(label, label.startsWith("A") ? "10 seconds" : "3 seconds"))
      }
      yield* Effect.fork(
        Effect.zipRight(Effect.sleep("10 seconds"), queue.submit("execute", probe.sleep("E", "1 second")))
      )
      yield* advance("20 seconds")
      expect((yield* probe.state).started).toEqual(["A1", "A2", "B", "C", "D", "E"])
    }))

  it.scoped("tasks start in call order across submit, enqueue and submitBatch", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 1 } })
      const probe = yield* makeProbe
      const t = (label: string) => probe.sleep(label, "1 second")
      const fibers: Array<Fiber.Fiber<unknown, unknown>> = []
      fibers.push(yield* Effect.fork(queue.submit("query", t("1"))))
      yield* settle
      fibers.push(yield* Effect.map(queue.enqueue("query", t("2")), (h) => h.await).pipe(Effect.flatten, Effect.fork))
      yield* settle
      fibers.push(yield* Effect.fork(queue.submitBatch("query", [t("3"), t("4"), t("5")])))
      yield* settle
      const h6 = yield* queue.enqueue("query", t("6"))
      fibers.push(yield* Effect.fork(queue.submit("query", t("7"))))
      yield* settle
      fibers.push(yield* Effect.fork(queue.submitBatch("query", [t("8"), t("9")])))
      yield* settle
      const h10 = yield* queue.enqueue("query", t("10"))
      yield* advance("10 seconds")
      yield* Effect.forEach(fibers, Fiber.join)
      expect(yield* h6.await).toBe("6")
      expect(yield* h10.await).toBe("10")
      expect((yield* probe.state).started).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"])
    }))

  it.scoped("a mix at concurrency 3 starts in call order", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ generate: { concurrency: 3 } })
      const probe = yield* makeProbe
      const labels = Array.from({ length: 12 }, (_, i) => `${i}`)
      // Durations vary so that permits free in a different order than they were taken.
      const t = (i: number) => probe.sleep(labels[i]!, `${1 + ((i * 7) % 4)} seconds`)
      yield* Effect.fork(queue.submitBatch("generate", [t(0), t(1), t(2), t(3)]))
      yield* settle
      for (let i = 4; i < 8; i++) yield* queue.enqueue("generate", t(i))
      yield* Effect.fork(queue.submit("generate", t(8)))
      yield* settle
      yield* Effect.fork(queue.submitBatch("generate", [t(9), t(10), t(11)]))
      yield* advance("30 seconds")
      const state = yield* probe.state
      expect(state.started).toEqual(labels)
      expect(state.completed).toHaveLength(12)
      expect(state.peak).toBe(3)
    }))

  describe("cancelled waiters leave the line without breaking the order", () => {
    it.scoped("cancelling an enqueued waiter from the middle of the line", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue({ query: { concurrency: 1 } })
        const probe = yield* makeProbe
        const handles = yield* Effect.forEach(
          ["A", "B", "C", "D"],
          (label) => queue.enqueue("query", probe.sleep(label, "2 seconds"))
        )
        yield* settle
        yield* handles[2]!.cancel
        const stats = yield* queue.stats
        expect(stats.lanes.query).toMatchObject({ pending: 2, active: 1 })
        const exit = yield* Effect.exit(handles[2]!.await)
        expect(isCancelledExit(exit)).toBe(true)
        yield* advance("10 seconds")
        expect((yield* probe.state).started).toEqual(["A", "B", "D"])
        expect(yield* queue.unfinished).toEqual([])
      }))

    it.scoped("cancelling the waiter at the front of the line (the one waiting for the permit)", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue({ query: { concurrency: 1 } })
        const probe = yield* makeProbe
        const handles = yield* Effect.forEach(
          ["A", "B", "C", "D"],
          (label) => queue.enqueue("query", probe.sleep(label, "2 seconds"))
        )
        yield* settle
        yield* handles[1]!.cancel
        const late = yield* queue.enqueue("query", probe.sleep("E", "2 seconds"))
        yield* advance("10 seconds")
        expect((yield* probe.state).started).toEqual(["A", "C", "D", "E"])
        expect(yield* late.await).toBe("E")
      }))

    it.scoped("interrupting a waiting submitter", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue({ query: { concurrency: 1 } })
        const probe = yield* makeProbe
        const submitters: Array<Fiber.RuntimeFiber<string, unknown>> = []
        for (const label of ["A", "B", "C", "D"]) {
          submitters.push(yield* Effect.fork(queue.submit("query", probe.sleep(label, "2 seconds"))))
          yield* settle
        }
        yield* Fiber.interrupt(submitters[2]!)
        yield* Fiber.interrupt(submitters[1]!)
        expect((yield* queue.stats).lanes.query).toMatchObject({ pending: 1, active: 1 })
        submitters.push(yield* Effect.fork(queue.submit("query", probe.sleep("E", "2 seconds"))))
        yield* advance("10 seconds")
        expect((yield* probe.state).started).toEqual(["A", "D", "E"])
        expect(yield* Fiber.join(submitters[3]!)).toBe("D")
        expect(yield* Fiber.join(submitters[4]!)).toBe("E")
      }))

    it.scoped("cancelling a handle right after enqueue, before its fiber ran, does not jam the lane", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue({ query: { concurrency: 1 } })
        const probe = yield* makeProbe
        yield* queue.enqueue("query", probe.sleep("A", "1 second"))
        const b = yield* queue.enqueue("query", probe.sleep("B", "1 second"))
        yield* b.cancel
        const c = yield* queue.enqueue("query", probe.sleep("C", "1 second"))
        const awaitC = yield* Effect.fork(c.await)
        yield* advance("5 seconds")
        expect(yield* isDone(awaitC)).toBe(true)
        expect((yield* probe.state).started).toEqual(["A", "C"])
        expect(yield* queue.unfinished).toEqual([])
        expect((yield* queue.stats).totalPending).toBe(0)
      }))

    it.scoped("cancelling a running task frees its permit for the next in line", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue({ query: { concurrency: 1 } })
        const probe = yield* makeProbe
        const a = yield* queue.enqueue("query", probe.sleep("A", "100 seconds"))
        yield* queue.enqueue("query", probe.sleep("B", "1 second"))
        yield* settle
        yield* a.cancel
        yield* advance("1 second")
        const state = yield* probe.state
        expect(state.interrupted).toEqual(["A"])
        expect(state.completed).toEqual(["B"])
      }))
  })
})
