/**
 * What the recorded latencies say about a turn's plans: the time of the default Strategy's plan and of the
 * best plan given those latencies (the oracle: for each stage the Strategy may run together, the width from 1
 * to the concurrency with the smallest makespan), both by `Strategy.makespan`, and the regret between them.
 * Calls started in the background count as taking no time, since the agent did not wait for them.
 *
 * @since 0.1.0
 */
import { Strategy } from "effect-lanes"

/**
 * @since 0.1.0
 * @category models
 */
export interface Analysis {
  /** The recorded durations summed: the turn run one call after the other. */
  readonly sequentialMillis: number
  /** The default Strategy's plan, timed with the recorded durations. */
  readonly strategyMillis: number
  /** The best plan given the recorded durations. */
  readonly oracleMillis: number
  readonly oraclePlan: string
  /** strategyMillis - oracleMillis (>= 0). */
  readonly regretMillis: number
}

/**
 * Analyses a turn whose every call has a recorded duration (`durations` aligned with `calls`).
 *
 * @since 0.1.0
 * @category analysis
 */
export const analyse = (
  calls: ReadonlyArray<Strategy.ToolCall>,
  durations: ReadonlyArray<number>,
  concurrency: number,
  options: Strategy.TurnOptions
): Analysis => {
  const stages = Strategy.stages(calls, concurrency, options)
  let strategyMillis = 0
  let oracleMillis = 0
  const plan: Array<string> = []
  for (const stage of stages) {
    const estimates = stage.indices.map((i) => durations[i] ?? 0)
    strategyMillis += Strategy.makespan(estimates, Strategy.concurrency(stage.plan))
    const widths = stage.kind === "single" ? 1 : Math.max(1, Math.min(concurrency, estimates.length))
    let best = Strategy.makespan(estimates, 1)
    let bestWidth = 1
    for (let width = 2; width <= widths; width++) {
      const time = Strategy.makespan(estimates, width)
      if (time < best) {
        best = time
        bestWidth = width
      }
    }
    oracleMillis += best
    plan.push(bestWidth === 1 ? "Sequential" : `Parallel ${bestWidth}`)
  }
  const collapsed = plan.every((p) => p === "Sequential") ? ["Sequential"] : plan
  return {
    sequentialMillis: durations.reduce((sum, d) => sum + d, 0),
    strategyMillis,
    oracleMillis,
    oraclePlan: collapsed.join(" → "),
    regretMillis: Math.max(0, strategyMillis - oracleMillis)
  }
}
