/**
 * The `glob` tool.
 *
 * @internal
 */
import * as Arr from "effect/Array"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Order from "effect/Order"
import * as Stream from "effect/Stream"
import { componentsOf, type ResolveError } from "./confined.js"
import type { ToolEnv } from "./env.js"
import * as Patterns from "./patterns.js"
import type { GlobArgs } from "./schemas.js"
import * as Walk from "./walk.js"

/**
 * The files under `path` whose path relative to `path` matches the pattern (picomatch syntax, run on RE2), as
 * sorted paths relative to the root (at most `maxGlobResults` of them, the first ones the walk reaches).
 *
 * @internal
 */
export const glob = (env: ToolEnv) =>
(
  args: typeof GlobArgs.Type
): Effect.Effect<ReadonlyArray<string>, ResolveError> =>
  Effect.gen(function*() {
    const input = args.path ?? "."
    const directory = yield* Effect.scoped(env.confined.open({ tool: "glob", input, intent: "directory" }))
    const start = componentsOf(directory)
    const prefix = start.length === 0 ? 0 : start.join("/").length + 1
    const matches = Patterns.matcher(args.pattern)
    const found = yield* Walk.files(env, start).pipe(
      Stream.filter((file) => matches(file.slice(prefix))),
      Stream.take(env.maxGlobResults),
      Stream.runCollect
    )
    return Arr.sort(Chunk.toReadonlyArray(found), Order.string)
  })
