import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import type * as Lane from "../../Lane.js"
import { CallTimeout, type QueueShutdown, type TaskCancelled, type TaskTimeout } from "../../LaneError.js"
import type * as LaneQueue from "../../LaneQueue.js"
import * as LatencyModel from "../../LatencyModel.js"
import type * as Strategy from "../../Strategy.js"
import * as ToolTraits from "../../ToolTraits.js"
import { type CallTag, withTags } from "../callTags.js"
import { describeError } from "../describeCause.js"
import { taskSpan } from "../taskSpan.js"
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

/** @internal */
export type CallExit<A, E> = Exit.Exit<A, E | CallTimeout | TaskTimeout | TaskCancelled | QueueShutdown>

/**
 * @internal What a call waits for before it is submitted (e.g. its approval), or `undefined` when it waits for
 * nothing. A gate that fails ends the call with that failure, and the call never runs; while a gate waits,
 * its call holds no permit, and the rest of its stage goes on.
 */
export type Gate<E> = (call: Strategy.ToolCall, index: number) => Effect.Effect<void, E> | undefined

/** @internal A turn's outcome: one exit per call, in call order, and the turn's plan (built on first use). */
export interface TurnOutcome<A, E> {
  readonly exits: Array<CallExit<A, E>>
  readonly plan: () => Strategy.TurnPlan
}

/** A call's deadline: none, a duration, or why the one it states is not a duration. */
type Deadline = Duration.Duration | string | undefined

/** A call's own `timeout`, else its tool's; read safely (a throwing getter gives none). */
const deadlineOf = (call: Strategy.ToolCall, tools: ToolTraits.ToolSpecs, name: string): Deadline => {
  let input: unknown
  try {
    input = call.timeout ?? specOf(tools, name)?.timeout
  } catch {
    return undefined
  }
  if (input === undefined) return undefined
  const decoded = Duration.decodeUnknown(input)
  if (Option.isNone(decoded)) {
    return `the timeout of tool ${JSON.stringify(name)} is not a duration: ${describeError(input)}`
  }
  return Duration.isFinite(decoded.value) ? decoded.value : undefined
}

/** A call's ID as a string, read safely. */
const idOf = (call: Strategy.ToolCall, index: number): string => {
  try {
    const id: unknown = call.id
    return typeof id === "string" ? id : String(id)
  } catch {
    return `#${index + 1}`
  }
}

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
  Effect.map(runTurnWith(queue, calls, execute, options), (outcome) => outcome.exits)

const turnSpan = taskSpan("Strategy.runTurn")

/**
 * @internal {@link runTurn}, with gates before calls, returning the turn's plan too; traced as
 * `Strategy.runTurn` when a tracer is installed.
 */
export const runTurnWith = <A, E, R>(
  queue: LaneQueue.LaneQueue,
  calls: ReadonlyArray<Strategy.ToolCall>,
  execute: (call: Strategy.ToolCall) => Effect.Effect<A, E, R>,
  options: Strategy.RunTurnOptions,
  gate?: Gate<E>
): Effect.Effect<TurnOutcome<A, E>, never, R> =>
  turnSpan(planAndRun(queue, calls, execute, options, gate), () => ({
    "effect_lanes.session_id": queue.sessionId,
    "effect_lanes.calls": calls.length
  }))

