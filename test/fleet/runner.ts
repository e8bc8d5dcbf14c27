/**
 * One runner process of the fleet test: `node --import tsx test/fleet/runner.ts <name> <port>`, with the
 * Postgres URL in `CLUSTER_TEST_DATABASE_URL`. Its tools record every start and finish in Postgres (so the
 * driver can count executions across processes, including those of a runner it killed):
 *
 * - `put { key, ms }`: idempotent; sleeps `ms`, then upserts `key` into `chaos_state`;
 * - `append { key, ms }`: not idempotent; sleeps `ms`, then inserts `key` into `chaos_log` (a second run would
 *   leave a second row).
 *
 * Prints `ready` once its layers are up, then runs until killed.
 */
import { NodeRuntime } from "@effect/platform-node"
import * as SqlClient from "@effect/sql/SqlClient"
import { Console, Effect, Layer, Schema } from "effect"
import { SessionCluster, ToolRegistry } from "../../src/cluster/index.js"
import * as LanesConfig from "../../src/LanesConfig.js"
import { shardingConfig } from "./config.js"

const [name = "runner", portText = "0"] = process.argv.slice(2)
const url = process.env["CLUSTER_TEST_DATABASE_URL"] ?? ""

const Args = Schema.Struct({ key: Schema.String, ms: Schema.Number })

const registry = Layer.effect(
  ToolRegistry.ToolRegistry,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const record = (key: string, phase: string) =>
      sql`INSERT INTO chaos_runs (command_key, runner, phase) VALUES (${key}, ${name}, ${phase})`.pipe(Effect.orDie)
    return ToolRegistry.make([
      ToolRegistry.tool("put", {
        args: Args,
        success: Schema.String,
        traits: { destructive: false, idempotent: true },
        run: ({ key, ms }) =>
          record(key, "start").pipe(
            Effect.zipRight(Effect.sleep(ms)),
            Effect.zipRight(
              sql`INSERT INTO chaos_state (key) VALUES (${key}) ON CONFLICT DO NOTHING`.pipe(Effect.orDie)
            ),
            Effect.zipRight(record(key, "done")),
            Effect.as(key)
          )
      }),
      ToolRegistry.tool("append", {
        args: Args,
        success: Schema.String,
        run: ({ key, ms }) =>
          record(key, "start").pipe(
            Effect.zipRight(Effect.sleep(ms)),
            Effect.zipRight(sql`INSERT INTO chaos_log (key) VALUES (${key})`.pipe(Effect.orDie)),
            Effect.zipRight(record(key, "done")),
            Effect.as(key)
          )
      })
    ])
  })
)

const runner = SessionCluster.layerRunner({ host: "127.0.0.1", port: Number(portText), shardingConfig }).pipe(
  Layer.provide([registry, LanesConfig.layerDefaults]),
  Layer.provideMerge(SessionCluster.postgres(url))
)

Effect.gen(function*() {
  yield* Console.log("ready")
  return yield* Effect.never
}).pipe(Effect.provide(runner), NodeRuntime.runMain)
