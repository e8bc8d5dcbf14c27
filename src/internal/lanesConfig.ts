import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Lane from "../Lane.js"
import { InvalidLanesConfig } from "../LaneError.js"
import type * as LanesConfig from "../LanesConfig.js"
import * as RetryPolicy from "../RetryPolicy.js"
import * as Strategy from "../Strategy.js"

export const handlerModes: ReadonlyArray<LanesConfig.HandlerMode> = ["internal", "external", "hybrid"]

interface Range {
  readonly min: number
  readonly max: number
}

const concurrencyRange: Range = { min: 1, max: 1024 }
const retryRange: Range = { min: 0, max: 100 }
const factorRange: Range = { min: 1, max: 10 }
const rateRange: Range = { min: 0, max: 1_000_000 }
const largeRange: Range = { min: 1, max: 1_000_000 }

const inRange = (range: Range) => (n: number): boolean => Number.isFinite(n) && n >= range.min && n <= range.max
const isCount = (range: Range) => (n: number): boolean => Number.isInteger(n) && inRange(range)(n)
const rangeMessage = (range: Range, kind = "an integer") => `must be ${kind} from ${range.min} to ${range.max}`
const isPositive = (d: Duration.Duration): boolean => Duration.greaterThan(d, Duration.zero)

const lane = (
  concurrency: number,
  rateLimit: Option.Option<LanesConfig.RateLimit> = Option.none()
): LanesConfig.LaneSettings => ({
  concurrency,
  timeout: Option.none(),
  retry: RetryPolicy.none,
  rateLimit,
  mode: "internal",
  externalTimeout: Duration.seconds(60),
  pressureThreshold: Option.none()
})

export const defaults: LanesConfig.Settings = {
  lanes: {
    control: lane(4),
    query: lane(8),
    execute: lane(4),
    generate: lane(2, Option.some({ limit: 60, interval: Duration.minutes(1) }))
  },
  totalConcurrency: Option.none(),
  starvationDeadline: Duration.seconds(30),
  deadLetterCapacity: 1000,
  strategy: Strategy.defaults
}

// ---------------------------------------------------------------------------------------------
// from Effect Config
// ---------------------------------------------------------------------------------------------

const keyOf = (name: Lane.Lane, field: string): string => `LANES_${name.toUpperCase()}_${field}`

const countConfig = (key: string, range: Range): Config.Config<Option.Option<number>> =>
  Config.integer(key).pipe(
    Config.validate({ message: `${key} ${rangeMessage(range)}`, validation: isCount(range) }),
    Config.option
  )

const numberConfig = (key: string, range: Range): Config.Config<Option.Option<number>> =>
  Config.number(key).pipe(
    Config.validate({ message: `${key} ${rangeMessage(range, "a number")}`, validation: inRange(range) }),
    Config.option
  )

const durationConfig = (key: string): Config.Config<Option.Option<Duration.Duration>> =>
  Config.duration(key).pipe(
    Config.validate({ message: `${key} must be a positive duration`, validation: isPositive }),
    Config.option
  )

const orDefault = <A>(option: Option.Option<A>, fallback: A): A => Option.getOrElse(option, () => fallback)

const retryConfig = (name: Lane.Lane): Config.Config<RetryPolicy.RetryPolicy> =>
  Config.all({
    kind: Config.option(Config.literal("none", "exponential", "fixed")(keyOf(name, "RETRY"))),
    retries: countConfig(keyOf(name, "RETRY_COUNT"), retryRange),
    delay: durationConfig(keyOf(name, "RETRY_DELAY")),
    factor: numberConfig(keyOf(name, "RETRY_FACTOR"), factorRange),
    maxDelay: durationConfig(keyOf(name, "RETRY_MAX_DELAY"))
  }).pipe(Config.map(({ delay, factor, kind, maxDelay, retries }) => {
    switch (orDefault(kind, "none")) {
      case "none":
        return defaults.lanes[name].retry
      case "fixed":
        return RetryPolicy.fixed(orDefault(retries, 3), orDefault(delay, Duration.millis(100)))
      case "exponential":
        return RetryPolicy.exponential({
          retries: Option.getOrUndefined(retries),
          initial: Option.getOrUndefined(delay),
          factor: Option.getOrUndefined(factor),
          maxDelay: Option.getOrUndefined(maxDelay)
        })
    }
  }))

