/**
 * The replay: the tool calls of a recorded conversation run over a directory turn by turn, sequentially and
 * through the lanes with `Strategy.runTurn`, interleaved run by run, and an honest report of it. A speed-up is
 * given only for the turns the Strategy runs in parallel (the others run the same way twice, so any difference
 * is noise); when no turn runs in parallel the report says so. For turns whose every call has a recorded
 * duration, the report also gives the oracle (the best plan given those durations) and the default Strategy's
 * regret against it.
 *
 * Query-lane calls run on the directory itself; when the trace has calls of other lanes, every run works on
 * its own fresh scratch copy instead. `bash` calls run only with `runBash`: a call the agent started in the
 * background is started and not waited for (it is stopped when the run ends), and a non-zero exit is a failed
 * call. With `useRecordedLatency`, a call with a recorded duration sleeps for it instead of running.
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Lane, Strategy } from "effect-lanes"
import { Tools } from "effect-lanes/tools"
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
import * as Format from "../render/format.js"
import * as Progress from "../render/progress.js"
import type { Table } from "../render/table.js"
import { CommandFailed } from "./errors.js"
import * as Model from "./model.js"
import * as Oracle from "./oracle.js"
import * as Prepare from "./prepare.js"
import * as Scratch from "./scratch.js"
import * as Trace from "./trace.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly trace: string
  readonly root: string
  readonly format: Model.Format | "auto"
  readonly runs: number
  /** The query lane's concurrency for the lanes run. */
  readonly concurrency: number
  /** Latency injected before every executed call (0 for none). */
  readonly latency: Duration.Duration
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
  /** From the recorded durations, when every call of the turn has one. */
  readonly recorded: Oracle.Analysis | null
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly trace: string
  readonly format: Model.Format
  readonly container: "json" | "jsonl"
  readonly directory: string
  readonly scratchCopy: boolean
  /** Links in the directory pointing outside it, left out of the scratch copy. */
  readonly linksLeftOut: number
  readonly recordedRoot: string | null
  readonly recordedRootSource: "stated" | "learnt" | null
  readonly subagents: ReadonlyArray<string>
  readonly runs: number
  /** The Strategy's minToolCount the turns were planned with. */
  readonly parallelMinTools: number
  /** Tool calls in the trace, and how many were replayed. */
  readonly recordedCalls: number
  readonly replayedCalls: number
  readonly turns: ReadonlyArray<TurnRow>
  readonly parallelTurns: number
  readonly largestTurn: number
  /** Over the parallel turns only (`null` when there are none). */
  readonly parallelSequentialMillis: number | null
  readonly parallelLanesMillis: number | null
  readonly speedup: number | null
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
  readonly failedCalls: number
  readonly firstFailure: string | null
  readonly skipped: ReadonlyArray<Prepare.SkipCount>
}

const runStep = (
  tools: Tools.Service,
  id: string,
  step: Prepare.ReplayCall["mapped"]["steps"][number]
): Effect.Effect<void, unknown> =>
  step.tool === "bash"
    ? Effect.flatMap(
      tools.bash({
        command: String(step.args["command"] ?? ""),
        ...("timeout" in step.args ? { timeout: Number(step.args["timeout"]) } : {})
      }),
      (result) =>
        result.exitCode === 0
          ? Effect.void
          : Effect.fail(
            new CommandFailed({
              command: String(step.args["command"] ?? ""),
              exitCode: result.exitCode,
              stderr: result.stderr
            })
          )
    )
    : Effect.asVoid(tools.run({ id, name: step.tool, args: step.args }))

