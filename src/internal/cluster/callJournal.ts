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
}>() {}

/** @internal */
export const table = "effect_lanes_call_starts"

/** @internal */
export const cancelTable = "effect_lanes_turn_cancels"

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
