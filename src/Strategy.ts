/**
 * The smart-enable planner (the seed report's Phase 3, grown into a per-call planner) and the tool-turn
 * runner.
 *
 * A model turn's tool calls are split into **waves** in call order: consecutive calls that are safe to
 * overlap form one wave, any other call runs alone and is a barrier. A call is safe to overlap when it is
 * read-only (its own `traits`, then the classifier and traits its tool declares in `tools`, then routing: a
 * tool that `Lane.fromTool` sends to the query lane is read-only), allowed and not blocked. With
 * `parallelWrites`, writes whose files are known (the built-in `write`/`edit`, or tools declaring traits or
 * resources) may join a wave too, as long as no two calls of the wave touch one file canonically with a write
 * (`a`, `./a`, `sub/../a` and the absolute path under `root` are one file; a read of a directory covers what
 * lies under it).
 *
 * Each wave is planned by {@link plan}, pure and total, first match wins:
 *
 * 1. `enabled: false`: Sequential.
 * 2. No calls: Sequential.
 * 3. A call that is not safe to overlap, or two calls touching one file: Sequential.
 * 4. Fewer than `minToolCount` calls (default 2): Sequential.
 * 5. With estimates (`estimates`, one expected latency in ms per call), the **cost rule**: Parallel when
 *    `sum(estimates) - makespan(estimates, width) > perTaskOverheadMillis * calls.length`, i.e. when the
 *    time saved beats the queue's overhead for every task. `makespan` is list scheduling in input order on
 *    `width` workers, as `Effect.all(..., { concurrency: width })` does.
 * 6. Otherwise: Sequential when every call is a `fastTools` tool (none by default), else Parallel.
 *
 * A Parallel plan's width is `min(concurrency, calls.length)`. Every plan's `reason` names the figures it
 * used. {@link runTurn} supplies the session's own figures: per-tool latencies learned from every call the
 * session ran (else a declared `latencyMillis`, else a prior by traits) and the queue's overhead per task
 * learned from the turns it ran.
 *
 * {@link seedRules} is the upstream's Phase 3 rule set, exactly: Sequential when disabled, when fewer than
 * `minToolCount` (6) calls, when every call is a fast tool (`glob`, `ls`, `list_files`), or when any call is
 * not a query-lane tool (`Lane.fromTool`) that is allowed and not blocked; otherwise Parallel; estimates are
 * ignored. Upstream measured it at 1.04x (seed report, "Upstream results"); on real agents, which make 1-5
 * calls per response, it never runs a turn in parallel. Select it with `LANES_STRATEGY=seed`. In
 * {@link stages} and {@link runTurn}, as upstream applied its rule to each batch, the rule plans each wave
 * (consecutive query-lane calls), and every other call runs alone.
 *
 * A `concurrency` that is not a finite number >= 1 counts as 1 (a Parallel plan at 1 runs like a
 * Sequential one); a fractional one is rounded down. A call that cannot be read (not an object, a throwing
 * getter, a Proxy) counts as an unknown tool: MCP's defaults, alone.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as callFacts from "./internal/strategy/calls.js"
import * as internal from "./internal/strategy/planner.js"
import * as turn from "./internal/strategy/runTurn.js"
import type * as Lane from "./Lane.js"
import type { CallTimeout, QueueShutdown, TaskCancelled, TaskTimeout } from "./LaneError.js"
import type * as LaneQueue from "./LaneQueue.js"
import * as LatencyModel from "./LatencyModel.js"
import type * as Traits from "./ToolTraits.js"

/**
 * MCP's tool annotations as traits (see the `ToolTraits` module).
 *
 * @since 0.1.0
 * @category models
 */
export type ToolTraits = Traits.ToolTraits

/**
 * An application's declaration of one tool (see the `ToolTraits` module).
 *
 * @since 0.1.0
 * @category models
 */
