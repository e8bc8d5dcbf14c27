/**
 * The `write` tool.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import type { ToolEnv } from "./env.js"
import type { FileNotFound, PathOutsideRoot, ToolFailed } from "./errors.js"
import { fromPlatformError } from "./errors.js"
import type { WriteArgs } from "./schemas.js"

/**
 * Writes `content` (UTF-8) to a file, creating it and its parent directories as needed; the number of bytes
 * written.
 *
 * @since 0.1.0
 * @category tools
 */
export const write =
  (env: ToolEnv) => (args: typeof WriteArgs.Type): Effect.Effect<number, PathOutsideRoot | FileNotFound | ToolFailed> =>
    Effect.gen(function*() {
      const file = yield* env.sandbox.resolve("write", args.path)
      const bytes = new TextEncoder().encode(args.content)
      yield* env.fs.makeDirectory(env.path.dirname(file), { recursive: true }).pipe(
        Effect.zipRight(env.fs.writeFile(file, bytes)),
        Effect.mapError(fromPlatformError("write", args.path))
      )
      return bytes.length
    })
