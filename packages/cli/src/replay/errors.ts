/**
 * The errors of `replay`. Each renders as one line.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * Nothing in the trace could be replayed: no tool call, or none that maps onto a built-in tool.
 *
 * @since 0.1.0
 * @category errors
 */
export class NothingToReplay extends Schema.TaggedError<NothingToReplay>()("NothingToReplay", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `nothing to replay in ${this.path}: ${this.reason}`
  }
}

/**
 * A replayed shell command exited with a non-zero status.
 *
 * @since 0.1.0
 * @category errors
 */
export class CommandFailed extends Schema.TaggedError<CommandFailed>()("CommandFailed", {
  command: Schema.String,
  exitCode: Schema.Number,
  stderr: Schema.String
}) {
  override get message(): string {
    const first = this.stderr.trim().split("\n")[0] ?? ""
    return `command exited with ${this.exitCode}: ${this.command.slice(0, 60)}${first === "" ? "" : ` (${first})`}`
  }
}
