/**
 * The session entity: one per session ID across the whole cluster, wherever its shard lives. It holds the session's
 * `LaneQueue` (built when the entity starts on a runner, closed when the entity has been idle for `maxIdleTime`)
 * and answers four RPCs:
 *
 * - `RunTurn { turnId, commands }`: runs the commands as one durable turn (a workflow, each call an activity whose
 *   outcome is journaled) and replies one {@link Command.CallOutcome} per command, in order. The same `turnId`
 *   sent again replies the journaled outcomes without running anything again.
 * - `Submit { command }`: one command as a turn of its own (turn ID `command/<id>`).
 * - `Cancel { turnId }`: cancels a turn: its calls that have not finished end as `Interrupted` ("cancelled"),
 *   durably (a turn resumed after a crash stays cancelled); the turn still replies its outcomes.
 * - `Stats`: the queue's pending and active counts on the runner holding the session.
 * - `PendingExternal`, `CompleteExternal`, `FailExternal`: the host's side of external tools
 *   (`ToolRegistry.external`): a call waits, durably and across restarts, until the host answers.
 *
 * `RunTurn` and `Submit` are persisted messages: a runner that dies with them in hand hands them to the runner
 * that takes its shards.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Command, SessionEntity } from "effect-lanes/cluster"
 *
 * const program = Effect.gen(function*() {
 *   const sessions = yield* SessionEntity.client
 *   return yield* sessions("session-1").RunTurn({
 *     turnId: "turn-1",
 *     commands: [new Command.Command({ id: "c1", tool: "read", args: { path: "README.md" } })]
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as ClusterSchema from "@effect/cluster/ClusterSchema"
import * as Entity from "@effect/cluster/Entity"
import * as Rpc from "@effect/rpc/Rpc"
import * as Schema from "effect/Schema"
import * as Lane from "../Lane.js"
import * as Command from "./Command.js"

/**
 * A lane's counts in {@link SessionStats}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LaneStats = Schema.Struct({
  pending: Schema.Number,
  active: Schema.Number,
  concurrency: Schema.Number
})

/**
 * The reply of `Stats`: the session's queue on the runner that holds it (tasks, not turns).
 *
 * @since 0.1.0
 * @category schemas
 */
export const SessionStats = Schema.Struct({
  sessionId: Schema.String,
  totalPending: Schema.Number,
  totalActive: Schema.Number,
  lanes: Schema.Record({ key: Lane.Lane, value: LaneStats })
})

/**
 * @since 0.1.0
 * @category models
 */
export type SessionStats = typeof SessionStats.Type

/**
 * Runs a turn. Fails with `UnknownTool` or `InvalidCommand` before anything runs.
 *
 * @since 0.1.0
 * @category rpcs
 */
export const RunTurn = Rpc.make("RunTurn", {
  payload: { turnId: Schema.NonEmptyTrimmedString, commands: Schema.Array(Command.Command) },
  success: Schema.Array(Command.CallOutcome),
  error: Command.CommandError,
  primaryKey: ({ turnId }) => turnId
}).annotate(ClusterSchema.Persisted, true)

/**
 * Runs one command as a turn of its own (turn ID `command/<command id>`).
 *
 * @since 0.1.0
 * @category rpcs
 */
export const Submit = Rpc.make("Submit", {
  payload: { command: Command.Command },
  success: Command.CallOutcome,
  error: Command.CommandError,
  primaryKey: ({ command }) => `command/${command.id}`
}).annotate(ClusterSchema.Persisted, true)

/**
 * Cancels a turn of the session: its unfinished calls end as `Interrupted` with reason `cancelled`; calls that
 * finished keep their outcomes. A turn not started yet starts cancelled.
 *
 * @since 0.1.0
 * @category rpcs
 */
export const Cancel = Rpc.make("Cancel", { payload: { turnId: Schema.NonEmptyTrimmedString } })

/**
 * Reads the session queue's counts.
 *
 * @since 0.1.0
 * @category rpcs
 */
export const Stats = Rpc.make("Stats", { success: SessionStats })

/**
 * A call of an external tool waiting for the host.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ExternalCall = Schema.Struct({
  turnId: Schema.String,
  callId: Schema.String,
  tool: Schema.String,
  args: Schema.Unknown
})

/**
 * @since 0.1.0
 * @category models
 */
export type ExternalCall = typeof ExternalCall.Type

/**
 * The session's external calls waiting for the host, oldest first.
 *
 * @since 0.1.0
 * @category rpcs
 */
export const PendingExternal = Rpc.make("PendingExternal", { success: Schema.Array(ExternalCall) })

/**
 * The host's result for an external call (the encoded form of the tool's `success` schema). `true` when the call
 * was waiting; `false` when unknown, already answered or cancelled. A result that does not decode fails with
 * `InvalidCommand` and leaves the call waiting.
 *
 * @since 0.1.0
 * @category rpcs
 */
export const CompleteExternal = Rpc.make("CompleteExternal", {
  payload: { turnId: Schema.String, callId: Schema.String, value: Schema.Unknown },
  success: Schema.Boolean,
  error: Command.InvalidCommand
})

/**
 * The host's failure for an external call: its outcome is `Failed` with this error. `true` when it was waiting.
 *
 * @since 0.1.0
 * @category rpcs
 */
export const FailExternal = Rpc.make("FailExternal", {
  payload: { turnId: Schema.String, callId: Schema.String, error: Schema.String },
  success: Schema.Boolean
})

/**
 * The entity type `effect-lanes/Session`, keyed by session ID.
 *
 * @since 0.1.0
 * @category entities
 */
export const SessionEntity = Entity.make("effect-lanes/Session", [
  RunTurn,
  Submit,
  Cancel,
  Stats,
  PendingExternal,
  CompleteExternal,
  FailExternal
])

/**
 * The turn ID under which `Submit` runs a command.
 *
 * @since 0.1.0
 * @category utils
 */
export const submitTurnId = (commandId: string): string => `command/${commandId}`

/**
 * A client for the session entities: `(sessionId) => RPC methods`. Needs a runner (or a client-only runner) layer.
 *
 * @since 0.1.0
 * @category clients
 */
export const client = SessionEntity.client
