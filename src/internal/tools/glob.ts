/**
 * The `glob` tool.
 *
 * @since 0.1.0
 * @internal
 */
import * as Arr from "effect/Array"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Order from "effect/Order"
import * as Stream from "effect/Stream"
import type { ToolEnv } from "./env.js"
import type { FileNotFound, PathOutsideRoot } from "./errors.js"
import { fromPlatformError, ToolFailed } from "./errors.js"
import * as GlobMatch from "./globMatch.js"
import type { GlobArgs } from "./schemas.js"
import * as Walk from "./walk.js"

/**
 * The files under `path` whose path relative to `path` matches the pattern, as sorted paths relative to the root
 * (at most `maxGlobResults` of them, the first ones the walk reaches).
 *
 * @since 0.1.0
 * @category tools
 */
export const glob = (env: ToolEnv) =>
(
  args: typeof GlobArgs.Type
): Effect.Effect<ReadonlyArray<string>, PathOutsideRoot | FileNotFound | ToolFailed> =>
  Effect.gen(function*() {
    const input = args.path ?? "."
    const dir = yield* env.sandbox.resolve("glob", input)
    const info = yield* env.fs.stat(dir).pipe(Effect.mapError(fromPlatformError("glob", input)))
    if (info.type !== "Directory") return yield* new ToolFailed({ tool: "glob", message: `not a directory: ${input}` })
    const matches = GlobMatch.matcher(args.pattern)
    const found = yield* Walk.files(env, dir).pipe(
      Stream.filter((file) => matches(env.path.relative(dir, file).split(env.path.sep).join("/"))),
      Stream.take(env.maxGlobResults),
      Stream.runCollect
    )
    return Arr.sort(Chunk.toReadonlyArray(found).map(env.sandbox.relative), Order.string)
  })
