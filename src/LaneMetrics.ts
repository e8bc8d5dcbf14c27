/**
 * Metrics of session queues: Effect `Metric`s for exporters, and the plain-number snapshot a queue
 * returns from `metrics`.
 *
 * Every task updates counters tagged by `lane` (submitted, started, completed,
 * failed, timed out, retried, dead-lettered, cancelled) and two summaries in milliseconds (time
 * waited for a permit, time run), with quantiles p50/p90/p95/p99. The Metrics live in Effect's
 * global registry, so `@effect/opentelemetry` or `Metric.snapshot` see them, summed over the
 * process's sessions (a session tag would grow the registry with every session for good); a queue's
 * own `metrics` snapshot is per session, from its own counters and its last 1024 samples per lane.
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"
import type * as Lane from "./Lane.js"

/**
 * Counts of a lane's tasks by what happened to them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counts {
  readonly submitted: number
  readonly started: number
  readonly completed: number
  readonly failed: number
  readonly timedOut: number
  readonly retried: number
  readonly deadLettered: number
  readonly cancelled: number
}

/**
 * Distribution of a latency in milliseconds over the last samples; zeros when there are none.
 *
 * @since 0.1.0
 * @category models
 */
export interface Quantiles {
  readonly count: number
  readonly min: number
  readonly max: number
  readonly mean: number
  readonly p50: number
  readonly p90: number
  readonly p95: number
  readonly p99: number
}

/**
 * One lane's counts and latencies.
 *
 * @since 0.1.0
 * @category models
 */
export interface LaneSnapshot {
  readonly counts: Counts
  /** Time from submission to start. */
  readonly waitMillis: Quantiles
  /** Time from start to end. */
  readonly runMillis: Quantiles
}

/**
 * A queue's metrics as plain numbers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Snapshot {
  readonly lanes: { readonly [L in Lane.Lane]: LaneSnapshot }
  readonly totals: Counts
}

/**
 * The counter names, one per field of {@link Counts}.
 *
 * @since 0.1.0
 * @category constants
 */
export const countNames: ReadonlyArray<keyof Counts> = [
  "submitted",
  "started",
  "completed",
  "failed",
  "timedOut",
  "retried",
  "deadLettered",
  "cancelled"
]

/**
 * The task counters, `effect_lanes_tasks_<name>`, tagged by `lane` when updated.
 *
 * @since 0.1.0
 * @category metrics
 */
export const counters: { readonly [K in keyof Counts]: Metric.Metric.Counter<number> } = {
  submitted: Metric.counter("effect_lanes_tasks_submitted", { description: "tasks accepted by a lane" }),
  started: Metric.counter("effect_lanes_tasks_started", { description: "tasks that got a permit" }),
  completed: Metric.counter("effect_lanes_tasks_completed", { description: "tasks that succeeded" }),
  failed: Metric.counter("effect_lanes_tasks_failed", { description: "tasks that failed or died" }),
  timedOut: Metric.counter("effect_lanes_tasks_timed_out", { description: "tasks past their lane timeout" }),
  retried: Metric.counter("effect_lanes_tasks_retried", { description: "retries started" }),
  deadLettered: Metric.counter("effect_lanes_tasks_dead_lettered", { description: "tasks dead-lettered" }),
  cancelled: Metric.counter("effect_lanes_tasks_cancelled", { description: "tasks interrupted" })
}

const latencySummary = (name: string, description: string) =>
  Metric.summary({
    name,
    description,
    maxAge: "1 hour",
    maxSize: 1024,
    error: 0.01,
    quantiles: [0.5, 0.9, 0.95, 0.99]
  })

/**
 * Milliseconds from submission to start, tagged by `lane`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const waitMillis = latencySummary("effect_lanes_wait_millis", "time a task waited for its permit")

/**
 * Milliseconds from start to end, tagged by `lane`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const runMillis = latencySummary("effect_lanes_run_millis", "time a task ran")
