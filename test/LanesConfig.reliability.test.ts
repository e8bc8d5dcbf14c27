import { describe, expect, it } from "@effect/vitest"
import { ConfigError, ConfigProvider, Duration, Effect, Exit, Fiber, Option } from "effect"
import * as Lane from "../src/Lane.js"
import * as LaneQueue from "../src/LaneQueue.js"
import * as LanesConfig from "../src/LanesConfig.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import { advance, isDone, settle } from "./utils/harness.js"

type Entries = ReadonlyArray<readonly [string, string]>

const provider = (entries: Entries) => ConfigProvider.fromMap(new Map(entries), { pathDelim: "_" })

/** Builds `LanesConfig.layer` under a `ConfigProvider` made of `entries`, and reads the settings. */
const fromEnv = (entries: Entries) =>
  LanesConfig.LanesConfig.pipe(Effect.provide(LanesConfig.layer), Effect.withConfigProvider(provider(entries)))

/** The keys named by the `InvalidData` leaves of a `ConfigError`. */
const invalidKeys = (error: ConfigError.ConfigError): Array<string> => {
  if (ConfigError.isAnd(error) || ConfigError.isOr(error)) {
    return [...invalidKeys(error.left), ...invalidKeys(error.right)]
  }
  return ConfigError.isInvalidData(error) ? [error.path.join("_")] : []
}

/** Expects the layer to fail with a `ConfigError` whose invalid data is exactly at `key`. */
const expectInvalid = (entries: Entries, key: string) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(fromEnv(entries))
    expect(ConfigError.isConfigError(error)).toBe(true)
    expect(invalidKeys(error)).toEqual([key])
    expect(String(error)).toContain(key)
  })

const key = (lane: Lane.Lane, field: string) => `LANES_${lane.toUpperCase()}_${field}`

