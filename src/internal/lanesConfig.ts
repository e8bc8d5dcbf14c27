import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashSet from "effect/HashSet"
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

/** A plain decimal integer: digits only (no sign, exponent, hex prefix or fraction). */
const decimalInteger = /^[0-9]+$/
/** A plain decimal number: digits, optionally a fraction. */
const decimalNumber = /^[0-9]+(\.[0-9]+)?$/

/**
 * A number written in plain decimal digits (`pattern`) that passes `valid`; anything else fails
 * with `message`, at the key.
 */
const decimal = (
  key: string,
  pattern: RegExp,
  valid: (n: number) => boolean,
  message: string
): Config.Config<Option.Option<number>> =>
  Config.string(key).pipe(
    Config.mapOrFail((text) => {
      const trimmed = text.trim()
      const n = Number(trimmed)
      return pattern.test(trimmed) && valid(n)
        ? Either.right(n)
        : Either.left(ConfigError.InvalidData([], `${message} in plain decimal digits, got ${JSON.stringify(text)}`))
    }),
    Config.option
  )

const countConfig = (key: string, range: Range): Config.Config<Option.Option<number>> =>
  decimal(key, decimalInteger, isCount(range), `${key} ${rangeMessage(range)}`)

const numberConfig = (key: string, range: Range): Config.Config<Option.Option<number>> =>
  decimal(key, decimalNumber, inRange(range), `${key} ${rangeMessage(range, "a number")}`)

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

/** The keys every lane reads, after `LANES_<LANE>_`. */
const laneKeys = [
  "CONCURRENCY",
  "TIMEOUT",
  "RETRY",
  "RETRY_COUNT",
  "RETRY_DELAY",
  "RETRY_FACTOR",
  "RETRY_MAX_DELAY",
  "RATE_LIMIT",
  "RATE_INTERVAL",
  "MODE",
  "EXTERNAL_TIMEOUT",
  "PRESSURE_THRESHOLD"
]

/**
 * Every key under `LANES_` that means something: the lane keys, the session keys, and the
 * strategy's (`LANES_STRATEGY`: `cost` | `seed`, read by the planner's configuration).
 */
export const knownKeys: ReadonlySet<string> = new Set([
  ...(["control", "query", "execute", "generate"] as const).flatMap((name) =>
    laneKeys.map((field) => keyOf(name, field))
  ),
  "LANES_TOTAL_CONCURRENCY",
  "LANES_STARVATION_DEADLINE",
  "LANES_DEAD_LETTER_CAPACITY",
  "LANES_PARALLEL_MIN_TOOLS",
  "LANES_STRATEGY"
])

const isKnownOrPrefix = (key: string): boolean => {
  if (knownKeys.has(key)) return true
  for (const known of knownKeys) if (known.startsWith(`${key}_`)) return true
  return false
}

/**
 * Fails with a `ConfigError` naming the first key under `LANES_` that no setting reads (a typo
 * would otherwise be ignored silently). Walks the provider's keys, whatever its path delimiter.
 */
export const checkKeys: Effect.Effect<void, ConfigError.ConfigError> = Effect.flatMap(
  Effect.configProviderWith(Effect.succeed),
  (provider) => {
    const flat = provider.flattened
    const unknownUnder = (path: ReadonlyArray<string>): Effect.Effect<Option.Option<string>, ConfigError.ConfigError> =>
      Effect.flatMap(flat.enumerateChildren(path), (children) => {
        const key = path.join("_")
        const names = Array.from(HashSet.toValues(children)).sort()
        if (names.length === 0) return Effect.succeed(knownKeys.has(key) ? Option.none() : Option.some(key))
        if (!isKnownOrPrefix(key)) return Effect.succeed(Option.some(`${key}_${names[0]}`))
        return Effect.reduce(
          names,
          Option.none<string>(),
          (found, name) => Option.isSome(found) ? Effect.succeed(found) : unknownUnder([...path, name])
        )
      })
    return Effect.flatMap(flat.enumerateChildren([]), (roots) => {
      const lanesRoots = Array.from(HashSet.toValues(roots)).filter((name) =>
        name === "LANES" || name.startsWith("LANES_")
      ).sort()
      return Effect.flatMap(
        Effect.reduce(
          lanesRoots,
          Option.none<string>(),
          (found, name) => Option.isSome(found) ? Effect.succeed(found) : unknownUnder([name])
        ),
        Option.match({
          onNone: () => Effect.void,
          onSome: (key) =>
            Effect.fail(ConfigError.InvalidData([key], `${key} is not a setting of effect-lanes (unknown key)`))
        })
      )
    })
  }
)

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
  if (!isRecord(input) || input.limit === undefined || input.interval === undefined) {
    return invalid(
      field,
      `${field} must be false or { limit, interval } (e.g. { limit: 60, interval: "1 minute" }), got ${describe(input)}`
    )
  }
  return Effect.all({
    limit: count(`${field}.limit`, input.limit, 1, largeRange),
    interval: durationOr(`${field}.interval`, input.interval, Duration.minutes(1))
  }).pipe(Effect.asSome)
}

/** Whether a value is a plain object (not null, not an array). */
const isRecord = (value: unknown): value is { readonly [key: string]: unknown } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A short description of a value given where settings were expected. */
const describe = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`
}

/** The fields of one lane's settings in code. */
const laneFields: ReadonlySet<string> = new Set([
  "concurrency",
  "timeout",
  "retry",
  "rateLimit",
  "mode",
  "externalTimeout",
  "pressureThreshold"
])

/** The top-level fields of settings in code (lanes may also be given at the top level). */
const inputFields: ReadonlySet<string> = new Set([
  "lanes",
  "control",
  "query",
  "execute",
  "generate",
  "totalConcurrency",
  "starvationDeadline",
  "deadLetterCapacity",
  "parallelMinTools",
  "strategy"
])

const laneNames: ReadonlySet<string> = new Set(["control", "query", "execute", "generate"])

/**
 * Fails naming the first field the settings do not have (a misspelled lane or setting would
 * otherwise be ignored silently), or the first part that is not an object.
 */
const checkShape = (input: unknown): Check<void> => {
  if (!isRecord(input)) return invalid("input", `settings must be an object, got ${describe(input)}`)
  const unknownIn = (where: string, value: unknown, known: ReadonlySet<string>): Check<void> => {
    if (value === undefined) return Effect.void
    if (!isRecord(value)) return invalid(where, `${where} must be an object, got ${describe(value)}`)
    const unknown = Object.keys(value).find((key) => !known.has(key))
    return unknown === undefined
      ? Effect.void
      : invalid(`${where}.${unknown}`, `${where}.${unknown} is not a setting of effect-lanes (unknown key)`)
  }
  const top = Object.keys(input).find((key) => !inputFields.has(key))
  if (top !== undefined) {
    return invalid(top, `${top} is not a setting of effect-lanes (unknown key; lanes are ${[...laneNames].join(", ")})`)
  }
  return Effect.forEach(
    [
      unknownIn("lanes", input.lanes, laneNames),
      ...[...laneNames].flatMap((name) => [
        unknownIn(name, input[name], laneFields),
        unknownIn(`lanes.${name}`, isRecord(input.lanes) ? input.lanes[name] : undefined, laneFields)
      ])
    ],
    (check) => check,
    { discard: true }
  )
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
  Effect.zipRight(checkShape(input), Effect.suspend(() => fromInput(input)))

const fromInput = (input: LanesConfig.Input): Check<LanesConfig.Settings> =>
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
