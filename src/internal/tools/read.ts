/**
 * The `read` tool.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import type { ToolEnv } from "./env.js"
import type { FileNotFound, PathOutsideRoot, ToolFailed } from "./errors.js"
import { fromPlatformError } from "./errors.js"
import type { ReadArgs } from "./schemas.js"

/**
 * The text of a file, or the `limit` lines after the first `offset` lines.
 *
 * @since 0.1.0
 * @category tools
 */
export const read =
  (env: ToolEnv) => (args: typeof ReadArgs.Type): Effect.Effect<string, PathOutsideRoot | FileNotFound | ToolFailed> =>
    Effect.gen(function*() {
      const file = yield* env.sandbox.resolve("read", args.path)
      const text = yield* env.fs.readFileString(file).pipe(Effect.mapError(fromPlatformError("read", args.path)))
      if (args.offset === undefined && args.limit === undefined) return text
      const start = args.offset ?? 0
      const lines = text.split("\n")
      return lines.slice(start, args.limit === undefined ? undefined : start + args.limit).join("\n")
    })
