/**
 * Scratch copies of a directory, so that replayed writes, edits and commands never touch the user's files.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { BenchFailed } from "./errors.js"
import * as Files from "./files.js"

/**
 * Copies the regular files under `root` (not entering `node_modules` or `.git`) into a new temporary
 * directory, removed when the scope closes, and returns its path.
 *
 * @since 0.1.0
 * @category constructors
 */
export const scratchCopy = (
  root: string,
  entries: ReadonlyArray<Files.Entry>
): Effect.Effect<string, BenchFailed, FileSystem.FileSystem | Path.Path | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const temp = yield* fs.makeTempDirectoryScoped({ prefix: "effect-lanes-replay-" })
    const directories = new Set(entries.map((entry) => path.dirname(entry.path)).filter((dir) => dir !== "."))
    for (const dir of directories) yield* fs.makeDirectory(path.join(temp, dir), { recursive: true })
    yield* Effect.forEach(entries, (entry) => fs.copyFile(path.join(root, entry.path), path.join(temp, entry.path)), {
      concurrency: 8,
      discard: true
    })
    return temp
  }).pipe(Effect.mapError((error) => new BenchFailed({ scenario: "replay", reason: `scratch copy: ${error.message}` })))
