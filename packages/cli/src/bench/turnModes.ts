/**
 * The ways to run the tool calls of one model turn that the benchmarks and the replay compare: one after the
 * other without a queue, through the session queue in one batch at a query concurrency, and through
 * `Strategy.runTurn` with the default planner or with the cost rule fed by a `LatencyModel`.
 *
 * @since 0.1.0
 */
import { LatencyModel, Strategy } from "effect-lanes"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import type { InvalidArgument } from "../errors.js"
import * as Queues from "./queues.js"

/**
 * The identifier of a mode, as used in JSON output.
 *
 * @since 0.1.0
 * @category models
 */
export type ModeId = "sequential" | "lanes8" | "lanes16" | "strategy" | "costAware"

/**
 * Runs one call of a turn.
 *
 * @since 0.1.0
 * @category models
 */
export type Execute = (call: Strategy.ToolCall) => Effect.Effect<unknown, unknown>

/**
 * One way to run a turn.
 *
 * @since 0.1.0
 * @category models
 */
export interface Mode {
  readonly id: ModeId
  readonly label: string
  /** The most calls running at once; the ideal speed-up of N calls is N / ceil(N / concurrency). */
  readonly concurrency: number
  /** Runs the calls; one `Exit` per call, in call order. */
  readonly run: (calls: ReadonlyArray<Strategy.ToolCall>) => Effect.Effect<ReadonlyArray<Exit.Exit<unknown, unknown>>>
  /** What the mode decides for these calls, e.g. `Parallel 8` or `Sequential`. */
  readonly plan: (calls: ReadonlyArray<Strategy.ToolCall>) => Effect.Effect<string>
}

/**
 * The ideal speed-up of `calls` equal, independent calls at a concurrency: N / ceil(N / c).
 *
 * @since 0.1.0
 * @category math
 */
export const ideal = (calls: number, concurrency: number): number =>
  calls === 0 ? 1 : calls / Math.ceil(calls / Math.max(1, concurrency))

/**
 * Describes a turn's stages: `Parallel 8`, `Sequential`, or stages joined by ` → `.
 *
 * @since 0.1.0
 * @category rendering
 */
export const describeStages = (stages: ReadonlyArray<Strategy.Stage>): string => {
  const parts: Array<{ parallel: number; calls: number }> = []
  for (const stage of stages) {
    const parallel = Strategy.isParallel(stage.plan) ? stage.plan.concurrency : 0
    const last = parts[parts.length - 1]
    // consecutive sequential stages read as one sequential run
    if (parallel === 0 && last !== undefined && last.parallel === 0) last.calls += stage.indices.length
    else parts.push({ parallel, calls: stage.indices.length })
  }
  return parts.length === 0 ?
    "no calls" :
    parts.map((part) => part.parallel > 0 ? `Parallel ${part.parallel} ×${part.calls}` : `Sequential ×${part.calls}`)
      .join(" → ")
}

const sequential = (execute: Execute): Mode => ({
  id: "sequential",
  label: "sequential",
  concurrency: 1,
  run: (calls) => Effect.forEach(calls, (call) => Effect.exit(execute(call))),
  plan: (calls) => Effect.succeed(`Sequential ×${calls.length}`)
})

const lanes = (id: ModeId, concurrency: number, execute: Execute) =>
  Effect.map(Queues.make(`bench-${id}`, { query: { concurrency } }), (queue): Mode => ({
    id,
    label: `lanes, query concurrency ${concurrency}`,
    concurrency,
    run: (calls) =>
      queue.submitBatch("query", calls.map(execute)).pipe(
        Effect.catchAll((error) => Effect.succeed(calls.map(() => Exit.fail(error))))
      ),
    plan: (calls) => Effect.succeed(`Parallel ${Math.min(concurrency, calls.length)} ×${calls.length} (always)`)
  }))

/**
 * A mode running turns through `Strategy.runTurn` on a queue with the default settings, planning with the
 * session's own cost model, or with the given one (both learn from every call).
 *
 * @since 0.1.0
 * @category constructors
 */
export const strategy = (
  id: ModeId,
  execute: Execute,
  latencyModel: LatencyModel.LatencyModel | undefined
): Effect.Effect<Mode, InvalidArgument, Scope.Scope> =>
  Effect.map(Queues.make(`bench-${id}`, {}), (queue): Mode => {
    const model = latencyModel ?? queue.latency
    const concurrency = queue.settings.lanes.query.concurrency
    return {
      id,
      label: latencyModel === undefined ? "Strategy (default)" : "Strategy (own LatencyModel)",
      concurrency,
      run: (calls) => Strategy.runTurn(queue, calls, execute, { latencyModel: model }),
      plan: (calls) =>
        Effect.gen(function*() {
          const estimates = yield* model.estimates(calls)
          const perTaskOverheadMillis = yield* model.overhead
          return describeStages(Strategy.stages(calls, concurrency, { estimates, perTaskOverheadMillis }))
        })
    }
  })

/**
 * The five modes of the turn benchmarks, in display order: sequential, lanes at 8, lanes at 16, default
 * Strategy, cost-aware Strategy (with a fresh `LatencyModel`; warm it with one run before measuring).
 *
 * @since 0.1.0
 * @category constructors
 */
export const all = (execute: Execute): Effect.Effect<ReadonlyArray<Mode>, InvalidArgument, Scope.Scope> =>
  Effect.gen(function*() {
    const model = yield* LatencyModel.make
    return [
      sequential(execute),
      yield* lanes("lanes8", 8, execute),
      yield* lanes("lanes16", 16, execute),
      yield* strategy("strategy", execute, undefined),
      yield* strategy("costAware", execute, model)
    ]
  })

/**
 * The first failure among a turn's exits, described, if any.
 *
 * @since 0.1.0
 * @category accessors
 */
export const firstFailure = (exits: ReadonlyArray<Exit.Exit<unknown, unknown>>): string | undefined => {
  for (const exit of exits) {
    if (Exit.isFailure(exit)) {
      const error = Cause.squash(exit.cause)
      return error instanceof Error ? error.message : String(error)
    }
  }
  return undefined
}