describe("LanesConfig: reliability settings", () => {
  describe("defaults", () => {
    it("no retries, internal mode, 60 s external timeout, no pressure threshold on every lane", () => {
      for (const lane of Lane.all) {
        const settings = LanesConfig.defaults.lanes[lane]
        expect(settings.retry).toEqual(RetryPolicy.none)
        expect(settings.mode).toBe("internal")
        expect(Duration.toMillis(settings.externalTimeout)).toBe(60_000)
        expect(Option.isNone(settings.pressureThreshold)).toBe(true)
      }
    })

    it("generate: 60 starts per minute; the other lanes: no rate limit", () => {
      expect(LanesConfig.defaults.lanes.generate.rateLimit).toEqual(
        Option.some({ limit: 60, interval: Duration.minutes(1) })
      )
      for (const lane of ["control", "query", "execute"] as const) {
        expect(LanesConfig.defaults.lanes[lane].rateLimit).toEqual(Option.none())
      }
    })

    it("starvation deadline 30 s, dead-letter capacity 1000", () => {
      expect(Duration.toMillis(LanesConfig.defaults.starvationDeadline)).toBe(30_000)
      expect(LanesConfig.defaults.deadLetterCapacity).toBe(1000)
    })

    it.effect("an empty provider gives these defaults", () =>
      Effect.gen(function*() {
        const settings = yield* fromEnv([])
        expect(settings).toEqual(LanesConfig.defaults)
      }))
  })

  describe("retry keys", () => {
    it.effect("LANES_<LANE>_RETRY=exponential alone gives the upstream's policy, on that lane only", () =>
      Effect.gen(function*() {
        for (const lane of Lane.all) {
          const settings = yield* fromEnv([[key(lane, "RETRY"), "exponential"]])
          for (const other of Lane.all) {
            expect(settings.lanes[other].retry).toEqual(other === lane ? RetryPolicy.exponential() : RetryPolicy.none)
          }
        }
      }))

    it.effect("exponential with every key overridden", () =>
      Effect.gen(function*() {
        const settings = yield* fromEnv([
          ["LANES_QUERY_RETRY", "exponential"],
          ["LANES_QUERY_RETRY_COUNT", "5"],
          ["LANES_QUERY_RETRY_DELAY", "1 second"],
          ["LANES_QUERY_RETRY_FACTOR", "1.5"],
          ["LANES_QUERY_RETRY_MAX_DELAY", "3 seconds"]
        ])
        const policy = settings.lanes.query.retry
        expect(policy).toEqual(
          RetryPolicy.exponential({ retries: 5, initial: "1 second", factor: 1.5, maxDelay: "3 seconds" })
        )
        expect(RetryPolicy.delays(policy).map(Duration.toMillis)).toEqual([1000, 1500, 2250, 3000, 3000])
      }))

    it.effect("fixed: 3 retries every 100 ms by default; RETRY_COUNT and RETRY_DELAY override", () =>
      Effect.gen(function*() {
        expect((yield* fromEnv([["LANES_EXECUTE_RETRY", "fixed"]])).lanes.execute.retry).toEqual(
          RetryPolicy.fixed(3, "100 millis")
        )
        const settings = yield* fromEnv([
          ["LANES_EXECUTE_RETRY", "fixed"],
          ["LANES_EXECUTE_RETRY_COUNT", "0"],
          ["LANES_GENERATE_RETRY", "fixed"],
          ["LANES_GENERATE_RETRY_COUNT", "2"],
          ["LANES_GENERATE_RETRY_DELAY", "5 seconds"]
        ])
        expect(RetryPolicy.retries(settings.lanes.execute.retry)).toBe(0)
        expect(settings.lanes.generate.retry).toEqual(RetryPolicy.fixed(2, "5 seconds"))
      }))

    it.effect("none, or the detail keys without RETRY, keep no retries", () =>
      Effect.gen(function*() {
        expect((yield* fromEnv([["LANES_QUERY_RETRY", "none"]])).lanes.query.retry).toEqual(RetryPolicy.none)
        const settings = yield* fromEnv([["LANES_QUERY_RETRY_COUNT", "4"], ["LANES_QUERY_RETRY_DELAY", "1 second"]])
        expect(settings.lanes.query.retry).toEqual(RetryPolicy.none)
      }))
  })

  describe("rate limit keys", () => {
    it.effect("RATE_LIMIT sets starts per minute; RATE_INTERVAL changes the interval", () =>
      Effect.gen(function*() {
        const settings = yield* fromEnv([
          ["LANES_QUERY_RATE_LIMIT", "10"],
          ["LANES_EXECUTE_RATE_LIMIT", "5"],
          ["LANES_EXECUTE_RATE_INTERVAL", "1 second"]
        ])
        expect(settings.lanes.query.rateLimit).toEqual(Option.some({ limit: 10, interval: Duration.minutes(1) }))
        expect(settings.lanes.execute.rateLimit).toEqual(Option.some({ limit: 5, interval: Duration.seconds(1) }))
        expect(settings.lanes.control.rateLimit).toEqual(Option.none())
      }))

    it.effect("generate: RATE_LIMIT=0 removes the default; RATE_INTERVAL alone keeps 60 per that interval", () =>
      Effect.gen(function*() {
        expect((yield* fromEnv([["LANES_GENERATE_RATE_LIMIT", "0"]])).lanes.generate.rateLimit).toEqual(Option.none())
        expect((yield* fromEnv([["LANES_GENERATE_RATE_LIMIT", "120"]])).lanes.generate.rateLimit).toEqual(
          Option.some({ limit: 120, interval: Duration.minutes(1) })
        )
        expect((yield* fromEnv([["LANES_GENERATE_RATE_INTERVAL", "1 hour"]])).lanes.generate.rateLimit).toEqual(
          Option.some({ limit: 60, interval: Duration.hours(1) })
        )
      }))

    it.effect("RATE_INTERVAL alone on a lane without a default limit changes nothing", () =>
      Effect.gen(function*() {
        const settings = yield* fromEnv([["LANES_QUERY_RATE_INTERVAL", "1 second"]])
        expect(settings.lanes.query.rateLimit).toEqual(Option.none())
      }))
  })

  describe("mode, external timeout, pressure threshold", () => {
    it.effect("each lane's MODE key", () =>
      Effect.gen(function*() {
        for (const mode of LanesConfig.handlerModes) {
          for (const lane of Lane.all) {
            const settings = yield* fromEnv([[key(lane, "MODE"), mode]])
            for (const other of Lane.all) expect(settings.lanes[other].mode).toBe(other === lane ? mode : "internal")
          }
        }
      }))

    it.effect("EXTERNAL_TIMEOUT and PRESSURE_THRESHOLD", () =>
      Effect.gen(function*() {
        const settings = yield* fromEnv([
          ["LANES_EXECUTE_EXTERNAL_TIMEOUT", "5 seconds"],
          ["LANES_QUERY_PRESSURE_THRESHOLD", "3"]
        ])
        expect(Duration.toMillis(settings.lanes.execute.externalTimeout)).toBe(5000)
        expect(Duration.toMillis(settings.lanes.query.externalTimeout)).toBe(60_000)
        expect(settings.lanes.query.pressureThreshold).toEqual(Option.some(3))
        expect(settings.lanes.execute.pressureThreshold).toEqual(Option.none())
      }))
  })

  describe("session-wide keys", () => {
    it.effect("LANES_STARVATION_DEADLINE and LANES_DEAD_LETTER_CAPACITY", () =>
      Effect.gen(function*() {
        const settings = yield* fromEnv([
          ["LANES_STARVATION_DEADLINE", "1 second"],
          ["LANES_DEAD_LETTER_CAPACITY", "3"]
        ])
        expect(Duration.toMillis(settings.starvationDeadline)).toBe(1000)
        expect(settings.deadLetterCapacity).toBe(3)
      }))
  })

  describe("invalid values fail the layer naming the key", () => {
    const cases: ReadonlyArray<readonly [field: string, values: ReadonlyArray<string>]> = [
      ["RETRY", ["bogus", "Exponential", ""]],
      ["RETRY_COUNT", ["-1", "101", "1.5", "many"]],
      ["RETRY_DELAY", ["soon", "0 seconds", "-1 seconds"]],
      ["RETRY_FACTOR", ["0.5", "11", "big"]],
      ["RETRY_MAX_DELAY", ["never", "0 millis"]],
      ["RATE_LIMIT", ["-1", "1.5", "lots", "1000001"]],
      ["RATE_INTERVAL", ["weekly", "0 seconds"]],
      ["MODE", ["remote", "EXTERNAL", ""]],
      ["EXTERNAL_TIMEOUT", ["later", "0 seconds"]],
      ["PRESSURE_THRESHOLD", ["0", "-3", "2.5", "high"]]
    ]
    for (const [field, values] of cases) {
      it.effect(`LANES_<LANE>_${field}: ${values.map((v) => JSON.stringify(v)).join(", ")}`, () =>
        Effect.gen(function*() {
          for (const lane of Lane.all) {
            for (const value of values) yield* expectInvalid([[key(lane, field), value]], key(lane, field))
          }
        }))
    }

    it.effect("LANES_STARVATION_DEADLINE and LANES_DEAD_LETTER_CAPACITY", () =>
      Effect.gen(function*() {
        for (const value of ["soon", "0 seconds"]) {
          yield* expectInvalid([["LANES_STARVATION_DEADLINE", value]], "LANES_STARVATION_DEADLINE")
        }
        for (const value of ["0", "-1", "1.5", "1000001", "all"]) {
          yield* expectInvalid([["LANES_DEAD_LETTER_CAPACITY", value]], "LANES_DEAD_LETTER_CAPACITY")
        }
      }))

    it.effect("one invalid key among valid ones", () =>
      expectInvalid(
        [["LANES_QUERY_RETRY", "fixed"], ["LANES_QUERY_RETRY_COUNT", "2"], ["LANES_QUERY_RETRY_DELAY", "x"]],
        "LANES_QUERY_RETRY_DELAY"
      ))
  })

  describe("a queue built from Config", () => {
    it.scoped("LANES_QUERY_RETRY=fixed retries; LANES_DEAD_LETTER_CAPACITY bounds the dead letters", () =>
      Effect.gen(function*() {
        const queue = yield* LaneQueue.make("env").pipe(
          Effect.provide(LanesConfig.layer),
          Effect.withConfigProvider(provider([
            ["LANES_QUERY_RETRY", "fixed"],
            ["LANES_QUERY_RETRY_COUNT", "1"],
            ["LANES_QUERY_RETRY_DELAY", "1 second"],
            ["LANES_DEAD_LETTER_CAPACITY", "1"]
          ]))
        )
        let calls = 0
        for (const n of [1, 2]) {
          const fiber = yield* Effect.fork(
            Effect.exit(queue.submit("query", Effect.suspend(() => (calls++, Effect.fail(`e${n}`)))))
          )
          yield* advance("1 second")
          expect(Exit.isFailure(yield* Fiber.join(fiber))).toBe(true)
        }
        // Two attempts each.
        expect(calls).toBe(4)
        expect((yield* queue.deadLetters).map((letter) => [letter.error, letter.attempts])).toEqual([["e2", 2]])
      }))

    it.scoped("LANES_EXECUTE_MODE=external with LANES_EXECUTE_EXTERNAL_TIMEOUT", () =>
      Effect.gen(function*() {
        const queue = yield* LaneQueue.make("env").pipe(
          Effect.provide(LanesConfig.layer),
          Effect.withConfigProvider(provider([
            ["LANES_EXECUTE_MODE", "external"],
            ["LANES_EXECUTE_EXTERNAL_TIMEOUT", "2 seconds"]
          ]))
        )
        expect(Exit.isFailure(yield* Effect.exit(queue.submit("execute", Effect.void)))).toBe(true)
        const fiber = yield* Effect.fork(Effect.flip(queue.submitExternal("execute", { commandType: "bash" })))
        yield* settle
        expect((yield* queue.pendingExternal).map((task) => task.deadline)).toEqual([2000])
        yield* advance("2 seconds")
        expect(yield* isDone(fiber)).toBe(true)
        expect((yield* Fiber.join(fiber))._tag).toBe("ExternalTaskTimeout")
      }))
  })

  describe("layerWith / make validation", () => {
    const invalid: ReadonlyArray<readonly [string, LanesConfig.Input]> = [
      ["lanes.query.retry", { query: { retry: RetryPolicy.fixed(101, "1 second") } }],
      ["lanes.query.retry", { query: { retry: RetryPolicy.exponential({ factor: 0.5 }) } }],
      ["lanes.execute.rateLimit.limit", { execute: { rateLimit: { limit: 0, interval: "1 second" } } }],
      ["lanes.execute.rateLimit.interval", { execute: { rateLimit: { limit: 1, interval: "0 seconds" } } }],
      ["lanes.generate.externalTimeout", { generate: { externalTimeout: "0 seconds" } }],
      ["lanes.control.pressureThreshold", { control: { pressureThreshold: 0 } }],
      ["starvationDeadline", { starvationDeadline: 0 }],
      ["deadLetterCapacity", { deadLetterCapacity: 0 }]
    ]
    for (const [field, input] of invalid) {
      it.effect(`rejects an invalid ${field} naming it`, () =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(LanesConfig.make(input))
          expect(error._tag).toBe("InvalidLanesConfig")
          expect(error.field).toBe(field)
        }))
    }

    it.effect("accepts every new setting from code", () =>
      Effect.gen(function*() {
        const settings = yield* LanesConfig.make({
          query: { retry: RetryPolicy.exponential(), pressureThreshold: 5, mode: "hybrid" },
          execute: { mode: "external", externalTimeout: "10 seconds", rateLimit: { limit: 3, interval: "1 second" } },
          generate: { rateLimit: false },
          starvationDeadline: "2 seconds",
          deadLetterCapacity: 7
        })
        expect(settings.lanes.query.retry).toEqual(RetryPolicy.exponential())
        expect(settings.lanes.query.pressureThreshold).toEqual(Option.some(5))
        expect(settings.lanes.query.mode).toBe("hybrid")
        expect(settings.lanes.execute.mode).toBe("external")
        expect(Duration.toMillis(settings.lanes.execute.externalTimeout)).toBe(10_000)
        expect(settings.lanes.execute.rateLimit).toEqual(Option.some({ limit: 3, interval: Duration.seconds(1) }))
        expect(settings.lanes.generate.rateLimit).toEqual(Option.none())
        expect(Duration.toMillis(settings.starvationDeadline)).toBe(2000)
        expect(settings.deadLetterCapacity).toBe(7)
        expect(settings.lanes.control).toEqual(LanesConfig.defaults.lanes.control)
      }))
  })
})
