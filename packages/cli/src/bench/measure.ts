/**
 * Timing harness of the benchmarks: real time through Effect's `Clock` (the live clock is
 * `performance.now`-based), candidates measured in the same process, interleaved round by round in a rotating
 * order, after warm-up rounds that are not recorded.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Progress from "../render/progress.js"
import * as Gc from "./gc.js"
import { summarize, type Summary } from "./stats.js"

/**
 * Runs an effect and returns its result with the elapsed wall-clock time in milliseconds.
 *
 * @since 0.1.0
 * @category timing
 */
export const timed = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<readonly [number, A], E, R> =>
  Effect.flatMap(
    Clock.currentTimeNanos,
    (start) =>
      Effect.flatMap(
        self,
        (result) => Effect.map(Clock.currentTimeNanos, (end) => [Number(end - start) / 1_000_000, result] as const)
      )
  )

/**
 * The elapsed wall-clock time of an effect in milliseconds.
 *
 * @since 0.1.0
 * @category timing
 */
export const millis = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<number, E, R> =>
  Effect.map(timed(self), ([elapsed]) => elapsed)

/**
 * One contender of an interleaved comparison.
 *
 * @since 0.1.0
 * @category models
 */
export interface Candidate<E, R> {
  readonly name: string
  readonly run: Effect.Effect<void, E, R>
}

/**
 * How to interleave: unrecorded warm-up rounds, recorded rounds, whether to collect garbage before each run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Plan {
  readonly label: string
  readonly warmup: number
  readonly rounds: number
  readonly collectGarbage?: boolean
}

/**
 * Runs every candidate once per round, rotating the order each round so that no candidate always goes first,
 * and returns the summary of each candidate's recorded times in milliseconds, in the candidates' order.
 *
 * @since 0.1.0
 * @category timing
 */
export const interleaved = <E, R>(
  plan: Plan,
  candidates: ReadonlyArray<Candidate<E, R>>
): Effect.Effect<ReadonlyArray<{ readonly name: string; readonly millis: Summary }>, E, R | Progress.Progress> =>
  Effect.gen(function*() {
    const samples = candidates.map(() => new Array<number>())
    const total = (plan.warmup + plan.rounds) * candidates.length
    let step = 0
    for (let round = 0; round < plan.warmup + plan.rounds; round++) {
      const recorded = round >= plan.warmup
      for (let k = 0; k < candidates.length; k++) {
        const index = (k + round) % candidates.length
        const candidate = candidates[index]
        if (candidate === undefined) continue
        const phase = recorded ? `round ${round - plan.warmup + 1}/${plan.rounds}` : "warm-up"
        yield* Progress.update(`${plan.label}: ${candidate.name} (${phase})`, step++, total)
        if (plan.collectGarbage === true) yield* Gc.collect
        const elapsed = yield* millis(candidate.run)
        if (recorded) samples[index]?.push(elapsed)
      }
    }
    return candidates.map((candidate, index) => ({ name: candidate.name, millis: summarize(samples[index] ?? []) }))
  })
