/**
 * A depth-first, name-ordered walk of the files under a directory that never leaves the root. Every directory
 * is opened through the confined resolver (so a directory swapped for a symlink out of the root is refused) and
 * listed through its descriptor; a symlink is handed on only when it resolves inside the root; each real
 * directory is visited once; directories named in `ignore` are skipped; unreadable entries are skipped. The
 * walk hands on root-relative paths as walked, and whoever opens one resolves it again, race-free.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type * as NodeFs from "node:fs"
import { close, type Confined, type Opened, readDirectory } from "./confined.js"

/** @internal */
export interface WalkOptions {
  readonly confined: Confined
  readonly ignore: ReadonlySet<string>
}

const byName = (a: NodeFs.Dirent, b: NodeFs.Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/**
 * The root-relative, `/`-separated paths of the files under `directory` (root-relative components), as the
 * walk reaches them.
 *
 * @internal
 */
export const files = (options: WalkOptions, directory: ReadonlyArray<string>): Stream.Stream<string> => {
  const { confined, ignore } = options
  const request = (components: ReadonlyArray<string>, intent: "directory" | "any") => ({
    tool: "walk",
    input: components.join("/"),
    intent
  })

  // The sorted entries of a directory not visited yet, read through a checked descriptor.
  const list = (components: ReadonlyArray<string>, visited: Set<string>): Effect.Effect<Array<NodeFs.Dirent>> =>
    Effect.suspend(() =>
      Either.match(confined.openSync(request(components, "directory"), components), {
        onLeft: () => Effect.succeed([]),
        onRight: (opened: Opened) => {
          if (visited.has(opened.real)) {
            close(opened.fd)
            return Effect.succeed([])
          }
          visited.add(opened.real)
          return readDirectory("walk", confined, opened).pipe(
            Effect.map((entries) => entries.sort(byName)),
            Effect.orElseSucceed(() => []),
            Effect.ensuring(Effect.sync(() => close(opened.fd)))
          )
        }
      })
    )

  const kindOfLink = (components: ReadonlyArray<string>): "file" | "directory" | undefined =>
    Either.match(confined.openSync(request(components, "any"), components), {
      onLeft: () => undefined,
      onRight: (opened) => {
        close(opened.fd)
        return opened.kind
      }
    })

  const visit = (components: ReadonlyArray<string>, visited: Set<string>): Stream.Stream<string> =>
    Stream.fromIterableEffect(list(components, visited)).pipe(
      Stream.filter((entry) => !ignore.has(entry.name)),
      Stream.flatMap((entry) => {
        const child = [...components, entry.name]
        const kind = entry.isFile()
          ? "file"
          : entry.isDirectory()
          ? "directory"
          : entry.isSymbolicLink()
          ? kindOfLink(child)
          : undefined
        if (kind === "file") return Stream.make(child.join("/"))
        if (kind === "directory") return visit(child, visited)
        return Stream.empty
      })
    )

  return Stream.suspend(() => visit(directory, new Set()))
}
