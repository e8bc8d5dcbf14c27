import type * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Prompt from "@effect/ai/Prompt"
import type * as Response from "@effect/ai/Response"
import type * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Agent from "../../ai/Agent.js"
import type * as LanedToolkit from "../../ai/LanedToolkit.js"
import type { QueueShutdown, TaskCancelled, TaskTimeout } from "../../LaneError.js"
import * as LaneQueue from "../../LaneQueue.js"
import { isUnparsableArguments, rawPartsOf, type Read, readRaw, readResponse, unreadableResponse } from "./calls.js"
import { executeEntries } from "./executor.js"

/** @internal */
export class InvalidAgentOptions extends Schema.TaggedError<InvalidAgentOptions>()("InvalidAgentOptions", {
  field: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid agent option ${this.field}: ${this.reason}`
  }
}

/** @internal */
export const defaultMaxSteps = 10

type Requirements<Tools extends Record<string, Tool.Any>> =
  | LanguageModel.LanguageModel
  | LaneQueue.LaneQueue
  | Tool.Requirements<Tools[keyof Tools]>

/** A step, with the parts of its response as the model sent them (for the next prompt). */
interface Ran<Tools extends Record<string, Tool.Any>> {
  readonly step: Agent.Step<Tools>
  readonly parts: ReadonlyArray<Response.AnyPart>
}

/** @internal The agent loop; see `Agent.run`. */
export const run = <Tools extends Record<string, Tool.Any>>(
  options: Agent.Options<Tools>
): Effect.Effect<Agent.Result<Tools>, Agent.AgentError, Requirements<Tools>> =>
  Effect.gen(function*() {
    const {
      maxSteps = defaultMaxSteps,
      onMalformedCall = "return",
      prompt: input,
      toolChoice,
      toolkit,
      ...executeOptions
    } = options
    if (!Number.isInteger(maxSteps) || maxSteps < 1) {
      return yield* new InvalidAgentOptions({ field: "maxSteps", reason: `expected an integer >= 1, got ${maxSteps}` })
    }
    if (onMalformedCall !== "return" && onMalformedCall !== "fail") {
      return yield* new InvalidAgentOptions({
        field: "onMalformedCall",
        reason: `expected "return" or "fail", got ${JSON.stringify(String(onMalformedCall))}`
      })
    }
    const queue = yield* LaneQueue.LaneQueue
    const model = yield* LanguageModel.LanguageModel
    let prompt = Prompt.make(input)
    const steps: Array<Agent.Step<Tools>> = []
    const generate = (current: Prompt.Prompt) =>
      model.generateText({
        prompt: current,
        toolkit,
        disableToolCallResolution: true,
        ...(toolChoice === undefined ? {} : { toolChoice })
      })
    for (let index = 1; index <= maxSteps; index++) {
      const ran = yield* runStep(queue, toolkit, generate(prompt), onMalformedCall, executeOptions, index).pipe(
        Effect.withSpan("Agent.step", {
          attributes: { "effect_lanes.step": index, "effect_lanes.session_id": queue.sessionId }
        })
      )
      const step = ran.step
      steps.push(step)
      prompt = Prompt.merge(
        prompt,
        step.feedback === undefined
          ? Prompt.fromResponseParts([...ran.parts, ...step.toolResults])
          : Prompt.make(step.feedback)
      )
      if (step.feedback === undefined && step.toolResults.length === 0) {
        return { text: step.response.text, steps, prompt, finishReason: "stop" as const }
      }
    }
    const last = steps[steps.length - 1]
    return { text: last?.response.text ?? "", steps, prompt, finishReason: "maxSteps" as const }
  })

/** What a model call gave: a response to answer call by call, or only feedback for the model. */
type Reading<Tools extends Record<string, Tool.Any>> =
  | { readonly read: Read<Tools>; readonly feedback?: undefined }
  | { readonly read?: undefined; readonly feedback: string }

/**
 * A response as the loop reads it. With `"return"`, a response `generateText` could not decode is read part by
 * part (malformed calls answered, not run); one the provider could not read at all becomes feedback. Runs
 * inside the generate lane's task, so the lane sees a model call that answered.
 */
const reading = <Tools extends Record<string, Tool.Any>>(
  toolkit: Toolkit.WithHandler<Tools>,
  generated: Effect.Effect<LanguageModel.GenerateTextResponse<Tools>, AiError.AiError>,
  onMalformedCall: "return" | "fail"
): Effect.Effect<Reading<Tools>, AiError.AiError> => {
  if (onMalformedCall === "fail") {
    return Effect.map(generated, (response) => ({
      read: {
        response,
        entries: response.toolCalls.filter((call) => !call.providerExecuted).map((call) => ({ call })),
        parts: response.content
      }
    }))
  }
  return Effect.catchAll(
    Effect.map(generated, (response): Reading<Tools> => ({ read: readResponse(response) })),
    (error): Effect.Effect<Reading<Tools>, AiError.AiError> =>
      Option.match(Option.flatMap(rawPartsOf(error), (raw) => readRaw(toolkit, raw)), {
        onSome: (read) => Effect.succeed({ read }),
        onNone: () =>
          isUnparsableArguments(error) ? Effect.succeed({ feedback: unreadableResponse(error) }) : Effect.fail(error)
      })
  )
}

const runStep = <Tools extends Record<string, Tool.Any>>(
  queue: LaneQueue.LaneQueue,
  toolkit: Toolkit.WithHandler<Tools>,
  generated: Effect.Effect<LanguageModel.GenerateTextResponse<Tools>, AiError.AiError>,
  onMalformedCall: "return" | "fail",
  options: LanedToolkit.Options,
  index: number
): Effect.Effect<
  Ran<Tools>,
  AiError.AiError | QueueShutdown | TaskTimeout | TaskCancelled,
  Tool.Requirements<Tools[keyof Tools]>
> =>
  Effect.gen(function*() {
    const answer = yield* queue.submit("generate", reading(toolkit, generated, onMalformedCall))
    if (answer.feedback !== undefined) {
      const response = new LanguageModel.GenerateTextResponse<Tools>([])
      const step = { index, response, malformedCalls: [], toolResults: [], plan: undefined, feedback: answer.feedback }
      return { step, parts: [] }
    }
    const { entries, parts, response } = answer.read
    yield* Effect.annotateCurrentSpan({ "effect_lanes.calls": entries.length })
    const executed = entries.length === 0
      ? { parts: [], plan: undefined }
      : yield* executeEntries(queue, toolkit, entries, options)
    const step: Agent.Step<Tools> = {
      index,
      response,
      malformedCalls: entries.flatMap((entry) => entry.malformed ?? []),
      toolResults: executed.parts,
      plan: executed.plan?.()
    }
    return { step, parts }
  })
