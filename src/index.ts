/**
 * effect-lanes: a per-session lane scheduler for AI-agent work on Effect.
 *
 * @since 0.1.0
 */

/**
 * The four lanes, their priorities and tool routing.
 *
 * @since 0.1.0
 */
export * as Lane from "./Lane.js"

/**
 * The typed errors of a session queue.
 *
 * @since 0.1.0
 */
export * as LaneError from "./LaneError.js"

/**
 * The events a session queue publishes.
 *
 * @since 0.1.0
 */
export * as LaneEvent from "./LaneEvent.js"

/**
 * The per-session lane queue service.
 *
 * @since 0.1.0
 */
export * as LaneQueue from "./LaneQueue.js"

/**
 * Per-tool latency estimates (moving averages) for the cost-aware strategy.
 *
 * @since 0.1.0
 */
export * as LatencyModel from "./LatencyModel.js"

/**
 * Per-lane settings from Effect `Config` or code.
 *
 * @since 0.1.0
 */
export * as LanesConfig from "./LanesConfig.js"

/**
 * Session-scoped task IDs from a `Ref` counter.
 *
 * @since 0.1.0
 */
export * as TaskId from "./TaskId.js"

/**
 * Metrics of session queues: Effect Metrics and plain-number snapshots.
 *
 * @since 0.1.0
 */
export * as LaneMetrics from "./LaneMetrics.js"

/**
 * Retry policies of a lane as data, and their Schedules.
 *
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"

/**
 * The smart-enable planner and the tool-turn runner.
 *
 * @since 0.1.0
 */
export * as Strategy from "./Strategy.js"

/**
 * Tool traits (MCP's annotations) and tool declarations for the planner.
 *
 * @since 0.1.0
 */
export * as ToolTraits from "./ToolTraits.js"
