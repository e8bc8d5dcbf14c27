/**
 * The built-in tools of an agent session, on `@effect/platform`: `read`, `ls`, `glob`, `grep` (query lane) and
 * `write`, `edit`, `bash` (execute lane).
 *
 * Every tool validates its arguments with a `Schema` (a malformed call fails with `InvalidToolArguments` naming
 * the field), and every path is confined to the configured root directory: `..`, absolute paths elsewhere and
 * symlinks pointing out are refused with `PathOutsideRoot`. `bash` runs `bash -c` in the root, and a timeout or
 * an interruption kills its process group.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { NodeContext } from "@effect/platform-node"
 * import * as Tools from "effect-lanes/Tools"
 *
 * const program = Effect.gen(function*() {
 *   const tools = yield* Tools.Tools
 *   yield* tools.write({ path: "notes/a.txt", content: "hello" })
 *   return yield* tools.run({ id: "call-1", name: "grep", args: { pattern: "hel+o" } })
 * })
 *
 * program.pipe(
 *   Effect.provide(Tools.layer({ root: process.cwd() })),
 *   Effect.provide(NodeContext.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import * as bash from "./internal/strategy/bash.js"
import type {
  FileNotFound,
  InvalidToolArguments,
  OldStringAmbiguous,
  OldStringNotFound,
  PathOutsideRoot,
  ToolError,
  ToolFailed,
  ToolTimeout
} from "./internal/tools/errors.js"
import * as schemas from "./internal/tools/schemas.js"
import * as internal from "./internal/tools/service.js"
import * as turn from "./internal/tools/turn.js"
import * as Lane from "./Lane.js"
import type * as Strategy from "./Strategy.js"
import type * as ToolTraits from "./ToolTraits.js"

// errors

/**
 * The arguments of a call do not match the tool's schema: `{ tool, field, message }`, `field` being the dotted
 * path of the first bad field (`"args"` when the arguments as a whole are wrong).
 *
 * @since 0.1.0
 * @category errors
 */
export { InvalidToolArguments } from "./internal/tools/errors.js"

/**
 * No built-in tool has this name: `{ tool }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { UnknownTool } from "./internal/tools/errors.js"

/**
 * A path resolves outside the root directory: `{ tool, path }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { PathOutsideRoot } from "./internal/tools/errors.js"

/**
 * The file or directory does not exist: `{ tool, path }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { FileNotFound } from "./internal/tools/errors.js"

/**
 * `edit` found no occurrence of `oldString`: `{ tool, path }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { OldStringNotFound } from "./internal/tools/errors.js"

/**
 * `edit` found `oldString` several times without `replaceAll`: `{ tool, path, occurrences }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { OldStringAmbiguous } from "./internal/tools/errors.js"

/**
 * A tool outran its timeout and was interrupted: `{ tool, timeout: Duration }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { ToolTimeout } from "./internal/tools/errors.js"

/**
 * Any other platform failure (permissions, not a directory, spawn failure, ...): `{ tool, message }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { ToolFailed } from "./internal/tools/errors.js"

/**
 * The union (schema and type) of every error a tool call can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export { ToolError } from "./internal/tools/errors.js"

/**
 * The errors of the file tools: the path is outside the root, missing, or the platform failed.
 *
 * @since 0.1.0
 * @category errors
 */
export type FileError = PathOutsideRoot | FileNotFound | ToolFailed

// schemas

/**
 * `read`: `{ path, offset?, limit? }`; `offset` lines are skipped (0-based), at most `limit` lines returned.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReadArgs = schemas.ReadArgs

/**
 * The arguments of `read`, as a caller writes them.
 *
 * @since 0.1.0
 * @category models
 */
export type ReadInput = typeof ReadArgs.Encoded

/**
 * `ls`: `{ path? }`, default the root.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LsArgs = schemas.LsArgs

/**
 * @since 0.1.0
 * @category models
 */
export type LsInput = typeof LsArgs.Encoded

/**
 * `glob`: `{ pattern, path? }`; `pattern` supports `*`, `**`, `?`, `{a,b}` and `\` escapes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GlobArgs = schemas.GlobArgs

/**
 * @since 0.1.0
 * @category models
 */
export type GlobInput = typeof GlobArgs.Encoded

/**
 * `grep`: `{ pattern, path?, glob? }`; `pattern` is a JavaScript regular expression.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GrepArgs = schemas.GrepArgs

/**
 * @since 0.1.0
 * @category models
 */
export type GrepInput = typeof GrepArgs.Encoded

/**
 * `write`: `{ path, content }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WriteArgs = schemas.WriteArgs

/**
 * @since 0.1.0
 * @category models
 */
export type WriteInput = typeof WriteArgs.Encoded

/**
 * `edit`: `{ path, oldString, newString, replaceAll? }`; `oldString` must not be empty.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EditArgs = schemas.EditArgs

/**
 * @since 0.1.0
 * @category models
 */
