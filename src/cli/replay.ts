/**
 * The replay: the tool calls of a recorded conversation run over a directory turn by turn, sequentially and
 * through the lanes with `Strategy.runTurn`, interleaved run by run; the time of each turn in each way and the
 * speed-up.
 *
 * Query-lane calls run on the directory itself. When the trace has calls of other lanes (write, edit, bash),
 * every run works on its own fresh scratch copy instead. `bash` calls run only with `runBash` (they could do
 * anything); with `useRecordedLatency`, a call with a recorded duration sleeps for it instead of running.
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Lane from "../Lane.js"
import * as LatencyModel from "../LatencyModel.js"
import * as Strategy from "../Strategy.js"
import * as Tools from "../Tools.js"
import { BenchFailed, type InvalidArgument, type TraceUnreadable, type UnknownTraceFormat } from "./errors.js"
import * as Files from "./files.js"
import * as Format from "./format.js"
import * as Measure from "./measure.js"
import * as Progress from "./progress.js"
import * as Queues from "./queues.js"
import * as ReplayCalls from "./replayCalls.js"
import { summarize, type Summary } from "./stats.js"
import type { Table } from "./table.js"
import * as Trace from "./trace.js"
import * as TurnModes from "./turnModes.js"
import * as Workspace from "./workspace.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly trace: string
  readonly root: string
  readonly format: Trace.Format | "auto"
  readonly runs: number
  /** The query lane's concurrency for the lanes run. */
  readonly concurrency: number
  /** Latency injected before every executed call (0 for none). */
  readonly latency: Duration.Duration
  readonly useRecordedLatency: boolean
  readonly runBash: boolean
  /** Plan with the cost rule and a latency model learnt in the warm-up run. */
  readonly costAware: boolean
}

/**
 * One turn's figures.
 *
 * @since 0.1.0
 * @category models
 */
export interface TurnRow {
  readonly turn: number
  readonly calls: number
  readonly tools: string
  readonly plan: string
  readonly sequentialMillis: Summary
  readonly lanesMillis: Summary
  readonly speedup: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly trace: string
  readonly format: Trace.Format
  readonly container: "json" | "jsonl"
  readonly directory: string
  readonly scratchCopy: boolean
  readonly recordedRoot: string | null
  readonly runs: number
  readonly turns: ReadonlyArray<TurnRow>
  readonly totalSequentialMillis: number
  readonly totalLanesMillis: number
  readonly speedup: number
  readonly failedCalls: number
  readonly firstFailure: string | null
  readonly skipped: ReadonlyArray<Trace.Skipped>
}

