/**
 * Scratch copies of the replay directory, so that replayed writes, edits and commands never touch the user's
 * files. Only what lies inside the directory is copied: a symlink whose target resolves outside it (a file or a
 * folder) is left out, so nothing outside `--dir` can be read or changed through the copy.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Files from "../bench/files.js"
import { BenchFailed } from "../errors.js"

/**
 * The files to copy, and how many links pointing out of the directory were left out.
 *
 * @since 0.1.0
 * @category models
 */
export interface Listing {
  readonly files: ReadonlyArray<string>
  readonly linksOut: number
}

/**
 * The regular files under `root` whose real path is inside `root` (not entering `node_modules` or `.git`), at
 * most `limit`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const list = (root: string, limit = 20_000): Effect.Effect<Listing, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const realRoot = yield* Effect.orElseSucceed(fs.realPath(root), () => root)
    const inside = (real: string) => real === realRoot || real.startsWith(`${realRoot}${path.sep}`)
    const files: Array<string> = []
    let linksOut = 0
    const visit = (relative: string): Effect.Effect<void> =>
      Effect.gen(function*() {
        const names = yield* Effect.orElseSucceed(fs.readDirectory(path.join(root, relative)), () => [])
        for (const name of [...names].sort()) {
          if (files.length >= limit || Files.ignored.has(name)) continue
          const child = relative === "" ? name : `${relative}/${name}`
          const real = yield* Effect.option(fs.realPath(path.join(root, child)))
          if (real._tag === "None") continue
          if (!inside(real.value)) {
            linksOut++
            continue
          }
          const info = yield* Effect.option(fs.stat(real.value))
          if (info._tag === "None") continue
          if (info.value.type === "Directory") {
            if (real.value !== path.join(realRoot, child)) continue
            yield* visit(child)
          } else if (info.value.type === "File") files.push(child)
        }
      })
    yield* visit("")
    return { files, linksOut }
  })

/**
 * Copies the listed files into a new temporary directory, removed when the scope closes, and returns its path.
 *
 * @since 0.1.0
 * @category constructors
 */
export const copy = (
  root: string,
  listing: Listing
): Effect.Effect<string, BenchFailed, FileSystem.FileSystem | Path.Path | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const temp = yield* fs.makeTempDirectoryScoped({ prefix: "effect-lanes-replay-" })
    const directories = new Set(listing.files.map((file) => path.dirname(file)).filter((dir) => dir !== "."))
    for (const dir of directories) yield* fs.makeDirectory(path.join(temp, dir), { recursive: true })
    yield* Effect.forEach(listing.files, (file) => fs.copyFile(path.join(root, file), path.join(temp, file)), {
      concurrency: 8,
      discard: true
    })
    return temp
  }).pipe(Effect.mapError((error) => new BenchFailed({ scenario: "replay", reason: `scratch copy: ${error.message}` })))
