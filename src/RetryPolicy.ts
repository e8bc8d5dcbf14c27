/**
 * Retry policies of a lane, as data, and their Effect `Schedule`s.
 *
 * A failed task (a typed failure or a `TaskTimeout`; never an interruption or a defect) is tried
 * again after each delay of its lane's policy, holding its lane permit meanwhile. The upstream's
 * three policies:
 *
 * - `none` (the default): one attempt.
 * - `exponential`: 3 retries after 100 ms, 200 ms, 400 ms (initial 100 ms, factor 2, each delay
 *   capped at 30 s), i.e. attempts at 0, 100, 300 and 700 ms.
 * - `fixed(retries, delay)`: `retries` retries, `delay` apart.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"

/**
 * A retry policy.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryPolicy = Data.TaggedEnum<{
  /** One attempt, no retry. */
  None: {}
  /** `retries` retries; the n-th waits `min(initial * factor^(n-1), maxDelay)`. */
  Exponential: {
    readonly retries: number
    readonly initial: Duration.Duration
    readonly factor: number
    readonly maxDelay: Duration.Duration
  }
  /** `retries` retries, each after `delay`. */
  Fixed: { readonly retries: number; readonly delay: Duration.Duration }
}>

const { $match, Exponential, Fixed, None } = Data.taggedEnum<RetryPolicy>()

/**
 * No retry: the default of every lane.
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: RetryPolicy = None()

/**
 * Exponential backoff; every field optional, defaulting to the upstream's 3 retries, 100 ms
 * initial delay, factor 2 and a 30 s cap.
 *
 * @since 0.1.0
 * @category constructors
 */
export const exponential = (options: {
  readonly retries?: number | undefined
  readonly initial?: Duration.DurationInput | undefined
  readonly factor?: number | undefined
  readonly maxDelay?: Duration.DurationInput | undefined
} = {}): RetryPolicy =>
  Exponential({
    retries: options.retries ?? 3,
    initial: Duration.decode(options.initial ?? "100 millis"),
    factor: options.factor ?? 2,
    maxDelay: Duration.decode(options.maxDelay ?? "30 seconds")
  })

/**
 * `retries` retries, each after `delay`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fixed = (retries: number, delay: Duration.DurationInput): RetryPolicy =>
  Fixed({ retries, delay: Duration.decode(delay) })

/**
 * The number of retries a policy allows (attempts = retries + 1).
 *
 * @since 0.1.0
 * @category accessors
 */
export const retries: (policy: RetryPolicy) => number = $match({
  None: () => 0,
  Exponential: (policy) => policy.retries,
  Fixed: (policy) => policy.retries
})

/**
 * The delays before each retry, in order.
 *
 * @since 0.1.0
 * @category accessors
 */
export const delays: (policy: RetryPolicy) => ReadonlyArray<Duration.Duration> = $match({
  None: () => [],
  Exponential: ({ factor, initial, maxDelay, retries }) =>
    Array.from(
      { length: retries },
      (_, n) => Duration.min(Duration.millis(Duration.toMillis(initial) * factor ** n), maxDelay)
    ),
  Fixed: ({ delay, retries }) => Array.from({ length: retries }, () => delay)
})

/**
 * The policy as an Effect `Schedule` for `Effect.retry`: it recurs once per retry, after the
 * policy's delay, and outputs that delay.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toSchedule = (policy: RetryPolicy): Schedule.Schedule<Duration.Duration> => {
  const [first, ...rest] = delays(policy)
  return first === undefined ? Schedule.stop.pipe(Schedule.as(Duration.zero)) : Schedule.fromDelays(first, ...rest)
}

/**
 * A short description, e.g. `exponential(3 retries from 100 millis x2, max 30 seconds)`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const format: (policy: RetryPolicy) => string = $match({
  None: () => "none",
  Exponential: (p) =>
    `exponential(${p.retries} retries from ${Duration.format(p.initial)} x${p.factor}, max ${
      Duration.format(p.maxDelay)
    })`,
  Fixed: (p) => `fixed(${p.retries} retries every ${Duration.format(p.delay)})`
})
