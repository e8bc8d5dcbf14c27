/**
 * Finding the directory the benchmarks and replays work on, and the files in it.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import { fileURLToPath } from "node:url"
import { BenchFailed } from "../errors.js"

/**
 * This program's own code: the CLI package's `src` when run from a checkout, its `dist` when installed.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultDirectory: string = fileURLToPath(new URL("..", import.meta.url))

/**
 * Directory names never entered.
 *
 * @since 0.1.0
 * @category constants
 */
export const ignored: ReadonlySet<string> = new Set(["node_modules", ".git"])

/**
 * The real path of a directory (symbolic links resolved; the absolute path when that fails).
 *
 * @since 0.1.0
 * @category constructors
 */
export const realPath = (directory: string): Effect.Effect<string, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const absolute = (yield* Path.Path).resolve(directory)
    return yield* Effect.orElseSucceed(fs.realPath(absolute), () => absolute)
  })

/**
 * A regular file under a directory: its `/`-separated path relative to the directory, and its size.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  readonly path: string
  readonly size: number
}

/**
 * The regular files under a directory (not entering {@link ignored} names), sorted by path, at most `limit`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const list = (
  root: string,
  limit = 2000
): Effect.Effect<ReadonlyArray<Entry>, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const found: Array<Entry> = []
    const visit = (relative: string): Effect.Effect<void> =>
      Effect.gen(function*() {
        const names = yield* Effect.orElseSucceed(fs.readDirectory(path.join(root, relative)), () => [])
        for (const name of [...names].sort()) {
          if (found.length >= limit || ignored.has(name)) continue
          const child = relative === "" ? name : `${relative}/${name}`
          const info = yield* Effect.option(fs.stat(path.join(root, child)))
          if (info._tag === "None") continue
          if (info.value.type === "Directory") yield* visit(child)
          else if (info.value.type === "File") found.push({ path: child, size: Number(info.value.size) })
        }
      })
    yield* visit("")
    return found.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  })

/**
 * The files under a directory, failing with {@link BenchFailed} when there are none.
 *
 * @since 0.1.0
 * @category constructors
 */
export const nonEmpty = (
  scenario: string,
  root: string
): Effect.Effect<ReadonlyArray<Entry>, BenchFailed, FileSystem.FileSystem | Path.Path> =>
  Effect.filterOrFail(
    list(root),
    (entries) => entries.length > 0,
    () => new BenchFailed({ scenario, reason: `no files to read in ${root}` })
  )

/**
 * `count` paths taken from the list in order, cycling when it is shorter.
 *
 * @since 0.1.0
 * @category combinators
 */
export const take = (entries: ReadonlyArray<Entry>, count: number): ReadonlyArray<string> =>
  Array.from({ length: count }, (_, i) => entries[i % entries.length]?.path ?? "")
