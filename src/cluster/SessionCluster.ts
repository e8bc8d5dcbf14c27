/**
 * Layers that run clustered sessions: the storage (a SQLite file by default, Postgres when a database URL is
 * configured) and the runner, either one process ({@link layerSingle}) or one of a fleet sharing a Postgres
 * database ({@link layerRunner}, plus {@link layerClient} for processes that only send).
 *
 * A runner registers the session entity and the durable turn workflow and needs the application's
 * `ToolRegistry` and the lanes settings (`LanesConfig`), the same on every runner.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { LanesConfig } from "effect-lanes"
 * import { SessionCluster, ToolRegistry } from "effect-lanes/cluster"
 *
 * const ClusterLive = SessionCluster.layerSingle().pipe(
 *   Layer.provide([ToolRegistry.layer([]), LanesConfig.layerDefaults, SessionCluster.sqlite("sessions.db")])
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import type * as MessageStorage from "@effect/cluster/MessageStorage"
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import type * as Runners from "@effect/cluster/Runners"
import type * as Sharding from "@effect/cluster/Sharding"
import type * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import type * as SocketServer from "@effect/platform/SocketServer"
import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import type * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as callJournal from "../internal/cluster/callJournal.js"
import { driver, type DriverUnavailable } from "../internal/cluster/driver.js"
import * as entity from "../internal/cluster/entity.js"
import * as sessionQueues from "../internal/cluster/sessionQueues.js"
import * as turn from "../internal/cluster/turn.js"
import type * as LanesConfig from "../LanesConfig.js"
import type * as ToolRegistry from "./ToolRegistry.js"

/**
 * Runner options. `maxIdleTime`: how long a session entity (and its queue) stays on a runner without messages
 * (default 1 minute). `shardingConfig`: @effect/cluster's settings (lock expiry, poll intervals, shards per group),
 * over its defaults and its `SHARDING_*`-free environment.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly maxIdleTime?: Duration.DurationInput | undefined
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]> | undefined
}

/**
 * The default SQLite file, relative to the working directory.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultSqliteFile = "effect-lanes-cluster.db"

/**
 * The storage's SQL driver could not be loaded: `package` is not installed (`reason` says so), or it is and
 * failed to load (a native binding built for another Node, for example; `reason` is the loader's message).
 *
 * @since 0.1.0
 * @category errors
 */
export { DriverUnavailable } from "../internal/cluster/driver.js"

/**
 * A SQLite file as the cluster's storage (`":memory:"` for a process-local, throwaway one). One process per file.
 *
 * @since 0.1.0
 * @category storage
 */
export const sqlite = (
  filename: string = defaultSqliteFile
): Layer.Layer<SqlClient.SqlClient, ConfigError.ConfigError | DriverUnavailable> =>
  Layer.unwrapEffect(
    Effect.map(
      driver("@effect/sql-sqlite-node", () => import("@effect/sql-sqlite-node/SqliteClient")),
      (SqliteClient) => SqliteClient.layer({ filename })
    )
  )

/**
 * A Postgres database as the cluster's storage, shared by every runner of a fleet (`postgres://user@host:port/db`).
 *
 * @since 0.1.0
 * @category storage
 */
export const postgres = (
  url: string | Redacted.Redacted
): Layer.Layer<SqlClient.SqlClient, ConfigError.ConfigError | SqlError.SqlError | DriverUnavailable> =>
  Layer.unwrapEffect(
    Effect.map(
      driver("@effect/sql-pg", () => import("@effect/sql-pg/PgClient")),
      (PgClient) => PgClient.layer({ url: typeof url === "string" ? Redacted.make(url) : url })
    )
  )

/**
 * The storage from configuration: Postgres when `LANES_CLUSTER_DATABASE_URL` is set, otherwise the SQLite file
 * `LANES_CLUSTER_SQLITE_FILE` (default {@link defaultSqliteFile}).
 *
 * @since 0.1.0
 * @category storage
 */
export const storageFromConfig: Layer.Layer<
  SqlClient.SqlClient,
  ConfigError.ConfigError | SqlError.SqlError | DriverUnavailable
> = Layer
  .unwrapEffect(
    Effect.gen(function*() {
      const url = yield* Config.option(Config.redacted("LANES_CLUSTER_DATABASE_URL"))
      if (Option.isSome(url)) return postgres(url.value)
      const file = yield* Config.withDefault(Config.string("LANES_CLUSTER_SQLITE_FILE"), defaultSqliteFile)
      return sqlite(file)
    })
  )

/**
 * What every runner registers: the session entity, the turn workflow, the call journal and the session queues.
 * Needs a cluster (`Sharding`) and a workflow engine; {@link layerSingle} and {@link layerRunner} provide them.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSessions = (options?: Options): Layer.Layer<
  never,
  never,
  | Sharding.Sharding
  | WorkflowEngine.WorkflowEngine
  | ToolRegistry.ToolRegistry
  | LanesConfig.LanesConfig
  | SqlClient.SqlClient
> => {
  const maxIdleTime = options?.maxIdleTime ?? Duration.minutes(1)
  return Layer.mergeAll(entity.layer({ maxIdleTime }), turn.layer).pipe(
    Layer.provide(sessionQueues.layer(maxIdleTime)),
    Layer.provide(callJournal.layer)
  )
}

/**
 * One process holding every session: @effect/cluster's SQL-backed single runner, its workflow engine and the
 * sessions. Provides `Sharding` (for `SessionEntity.client`) and the `WorkflowEngine`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSingle = (options?: Options): Layer.Layer<
  Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage | WorkflowEngine.WorkflowEngine,
  ConfigError.ConfigError,
  ToolRegistry.ToolRegistry | LanesConfig.LanesConfig | SqlClient.SqlClient
> =>
  layerSessions(options).pipe(
    Layer.provideMerge(ClusterWorkflowEngine.layer),
    Layer.provideMerge(SingleRunner.layer({ shardingConfig: options?.shardingConfig, runnerStorage: "sql" }))
  )

/**
 * The address a runner listens on and other runners reach it at.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunnerOptions extends Options {
  readonly host: string
  readonly port: number
}

/**
 * One runner of a fleet: listens on `host:port` (TCP, msgpack), shares shards with the other runners through the
 * SQL storage (Postgres; its locks move the shards of a runner that dies), and runs the sessions of its shards.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRunner = (options: RunnerOptions): Layer.Layer<
  Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage | WorkflowEngine.WorkflowEngine,
  ConfigError.ConfigError | SocketServer.SocketServerError,
  ToolRegistry.ToolRegistry | LanesConfig.LanesConfig | SqlClient.SqlClient
> =>
  layerSessions(options).pipe(
    Layer.provideMerge(ClusterWorkflowEngine.layer),
    Layer.provideMerge(
      NodeClusterSocket.layer({
        storage: "sql",
        shardingConfig: {
          ...options.shardingConfig,
          runnerAddress: Option.some(RunnerAddress.RunnerAddress.make({ host: options.host, port: options.port }))
        }
      })
    )
  )

/**
 * A process that only sends to the sessions of a fleet (it holds no shards): provides `Sharding` for
 * `SessionEntity.client`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (options?: Pick<Options, "shardingConfig">): Layer.Layer<
  Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage,
  ConfigError.ConfigError,
  SqlClient.SqlClient
> => NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig: options?.shardingConfig })
