/**
 * The built-in tools of an agent session, on `@effect/platform`: `read`, `ls`, `glob`, `grep` (query lane) and
 * `write`, `edit`, `bash` (execute lane).
 *
 * Every tool validates its arguments with a `Schema` (a malformed call fails with `InvalidToolArguments` naming
 * the field), and every path is confined to the configured root directory: `..`, absolute paths elsewhere and
 * symlinks pointing out are refused with `PathOutsideRoot`. The file tools resolve a path component by component
 * from a descriptor of the root, open it once (never following a symlink, never opening a FIFO, socket or
 * device) and check what they opened before using it, so a path swapped for a symlink meanwhile cannot send them
 * out of the root (race-free on Linux). `edit` replaces bytes and keeps every other byte. Patterns run on RE2
 * (linear time), reads and outputs are capped.
 *
 * `bash` runs `bash -c` in an OS sandbox (bubblewrap): the root read-write, the system read-only, nothing else of
 * the host, a clean environment, and its own PID namespace, so every process it starts dies with the call. Each
 * call has resource limits (processes, memory, CPU time, bytes written, open files: cgroups where this process
 * may create them, resource limits otherwise), and no network unless `sandbox.network` shares the host's or
 * lets named hosts through a filtering proxy (`{ allow: [...] }`). Without bubblewrap it fails with
 * `SandboxUnavailable`, unless the application opts out with `sandbox: { kind: "none" }`. The README's "Tools"
 * section lists what is and is not confined, measured.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { NodeContext } from "@effect/platform-node"
 * import { Tools } from "effect-lanes/tools"
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
import type {
  FileNotFound,
  FileTooLarge,
  InvalidEncoding,
  InvalidSandboxOptions,
  InvalidToolArguments,
  OldStringAmbiguous,
  OldStringNotFound,
  PathOutsideRoot,
  ResourceLimitExceeded,
  SandboxUnavailable,
  ToolError,
  ToolFailed,
  ToolTimeout,
  UnsupportedFile
} from "../internal/tools/errors.js"
import * as limits from "../internal/tools/limits.js"
import * as readOnlyCommand from "../internal/tools/readOnlyCommand.js"
import * as schemas from "../internal/tools/schemas.js"
import * as internal from "../internal/tools/service.js"
import * as turn from "../internal/tools/turn.js"
import * as Lane from "../Lane.js"
import type * as Strategy from "../Strategy.js"
import type * as ToolTraits from "../ToolTraits.js"

// errors

/**
 * The arguments of a call do not match the tool's schema: `{ tool, field, message }`, `field` being the dotted
 * path of the first bad field (`"args"` when the arguments as a whole are wrong).
 *
 * @since 0.1.0
 * @category errors
 */
export { InvalidToolArguments } from "../internal/tools/errors.js"

/**
 * No built-in tool has this name: `{ tool }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { UnknownTool } from "../internal/tools/errors.js"

/**
 * A path resolves outside the root directory: `{ tool, path }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { PathOutsideRoot } from "../internal/tools/errors.js"

/**
 * The file or directory does not exist: `{ tool, path }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { FileNotFound } from "../internal/tools/errors.js"

/**
 * `edit` found no occurrence of `oldString`: `{ tool, path }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { OldStringNotFound } from "../internal/tools/errors.js"

/**
 * `edit` found `oldString` several times without `replaceAll`: `{ tool, path, occurrences }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { OldStringAmbiguous } from "../internal/tools/errors.js"

/**
 * A tool outran its timeout and was interrupted: `{ tool, timeout: Duration }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { ToolTimeout } from "../internal/tools/errors.js"

/**
 * Any other platform failure (permissions, not a directory, spawn failure, ...): `{ tool, message }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { ToolFailed } from "../internal/tools/errors.js"

/**
 * `bash` found no working OS sandbox and the application did not opt out: `{ tool, missing, reason, command? }`,
 * `missing` naming what is absent (`bwrap`, `socat`), `reason` one line, `command` the command line tried.
 *
 * @since 0.1.0
 * @category errors
 */
export { SandboxUnavailable } from "../internal/tools/errors.js"

/**
 * A resource limit stopped a `bash` command (the sandbox was killed): `{ tool, limit, max, mechanism }`, `limit`
 * named as in {@link LimitOptions}, `max` a count, bytes or seconds (`cpuTime`), `mechanism` what held it.
 *
 * @since 0.2.0
 * @category errors
 */
export { ResourceLimitExceeded } from "../internal/tools/errors.js"

/**
 * A `sandbox` setting given to `make`/`layer` is invalid: `{ field, reason }`, `field` its dotted path.
 *
 * @since 0.2.0
 * @category errors
 */
export { InvalidSandboxOptions } from "../internal/tools/errors.js"