const planAndRun = <A, E, R>(
  queue: LaneQueue.LaneQueue,
  calls: ReadonlyArray<Strategy.ToolCall>,
  execute: (call: Strategy.ToolCall) => Effect.Effect<A, E, R>,
  options: Strategy.RunTurnOptions,
  gate: Gate<E> | undefined
): Effect.Effect<TurnOutcome<A, E>, never, R> =>
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
    const stages = stagesOf(facts, width, planOptions, settings)
    const tags = calls.map((call, i): CallTag => ({ id: idOf(call, i), name: described[i]?.described.name ?? "" }))
    const deadlines = calls.map((call, i) => deadlineOf(call, settings.tools, tags[i]?.name ?? ""))
    let built: Strategy.TurnPlan | undefined
    const plan = (): Strategy.TurnPlan =>
      built ??= planOf(stages, tags, deadlines, estimates, width, perTaskOverheadMillis)
    const turn: Turn = { tags, deadlines, plan, announced: false }
    yield* logPlan(plan, queue.sessionId)
    for (const stage of stages) {
      const parts = needsRealPaths(stage, facts, merged)
        ? yield* realStages(stage, calls, described, merged, planOptions, settings, width)
        : [stage]
      for (const part of parts) {
        const exits = yield* runStage(queue, part, calls, execute, model, clock, turn, gate)
        exits.forEach((exit, i) => {
          const index = part.indices[i]
          if (index !== undefined) results[index] = exit
        })
      }
    }
    return { exits: results, plan }
  })

/** What the stages of one turn share: each call's tag and deadline, and the plan its first submission announces. */
interface Turn {
  readonly tags: ReadonlyArray<CallTag>
  readonly deadlines: ReadonlyArray<Deadline>
  readonly plan: () => Strategy.TurnPlan
  /** Whether a submission of the turn carried its plan already. */
  announced: boolean
}

/** The plan for the turn's first submission; `undefined` for every later one. */
const announce = (turn: Turn): (() => Strategy.TurnPlan) | undefined => {
  if (turn.announced) return undefined
  turn.announced = true
  return turn.plan
}

const planOf = (
  stages: ReadonlyArray<Strategy.Stage>,
  tags: ReadonlyArray<CallTag>,
  deadlines: ReadonlyArray<Deadline>,
  estimates: ReadonlyArray<number>,
  width: number,
  perTaskOverheadMillis: number
): Strategy.TurnPlan => ({
  stages: stages.map((stage) => ({
    kind: stage.kind,
    plan: stage.plan,
    calls: stage.indices.map((index, k): Strategy.PlannedCall => {
      const tag = tags[index]
      const deadline = deadlines[index]
      const call = {
        id: tag?.id ?? "",
        name: tag?.name ?? "",
        lane: stage.lanes[k] ?? stage.lane,
        estimateMillis: estimates[index] ?? 0
      }
      return Duration.isDuration(deadline) ? { ...call, timeoutMillis: Duration.toMillis(deadline) } : call
    })
  })),
  width,
  perTaskOverheadMillis
})

/** @internal One line for a turn's plan: each stage with its calls (ID, tool, lane, estimate), plan and reason. */
export const formatPlan = (plan: Strategy.TurnPlan): string => {
  const calls = plan.stages.reduce((n, stage) => n + stage.calls.length, 0)
  const stages = plan.stages.map((stage, i) => {
    const which = stage.calls.map((call) => `${call.id} ${call.name}@${call.lane} ~${round(call.estimateMillis)}ms`)
    const how = stage.plan._tag === "Parallel" ? `Parallel(${stage.plan.concurrency})` : "Sequential"
    return `${i + 1}. ${stage.kind} [${which.join(", ")}]: ${how}, ${stage.plan.reason}`
  })
  return `turn of ${calls} call(s) in ${plan.stages.length} stage(s) (width ${plan.width}, overhead ${
    round(plan.perTaskOverheadMillis)
  } ms/task): ${stages.join("; ")}`
}

const round = (millis: number): number => Math.round(millis * 1000) / 1000

