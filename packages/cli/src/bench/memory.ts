/**
 * The memory scenario: the V8 heap of a session queue holding many pending tasks (a lane of concurrency 1
 * blocked by a task that waits on a `Deferred`), and after they drain, over repeated rounds on the same queue
 * (after one unrecorded warm-up round), to show that nothing is retained.
 *
 * @since 0.1.0
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type { InvalidArgument } from "../errors.js"
import * as Format from "../render/format.js"
import * as Progress from "../render/progress.js"
import type { Table } from "../render/table.js"
import * as Gc from "./gc.js"
import * as Queues from "./queues.js"
import { summarize, type Summary } from "./stats.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Pending tasks per round. */
  readonly tasks: number
  readonly rounds: number
}

/**
 * The heap (bytes, after a forced collection) at the three points of one round.
 *
 * @since 0.1.0
 * @category models
 */
export interface Round {
  readonly baselineBytes: number
  readonly pendingBytes: number
  readonly drainedBytes: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly tasks: number
  readonly rounds: ReadonlyArray<Round>
  /** (pending - baseline) / tasks, over the rounds. */
  readonly bytesPerPendingTask: Summary
  /** The drained heap of the last round over that of the first (1 = no growth). */
  readonly drainedLastOverFirst: number
  /** Whether collections were forced before each reading (otherwise the figures are noisier). */
  readonly gcForced: boolean
}

const waitUntil = (condition: Effect.Effect<boolean>): Effect.Effect<void> =>
  Effect.repeat(Effect.zipRight(Effect.yieldNow(), condition), { until: (done) => done }).pipe(Effect.asVoid)

/**
 * Runs the scenario.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const run = (options: Options): Effect.Effect<Result, InvalidArgument, Progress.Progress> =>
  Effect.scoped(Effect.gen(function*() {
    const { tasks } = options
    const gcForced = Option.isSome(yield* Gc.collector)
    const queue = yield* Queues.make("bench-memory", { query: { concurrency: 1 } })
    const noops = Array.from({ length: tasks }, () => Effect.void)
    const rounds: Array<Round> = []
    // round 0 is a warm-up (JIT code, the queue's first allocations) and is not recorded
    for (let round = 0; round <= options.rounds; round++) {
      const label = round === 0 ? "memory: warm-up" : `memory: round ${round}/${options.rounds}`
      const steps = (options.rounds + 1) * 3
      yield* Progress.update(`${label}, baseline`, round * 3, steps)
      const baselineBytes = yield* Gc.heapUsed
      const gate = yield* Deferred.make<void>()
      const blocker = yield* Effect.fork(queue.submit("query", Deferred.await(gate)))
      yield* waitUntil(Effect.map(queue.stats, (stats) => stats.lanes.query.active === 1))
      const batch = yield* Effect.fork(queue.submitBatch("query", noops))
      yield* waitUntil(Effect.map(queue.stats, (stats) => stats.lanes.query.pending >= tasks))
      yield* Progress.update(`${label}, ${Format.number(tasks, 0)} pending`, round * 3 + 1, steps)
      const pendingBytes = yield* Gc.heapUsed
      yield* Deferred.succeed(gate, undefined)
      yield* Effect.ignore(Fiber.join(blocker))
      yield* Effect.ignore(Fiber.join(batch))
      yield* Effect.ignore(queue.drain("60 seconds"))
      yield* Progress.update(`${label}, drained`, round * 3 + 2, steps)
      const drainedBytes = yield* Gc.heapUsed
      if (round > 0) rounds.push({ baselineBytes, pendingBytes, drainedBytes })
    }
    const first = rounds[0]?.drainedBytes ?? Number.NaN
    const last = rounds[rounds.length - 1]?.drainedBytes ?? Number.NaN
    return {
      tasks,
      rounds,
      bytesPerPendingTask: summarize(rounds.map((round) => (round.pendingBytes - round.baselineBytes) / tasks)),
      drainedLastOverFirst: last / first,
      gcForced
    }
  }))

/**
 * The scenario's table.
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = (result: Result): Table => ({
  title: `Memory: V8 heap with ${Format.number(result.tasks, 0)} pending tasks, and after they drain, per round`,
  headers: ["round", "before", "pending", "drained", "bytes / pending task"],
  rows: result.rounds.map((round, index) => [
    String(index + 1),
    Format.mebibytes(round.baselineBytes),
    Format.mebibytes(round.pendingBytes),
    Format.mebibytes(round.drainedBytes),
    Format.number((round.pendingBytes - round.baselineBytes) / result.tasks, 0)
  ]),
  notes: [
    `bytes per pending task: ${Format.summary(result.bytesPerPendingTask, 0)}; ` +
    `drained heap, last round / first round: ${Format.ratio(result.drainedLastOverFirst)}`,
    result.gcForced
      ? "Every reading follows a forced full garbage collection."
      : "No garbage collector access: readings without a forced collection (noisier)."
  ]
})
