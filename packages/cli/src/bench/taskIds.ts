/**
 * The task-ID scenario: the session's `Ref` counter (`TaskId.generator`) against `crypto.randomUUID()`, in
 * nanoseconds per ID. Both are also measured the way the queue pays for them, as one effect per ID, so that
 * the cost of the counter is not confused with the cost of running an effect.
 *
 * @since 0.1.0
 */
import { TaskId } from "effect-lanes"
import * as Effect from "effect/Effect"
import * as crypto from "node:crypto"
import * as Format from "../render/format.js"
import type * as Progress from "../render/progress.js"
import type { Table } from "../render/table.js"
import * as Measure from "./measure.js"
import { mapSummary, type Summary } from "./stats.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** IDs generated per run. */
  readonly ids: number
  readonly warmup: number
  readonly rounds: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Row {
  readonly name: string
  readonly nanosPerId: Summary
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly ids: number
  readonly rounds: number
  readonly rows: ReadonlyArray<Row>
  /** randomUUID effect / counter effect, medians (how many times dearer a UUID is per task). */
  readonly uuidOverCounter: number
}

const batchSize = 1000

/** Runs `body` `times` times in one fiber, without building an array. */
const repeat = <A>(times: number, body: () => Effect.Effect<A>): Effect.Effect<void> =>
  Effect.suspend(() => {
    let i = 0
    return Effect.whileLoop({ while: () => i < times, body, step: () => void i++ })
  })

/**
 * Runs the scenario.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const run = (options: Options): Effect.Effect<Result, never, Progress.Progress> =>
  Effect.gen(function*() {
    const { ids } = options
    const generator = yield* TaskId.generator("session-bench")
    let sink = ""
    const candidates: ReadonlyArray<Measure.Candidate<never, never>> = [
      { name: "TaskId.generator next (Ref counter, one effect per ID)", run: repeat(ids, () => generator.next) },
      {
        name: `TaskId.generator nextBatch(${batchSize}) (one Ref update per batch)`,
        run: repeat(Math.ceil(ids / batchSize), () => generator.nextBatch(batchSize))
      },
      {
        name: "crypto.randomUUID() (one effect per ID)",
        run: repeat(ids, () => Effect.sync(() => crypto.randomUUID()))
      },
      {
        name: "counter string, plain loop",
        run: Effect.sync(() => {
          for (let i = 0; i < ids; i++) sink = TaskId.make("session-bench", i)
        })
      },
      {
        name: "crypto.randomUUID(), plain loop",
        run: Effect.sync(() => {
          for (let i = 0; i < ids; i++) sink = crypto.randomUUID()
        })
      }
    ]
    const measured = yield* Measure.interleaved(
      { label: "task IDs", warmup: options.warmup, rounds: options.rounds },
      candidates
    )
    void sink
    const rows = measured.map(({ millis, name }): Row => ({
      name,
      nanosPerId: mapSummary(millis, (ms) => ms * 1_000_000 / ids)
    }))
    const counter = rows[0]?.nanosPerId.median ?? Number.NaN
    const uuid = rows[2]?.nanosPerId.median ?? Number.NaN
    return { ids, rounds: options.rounds, rows, uuidOverCounter: uuid / counter }
  })

/**
 * The scenario's table.
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = (result: Result): Table => ({
  title: `Task IDs: ${
    Format.number(result.ids, 0)
  } IDs per run, median of ${result.rounds} interleaved rounds (min–max)`,
  headers: ["generator", "ns / ID"],
  rows: result.rows.map((row) => [row.name, Format.summary(row.nanosPerId, 1)]),
  notes: [`crypto.randomUUID() effect / Ref counter effect: ${Format.ratio(result.uuidOverCounter)}`]
})
