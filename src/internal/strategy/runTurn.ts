import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Lane from "../../Lane.js"
import type { QueueShutdown, TaskCancelled, TaskTimeout } from "../../LaneError.js"
import type * as LaneQueue from "../../LaneQueue.js"
import * as LatencyModel from "../../LatencyModel.js"
import type * as Strategy from "../../Strategy.js"
import type * as ToolTraits from "../../ToolTraits.js"
import { resourcesOf, specOf, traitsOf } from "./calls.js"
import { type Facts, factsOf, makespan, resolve, stagesOf } from "./planner.js"

/** @internal */
export const priors = {
  /** Upstream: ten network fetches took about 17 s in order (seed report, "Upstream results"). */
  openWorldMillis: 1700,
  /** A local read-only call; local reads measure well under 1 ms, a glob of a large tree ~100 ms. */
  localMillis: 1
} as const

type CallExit<A, E> = Exit.Exit<A, E | TaskTimeout | TaskCancelled | QueueShutdown>

/** @internal The expected latency of each call: learned, else declared, else the prior of its traits. */
const estimatesOf = (
  model: LatencyModel.LatencyModel,
  calls: ReadonlyArray<Strategy.ToolCall>,
  facts: ReadonlyArray<Facts>,
  tools: ToolTraits.ToolSpecs
): Effect.Effect<Array<number>> =>
  Effect.map(model.snapshot, (learned) =>
    calls.map((call, i) => {
      const known = learned.get(call.name)
      if (known !== undefined) return known
      const declared = specOf(tools, call.name)?.latencyMillis
      if (declared !== undefined && LatencyModel.isValidSample(declared)) return declared
      return facts[i]?.traits.openWorld === true ? priors.openWorldMillis : priors.localMillis
    }))

/** @internal Each call's resources with paths made real by `resolvePath` (a path it cannot resolve stays). */
const resolveResources = (
  calls: ReadonlyArray<Strategy.ToolCall>,
  tools: ToolTraits.ToolSpecs,
  resolvePath: (path: string) => Effect.Effect<string, unknown>
): Effect.Effect<Array<ReadonlyArray<ToolTraits.Resource> | undefined>> =>
  Effect.forEach(calls, (call) => {
    const resources = resourcesOf(call, tools, traitsOf(call, tools))
    if (resources === undefined) return Effect.succeed(undefined)
    return Effect.forEach(resources, (resource) =>
      Effect.map(
        Effect.orElseSucceed(resolvePath(resource.path), () => resource.path),
        (path): ToolTraits.Resource => ({ path, access: resource.access })
      ))
  })

const elapsedMillis = (start: bigint, end: bigint): number => Number(end - start) / 1_000_000

/** @internal Runs one turn; see `Strategy.runTurn`. */
export const runTurn = <A, E, R>(
  queue: LaneQueue.LaneQueue,
  calls: ReadonlyArray<Strategy.ToolCall>,
  execute: (call: Strategy.ToolCall) => Effect.Effect<A, E, R>,
  options: Strategy.RunTurnOptions
): Effect.Effect<Array<CallExit<A, E>>, never, R> =>
  Effect.gen(function*() {
    const merged: Strategy.RunTurnOptions = { ...queue.settings.strategy, ...options }
    const settings = resolve(merged)
    const model = options.latencyModel ?? queue.latency
    const { lanes } = yield* queue.stats
    const pure = factsOf(calls, merged, settings)
    // real paths matter only where a write may share a wave: with parallelWrites, a call that may overlap
    // others and is not read-only
    const facts = merged.resolvePath !== undefined && merged.parallelWrites === true &&
        pure.some((fact) => fact.alone === undefined && !fact.traits.readOnly)
      ? factsOf(calls, merged, settings, yield* resolveResources(calls, settings.tools, merged.resolvePath))
      : pure
    const estimates = merged.estimates ?? (yield* estimatesOf(model, calls, facts, settings.tools))
    const perTaskOverheadMillis = merged.perTaskOverheadMillis ?? (yield* model.overhead)
    const planned = stagesOf(facts, lanes.query.concurrency, { ...merged, estimates, perTaskOverheadMillis }, settings)
    const results: Array<CallExit<A, E>> = new Array(calls.length)
    const clock = yield* Effect.clock
    for (const stage of planned) {
      const exits = yield* runStage(queue, stage, calls, execute, model, clock)
      exits.forEach((exit, i) => {
        const index = stage.indices[i]
        if (index !== undefined) results[index] = exit
      })
    }
    return results
  })

