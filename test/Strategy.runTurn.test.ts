import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, FastCheck, Fiber, Option, Ref, TestClock } from "effect"
import { LaneQueue, LanesConfig, LatencyModel, Strategy } from "../src/index.js"

const reads = (n: number, name = "read"): Array<Strategy.ToolCall> =>
  Array.from({ length: n }, (_, i) => ({ id: `c${i}`, name, args: { path: `f${i}` } }))

/** A task that sleeps `duration`, and the peak number of such tasks running at once. */
const peakProbe = (duration: Duration.DurationInput) =>
  Effect.map(Effect.all([Ref.make(0), Ref.make(0)]), ([running, peak]) => ({
    peak,
    execute: () =>
      Effect.acquireUseRelease(
        Ref.updateAndGet(running, (n) => n + 1).pipe(Effect.tap((n) => Ref.update(peak, (p) => Math.max(p, n)))),
        () => Effect.sleep(duration),
        () => Ref.update(running, (n) => n - 1)
      )
  }))

/** Yields enough times for forked fibers to reach their next suspension point. */
const settle = Effect.repeatN(Effect.yieldNow(), 20)

const withQueue = <A, E>(self: (queue: LaneQueue.LaneQueue) => Effect.Effect<A, E>, input = {}) =>
  Effect.flatMap(LaneQueue.make("turn"), self).pipe(Effect.provide(LanesConfig.layerWith(input)))

describe("Strategy.stages", () => {
  it("splits a mixed turn in call order", () => {
    const calls: Array<Strategy.ToolCall> = [
      ...reads(6),
      { id: "e1", name: "edit", args: { path: "a" } },
      { id: "e2", name: "write", args: { path: "b" } },
      { id: "b1", name: "bash", args: { command: "ls" } },
      ...reads(2, "grep")
    ]
    const planned = Strategy.stages(calls, 8)
    expect(planned.map((stage) => [stage.kind, stage.indices, stage.plan._tag])).toEqual([
      ["wave", [0, 1, 2, 3, 4, 5], "Parallel"],
      ["single", [6], "Sequential"],
      ["single", [7], "Sequential"],
      ["single", [8], "Sequential"],
      ["wave", [9, 10], "Parallel"]
    ])
    const seed = Strategy.stages(calls, 8, Strategy.seedRules)
    expect(seed.map((stage) => stage.plan._tag)).toEqual([
      "Parallel",
      "Sequential",
      "Sequential",
      "Sequential",
      "Sequential"
    ])
    const withWrites = Strategy.stages(calls, 8, { parallelWrites: true })
    // reads of other files and writes of distinct files share one wave; bash stays a barrier
    expect(withWrites.map((stage) => stage.indices)).toEqual([[0, 1, 2, 3, 4, 5, 6, 7], [8], [9, 10]])
    expect(withWrites[0]).toMatchObject({
      kind: "wave",
      lanes: ["query", "query", "query", "query", "query", "query", "execute", "execute"],
      plan: { _tag: "Parallel", concurrency: 8 }
    })
  })

  it("keeps writes to the same path apart", () => {
    const calls: Array<Strategy.ToolCall> = [
      { id: "1", name: "write", args: { path: "a" } },
      { id: "2", name: "edit", args: { path: "a" } },
      { id: "3", name: "edit", args: { path: "b" } }
    ]
    expect(Strategy.stages(calls, 8, { parallelWrites: true }).map((stage) => stage.indices)).toEqual([[0], [1, 2]])
  })
})