const executor = (
  tools: Tools.Service,
  scope: Scope.Scope,
  calls: ReadonlyMap<string, Prepare.ReplayCall>,
  options: Options
) => {
  const wait = Duration.toMillis(options.latency) > 0 ? Effect.sleep(options.latency) : Effect.void
  return (call: Strategy.ToolCall): Effect.Effect<unknown, unknown> => {
    const replay = calls.get(call.id)
    if (replay === undefined) return Effect.void
    if (options.useRecordedLatency && Option.isSome(replay.recordedMillis)) {
      return replay.background ? Effect.void : Effect.sleep(Duration.millis(replay.recordedMillis.value))
    }
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

/**
 * Runs the replay.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  options: Options
): Effect.Effect<
  Result,
  TraceUnreadable | UnknownTraceFormat | BenchFailed | InvalidArgument,
  FileSystem.FileSystem | Path.Path | CommandExecutor.CommandExecutor | Progress.Progress
> =>
  Effect.scoped(Effect.gen(function*() {
    const trace = yield* Trace.read(options.trace, options.format)
    const prepared = yield* Prepare.prepare(trace, options.root, options)
    const { turns } = prepared
    const byId = new Map(turns.flatMap((turn) => turn.calls.map((call) => [call.id, call] as const)))
    const scratch = turns.some((turn) => turn.calls.some((call) => Lane.fromTool(call.mapped.tool) !== "query"))
    const listing = scratch ? yield* Scratch.list(options.root) : { files: [], linksOut: 0 }
    const queue = yield* Queues.make("replay", {
      query: { concurrency: options.concurrency },
      parallelMinTools: options.parallelMinTools
    })
    const minToolCount = queue.settings.strategy.minToolCount
    // the built-in tools' declarations: traits per tool, bash read-only when its command only reads
    const planning: Strategy.RunTurnOptions = { tools: Tools.specs }
    const workspaceTools = (scope: string) =>
      Tools.make({ root: scope }).pipe(
        Effect.mapError((error) => new BenchFailed({ scenario: "replay", reason: error.message }))
      )
    const sharedTools = scratch ? Option.none() : Option.some(yield* workspaceTools(options.root))
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
          const tools = Option.isSome(sharedTools)
            ? sharedTools.value
            : yield* Effect.flatMap(Scratch.copy(options.root, listing), workspaceTools)
          const execute = executor(tools, yield* Effect.scope, byId, options)
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
    failedCalls = Math.round(failedCalls / Math.max(1, options.runs))
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
          recorded
        }
        return row
      }))
    const parallelRows = rows.filter((row) => row.parallel)
    const parallelSequential = sum(parallelRows.map((row) => row.sequentialMillis.median))
    const parallelLanes = sum(parallelRows.map((row) => row.lanesMillis.median))
    const withRecorded = rows.flatMap((row) => row.recorded === null ? [] : [row.recorded])
    return {
      trace: options.trace,
      format: trace.format,
      container: trace.container,
      directory: options.root,
      scratchCopy: scratch,
      linksLeftOut: listing.linksOut,
      recordedRoot: Option.getOrNull(prepared.prefix),
      recordedRootSource: prepared.rootSource,
      subagents: trace.subagents,
      runs: options.runs,
      parallelMinTools: minToolCount,
      recordedCalls: prepared.calls,
      replayedCalls: sum(rows.map((row) => row.calls)),
      turns: rows,
      parallelTurns: parallelRows.length,
      largestTurn: Math.max(0, ...trace.turns.map((turn) => turn.calls.length)),
      parallelSequentialMillis: parallelRows.length === 0 ? null : parallelSequential,
      parallelLanesMillis: parallelRows.length === 0 ? null : parallelLanes,
      speedup: parallelRows.length === 0 ? null : parallelSequential / parallelLanes,
      totalSequentialMillis: sum(rows.map((row) => row.sequentialMillis.median)),
      totalLanesMillis: sum(rows.map((row) => row.lanesMillis.median)),
      recorded: withRecorded.length === 0 ? null : {
        turns: withRecorded.length,
        strategyMillis: sum(withRecorded.map((r) => r.strategyMillis)),
        oracleMillis: sum(withRecorded.map((r) => r.oracleMillis)),
        regretMillis: sum(withRecorded.map((r) => r.regretMillis)),
        turnsWithRegret: withRecorded.filter((r) => r.regretMillis > 0).length
      },
      failedCalls,
      firstFailure,
      skipped: prepared.skipped
    }
  }))

const maxSkippedShown = 12
const maxRowsShown = 40

const turnName = (row: TurnRow): string => `${row.agent === null ? "" : `${row.agent} `}${row.turn}`

const recordedCells = (recorded: Oracle.Analysis | null): Array<string> =>
  recorded === null
    ? ["", "", ""]
    : [Format.number(recorded.oracleMillis, 1), recorded.oraclePlan, Format.number(recorded.regretMillis, 1)]

/**
 * The replay's table: one row per parallel turn, one row for all the turns run the same way in both modes.
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = (result: Result): Table => {
  const parallel = result.turns.filter((row) => row.parallel)
  const same = result.turns.filter((row) => !row.parallel)
  const shown = parallel.slice(0, maxRowsShown)
  const sumOf = (rows: ReadonlyArray<TurnRow>, pick: (row: TurnRow) => number) => Format.number(sum(rows.map(pick)), 1)
  const anyRecorded = result.recorded !== null
  const recordedHeaders = anyRecorded ? ["oracle ms (recorded)", "oracle plan", "regret ms"] : []
  const cells = (row: TurnRow) => anyRecorded ? recordedCells(row.recorded) : []
  return {
    title: `Replay of ${result.trace} (${Model.labels[result.format]}, ${result.container.toUpperCase()}) over ` +
      `${result.directory}: median of ${result.runs} interleaved runs (min–max)`,
    headers: ["turn", "calls", "tools", "lanes plan", "sequential ms", "lanes ms", "speed-up", ...recordedHeaders],
    rows: [
      ...shown.map((row) => [
        turnName(row),
        String(row.calls),
        row.tools,
        row.plan,
        Format.summary(row.sequentialMillis, 1),
        Format.summary(row.lanesMillis, 1),
        row.speedup === null ? "" : Format.ratio(row.speedup),
        ...cells(row)
      ]),
      ...(parallel.length > shown.length
        ? [[`+${parallel.length - shown.length}`, "", "more parallel turns (in --json)", "", "", "", ""]]
        : []),
      ...(same.length === 0 ? [] : [[
        `${same.length} other`,
        String(sum(same.map((row) => row.calls))),
        "",
        "Sequential (same in both runs)",
        sumOf(same, (row) => row.sequentialMillis.median),
        sumOf(same, (row) => row.lanesMillis.median),
        "",
        ...(anyRecorded ? ["", "", ""] : [])
      ]]),
      [
        "parallel",
        String(sum(parallel.map((row) => row.calls))),
        "",
        `${result.parallelTurns} of ${result.turns.length} turns`,
        result.parallelSequentialMillis === null ? "" : Format.number(result.parallelSequentialMillis, 1),
        result.parallelLanesMillis === null ? "" : Format.number(result.parallelLanesMillis, 1),
        result.speedup === null ? "" : Format.ratio(result.speedup),
        ...(anyRecorded ? ["", "", ""] : [])
      ]
    ],
    notes: [
      `${result.replayedCalls} of ${result.recordedCalls} recorded call(s) replayed in ${result.turns.length} turn(s); ` +
      `the largest turn has ${result.largestTurn} call(s).`,
      result.parallelTurns === 0
        ? "No turn of this trace runs in parallel: the lanes run every turn as recorded, so there is no speed-up to measure."
        : `${result.parallelTurns} turn(s) run in parallel; the speed-up is measured on those only.`,
      `Planned by the Strategy with minToolCount ${result.parallelMinTools} (--parallel-min-tools).`,
      ...(result.recorded === null
        ? []
        : [
          `Recorded durations cover ${result.recorded.turns} turn(s): the default Strategy would take ` +
          `${Format.number(result.recorded.strategyMillis, 1)} ms, the best plan ${
            Format.number(result.recorded.oracleMillis, 1)
          } ms ` +
          `(regret ${
            Format.number(result.recorded.regretMillis, 1)
          } ms, in ${result.recorded.turnsWithRegret} turn(s)).`
        ]),
      ...(result.subagents.length > 0 ? [`Subagent traces read: ${result.subagents.join(", ")}.`] : []),
      ...(result.scratchCopy
        ? ["Write, edit and bash calls ran in a fresh scratch copy of the directory per run."]
        : []),
      ...(result.linksLeftOut > 0
        ? [`${result.linksLeftOut} symlink(s) pointing outside the directory were not copied.`]
        : []),
      ...(result.recordedRoot === null
        ? []
        : [
          `Paths under ${result.recordedRoot} (${
            result.recordedRootSource ?? ""
          } recorded root) were rebased onto the directory.`
        ]),
      ...(result.failedCalls > 0
        ? [
          `${result.failedCalls} call(s) failed in each run (counted in the times); first: ${result.firstFailure ?? ""}`
        ]
        : []),
      ...(result.skipped.length > 0 ? ["Skipped, by reason (in turn order):"] : []),
      ...result.skipped.slice(0, maxSkippedShown).map((skip) =>
        `  ${skip.count}× ${skip.reason} (first: ${skip.first})`
      ),
      ...(result.skipped.length > maxSkippedShown
        ? [`  ... and ${result.skipped.length - maxSkippedShown} more reasons (in --json)`]
        : [])
    ]
  }
}
