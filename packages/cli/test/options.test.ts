/**
 * The option values' Schemas: every value in range decodes to itself, every other text fails with one message
 * naming the option and the text given.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Either, FastCheck, ParseResult, Schema } from "effect"
import * as CliOptions from "../src/options.js"

const range = { min: 1, max: 1000 }
const runs = CliOptions.IntegerFromText("runs", range)
const sizes = CliOptions.IntegersFromText("sizes", range)

/** The one-line message of a failed decode, or the decoded value. */
const decode = <A>(schema: Schema.Schema<A, string>, text: string): Either.Either<A, string> =>
  Either.mapLeft(Schema.decodeEither(schema)(text), (error) => ParseResult.TreeFormatter.formatErrorSync(error))

describe("IntegerFromText", () => {
  it.prop("an integer in range decodes to itself", [FastCheck.integer(range)], ([n]) => {
    expect(decode(runs, String(n))).toEqual(Either.right(n))
  })

  it.prop(
    "anything else fails with one line naming the option and the text",
    [
      FastCheck.oneof(
        FastCheck.integer({ max: range.min - 1 }).map(String),
        FastCheck.integer({ min: range.max + 1 }).map(String),
        FastCheck.double({ min: 1.01, max: 999.99, noNaN: true }).filter((x) => !Number.isInteger(x)).map(String),
        FastCheck.string().filter((text) => !/^\s*\d+\s*$/.test(text) && Number.isNaN(Number(text))),
        // numbers JavaScript reads but that are not plain decimal digits
        FastCheck.integer(range).chain((n) =>
          FastCheck.constantFrom(`${n}.0`, `+${n}`, ` ${n}`, `${n} `, `0x${n.toString(16)}`, `${n}e0`)
        )
      )
    ],
    ([text]) => {
      expect(decode(runs, text)).toEqual(
        Either.left(`invalid --runs: expected an integer from 1 to 1000, got ${JSON.stringify(text)}`)
      )
    }
  )
})

describe("IntegersFromText", () => {
  it.prop(
    "a comma-separated list in range decodes to its integers, spaces around parts ignored",
    [FastCheck.array(FastCheck.integer(range), { minLength: 1, maxLength: 8 })],
    ([ns]) => {
      expect(decode(sizes, ns.join(","))).toEqual(Either.right(ns))
      expect(decode(sizes, ` ${ns.join(" , ")} `)).toEqual(Either.right(ns))
    }
  )

  it("an empty list, a non-number or a value out of range fails naming the option", () => {
    for (const text of ["", ",", "2,x", "0,4", "4,1001", "2,,4", "2,4,", "1e3", "0x10", "+5", "2.0"]) {
      expect(decode(sizes, text)).toEqual(
        Either.left(`invalid --sizes: expected comma-separated integers from 1 to 1000, got ${JSON.stringify(text)}`)
      )
    }
  })
})

describe("DurationFromText", () => {
  it.prop("a number of ms, or Effect's duration text", [FastCheck.integer({ min: 0, max: 10_000_000 })], ([ms]) => {
    expect(Either.map(decode(CliOptions.DurationFromText, String(ms)), Duration.toMillis)).toEqual(Either.right(ms))
    expect(Either.map(decode(CliOptions.DurationFromText, `${ms} millis`), Duration.toMillis)).toEqual(
      Either.right(ms)
    )
    expect(Schema.encodeSync(CliOptions.DurationFromText)(Duration.millis(ms))).toBe(String(ms))
  })

  it("refuses negative durations and other text", () => {
    for (const text of ["-5", "-5 millis", "soon", "20ms", ""]) {
      expect(Either.isLeft(decode(CliOptions.DurationFromText, text)), text).toBe(true)
    }
    expect(Either.map(decode(CliOptions.DurationFromText, "1 second"), Duration.toMillis)).toEqual(Either.right(1000))
  })
})
