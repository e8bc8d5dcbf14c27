import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, FastCheck, Fiber, Option, TestClock } from "effect"
import * as LatencyModel from "../src/LatencyModel.js"
import * as Strategy from "../src/Strategy.js"

const call = (name: string): Strategy.ToolCall => ({ id: name, name })

describe("LatencyModel", () => {
  it.effect("starts empty with alpha 0.2", () =>
    Effect.gen(function*() {
      const model = yield* LatencyModel.make
      expect(model.alpha).toBe(0.2)
      expect(yield* model.estimate("read")).toEqual(Option.none())
      expect((yield* model.snapshot).size).toBe(0)
    }))

  it.effect("takes the first sample as is, then moves by alpha", () =>
    Effect.gen(function*() {
      const model = yield* LatencyModel.make
      yield* model.record("read", 100)
      expect(yield* model.estimate("read")).toEqual(Option.some(100))
      yield* model.record("read", 200)
      expect(yield* model.estimate("read")).toEqual(Option.some(120))
      yield* model.record("read", 20)
      expect(Option.getOrThrow(yield* model.estimate("read"))).toBeCloseTo(100, 10)
    }))

  it.effect("uses a configured alpha and keeps tools apart", () =>
    Effect.gen(function*() {
      const model = yield* LatencyModel.makeWith({ alpha: 0.5 })
      yield* model.record("read", 10)
      yield* model.record("read", 30)
      yield* model.record("grep", 7)
      expect(yield* model.snapshot).toEqual(new Map([["read", 20], ["grep", 7]]))
    }))

  it.effect("falls back to alpha 0.2 when alpha is out of (0, 1]", () =>
    Effect.gen(function*() {
      for (const alpha of [0, -1, 1.5, Number.NaN, Infinity]) {
        expect((yield* LatencyModel.makeWith({ alpha })).alpha).toBe(LatencyModel.defaultAlpha)
      }
      expect((yield* LatencyModel.makeWith({ alpha: 1 })).alpha).toBe(1)
    }))

  it.effect("ignores samples that are not finite numbers >= 0", () =>
    Effect.gen(function*() {
      const model = yield* LatencyModel.make
      for (const bad of [Number.NaN, -1, Infinity, -Infinity]) yield* model.record("read", bad)
      expect(yield* model.estimate("read")).toEqual(Option.none())
      yield* model.record("read", 0)
      yield* model.record("read", Number.NaN)
      expect(yield* model.estimate("read")).toEqual(Option.some(0))
    }))

  it.effect("starts from initial estimates, skipping invalid ones", () =>
    Effect.gen(function*() {
      const model = yield* LatencyModel.makeWith({ initial: [["read", 3], ["grep", Number.NaN], ["ls", -2]] })
      expect(yield* model.snapshot).toEqual(new Map([["read", 3]]))
    }))

  it.effect("estimates are aligned with the calls, or undefined when a tool has no history", () =>
    Effect.gen(function*() {
      const model = yield* LatencyModel.make
      yield* model.record("read", 4)
      yield* model.record("web_fetch", 500)
      const batch = [call("web_fetch"), call("read"), call("web_fetch")]
      expect(yield* model.estimates(batch)).toEqual([500, 4, 500])
      expect(yield* model.estimates([...batch, call("grep")])).toBeUndefined()
      expect(yield* model.estimates([])).toEqual([])
    }))

  it.effect("feeds Strategy.plan's cost rule: tiny learned latencies run in order, slow ones in parallel", () =>
    Effect.gen(function*() {
      const model = yield* LatencyModel.make
      const batch = [call("web_fetch"), call("web_search")]
      expect(yield* model.estimates(batch)).toBeUndefined()
      yield* model.record("web_fetch", 0.001)
      yield* model.record("web_search", 0.001)
      const tiny = yield* model.estimates(batch)
      expect(Strategy.plan(batch, 8, { estimates: tiny })._tag).toBe("Sequential")
      yield* model.record("web_fetch", 500)
      yield* model.record("web_search", 800)
      const after = yield* model.estimates(batch)
      expect(Strategy.plan(batch, 8, { estimates: after })._tag).toBe("Parallel")
    }))

  it.effect("overhead: the prior until measured, then an EMA of the measurements", () =>
    Effect.gen(function*() {
      const model = yield* LatencyModel.makeWith({ overhead: 0.5, alpha: 0.5 })
      expect(yield* model.overhead).toBe(0.5)
      yield* model.recordOverhead(Number.NaN)
      yield* model.recordOverhead(-1)
      expect(yield* model.overhead).toBe(0.5)
      yield* model.recordOverhead(0.1)
      expect(yield* model.overhead).toBe(0.1)
      yield* model.recordOverhead(0.3)
      // 0.3 is capped at twice the estimate (0.2): 0.5 * 0.2 + 0.5 * 0.1
      expect(yield* model.overhead).toBeCloseTo(0.15)
      yield* model.recordOverhead(1000)
      expect(yield* model.overhead).toBeCloseTo(0.225)
      expect(yield* (yield* LatencyModel.make).overhead).toBe(LatencyModel.defaultOverheadMillis)
    }))

  it.effect("measure records the elapsed Clock time of successes and failures", () =>
    Effect.gen(function*() {
      const model = yield* LatencyModel.make
      const fiber = yield* Effect.fork(model.measure("web_fetch", Effect.sleep(Duration.millis(250))))
      yield* TestClock.adjust(Duration.millis(250))
      yield* Fiber.join(fiber)
      expect(yield* model.estimate("web_fetch")).toEqual(Option.some(250))

      const failing = yield* Effect.fork(
        model.measure("read", Effect.zipRight(Effect.sleep("40 millis"), Effect.fail("x")))
      )
      yield* TestClock.adjust(Duration.millis(40))
      expect(yield* Effect.flip(Fiber.join(failing))).toBe("x")
      expect(yield* model.estimate("read")).toEqual(Option.some(40))
    }))

  it.effect("measure records nothing when the effect is interrupted", () =>
    Effect.gen(function*() {
      const model = yield* LatencyModel.make
      const fiber = yield* Effect.fork(model.measure("read", Effect.never))
      yield* TestClock.adjust(Duration.millis(10))
      yield* Fiber.interrupt(fiber)
      expect(yield* model.estimate("read")).toEqual(Option.none())
    }))

  it.prop(
    "the estimate stays within the range of the valid samples",
    {
      alpha: FastCheck.double({ min: 0.01, max: 1, noNaN: true }),
      samples: FastCheck.array(FastCheck.double(), { minLength: 1, maxLength: 30 })
    },
    ({ alpha, samples }) =>
      Effect.runSync(Effect.gen(function*() {
        const model = yield* LatencyModel.makeWith({ alpha })
        for (const sample of samples) yield* model.record("tool", sample)
        const valid = samples.filter(LatencyModel.isValidSample)
        const estimate = yield* model.estimate("tool")
        if (valid.length === 0) {
          expect(estimate).toEqual(Option.none())
        } else {
          const value = Option.getOrThrow(estimate)
          expect(Number.isFinite(value)).toBe(true)
          expect(value).toBeGreaterThanOrEqual(Math.min(...valid) * (1 - 1e-12))
          expect(value).toBeLessThanOrEqual(Math.max(...valid) * (1 + 1e-12))
        }
      }))
  )

  it("update is one EMA step", () => {
    expect(LatencyModel.update(Option.none(), 10, 0.2)).toBe(10)
    expect(LatencyModel.update(Option.some(10), 20, 0.25)).toBe(12.5)
  })
})
