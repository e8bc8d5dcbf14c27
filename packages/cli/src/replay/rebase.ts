/**
 * Rebasing the paths of a recorded trace onto the replay directory. The recorded project root is the one the
 * trace states (Claude Code's `cwd`, Codex's `session_meta.cwd`, SWE-agent's `working_dir`, Cline's "Current
 * Working Directory"); when it states none, it is learnt as the prefix that, stripped from the trace's absolute
 * paths, leaves files that exist in the directory (the prefix most paths agree on wins). POSIX (`/home/me/p`)
 * and Windows (`c:\Users\me\p`, `C:/Users/me/p`) paths are both understood. A path outside the root, or one
 * that climbs out with `..`, is refused.
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

const isWindows = (path: string): boolean => /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\")

/**
 * A recorded path with `/` separators, a lower-case drive letter and no trailing `/`.
 *
 * @since 0.1.0
 * @category rebasing
 */
export const normalize = (path: string): string => {
  const slashed = isWindows(path) || path.includes("\\") ? path.replace(/\\/g, "/") : path
  const drive = slashed.replace(/^([A-Za-z]):/, (_, letter: string) => `${letter.toLowerCase()}:`)
  const collapsed = drive.replace(/\/{2,}/g, "/").replace(/\/\.(?=\/|$)/g, "")
  return collapsed.length > 1 && collapsed.endsWith("/") && !/^[a-z]:\/$/.test(collapsed)
    ? collapsed.slice(0, -1)
    : collapsed
}

/**
 * Whether a recorded path is absolute, POSIX or Windows.
 *
 * @since 0.1.0
 * @category rebasing
 */
export const isAbsolute = (path: string): boolean => path.startsWith("/") || isWindows(path)

const segments = (path: string): Array<string> => path.split("/").filter((segment) => segment !== "")

const relativeInside = (relative: string): Option.Option<string> => {
  const parts: Array<string> = []
  for (const part of segments(relative)) {
    if (part === ".") continue
    if (part === "..") {
      if (parts.length === 0) return Option.none()
      parts.pop()
    } else parts.push(part)
  }
  return Option.some(parts.length === 0 ? "." : parts.join("/"))
}

const under = (path: string, prefix: string): Option.Option<string> => {
  const p = isWindows(prefix) ? path.toLowerCase() : path
  const q = isWindows(prefix) ? prefix.toLowerCase() : prefix
  if (p === q) return Option.some(".")
  const withSlash = q.endsWith("/") ? q : `${q}/`
  return p.startsWith(withSlash) ? relativeInside(path.slice(withSlash.length)) : Option.none()
}

/**
 * How the recorded root was found.
 *
 * @since 0.1.0
 * @category models
 */
export type RootSource = "stated" | "learnt"

/**
 * Builds the rebasing function from the stated root, or learns the root from the trace's absolute paths.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  root: string,
  recorded: ReadonlyArray<string>,
  stated: Option.Option<string>
): Effect.Effect<
  { readonly rebase: Rebase; readonly prefix: Option.Option<string>; readonly source: RootSource | null },
  never,
  FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const own = normalize(root)
    const statedRoot = Option.map(stated, normalize)
    let prefix = statedRoot
    if (Option.isNone(prefix)) {
      const votes = new Map<string, number>()
      const absolute = new Set(recorded.map(normalize).filter((p) => isAbsolute(p) && Option.isNone(under(p, own))))
      for (const candidate of absolute) {
        const parts = segments(candidate)
        for (let i = 1; i < parts.length; i++) {
          const exists = yield* Effect.orElseSucceed(fs.exists(path.join(root, ...parts.slice(i))), () => false)
          if (exists) {
            const head = parts.slice(0, i).join("/")
            const found = isWindows(candidate) ? head : `/${head}`
            votes.set(found, (votes.get(found) ?? 0) + 1)
            break
          }
        }
      }
      const best = [...votes].sort((a, b) => b[1] - a[1] || b[0].length - a[0].length)[0]
      prefix = Option.fromNullable(best?.[0])
    }
    const rebase: Rebase = (recordedPath) => {
      const p = normalize(recordedPath)
      if (!isAbsolute(p)) return relativeInside(p)
      const direct = under(p, own)
      if (Option.isSome(direct)) return direct
      return Option.flatMap(prefix, (q) => under(p, q))
    }
    return {
      rebase,
      prefix,
      source: Option.isSome(statedRoot) ? "stated" : Option.isSome(prefix) ? "learnt" : null
    }
  })

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * Rewrites the recorded root inside a shell command (`cd /home/me/p && cat /home/me/p/a.ts`) to `.`, so the
 * command works on the scratch copy instead; both separators of a Windows root are rewritten.
 *
 * @since 0.1.0
 * @category rebasing
 */
export const command = (text: string, prefix: Option.Option<string>): string =>
  Option.match(prefix, {
    onNone: () => text,
    onSome: (root) => {
      const forms = new Set([root, root.replace(/\//g, "\\")])
      let out = text
      for (const form of [...forms].sort((a, b) => b.length - a.length)) {
        const flags = isWindows(root) ? "gi" : "g"
        out = out.replace(new RegExp(`${escape(form)}(?=[/\\\\\\s"';&|)]|$)`, flags), ".")
      }
      return out
    }
  })