export type EditInput = typeof EditArgs.Encoded

/**
 * A positive timeout: a duration string (`"5 seconds"`), a number of millis, or a `Duration`; decodes to a
 * `Duration`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Timeout = schemas.Timeout

/**
 * `bash`: `{ command, timeout? }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BashArgs = schemas.BashArgs

/**
 * @since 0.1.0
 * @category models
 */
export type BashInput = typeof BashArgs.Encoded

/**
 * One entry listed by `ls`: `{ name, type: "file" | "directory" }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LsEntry = schemas.LsEntry

/**
 * @since 0.1.0
 * @category models
 */
export type LsEntry = typeof LsEntry.Type

/**
 * One line found by `grep`: `{ path, line, text }`, `path` relative to the root, `line` 1-based.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GrepMatch = schemas.GrepMatch

/**
 * @since 0.1.0
 * @category models
 */
export type GrepMatch = typeof GrepMatch.Type

/**
 * What `bash` returns: `{ exitCode, stdout, stderr }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BashResult = schemas.BashResult

/**
 * @since 0.1.0
 * @category models
 */
export type BashResult = typeof BashResult.Type

// names and lanes

/**
 * The names of the built-in tools.
 *
 * @since 0.1.0
 * @category constants
 */
export const names = ["read", "ls", "glob", "grep", "write", "edit", "bash"] as const

/**
 * @since 0.1.0
 * @category models
 */
export type ToolName = typeof names[number]

/**
 * Whether a string names a built-in tool.
 *
 * @since 0.1.0
 * @category guards
 */
export const isToolName = (name: string): name is ToolName => names.some((tool) => tool === name)

/**
 * The lane of each built-in tool, from `Lane.fromTool`.
 *
 * @since 0.1.0
 * @category constants
 */
export const lanes: { readonly [N in ToolName]: Lane.Lane } = {
  read: Lane.fromTool("read"),
  ls: Lane.fromTool("ls"),
  glob: Lane.fromTool("glob"),
  grep: Lane.fromTool("grep"),
  write: Lane.fromTool("write"),
  edit: Lane.fromTool("edit"),
  bash: Lane.fromTool("bash")
}

/**
 * A tool's name, lane, description and argument schema, e.g. to describe the tools to a model.
 *
 * @since 0.1.0
 * @category models
 */
export interface Definition {
  readonly name: ToolName
  readonly lane: Lane.Lane
  readonly description: string
  readonly args: Schema.Schema.AnyNoContext
}

/**
 * The definitions of the built-in tools, in the order of `names`.
 *
 * @since 0.1.0
 * @category constants
 */
export const definitions: ReadonlyArray<Definition> = [
  {
    name: "read",
    lane: lanes.read,
    description: "Read a text file; `offset` lines are skipped, at most `limit` lines returned",
    args: schemas.ReadArgs
  },
  { name: "ls", lane: lanes.ls, description: "List a directory: sorted entries with their type", args: schemas.LsArgs },
  {
    name: "glob",
    lane: lanes.glob,
    description: "Find files matching a glob (`*`, `**`, `?`, `{a,b}`) under a directory",
    args: schemas.GlobArgs
  },
  {
    name: "grep",
    lane: lanes.grep,
    description: "Search files for lines matching a regular expression, optionally filtered by a glob",
    args: schemas.GrepArgs
  },
  {
    name: "write",
    lane: lanes.write,
    description: "Write a file, creating parent directories",
    args: schemas.WriteArgs
  },
  {
    name: "edit",
    lane: lanes.edit,
    description: "Replace an exact string in a file (all occurrences with `replaceAll`)",
    args: schemas.EditArgs
  },
  {
    name: "bash",
    lane: lanes.bash,
    description: "Run a bash command in the root directory, with a timeout",
    args: schemas.BashArgs
  }
]

// service

/**
 * One tool call of a model turn (structurally the same as `Strategy.ToolCall`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolCall {
  readonly id: string
  readonly name: string
  readonly args?: unknown
}

/**
 * What each tool succeeds with.
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolResults {
  readonly read: string
  readonly ls: ReadonlyArray<LsEntry>
  readonly glob: ReadonlyArray<string>
  readonly grep: ReadonlyArray<GrepMatch>
  readonly write: number
  readonly edit: number
  readonly bash: BashResult
}

/**
 * What any tool call succeeds with.
 *
 * @since 0.1.0
 * @category models
 */
export type ToolResult = ToolResults[ToolName]

