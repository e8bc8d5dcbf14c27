import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Lane from "../../Lane.js"
import type { QueueShutdown, TaskCancelled, TaskTimeout } from "../../LaneError.js"
import type * as LaneQueue from "../../LaneQueue.js"
import * as LatencyModel from "../../LatencyModel.js"
import type * as Strategy from "../../Strategy.js"
import * as ToolTraits from "../../ToolTraits.js"
import { resourcesOf, specOf } from "./calls.js"
import {
  describeAll,
  factOf,
  type Facts,
  factsOf,
  makespan,
  pick,
  planFacts,
  resolve,
  sequential,
  stagesOf,
  waves
} from "./planner.js"

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

/** @internal A resource with its path made real by `resolvePath` (a path it cannot resolve stays). */
const resolveResource = (
  resolvePath: (path: string) => Effect.Effect<string, unknown>,
  resource: ToolTraits.Resource
): Effect.Effect<ToolTraits.Resource> =>
  Effect.map(
    Effect.orElseSucceed(resolvePath(resource.path), () => resource.path),
    (path): ToolTraits.Resource => ({ path, access: resource.access })
  )

const elapsedMillis = (start: bigint, end: bigint): number => Number(end - start) / 1_000_000

/** @internal Runs one turn; see `Strategy.runTurn`. */
export const runTurn = <A, E, R>(
  queue: LaneQueue.LaneQueue,
  calls: ReadonlyArray<Strategy.ToolCall>,
  execute: (call: Strategy.ToolCall) => Effect.Effect<A, E, R>,
  options: Strategy.RunTurnOptions
): Effect.Effect<Array<CallExit<A, E>>, never, R> =>
  Effect.gen(function*() {
    // another rule set than the session's starts from that rule set's preset, not the session's settings
    const session = options.rules === undefined || options.rules === queue.settings.strategy.rules
      ? queue.settings.strategy
      : {}
    const merged: Strategy.RunTurnOptions = { ...session, ...options }
    const settings = resolve(merged)
    const model = options.latencyModel ?? queue.latency
    const { lanes } = yield* queue.stats
    const described = describeAll(calls, settings)
    const facts = factsOf(calls, merged, settings, described)
    const estimates = merged.estimates ?? (yield* estimatesOf(model, calls, facts, settings.tools))
    const perTaskOverheadMillis = merged.perTaskOverheadMillis ?? (yield* model.overhead)
    const planOptions: Strategy.PlanOptions = { ...merged, estimates, perTaskOverheadMillis }
    const width = lanes.query.concurrency
    const results: Array<CallExit<A, E>> = new Array(calls.length)
    const clock = yield* Effect.clock
    for (const stage of stagesOf(facts, width, planOptions, settings)) {
      const parts = needsRealPaths(stage, facts, merged)
        ? yield* realStages(stage, calls, described, merged, planOptions, settings, width)
        : [stage]
      for (const part of parts) {
        const exits = yield* runStage(queue, part, calls, execute, model, clock)
        exits.forEach((exit, i) => {
          const index = part.indices[i]
          if (index !== undefined) results[index] = exit
        })
      }
    }
    return results
  })

/** Whether a wave holds a write beside other calls, so that symlinks and hard links could hide a conflict. */
const needsRealPaths = (
  stage: Strategy.Stage,
  facts: ReadonlyArray<Facts>,
  options: Strategy.RunTurnOptions
): boolean =>
  options.resolvePath !== undefined && options.parallelWrites === true && stage.kind === "wave" &&
  stage.indices.length > 1 && stage.indices.some((i) => facts[i]?.traits.readOnly === false)

/**
 * A wave split again on real paths, resolved right before it runs (after every earlier stage, so a link made
 * earlier in the turn is seen). Splitting only ever makes waves smaller.
 */
const realStages = (
  stage: Strategy.Stage,
  calls: ReadonlyArray<Strategy.ToolCall>,
  described: ReturnType<typeof describeAll>,
  options: Strategy.RunTurnOptions,
  planOptions: Strategy.PlanOptions,
  settings: Strategy.Options,
  width: number
): Effect.Effect<Array<Strategy.Stage>> => {
  const resolvePath = options.resolvePath
  if (resolvePath === undefined) return Effect.succeed([stage])
  return Effect.map(
    Effect.forEach(stage.indices, (index) => {
      const call = calls[index]
      const entry = described[index]
      if (call === undefined || entry === undefined) return Effect.succeed(undefined)
      const resources = resourcesOf(call, settings.tools, entry.described)
      if (resources === undefined) return Effect.succeed(undefined)
      return Effect.map(
        Effect.forEach(resources, (resource) => resolveResource(resolvePath, resource)),
        (real) => factOf(entry.described, real, options, settings)
      )
    }),
    (maybeFacts) => {
      const own = maybeFacts.map((fact, k) =>
        fact ?? {
          name: calls[stage.indices[k] ?? 0]?.name ?? "",
          lane: stage.lanes[k] ?? "execute",
          traits: ToolTraits.defaults,
          alone: "its files are unknown",
          touches: undefined
        }
      )
      return waves(own).map(({ alone, indices: local }) => {
        const indices = local.flatMap((k) => stage.indices[k] ?? [])
        const lanes = local.flatMap((k) => stage.lanes[k] ?? [])
        const sub = pick(own, local)
        const estimates = planOptions.estimates === undefined ? undefined : pick(planOptions.estimates, indices)
        const plan = alone
          ? sequential(sub[0]?.alone ?? "runs alone")
          : planFacts(sub, width, { ...planOptions, estimates }, settings, false)
        return { kind: alone ? "single" : "wave", lane: lanes[0] ?? "execute", lanes, indices, plan }
      })
    }
  )
}

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
