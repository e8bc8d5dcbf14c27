import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Lane from "../Lane.js"
import type { QueueShutdown, TaskCancelled, TaskTimeout } from "../LaneError.js"
import type * as LaneQueue from "../LaneQueue.js"
import type * as LatencyModel from "../LatencyModel.js"
import type * as Strategy from "../Strategy.js"

/** Tools whose consecutive calls may run together when they touch distinct paths. */
const writeTools: ReadonlySet<string> = new Set(["write", "edit"])

const pathOf = (call: Strategy.ToolCall): string | undefined =>
  typeof call.args === "object" && call.args !== null && "path" in call.args && typeof call.args.path === "string"
    ? call.args.path
    : undefined

/** Splits a turn into groups in call order, before any planning. */
export const split = (
  calls: ReadonlyArray<Strategy.ToolCall>,
  parallelWrites: boolean
): Array<{ readonly kind: Strategy.StageKind; readonly lane: Lane.Lane; readonly indices: Array<number> }> => {
  const groups: Array<{ kind: Strategy.StageKind; lane: Lane.Lane; indices: Array<number> }> = []
  let paths = new Set<string>()
  calls.forEach((call, index) => {
    const lane = Lane.fromTool(call.name)
    const last = groups[groups.length - 1]
    if (lane === "query") {
      if (last?.kind === "query") last.indices.push(index)
      else groups.push({ kind: "query", lane, indices: [index] })
      return
    }
    const path = pathOf(call)
    if (parallelWrites && writeTools.has(call.name) && path !== undefined) {
      if (last?.kind === "writes" && !paths.has(path)) {
        last.indices.push(index)
      } else {
        paths = new Set()
        groups.push({ kind: "writes", lane, indices: [index] })
      }
      paths.add(path)
      return
    }
    groups.push({ kind: "single", lane, indices: [index] })
  })
  return groups
}

/** The estimates of a group's calls, from estimates aligned with the whole turn. */
export const sliceEstimates = (estimates: ReadonlyArray<number> | undefined, indices: ReadonlyArray<number>) => {
  if (estimates === undefined) return undefined
  const slice: Array<number> = []
  for (const index of indices) {
    const estimate = estimates[index]
    if (estimate === undefined) return undefined
    slice.push(estimate)
  }
  return slice
}

/** The calls at the given positions. */
export const callsAt = (calls: ReadonlyArray<Strategy.ToolCall>, indices: ReadonlyArray<number>) =>
  indices.flatMap((index) => calls[index] ?? [])

/** Plans one group: query groups by `plan`, write groups in parallel, single calls trivially. */
export const planStage = (
  plan: typeof Strategy.plan,
  group: ReturnType<typeof split>[number],
  calls: ReadonlyArray<Strategy.ToolCall>,
  concurrency: number,
  options: Strategy.PlanOptions,
  estimates: ReadonlyArray<number> | undefined
): Strategy.Stage => {
  if (group.kind === "query") {
    const { estimates: _turnEstimates, ...rest } = options
    const stagePlan = plan(
      callsAt(calls, group.indices),
      concurrency,
      estimates === undefined ? rest : {
        ...rest,
        estimates
      }
    )
    return { ...group, plan: stagePlan }
  }
  if (group.kind === "writes" && group.indices.length > 1) {
    return {
      ...group,
      plan: {
        _tag: "Parallel",
        concurrency: Math.min(concurrency, group.indices.length),
        reason: `${group.indices.length} writes to distinct paths`
      }
    }
  }
  return { ...group, plan: { _tag: "Sequential", reason: `${group.lane}-lane call runs alone` } }
}

type CallExit<A, E> = Exit.Exit<A, E | TaskTimeout | TaskCancelled | QueueShutdown>

/** Runs one planned stage through the queue; one `Exit` per call of the stage, in stage order. */
export const runStage = <A, E, R>(
  queue: LaneQueue.LaneQueue,
  stage: Strategy.Stage,
  calls: ReadonlyArray<Strategy.ToolCall>,
  execute: (call: Strategy.ToolCall) => Effect.Effect<A, E, R>,
  /** The lane's current concurrency: a stage at least as wide goes in one `submitBatch`. */
  laneConcurrency: number
): Effect.Effect<Array<CallExit<A, E>>, never, R> => {
  const tasks = callsAt(calls, stage.indices).map(execute)
  const width = stage.plan._tag === "Parallel" ? stage.plan.concurrency : 1
  if (width > 1 && width >= laneConcurrency) {
    return queue.submitBatch(stage.lane, tasks).pipe(
      Effect.catchAll((shutdown) => Effect.succeed(tasks.map(() => Exit.fail(shutdown))))
    )
  }
  return Effect.forEach(tasks, (task) => Effect.exit(queue.submit(stage.lane, task)), { concurrency: width })
}

/** Wraps `execute` so that every call's run time feeds the latency model. */
export const measured = <A, E, R>(
  model: LatencyModel.LatencyModel | undefined,
  execute: (call: Strategy.ToolCall) => Effect.Effect<A, E, R>
) => model === undefined ? execute : (call: Strategy.ToolCall) => model.measure(call.name, execute(call))