/**
 * The path names a FIFO, socket or device (refused before opening), a directory where a file was expected (or
 * the reverse), or, for `write`/`edit`, a file with more than one hard link: `{ tool, path, reason }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { UnsupportedFile } from "../internal/tools/errors.js"

/**
 * A file (or the window of it asked for) exceeds the tool's byte cap: `{ tool, path, limit }` (bytes).
 *
 * @since 0.1.0
 * @category errors
 */
export { FileTooLarge } from "../internal/tools/errors.js"

/**
 * `edit`: the lines where `oldString` must match are not valid text in the file's encoding; the file is left
 * unchanged: `{ tool, path }`.
 *
 * @since 0.1.0
 * @category errors
 */
export { InvalidEncoding } from "../internal/tools/errors.js"

/**
 * The union (schema and type) of every error a tool call can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export { ToolError } from "../internal/tools/errors.js"

/**
 * The errors of the file tools: the path is outside the root, missing, or the platform failed.
 *
 * @since 0.1.0
 * @category errors
 */
export type FileError = PathOutsideRoot | FileNotFound | ToolFailed | UnsupportedFile

// schemas

/**
 * `read`: `{ path, offset?, limit? }`; `offset` lines are skipped (0-based), at most `limit` lines returned.
 * A path has at most 4096 characters and 256 segments and no NUL.
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
 * The arguments of `ls`, as a caller writes them.
 *
 * @since 0.1.0
 * @category models
 */
export type LsInput = typeof LsArgs.Encoded

/**
 * `glob`: `{ pattern, path? }`; `pattern` is a picomatch glob (`*`, `**`, `?`, `[...]`, `{a,b}`, `\` escapes; dot
 * files included), at most 1000 characters, run on RE2; negated extglobs (`!(a)`) are refused.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GlobArgs = schemas.GlobArgs

/**
 * The arguments of `glob`, as a caller writes them.
 *
 * @since 0.1.0
 * @category models
 */
export type GlobInput = typeof GlobArgs.Encoded

/**
 * `grep`: `{ pattern, path?, glob? }`; `pattern` is a regular expression in RE2 syntax (JavaScript's without
 * backreferences and lookaround), at most 1000 characters; matching takes linear time.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GrepArgs = schemas.GrepArgs

/**
 * The arguments of `grep`, as a caller writes them.
 *
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
 * The arguments of `write`, as a caller writes them.
 *
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
 * The arguments of `edit`, as a caller writes them.
 *
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
 * The arguments of `bash`, as a caller writes them.
 *
 * @since 0.1.0
 * @category models
 */
export type BashInput = typeof BashArgs.Encoded

/**
 * One entry listed by `ls`: `{ name, type: "file" | "directory" | "symlink" | "other" }`. A symlink resolving
 * inside the root has its target's type; one pointing outside (or dangling) is `symlink`, and nothing about its
 * target is looked at; FIFOs, sockets and devices are `other`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LsEntry = schemas.LsEntry

/**
 * One entry listed by `ls`.
 *
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
 * One line found by `grep`.
 *
 * @since 0.1.0
 * @category models
 */
export type GrepMatch = typeof GrepMatch.Type

/**
 * One resource limit of a sandboxed call: `{ limit, max, mechanism }` (`max` a count, bytes, or seconds for
 * `cpuTime`; `mechanism` what holds it on this machine, e.g. `cgroup v1 pids.max`, `RLIMIT_NOFILE per process`).
 *
 * @since 0.2.0
 * @category schemas
 */
export const AppliedLimit = schemas.AppliedLimit

/**
 * One resource limit of a sandboxed call.
 *
 * @since 0.2.0
 * @category models
 */
export type AppliedLimit = typeof AppliedLimit.Type

/**
 * A connection the network proxy refused: `{ host, port, reason }`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Refusal = schemas.Refusal

/**
 * A connection the network proxy refused.
 *
 * @since 0.2.0
 * @category models
 */
export type Refusal = typeof Refusal.Type

/**
 * What `bash` returns: `{ exitCode, stdout, stderr, truncated?, limits?, refused? }`. Each stream keeps at most
 * `maxOutputBytes` (its head and tail, with a `[... N bytes cut ...]` line between); `truncated` then gives the
 * bytes cut per stream. In the sandbox, `limits` lists the call's resource limits and what held each; with a
 * network allowlist, `refused` lists the connections refused (the first 100).
 *
 * @since 0.1.0
 * @category schemas
 */
export const BashResult = schemas.BashResult

/**
 * What `bash` returns.
 *
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
 * The name of a built-in tool.
 *
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
    description: "Find files matching a glob (`*`, `**`, `?`, `[...]`, `{a,b}`) under a directory",
    args: schemas.GlobArgs
  },
  {
    name: "grep",
    lane: lanes.grep,
    description: "Search files for lines matching a regular expression (RE2 syntax), optionally filtered by a glob",
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
    description:
      "Run a bash command in the root directory, in a sandbox (nothing outside the root, resource limits, network only as configured), with a timeout",
    args: schemas.BashArgs
  }
]

// service

/**
 * One tool call of a model turn: the planner's `Strategy.ToolCall` (`{ id, name, args?, traits? }`), so one
 * value plans and runs.
 *
 * @since 0.1.0
 * @category models
 */
