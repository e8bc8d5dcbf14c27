/**
 * The `write` tool.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { replaceContent, type ResolveError } from "./confined.js"
import type { ToolEnv } from "./env.js"
import type { ToolFailed } from "./errors.js"
import type { WriteArgs } from "./schemas.js"

/**
 * Writes `content` (UTF-8) to a file, creating it and its parent directories inside the root as needed; the
 * number of bytes written. The file is opened once (never through a symlink, never a file with other hard
 * links) and written through that descriptor.
 *
 * @internal
 */
export const write =
  (env: ToolEnv) => (args: typeof WriteArgs.Type): Effect.Effect<number, ResolveError | ToolFailed> =>
    Effect.scoped(Effect.gen(function*() {
      const bytes = new TextEncoder().encode(args.content)
      const opened = yield* env.confined.open({ tool: "write", input: args.path, intent: "file", access: "write" })
      yield* replaceContent("write", opened.fd, bytes)
      return bytes.length
    }))
