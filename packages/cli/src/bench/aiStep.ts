/**
 * The `ai` scenario: one agent step on `@effect/ai` whose scripted response calls a read-only tool 8 times, each
 * call taking 50 ms. @effect/ai's own resolution (`generateText` with `concurrency: "unbounded"`) against the
 * laned step (`Agent.run` with `maxSteps: 1`: the model call through the generate lane, the tool calls through
 * `LanedToolkit`), and against the laned step of the same response with one malformed call added (a call of a
 * tool the toolkit does not have), which `Agent.run` answers as a result while the 8 reads run; @effect/ai's
 * own resolution fails that response as a whole (`AiError.MalformedOutput`), which is checked once. Measured in
 * the same process, interleaved round by round (the order rotates, garbage is collected before each run). The
 * ratios are taken per round (laned / unbounded) and summarised.
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
  /** `Agent.run` with `maxSteps: 1` on the response with one malformed call added, ms per step. */
  readonly malformed: Summary
  /** malformed / unbounded, per round. */
  readonly malformedRatio: Summary
  /** What `generateText` with `concurrency: "unbounded"` did with the response with the malformed call. */
  readonly unboundedOnMalformed: string
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
    const reads = Array.from(
      { length: options.calls },
      (_, i) => ScriptedModel.toolCall(`c${i}`, "read_file", { path: `f${i}` })
    )
    const response = ScriptedModel.response(...reads)
    const withMalformed = ScriptedModel.response(...reads, ScriptedModel.toolCall("bad", "read_fil", { path: "x" }))
    // One response per step of each candidate.
    const scripted = yield* ScriptedModel.make({ responses: Array.from({ length: 2 * total }, () => response) })
    const malformedModel = yield* ScriptedModel.make({
      responses: Array.from({ length: total + 1 }, () => withMalformed)
    })
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
    const agentStep = (model: ScriptedModel.Scripted) =>
      Agent.run({ prompt: "read", toolkit, maxSteps: 1 }).pipe(
        Effect.flatMap((result) =>
          result.steps[0]?.toolResults.length === options.calls + (model === malformedModel ? 1 : 0)
            ? Effect.void
            : Effect.dieMessage("the step did not answer every call")
        ),
        Effect.provideService(LaneQueue.LaneQueue, queue),
        Effect.provideService(LanguageModel.LanguageModel, model.service),
        Effect.orDie
      )
    const laned = agentStep(scripted)
    const malformed = agentStep(malformedModel)
    // @effect/ai's own resolution of the response with the malformed call, once
    const unboundedOnMalformed = yield* LanguageModel.generateText({
      prompt: "read",
      toolkit,
      concurrency: "unbounded"
    }).pipe(
      Effect.provideService(LanguageModel.LanguageModel, malformedModel.service),
      Effect.match({ onFailure: (error) => `fails: ${error._tag}`, onSuccess: () => "completes" })
    )
    const samples = {
      unbounded: new Array<number>(),
      laned: new Array<number>(),
      ratio: new Array<number>(),
      malformed: new Array<number>(),
      malformedRatio: new Array<number>()
    }
    const contenders = [unbounded, laned, malformed]
    for (let round = 0; round < total; round++) {
      yield* Progress.update(`ai step: round ${round + 1}/${total}`, round, total)
      // Rotate which candidate goes first.
      const millis = [0, 0, 0]
      for (let k = 0; k < contenders.length; k++) {
        const which = (round + k) % contenders.length
        const contender = contenders[which]
        if (contender === undefined) continue
        yield* Gc.collect
        millis[which] = yield* Measure.millis(contender)
      }
      if (round < options.warmup) continue
      const [u = 0, l = 0, m = 0] = millis
      samples.unbounded.push(u)
      samples.laned.push(l)
      samples.ratio.push(l / u)
      samples.malformed.push(m)
      samples.malformedRatio.push(m / u)
    }
    return {
      calls: options.calls,
      latencyMillis: options.latencyMillis,
      rounds: options.rounds,
      unbounded: summarize(samples.unbounded),
      laned: summarize(samples.laned),
      ratio: summarize(samples.ratio),
      malformed: summarize(samples.malformed),
      malformedRatio: summarize(samples.malformedRatio),
      unboundedOnMalformed
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
    ["effect-lanes/ai Agent.run, maxSteps: 1 (generate lane + LanedToolkit)", Format.summary(result.laned, 1)],
    ["effect-lanes/ai Agent.run, one malformed call added (answered as a result)", Format.summary(result.malformed, 1)]
  ],
  notes: [
    `laned / unbounded, per round: ${Format.ratio(result.ratio.median)} (${Format.ratio(result.ratio.min)}–${
      Format.ratio(result.ratio.max)
    })`,
    `with the malformed call / unbounded, per round: ${Format.ratio(result.malformedRatio.median)} (${
      Format.ratio(result.malformedRatio.min)
    }–${
      Format.ratio(result.malformedRatio.max)
    }); @effect/ai's own resolution of that response ${result.unboundedOnMalformed}`
  ]
})