/**
 * The settings of a `Tools` service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The directory every path is resolved in and confined to; `bash` runs there. Must exist. */
  readonly root: string
  /** Directory names `glob` and `grep` never enter. Default `["node_modules", ".git"]`. */
  readonly ignore?: ReadonlyArray<string>
  /** The timeout of `bash` calls that give none. Default 30 seconds. */
  readonly bashTimeout?: Duration.DurationInput
  /** How long a timed-out or interrupted `bash` process gets between SIGTERM and SIGKILL. Default 2 seconds. */
  readonly bashKillGrace?: Duration.DurationInput
  /** The most paths `glob` returns. Default 1000. */
  readonly maxGlobResults?: number
  /** The most matches `grep` returns. Default 100. */
  readonly maxGrepMatches?: number
}

/**
 * The tools bound to a root directory. Every method validates its arguments (typed methods too, so they
 * behave exactly as `run`) and needs nothing from the environment.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The real path of the root directory. */
  readonly root: string
  /** Runs a call by its tool's name. */
  readonly run: (call: ToolCall) => Effect.Effect<ToolResult, ToolError>
  /** The text of a file, or `limit` lines after the first `offset` (0-based) lines. */
  readonly read: (args: ReadInput) => Effect.Effect<string, InvalidToolArguments | FileError>
  /** The entries of a directory (default the root), sorted by name. */
  readonly ls: (args: LsInput) => Effect.Effect<ReadonlyArray<LsEntry>, InvalidToolArguments | FileError>
  /** The sorted root-relative paths of the files under `path` whose path relative to `path` matches `pattern`. */
  readonly glob: (args: GlobInput) => Effect.Effect<ReadonlyArray<string>, InvalidToolArguments | FileError>
  /** The lines matching a regular expression; a `glob` without `/` filters on file names. */
  readonly grep: (args: GrepInput) => Effect.Effect<ReadonlyArray<GrepMatch>, InvalidToolArguments | FileError>
  /** Writes a file (creating parent directories); the number of bytes written. */
  readonly write: (args: WriteInput) => Effect.Effect<number, InvalidToolArguments | FileError>
  /** Replaces `oldString` by `newString`; the number of replacements. */
  readonly edit: (
    args: EditInput
  ) => Effect.Effect<number, InvalidToolArguments | FileError | OldStringNotFound | OldStringAmbiguous>
  /** Runs `bash -c command` in the root; a timeout or an interruption kills the process group. */
  readonly bash: (args: BashInput) => Effect.Effect<BashResult, InvalidToolArguments | ToolFailed | ToolTimeout>
}

/**
 * The `Tools` service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class Tools extends Context.Tag("effect-lanes/Tools")<Tools, Service>() {}

/**
 * The defaults of the optional `Options` fields.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: {
  readonly ignore: ReadonlyArray<string>
  readonly bashTimeout: Duration.Duration
  readonly bashKillGrace: Duration.Duration
  readonly maxGlobResults: number
  readonly maxGrepMatches: number
} = internal.defaults

/**
 * Builds the tools for a root directory, resolving `FileSystem`, `Path` and `CommandExecutor` (and the real
 * path of the root) once. Fails if the root cannot be resolved.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options: Options
) => Effect.Effect<Service, PlatformError, FileSystem.FileSystem | Path.Path | CommandExecutor.CommandExecutor> =
  internal.make

/**
 * A layer of the `Tools` service; provide `NodeContext.layer` (or any platform) underneath.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<Tools, PlatformError, FileSystem.FileSystem | Path.Path | CommandExecutor.CommandExecutor> =>
  Layer.effect(Tools, make(options))

// planning

/**
 * The built-in tools declared for the planner (`Strategy.Options.tools`): `read`, `ls`, `glob`, `grep` are
 * local reads; `write` (idempotent) and `edit` write the file of their `path`; `bash` has MCP's defaults
 * (not read-only, destructive, open-world) unless its classifier finds the command plainly read-only (`ls`,
 * `cat`, `head`, `wc`, `grep`/`rg`, `find` without `-exec`/`-delete`, `git status|diff|log|show`, ... joined by
 * pipes or `&&`, no redirection but to `/dev/null`, no command substitution).
 *
 * @since 0.1.0
 * @category planning
 */
export const specs: ToolTraits.ToolSpecs = turn.specs

/**
 * Whether a bash command line only reads, by the conservative rules of {@link specs}' classifier. Total:
 * anything not understood is not read-only (`cat a > b`, `ls; rm x`, `find . -delete`, `git push`: `false`).
 *
 * @since 0.1.0
 * @category planning
 */
export const isReadOnlyCommand: (command: unknown) => boolean = bash.isReadOnlyCommand

/**
 * `Strategy.runTurn` options for the tools of a root: the declarations of {@link specs}, the root (so absolute
 * and relative paths compare) and a path resolver that follows symlinks, so every spelling of one file (relative,
 * `./`, `..` segments, absolute, through a symlink) is one resource.
 *
 * @since 0.1.0
 * @category planning
 */
export const turnOptions: (
  root: string
) => Effect.Effect<Strategy.RunTurnOptions, never, FileSystem.FileSystem | Path.Path> = turn.turnOptions