const rateLimitConfig = (name: Lane.Lane): Config.Config<Option.Option<LanesConfig.RateLimit>> =>
  Config.all({
    limit: countConfig(keyOf(name, "RATE_LIMIT"), rateRange),
    interval: durationConfig(keyOf(name, "RATE_INTERVAL"))
  }).pipe(Config.map(({ interval, limit }) => {
    const fallback = defaults.lanes[name].rateLimit
    const count = Option.orElse(limit, () => Option.map(fallback, (rate) => rate.limit))
    return Option.filter(count, (n) => n > 0).pipe(Option.map((n) => ({
      limit: n,
      interval: orDefault(
        interval,
        Option.match(fallback, {
          onNone: () => Duration.minutes(1),
          onSome: (rate) => rate.interval
        })
      )
    })))
  }))

const laneConfig = (name: Lane.Lane): Config.Config<LanesConfig.LaneSettings> => {
  const fallback = defaults.lanes[name]
  return Config.all({
    concurrency: countConfig(keyOf(name, "CONCURRENCY"), concurrencyRange),
    timeout: durationConfig(keyOf(name, "TIMEOUT")),
    retry: retryConfig(name),
    rateLimit: rateLimitConfig(name),
    mode: Config.option(Config.literal(...handlerModes)(keyOf(name, "MODE"))),
    externalTimeout: durationConfig(keyOf(name, "EXTERNAL_TIMEOUT")),
    pressureThreshold: countConfig(keyOf(name, "PRESSURE_THRESHOLD"), largeRange)
  }).pipe(Config.map((read) => ({
    concurrency: orDefault(read.concurrency, fallback.concurrency),
    timeout: read.timeout,
    retry: read.retry,
    rateLimit: read.rateLimit,
    mode: orDefault(read.mode, fallback.mode),
    externalTimeout: orDefault(read.externalTimeout, fallback.externalTimeout),
    pressureThreshold: Option.orElse(read.pressureThreshold, () => fallback.pressureThreshold)
  })))
}

export const config: Config.Config<LanesConfig.Settings> = Config.all({
  control: laneConfig("control"),
  query: laneConfig("query"),
  execute: laneConfig("execute"),
  generate: laneConfig("generate"),
  totalConcurrency: countConfig("LANES_TOTAL_CONCURRENCY", concurrencyRange),
  starvationDeadline: durationConfig("LANES_STARVATION_DEADLINE"),
  deadLetterCapacity: countConfig("LANES_DEAD_LETTER_CAPACITY", largeRange),
  minToolCount: countConfig("LANES_PARALLEL_MIN_TOOLS", concurrencyRange),
  rules: Config.option(Config.literal("cost", "seed")("LANES_STRATEGY"))
}).pipe(Config.map((read) => ({
  lanes: { control: read.control, query: read.query, execute: read.execute, generate: read.generate },
  totalConcurrency: read.totalConcurrency,
  starvationDeadline: orDefault(read.starvationDeadline, defaults.starvationDeadline),
  deadLetterCapacity: orDefault(read.deadLetterCapacity, defaults.deadLetterCapacity),
  strategy: strategyOf(Option.getOrUndefined(read.rules), Option.getOrUndefined(read.minToolCount))
})))

/** The planner's options of a preset (`cost`: `Strategy.defaults`, `seed`: `Strategy.seedRules`), adjusted. */
const strategyOf = (
  rules: Strategy.Options["rules"] | undefined,
  minToolCount: number | undefined,
  input?: Partial<Strategy.Options>
): Strategy.Options => {
  const preset = (input?.rules ?? rules) === "seed" ? Strategy.seedRules : Strategy.defaults
  return { ...preset, ...input, minToolCount: minToolCount ?? preset.minToolCount }
}

// ---------------------------------------------------------------------------------------------
// from code
// ---------------------------------------------------------------------------------------------

type Check<A> = Effect.Effect<A, InvalidLanesConfig>

const invalid = (field: string, message: string) => Effect.fail(new InvalidLanesConfig({ field, message }))

const count = (field: string, value: number | undefined, fallback: number, range: Range): Check<number> =>
  value === undefined
    ? Effect.succeed(fallback)
    : isCount(range)(value)
    ? Effect.succeed(value)
    : invalid(field, `${field} ${rangeMessage(range)}, got ${value}`)

