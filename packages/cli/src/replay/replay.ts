/**
 * The replay: the tool calls of a recorded conversation run turn by turn, sequentially and through the lanes
 * with `Strategy.runTurn`, interleaved run by run, and an honest report of it (see `report.ts`).
 *
 * Two modes. With recorded durations (`useRecordedLatency`), the calls are simulated: each takes its recorded
 * time (a call without one, none, and it is counted) on a virtual clock (`simulation.ts`), the real planner and
 * lanes scheduling them, so a day-long session replays in seconds with exact figures and no checkout is needed.
 * Otherwise the calls run for real over a directory: query-lane calls on the directory itself, and, when the
 * trace has calls of other lanes, every run on its own fresh scratch copy. `bash` calls run only with `runBash`:
 * a call the agent started in the background is started and not waited for (it is stopped when the run ends),
 * and a non-zero exit is a failed call.
 *
 * A speed-up is given only for the turns the Strategy runs in parallel (the others run the same way twice); for
 * turns whose every call has a recorded duration, the report also gives the oracle (the best plan given those
 * durations) and the default Strategy's regret against it. A file holding several sessions replays each.
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Lane, type LaneQueue, Strategy } from "effect-lanes"
import { Tools } from "effect-lanes/tools"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Measure from "../bench/measure.js"
import * as Queues from "../bench/queues.js"
import { summarize, type Summary } from "../bench/stats.js"
import * as TurnModes from "../bench/turnModes.js"
import { BenchFailed, type InvalidArgument, type TraceUnreadable, type UnknownTraceFormat } from "../errors.js"
import * as Progress from "../render/progress.js"
import { CommandFailed } from "./errors.js"
import * as Model from "./model.js"
import * as Oracle from "./oracle.js"
import * as Prepare from "./prepare.js"
import * as Scratch from "./scratch.js"
import * as Simulation from "./simulation.js"
import * as Trace from "./trace.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly trace: string
  /** The directory the calls run over (not used in simulated time). */
  readonly dir: string
  /** The project root the agent worked in, when the trace records none or another (`--root`). */
  readonly root?: string | undefined
  readonly format: Model.Format | "auto"
  readonly runs: number
  /** The query lane's concurrency for the lanes run. */
  readonly concurrency: number
  /** Latency injected before every executed call (0 for none). */
  readonly latency: Duration.Duration
  /** Simulate every call with its recorded duration on a virtual clock. */
  readonly useRecordedLatency: boolean
  readonly runBash: boolean
  /** The Strategy's `minToolCount` (`LANES_PARALLEL_MIN_TOOLS`); the default when absent. */
  readonly parallelMinTools?: number | undefined
}

/**
 * One turn's figures.
 *
 * @since 0.1.0
 * @category models
 */
export interface TurnRow {
  readonly turn: number
  /** The subagent the turn belongs to, `null` for the main conversation. */
  readonly agent: string | null
  readonly calls: number
  readonly tools: string
  readonly plan: string
  /** The Strategy runs some of the turn's calls together. */
  readonly parallel: boolean
  readonly sequentialMillis: Summary
  readonly lanesMillis: Summary
  /** Sequential median / lanes median, only for parallel turns (`null` otherwise). */
  readonly speedup: number | null
  /** Calls run for real in under {@link noiseFloorMillis} in all: the ratio is noise, not a speed-up. */
  readonly noise: boolean
  /** From the recorded durations, when every call of the turn has one. */
  readonly recorded: Oracle.Analysis | null
}

/**
 * A turn whose calls, run for real, take less than this in all (sequential median, milliseconds) measures
 * scheduling noise rather than the calls: 1 ms, below which the ratios of local reads were seen anywhere from
 * 0.03x to 10x across runs.
 *
 * @since 0.1.0
 * @category constants
 */
export const noiseFloorMillis = 1

/**
 * More than this share of the replayed calls failing means the replay is not the recorded session's: a
 * fifth.
 *
 * @since 0.1.0
 * @category constants
 */
export const failureWarningShare = 0.2