describe("Strategy.runTurn", () => {
  it.scoped("a parallel stage of 8 x 100 ms takes 100 ms of virtual time, sequential 800 ms", () =>
    withQueue((queue) =>
      Effect.gen(function*() {
        const execute = () => Effect.sleep("100 millis").pipe(Effect.as("ok"))
        const parallel = yield* Effect.fork(Strategy.runTurn(queue, reads(8), execute))
        yield* settle
        yield* TestClock.adjust("100 millis")
        const parallelExits = yield* Fiber.join(parallel)
        expect(parallelExits.every(Exit.isSuccess)).toBe(true)

        const sequential = yield* Effect.fork(Strategy.runTurn(queue, reads(8), execute, { enabled: false }))
        for (let i = 0; i < 7; i++) {
          yield* settle
          yield* TestClock.adjust("100 millis")
        }
        yield* settle
        expect(sequential.unsafePoll()).toBeNull()
        yield* TestClock.adjust("100 millis")
        const sequentialExits = yield* Fiber.join(sequential)
        expect(sequentialExits).toHaveLength(8)
      })
    ))

  it.scoped("returns one exit per call in call order; a failure leaves the others intact", () =>
    withQueue((queue) =>
      Effect.gen(function*() {
        const calls = [...reads(7), { id: "x", name: "bash" }, ...reads(3, "grep")]
        const exits = yield* Strategy.runTurn(
          queue,
          calls,
          (call) => call.id === "c3" ? Effect.fail(`failed ${call.id}`) : Effect.succeed(call.id)
        )
        expect(exits.map((exit) => Exit.isSuccess(exit) ? exit.value : "fail")).toEqual(
          calls.map((call) => call.id === "c3" ? "fail" : call.id)
        )
      })
    ))

  it.effect.prop(
    "results come back in call order for random mixes of stages",
    [FastCheck.array(FastCheck.constantFrom("read", "grep", "ls", "bash", "edit", "llm", "cancel"), { maxLength: 30 })],
    ([names]) =>
      Effect.scoped(withQueue((queue) =>
        Effect.gen(function*() {
          const calls = names.map((name, i) => ({ id: `${i}`, name, args: { path: `p${i % 3}` } }))
          const fiber = yield* Effect.fork(
            Strategy.runTurn(
              queue,
              calls,
              (call) => Effect.sleep(`${Number(call.id) % 4} millis`).pipe(Effect.as(call.id)),
              {
                parallelWrites: true
              }
            )
          )
          for (let i = 0; i < 200 && fiber.unsafePoll() === null; i++) {
            yield* settle
            yield* TestClock.adjust("1 millis")
          }
          const exits = yield* Fiber.join(fiber)
          expect(exits.map((exit) => Exit.isSuccess(exit) ? exit.value : undefined)).toEqual(
            calls.map((call) => call.id)
          )
        })
      )),
    { fastCheck: { numRuns: 30 } }
  )

  it.scoped("execute-lane calls of a turn never overlap", () =>
    withQueue((queue) =>
      Effect.gen(function*() {
        const { execute, peak } = yield* peakProbe("10 millis")
        const calls = Array.from({ length: 6 }, (_, i) => ({ id: `${i}`, name: i % 2 ? "bash" : "edit" }))
        const fiber = yield* Effect.fork(Strategy.runTurn(queue, calls, execute))
        for (let i = 0; i < 6; i++) {
          yield* settle
          yield* TestClock.adjust("10 millis")
        }
        yield* Fiber.join(fiber)
        expect(yield* Ref.get(peak)).toBe(1)
      }), { execute: { concurrency: 4 } }))

  it.scoped("interrupting the turn interrupts the calls still running", () =>
    withQueue((queue) =>
      Effect.gen(function*() {
        const interrupted = yield* Ref.make(0)
        const started = yield* Deferred.make<void>()
        const execute = () =>
          Deferred.succeed(started, undefined).pipe(
            Effect.zipRight(Effect.never),
            Effect.onInterrupt(() => Ref.update(interrupted, (n) => n + 1))
          )
        const fiber = yield* Effect.fork(Strategy.runTurn(queue, reads(8), execute))
        yield* Deferred.await(started)
        yield* settle
        yield* Fiber.interrupt(fiber)
        expect(yield* Ref.get(interrupted)).toBe(8)
        expect((yield* queue.stats).totalActive).toBe(0)
      })
    ))

  it.scoped("defaults minToolCount to the queue's parallelMinTools", () =>
    withQueue((queue) =>
      Effect.gen(function*() {
        const { execute, peak } = yield* peakProbe("1 millis")
        const fiber = yield* Effect.fork(Strategy.runTurn(queue, reads(2), execute))
        yield* settle
        yield* TestClock.adjust("1 millis")
        yield* Fiber.join(fiber)
        expect(yield* Ref.get(peak)).toBe(2)
      }), { parallelMinTools: 2 }))

  it.scoped("starts from the queue's strategy settings: a session can switch parallel turns off", () =>
    withQueue((queue) =>
      Effect.gen(function*() {
        const { execute, peak } = yield* peakProbe("1 millis")
        const fiber = yield* Effect.fork(Strategy.runTurn(queue, reads(8), execute))
        for (let i = 0; i < 8; i++) {
          yield* settle
          yield* TestClock.adjust("1 millis")
        }
        yield* Fiber.join(fiber)
        expect(yield* Ref.get(peak)).toBe(1)
        expect(queue.settings.strategy.enabled).toBe(false)
      }), { strategy: { enabled: false } }))

  it.scoped("a latency model turns two slow calls parallel and learns from every call", () =>
    withQueue((queue) =>
      Effect.gen(function*() {
        const model = yield* LatencyModel.make
        yield* model.record("web_fetch", 500)
        const calls = reads(2, "web_fetch")
        const fiber = yield* Effect.fork(
          Strategy.runTurn(queue, calls, () => Effect.sleep("500 millis"), { latencyModel: model })
        )
        yield* settle
        yield* TestClock.adjust("500 millis")
        yield* settle
        expect(fiber.unsafePoll()).not.toBeNull()
        const estimate = yield* model.estimate("web_fetch")
        expect(estimate._tag).toBe("Some")
      })
    ))

  it.scoped("the session learns each tool's latency from every call, with no setup, and the estimate converges", () =>
    withQueue((queue) =>
      Effect.gen(function*() {
        const latency = yield* Ref.make(Duration.millis(100))
        const execute = () => Effect.flatMap(Ref.get(latency), Effect.sleep)
        const turn = (calls: ReadonlyArray<Strategy.ToolCall>, step: Duration.DurationInput) =>
          Effect.gen(function*() {
            const fiber = yield* Effect.fork(Strategy.runTurn(queue, calls, execute))
            yield* settle
            for (let i = 0; i < calls.length && fiber.unsafePoll() === null; i++) {
              yield* TestClock.adjust(step)
              yield* settle
            }
            return yield* Fiber.join(fiber)
          })
        yield* turn(reads(2, "web_fetch"), "100 millis")
        expect(yield* queue.latency.estimate("web_fetch")).toEqual(Option.some(100))
        yield* Ref.set(latency, Duration.millis(300))
        for (let i = 0; i < 12; i++) yield* turn(reads(2, "web_fetch"), "300 millis")
        const estimate = Option.getOrElse(yield* queue.latency.estimate("web_fetch"), () => 0)
        expect(estimate).toBeGreaterThan(295)
        expect(estimate).toBeLessThanOrEqual(300)
        // under TestClock the queue costs no virtual time: the learned overhead falls towards 0
        expect(yield* queue.latency.overhead).toBeLessThan(LatencyModel.defaultOverheadMillis)
      })
    ))

  it.scoped("the learned overhead is used: a session whose tasks cost more than the calls runs them in order", () =>
    withQueue((queue) =>
      Effect.gen(function*() {
        const { execute, peak } = yield* peakProbe("1 millis")
        const costly = yield* LatencyModel.makeWith({ overhead: 5, initial: [["read", 1]] })
        const slowQueue = { ...queue, latency: costly }
        const fiber = yield* Effect.fork(Strategy.runTurn(slowQueue, reads(3), execute))
        for (let i = 0; i < 3; i++) {
          yield* settle
          yield* TestClock.adjust("1 millis")
        }
        yield* Fiber.join(fiber)
        expect(yield* Ref.get(peak)).toBe(1)
        const cheap = yield* LatencyModel.makeWith({ overhead: 0.01, initial: [["read", 1]] })
        const second = yield* peakProbe("1 millis")
        const parallel = yield* Effect.fork(Strategy.runTurn({ ...queue, latency: cheap }, reads(3), second.execute))
        yield* settle
        yield* TestClock.adjust("1 millis")
        yield* Fiber.join(parallel)
        expect(yield* Ref.get(second.peak)).toBe(3)
      })
    ))

  it("plans name the learned figures", () => {
    const planned = Strategy.stages(reads(2), 8, { estimates: [0.07, 0.07], perTaskOverheadMillis: 0.015 })
    expect(planned[0]?.plan.reason).toContain("read 0.07 ms x2")
    expect(planned[0]?.plan.reason).toContain("0.015 ms per task")
  })
})
