/**
 * `effect-lanes/cluster`: agent sessions across processes on @effect/cluster, with durable turns on
 * @effect/workflow. Optional: needs `@effect/cluster`, `@effect/workflow`, `@effect/rpc`, `@effect/sql` and a SQL
 * driver (`@effect/sql-sqlite-node` or `@effect/sql-pg`) installed beside `effect-lanes`.
 *
 * @since 0.1.0
 */

/**
 * Commands, call outcomes and the errors of the session RPCs.
 *
 * @since 0.1.0
 */
export * as Command from "./Command.js"

/**
 * The session entity, its RPCs and its client.
 *
 * @since 0.1.0
 */
export * as SessionEntity from "./SessionEntity.js"

/**
 * Storage and runner layers.
 *
 * @since 0.1.0
 */
export * as SessionCluster from "./SessionCluster.js"

/**
 * The application's tools.
 *
 * @since 0.1.0
 */
export * as ToolRegistry from "./ToolRegistry.js"
