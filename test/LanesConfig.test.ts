import { describe, expect, it } from "@effect/vitest"
import { ConfigError, ConfigProvider, Duration, Effect, Exit, FastCheck, Layer, Option } from "effect"
import * as Lane from "../src/Lane.js"
import * as LaneQueue from "../src/LaneQueue.js"
import * as LanesConfig from "../src/LanesConfig.js"
import * as Strategy from "../src/Strategy.js"

/** Builds `LanesConfig.layer` under a `ConfigProvider` made of `entries`, and reads the settings. */
const fromEnv = (entries: ReadonlyArray<readonly [string, string]>) =>
  LanesConfig.LanesConfig.pipe(
    Effect.provide(LanesConfig.layer),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(entries), { pathDelim: "_" }))
  )

/** Expects building the layer to fail with a `ConfigError` that names `key`. */
const expectConfigError = (entries: ReadonlyArray<readonly [string, string]>, key: string) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(fromEnv(entries))
    expect(ConfigError.isConfigError(error)).toBe(true)
    expect(String(error)).toContain(key)
  })

const concurrencyKeys = Lane.all.map((lane) => [lane, `LANES_${lane.toUpperCase()}_CONCURRENCY`] as const)
const timeoutKeys = Lane.all.map((lane) => [lane, `LANES_${lane.toUpperCase()}_TIMEOUT`] as const)