const executor = (tools: Tools.Service, calls: ReadonlyMap<string, ReplayCalls.ReplayCall>, options: Options) => {
  const wait = Duration.toMillis(options.latency) > 0 ? Effect.sleep(options.latency) : Effect.void
  return (call: Strategy.ToolCall): Effect.Effect<unknown, unknown> => {
    const replay = calls.get(call.id)
    if (replay === undefined) return Effect.void
    if (options.useRecordedLatency && Option.isSome(replay.recordedMillis)) {
      return Effect.sleep(Duration.millis(replay.recordedMillis.value))
    }
    return Effect.zipRight(
      wait,
      Effect.forEach(replay.mapped.steps, (args) => tools.run({ id: call.id, name: replay.mapped.tool, args }), {
        discard: true
      })
    )
  }
}

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
    const { prefix, skipped, turns } = yield* ReplayCalls.prepare(trace, options.root, options)
    const byId = new Map(turns.flatMap((turn) => turn.calls.map((call) => [call.id, call] as const)))
    const scratch = turns.some((turn) => turn.calls.some((call) => Lane.fromTool(call.mapped.tool) !== "query"))
    const entries = scratch ? yield* Files.list(options.root, 20_000) : []
    const queue = yield* Queues.make("replay", { query: { concurrency: options.concurrency } })
    const model = yield* LatencyModel.make
    const runOptions: Strategy.RunTurnOptions = options.costAware ? { latencyModel: model } : {}
    const workspaceTools = (scope: string) =>
      Tools.make({ root: scope }).pipe(
        Effect.mapError((error) => new BenchFailed({ scenario: "replay", reason: error.message }))
      )
    const sharedTools = scratch ? Option.none() : Option.some(yield* workspaceTools(options.root))
    const samples = turns.map(() => ({ sequential: new Array<number>(), lanes: new Array<number>() }))
    let failedCalls = 0
    let firstFailure: string | null = null
    const record = (exits: ReadonlyArray<Exit.Exit<unknown, unknown>>, recording: boolean) => {
      const failure = TurnModes.firstFailure(exits)
      if (!recording) return
      failedCalls += exits.filter(Exit.isFailure).length
      if (failure !== undefined && firstFailure === null) firstFailure = failure
    }
    const passes = 1 + options.runs
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
            : yield* Effect.flatMap(Workspace.scratchCopy(options.root, entries), workspaceTools)
          const execute = executor(tools, byId, options)
          for (const [t, turn] of turns.entries()) {
            const calls = turn.calls.map(ReplayCalls.toolCall)
            const [millis, exits] = yield* Measure.timed(
              mode === "sequential"
                ? Effect.forEach(calls, (call) => Effect.exit(execute(call)))
                : Strategy.runTurn(queue, calls, execute, runOptions)
            )
            // the sequential pass counts the failures once per recorded run
            record(exits, pass > 0 && mode === "sequential")
            if (pass > 0) samples[t]?.[mode].push(millis)
          }
        }))
      }
    }
    failedCalls = Math.round(failedCalls / Math.max(1, options.runs))
    const rows = yield* Effect.forEach(turns, (turn, t) =>
      Effect.gen(function*() {
        const calls = turn.calls.map(ReplayCalls.toolCall)
        const estimates = options.costAware ? yield* model.estimates(calls) : undefined
        const minToolCount = queue.settings.strategy.minToolCount
        const stages = Strategy.stages(
          calls,
          options.concurrency,
          estimates === undefined ? { minToolCount } : { minToolCount, estimates }
        )
        const sequentialMillis = summarize(samples[t]?.sequential ?? [])
        const lanesMillis = summarize(samples[t]?.lanes ?? [])
        return {
          turn: turn.index,
          calls: calls.length,
          tools: ReplayCalls.describeTools(turn.calls),
          plan: TurnModes.describeStages(stages),
          sequentialMillis,
          lanesMillis,
          speedup: sequentialMillis.median / lanesMillis.median
        }
      }))
    const totalSequentialMillis = rows.reduce((sum, row) => sum + row.sequentialMillis.median, 0)
    const totalLanesMillis = rows.reduce((sum, row) => sum + row.lanesMillis.median, 0)
    return {
      trace: options.trace,
      format: trace.format,
      container: trace.container,
      directory: options.root,
      scratchCopy: scratch,
      recordedRoot: Option.getOrNull(prefix),
      runs: options.runs,
      turns: rows,
      totalSequentialMillis,
      totalLanesMillis,
      speedup: totalSequentialMillis / totalLanesMillis,
      failedCalls,
      firstFailure,
      skipped
    }
  }))

const maxSkippedShown = 12

/**
 * The replay's table.
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = (result: Result): Table => ({
  title:
    `Replay of ${result.trace} (${result.format === "openai" ? "OpenAI chat completions" : "Anthropic messages"}, ` +
    `${result.container.toUpperCase()}) over ${result.directory}: median of ${result.runs} interleaved runs (min–max)`,
  headers: ["turn", "calls", "tools", "lanes plan", "sequential ms", "lanes ms", "speed-up"],
  rows: [
    ...result.turns.map((row) => [
      String(row.turn),
      String(row.calls),
      row.tools,
      row.plan,
      Format.summary(row.sequentialMillis, 1),
      Format.summary(row.lanesMillis, 1),
      Format.ratio(row.speedup)
    ]),
    [
      "total",
      String(result.turns.reduce((sum, row) => sum + row.calls, 0)),
      "",
      "",
      Format.number(result.totalSequentialMillis, 1),
      Format.number(result.totalLanesMillis, 1),
      Format.ratio(result.speedup)
    ]
  ],
  notes: [
    ...(result.turns.length === 0
      ? ["Nothing to replay: no call of the trace could be mapped onto a built-in tool."]
      : []),
    ...(result.scratchCopy ? ["Write, edit and bash calls ran in a fresh scratch copy of the directory per run."] : []),
    ...(result.recordedRoot === null
      ? []
      : [`Absolute paths under ${result.recordedRoot} were rebased onto the directory.`]),
    ...(result.failedCalls > 0
      ? [`${result.failedCalls} call(s) failed in each run (counted in the times); first: ${result.firstFailure ?? ""}`]
      : []),
    ...(result.skipped.length > 0 ? [`${result.skipped.length} call(s) or line(s) skipped:`] : []),
    ...result.skipped.slice(0, maxSkippedShown).map((skip) => `  ${skip.where}: ${skip.reason}`),
    ...(result.skipped.length > maxSkippedShown ? [`  ... and ${result.skipped.length - maxSkippedShown} more`] : [])
  ]
})