/** Logs the plan at Debug level, building it only when the fiber logs at Debug. */
const logPlan = (plan: () => Strategy.TurnPlan, sessionId: string): Effect.Effect<void> =>
  Effect.flatMap(FiberRef.get(FiberRef.currentMinimumLogLevel), (level) =>
    LogLevel.greaterThan(level, LogLevel.Debug)
      ? Effect.void
      : Effect.logDebug(formatPlan(plan())).pipe(Effect.annotateLogs("effect_lanes.session_id", sessionId)))

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
 * time beyond its calls' the queue's overhead per task, in one update at the end of the stage (unless a call of
 * it waited at a gate, whose time is no overhead of the queue's).
 */
const runStage = <A, E, R>(
  queue: LaneQueue.LaneQueue,
  stage: Strategy.Stage,
  calls: ReadonlyArray<Strategy.ToolCall>,
  execute: (call: Strategy.ToolCall) => Effect.Effect<A, E, R>,
  model: LatencyModel.LatencyModel,
  clock: Clock.Clock,
  turn: Turn,
  gate: Gate<E> | undefined
): Effect.Effect<Array<CallExit<A, E>>, never, R> => {
  const count = stage.indices.length
  const samples: Array<readonly [string, number]> = []
  let busy = 0
  let gated = false
  const runs: Array<number> = []
  const entries = stage.indices.flatMap((index, k): Array<Entry<A, E, R>> => {
    const call = calls[index]
    const tag = turn.tags[index]
    if (call === undefined || tag === undefined) return []
    const deadline = turn.deadlines[index]
    const wait = gate?.(call, index)
    if (wait !== undefined) gated = true
    if (typeof deadline === "string") {
      return [{ lane: stage.lanes[k] ?? "execute", tag, wait, task: Effect.dieMessage(`effect-lanes: ${deadline}`) }]
    }
    const task = Effect.suspend(() => {
      const start = clock.unsafeCurrentTimeNanos()
      const work = deadline === undefined ? execute(call) : limited(execute(call), tag, deadline)
      return Effect.onExit(work, (exit) =>
        Effect.sync(() => {
          if (Exit.isInterrupted(exit)) return
          const millis = elapsedMillis(start, clock.unsafeCurrentTimeNanos())
          samples.push([tag.name, millis])
          runs.push(millis)
          busy += millis
        }))
    })
    return [{ lane: stage.lanes[k] ?? "execute", tag, wait, task }]
  })
  const width = stage.plan._tag === "Parallel" ? stage.plan.concurrency : 1
  const run = width > 1
    ? runParallel(queue, entries, turn)
    : runInOrder(queue, entries, turn, stage.kind === "wave")
  return Effect.suspend(() => {
    const start = clock.unsafeCurrentTimeNanos()
    return Effect.tap(run, () => {
      if (samples.length !== count || gated) return model.recordAll(samples)
      const work = width > 1 ? makespan(runs, width) : busy
      const overhead = Math.max(0, (elapsedMillis(start, clock.unsafeCurrentTimeNanos()) - work) / count)
      return Effect.zipRight(model.recordAll(samples), model.recordOverhead(overhead))
    })
  })
}

/** One call of a stage, ready to submit: its lane, its tag, what it waits for first, and its task. */
interface Entry<A, E, R> {
  readonly lane: Lane.Lane
  readonly tag: CallTag
  readonly wait: Effect.Effect<void, E> | undefined
  readonly task: Effect.Effect<A, E | CallTimeout, R>
}

/** The work of a call, interrupted at its deadline with `CallTimeout`. */
const limited = <A, E, R>(
  work: Effect.Effect<A, E, R>,
  tag: CallTag,
  timeout: Duration.Duration
): Effect.Effect<A, E | CallTimeout, R> =>
  Effect.timeoutFail(work, {
    duration: timeout,
    onTimeout: () => new CallTimeout({ callId: tag.id, tool: tag.name, timeout })
  })

/** One call submitted alone (after its gate), with its tag and, if it is the turn's first, the turn's plan. */
const submitOne = <A, E, R>(
  queue: LaneQueue.LaneQueue,
  entry: Entry<A, E, R>,
  turn: Turn
): Effect.Effect<CallExit<A, E>, never, R> => {
  const submit = Effect.suspend(() =>
    Effect.exit(withTags([entry.tag], announce(turn))(queue.submit(entry.lane, entry.task)))
  )
  return entry.wait === undefined
    ? submit
    : Effect.flatMap(
      Effect.exit(entry.wait),
      (waited): Effect.Effect<CallExit<A, E>, never, R> =>
        Exit.isFailure(waited) ? Effect.succeed(Exit.failCause(waited.cause)) : submit
    )
}

/**
 * A sequential stage, call by call. In a wave (calls safe to overlap, run one at a time) a call whose gate is
 * still closed lets the next ready call go first, so that one approval does not hold up its wave.
 */
const runInOrder = <A, E, R>(
  queue: LaneQueue.LaneQueue,
  entries: ReadonlyArray<Entry<A, E, R>>,
  turn: Turn,
  wave: boolean
): Effect.Effect<Array<CallExit<A, E>>, never, R> => {
  if (!wave || entries.every((entry) => entry.wait === undefined)) {
    return Effect.forEach(entries, (entry) => submitOne(queue, entry, turn))
  }
  return Effect.gen(function*() {
    const gates = yield* Effect.forEach(
      entries,
      (entry) => entry.wait === undefined ? Effect.succeed(undefined) : Effect.fork(Effect.exit(entry.wait))
    )
    const out: Array<CallExit<A, E>> = new Array(entries.length)
    const left = entries.map((_, i) => i)
    while (left.length > 0) {
      const k = left.findIndex((i) => gates[i] === undefined || gates[i]?.unsafePoll() !== null)
      if (k < 0) {
        yield* Effect.raceAll(left.flatMap((i) => gates[i] ?? []).map(Fiber.await))
        continue
      }
      const [i = 0] = left.splice(k, 1)
      const entry = entries[i]
      if (entry === undefined) continue
      const gate = gates[i]
      const waited = gate === undefined ? Exit.void : yield* Fiber.join(gate)
      out[i] = Exit.isFailure(waited)
        ? Exit.failCause(waited.cause)
        : yield* submitOne(queue, { ...entry, wait: undefined }, turn)
    }
    return out
  })
}

/**
 * A parallel stage: the calls that wait for nothing go to their lanes at once, one `submitBatch` per lane;
 * each gated call is submitted on its own once its gate opens, while the rest of the stage runs.
 */
const runParallel = <A, E, R>(
  queue: LaneQueue.LaneQueue,
  entries: ReadonlyArray<Entry<A, E, R>>,
  turn: Turn
): Effect.Effect<Array<CallExit<A, E>>, never, R> => {
  const byLane = new Map<Lane.Lane, Array<number>>()
  const later: Array<number> = []
  entries.forEach((entry, i) => {
    if (entry.wait !== undefined) return later.push(i)
    const group = byLane.get(entry.lane)
    if (group === undefined) byLane.set(entry.lane, [i])
    else group.push(i)
  })
  const batch = (lane: Lane.Lane, indices: ReadonlyArray<number>) =>
    Effect.suspend(() => {
      const own = indices.flatMap((i) => entries[i] ?? [])
      return withTags(own.map((entry) => entry.tag), announce(turn))(
        queue.submitBatch(lane, own.map((entry) => entry.task))
      ).pipe(
        Effect.catchAll((shutdown) => Effect.succeed(own.map((): CallExit<A, E> => Exit.fail(shutdown))))
      )
    })
  if (byLane.size === 1 && later.length === 0) {
    const [lane] = byLane.keys()
    return batch(lane ?? "execute", entries.map((_, i) => i))
  }
  const groups = Array.from(byLane)
  const alone = later.map((i) => {
    const entry = entries[i]
    return entry === undefined ? Effect.succeed([]) : Effect.map(submitOne(queue, entry, turn), (exit) => [exit])
  })
  return Effect.map(
    Effect.all([...groups.map(([lane, indices]) => batch(lane, indices)), ...alone], { concurrency: "unbounded" }),
    (exits) => {
      const out: Array<CallExit<A, E>> = new Array(entries.length)
      const positions = [...groups.map(([, indices]) => indices), ...later.map((i) => [i])]
      positions.forEach((indices, g) =>
        indices.forEach((i, k) => {
          const exit = exits[g]?.[k]
          if (exit !== undefined) out[i] = exit
        })
      )
      return out
    }
  )
}