describe("LanesConfig", () => {
  it("defaults: control 4, query 8, execute 4, generate 2, no timeouts, no cap, the per-call planner", () => {
    const d = LanesConfig.defaults
    expect(Lane.all.map((lane) => d.lanes[lane].concurrency)).toEqual([4, 8, 4, 2])
    for (const lane of Lane.all) expect(Option.isNone(d.lanes[lane].timeout)).toBe(true)
    expect(Option.isNone(d.totalConcurrency)).toBe(true)
    expect(d.strategy).toEqual(Strategy.defaults)
  })

  it("defaults: the generate lane is rate limited to 60 per minute, the others are not", () => {
    const rate = Option.getOrThrow(LanesConfig.defaults.lanes.generate.rateLimit)
    expect(rate.limit / Duration.toMinutes(rate.interval)).toBe(60)
    for (const lane of ["control", "query", "execute"] as const) {
      expect(Option.isNone(LanesConfig.defaults.lanes[lane].rateLimit)).toBe(true)
    }
  })

  describe("layer (Effect Config)", () => {
    it.effect("an empty provider gives the defaults", () =>
      Effect.gen(function*() {
        expect(yield* fromEnv([])).toEqual(LanesConfig.defaults)
      }))

    it.effect("each lane's concurrency key overrides that lane only", () =>
      Effect.gen(function*() {
        for (const [lane, key] of concurrencyKeys) {
          const settings = yield* fromEnv([[key, "13"]])
          for (const other of Lane.all) {
            expect(settings.lanes[other].concurrency).toBe(
              other === lane ? 13 : LanesConfig.defaults.lanes[other].concurrency
            )
          }
        }
      }))

    it.effect("reads every key at once", () =>
      Effect.gen(function*() {
        const settings = yield* fromEnv([
          ["LANES_CONTROL_CONCURRENCY", "1"],
          ["LANES_QUERY_CONCURRENCY", "16"],
          ["LANES_EXECUTE_CONCURRENCY", "3"],
          ["LANES_GENERATE_CONCURRENCY", "1024"],
          ["LANES_QUERY_TIMEOUT", "30 seconds"],
          ["LANES_GENERATE_TIMEOUT", "2 minutes"],
          ["LANES_TOTAL_CONCURRENCY", "10"],
          ["LANES_PARALLEL_MIN_TOOLS", "3"]
        ])
        expect(Lane.all.map((lane) => settings.lanes[lane].concurrency)).toEqual([1, 16, 3, 1024])
        expect(settings.lanes.query.timeout).toEqual(Option.some(Duration.seconds(30)))
        expect(settings.lanes.generate.timeout).toEqual(Option.some(Duration.minutes(2)))
        expect(Option.isNone(settings.lanes.control.timeout)).toBe(true)
        expect(Option.isNone(settings.lanes.execute.timeout)).toBe(true)
        expect(settings.totalConcurrency).toEqual(Option.some(10))
        expect(settings.strategy.minToolCount).toBe(3)
      }))

    it.effect("each lane's timeout key parses a duration", () =>
      Effect.gen(function*() {
        for (const [lane, key] of timeoutKeys) {
          const settings = yield* fromEnv([[key, "30 seconds"]])
          expect(Duration.toMillis(Option.getOrThrow(settings.lanes[lane].timeout))).toBe(30_000)
        }
      }))

    it.effect("also works through Layer.setConfigProvider", () =>
      Effect.gen(function*() {
        const settings = yield* LanesConfig.LanesConfig.pipe(
          Effect.provide(
            LanesConfig.layer.pipe(
              Layer.provide(Layer.setConfigProvider(
                ConfigProvider.fromMap(new Map([["LANES_QUERY_CONCURRENCY", "5"]]), { pathDelim: "_" })
              ))
            )
          )
        )
        expect(settings.lanes.query.concurrency).toBe(5)
      }))

    for (const value of ["abc", "0", "-1", "1025", "100000", "1.5", ""]) {
      it.effect(`rejects the concurrency ${JSON.stringify(value)} naming the key`, () =>
        Effect.gen(function*() {
          for (const [, key] of concurrencyKeys) yield* expectConfigError([[key, value]], key)
          yield* expectConfigError([["LANES_TOTAL_CONCURRENCY", value]], "LANES_TOTAL_CONCURRENCY")
          yield* expectConfigError([["LANES_PARALLEL_MIN_TOOLS", value]], "LANES_PARALLEL_MIN_TOOLS")
        }))
    }

    it.effect("LANES_STRATEGY picks the planner's preset; LANES_PARALLEL_MIN_TOOLS adjusts either", () =>
      Effect.gen(function*() {
        expect((yield* fromEnv([])).strategy).toEqual(Strategy.defaults)
        expect((yield* fromEnv([["LANES_STRATEGY", "cost"]])).strategy).toEqual(Strategy.defaults)
        expect((yield* fromEnv([["LANES_STRATEGY", "seed"]])).strategy).toEqual(Strategy.seedRules)
        const seed4 = yield* fromEnv([["LANES_STRATEGY", "seed"], ["LANES_PARALLEL_MIN_TOOLS", "4"]])
        expect(seed4.strategy).toEqual({ ...Strategy.seedRules, minToolCount: 4 })
        yield* expectConfigError([["LANES_STRATEGY", "fast"]], "LANES_STRATEGY")
        yield* expectConfigError([["LANES_STRATEGY", ""]], "LANES_STRATEGY")
      }))

    it.effect("in code, `strategy.rules: \"seed\"` starts from seedRules", () =>
      Effect.gen(function*() {
        const settings = yield* LanesConfig.make({ strategy: { rules: "seed", blockedTools: ["web_fetch"] } })
        expect(settings.strategy).toEqual({ ...Strategy.seedRules, blockedTools: ["web_fetch"] })
        expect((yield* LanesConfig.make({})).strategy).toEqual(Strategy.defaults)
      }))

    it.effect("an invalid value fails even when the other keys are fine", () =>
      expectConfigError(
        [["LANES_CONTROL_CONCURRENCY", "2"], ["LANES_QUERY_CONCURRENCY", "abc"], ["LANES_QUERY_TIMEOUT", "1 second"]],
        "LANES_QUERY_CONCURRENCY"
      ))

    for (const value of ["soon", "0 seconds", "-5 seconds", "30 fortnights"]) {
      it.effect(`rejects the timeout ${JSON.stringify(value)} naming the key`, () =>
        Effect.gen(function*() {
          for (const [, key] of timeoutKeys) yield* expectConfigError([[key, value]], key)
        }))
    }

    // Parameters: 50 runs; n any integer from -2000 to 2000 (1..1024 is valid).
    it.effect.prop(
      "accepts exactly the integers 1..1024",
      [FastCheck.integer({ min: -2000, max: 2000 })],
      ([n]) =>
        Effect.gen(function*() {
          const exit = yield* Effect.exit(fromEnv([["LANES_EXECUTE_CONCURRENCY", String(n)]]))
          if (n >= 1 && n <= 1024) {
            expect(exit).toEqual(Exit.succeed({
              ...LanesConfig.defaults,
              lanes: {
                ...LanesConfig.defaults.lanes,
                execute: { ...LanesConfig.defaults.lanes.execute, concurrency: n }
              }
            }))
          } else {
            expect(Exit.isFailure(exit)).toBe(true)
          }
        }),
      { fastCheck: { numRuns: 50 } }
    )

    it.effect("configures a queue built from LaneQueue.layer", () =>
      Effect.gen(function*() {
        const stats = yield* Effect.flatMap(LaneQueue.LaneQueue, (queue) => queue.stats).pipe(
          Effect.provide(LaneQueue.layer("s").pipe(Layer.provide(LanesConfig.layer))),
          Effect.withConfigProvider(
            ConfigProvider.fromMap(new Map([["LANES_QUERY_CONCURRENCY", "3"], ["LANES_GENERATE_CONCURRENCY", "7"]]), {
              pathDelim: "_"
            })
          )
        )
        expect(Lane.all.map((lane) => stats.lanes[lane].concurrency)).toEqual([4, 3, 4, 7])
      }))
  })

  describe("layerWith / make (code)", () => {
    const read = (input: LanesConfig.Input) => Effect.provide(LanesConfig.LanesConfig, LanesConfig.layerWith(input))

    it.effect("an empty input gives the defaults", () =>
      Effect.gen(function*() {
        expect(yield* read({})).toEqual(LanesConfig.defaults)
        expect(yield* Effect.provide(LanesConfig.LanesConfig, LanesConfig.layerDefaults)).toEqual(LanesConfig.defaults)
      }))

    it.effect("a partial input under `lanes` keeps the other defaults", () =>
      Effect.gen(function*() {
        const settings = yield* read({ lanes: { query: { concurrency: 16, timeout: "30 seconds" } } })
        expect(settings).toEqual({
          ...LanesConfig.defaults,
          lanes: {
            ...LanesConfig.defaults.lanes,
            query: { ...LanesConfig.defaults.lanes.query, concurrency: 16, timeout: Option.some(Duration.seconds(30)) }
          }
        })
      }))

    it.effect("the shorthand at the top level works the same", () =>
      Effect.gen(function*() {
        const shorthand = yield* read({ query: { concurrency: 16 } })
        const nested = yield* read({ lanes: { query: { concurrency: 16 } } })
        expect(shorthand).toEqual(nested)
        expect(shorthand.lanes.query.concurrency).toBe(16)
        expect(shorthand.lanes.execute.concurrency).toBe(4)
      }))

    it.effect("a lane given only a timeout keeps its default concurrency", () =>
      Effect.gen(function*() {
        const settings = yield* read({ generate: { timeout: 5000 } })
        expect(settings.lanes.generate.concurrency).toBe(2)
        expect(settings.lanes.generate.timeout).toEqual(Option.some(Duration.millis(5000)))
      }))

    it.effect("totalConcurrency and parallelMinTools", () =>
      Effect.gen(function*() {
        const settings = yield* read({ totalConcurrency: 6, parallelMinTools: 2 })
        expect(settings.totalConcurrency).toEqual(Option.some(6))
        expect(settings.strategy.minToolCount).toBe(2)
        expect(settings.lanes).toEqual(LanesConfig.defaults.lanes)
      }))

    it.effect("accepts the bounds 1 and 1024", () =>
      Effect.gen(function*() {
        const settings = yield* LanesConfig.make({ control: { concurrency: 1 }, query: { concurrency: 1024 } })
        expect(settings.lanes.control.concurrency).toBe(1)
        expect(settings.lanes.query.concurrency).toBe(1024)
      }))

    const invalid: ReadonlyArray<readonly [string, LanesConfig.Input, string]> = [
      ["concurrency 0", { query: { concurrency: 0 } }, "lanes.query.concurrency"],
      ["concurrency -1", { lanes: { execute: { concurrency: -1 } } }, "lanes.execute.concurrency"],
      ["concurrency 1025", { generate: { concurrency: 1025 } }, "lanes.generate.concurrency"],
      ["concurrency 100000", { control: { concurrency: 100000 } }, "lanes.control.concurrency"],
      ["concurrency 1.5", { query: { concurrency: 1.5 } }, "lanes.query.concurrency"],
      ["concurrency NaN", { query: { concurrency: Number.NaN } }, "lanes.query.concurrency"],
      ["timeout 0", { query: { timeout: 0 } }, "lanes.query.timeout"],
      ["timeout -1 second", { query: { timeout: -1000 } }, "lanes.query.timeout"],
      ["timeout 0 seconds", { execute: { timeout: "0 seconds" } }, "lanes.execute.timeout"],
      ["totalConcurrency 0", { totalConcurrency: 0 }, "totalConcurrency"],
      ["totalConcurrency 2000", { totalConcurrency: 2000 }, "totalConcurrency"],
      ["parallelMinTools 0", { parallelMinTools: 0 }, "parallelMinTools"]
    ]
    for (const [name, input, field] of invalid) {
      it.effect(`make rejects ${name} with InvalidLanesConfig naming ${field}`, () =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(LanesConfig.make(input))
          expect(error).toBeInstanceOf(LanesConfig.InvalidLanesConfig)
          expect(error._tag).toBe("InvalidLanesConfig")
          expect(error.field).toBe(field)
          expect(error.message).toContain(field)
        }))
    }

    it.effect("layerWith dies with InvalidLanesConfig on an out-of-range value", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(read({ query: { concurrency: 0 } }))
        expect(Exit.isFailure(exit)).toBe(true)
        const defect = Exit.isFailure(exit) && exit.cause._tag === "Die" ? exit.cause.defect : undefined
        expect(defect).toBeInstanceOf(LanesConfig.InvalidLanesConfig)
      }))
  })
})

