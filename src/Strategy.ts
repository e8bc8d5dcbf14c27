/**
 * The smart-enable planner (the seed report's Phase 3) as a pure, total function: given the tool
 * calls of one model turn, decide whether they run one after the other or in parallel, and how wide.
 *
 * `plan(calls, concurrency, options)` applies these rules, first match wins:
 *
 * 1. `enabled: false`: Sequential.
 * 2. No calls: Sequential.
 * 3. Any call that is not eligible: Sequential. A call is eligible when its tool is routed to the
 *    `query` lane by `Lane.fromTool`, is named in `allowedTools` (an empty list allows every query
 *    tool) and is not named in `blockedTools` (blocked wins over allowed).
 * 4. Without cost estimates (the seed's rules): fewer than `minToolCount` calls, or every call a
 *    `fastTools` tool: Sequential; otherwise Parallel.
 * 5. With cost estimates (`estimates`, one expected latency in milliseconds per call, aligned with
 *    `calls`), the cost rule replaces both rules of 4 (they are guesses at cost, the estimates are
 *    measurements): Parallel when
 *
 *    `sum(estimates) - makespan(estimates, width) > perTaskOverheadMillis * calls.length`
 *
 *    i.e. when the time saved beats the queue's overhead for every task, whatever the call count.
 *    `makespan` is list scheduling in input order on `width` workers, which is what
 *    `Effect.all(..., { concurrency: width })` does. The overhead defaults to
 *    {@link defaultPerTaskOverheadMillis}. Estimates that do not fit (wrong length, a value that is
 *    not a finite number >= 0) are ignored and rule 4 applies, with the reason saying so.
 *
 * A Parallel plan's width is `min(concurrency, calls.length)`; a `concurrency` that is not a finite
 * number >= 1 counts as 1, and a fractional one is rounded down. Every plan carries a `reason`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as turn from "./internal/turnRunner.js"
import * as Lane from "./Lane.js"
import type { QueueShutdown, TaskCancelled, TaskTimeout } from "./LaneError.js"
import type * as LaneQueue from "./LaneQueue.js"
import type * as LatencyModel from "./LatencyModel.js"

/**
 * One tool call requested by the model in a turn.
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolCall {
  readonly id: string
  readonly name: string
  readonly args?: unknown
}

/**
 * The planner's settings (the `strategy` part of the lanes configuration).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** When `false`, every batch runs sequentially. Default `true`. */
  readonly enabled: boolean
  /** Batches with fewer calls run sequentially (when no estimates are given). Default `6`. */
  readonly minToolCount: number
  /** Tools too cheap to be worth parallelising on their own. Default `["glob", "ls", "list_files"]`. */
  readonly fastTools: ReadonlyArray<string>
  /** Query tools that may run in parallel; empty allows every query-lane tool. Default `[]`. */
  readonly allowedTools: ReadonlyArray<string>
  /** Tools that force a sequential batch; wins over `allowedTools`. Default `[]`. */
  readonly blockedTools: ReadonlyArray<string>
}

/**
 * What `plan` accepts: any subset of {@link Options} (the rest taken from {@link defaults}) plus
 * the optional cost inputs of the cost rule.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlanOptions extends Partial<Options> {
  /** Expected latency in milliseconds of each call, aligned with `calls`; turns on the cost rule. */
  readonly estimates?: ReadonlyArray<number>
  /** Queue overhead per task in milliseconds. Default {@link defaultPerTaskOverheadMillis}. */
  readonly perTaskOverheadMillis?: number
}

/**
 * Run the batch's calls one after the other.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sequential {
  readonly _tag: "Sequential"
  readonly reason: string
}

/**
 * Run the batch's calls with at most `concurrency` of them at a time (an integer >= 1).
 *
 * @since 0.1.0
 * @category models
 */
export interface Parallel {
  readonly _tag: "Parallel"
  readonly concurrency: number
  readonly reason: string
}

/**
 * The decision for one batch of tool calls, with a human-readable reason.
 *
 * @since 0.1.0
 * @category models
 */
export type Plan = Sequential | Parallel

/**
 * The default settings: enabled, at least 6 calls, `glob`/`ls`/`list_files` count as fast, every
 * query tool allowed, none blocked.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: Options = {
  enabled: true,
  minToolCount: 6,
  fastTools: ["glob", "ls", "list_files"],
  allowedTools: [],
  blockedTools: []
}

/**
 * The default queue overhead per task, in milliseconds, charged by the cost rule: 0.05 ms (50 µs).
 *
 * Measured, not guessed: `effect-lanes bench -s queue --tasks 20000` on a 2-core machine gave
 * 23.8 µs per task for `submitBatch` (the path a parallel stage as wide as its lane takes) and
 * 97 µs per task for `submit` one by one (which includes the submitter's own fiber), against
 * 5.0 µs for a plain `Effect.forEach`; see `bench/README.md`. 50 µs sits between the two and makes
 * twelve 50 µs calls run in order, as a human would. Pass `perTaskOverheadMillis` for your own figure.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPerTaskOverheadMillis = 0.05

/**
 * Builds a Sequential plan.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sequential = (reason: string): Sequential => ({ _tag: "Sequential", reason })

/**
 * Builds a Parallel plan; a concurrency that is not a finite number >= 1 becomes 1, a fractional one
 * is rounded down.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parallel = (concurrency: number, reason: string): Parallel => ({
  _tag: "Parallel",
  concurrency: normalizeConcurrency(concurrency),
  reason
})

/**
 * Whether a plan runs its batch sequentially.
 *
 * @since 0.1.0
 * @category guards
 */