/**
 * @internal Runs one stage: a parallel one as one `submitBatch` per lane, a sequential one call by call.
 * Every call's run time (the live `Clock`, read without an effect per call) feeds the model, and the stage's
 * time beyond its calls' the queue's overhead per task, in one update at the end of the stage.
 */
const runStage = <A, E, R>(
  queue: LaneQueue.LaneQueue,
  stage: Strategy.Stage,
  calls: ReadonlyArray<Strategy.ToolCall>,
  execute: (call: Strategy.ToolCall) => Effect.Effect<A, E, R>,
  model: LatencyModel.LatencyModel,
  clock: Clock.Clock
): Effect.Effect<Array<CallExit<A, E>>, never, R> => {
  const count = stage.indices.length
  const samples: Array<readonly [string, number]> = []
  let busy = 0
  const runs: Array<number> = []
  const tasks = stage.indices.flatMap((index) => {
    const call = calls[index]
    if (call === undefined) return []
    return [Effect.suspend(() => {
      const start = clock.unsafeCurrentTimeNanos()
      return Effect.onExit(execute(call), (exit) =>
        Effect.sync(() => {
          if (Exit.isInterrupted(exit)) return
          const millis = elapsedMillis(start, clock.unsafeCurrentTimeNanos())
          samples.push([call.name, millis])
          runs.push(millis)
          busy += millis
        }))
    })]
  })
  const width = stage.plan._tag === "Parallel" ? stage.plan.concurrency : 1
  const run = width > 1 ? runParallel(queue, stage.lanes, tasks) : runInOrder(queue, stage.lanes, tasks)
  return Effect.suspend(() => {
    const start = clock.unsafeCurrentTimeNanos()
    return Effect.tap(run, () => {
      if (samples.length !== count) return model.recordAll(samples)
      const work = width > 1 ? makespan(runs, width) : busy
      const overhead = Math.max(0, (elapsedMillis(start, clock.unsafeCurrentTimeNanos()) - work) / count)
      return Effect.zipRight(model.recordAll(samples), model.recordOverhead(overhead))
    })
  })
}

const runInOrder = <A, E, R>(
  queue: LaneQueue.LaneQueue,
  lanes: ReadonlyArray<Lane.Lane>,
  tasks: ReadonlyArray<Effect.Effect<A, E, R>>
): Effect.Effect<Array<CallExit<A, E>>, never, R> =>
  Effect.forEach(tasks, (task, i) => Effect.exit(queue.submit(lanes[i] ?? "execute", task)))

const runParallel = <A, E, R>(
  queue: LaneQueue.LaneQueue,
  lanes: ReadonlyArray<Lane.Lane>,
  tasks: ReadonlyArray<Effect.Effect<A, E, R>>
): Effect.Effect<Array<CallExit<A, E>>, never, R> => {
  const byLane = new Map<Lane.Lane, Array<number>>()
  lanes.forEach((lane, i) => {
    const group = byLane.get(lane)
    if (group === undefined) byLane.set(lane, [i])
    else group.push(i)
  })
  const batch = (lane: Lane.Lane, indices: ReadonlyArray<number>) => {
    const own = indices.flatMap((i) => tasks[i] ?? [])
    return queue.submitBatch(lane, own).pipe(
      Effect.catchAll((shutdown) => Effect.succeed(own.map((): CallExit<A, E> => Exit.fail(shutdown))))
    )
  }
  if (byLane.size === 1) {
    const [lane] = byLane.keys()
    return batch(lane ?? "execute", tasks.map((_, i) => i))
  }
  const groups = Array.from(byLane)
  return Effect.map(
    Effect.forEach(groups, ([lane, indices]) => batch(lane, indices), { concurrency: "unbounded" }),
    (exits) => {
      const out: Array<CallExit<A, E>> = new Array(tasks.length)
      groups.forEach(([, indices], g) =>
        indices.forEach((i, k) => {
          const exit = exits[g]?.[k]
          if (exit !== undefined) out[i] = exit
        })
      )
      return out
    }
  )
}
