/**
 * The serialisable vocabulary of a clustered session: a {@link Command} (a tool name and JSON arguments, with an ID
 * unique within its turn), the {@link CallOutcome} journaled for each call, and the typed errors of the session RPCs.
 *
 * Everything here crosses process boundaries and is stored (SQLite or Postgres), so every field is JSON: a
 * command's `args` and an outcome's `value` are the encoded (wire) form of the tool's schemas.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * One tool call to run: `id` (unique within its turn; it names the call's activity in the journal), the tool's
 * registered `name`, and its JSON arguments (checked against the tool's argument schema before the command is
 * accepted).
 *
 * @since 0.1.0
 * @category schemas
 */
export class Command extends Schema.Class<Command>("effect-lanes/cluster/Command")({
  id: Schema.NonEmptyTrimmedString,
  tool: Schema.NonEmptyTrimmedString,
  args: Schema.Unknown
}) {}

/**
 * The call ran and its tool succeeded; `value` is the tool's result, encoded with its success schema.
 *
 * @since 0.1.0
 * @category schemas
 */
export class Succeeded extends Schema.TaggedClass<Succeeded>()("Succeeded", {
  id: Schema.String,
  value: Schema.Unknown
}) {}

/**
 * The call ran and its tool failed (or its lane timed it out); `error` describes the failure.
 *
 * @since 0.1.0
 * @category schemas
 */
export class Failed extends Schema.TaggedClass<Failed>()("Failed", {
  id: Schema.String,
  error: Schema.String
}) {}

/**
 * The call did not finish: either it was cancelled (`reason: "cancelled"`; a call that had not started never
 * starts), or it started before its runner stopped and its tool is not idempotent, so it was not run again
 * (whether its effect happened is unknown; the caller decides what to do).
 *
 * @since 0.1.0
 * @category schemas
 */
export class Interrupted extends Schema.TaggedClass<Interrupted>()("Interrupted", {
  id: Schema.String,
  reason: Schema.String
}) {}

/**
 * The journaled result of one call. A call that finished is never run again: replays return this value.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CallOutcome = Schema.Union(Succeeded, Failed, Interrupted)

/**
 * @since 0.1.0
 * @category models
 */
export type CallOutcome = typeof CallOutcome.Type

/**
 * A command names a tool the registry does not have.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownTool extends Schema.TaggedError<UnknownTool>()("UnknownTool", {
  commandId: Schema.String,
  tool: Schema.String
}) {
  override get message(): string {
    return `command ${this.commandId}: no tool named ${JSON.stringify(this.tool)} is registered`
  }
}

/**
 * A command was rejected before it ran: its arguments do not match its tool's schema, or its ID repeats another
 * command's in the same turn, or the turn is empty. `reason` says which.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidCommand extends Schema.TaggedError<InvalidCommand>()("InvalidCommand", {
  commandId: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `command ${this.commandId} rejected: ${this.reason}`
  }
}

/**
 * Why a command or turn was not accepted.
 *
 * @since 0.1.0
 * @category errors
 */
export const CommandError = Schema.Union(UnknownTool, InvalidCommand)

/**
 * @since 0.1.0
 * @category errors
 */
export type CommandError = UnknownTool | InvalidCommand
