import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Ref, Schedule } from "effect"
import * as RetryPolicy from "../src/RetryPolicy.js"
import { advance, now } from "./utils/harness.js"

const toMillis = (delays: ReadonlyArray<Duration.Duration>) => delays.map(Duration.toMillis)

/** Retries an always-failing effect with the policy's schedule; returns the TestClock time of every attempt. */
const attemptTimes = (policy: RetryPolicy.RetryPolicy, horizon: Duration.DurationInput, step: Duration.DurationInput) =>
  Effect.gen(function*() {
    const times = yield* Ref.make<ReadonlyArray<number>>([])
    const attempt = Effect.zipRight(
      Effect.flatMap(now, (at) => Ref.update(times, (all) => [...all, at])),
      Effect.fail("nope")
    )
    const fiber = yield* Effect.fork(Effect.exit(Effect.retry(attempt, RetryPolicy.toSchedule(policy))))
    yield* advance(horizon, step)
    const exit = yield* Fiber.join(fiber)
    return { exit, times: yield* Ref.get(times) }
  })

describe("RetryPolicy", () => {
  describe("constructors", () => {
    it("exponential defaults: 3 retries, 100 ms initial, factor 2, max 30 s", () => {
      const policy = RetryPolicy.exponential()
      expect(policy._tag).toBe("Exponential")
      if (policy._tag === "Exponential") {
        expect(policy.retries).toBe(3)
        expect(Duration.toMillis(policy.initial)).toBe(100)
        expect(policy.factor).toBe(2)
        expect(Duration.toMillis(policy.maxDelay)).toBe(30_000)
      }
    })

    it("exponential takes any subset of its options", () => {
      const policy = RetryPolicy.exponential({ retries: 5, initial: "1 second" })
      expect(RetryPolicy.retries(policy)).toBe(5)
      expect(toMillis(RetryPolicy.delays(policy))).toEqual([1000, 2000, 4000, 8000, 16_000])
    })

    it("fixed and none", () => {
      expect(RetryPolicy.retries(RetryPolicy.fixed(4, "2 seconds"))).toBe(4)
      expect(RetryPolicy.retries(RetryPolicy.none)).toBe(0)
      expect(RetryPolicy.none._tag).toBe("None")
    })

    it("policies are data: equal inputs give equal policies", () => {
      expect(RetryPolicy.fixed(2, "1 second")).toEqual(RetryPolicy.fixed(2, 1000))
      expect(RetryPolicy.exponential()).toEqual(RetryPolicy.exponential({ initial: "100 millis" }))
    })
  })

  describe("delays", () => {
    it("exponential: 100, 200, 400", () => {
      expect(toMillis(RetryPolicy.delays(RetryPolicy.exponential()))).toEqual([100, 200, 400])
    })

    it("exponential: each delay is capped at maxDelay", () => {
      const policy = RetryPolicy.exponential({ retries: 7, initial: "1 second", factor: 3, maxDelay: "30 seconds" })
      expect(toMillis(RetryPolicy.delays(policy))).toEqual([1000, 3000, 9000, 27_000, 30_000, 30_000, 30_000])
      // The default cap is 30 s.
      expect(toMillis(RetryPolicy.delays(RetryPolicy.exponential({ retries: 10, initial: "10 seconds" })))).toEqual(
        [10_000, 20_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000]
      )
    })

    it("exponential with factor 1 is constant", () => {
      const policy = RetryPolicy.exponential({ retries: 3, initial: "50 millis", factor: 1 })
      expect(toMillis(RetryPolicy.delays(policy))).toEqual([50, 50, 50])
    })

    it("fixed: the same delay, retries times", () => {
      expect(toMillis(RetryPolicy.delays(RetryPolicy.fixed(3, "250 millis")))).toEqual([250, 250, 250])
      expect(RetryPolicy.delays(RetryPolicy.fixed(0, "1 second"))).toEqual([])
    })

    it("none: no delays", () => {
      expect(RetryPolicy.delays(RetryPolicy.none)).toEqual([])
    })
  })

  describe("toSchedule", () => {
    it.effect("exponential: attempts at 0, 100, 300, 700 ms, then the failure", () =>
      Effect.gen(function*() {
        const { exit, times } = yield* attemptTimes(RetryPolicy.exponential(), "2 seconds", "50 millis")
        expect(times).toEqual([0, 100, 300, 700])
        expect(exit).toEqual(Exit.fail("nope"))
      }))

    it.effect("fixed(2, 1 second): attempts at 0, 1000, 2000", () =>
      Effect.gen(function*() {
        const { exit, times } = yield* attemptTimes(RetryPolicy.fixed(2, "1 second"), "5 seconds", "500 millis")
        expect(times).toEqual([0, 1000, 2000])
        expect(Exit.isFailure(exit)).toBe(true)
      }))

    it.effect("none: a single attempt", () =>
      Effect.gen(function*() {
        const { exit, times } = yield* attemptTimes(RetryPolicy.none, "5 seconds", "1 second")
        expect(times).toEqual([0])
        expect(Exit.isFailure(exit)).toBe(true)
      }))

    it.effect("the schedule outputs each delay; a success stops it", () =>
      Effect.gen(function*() {
        const outputs = yield* Ref.make<ReadonlyArray<number>>([])
        let calls = 0
        const schedule = RetryPolicy.toSchedule(RetryPolicy.exponential()).pipe(
          Schedule.tapOutput((delay) => Ref.update(outputs, (all) => [...all, Duration.toMillis(delay)]))
        )
        const fiber = yield* Effect.fork(Effect.retry(
          Effect.suspend(() => ++calls < 3 ? Effect.fail("again") : Effect.succeed("ok")),
          schedule
        ))
        yield* advance("300 millis", "100 millis")
        expect(yield* Fiber.join(fiber)).toBe("ok")
        expect(yield* Ref.get(outputs)).toEqual([100, 200])
        expect(calls).toBe(3)
      }))
  })

  describe("format", () => {
    it("describes each policy", () => {
      expect(RetryPolicy.format(RetryPolicy.none)).toBe("none")
      expect(RetryPolicy.format(RetryPolicy.fixed(2, "1 second"))).toBe("fixed(2 retries every 1s)")
      expect(RetryPolicy.format(RetryPolicy.exponential())).toBe("exponential(3 retries from 100ms x2, max 30s)")
    })
  })
})
