/**
 * A depth-first, name-ordered walk of the files under a directory that never leaves the root: symlinks are
 * followed only when their target lies inside the root, each real directory is visited once, and directories
 * named in `ignore` are skipped. Unreadable entries are skipped.
 *
 * @since 0.1.0
 * @internal
 */
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Order from "effect/Order"
import * as Stream from "effect/Stream"
import type { Sandbox } from "./sandbox.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface WalkOptions {
  readonly fs: FileSystem.FileSystem
  readonly path: Path.Path
  readonly sandbox: Sandbox
  readonly ignore: ReadonlySet<string>
}

type Entry =
  | { readonly _tag: "File"; readonly path: string }
  | { readonly _tag: "Directory"; readonly path: string; readonly real: string }
  | { readonly _tag: "Skip" }

const skip: Entry = { _tag: "Skip" }

/**
 * The absolute paths of the files under `directory` (an absolute path inside the root), as the walk reaches them.
 *
 * @since 0.1.0
 * @category walking
 */
export const files = (options: WalkOptions, directory: string): Stream.Stream<string> => {
  const { fs, ignore, path, sandbox } = options

  const classify = (entry: string, visited: Set<string>): Effect.Effect<Entry> =>
    Effect.gen(function*(): Effect.fn.Return<Entry, PlatformError> {
      const real = yield* fs.realPath(entry)
      if (!sandbox.contains(real)) return skip
      const info = yield* fs.stat(real)
      if (info.type === "File") return { _tag: "File", path: entry }
      if (info.type !== "Directory" || visited.has(real)) return skip
      visited.add(real)
      return { _tag: "Directory", path: entry, real }
    }).pipe(Effect.orElseSucceed(() => skip))

  const visit = (dir: string, visited: Set<string>): Stream.Stream<string> =>
    Stream.fromIterableEffect(
      fs.readDirectory(dir).pipe(
        Effect.map(Arr.sort(Order.string)),
        Effect.orElseSucceed(() => [])
      )
    ).pipe(
      Stream.filter((name) => !ignore.has(name)),
      Stream.mapEffect((name) => classify(path.join(dir, name), visited)),
      Stream.flatMap((entry) => {
        switch (entry._tag) {
          case "File":
            return Stream.make(entry.path)
          case "Directory":
            return visit(entry.path, visited)
          case "Skip":
            return Stream.empty
        }
      })
    )

  return Stream.suspend(() => {
    const visited = new Set<string>()
    return Stream.unwrap(
      fs.realPath(directory).pipe(
        Effect.map((real) => {
          visited.add(real)
          return visit(directory, visited)
        }),
        Effect.orElseSucceed(() => Stream.empty)
      )
    )
  })
}
