/**
 * The `grep` tool.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type RE2 from "re2"
import { close, componentsOf, readAll, type ResolveError } from "./confined.js"
import type { ToolEnv } from "./env.js"
import * as Patterns from "./patterns.js"
import type { GrepArgs, GrepMatch } from "./schemas.js"
import * as Walk from "./walk.js"

const maxLineLength = 1000
const binarySniffBytes = 8000

// The matching lines of one file (opened again, race-free, from its root-relative path); none when the file is
// binary (a NUL byte near its start), larger than `maxGrepFileBytes`, or unreadable.
const search = (
  env: ToolEnv,
  regex: RE2,
  components: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<typeof GrepMatch.Type>> => {
  const path = components.join("/")
  return Effect.acquireUseRelease(
    env.confined.openSync({ tool: "grep", input: path, intent: "file" }, components),
    (opened) =>
      opened.size > env.maxGrepFileBytes
        ? Effect.succeed([])
        : Effect.map(readAll("grep", path, opened.fd, env.maxGrepFileBytes), (bytes) => {
          if (bytes.subarray(0, binarySniffBytes).includes(0)) return []
          const lines = new TextDecoder().decode(bytes).split(/\r?\n/)
          return lines.flatMap((text, index) =>
            regex.test(text) ? [{ path, line: index + 1, text: text.slice(0, maxLineLength) }] : []
          )
        }),
    (opened) => Effect.sync(() => close(opened.fd))
  ).pipe(Effect.orElseSucceed(() => []))
}

/**
 * The lines matching the pattern (RE2 syntax, linear time) in `path` (a file, or every file under a directory,
 * optionally filtered by `glob`, which without `/` matches file names at any depth), at most `maxGrepMatches` of
 * them, in walk order. Lines longer than 1000 characters are cut.
 *
 * @internal
 */
export const grep = (env: ToolEnv) =>
(
  args: typeof GrepArgs.Type
): Effect.Effect<ReadonlyArray<typeof GrepMatch.Type>, ResolveError> =>
  Effect.gen(function*() {
    const input = args.path ?? "."
    const target = yield* Effect.scoped(env.confined.open({ tool: "grep", input, intent: "any" }))
    const start = componentsOf(target)
    const regex = yield* Effect.orDie(Patterns.regex(args.pattern))
    const prefix = start.length === 0 ? 0 : start.join("/").length + 1
    const filter = args.glob === undefined ? () => true : Patterns.matcher(args.glob, { basename: true })
    const files = target.kind === "directory"
      ? Walk.files(env, start).pipe(Stream.filter((file) => filter(file.slice(prefix))))
      : Stream.make(start.join("/"))
    const matches = yield* files.pipe(
      Stream.mapEffect((file) => search(env, regex, file.split("/"))),
      Stream.mapConcat((found) => found),
      Stream.take(env.maxGrepMatches),
      Stream.runCollect
    )
    return Chunk.toReadonlyArray(matches)
  })