export type ToolSpec = Traits.ToolSpec

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
  /** What this call does; wins over everything its tool declares. */
  readonly traits?: Partial<Traits.ToolTraits> | undefined
  /** This call's deadline; wins over its tool's declared `timeout` (see {@link runTurn}). */
  readonly timeout?: Duration.DurationInput | undefined
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
  /** `"cost"` (the per-call default) or `"seed"` (the upstream's rules, {@link seedRules}). */
  readonly rules: "cost" | "seed"
  /** Batches with fewer calls run sequentially. Default `2` (`seedRules`: `6`). */
  readonly minToolCount: number
  /** Without estimates, a batch of only these tools runs sequentially. Default `[]` (`seedRules`: `glob`, `ls`, `list_files`). */
  readonly fastTools: ReadonlyArray<string>
  /** Tools that may overlap others; empty allows every safe call. Default `[]`. */
  readonly allowedTools: ReadonlyArray<string>
  /** Tools whose calls always run alone; wins over `allowedTools`. Default `[]`. */
  readonly blockedTools: ReadonlyArray<string>
  /** The application's tool declarations by name (traits, lane, classifier, resources, latency prior). Default `{}`. */
  readonly tools: Traits.ToolSpecs
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
  readonly estimates?: ReadonlyArray<number> | undefined
  /** Queue overhead per task in milliseconds. Default {@link defaultPerTaskOverheadMillis}. */
  readonly perTaskOverheadMillis?: number | undefined
  /** Let writes to distinct files (canonically) share a wave. Default `false`. */
  readonly parallelWrites?: boolean | undefined
  /** The directory relative paths are resolved against, so that absolute paths compare with them. */
  readonly root?: string | undefined
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
 * The default settings: enabled, per-call rules with the cost rule when estimates are known, at least 2
 * calls, no fast tools, every safe call allowed, none blocked, no declared tools.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: Options = internal.defaults

/**
 * The upstream's Phase 3 rules (seed report): at least 6 calls, all routed to the query lane by name, not
 * all of them `glob`/`ls`/`list_files`; estimates ignored. Measured upstream at 1.04x overall.
 *
 * @since 0.1.0
 * @category constants
 */
export const seedRules: Options = internal.seedRules

/**
 * The queue overhead per task, in milliseconds, that the cost rule charges when none is given:
 * `LatencyModel.defaultOverheadMillis` (the cost of one `submit` to an idle lane, `bench/README.md`).
 * `runTurn` charges the session's own, learned figure instead.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPerTaskOverheadMillis: number = LatencyModel.defaultOverheadMillis

/**
 * The latencies assumed for a tool that has neither history in the session nor a declared
 * `latencyMillis`: `openWorldMillis` 1700 ms for an open-world call (upstream measured ten network fetches
 * at about 17 s in order, seed report), so that such calls run in parallel; `localMillis` 1 ms for a
 * local one.
 *
 * @since 0.1.0
 * @category constants
 */
export const priors: { readonly openWorldMillis: number; readonly localMillis: number } = turn.priors

/**
 * Builds a Sequential plan.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sequential: (reason: string) => Sequential = internal.sequential

/**
 * Builds a Parallel plan; a concurrency that is not a finite number >= 1 becomes 1, a fractional one
 * is rounded down.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parallel: (concurrency: number, reason: string) => Parallel = internal.parallel

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
export const makespan: (estimates: ReadonlyArray<number>, concurrency: number) => number = internal.makespan

/**
 * Decides how to run one turn's tool calls; see the module documentation for the rules. Pure and
 * total: any input gives a plan, and the same input the same plan.
 *
 * @since 0.1.0
 * @category planning
 */
export const plan: (calls: ReadonlyArray<ToolCall>, concurrency: number, options?: PlanOptions) => Plan = internal.plan

/**
 * The traits of one call: MCP's defaults, then routing (query-lane tools are read-only), then the traits
 * its tool declares in `options.tools`, then the declaration's classifier on the call's arguments, then the
 * call's own `traits` (later wins).
 *
 * @since 0.1.0
 * @category planning
 */
export const traitsOf = (call: ToolCall, options?: Pick<PlanOptions, "tools">): Traits.ToolTraits =>
  callFacts.traitsOf(call, options?.tools)

/**
 * The lane of one call: the lane its tool declares, then stated traits (read-only: query; not read-only:
 * never query, so execute unless the name routes to control or generate), then `Lane.fromTool`.
 *
 * @since 0.1.0
 * @category planning
 */
export const laneOf = (call: ToolCall, options?: Pick<PlanOptions, "tools">): Lane.Lane =>
  callFacts.laneOf(call, options?.tools)

/**
 * How a stage was formed: a wave of calls that may overlap (`wave`), or one call that runs alone (`single`).
 *
 * @since 0.1.0
 * @category models
 */
export type StageKind = "wave" | "single"

/**
 * One stage of a turn: calls that run together under one plan, each in its own lane.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stage {
  readonly kind: StageKind
  /** The lane of the stage's first call. */
  readonly lane: Lane.Lane
  /** The lane of each call, aligned with `indices`. */
  readonly lanes: ReadonlyArray<Lane.Lane>
  /** The positions of the stage's calls in the turn. */
  readonly indices: ReadonlyArray<number>
  readonly plan: Plan
}

