/**
 * Rebasing the paths of a recorded trace onto the replay directory (or, in simulated time, onto the recorded
 * root itself). The recorded project root is, in this order: the one given (`--root`); the one the trace states
 * (Claude Code's `cwd`, Codex's `session_meta.cwd`, SWE-agent's `working_dir`, Cline's "Current Working
 * Directory", OpenCode's `directory`); learnt, over a directory, as the prefix that, stripped from the trace's
 * absolute paths, leaves files that exist there (the prefix most paths agree on wins); else the folder common to
 * the trace's absolute paths (Gemini CLI records no root, and a session that creates its files leaves none to
 * find). POSIX (`/home/me/p`) and Windows (`c:\Users\me\p`, `C:/Users/me/p`) paths are both understood, and
 * names are compared in Unicode NFC (a name stored decomposed, NFD, as macOS does, is the same name). A path
 * outside the root, or one that climbs out with `..`, is refused.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * Maps a recorded path to one relative to the root, `None` when it lies elsewhere.
 *
 * @since 0.1.0
 * @category models
 */
export type Rebase = (path: string) => Option.Option<string>

const isWindows = (path: string): boolean => /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\")

/**
 * A recorded path in Unicode NFC with `/` separators, a lower-case drive letter and no trailing `/`.
 *
 * @since 0.1.0
 * @category rebasing
 */