/**
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly trace: string
  /** Which session of the file this is, when it holds several; `null` otherwise. */
  readonly session: string | null
  readonly format: Model.Format
  readonly container: "json" | "jsonl"
  /** The calls ran on a virtual clock with their recorded durations (nothing ran for real). */
  readonly simulated: boolean
  /** The directory the calls ran over (`null` in simulated time). */
  readonly directory: string | null
  readonly scratchCopy: boolean
  /** Links in the directory pointing outside it, left out of the scratch copy. */
  readonly linksLeftOut: number
  readonly recordedRoot: string | null
  readonly recordedRootSource: "given" | "stated" | "learnt" | "common" | null
  readonly subagents: ReadonlyArray<string>
  readonly runs: number
  /** The Strategy's minToolCount the turns were planned with. */
  readonly parallelMinTools: number
  /** Tool calls in the trace, and how many were replayed. */
  readonly recordedCalls: number
  readonly replayedCalls: number
  /** The model responses with tool calls in the trace. */
  readonly responses: number
  /** How many responses made 1, 2, 3, ... calls (keys are the call counts). */
  readonly callsPerResponse: Readonly<Record<string, number>>
  /** Responses with several replayed calls: those whose plan the Strategy could change. */
  readonly changeableResponses: number
  /** changeableResponses / responses (`null` without responses). */
  readonly changeableShare: number | null
  readonly turns: ReadonlyArray<TurnRow>
  readonly parallelTurns: number
  readonly largestTurn: number
  /** Over the parallel turns only (`null` when there are none). */
  readonly parallelSequentialMillis: number | null
  readonly parallelLanesMillis: number | null
  readonly speedup: number | null
  /** Every parallel turn is under the noise floor: the speed-up is noise. */
  readonly speedupIsNoise: boolean
  readonly totalSequentialMillis: number
  readonly totalLanesMillis: number
  /** Over the turns with recorded durations (`null` when there are none). */
  readonly recorded: {
    readonly turns: number
    readonly strategyMillis: number
    readonly oracleMillis: number
    readonly regretMillis: number
    readonly turnsWithRegret: number
  } | null
  /** Replayed calls without a recorded duration (in simulated time they took none), by reason. */
  readonly callsWithoutDuration: number
  readonly withoutDuration: ReadonlyArray<Prepare.SkipCount>
  /** Where the recorded durations of the replayed calls come from. */
  readonly durationSources: ReadonlyArray<{ readonly source: string; readonly count: number }>
  readonly failedCalls: number
  readonly firstFailure: string | null
  readonly skipped: ReadonlyArray<Prepare.SkipCount>
  /** Warnings about the replay's validity (too many failed calls, ...). */
  readonly warnings: ReadonlyArray<string>
  /** The virtual time the simulated replay took, all runs included (`null` when not simulated). */
  readonly virtualMillis: number | null
  /** The real time this session's replay took, in milliseconds. */
  readonly replayMillis: number
}

type Step = Prepare.ReplayCall["mapped"]["steps"][number]

/** Runs one step on the built-in tools; a `splice` reads the file, replaces or inserts its lines, writes it. */
const runStep = (tools: Tools.Service, id: string, step: Step): Effect.Effect<void, unknown> => {
  const args = step.args
  switch (step.tool) {
    case "bash":
      return Effect.flatMap(
        tools.bash({
          command: String(args["command"] ?? ""),
          ...("timeout" in args ? { timeout: Number(args["timeout"]) } : {})
        }),
        (result) =>
          result.exitCode === 0
            ? Effect.void
            : Effect.fail(
              new CommandFailed({
                command: String(args["command"] ?? ""),
                exitCode: result.exitCode,
                stderr: result.stderr
              })
            )
      )
    case "splice": {
      const path = String(args["path"])
      return Effect.flatMap(tools.read({ path }), (content) => {
        const lines = content.split("\n")
        // a file ending in a new line has an empty last "line", after which nothing goes
        const last = lines.length - (lines[lines.length - 1] === "" ? 1 : 0)
        const at = args["at"] === null ? last : Math.min(Number(args["at"]), last)
        lines.splice(at, Number(args["remove"]), ...String(args["text"]).split("\n"))
        return Effect.asVoid(tools.write({ path, content: lines.join("\n") }))
      })
    }
    default:
      return Effect.asVoid(tools.run({ id, name: step.tool, args }))
  }
}

