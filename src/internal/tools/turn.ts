import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Strategy from "../../Strategy.js"
import * as ToolTraits from "../../ToolTraits.js"
import { isReadOnlyCommand } from "./readOnlyCommand.js"

const writer: ToolTraits.ToolTraits = { readOnly: false, destructive: true, idempotent: false, openWorld: false }

/** @internal A read-only bash command: reads local files only (as far as the classifier can tell). */
const readOnlyCommand: Partial<ToolTraits.ToolTraits> = ToolTraits.localRead

const commandOf = (args: unknown): unknown =>
  typeof args === "object" && args !== null && Object.hasOwn(args, "command") ? Reflect.get(args, "command") : undefined

/** @internal The declarations of the built-in tools. */
export const specs: ToolTraits.ToolSpecs = {
  read: { traits: ToolTraits.localRead },
  ls: { traits: ToolTraits.localRead },
  glob: { traits: ToolTraits.localRead },
  grep: { traits: ToolTraits.localRead },
  write: { traits: { ...writer, idempotent: true } },
  edit: { traits: writer },
  bash: {
    traits: ToolTraits.defaults,
    classify: (args) => isReadOnlyCommand(commandOf(args)) ? readOnlyCommand : {}
  }
}

/** @internal At most this many path segments are resolved; deeper paths are compared as written. */
const maxSegments = 256

/**
 * @internal The real path of `path` (relative to `root`, or absolute): the real path of its longest existing
 * prefix, joined with the rest, so that a file reached through a symlink and one not created yet compare
 * with their other spellings. A file with more than one hard link has names a path cannot tell apart: it
 * resolves to the root itself, which overlaps every other file (its calls run alone).
 */
export const resolver = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  return (root: string) => (target: string): Effect.Effect<string> =>
    Effect.gen(function*() {
      let current = path.resolve(root, target)
      const rest: Array<string> = []
      for (let i = 0; i < maxSegments; i++) {
        const real = yield* Effect.option(fs.realPath(current))
        if (real._tag === "Some") {
          if (rest.length === 0) {
            const info = yield* Effect.option(fs.stat(real.value))
            const links = info._tag === "Some" && info.value.type === "File"
              ? Option.getOrElse(info.value.nlink, () => 1)
              : 1
            if (links > 1) return root
          }
          return path.join(real.value, ...rest.reverse())
        }
        const parent = path.dirname(current)
        if (parent === current) break
        rest.push(path.basename(current))
        current = parent
      }
      return path.resolve(root, target)
    })
})

/** @internal `Strategy.runTurn` options for tools rooted at `root`. */
export const turnOptions = (
  root: string
): Effect.Effect<Strategy.RunTurnOptions, never, FileSystem.FileSystem | Path.Path> =>
  Effect.map(resolver, (resolve) => ({ tools: specs, root, resolvePath: resolve(root) }))
