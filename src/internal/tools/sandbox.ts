/**
 * Confining paths to the tools' root directory: lexically, and through symlinks by resolving the real path of
 * the nearest existing ancestor.
 *
 * @since 0.1.0
 * @internal
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import { PathOutsideRoot, ToolFailed } from "./errors.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Sandbox {
  /** The real path of the root directory. */
  readonly root: string
  /** Resolves a caller's path to an absolute path whose existing part lies, symlinks resolved, inside the root. */
  readonly resolve: (tool: string, input: string) => Effect.Effect<string, PathOutsideRoot | ToolFailed>
  /** Whether an absolute path lies lexically inside the root. */
  readonly contains: (absolute: string) => boolean
  /** The `/`-separated path of an absolute path inside the root, relative to it (`"."` for the root). */
  readonly relative: (absolute: string) => string
}

const maxSymlinkHops = 32

/**
 * Builds the sandbox of a root directory, which must exist.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(root: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const base = path.resolve(root)
  const real = yield* fs.realPath(base)

  const isInside = (parent: string, child: string): boolean => {
    const rel = path.relative(parent, child)
    return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel))
  }

  const isNotFound = (error: PlatformError) => error._tag === "SystemError" && error.reason === "NotFound"

  // The real path of `candidate` joined with `rest`, walking up to the nearest existing ancestor and through
  // dangling symlinks, so that nothing written later can land outside the root.
  const locate = (
    tool: string,
    input: string,
    candidate: string,
    rest: ReadonlyArray<string>,
    hops: number
  ): Effect.Effect<string, PathOutsideRoot | ToolFailed> =>
    fs.realPath(candidate).pipe(
      Effect.matchEffect({
        onSuccess: (resolved) =>
          isInside(real, resolved)
            ? Effect.succeed(path.join(resolved, ...rest))
            : Effect.fail(new PathOutsideRoot({ tool, path: input })),
        onFailure: (error) =>
          isNotFound(error)
            ? fs.readLink(candidate).pipe(
              Effect.matchEffect({
                onSuccess: (target) =>
                  hops >= maxSymlinkHops
                    ? Effect.fail(new ToolFailed({ tool, message: `too many levels of symbolic links: ${input}` }))
                    : locate(tool, input, path.resolve(path.dirname(candidate), target), rest, hops + 1),
                onFailure: () => {
                  const parent = path.dirname(candidate)
                  return parent === candidate
                    ? Effect.fail(new PathOutsideRoot({ tool, path: input }))
                    : locate(tool, input, parent, [path.basename(candidate), ...rest], hops)
                }
              })
            )
            : Effect.fail(new ToolFailed({ tool, message: error.message }))
      })
    )

  const resolve = (tool: string, input: string): Effect.Effect<string, PathOutsideRoot | ToolFailed> =>
    Effect.suspend(() => {
      const absolute = path.resolve(base, input)
      if (isInside(base, absolute)) return locate(tool, input, path.join(real, path.relative(base, absolute)), [], 0)
      if (isInside(real, absolute)) return locate(tool, input, absolute, [], 0)
      return Effect.fail(new PathOutsideRoot({ tool, path: input }))
    })

  const relative = (absolute: string): string => {
    const rel = path.relative(real, absolute)
    return rel === "" ? "." : rel.split(path.sep).join("/")
  }

  const sandbox: Sandbox = { root: real, resolve, contains: (absolute) => isInside(real, absolute), relative }
  return sandbox
})
