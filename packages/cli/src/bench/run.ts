/**
 * The `bench` run: the selected scenarios one after the other, each printing its table as soon as it is done,
 * then the `--json` and `--chart` files.
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { BenchFailed, type CliError } from "../errors.js"
import * as Chart from "../render/chart.js"
import * as Output from "../render/output.js"
import type * as Progress from "../render/progress.js"
import * as ReplayExamples from "../replay/examples.js"
import type * as Replay from "../replay/replay.js"
import type * as AiStep from "./aiStep.js"
import * as ClusterBench from "./clusterBench.js"
import * as FastLocal from "./fastLocal.js"
import * as Memory from "./memory.js"
import * as PlanGrid from "./planGrid.js"
import * as QueueCost from "./queueCost.js"
import * as RuntimeSizing from "./runtimeSizing.js"
import * as TaskIds from "./taskIds.js"
import * as ThreadPool from "./threadPool.js"
import * as TurnSpeedup from "./turnSpeedup.js"

/**
 * The scenarios, in the order they run.
 *
 * @since 0.1.0
 * @category constants
 */
export const scenarios = [
  "plan",
  "turn",
  "fast",
  "queue",
  "ids",
  "memory",
  "runtime",
  "ai",
  "replay",
  "cluster"
] as const

/**
 * The scenarios a plain `bench` (and `npm start`) runs: all but the opt-in `cluster` (`-s cluster`), the
 * two that `plan` covers (`turn`: its 20 ms reads rows; `fast`: its purely local rows) and `runtime`
 * (child processes per thread-pool size), so that `npm start` stays well within 90 s on 2 cores.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultScenarios: ReadonlyArray<Scenario> = scenarios.filter((scenario) =>
  scenario !== "cluster" && scenario !== "turn" && scenario !== "fast" && scenario !== "runtime"
)

/**
 * @since 0.1.0
 * @category models
 */
export type Scenario = typeof scenarios[number]