type Execute = (call: Strategy.ToolCall) => Effect.Effect<unknown, unknown>

/** Each call sleeps for its recorded duration (none when it has none, or ran in the background). */
const simulated = (calls: ReadonlyMap<string, Prepare.ReplayCall>): Execute => (call) => {
  const replay = calls.get(call.id)
  if (replay === undefined || replay.background) return Effect.void
  return Effect.sleep(Duration.millis(Option.getOrElse(replay.recordedMillis, () => 0)))
}

/** Each call runs its steps on the tools (after the injected latency), a background one forked into `scope`. */
const executed = (
  tools: Tools.Service,
  scope: Scope.Scope,
  calls: ReadonlyMap<string, Prepare.ReplayCall>,
  latency: Duration.Duration
): Execute => {
  const wait = Duration.toMillis(latency) > 0 ? Effect.sleep(latency) : Effect.void
  return (call) => {
    const replay = calls.get(call.id)
    if (replay === undefined) return Effect.void
    const run = Effect.zipRight(
      wait,
      Effect.forEach(replay.mapped.steps, (step) => runStep(tools, call.id, step), { discard: true })
    )
    return replay.background ? Effect.asVoid(Effect.forkIn(run, scope)) : run
  }
}

const isParallel = (stages: ReadonlyArray<Strategy.Stage>): boolean =>
  stages.some((stage) => stage.indices.length > 1 && Strategy.concurrency(stage.plan) > 1)

const sum = (values: ReadonlyArray<number>): number => values.reduce((total, value) => total + value, 0)

/** What the timed runs give: per-turn samples, failures, and the turns' rows. */
interface Measured {
  readonly rows: ReadonlyArray<TurnRow>
  readonly failedCalls: number
  readonly firstFailure: string | null
  readonly minToolCount: number
}

/**
 * Times every turn in both modes over `1 + runs` passes (the first a warm-up), the mode that goes first
 * alternating, and computes the rows with the plan the session makes after them. `executor` gives a pass its
 * way to run calls (a fresh scratch copy, or the simulation).
 */
