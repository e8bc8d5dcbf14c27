/**
 * The `bench` run: the selected scenarios one after the other, each printing its table as soon as it is done,
 * then the `--json` and `--chart` files.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
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
import type { Requirements } from "./scenario.js"
import * as TaskIds from "./taskIds.js"
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
  readonly json: Option.Option<string>
  readonly chart: Option.Option<string>
}

/**
 * The figures of each scenario, under the report's field for it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Results {
  readonly plan: PlanGrid.Result
  readonly turnSpeedup: TurnSpeedup.Result
  readonly fastLocal: FastLocal.Result
  readonly queueCost: QueueCost.Result
  readonly taskIds: TaskIds.Result
  readonly memory: Memory.Result
  readonly runtimeSizing: RuntimeSizing.Result
  readonly aiStep: AiStep.Result
  readonly replay: ReadonlyArray<Replay.Result>
  readonly cluster: ClusterBench.Result
}

/**
 * Every figure of a run; a scenario's field is absent when it was not selected.
 *
 * @since 0.1.0
 * @category models
 */
export interface Report extends Partial<Results> {
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
}

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
    const selected = (scenario: Scenario) => settings.scenarios.includes(scenario)
    // filled in run order, which is the order of the report's fields
    const results: { -readonly [K in keyof Results]?: Results[K] } = {}
    if (selected("plan")) {
      results.plan = yield* printed(PlanGrid.run({ root: settings.root, runs: settings.runs }), PlanGrid.table)
    }
    if (selected("turn")) {
      results.turnSpeedup = yield* printed(
        TurnSpeedup.run({ root: settings.root, sizes: settings.sizes, latency: settings.latency, runs: settings.runs }),
        TurnSpeedup.table
      )
    }
    if (selected("fast")) {
      results.fastLocal = yield* printed(
        FastLocal.run({ root: settings.root, runs: settings.runs * 2 }),
        FastLocal.table
      )
    }
    if (selected("queue")) {
      results.queueCost = yield* printed(
        QueueCost.run({ tasks: settings.tasks, concurrency: settings.concurrency, warmup: 1, rounds: settings.rounds }),
        QueueCost.table
      )
    }
    if (selected("ids")) {
      results.taskIds = yield* printed(
        TaskIds.run({ ids: settings.ids, warmup: 1, rounds: settings.rounds }),
        TaskIds.table
      )
    }
    if (selected("memory")) {
      results.memory = yield* printed(Memory.run({ tasks: settings.tasks, rounds: settings.rounds }), Memory.table)
    }
    if (selected("runtime")) {
      results.runtimeSizing = yield* printed(
        RuntimeSizing.run({
          root: settings.root,
          reads: 256,
          iterations: 20,
          rounds: settings.rounds,
          ...Option.match(settings.poolSizes, { onNone: () => ({}), onSome: (sizes) => ({ sizes }) })
        }),
        RuntimeSizing.table
      )
    }
    // @effect/ai is an optional peer: the scenario's module is loaded only when it runs, and skipped without it.
    if (selected("ai")) {
      const aiStep = yield* Effect.tryPromise(() => import("./aiStep.js")).pipe(
        Effect.matchEffect({
          onFailure: () =>
            Effect.as(Console.error("bench: skipping -s ai, which needs @effect/ai 0.37.x installed"), undefined),
          onSuccess: (AiStep) =>
            printed(AiStep.run({ calls: 8, latencyMillis: 50, warmup: 2, rounds: settings.runs * 4 }), AiStep.table)
        })
      )
      if (aiStep !== undefined) results.aiStep = aiStep
    }
    if (selected("replay")) results.replay = yield* ReplayExamples.run()
    if (selected("cluster")) {
      results.cluster = yield* printed(
        Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped()).pipe(
          Effect.mapError((error) => new BenchFailed({ scenario: "cluster", reason: error.message })),
          Effect.flatMap((directory) =>
            ClusterBench.run({ turns: 100, calls: 3, sessions: 12, rounds: settings.rounds, directory })
          ),
          Effect.scoped
        ),
        ClusterBench.table
      )
    }
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
      ...results
    }
    if (Option.isSome(settings.json)) yield* Output.writeJson(settings.json.value, report)
    if (Option.isSome(settings.chart) && results.turnSpeedup !== undefined) {
      yield* Output.writeText(settings.chart.value, Chart.svg(results.turnSpeedup))
    }
    return report
  })