/** Settings as untyped JavaScript would pass them (JSON has no types to check). */
const untyped = (json: string): LanesConfig.Input => JSON.parse(json)

/** Expects `LanesConfig.make` to fail (not throw) with `InvalidLanesConfig` naming `field`. */
const expectInvalidInput = (input: LanesConfig.Input, field: string) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(LanesConfig.make(input))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = yield* Effect.flip(LanesConfig.make(input))
    expect(error._tag).toBe("InvalidLanesConfig")
    expect(error.field).toBe(field)
  })

describe("LanesConfig: strict input", () => {
  it.effect("numbers are plain decimal digits: 1e3, 0x10, +5, 1_000 and 2.0 fail naming the key", () =>
    Effect.gen(function*() {
      for (const value of ["1e3", "0x10", "+5", "1_000", "2.0", "0b11", " "]) {
        yield* expectConfigError([["LANES_QUERY_CONCURRENCY", value]], "LANES_QUERY_CONCURRENCY")
        yield* expectConfigError([["LANES_TOTAL_CONCURRENCY", value]], "LANES_TOTAL_CONCURRENCY")
      }
      expect((yield* fromEnv([["LANES_QUERY_CONCURRENCY", "16"]])).lanes.query.concurrency).toBe(16)
    }))

  it.effect("an unknown key under LANES_ fails the layer naming it; other keys are not ours", () =>
    Effect.gen(function*() {
      yield* expectConfigError([["LANES_QUERY_CONCURENCY", "4"]], "LANES_QUERY_CONCURENCY")
      yield* expectConfigError([["LANES_QUREY_CONCURRENCY", "4"]], "LANES_QUREY_CONCURRENCY")
      yield* expectConfigError([["LANES_TOTAL", "4"]], "LANES_TOTAL")
      const settings = yield* fromEnv([
        ["PATH", "/usr/bin"],
        ["LANESX", "1"],
        ["LANES_STRATEGY", "seed"],
        ["LANES_PARALLEL_MIN_TOOLS", "3"],
        ["LANES_QUERY_RETRY", "fixed"],
        ["LANES_QUERY_RETRY_COUNT", "2"]
      ])
      expect(settings.strategy.minToolCount).toBe(3)
      expect(settings.lanes.query.retry._tag).toBe("Fixed")
    }))

  it.effect("rateLimit takes { limit, interval } or false: true, null and a missing interval fail", () =>
    Effect.gen(function*() {
      yield* expectInvalidInput(untyped(`{ "generate": { "rateLimit": true } }`), "lanes.generate.rateLimit")
      yield* expectInvalidInput(untyped(`{ "query": { "rateLimit": null } }`), "lanes.query.rateLimit")
      yield* expectInvalidInput(untyped(`{ "query": { "rateLimit": { "limit": 5 } } }`), "lanes.query.rateLimit")
      const settings = yield* LanesConfig.make({ query: { rateLimit: { limit: 5, interval: "1 second" } } })
      expect(Option.map(settings.lanes.query.rateLimit, (rate) => rate.limit)).toEqual(Option.some(5))
    }))

  it.effect("untyped input fails as an effect: null, an array, a misspelled lane or setting", () =>
    Effect.gen(function*() {
      yield* expectInvalidInput(untyped("null"), "input")
      yield* expectInvalidInput(untyped("[]"), "input")
      yield* expectInvalidInput(untyped(`{ "qurey": { "concurrency": 2 } }`), "qurey")
      yield* expectInvalidInput(untyped(`{ "lanes": { "qurey": { "concurrency": 2 } } }`), "lanes.qurey")
      yield* expectInvalidInput(untyped(`{ "query": { "concurency": 2 } }`), "query.concurency")
      yield* expectInvalidInput(untyped(`{ "lanes": { "query": null } }`), "lanes.query")
      // the layer from code dies with the same error rather than throwing at the call
      const exit = yield* Effect.exit(Effect.provide(LanesConfig.LanesConfig, LanesConfig.layerWith(untyped("null"))))
      expect(Exit.isFailure(exit)).toBe(true)
    }))
})