export type ToolCall = Strategy.ToolCall

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
 * The resource limits of each sandboxed `bash` call (defaults in {@link limitDefaults}). Each is held by the
 * strongest mechanism this machine offers (the README lists them, measured): a cgroup (v2 where this process may
 * create one, else v1) for `processes`, `memoryBytes` and `cpuTime`, resource limits set in the sandbox
 * otherwise, and for `writtenBytes` and `openFiles`. A limit reached ends the call with `ResourceLimitExceeded`.
 *
 * @since 0.2.0
 * @category models
 */
export interface LimitOptions {
  /** The most tasks (processes and threads) at once. Default 512. */
  readonly processes?: number
  /** The most memory in bytes: all processes together in a cgroup, each process without one. Default 2 GiB. */
  readonly memoryBytes?: number
  /** The most CPU time: all processes together (sampled), and each process (`RLIMIT_CPU`). Default 5 minutes. */
  readonly cpuTime?: Duration.DurationInput
  /**
   * The most bytes written under the root: all processes together (sampled) and each file (`RLIMIT_FSIZE`);
   * also the size of the private `/tmp` and `/dev/shm`. Default 1 GiB.
   */
  readonly writtenBytes?: number
  /** The most open files per process. Default 4096. */
  readonly openFiles?: number
  /**
   * A cgroup v2 directory this process may create children in (a delegated group, with the controllers to use
   * in its `cgroup.subtree_control`), instead of the one found from `/proc/self/cgroup` (this process's own
   * group, or its parent when that one offers controllers). `bash` fails with `SandboxUnavailable` if no child
   * can be created there.
   */
  readonly cgroup?: string
}

/**
 * A network allowlist: traffic leaves the sandbox only through an HTTP proxy on the host (`HTTP_PROXY` and
 * `HTTPS_PROXY` point at it; `CONNECT` and plain HTTP), which resolves and connects only to the hosts listed.
 * Needs `socat` (`apt-get install socat`).
 *
 * @since 0.2.0
 * @category models
 */
export interface NetworkOptions {
  /**
   * Host names (`registry.npmjs.org`), wildcards for subdomains at any depth (`*.github.com`, not
   * `github.com` itself), or `"*"` for any name. Matched without case. An empty list refuses everything.
   */
  readonly allow: ReadonlyArray<string>
  /**
   * Names resolved to fixed addresses instead of through DNS (like `/etc/hosts`, on the host side). Without an
   * entry here, a listed name that resolves to a loopback, link-local or unspecified address is refused.
   */
  readonly hosts?: { readonly [name: string]: string }
}

/**
 * How `bash` is confined. By default it runs in bubblewrap with no network, the limits of
 * {@link limitDefaults} and the environment below.
 *
 * @since 0.1.0
 * @category models
 */
