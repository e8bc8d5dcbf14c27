/**
 * The options the commands share, and the builders of the others. Every value is decoded by `@effect/cli`
 * through a Schema (`Options.withSchema`), so a bad value fails the parse with one line naming the option (the
 * usage exit code 2, see `app.ts`); each option's bounds and default are stated once, here or where the option
 * is made, and the help text shows both.
 *
 * @since 0.1.0
 */
import * as Options from "@effect/cli/Options"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Files from "./bench/files.js"

/**
 * An inclusive range of integers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Range {
  readonly min: number
  readonly max: number
}

/** Replaces every failure of `schema` by one message naming the option and the value given. */
const named = <A>(schema: Schema.Schema<A, string>, option: string, expected: string): Schema.Schema<A, string> =>
  schema.annotations({
    message: (issue) => ({
      message: `invalid --${option}: expected ${expected}, got ${JSON.stringify(issue.actual)}`,
      override: true
    })
  })

/** Plain decimal digits only: no sign, exponent, hex prefix, fraction or spaces (as `LanesConfig` reads numbers). */
const Digits = Schema.String.pipe(Schema.pattern(/^[0-9]+$/))

const bounded = ({ max, min }: Range) =>
  Schema.compose(Schema.compose(Digits, Schema.NumberFromString), Schema.Int.pipe(Schema.between(min, max)))

const rangeText = ({ max, min }: Range) => `an integer from ${min} to ${max}`

/**
 * The text of `--NAME` as an integer in `range`; any other text fails with one message naming the option.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IntegerFromText = (name: string, range: Range): Schema.Schema<number, string> =>
  named(bounded(range), name, rangeText(range))

const Parts = Schema.transform(Schema.String, Schema.Array(Schema.String), {
  strict: true,
  decode: (text) => text.split(",").map((part) => part.trim()),
  encode: (parts) => parts.join(",")
})

/**
 * The text of `--NAME` as a comma-separated, non-empty list of integers in `range`; any
 * other text fails with one message naming the option.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IntegersFromText = (
  name: string,
  range: Range
): Schema.Schema<readonly [number, ...Array<number>], string> =>
  named(
    Schema.compose(Parts, Schema.NonEmptyArray(bounded(range))),
    name,
    `comma-separated integers from ${range.min} to ${range.max}`
  )

/**
 * `--NAME N`: an integer in `range`; with `variable`, read from that environment variable (validated the same
 * way) when the option is not given. A text primitive decoded by the Schema rather than `Options.integer`, whose
 * own check of a non-number (`'abc' is not a integer`) would not name the option.
 *
 * @since 0.1.0
 * @category constructors
 */
export const integer = (
  name: string,
  range: Range,
  description: string,
  variable?: string
): Options.Options<number> => {
  const schema = IntegerFromText(name, range)
  const option = Options.text(name).pipe(
    Options.withPseudoName("N"),
    Options.withDescription(`${description} ${capitalize(rangeText(range))}.`),
    Options.withSchema(schema)
  )
  return variable === undefined ? option : Options.withFallbackConfig(option, Schema.Config(variable, schema))
}

/**
 * `--NAME N,N,...`: a comma-separated, non-empty list of integers in `range`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const integers = (name: string, range: Range, description: string): Options.Options<ReadonlyArray<number>> =>
  Options.text(name).pipe(
    Options.withPseudoName("N,N,..."),
    Options.withDescription(`${description} Comma-separated integers from ${range.min} to ${range.max}.`),
    Options.withSchema(IntegersFromText(name, range))
  )

/**
 * A duration written as Effect's `Duration` input (`20 millis`, `1 second`) or as a bare number of milliseconds
 * (`0`, `20`); never negative.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DurationFromText: Schema.Schema<Duration.Duration, string> = Schema.transformOrFail(
  Schema.String,
  Schema.DurationFromSelf,
  {
    strict: true,
    decode: (text, _, ast) => {
      const trimmed = text.trim()
      const decoded = /^\d+(\.\d+)?$/.test(trimmed)
        ? Option.some(Duration.millis(Number(trimmed)))
        : trimmed.startsWith("-")
        ? Option.none()
        : Duration.decodeUnknown(trimmed)
      return Option.match(decoded, {
        onNone: () => ParseResult.fail(new ParseResult.Type(ast, text)),
        onSome: ParseResult.succeed
      })
    },
    encode: (duration) => ParseResult.succeed(String(Duration.toMillis(duration)))
  }
)

/**
 * Makes an option optional with `value` as its default, and says so in the help (`shown` when the value itself
 * does not read well, e.g. a long path).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withDefault =
  <const B>(value: B, shown: string = String(value)) => <A>(self: Options.Options<A>): Options.Options<A | B> =>
    self.pipe(Options.withDefault(value), Options.withDescription(`Default: ${shown}.`))

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1)

/**
 * `-d, --dir DIRECTORY`: an existing directory (checked by `@effect/cli`), as its real path.
 *
 * @since 0.1.0
 * @category options
 */
export const dir = (fallback: string, shown: string, description: string): Options.Options<string> =>
  Options.directory("dir", { exists: "yes" }).pipe(
    Options.withAlias("d"),
    Options.withPseudoName("DIRECTORY"),
    Options.withDescription(description),
    withDefault(fallback, shown),
    Options.mapEffect(Files.realPath)
  )

/**
 * `--runs N`: recorded runs, 1 to 1000.
 *
 * @since 0.1.0
 * @category options
 */
export const runs = (fallback: number, description: string): Options.Options<number> =>
  integer("runs", { min: 1, max: 1000 }, description).pipe(withDefault(fallback))

/**
 * `--concurrency N`: 1 to 1024, the range of a lane's concurrency in `LanesConfig`.
 *
 * @since 0.1.0
 * @category options
 */
export const concurrency = (fallback: number, description: string): Options.Options<number> =>
  integer("concurrency", { min: 1, max: 1024 }, description).pipe(withDefault(fallback))

/**
 * `--latency DURATION`: latency injected before every call; the default in milliseconds.
 *
 * @since 0.1.0
 * @category options
 */
export const latency = (fallbackMillis: number, description: string): Options.Options<Duration.Duration> =>
  Options.text("latency").pipe(
    Options.withPseudoName("DURATION"),
    Options.withDescription(`${description} A duration such as "20 millis" or "1 second", or a number of ms.`),
    Options.withSchema(named(DurationFromText, "latency", "a duration such as \"20 millis\" or a number of ms")),
    withDefault(Duration.millis(fallbackMillis), fallbackMillis === 0 ? "0" : `${fallbackMillis} millis`)
  )

/**
 * `--json FILE`: every figure written to a JSON file.
 *
 * @since 0.1.0
 * @category options
 */
export const json: Options.Options<Option.Option<string>> = Options.file("json").pipe(
  Options.withPseudoName("FILE"),
  Options.withDescription("Write every figure to this JSON file (created, with its directory, or replaced)."),
  Options.optional
)