const measure = <R>(
  turns: ReadonlyArray<Prepare.ReplayTurn>,
  options: Options,
  executor: Effect.Effect<Execute, BenchFailed, Scope.Scope | R>,
  noisy: boolean
): Effect.Effect<Measured, BenchFailed | InvalidArgument, Progress.Progress | Exclude<R, Scope.Scope>> =>
  Effect.scoped(Effect.gen(function*() {
    const queue: LaneQueue.LaneQueue = yield* Queues.make("replay", {
      query: { concurrency: options.concurrency },
      parallelMinTools: options.parallelMinTools
    })
    const minToolCount = queue.settings.strategy.minToolCount
    // the built-in tools' declarations: traits per tool, bash read-only when its command only reads
    const planning: Strategy.RunTurnOptions = { tools: Tools.specs }
    const samples = turns.map(() => ({ sequential: new Array<number>(), lanes: new Array<number>() }))
    let failedCalls = 0
    let firstFailure: string | null = null
    const passes = turns.length === 0 ? 0 : 1 + options.runs
    for (let pass = 0; pass < passes; pass++) {
      const order: ReadonlyArray<"sequential" | "lanes"> = pass % 2 === 0
        ? ["sequential", "lanes"]
        : ["lanes", "sequential"]
      for (const mode of order) {
        yield* Progress.update(
          `replay: ${mode} (${pass === 0 ? "warm-up" : `run ${pass}/${options.runs}`})`,
          pass * 2 + (mode === order[0] ? 0 : 1),
          passes * 2
        )
        yield* Effect.scoped(Effect.gen(function*() {
          const execute = yield* executor
          for (const [t, turn] of turns.entries()) {
            const calls = turn.calls.map(Prepare.toolCall)
            const [millis, exits] = yield* Measure.timed(
              mode === "sequential"
                ? Effect.forEach(calls, (call) => Effect.exit(execute(call)))
                : Strategy.runTurn(queue, calls, execute, planning)
            )
            if (pass > 0 && mode === "sequential") {
              failedCalls += exits.filter(Exit.isFailure).length
              firstFailure ??= TurnModes.firstFailure(exits) ?? null
            }
            if (pass > 0) samples[t]?.[mode].push(millis)
          }
        }))
      }
    }
    const rows = yield* Effect.forEach(turns, (turn, t) =>
      Effect.gen(function*() {
        const calls = turn.calls.map(Prepare.toolCall)
        // the plan the session makes now, with the latencies it learnt over the runs
        const planned: Strategy.TurnOptions = {
          ...planning,
          minToolCount,
          estimates: yield* queue.latency.estimates(calls),
          perTaskOverheadMillis: yield* queue.latency.overhead
        }
        const stages = Strategy.stages(calls, options.concurrency, planned)
        const parallel = isParallel(stages)
        const sequentialMillis = summarize(samples[t]?.sequential ?? [])
        const lanesMillis = summarize(samples[t]?.lanes ?? [])
        const durations = turn.calls.map((call) => call.background ? Option.some(0) : call.recordedMillis)
        const recorded = Option.match(Option.all(durations), {
          onNone: () => null,
          onSome: (all) => Oracle.analyse(calls, all, options.concurrency, planned)
        })
        const row: TurnRow = {
          turn: turn.index,
          agent: turn.agent,
          calls: calls.length,
          tools: Prepare.describeTools(turn.calls),
          plan: TurnModes.describeStages(stages),
          parallel,
          sequentialMillis,
          lanesMillis,
          speedup: parallel ? sequentialMillis.median / lanesMillis.median : null,
          noise: noisy && sequentialMillis.median < noiseFloorMillis,
          recorded
        }
        return row
      }))
    return { rows, failedCalls: Math.round(failedCalls / Math.max(1, options.runs)), firstFailure, minToolCount }
  }))

/** The largest virtual time a simulated replay may take: twice its recorded time per pass, plus an hour. */
const virtualBound = (turns: ReadonlyArray<Prepare.ReplayTurn>, runs: number): number =>
  (1 + runs) * 2 * (sum(turns.flatMap((turn) => turn.calls.map((c) => Option.getOrElse(c.recordedMillis, () => 0)))) +
    3_600_000)

/** Replays one session (trace) of the file. */
const replayTrace = (
  trace: Model.Trace,
  options: Options
): Effect.Effect<
  Result,
  BenchFailed | InvalidArgument,
  FileSystem.FileSystem | Path.Path | CommandExecutor.CommandExecutor | Progress.Progress
> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const simulate = options.useRecordedLatency
    const prepared = yield* Prepare.prepare(trace, {
      dir: simulate ? Option.none() : Option.some(options.dir),
      root: Option.fromNullable(options.root),
      simulate,
      runBash: options.runBash
    })
    const { turns } = prepared
    const byId = new Map(turns.flatMap((turn) => turn.calls.map((call) => [call.id, call] as const)))
    const scratch = !simulate &&
      turns.some((turn) => turn.calls.some((call) => Lane.fromTool(call.mapped.tool) !== "query"))
    const listing = scratch ? yield* Scratch.list(options.dir) : { files: [], linksOut: 0 }
    const workspaceTools = (root: string) =>
      Tools.make({ root }).pipe(
        Effect.mapError((error) => new BenchFailed({ scenario: "replay", reason: error.message }))
      )
    let virtualMillis: number | null = null
    let measured: Measured
    if (simulate) {
      const [result, virtual] = yield* Simulation.run(
        measure(turns, options, Effect.succeed(simulated(byId)), false),
        virtualBound(turns, options.runs)
      ).pipe(Effect.catchTag("Stalled", (error) => new BenchFailed({ scenario: "replay", reason: error.message })))
      measured = result
      virtualMillis = virtual
    } else {
      const shared = scratch ? Option.none() : Option.some(yield* workspaceTools(options.dir))
      const executor = Effect.gen(function*() {
        const tools = Option.isSome(shared)
          ? shared.value
          : yield* Effect.flatMap(Scratch.copy(options.dir, listing), workspaceTools)
        return executed(tools, yield* Effect.scope, byId, options.latency)
      })
      measured = yield* measure(turns, options, executor, true)
    }
    const { failedCalls, firstFailure, minToolCount, rows } = measured
    const parallelRows = rows.filter((row) => row.parallel)
    const parallelSequential = sum(parallelRows.map((row) => row.sequentialMillis.median))
    const parallelLanes = sum(parallelRows.map((row) => row.lanesMillis.median))
    const withRecorded = rows.flatMap((row) => row.recorded === null ? [] : [row.recorded])
    const histogram: Record<string, number> = {}
    for (const turn of trace.turns) histogram[turn.calls.length] = (histogram[turn.calls.length] ?? 0) + 1
    const changeable = rows.filter((row) => row.calls > 1).length
    const replayedCalls = sum(rows.map((row) => row.calls))
    const warnings = !simulate && replayedCalls > 0 && failedCalls > failureWarningShare * replayedCalls
      ? [
        `${failedCalls} of ${replayedCalls} replayed calls failed in each run (${
          Math.round(100 * failedCalls / replayedCalls)
        }%): is --dir the recorded project?${
          Option.match(prepared.prefix, { onNone: () => "", onSome: (root) => ` Paths were rebased from ${root}.` })
        }`
      ]
      : []
    const finished = yield* Clock.currentTimeMillis
    return {
      trace: options.trace,
      session: trace.session,
      format: trace.format,
      container: trace.container,
      simulated: simulate,
      directory: simulate ? null : options.dir,
      scratchCopy: scratch,
      linksLeftOut: listing.linksOut,
      recordedRoot: Option.getOrNull(prepared.prefix),
      recordedRootSource: prepared.rootSource,
      subagents: trace.subagents,
      runs: options.runs,
      parallelMinTools: minToolCount,
      recordedCalls: prepared.calls,
      replayedCalls,
      responses: trace.turns.length,
      callsPerResponse: histogram,
      changeableResponses: changeable,
      changeableShare: trace.turns.length === 0 ? null : changeable / trace.turns.length,
      turns: rows,
      parallelTurns: parallelRows.length,
      largestTurn: Math.max(0, ...trace.turns.map((turn) => turn.calls.length)),
      parallelSequentialMillis: parallelRows.length === 0 ? null : parallelSequential,
      parallelLanesMillis: parallelRows.length === 0 ? null : parallelLanes,
      speedup: parallelRows.length === 0 ? null : parallelSequential / parallelLanes,
      speedupIsNoise: parallelRows.length > 0 && parallelRows.every((row) => row.noise),
      totalSequentialMillis: sum(rows.map((row) => row.sequentialMillis.median)),
      totalLanesMillis: sum(rows.map((row) => row.lanesMillis.median)),
      recorded: withRecorded.length === 0 ? null : {
        turns: withRecorded.length,
        strategyMillis: sum(withRecorded.map((r) => r.strategyMillis)),
        oracleMillis: sum(withRecorded.map((r) => r.oracleMillis)),
        regretMillis: sum(withRecorded.map((r) => r.regretMillis)),
        turnsWithRegret: withRecorded.filter((r) => r.regretMillis > 0).length
      },
      callsWithoutDuration: sum(prepared.withoutDuration.map((skip) => skip.count)),
      withoutDuration: prepared.withoutDuration,
      durationSources: prepared.durationSources,
      failedCalls,
      firstFailure,
      skipped: prepared.skipped,
      warnings,
      virtualMillis,
      replayMillis: finished - started
    }
  })

/**
 * Runs the replay of every session the trace file holds (most hold one), in file order.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  options: Options
): Effect.Effect<
  ReadonlyArray<Result>,
  TraceUnreadable | UnknownTraceFormat | BenchFailed | InvalidArgument,
  FileSystem.FileSystem | Path.Path | CommandExecutor.CommandExecutor | Progress.Progress
> =>
  Effect.flatMap(
    Trace.read(options.trace, options.format),
    (traces) => Effect.forEach(traces, (trace) => replayTrace(trace, options))
  )
