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
 * `--uv-threadpool-size N` was given but the process runs with another pool size: the program was not started
 * through the `effect-lanes` executable, which is what applies the option.
 *
 * @since 0.1.0
 * @category errors
 */
export class ThreadPoolNotApplied extends Schema.TaggedError<ThreadPoolNotApplied>()("ThreadPoolNotApplied", {
  requested: Schema.Number,
  current: Schema.Number
}) {
  override get message(): string {
    return `--uv-threadpool-size ${this.requested} only takes effect through the effect-lanes executable, which ` +
      `sets UV_THREADPOOL_SIZE before the thread pool starts; this process runs with ${this.current} threads ` +
      `(set UV_THREADPOOL_SIZE=${this.requested} instead)`
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
  | ThreadPoolNotApplied
  | TraceUnreadable
  | UnknownTraceFormat
  | OutputFailed
  | BenchFailed
