/**
 * The `ls` tool.
 *
 * @internal
 */
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Order from "effect/Order"
import type * as NodeFs from "node:fs"
import { close, componentsOf, type Confined, type Opened, readDirectory, type ResolveError } from "./confined.js"
import type { ToolEnv } from "./env.js"
import type { ToolFailed } from "./errors.js"
import type { LsArgs, LsEntry } from "./schemas.js"

const byName = Order.mapInput(Order.string, (entry: typeof LsEntry.Type) => entry.name)

// What a symlink in the listed directory is, without revealing anything about a target outside the root: only
// a target that resolves inside the root (through the confined resolver) is looked at.
const linkType = (
  confined: Confined,
  directory: Opened,
  name: string
): typeof LsEntry.Type["type"] => {
  const at = componentsOf(directory)
  const target = confined.readLink(directory, name)
  const expanded = target === undefined ? undefined : confined.expand(at, target)
  if (expanded === undefined) return "symlink"
  return Either.match(confined.openSync({ tool: "ls", input: name, intent: "any" }, expanded), {
    onLeft: () => "symlink",
    onRight: (opened) => {
      close(opened.fd)
      return opened.kind
    }
  })
}

const typeOf = (confined: Confined, directory: Opened, entry: NodeFs.Dirent): typeof LsEntry.Type["type"] =>
  entry.isFile()
    ? "file"
    : entry.isDirectory()
    ? "directory"
    : entry.isSymbolicLink()
    ? linkType(confined, directory, entry.name)
    : "other"

/**
 * The entries of a directory sorted by name. A symlink has its target's type only when the target resolves
 * inside the root; otherwise it is listed as `symlink` and its target is never touched.
 *
 * @internal
 */
export const ls = (env: ToolEnv) =>
(
  args: typeof LsArgs.Type
): Effect.Effect<ReadonlyArray<typeof LsEntry.Type>, ResolveError | ToolFailed> =>
  Effect.scoped(Effect.gen(function*() {
    const input = args.path ?? "."
    const directory = yield* env.confined.open({ tool: "ls", input, intent: "directory" })
    const entries = yield* readDirectory("ls", env.confined, directory)
    return Arr.sort(
      entries.map((entry): typeof LsEntry.Type => ({
        name: entry.name,
        type: typeOf(env.confined, directory, entry)
      })),
      byName
    )
  }))
