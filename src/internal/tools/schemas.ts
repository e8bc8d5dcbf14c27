/**
 * The argument and result schemas of the built-in tools.
 *
 * @since 0.1.0
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Patterns from "./patterns.js"

/** The longest path accepted, in UTF-16 code units (Linux's `PATH_MAX` is 4096 bytes). */
export const maxPathLength = 4096

/** The most `/`-separated segments a path may have. */
export const maxPathSegments = 256

const Path = Schema.String.pipe(
  Schema.filter((path) =>
    path.length > maxPathLength
      ? `Expected a path of at most ${maxPathLength} characters`
      : path.includes("\0")
      ? "Expected a path without NUL characters"
      : path.split("/").length > maxPathSegments
      ? `Expected a path of at most ${maxPathSegments} segments`
      : true
  )
).annotations({ description: "A path relative to the root directory" })

const Glob = Schema.String.pipe(
  Schema.filter((glob) =>
    Patterns.isGlob(glob) ||
    `Expected a glob pattern (at most ${Patterns.maxPatternLength} characters, balanced braces and brackets, no negated extglobs)`
  )
)

const Regex = Schema.String.pipe(
  Schema.filter((source) =>
    Patterns.regex(source)._tag === "Some" ||
    `Expected a regular expression in RE2 syntax (at most ${Patterns.maxPatternLength} characters, no backreferences or lookaround)`
  )
)

/**
 * A timeout: a duration string such as `"30 seconds"`, a number of milliseconds, or a `Duration`; positive.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Timeout = Schema.transformOrFail(
  Schema.Union(Schema.Number, Schema.String, Schema.DurationFromSelf),
  Schema.DurationFromSelf,
  {
    strict: true,
    decode: (input, _, ast) =>
      Option.match(Option.filter(Duration.decodeUnknown(input), Duration.greaterThan(Duration.zero)), {
        onNone: () =>
          ParseResult.fail(
            new ParseResult.Type(ast, input, "Expected a positive duration such as \"30 seconds\" or millis")
          ),
        onSome: ParseResult.succeed
      }),
    encode: ParseResult.succeed
  }
)

/**
 * `read`: the text of a file; `offset` lines are skipped (0-based), at most `limit` lines returned.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReadArgs = Schema.Struct({
  path: Path,
  offset: Schema.optional(Schema.NonNegativeInt),
  limit: Schema.optional(Schema.Int.pipe(Schema.positive()))
})

/**
 * `ls`: the entries of a directory (default: the root).
 *
 * @since 0.1.0
 * @category schemas
 */
export const LsArgs = Schema.Struct({ path: Schema.optional(Path) })

/**
 * `glob`: the files under `path` (default: the root) whose path relative to `path` matches `pattern`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GlobArgs = Schema.Struct({ pattern: Glob, path: Schema.optional(Path) })

/**
 * `grep`: the lines matching a regular expression in a file or under a directory, optionally only in files
 * matching `glob`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GrepArgs = Schema.Struct({ pattern: Regex, path: Schema.optional(Path), glob: Schema.optional(Glob) })

/**
 * `write`: replace or create a file, with its parent directories.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WriteArgs = Schema.Struct({ path: Path, content: Schema.String })

/**
 * `edit`: replace `oldString` by `newString` in a file; `oldString` must occur exactly once unless `replaceAll`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EditArgs = Schema.Struct({
  path: Path,
  oldString: Schema.NonEmptyString,
  newString: Schema.String,
  replaceAll: Schema.optional(Schema.Boolean)
})

/**
 * `bash`: run `bash -c command` in the root directory.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BashArgs = Schema.Struct({ command: Schema.NonEmptyString, timeout: Schema.optional(Timeout) })

/**
 * One entry listed by `ls`: a symlink whose target resolves inside the root has its target's type; a symlink
 * pointing outside the root (or dangling) is `symlink`, with nothing said about its target; FIFOs, sockets and
 * devices are `other`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LsEntry = Schema.Struct({
  name: Schema.String,
  type: Schema.Literal("file", "directory", "symlink", "other")
})

/**
 * One matching line found by `grep`: the file relative to the root and the 1-based line number.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GrepMatch = Schema.Struct({ path: Schema.String, line: Schema.Number, text: Schema.String })

/**
 * One resource limit of a sandboxed `bash` call: its name (as in `sandbox.limits`), its value (a count, bytes,
 * or seconds for `cpuTime`) and what holds it on this machine.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AppliedLimit = Schema.Struct({
  limit: Schema.Literal("processes", "memoryBytes", "cpuTime", "writtenBytes", "openFiles"),
  max: Schema.Number,
  mechanism: Schema.String
})

/**
 * A connection the sandbox's network proxy refused: the host name (or address) and port asked for, and why.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Refusal = Schema.Struct({ host: Schema.String, port: Schema.Number, reason: Schema.String })

/**
 * What `bash` returns when the command ran to its end. Each stream keeps at most `maxOutputBytes`: its head and
 * its tail, with a marker line saying how many bytes were cut between them; `truncated` then counts them.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BashResult = Schema.Struct({
  exitCode: Schema.Number,
  stdout: Schema.String,
  stderr: Schema.String,
  /** Present when output was cut: the bytes dropped from the middle of each stream. */
  truncated: Schema.optional(Schema.Struct({ stdout: Schema.Number, stderr: Schema.Number })),
  /** In the sandbox: the resource limits of the call and what held each. */
  limits: Schema.optional(Schema.Array(AppliedLimit)),
  /** With a network allowlist: the connections the proxy refused (the first 100). */
  refused: Schema.optional(Schema.Array(Refusal))
})
