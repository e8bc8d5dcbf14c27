/**
 * Decoding tool arguments into `InvalidToolArguments` naming the bad field.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { InvalidToolArguments } from "./errors.js"

/**
 * Decodes the arguments of a call to `tool`; missing arguments count as `{}`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeArgs = <A, I>(tool: string, schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknown(schema, { errors: "all" })
  return (args: unknown): Effect.Effect<A, InvalidToolArguments> =>
    Effect.mapError(decode(args ?? {}), (error) => {
      const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
      const first = issues[0]
      const field = first === undefined || first.path.length === 0 ? "args" : first.path.map(String).join(".")
      const message = issues
        .map((
          issue
        ) => (issue.path.length === 0 ? issue.message : `${issue.path.map(String).join(".")}: ${issue.message}`))
        .join("; ")
      return new InvalidToolArguments({ tool, field, message })
    })
}