/**
 * One call of a planned turn: its ID and tool, the lane it runs in, the latency the plan expected of it (ms:
 * learned, declared, or the prior of its traits) and its deadline in ms when it has one.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlannedCall {
  readonly id: string
  readonly name: string
  readonly lane: Lane.Lane
  readonly estimateMillis: number
  readonly timeoutMillis?: number
}

/**
 * One stage of a planned turn: how it was formed, its plan (with the reason and the figures it used) and its
 * calls in call order.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlannedStage {
  readonly kind: StageKind
  readonly plan: Plan
  readonly calls: ReadonlyArray<PlannedCall>
}

/**
 * How {@link runTurn} planned one turn: its stages in the order they run, the width a parallel wave could use
 * (the query lane's concurrency at the time) and the queue overhead per task the cost rule charged (ms).
 * Published as the `TurnPlanned` event and logged at Debug level; `Agent.Step` carries it. A wave that
 * `resolvePath` splits again on real paths (with `parallelWrites`) runs as the smaller waves it splits into.
 *
 * @since 0.1.0
 * @category models
 */
export interface TurnPlan {
  readonly stages: ReadonlyArray<PlannedStage>
  readonly width: number
  readonly perTaskOverheadMillis: number
}

/**
 * Settings of {@link stages}: the planner's options (`parallelWrites` and `root` included).
 *
 * @since 0.1.0
 * @category models
 */
export type TurnOptions = PlanOptions

/**
 * Splits a turn into waves in call order and plans each with {@link plan}; `options.estimates`, when
 * given, are aligned with the whole turn. Pure and total.
 *
 * @since 0.1.0
 * @category planning
 */
export const stages: (calls: ReadonlyArray<ToolCall>, concurrency: number, options?: TurnOptions) => Array<Stage> =
  internal.stages

/**
 * Settings of {@link runTurn}: the planner's options, plus
 *
 * - `latencyModel`: the cost model to learn from and plan with; default the queue's own (`queue.latency`),
 *   which every call of the session feeds;
 * - `resolvePath`: makes a path real (symlinks resolved) before files are compared; the built-in tools give
 *   one (`Tools.turnOptions`). A path it fails on is compared as written.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunTurnOptions extends TurnOptions {
  readonly latencyModel?: LatencyModel.LatencyModel | undefined
  readonly resolvePath?: ((path: string) => Effect.Effect<string, unknown>) | undefined
}

/**
 * Runs the tool calls of one model turn through a session queue, as fast as is safe, and returns one
 * `Exit` per call in call order.
 *
 * The turn is split by {@link stages}, planned with the session's learned estimates and overhead (unless
 * `options` gives its own); stages run one after the other; a parallel wave goes to its lanes in one
 * `submitBatch` per lane, a sequential stage call by call, each call in its own lane (`laneOf`). One failing
 * call never cancels its siblings. Interrupting the turn interrupts every call still waiting or running.
 * The planner starts from the queue's `strategy` settings (`LANES_STRATEGY`, `LANES_PARALLEL_MIN_TOOLS`),
 * overridden by `options`; the width is the query lane's current concurrency. Every call's run time feeds
 * the model, and every stage's time beyond its calls' the queue's overhead per task.
 *
 * A call with a deadline (its own `timeout`, else its tool's declared `timeout`) is interrupted when it runs
 * past it and ends with `CallTimeout` (the limit named); the deadline covers the call's work, not its wait for
 * a permit, and the lane's timeout stays the outer bound. A deadline that is not a valid duration is a defect
 * of that call, which then does not run.
 *
 * Every task of the turn carries its call's `tool` and `callId` in its events; the plan (a {@link TurnPlan})
 * is published as a `TurnPlanned` event right after the first task's `Submitted`, and logged at Debug level
 * (one line per turn). Neither is built when no one subscribes or logs at Debug.
 *
 * Traced as `Strategy.runTurn` when the application installed a tracer (as the queue's per-task
 * operations are: `Effect.fn`'s span on every call costs about as much as a one-call turn itself).
 *
 * @since 0.1.0
 * @category running
 */
export const runTurn = <A, E, R>(
  queue: LaneQueue.LaneQueue,
  calls: ReadonlyArray<ToolCall>,
  execute: (call: ToolCall) => Effect.Effect<A, E, R>,
  options: RunTurnOptions = {}
): Effect.Effect<Array<Exit.Exit<A, E | CallTimeout | TaskTimeout | TaskCancelled | QueueShutdown>>, never, R> =>
  turn.runTurn(queue, calls, execute, options)
