/**
 * The `ls` tool.
 *
 * @since 0.1.0
 * @internal
 */
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Order from "effect/Order"
import type { ToolEnv } from "./env.js"
import type { FileNotFound, PathOutsideRoot, ToolFailed } from "./errors.js"
import { fromPlatformError } from "./errors.js"
import type { LsArgs, LsEntry } from "./schemas.js"

const byName = Order.mapInput(Order.string, (entry: typeof LsEntry.Type) => entry.name)

/**
 * The entries of a directory sorted by name; an entry is a `directory` when it is one or links to one.
 *
 * @since 0.1.0
 * @category tools
 */
export const ls = (env: ToolEnv) =>
(
  args: typeof LsArgs.Type
): Effect.Effect<ReadonlyArray<typeof LsEntry.Type>, PathOutsideRoot | FileNotFound | ToolFailed> =>
  Effect.gen(function*() {
    const input = args.path ?? "."
    const dir = yield* env.sandbox.resolve("ls", input)
    const names = yield* env.fs.readDirectory(dir).pipe(Effect.mapError(fromPlatformError("ls", input)))
    const entries = yield* Effect.forEach(names, (name) =>
      env.fs.stat(env.path.join(dir, name)).pipe(
        Effect.map((info) => info.type === "Directory"),
        Effect.orElseSucceed(() => false),
        Effect.map((isDirectory): typeof LsEntry.Type => ({ name, type: isDirectory ? "directory" : "file" }))
      ))
    return Arr.sort(entries, byName)
  })
