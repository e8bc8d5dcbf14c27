/**
 * The `edit` tool.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import type { ToolEnv } from "./env.js"
import type { FileNotFound, PathOutsideRoot, ToolFailed } from "./errors.js"
import { fromPlatformError, OldStringAmbiguous, OldStringNotFound } from "./errors.js"
import type { EditArgs } from "./schemas.js"

/**
 * Replaces `oldString` by `newString` (literally, no patterns): its single occurrence, or all of them with
 * `replaceAll`. The number of replacements.
 *
 * @since 0.1.0
 * @category tools
 */
export const edit = (env: ToolEnv) =>
(
  args: typeof EditArgs.Type
): Effect.Effect<
  number,
  PathOutsideRoot | FileNotFound | ToolFailed | OldStringNotFound | OldStringAmbiguous
> =>
  Effect.gen(function*() {
    const file = yield* env.sandbox.resolve("edit", args.path)
    const onError = fromPlatformError("edit", args.path)
    const text = yield* env.fs.readFileString(file).pipe(Effect.mapError(onError))
    const parts = text.split(args.oldString)
    const occurrences = parts.length - 1
    if (occurrences === 0) return yield* new OldStringNotFound({ tool: "edit", path: args.path })
    if (occurrences > 1 && args.replaceAll !== true) {
      return yield* new OldStringAmbiguous({ tool: "edit", path: args.path, occurrences })
    }
    yield* env.fs.writeFileString(file, parts.join(args.newString)).pipe(Effect.mapError(onError))
    return occurrences
  })