export const normalize = (path: string): string => {
  const composed = path.normalize("NFC")
  const slashed = isWindows(composed) || composed.includes("\\") ? composed.replace(/\\/g, "/") : composed
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

/** The path made of `parts`, rooted like `like` (a drive letter, or `/`). */
const join = (parts: ReadonlyArray<string>, like: string): string =>
  isWindows(like) ? (parts.length === 1 ? `${parts[0]}/` : parts.join("/")) : `/${parts.join("/")}`

/**
 * The folder common to the recorded absolute folders (the folder of a file, the path of a directory), when it
 * is more than a file-system or drive root; else the deepest folder holding at least four fifths of them.
 *
 * @since 0.1.0
 * @category rebasing
 */
export const commonFolder = (folders: ReadonlyArray<string>): Option.Option<string> => {
  const absolute = folders.map(normalize).filter(isAbsolute)
  const first = absolute[0]
  if (first === undefined) return Option.none()
  const minDepth = isWindows(first) ? 2 : 1
  const lists = absolute.map(segments)
  const key = (list: ReadonlyArray<string>, depth: number) => list.slice(0, depth).join("/").toLowerCase()
  for (const share of [1, 0.8]) {
    const needed = Math.ceil(share * lists.length)
    let best: ReadonlyArray<string> | undefined
    for (let depth = 1;; depth++) {
      const counts = new Map<string, { count: number; list: ReadonlyArray<string> }>()
      for (const list of lists.filter((l) => l.length >= depth)) {
        const entry = counts.get(key(list, depth)) ?? { count: 0, list }
        counts.set(key(list, depth), { count: entry.count + 1, list: entry.list })
      }
      const top = [...counts.values()].sort((a, b) => b.count - a.count)[0]
      if (top === undefined || top.count < needed) break
      best = top.list.slice(0, depth)
    }
    if (best !== undefined && best.length >= minDepth) return Option.some(join(best, first))
  }
  return Option.none()
}

/**
 * How the recorded root was found.
 *
 * @since 0.1.0
 * @category models
 */
export type RootSource = "given" | "stated" | "learnt" | "common"

/**
 * Builds the rebasing function. `dir` is the replay directory (absent in simulated time, where paths are made
 * relative to the recorded root); `recorded` the trace's paths and `folders` its absolute folders (for the
 * common folder); `stated` the root the trace states; `given` the root `--root` gives.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly dir: Option.Option<string>
  readonly recorded: ReadonlyArray<string>
  readonly folders: ReadonlyArray<string>
  readonly stated: Option.Option<string>
  readonly given: Option.Option<string>
}): Effect.Effect<
  { readonly rebase: Rebase; readonly prefix: Option.Option<string>; readonly source: RootSource | null },
  never,
  FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const own = Option.map(options.dir, normalize)
    const outside = (p: string) => Option.match(own, { onNone: () => true, onSome: (d) => Option.isNone(under(p, d)) })
    const learn = Effect.gen(function*() {
      if (Option.isNone(options.dir)) return Option.none<string>()
      const root = options.dir.value
      const votes = new Map<string, number>()
      const absolute = new Set(options.recorded.map(normalize).filter((p) => isAbsolute(p) && outside(p)))
      for (const candidate of absolute) {
        const parts = segments(candidate)
        for (let i = 1; i < parts.length; i++) {
          const exists = yield* Effect.orElseSucceed(fs.exists(path.join(root, ...parts.slice(i))), () => false)
          if (exists) {
            const found = join(parts.slice(0, i), candidate)
            votes.set(found, (votes.get(found) ?? 0) + 1)
            break
          }
        }
      }
      const best = [...votes].sort((a, b) => b[1] - a[1] || b[0].length - a[0].length)[0]
      return Option.fromNullable(best?.[0])
    })
    const found: ReadonlyArray<readonly [RootSource, Effect.Effect<Option.Option<string>>]> = [
      ["given", Effect.succeed(options.given)],
      ["stated", Effect.succeed(options.stated)],
      ["learnt", learn],
      ["common", Effect.sync(() => commonFolder(options.folders))]
    ]
    let prefix = Option.none<string>()
    let source: RootSource | null = null
    for (const [name, find] of found) {
      prefix = Option.map(yield* find, normalize)
      if (Option.isSome(prefix)) {
        source = name
        break
      }
    }
    const rebase: Rebase = (recordedPath) => {
      const p = normalize(recordedPath)
      if (!isAbsolute(p)) return relativeInside(p)
      const direct = Option.flatMap(own, (d) => under(p, d))
      if (Option.isSome(direct)) return direct
      return Option.flatMap(prefix, (q) => under(p, q))
    }
    return { rebase, prefix, source }
  })

/**
 * The spelling a relative path has in `dir`: each name that does not exist as written is matched, in Unicode
 * NFC, against the names in its folder (a folder stored NFD and written NFC is found). `None` when a name has
 * no match, so that the call fails as it would have.
 *
 * @since 0.1.0
 * @category rebasing
 */
export const onDisk = (
  dir: string,
  relative: string
): Effect.Effect<Option.Option<string>, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    if (relative === "." || (yield* Effect.orElseSucceed(fs.exists(path.join(dir, relative)), () => false))) {
      return Option.some(relative)
    }
    const found: Array<string> = []
    for (const name of segments(relative)) {
      const here = path.join(dir, ...found)
      if (yield* Effect.orElseSucceed(fs.exists(path.join(here, name)), () => false)) {
        found.push(name)
        continue
      }
      const names = yield* Effect.orElseSucceed(fs.readDirectory(here), () => [])
      const match = names.find((candidate) => candidate.normalize("NFC") === name.normalize("NFC"))
      if (match === undefined) return Option.none()
      found.push(match)
    }
    return Option.some(found.join("/"))
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

const globChars = /[*?[\]{}]/

/**
 * An absolute glob pattern (`C:\Users\me\p\src\**\*.ts`, `/home/me/p/**\/*.ts`) split into the folder before its
 * first wildcard and the pattern after it, with `/` separators; `None` for a relative pattern.
 *
 * @since 0.1.0
 * @category rebasing
 */
export const splitGlob = (pattern: string): Option.Option<{ readonly folder: string; readonly pattern: string }> => {
  const windows = isWindows(pattern)
  if (!windows && !pattern.startsWith("/")) return Option.none()
  const slashed = windows ? pattern.replace(/\\/g, "/") : pattern
  const parts = slashed.split("/")
  const first = parts.findIndex((part) => globChars.test(part))
  if (first < 0) {
    return Option.some({ folder: parts.slice(0, -1).join("/") || "/", pattern: parts[parts.length - 1] ?? "*" })
  }
  return Option.some({ folder: parts.slice(0, first).join("/") || "/", pattern: parts.slice(first).join("/") })
}