export interface SandboxOptions {
  /**
   * `"bubblewrap"` (default): run in `bwrap`, or fail with `SandboxUnavailable` when it is missing or cannot
   * create a sandbox. `"none"`: the explicit opt-out; run `bash` directly in the root, with the clean
   * environment but nothing else confined (the file tools stay confined).
   */
  readonly kind?: "bubblewrap" | "none"
  /**
   * The network: `false` (default) none, only a loopback interface; `{ allow }` only the hosts listed, through
   * the host-side proxy, refusals reported in the result; `true` the host's network, unfiltered (also binds
   * `/etc/resolv.conf` and `/etc/hosts`).
   */
  readonly network?: boolean | NetworkOptions
  /** The resource limits of each call, or `false` for none. Default {@link limitDefaults}. */
  readonly limits?: LimitOptions | false
  /**
   * Names of host variables to copy, besides `LANG`, `LANGUAGE`, `LC_ALL`, `LC_CTYPE`, `LC_MESSAGES`, `TERM`
   * and `TZ`. `PATH` is a standard one and `HOME` is `/tmp` inside the sandbox unless `setEnv` says otherwise.
   */
  readonly env?: ReadonlyArray<string>
  /** Variables to set, after the copied ones. */
  readonly setEnv?: { readonly [name: string]: string }
  /** Host paths to make visible read-only at the same place (e.g. a toolchain outside `/usr`). */
  readonly readOnlyPaths?: ReadonlyArray<string>
  /** The `bwrap` executable. Default: looked up on the host's `PATH`. */
  readonly bwrap?: string
}

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
  /**
   * Sandboxed: how long bwrap gets to exit after the sandbox's init was killed, before bwrap is killed too.
   * Unconfined: how long a timed-out or interrupted process group gets between SIGTERM and SIGKILL. Default
   * 2 seconds.
   */
  readonly bashKillGrace?: Duration.DurationInput
  /** The most paths `glob` returns. Default 1000. */
  readonly maxGlobResults?: number
  /** The most matches `grep` returns. Default 100. */
  readonly maxGrepMatches?: number
  /** The most bytes `read` returns (the whole file, or the window of lines asked for). Default 256 KiB. */
  readonly maxReadBytes?: number
  /** The largest file `edit` changes, in bytes. Default 16 MiB. */
  readonly maxEditBytes?: number
  /** Files larger than this many bytes are skipped by `grep`. Default 16 MiB. */
  readonly maxGrepFileBytes?: number
  /** The most bytes kept of each of `bash`'s output streams (half head, half tail). Default 256 KiB. */
  readonly maxOutputBytes?: number
  /** How `bash` is confined. Default: bubblewrap, no network, the limits of `limitDefaults`. */
  readonly sandbox?: SandboxOptions
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
  readonly read: (args: ReadInput) => Effect.Effect<string, InvalidToolArguments | FileError | FileTooLarge>
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
  ) => Effect.Effect<
    number,
    InvalidToolArguments | FileError | FileTooLarge | OldStringNotFound | OldStringAmbiguous | InvalidEncoding
  >
  /**
   * Runs `bash -c command` in the root, in the sandbox, within its limits; a timeout, a limit reached or an
   * interruption kills it and all it started.
   */
  readonly bash: (
    args: BashInput
  ) => Effect.Effect<
    BashResult,
    InvalidToolArguments | ToolFailed | ToolTimeout | SandboxUnavailable | ResourceLimitExceeded
  >
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
  readonly maxReadBytes: number
  readonly maxEditBytes: number
  readonly maxGrepFileBytes: number
  readonly maxOutputBytes: number
} = internal.defaults

/**
 * The default resource limits of a sandboxed `bash` call.
 *
 * @since 0.2.0
 * @category constants
 */
export const limitDefaults: {
  readonly processes: number
  readonly memoryBytes: number
  readonly cpuTime: Duration.Duration
  readonly writtenBytes: number
  readonly openFiles: number
} = limits.defaults

/**
 * Builds the tools for a root directory, resolving `FileSystem`, `Path` and `CommandExecutor` (and the real
 * path of the root) once. Fails if the root cannot be resolved, or with `InvalidSandboxOptions` naming a bad
 * `sandbox` setting. The sandbox (and the cgroups this process may use) is looked for and tried at the first
 * `bash` call, once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options: Options
) => Effect.Effect<
  Service,
  PlatformError | InvalidSandboxOptions,
  FileSystem.FileSystem | Path.Path | CommandExecutor.CommandExecutor
> = internal.make

/**
 * A layer of the `Tools` service; provide `NodeContext.layer` (or any platform) underneath.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<
  Tools,
  PlatformError | InvalidSandboxOptions,
  FileSystem.FileSystem | Path.Path | CommandExecutor.CommandExecutor
> => Layer.effect(Tools, make(options))

// planning

/**
 * The built-in tools declared for the planner (`Strategy.Options.tools`): `read`, `ls`, `glob`, `grep` are
 * local reads; `write` (idempotent) and `edit` write the file of their `path`; `bash` has MCP's defaults
 * (not read-only, destructive, open-world) unless its classifier finds the command plainly read-only (`ls`,
 * `cat`, `head`, `wc`, `grep`/`rg`, `find` without `-exec`/`-delete`, `sed` without `-i` or `w`/`e` commands,
 * `nl`, `sort` without `-o`, `uniq` without an output file, `jq`, `tree`, `git status|diff|log|show|grep|ls-files`,
 * `docker compose ps|logs`, `cd DIR &&`, ... joined by pipes, `&&`, `;` or new lines, no redirection but from a
 * file or to `/dev/null`, no expansion; and PowerShell's reading cmdlets, `Get-Content`, `Get-ChildItem`,
 * `Select-String`, `Test-Path`, `Get-Item`, as Codex runs them on Windows).
 *
 * @since 0.1.0
 * @category planning
 */
export const specs: ToolTraits.ToolSpecs = turn.specs

/**
 * Whether a shell command line (POSIX, or PowerShell when it names a cmdlet) only reads, by the conservative
 * rules of {@link specs}' classifier. Total: anything not understood is not read-only (`cat a > b`, `ls; rm x`,
 * `find . -delete`, `sed -i s/a/b/ f`, `git push`, `Get-Content a | Set-Content b`: `false`).
 *
 * @since 0.1.0
 * @category planning
 */
export const isReadOnlyCommand: (command: unknown) => boolean = readOnlyCommand.isReadOnlyCommand

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
