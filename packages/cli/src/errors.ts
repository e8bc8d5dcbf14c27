/**
 * The errors of the command-line program. Each renders as one line; none is ever shown with a stack trace.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * An option or argument has a value the program cannot use.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidArgument extends Schema.TaggedError<InvalidArgument>()("InvalidArgument", {
  option: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid ${this.option}: ${this.reason}`
  }
}

/**
 * The directory to work on does not exist or is not a directory.
 *
 * @since 0.1.0
 * @category errors
 */
export class DirectoryNotFound extends Schema.TaggedError<DirectoryNotFound>()("DirectoryNotFound", {
  path: Schema.String
}) {
  override get message(): string {
    return `no such directory: ${this.path}`
  }
}

/**
 * The trace file cannot be read.
 *
 * @since 0.1.0
 * @category errors
 */
export class TraceUnreadable extends Schema.TaggedError<TraceUnreadable>()("TraceUnreadable", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `cannot read trace ${this.path}: ${this.reason}`
  }
}

/**
 * The trace is in none of the supported formats (the message lists them).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownTraceFormat extends Schema.TaggedError<UnknownTraceFormat>()("UnknownTraceFormat", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `unknown trace format in ${this.path}: ${this.reason}`
  }
}

/**
 * A result file (`--json`, `--chart`) cannot be written.
 *
 * @since 0.1.0
 * @category errors
 */
export class OutputFailed extends Schema.TaggedError<OutputFailed>()("OutputFailed", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `cannot write ${this.path}: ${this.reason}`
  }
}

/**
 * A benchmark could not run (a child process failed, the tools could not be built, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export class BenchFailed extends Schema.TaggedError<BenchFailed>()("BenchFailed", {
  scenario: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.scenario} failed: ${this.reason}`
  }
}

/**
 * Every error of the program.
 *
 * @since 0.1.0
 * @category errors
 */
export type CliError =
  | InvalidArgument
  | DirectoryNotFound
  | TraceUnreadable
  | UnknownTraceFormat
  | OutputFailed
  | BenchFailed
