/**
 * The queue-cost scenario: no-op tasks through the session queue (`submit` one by one, `submitBatch`; one
 * lane, four lanes) against plain `Effect.forEach`, p-queue and p-limit at the same concurrency, interleaved in
 * one process. Reports tasks per second, microseconds per task and the ratio to `Effect.forEach`.
 *
 * @since 0.1.0
 */
import { Lane } from "effect-lanes"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { InvalidArgument } from "../errors.js"
import * as Format from "../render/format.js"
import type * as Progress from "../render/progress.js"
import type { Table } from "../render/table.js"
import * as Measure from "./measure.js"
import * as PromiseQueues from "./promiseQueues.js"
import * as Queues from "./queues.js"
import { mapSummary, type Summary } from "./stats.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** No-op tasks per run. */
  readonly tasks: number
  /** Concurrency of every contender; the four-lane rows give each lane a quarter of it (at least 1). */
  readonly concurrency: number
  readonly warmup: number
  readonly rounds: number
}

/**
 * One contender's figures.
 *
 * @since 0.1.0
 * @category models
 */
export interface Row {
  readonly name: string
  /** Wall-clock milliseconds per run. */
  readonly millis: Summary
  readonly tasksPerSecond: Summary
  readonly microsPerTask: Summary
  /** Median µs/task divided by `Effect.forEach`'s (1 for the baseline itself; higher costs more). */
  readonly ratioToForEach: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly tasks: number
  readonly concurrency: number
  readonly perLaneConcurrencyFourLanes: number
  readonly rounds: number
  readonly rows: ReadonlyArray<Row>
  readonly skipped: ReadonlyArray<string>
}

/** The name of the baseline row. */
export const baseline = "Effect.forEach"

const range = (n: number): ReadonlyArray<number> => Array.from({ length: n }, (_, i) => i)

/**
 * Runs the scenario.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const run = (options: Options): Effect.Effect<Result, InvalidArgument, Progress.Progress> =>
  Effect.scoped(Effect.gen(function*() {
    const { concurrency, tasks } = options
    const quarter = Math.max(1, Math.floor(concurrency / 4))
    const oneLane = yield* Queues.make("bench-one-lane", { query: { concurrency } })
    const fourLanes = yield* Queues.make("bench-four-lanes", Queues.everyLane(quarter))
    const promiseQueues = yield* PromiseQueues.load
    const semaphore = yield* Effect.makeSemaphore(concurrency)
    const indices = range(tasks)
    const noops = indices.map(() => Effect.void)
    const chunks = Lane.all.map((_, k) => noops.filter((__, i) => i % Lane.all.length === k))
    const laneOf = (i: number): Lane.Lane => Lane.all[i % Lane.all.length] ?? "query"
    const promiseRow = (name: string, runner: Option.Option<PromiseQueues.Runner>) =>
      Option.map(runner, (r): Measure.Candidate<never, never> => ({ name, run: r(tasks, concurrency) }))
    const candidates: Array<Measure.Candidate<never, never>> = [
      { name: baseline, run: Effect.forEach(indices, () => Effect.void, { concurrency, discard: true }) },
      ...Option.toArray(promiseRow("p-queue", promiseQueues.pQueue)),
      ...Option.toArray(promiseRow("p-limit", promiseQueues.pLimit)),
      {
        name: "fiber per task + Semaphore",
        run: Effect.forEach(indices, () => semaphore.withPermits(1)(Effect.void), {
          concurrency: "unbounded",
          discard: true
        })
      },
      {
        name: "submit, 1 lane",
        run: Effect.forEach(indices, () => Effect.ignore(oneLane.submit("query", Effect.void)), {
          concurrency: "unbounded",
          discard: true
        })
      },
      { name: "submitBatch, 1 lane", run: Effect.ignore(oneLane.submitBatch("query", noops)) },
      {
        name: "submit, 4 lanes",
        run: Effect.forEach(indices, (i) => Effect.ignore(fourLanes.submit(laneOf(i), Effect.void)), {
          concurrency: "unbounded",
          discard: true
        })
      },
      {
        name: "submitBatch, 4 lanes",
        run: Effect.forEach(Lane.all, (lane, k) => Effect.ignore(fourLanes.submitBatch(lane, chunks[k] ?? [])), {
          concurrency: "unbounded",
          discard: true
        })
      }
    ]
    const measured = yield* Measure.interleaved(
      { label: "queue cost", warmup: options.warmup, rounds: options.rounds, collectGarbage: true },
      candidates
    )
    const baseMicros = (measured[0]?.millis.median ?? Number.NaN) * 1000 / tasks
    const rows = measured.map(({ millis, name }): Row => {
      const microsPerTask = mapSummary(millis, (ms) => ms * 1000 / tasks)
      return {
        name,
        millis,
        // tasks/s falls as time rises: swap min and max
        tasksPerSecond: {
          median: tasks / (millis.median / 1000),
          min: tasks / (millis.max / 1000),
          max: tasks / (millis.min / 1000),
          samples: millis.samples
        },
        microsPerTask,
        ratioToForEach: microsPerTask.median / baseMicros
      }
    })
    const skipped = [
      ...(Option.isNone(promiseQueues.pQueue) ? ["p-queue (not installed)"] : []),
      ...(Option.isNone(promiseQueues.pLimit) ? ["p-limit (not installed)"] : [])
    ]
    return {
      tasks,
      concurrency,
      perLaneConcurrencyFourLanes: quarter,
      rounds: options.rounds,
      rows,
      skipped
    }
  }))

/**
 * The scenario's table.
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = (result: Result): Table => ({
  title: `Queue cost: ${Format.number(result.tasks, 0)} no-op tasks, concurrency ${result.concurrency} ` +
    `(four lanes: ${result.perLaneConcurrencyFourLanes} each), median of ${result.rounds} interleaved rounds (min–max)`,
  headers: ["contender", "ms / run", "tasks/s", "µs / task", "vs Effect.forEach"],
  rows: result.rows.map((row) => [
    row.name,
    Format.summary(row.millis),
    Format.number(row.tasksPerSecond.median, 0),
    Format.summary(row.microsPerTask, 3),
    Format.ratio(row.ratioToForEach)
  ]),
  notes: [
    "vs Effect.forEach: µs/task divided by plain Effect.forEach's (higher = more overhead per task).",
    "Effect.forEach runs the tasks on `concurrency` worker fibers; \"fiber per task + Semaphore\" is the plain",
    "Effect way to bound work that arrives one task at a time, the floor for any fiber-per-task queue.",
    ...result.skipped.map((name) => `skipped: ${name}`)
  ]
})
