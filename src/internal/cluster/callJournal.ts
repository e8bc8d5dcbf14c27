import * as SqlClient from "@effect/sql/SqlClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"

/**
 * The start markers of tool calls, beside the cluster's message tables: one row per (workflow execution, call)
 * written before the call's tool runs. A call whose marker is already there when its activity runs was started
 * before and never finished (a finished call's result is journaled, so its activity does not run again).
 *
 * @internal
 */
export class CallJournal extends Context.Tag("effect-lanes/cluster/CallJournal")<CallJournal, {
  /** Writes the marker; `true` when this is the call's first start. */
  readonly begin: (executionId: string, callId: string) => Effect.Effect<boolean>
  /** Marks a turn cancelled: its calls that have not finished end as `Interrupted`. */
  readonly cancel: (executionId: string) => Effect.Effect<void>
  readonly isCancelled: (executionId: string) => Effect.Effect<boolean>
  /** Records an external call waiting for the host (once; a replay changes nothing). */
  readonly announce: (task: ExternalRow) => Effect.Effect<void>
  /** The session's external calls still waiting, oldest first. */
  readonly pendingExternal: (sessionId: string) => Effect.Effect<ReadonlyArray<ExternalRow>>
  /** Marks a waiting external call answered; `false` when it was not waiting (unknown, answered, cancelled). */
  readonly settle: (executionId: string, callId: string) => Effect.Effect<boolean>
  /** Marks every waiting external call of a turn answered (for Cancel); the call IDs. */
  readonly settleTurn: (executionId: string) => Effect.Effect<ReadonlyArray<string>>
}>() {}

/**
 * An external call as stored: its turn, its call ID, its tool and its JSON arguments.
 *
 * @internal
 */
export interface ExternalRow {
  readonly executionId: string
  readonly sessionId: string
  readonly turnId: string
  readonly callId: string
  readonly tool: string
  readonly args: string
}

/** @internal */
export const table = "effect_lanes_call_starts"

/** @internal */
export const cancelTable = "effect_lanes_turn_cancels"

/** @internal */
export const externalTable = "effect_lanes_external_calls"

const retry = Schedule.intersect(Schedule.exponential("50 millis"), Schedule.recurs(5))

/** @internal */
export const layer: Layer.Layer<CallJournal, never, SqlClient.SqlClient> = Layer.effect(
  CallJournal,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE IF NOT EXISTS ${sql(table)} (
      execution_id VARCHAR(255) NOT NULL,
      call_id VARCHAR(255) NOT NULL,
      PRIMARY KEY (execution_id, call_id)
    )`.pipe(Effect.retry(retry), Effect.orDie)
    yield* sql`CREATE TABLE IF NOT EXISTS ${sql(externalTable)} (
      execution_id VARCHAR(255) NOT NULL,
      call_id VARCHAR(255) NOT NULL,
      session_id VARCHAR(255) NOT NULL,
      turn_id VARCHAR(255) NOT NULL,
      tool VARCHAR(255) NOT NULL,
      args TEXT NOT NULL,
      seq BIGINT NOT NULL,
      waiting INTEGER NOT NULL,
      PRIMARY KEY (execution_id, call_id)
    )`.pipe(Effect.retry(retry), Effect.orDie)
    yield* sql`CREATE TABLE IF NOT EXISTS ${sql(cancelTable)} (
      execution_id VARCHAR(255) NOT NULL PRIMARY KEY
    )`.pipe(Effect.retry(retry), Effect.orDie)
    return CallJournal.of({
      begin: (executionId, callId) =>
        sql<{ call_id: string }>`INSERT INTO ${sql(table)} (execution_id, call_id) VALUES (${executionId}, ${callId})
          ON CONFLICT DO NOTHING RETURNING call_id`.pipe(
          Effect.map((rows) => rows.length === 1),
          Effect.retry(retry),
          Effect.orDie
        ),
      cancel: (executionId) =>
        sql`INSERT INTO ${sql(cancelTable)} (execution_id) VALUES (${executionId}) ON CONFLICT DO NOTHING`.pipe(
          Effect.asVoid,
          Effect.retry(retry),
          Effect.orDie
        ),
      announce: (task) =>
        Effect.flatMap(
          Effect.clockWith((clock) => clock.currentTimeMillis),
          (now) =>
            sql`INSERT INTO ${sql(externalTable)} (execution_id, call_id, session_id, turn_id, tool, args, seq, waiting)
            VALUES (${task.executionId}, ${task.callId}, ${task.sessionId}, ${task.turnId}, ${task.tool}, ${task.args}, ${now}, 1)
            ON CONFLICT DO NOTHING`
        ).pipe(Effect.asVoid, Effect.retry(retry), Effect.orDie),
      pendingExternal: (sessionId) =>
        sql<{ execution_id: string; call_id: string; session_id: string; turn_id: string; tool: string; args: string }>`
          SELECT execution_id, call_id, session_id, turn_id, tool, args FROM ${sql(externalTable)}
          WHERE session_id = ${sessionId} AND waiting = 1 ORDER BY seq, call_id`.pipe(
          Effect.map((rows) =>
            rows.map((row): ExternalRow => ({
              executionId: row.execution_id,
              sessionId: row.session_id,
              turnId: row.turn_id,
              callId: row.call_id,
              tool: row.tool,
              args: row.args
            }))
          ),
          Effect.retry(retry),
          Effect.orDie
        ),
      settle: (executionId, callId) =>
        sql<{ call_id: string }>`UPDATE ${sql(externalTable)} SET waiting = 0
          WHERE execution_id = ${executionId} AND call_id = ${callId} AND waiting = 1 RETURNING call_id`.pipe(
          Effect.map((rows) => rows.length === 1),
          Effect.retry(retry),
          Effect.orDie
        ),
      settleTurn: (executionId) =>
        sql<{ call_id: string }>`UPDATE ${sql(externalTable)} SET waiting = 0
          WHERE execution_id = ${executionId} AND waiting = 1 RETURNING call_id`.pipe(
          Effect.map((rows) => rows.map((row) => row.call_id)),
          Effect.retry(retry),
          Effect.orDie
        ),
      isCancelled: (executionId) =>
        sql<{ execution_id: string }>`SELECT execution_id FROM ${sql(cancelTable)} WHERE execution_id = ${executionId}`
          .pipe(
            Effect.map((rows) => rows.length > 0),
            Effect.retry(retry),
            Effect.orDie
          )
    })
  })
)
