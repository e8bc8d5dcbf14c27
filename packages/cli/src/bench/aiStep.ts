/**
 * The `ai` scenario: one agent step on `@effect/ai` whose scripted response calls a read-only tool 8 times, each
 * call taking 50 ms. @effect/ai's own resolution (`generateText` with `concurrency: "unbounded"`) against the
 * laned step (`Agent.run` with `maxSteps: 1`: the model call through the generate lane, the tool calls through
 * `LanedToolkit`), measured in the same process, interleaved round by round (which goes first alternates,
 * garbage is collected before each run). The ratio is taken per round (laned / unbounded) and summarised.
 *
 * @since 0.1.0
 */
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import { LaneQueue, LanesConfig } from "effect-lanes"
import { Agent, ScriptedModel } from "effect-lanes/ai"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Format from "../render/format.js"
import * as Progress from "../render/progress.js"
import type { Table } from "../render/table.js"
import * as Gc from "./gc.js"
import * as Measure from "./measure.js"
import { summarize, type Summary } from "./stats.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Tool calls in the scripted response. */
  readonly calls: number
  /** Latency of each tool call, in milliseconds (a real `Effect.sleep`). */
  readonly latencyMillis: number
  readonly warmup: number
  readonly rounds: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly calls: number
  readonly latencyMillis: number
  readonly rounds: number
  /** `generateText` with `concurrency: "unbounded"`, ms per step. */
  readonly unbounded: Summary
  /** `Agent.run` with `maxSteps: 1`, ms per step. */
  readonly laned: Summary
  /** laned / unbounded, per round. */
  readonly ratio: Summary
}

const ReadFile = Tool.make("read_file", { parameters: { path: Schema.String }, success: Schema.String })
  .annotate(Tool.Readonly, true)
  .annotate(Tool.Destructive, false)
  .annotate(Tool.Idempotent, true)
  .annotate(Tool.OpenWorld, false)

const Files = Toolkit.make(ReadFile)

/**
 * Runs the scenario.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const run = (options: Options): Effect.Effect<Result, never, Progress.Progress> =>
  Effect.scoped(Effect.gen(function*() {
    const total = options.warmup + options.rounds
    const response = ScriptedModel.response(
      ...Array.from(
        { length: options.calls },
        (_, i) => ScriptedModel.toolCall(`c${i}`, "read_file", { path: `f${i}` })
      )
    )
    // One response per step of each candidate.
    const scripted = yield* ScriptedModel.make({ responses: Array.from({ length: 2 * total }, () => response) })
    const toolkit = yield* Effect.provide(
      Files,
      Files.toLayer({ read_file: ({ path }) => Effect.as(Effect.sleep(options.latencyMillis), path) })
    )
    // The generate lane's default rate limit (60 per minute) would measure the limit, not the step.
    const queue = yield* LaneQueue.make("bench-ai").pipe(
      Effect.provide(LanesConfig.layerWith({ generate: { rateLimit: false } }))
    )
    const unbounded = LanguageModel.generateText({ prompt: "read", toolkit, concurrency: "unbounded" }).pipe(
      Effect.provideService(LanguageModel.LanguageModel, scripted.service),
      Effect.orDie,
      Effect.asVoid
    )
    const laned = Agent.run({ prompt: "read", toolkit, maxSteps: 1 }).pipe(
      Effect.provideService(LaneQueue.LaneQueue, queue),
      Effect.provideService(LanguageModel.LanguageModel, scripted.service),
      Effect.orDie,
      Effect.asVoid
    )
    const samples = { unbounded: new Array<number>(), laned: new Array<number>(), ratio: new Array<number>() }
    for (let round = 0; round < total; round++) {
      yield* Progress.update(`ai step: round ${round + 1}/${total}`, round, total)
      // Alternate which candidate goes first.
      const [first, second] = round % 2 === 0 ? [unbounded, laned] : [laned, unbounded]
      yield* Gc.collect
      const a = yield* Measure.millis(first)
      yield* Gc.collect
      const b = yield* Measure.millis(second)
      if (round < options.warmup) continue
      const [u, l] = round % 2 === 0 ? [a, b] : [b, a]
      samples.unbounded.push(u)
      samples.laned.push(l)
      samples.ratio.push(l / u)
    }
    return {
      calls: options.calls,
      latencyMillis: options.latencyMillis,
      rounds: options.rounds,
      unbounded: summarize(samples.unbounded),
      laned: summarize(samples.laned),
      ratio: summarize(samples.ratio)
    }
  }))

/**
 * The scenario's table.
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = (result: Result): Table => ({
  title:
    `Agent step on @effect/ai: ${result.calls} read-only tool calls of ${result.latencyMillis} ms, median of ${result.rounds} interleaved rounds (min–max)`,
  headers: ["step", "ms"],
  rows: [
    ["@effect/ai generateText, concurrency: \"unbounded\"", Format.summary(result.unbounded, 1)],
    ["effect-lanes/ai Agent.run, maxSteps: 1 (generate lane + LanedToolkit)", Format.summary(result.laned, 1)]
  ],
  notes: [
    `laned / unbounded, per round: ${Format.ratio(result.ratio.median)} (${Format.ratio(result.ratio.min)}–${
      Format.ratio(result.ratio.max)
    })`
  ]
})