const duration = (
  field: string,
  value: Duration.DurationInput | undefined
): Check<Option.Option<Duration.Duration>> => {
  if (value === undefined) return Effect.succeed(Option.none())
  const decoded = Duration.decodeUnknown(value)
  return Option.isSome(decoded) && isPositive(decoded.value)
    ? Effect.succeed(decoded)
    : invalid(field, `${field} must be a positive duration, got ${String(value)}`)
}

const durationOr = (field: string, value: Duration.DurationInput | undefined, fallback: Duration.Duration) =>
  Effect.map(duration(field, value), (option) => orDefault(option, fallback))

const retry = (field: string, policy: RetryPolicy.RetryPolicy | undefined, fallback: RetryPolicy.RetryPolicy) => {
  if (policy === undefined) return Effect.succeed(fallback)
  const retries = RetryPolicy.retries(policy)
  const delaysValid = RetryPolicy.delays(policy).every((d) => Duration.greaterThanOrEqualTo(d, Duration.zero))
  const factorValid = policy._tag !== "Exponential" || inRange(factorRange)(policy.factor)
  return isCount(retryRange)(retries) && delaysValid && factorValid
    ? Effect.succeed(policy)
    : invalid(field, `${field} needs 0 to 100 retries, delays >= 0 and a factor from 1 to 10`)
}

const rateLimit = (
  field: string,
  input: LanesConfig.LaneInput["rateLimit"],
  fallback: Option.Option<LanesConfig.RateLimit>
): Check<Option.Option<LanesConfig.RateLimit>> => {
  if (input === undefined) return Effect.succeed(fallback)
  if (input === false) return Effect.succeed(Option.none())
  return Effect.all({
    limit: count(`${field}.limit`, input.limit, 1, largeRange),
    interval: durationOr(`${field}.interval`, input.interval, Duration.minutes(1))
  }).pipe(Effect.asSome)
}

const laneSettings = (name: Lane.Lane, input: LanesConfig.LaneInput | undefined): Check<LanesConfig.LaneSettings> => {
  const fallback = defaults.lanes[name]
  const field = (key: string) => `lanes.${name}.${key}`
  const mode = input?.mode ?? fallback.mode
  return Effect.all({
    concurrency: count(field("concurrency"), input?.concurrency, fallback.concurrency, concurrencyRange),
    timeout: duration(field("timeout"), input?.timeout),
    retry: retry(field("retry"), input?.retry, fallback.retry),
    rateLimit: rateLimit(field("rateLimit"), input?.rateLimit, fallback.rateLimit),
    mode: handlerModes.includes(mode) ? Effect.succeed(mode) : invalid(field("mode"), `unknown mode ${mode}`),
    externalTimeout: durationOr(field("externalTimeout"), input?.externalTimeout, fallback.externalTimeout),
    pressureThreshold: input?.pressureThreshold === undefined
      ? Effect.succeed(fallback.pressureThreshold)
      : Effect.asSome(count(field("pressureThreshold"), input.pressureThreshold, 1, largeRange))
  })
}

export const make = (input: LanesConfig.Input): Check<LanesConfig.Settings> =>
  Effect.all({
    lanes: Effect.all({
      control: laneSettings("control", input.lanes?.control ?? input.control),
      query: laneSettings("query", input.lanes?.query ?? input.query),
      execute: laneSettings("execute", input.lanes?.execute ?? input.execute),
      generate: laneSettings("generate", input.lanes?.generate ?? input.generate)
    }),
    totalConcurrency: input.totalConcurrency === undefined
      ? Effect.succeed(Option.none())
      : Effect.asSome(count("totalConcurrency", input.totalConcurrency, 1, concurrencyRange)),
    starvationDeadline: durationOr("starvationDeadline", input.starvationDeadline, defaults.starvationDeadline),
    deadLetterCapacity: count("deadLetterCapacity", input.deadLetterCapacity, defaults.deadLetterCapacity, largeRange),
    strategy: Effect.map(
      count(
        input.strategy?.minToolCount === undefined ? "parallelMinTools" : "strategy.minToolCount",
        input.strategy?.minToolCount ?? input.parallelMinTools,
        strategyOf(undefined, undefined, input.strategy).minToolCount,
        concurrencyRange
      ),
      (minToolCount) => strategyOf(undefined, minToolCount, input.strategy)
    )
  })
