/**
 * Validation of option values that `@effect/cli` passes through as text or plain numbers.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { InvalidArgument } from "./errors.js"

/**
 * An integer in `[min, max]`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const integer = (
  option: string,
  value: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER
): Effect.Effect<number, InvalidArgument> =>
  Number.isInteger(value) && value >= min && value <= max
    ? Effect.succeed(value)
    : Effect.fail(new InvalidArgument({ option, reason: `expected an integer from ${min} to ${max}, got ${value}` }))

/**
 * A comma-separated list of integers in `[min, max]`, e.g. `2,4,6`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const integers = (
  option: string,
  text: string,
  min = 1,
  max = 1024
): Effect.Effect<ReadonlyArray<number>, InvalidArgument> => {
  const parts = text.split(",").map((part) => part.trim()).filter((part) => part !== "")
  const values = parts.map(Number)
  return parts.length > 0 && values.every((n) => Number.isInteger(n) && n >= min && n <= max)
    ? Effect.succeed(values)
    : Effect.fail(
      new InvalidArgument({ option, reason: `expected comma-separated integers from ${min} to ${max}, got "${text}"` })
    )
}

/**
 * A duration such as `20 millis`, `1 second`, or a bare number of milliseconds (`0`, `20`); not negative.
 *
 * @since 0.1.0
 * @category parsing
 */
export const duration = (option: string, text: string): Effect.Effect<Duration.Duration, InvalidArgument> => {
  const trimmed = text.trim()
  const decoded = /^\d+(\.\d+)?$/.test(trimmed)
    ? Option.some(Duration.millis(Number(trimmed)))
    : Duration.decodeUnknown(trimmed)
  return Option.match(decoded, {
    onNone: () =>
      Effect.fail(
        new InvalidArgument({
          option,
          reason: `expected a duration such as "20 millis" or a number of ms, got "${text}"`
        })
      ),
    onSome: Effect.succeed
  })
}
