/**
 * The typed errors of the built-in tools, and the mapping of platform errors onto them.
 *
 * @since 0.1.0
 * @internal
 */
import type { PlatformError } from "@effect/platform/Error"
import * as Schema from "effect/Schema"

/**
 * The arguments of a call did not match the tool's schema; `field` is the dotted path of the first bad field
 * (`"args"` when the arguments as a whole are wrong, e.g. not an object).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidToolArguments extends Schema.TaggedError<InvalidToolArguments>()("InvalidToolArguments", {
  tool: Schema.String,
  field: Schema.String,
  message: Schema.String
}) {}

/**
 * No tool has this name.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownTool extends Schema.TaggedError<UnknownTool>()("UnknownTool", {
  tool: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Unknown tool: ${this.tool}`
  }
}

/**
 * A path resolved outside the tools' root directory (`..`, an absolute path elsewhere, or a symlink out).
 *
 * @since 0.1.0
 * @category errors
 */
export class PathOutsideRoot extends Schema.TaggedError<PathOutsideRoot>()("PathOutsideRoot", {
  tool: Schema.String,
  path: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.tool}: path is outside the root directory: ${this.path}`
  }
}

/**
 * The file or directory does not exist.
 *
 * @since 0.1.0
 * @category errors
 */
export class FileNotFound extends Schema.TaggedError<FileNotFound>()("FileNotFound", {
  tool: Schema.String,
  path: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.tool}: no such file or directory: ${this.path}`
  }
}

/**
 * `edit` found no occurrence of `oldString` in the file.
 *
 * @since 0.1.0
 * @category errors
 */
export class OldStringNotFound extends Schema.TaggedError<OldStringNotFound>()("OldStringNotFound", {
  tool: Schema.String,
  path: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.tool}: oldString not found in ${this.path}`
  }
}

/**
 * `edit` found `oldString` more than once and `replaceAll` was not set.
 *
 * @since 0.1.0
 * @category errors
 */
export class OldStringAmbiguous extends Schema.TaggedError<OldStringAmbiguous>()("OldStringAmbiguous", {
  tool: Schema.String,
  path: Schema.String,
  occurrences: Schema.Number
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.tool}: oldString occurs ${this.occurrences} times in ${this.path}; add context or set replaceAll`
  }
}

/**
 * A tool ran longer than its timeout and was interrupted.
 *
 * @since 0.1.0
 * @category errors
 */
export class ToolTimeout extends Schema.TaggedError<ToolTimeout>()("ToolTimeout", {
  tool: Schema.String,
  timeout: Schema.DurationFromSelf
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.tool}: timed out after ${this.timeout.toString()}`
  }
}

/**
 * `bash` cannot run because no OS sandbox is available (`missing` names what is absent, e.g. `bwrap`, `socat`),
 * and the application has not opted out with `sandbox: { kind: "none" }`. `reason` is one line; `command` is
 * the command line that was tried, when one was.
 *
 * @since 0.1.0
 * @category errors
 */
export class SandboxUnavailable extends Schema.TaggedError<SandboxUnavailable>()("SandboxUnavailable", {
  tool: Schema.String,
  missing: Schema.String,
  reason: Schema.String,
  command: Schema.optional(Schema.String)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.tool}: no OS sandbox: ${this.missing} ${this.reason}; install bubblewrap, or opt out explicitly with sandbox: { kind: "none" }`
  }
}

/**
 * A resource limit of the sandbox stopped a `bash` command: the sandbox was killed with everything in it.
 * `limit` names it as the setting does (`processes`, `memoryBytes`, `cpuTime`, `writtenBytes`, `openFiles`),
 * `max` is its value (a count, bytes, or seconds for `cpuTime`) and `mechanism` says what enforced it (e.g.
 * `cgroup v1 pids.max`, `RLIMIT_FSIZE`).
 *
 * @since 0.2.0
 * @category errors
 */
export class ResourceLimitExceeded extends Schema.TaggedError<ResourceLimitExceeded>()("ResourceLimitExceeded", {
  tool: Schema.String,
  limit: Schema.Literal("processes", "memoryBytes", "cpuTime", "writtenBytes", "openFiles"),
  max: Schema.Number,
  mechanism: Schema.String
}) {
  /**
   * @since 0.2.0
   */
  override get message(): string {
    return `${this.tool}: stopped by the ${this.limit} limit (${this.max}${
      this.limit === "cpuTime" ? " s" : this.limit === "memoryBytes" || this.limit === "writtenBytes" ? " bytes" : ""
    }, ${this.mechanism}); the sandbox was killed`
  }
}

/**
 * A sandbox setting given to `Tools.make` is invalid: `field` is its dotted path (e.g.
 * `sandbox.network.allow[2]`), `reason` says what was expected.
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidSandboxOptions extends Schema.TaggedError<InvalidSandboxOptions>()("InvalidSandboxOptions", {
  field: Schema.String,
  reason: Schema.String
}) {
  /**
   * @since 0.2.0
   */
  override get message(): string {
    return `Invalid Tools option ${this.field}: ${this.reason}`
  }
}

/**
 * The path names something the tool refuses to touch: a FIFO, socket or device (refused before opening), a
 * directory where a file was expected (or the reverse), or, for writes, a file with more than one hard link.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnsupportedFile extends Schema.TaggedError<UnsupportedFile>()("UnsupportedFile", {
  tool: Schema.String,
  path: Schema.String,
  reason: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.tool}: ${this.path}: ${this.reason}`
  }
}

/**
 * A file, or the window of it that was asked for, is larger than the tool's cap (`limit`, in bytes).
 *
 * @since 0.1.0
 * @category errors
 */
export class FileTooLarge extends Schema.TaggedError<FileTooLarge>()("FileTooLarge", {
  tool: Schema.String,
  path: Schema.String,
  limit: Schema.Number
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.tool}: ${this.path} is larger than ${this.limit} bytes; read a window with offset and limit`
  }
}

/**
 * `edit`: the lines where `oldString` must match are not valid text in the file's encoding (UTF-8, or UTF-16
 * with a BOM), so a byte-exact replacement cannot be made safely.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidEncoding extends Schema.TaggedError<InvalidEncoding>()("InvalidEncoding", {
  tool: Schema.String,
  path: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.tool}: ${this.path} is not valid UTF-8 where oldString must match; the file was left unchanged`
  }
}

/**
 * Any other failure of the underlying platform (permissions, not a directory, spawn failure, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export class ToolFailed extends Schema.TaggedError<ToolFailed>()("ToolFailed", {
  tool: Schema.String,
  message: Schema.String
}) {}

/**
 * Every error a tool call can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export const ToolError = Schema.Union(
  InvalidToolArguments,
  UnknownTool,
  PathOutsideRoot,
  FileNotFound,
  OldStringNotFound,
  OldStringAmbiguous,
  ToolTimeout,
  ToolFailed,
  SandboxUnavailable,
  ResourceLimitExceeded,
  UnsupportedFile,
  FileTooLarge,
  InvalidEncoding
)

/**
 * @since 0.1.0
 * @category errors
 */
export type ToolError = typeof ToolError.Type

/**
 * Maps a platform error: `NotFound` becomes `FileNotFound` for the path the caller gave, anything else `ToolFailed`.
 *
 * @since 0.1.0
 * @category mapping
 */
export const fromPlatformError = (tool: string, path: string) => (error: PlatformError): FileNotFound | ToolFailed =>
  error._tag === "SystemError" && error.reason === "NotFound"
    ? new FileNotFound({ tool, path })
    : new ToolFailed({ tool, message: error.message })
