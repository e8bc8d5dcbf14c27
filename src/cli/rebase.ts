/**
 * Rebasing the absolute paths of a recorded trace (agents such as Claude Code write `/home/me/project/src/a.ts`)
 * onto the replay directory: the recorded project root is learnt as the prefix that, stripped from the paths,
 * leaves files that exist in the directory (the prefix most paths agree on wins).
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * Maps a recorded path to one relative to the replay directory, `None` when it lies elsewhere.
 *
 * @since 0.1.0
 * @category models
 */
export type Rebase = (path: string) => Option.Option<string>

/**
 * Learns the recorded root from the trace's absolute paths and returns the rebasing function, with the
 * learnt prefix (`None` when no absolute path matched).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  root: string,
  recorded: ReadonlyArray<string>
): Effect.Effect<
  { readonly rebase: Rebase; readonly prefix: Option.Option<string> },
  never,
  FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const inside = (absolute: string): Option.Option<string> => {
      const relative = path.relative(root, absolute)
      return relative === "" ? Option.some(".") : relative.startsWith("..") || path.isAbsolute(relative)
        ? Option.none()
        : Option.some(relative)
    }
    const votes = new Map<string, number>()
    for (const absolute of new Set(recorded.filter((p) => path.isAbsolute(p) && Option.isNone(inside(p))))) {
      const segments = absolute.split("/").filter((segment) => segment !== "")
      for (let i = 1; i < segments.length; i++) {
        const exists = yield* Effect.orElseSucceed(fs.exists(path.join(root, ...segments.slice(i))), () => false)
        if (exists) {
          const prefix = `/${segments.slice(0, i).join("/")}`
          votes.set(prefix, (votes.get(prefix) ?? 0) + 1)
          break
        }
      }
    }
    const best = [...votes].sort((a, b) => b[1] - a[1] || b[0].length - a[0].length)[0]
    const prefix = Option.fromNullable(best?.[0])
    const rebase: Rebase = (recordedPath) => {
      if (!path.isAbsolute(recordedPath)) return Option.some(recordedPath)
      const direct = inside(recordedPath)
      if (Option.isSome(direct)) return direct
      return Option.flatMap(prefix, (p) => {
        if (recordedPath === p) return Option.some(".")
        return recordedPath.startsWith(`${p}/`) ? Option.some(recordedPath.slice(p.length + 1)) : Option.none()
      })
    }
    return { rebase, prefix }
  })
