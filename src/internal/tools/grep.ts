/**
 * The `grep` tool.
 *
 * @since 0.1.0
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { ToolEnv } from "./env.js"
import type { FileNotFound, PathOutsideRoot, ToolFailed } from "./errors.js"
import { fromPlatformError } from "./errors.js"
import * as GlobMatch from "./globMatch.js"
import type { GrepArgs, GrepMatch } from "./schemas.js"
import * as Walk from "./walk.js"

const maxLineLength = 1000
const binarySniffBytes = 8000

// The matching lines of one file; none when the file is binary (a NUL byte near its start) or unreadable.
const search = (env: ToolEnv, regex: RegExp, file: string): Effect.Effect<ReadonlyArray<typeof GrepMatch.Type>> =>
  env.fs.readFile(file).pipe(
    Effect.map((bytes) => {
      if (bytes.subarray(0, binarySniffBytes).includes(0)) return []
      const path = env.sandbox.relative(file)
      const lines = new TextDecoder().decode(bytes).split(/\r?\n/)
      return lines.flatMap((text, index) =>
        regex.test(text) ? [{ path, line: index + 1, text: text.slice(0, maxLineLength) }] : []
      )
    }),
    Effect.orElseSucceed(() => [])
  )

/**
 * The lines matching the pattern in `path` (a file, or every file under a directory, optionally filtered by
 * `glob`, which without `/` matches file names at any depth), at most `maxGrepMatches` of them, in walk order.
 * Lines longer than 1000 characters are cut.
 *
 * @since 0.1.0
 * @category tools
 */
export const grep = (env: ToolEnv) =>
(
  args: typeof GrepArgs.Type
): Effect.Effect<ReadonlyArray<typeof GrepMatch.Type>, PathOutsideRoot | FileNotFound | ToolFailed> =>
  Effect.gen(function*() {
    const input = args.path ?? "."
    const target = yield* env.sandbox.resolve("grep", input)
    const info = yield* env.fs.stat(target).pipe(Effect.mapError(fromPlatformError("grep", input)))
    const regex = new RegExp(args.pattern)
    const filter = args.glob === undefined ? () => true : GlobMatch.matcher(args.glob, { basename: true })
    const files = info.type === "Directory"
      ? Walk.files(env, target).pipe(
        Stream.filter((file) => filter(env.path.relative(target, file).split(env.path.sep).join("/")))
      )
      : Stream.make(target)
    const matches = yield* files.pipe(
      Stream.mapEffect((file) => search(env, regex, file)),
      Stream.mapConcat((found) => found),
      Stream.take(env.maxGrepMatches),
      Stream.runCollect
    )
    return Chunk.toReadonlyArray(matches)
  })