/**
 * Everything a `bench` run needs, validated.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  readonly root: string
  readonly scenarios: ReadonlyArray<Scenario>
  readonly sizes: ReadonlyArray<number>
  readonly latency: Duration.Duration
  readonly runs: number
  readonly tasks: number
  readonly concurrency: number
  readonly rounds: number
  readonly ids: number
  readonly poolSizes: Option.Option<ReadonlyArray<number>>
  readonly cacheThreadPool: boolean
  readonly json: Option.Option<string>
  readonly chart: Option.Option<string>
}

/**
 * Every figure of a run; a scenario's field is absent when it was not selected.
 *
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly generatedAt: string
  readonly machine: Output.Machine
  readonly settings: {
    readonly directory: string
    readonly latencyMillis: number
    readonly runs: number
    readonly tasks: number
    readonly concurrency: number
    readonly rounds: number
    readonly ids: number
  }
  readonly plan?: PlanGrid.Result
  readonly turnSpeedup?: TurnSpeedup.Result
  readonly fastLocal?: FastLocal.Result
  readonly queueCost?: QueueCost.Result
  readonly taskIds?: TaskIds.Result
  readonly memory?: Memory.Result
  readonly runtimeSizing?: RuntimeSizing.Result
  readonly aiStep?: AiStep.Result
  readonly replay?: ReadonlyArray<Replay.Result>
  readonly cluster?: ClusterBench.Result
}

type Requirements = Progress.Progress | FileSystem.FileSystem | Path.Path | CommandExecutor.CommandExecutor

const selected = (settings: Settings, scenario: Scenario) => settings.scenarios.includes(scenario)

const optionally = <A, E, R>(
  enabled: boolean,
  self: Effect.Effect<A, E, R>
): Effect.Effect<Option.Option<A>, E, R> => enabled ? Effect.map(self, Option.some) : Effect.succeed(Option.none())

const printed = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  table: (result: A) => Parameters<typeof Output.printTable>[0]
): Effect.Effect<A, E, R | Progress.Progress> => Effect.tap(self, (result) => Output.printTable(table(result)))

/**
 * Runs the selected scenarios, printing a table after each, and returns the report.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (settings: Settings): Effect.Effect<Report, CliError, Requirements> =>
  Effect.gen(function*() {
    const machine = yield* Output.machine
    const plan = yield* optionally(
      selected(settings, "plan"),
      printed(PlanGrid.run({ root: settings.root, runs: settings.runs }), PlanGrid.table)
    )
    const turnSpeedup = yield* optionally(
      selected(settings, "turn"),
      printed(
        TurnSpeedup.run({
          root: settings.root,
          sizes: settings.sizes,
          latency: settings.latency,
          runs: settings.runs
        }),
        TurnSpeedup.table
      )
    )
    const fastLocal = yield* optionally(
      selected(settings, "fast"),
      printed(FastLocal.run({ root: settings.root, runs: settings.runs * 2 }), FastLocal.table)
    )
    const queueCost = yield* optionally(
      selected(settings, "queue"),
      printed(
        QueueCost.run({
          tasks: settings.tasks,
          concurrency: settings.concurrency,
          warmup: 1,
          rounds: settings.rounds
        }),
        QueueCost.table
      )
    )
    const taskIds = yield* optionally(
      selected(settings, "ids"),
      printed(TaskIds.run({ ids: settings.ids, warmup: 1, rounds: settings.rounds }), TaskIds.table)
    )
    const memory = yield* optionally(
      selected(settings, "memory"),
      printed(Memory.run({ tasks: settings.tasks, rounds: settings.rounds }), Memory.table)
    )
    const runtimeSizing = yield* optionally(
      selected(settings, "runtime"),
      printed(
        RuntimeSizing.run({
          root: settings.root,
          reads: 256,
          iterations: 20,
          rounds: settings.rounds,
          cacheFile: settings.cacheThreadPool ? Option.some(ThreadPool.cacheFile) : Option.none(),
          ...Option.match(settings.poolSizes, { onNone: () => ({}), onSome: (sizes) => ({ sizes }) })
        }),
        RuntimeSizing.table
      )
    )
    // @effect/ai is an optional peer: the scenario's module is loaded only when it runs, and skipped without it.
    const aiStep = selected(settings, "ai")
      ? yield* Effect.tryPromise(() => import("./aiStep.js")).pipe(
        Effect.matchEffect({
          onFailure: () =>
            Effect.as(Console.error("bench: skipping -s ai, which needs @effect/ai 0.37.x installed"), Option.none()),
          onSuccess: (AiStep) =>
            Effect.asSome(
              printed(AiStep.run({ calls: 8, latencyMillis: 50, warmup: 2, rounds: settings.runs * 4 }), AiStep.table)
            )
        })
      )
      : Option.none()
    const replay = yield* optionally(selected(settings, "replay"), ReplayExamples.run())
    const cluster = yield* optionally(
      selected(settings, "cluster"),
      printed(
        Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped()).pipe(
          Effect.mapError((error) => new BenchFailed({ scenario: "cluster", reason: error.message })),
          Effect.flatMap((directory) =>
            ClusterBench.run({ turns: 100, calls: 3, sessions: 12, rounds: settings.rounds, directory })
          ),
          Effect.scoped
        ),
        ClusterBench.table
      )
    )
    const report: Report = {
      generatedAt: new Date().toISOString(),
      machine,
      settings: {
        directory: settings.root,
        latencyMillis: Duration.toMillis(settings.latency),
        runs: settings.runs,
        tasks: settings.tasks,
        concurrency: settings.concurrency,
        rounds: settings.rounds,
        ids: settings.ids
      },
      ...Option.match(plan, { onNone: () => ({}), onSome: (value) => ({ plan: value }) }),
      ...Option.match(turnSpeedup, { onNone: () => ({}), onSome: (value) => ({ turnSpeedup: value }) }),
      ...Option.match(fastLocal, { onNone: () => ({}), onSome: (value) => ({ fastLocal: value }) }),
      ...Option.match(queueCost, { onNone: () => ({}), onSome: (value) => ({ queueCost: value }) }),
      ...Option.match(taskIds, { onNone: () => ({}), onSome: (value) => ({ taskIds: value }) }),
      ...Option.match(memory, { onNone: () => ({}), onSome: (value) => ({ memory: value }) }),
      ...Option.match(runtimeSizing, { onNone: () => ({}), onSome: (value) => ({ runtimeSizing: value }) }),
      ...Option.match(aiStep, { onNone: () => ({}), onSome: (value) => ({ aiStep: value }) }),
      ...Option.match(replay, { onNone: () => ({}), onSome: (value) => ({ replay: value }) }),
      ...Option.match(cluster, { onNone: () => ({}), onSome: (value) => ({ cluster: value }) })
    }
    if (Option.isSome(settings.json)) yield* Output.writeJson(settings.json.value, report)
    if (Option.isSome(settings.chart) && Option.isSome(turnSpeedup)) {
      yield* Output.writeText(settings.chart.value, Chart.svg(turnSpeedup.value))
    }
    return report
  })