export const isSequential = (plan: Plan): plan is Sequential => plan._tag === "Sequential"

/**
 * Whether a plan runs its batch in parallel.
 *
 * @since 0.1.0
 * @category guards
 */
export const isParallel = (plan: Plan): plan is Parallel => plan._tag === "Parallel"

/**
 * The concurrency to pass to `Effect.all(..., { concurrency })`: 1 for a Sequential plan.
 *
 * @since 0.1.0
 * @category getters
 */
export const concurrency = (plan: Plan): number => isParallel(plan) ? plan.concurrency : 1

/**
 * The estimated wall-clock time of running tasks with the given latencies at a concurrency: list
 * scheduling in input order (each task starts on the first worker to become free), as
 * `Effect.all(..., { concurrency })` does. Concurrency is normalised as in {@link parallel}.
 *
 * @since 0.1.0
 * @category cost model
 */
export const makespan = (estimates: ReadonlyArray<number>, concurrency: number): number => {
  const width = Math.min(normalizeConcurrency(concurrency), Math.max(1, estimates.length))
  const finish = new Array<number>(width).fill(0)
  for (const estimate of estimates) {
    const worker = indexOfMin(finish)
    finish[worker] = (finish[worker] ?? 0) + estimate
  }
  return finish.reduce((max, time) => Math.max(max, time), 0)
}

/**
 * Decides how to run one turn's tool calls; see the module documentation for the rules. Pure and
 * total: any input gives a plan, and the same input the same plan.
 *
 * @since 0.1.0
 * @category planning
 */
export const plan = (calls: ReadonlyArray<ToolCall>, concurrency: number, options?: PlanOptions): Plan => {
  const settings = resolve(options)
  if (!settings.enabled) return sequential("smart parallelism is disabled")
  if (calls.length === 0) return sequential("no tool calls to run")
  const ineligible = findIneligible(calls, settings)
  if (ineligible !== undefined) return sequential(ineligible)
  const width = Math.min(normalizeConcurrency(concurrency), calls.length)
  const estimates = options?.estimates
  if (estimates === undefined) return planByCount(calls, width, settings, "")
  const problem = estimatesProblem(estimates, calls.length)
  return problem === undefined
    ? planByCost(estimates, width, overheadOf(options))
    : planByCount(calls, width, settings, ` (estimates ignored: ${problem})`)
}

// ---------------------------------------------------------------------------------------------
// internals
// ---------------------------------------------------------------------------------------------

const normalizeConcurrency = (concurrency: number): number =>
  Number.isFinite(concurrency) && concurrency >= 1 ? Math.floor(concurrency) : 1

const indexOfMin = (values: ReadonlyArray<number>): number =>
  values.reduce((best, value, index) => value < (values[best] ?? Infinity) ? index : best, 0)

const resolve = (options: PlanOptions | undefined): Options => ({
  enabled: options?.enabled ?? defaults.enabled,
  minToolCount: options?.minToolCount ?? defaults.minToolCount,
  fastTools: options?.fastTools ?? defaults.fastTools,
  allowedTools: options?.allowedTools ?? defaults.allowedTools,
  blockedTools: options?.blockedTools ?? defaults.blockedTools
})

const overheadOf = (options: PlanOptions | undefined): number => {
  const overhead = options?.perTaskOverheadMillis
  return overhead !== undefined && Number.isFinite(overhead) && overhead >= 0 ? overhead : defaultPerTaskOverheadMillis
}

const quote = (name: string): string => JSON.stringify(name)

const ineligibility = (name: string, settings: Options): string | undefined => {
  if (settings.blockedTools.includes(name)) return `tool ${quote(name)} is blocked`
  const lane = Lane.fromTool(name)
  if (lane !== "query") return `tool ${quote(name)} runs in the ${lane} lane, not the query lane`
  if (settings.allowedTools.length > 0 && !settings.allowedTools.includes(name)) {
    return `tool ${quote(name)} is not in allowedTools`
  }
  return undefined
}

const findIneligible = (calls: ReadonlyArray<ToolCall>, settings: Options): string | undefined => {
  for (const call of calls) {
    const reason = ineligibility(call.name, settings)
    if (reason !== undefined) return reason
  }
  return undefined
}

const planByCount = (calls: ReadonlyArray<ToolCall>, width: number, settings: Options, note: string): Plan => {
  const count = calls.length
  if (count < settings.minToolCount) {
    return sequential(`${count} tool calls, fewer than minToolCount ${settings.minToolCount}${note}`)
  }
  if (calls.every((call) => settings.fastTools.includes(call.name))) {
    return sequential(`all ${count} tool calls are fast tools${note}`)
  }
  return parallel(width, `${count} query tool calls, not all fast: parallel at concurrency ${width}${note}`)
}

