import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Lane from "../Lane.js"
import type * as LanesConfig from "../LanesConfig.js"
import { InvalidLanesConfig } from "../LanesConfig.js"

/** The upper bound of every count setting. */
export const maxCount = 1024

const isCount = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= maxCount
const countMessage = `must be an integer from 1 to ${maxCount}`

export const defaults: LanesConfig.Settings = {
  lanes: {
    control: { concurrency: 4, timeout: Option.none() },
    query: { concurrency: 8, timeout: Option.none() },
    execute: { concurrency: 4, timeout: Option.none() },
    generate: { concurrency: 2, timeout: Option.none() }
  },
  totalConcurrency: Option.none(),
  parallelMinTools: 6
}

const keyOf = (lane: Lane.Lane, field: string): string => `LANES_${lane.toUpperCase()}_${field}`

const countConfig = (key: string): Config.Config<Option.Option<number>> =>
  Config.integer(key).pipe(
    Config.validate({ message: `${key} ${countMessage}`, validation: isCount }),
    Config.option
  )

const timeoutConfig = (key: string): Config.Config<Option.Option<Duration.Duration>> =>
  Config.duration(key).pipe(
    Config.validate({
      message: `${key} must be a positive duration`,
      validation: (d) => Duration.greaterThan(d, Duration.zero)
    }),
    Config.option
  )

const laneConfig = (lane: Lane.Lane): Config.Config<LanesConfig.LaneSettings> =>
  Config.all({
    concurrency: countConfig(keyOf(lane, "CONCURRENCY")),
    timeout: timeoutConfig(keyOf(lane, "TIMEOUT"))
  }).pipe(Config.map(({ concurrency, timeout }) => ({
    concurrency: Option.getOrElse(concurrency, () => defaults.lanes[lane].concurrency),
    timeout
  })))

export const config: Config.Config<LanesConfig.Settings> = Config.all({
  control: laneConfig("control"),
  query: laneConfig("query"),
  execute: laneConfig("execute"),
  generate: laneConfig("generate"),
  totalConcurrency: countConfig("LANES_TOTAL_CONCURRENCY"),
  parallelMinTools: countConfig("LANES_PARALLEL_MIN_TOOLS")
}).pipe(Config.map(({ control, execute, generate, parallelMinTools, query, totalConcurrency }) => ({
  lanes: { control, query, execute, generate },
  totalConcurrency,
  parallelMinTools: Option.getOrElse(parallelMinTools, () => defaults.parallelMinTools)
})))

const count = (field: string, value: number | undefined, fallback: number): Effect.Effect<number, InvalidLanesConfig> =>
  value === undefined
    ? Effect.succeed(fallback)
    : isCount(value)
    ? Effect.succeed(value)
    : Effect.fail(new InvalidLanesConfig({ field, message: `${field} ${countMessage}, got ${value}` }))

const timeout = (
  field: string,
  value: Duration.DurationInput | undefined
): Effect.Effect<Option.Option<Duration.Duration>, InvalidLanesConfig> => {
  if (value === undefined) return Effect.succeed(Option.none())
  const decoded = Duration.decodeUnknown(value)
  return Option.isSome(decoded) && Duration.greaterThan(decoded.value, Duration.zero)
    ? Effect.succeed(decoded)
    : Effect.fail(
      new InvalidLanesConfig({ field, message: `${field} must be a positive duration, got ${String(value)}` })
    )
}

const laneSettings = (lane: Lane.Lane, input: LanesConfig.LaneInput | undefined) =>
  Effect.all({
    concurrency: count(`lanes.${lane}.concurrency`, input?.concurrency, defaults.lanes[lane].concurrency),
    timeout: timeout(`lanes.${lane}.timeout`, input?.timeout)
  })

export const make = (input: LanesConfig.Input): Effect.Effect<LanesConfig.Settings, InvalidLanesConfig> =>
  Effect.all({
    lanes: Effect.all({
      control: laneSettings("control", input.lanes?.control ?? input.control),
      query: laneSettings("query", input.lanes?.query ?? input.query),
      execute: laneSettings("execute", input.lanes?.execute ?? input.execute),
      generate: laneSettings("generate", input.lanes?.generate ?? input.generate)
    }),
    totalConcurrency: input.totalConcurrency === undefined
      ? Effect.succeed(Option.none())
      : Effect.asSome(count("totalConcurrency", input.totalConcurrency, 1)),
    parallelMinTools: count("parallelMinTools", input.parallelMinTools, defaults.parallelMinTools)
  })
