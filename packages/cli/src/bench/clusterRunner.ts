/**
 * A runner process for the `cluster` bench scenario: `node [loader flags] clusterRunner.(ts|js) <port>`, with the
 * Postgres URL in `LANES_CLUSTER_DATABASE_URL`. Registers one tool, `noop` (idempotent, returns its arguments),
 * prints `ready` once its layers are up, and runs until terminated.
 *
 * @since 0.1.0
 */
import { NodeRuntime } from "@effect/platform-node"
import { LanesConfig } from "effect-lanes"
import { SessionCluster, ToolRegistry } from "effect-lanes/cluster"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { benchShardingConfig, noopTool } from "./clusterBench.js"

const port = Number(process.argv[2] ?? "0")

const runner = SessionCluster.layerRunner({ host: "127.0.0.1", port, shardingConfig: benchShardingConfig }).pipe(
  Layer.provide([ToolRegistry.layer([noopTool]), LanesConfig.layerDefaults]),
  Layer.provide(SessionCluster.storageFromConfig)
)

Effect.gen(function*() {
  yield* Console.log("ready")
  return yield* Effect.never
}).pipe(Effect.provide(runner), Effect.asVoid, NodeRuntime.runMain)