const estimatesProblem = (estimates: ReadonlyArray<number>, count: number): string | undefined => {
  if (estimates.length !== count) return `${estimates.length} estimates for ${count} calls`
  return estimates.every((estimate) => Number.isFinite(estimate) && estimate >= 0)
    ? undefined
    : "an estimate is not a finite number >= 0"
}

const formatMillis = (millis: number): string => `${Number(millis.toFixed(3))} ms`

const planByCost = (estimates: ReadonlyArray<number>, width: number, overheadPerTask: number): Plan => {
  const serial = estimates.reduce((sum, estimate) => sum + estimate, 0)
  const saved = serial - makespan(estimates, width)
  const overhead = overheadPerTask * estimates.length
  const figures = `estimated ${formatMillis(serial)} sequential, saving ${formatMillis(saved)} at concurrency ${width}`
  return saved > overhead
    ? parallel(width, `${figures} > overhead ${formatMillis(overhead)}`)
    : sequential(`${figures} <= overhead ${formatMillis(overhead)}`)
}

// ---------------------------------------------------------------------------------------------
// the tool-turn runner
// ---------------------------------------------------------------------------------------------

/**
 * How a stage was formed: consecutive query-lane calls (`query`), consecutive `write`/`edit`
 * calls to distinct paths when `parallelWrites` is on (`writes`), or one call of another lane
 * (`single`).
 *
 * @since 0.1.0
 * @category models
 */
export type StageKind = "query" | "writes" | "single"

/**
 * One stage of a turn: calls that run together, in one lane, under one plan.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stage {
  readonly kind: StageKind
  readonly lane: Lane.Lane
  /** The positions of the stage's calls in the turn. */
  readonly indices: ReadonlyArray<number>
  readonly plan: Plan
}

/**
 * Settings of {@link stages} and {@link runTurn}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TurnOptions extends PlanOptions {
  /** Let consecutive `write`/`edit` calls to distinct paths run together. Default `false`. */
  readonly parallelWrites?: boolean
}

/**
 * Splits a turn into stages in call order and plans each: consecutive query-lane calls form one
 * stage planned by {@link plan}; calls of the other lanes run one at a time, except consecutive
 * `write`/`edit` calls to distinct paths with `parallelWrites`. `options.estimates`, when given,
 * are aligned with the whole turn.
 *
 * @since 0.1.0
 * @category planning
 */
export const stages = (
  calls: ReadonlyArray<ToolCall>,
  concurrency: number,
  options: TurnOptions = {}
): Array<Stage> =>
  turn.split(calls, options.parallelWrites ?? false).map((group) =>
    turn.planStage(plan, group, calls, concurrency, options, turn.sliceEstimates(options.estimates, group.indices))
  )

/**
 * Settings of {@link runTurn}: the planner's options plus an optional {@link LatencyModel.LatencyModel}
 * that supplies the estimates (when every call of a stage has history) and learns from every call.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunTurnOptions extends TurnOptions {
  readonly latencyModel?: LatencyModel.LatencyModel
}

/**
 * Runs the tool calls of one model turn through a session queue, as fast as is safe, and returns
 * one `Exit` per call in the original call order.
 *
 * The turn is split by {@link stages}; stages run one after the other, each through its lane
 * (`submitBatch` for a parallel stage as wide as the lane). One failing call never cancels its
 * siblings. Interrupting the turn interrupts every call still waiting or running. The planner starts
 * from the queue's `strategy` settings (so `LANES_PARALLEL_MIN_TOOLS` sets `minToolCount`), overridden
 * by `options`; the width is the query lane's current concurrency.
 *
 * @since 0.1.0
 * @category running
 */
export const runTurn = Effect.fn("Strategy.runTurn")(function*<A, E, R>(
  queue: LaneQueue.LaneQueue,
  calls: ReadonlyArray<ToolCall>,
  execute: (call: ToolCall) => Effect.Effect<A, E, R>,
  options: RunTurnOptions = {}
) {
  const settings: RunTurnOptions = { ...queue.settings.strategy, ...options }
  const { lanes } = yield* queue.stats
  const concurrency = lanes.query.concurrency
  const run = turn.measured(options.latencyModel, execute)
  const results: Array<Exit.Exit<A, E | TaskTimeout | TaskCancelled | QueueShutdown>> = new Array(calls.length)
  for (const group of turn.split(calls, options.parallelWrites ?? false)) {
    const estimates = options.latencyModel === undefined
      ? turn.sliceEstimates(options.estimates, group.indices)
      : group.kind === "query"
      ? yield* options.latencyModel.estimates(turn.callsAt(calls, group.indices))
      : undefined
    const stage = turn.planStage(plan, group, calls, concurrency, settings, estimates)
    const exits = yield* turn.runStage(queue, stage, calls, run, lanes[stage.lane].concurrency)
    exits.forEach((exit, i) => {
      const index = group.indices[i]
      if (index !== undefined) results[index] = exit
    })
  }
  return results
})
