import type * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Prompt from "@effect/ai/Prompt"
import type * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Agent from "../../ai/Agent.js"
import type { QueueShutdown, TaskCancelled, TaskTimeout } from "../../LaneError.js"
import * as LaneQueue from "../../LaneQueue.js"
import { execute, type ExecuteOptions } from "./executor.js"

/** @internal */
export class InvalidAgentOptions extends Schema.TaggedError<InvalidAgentOptions>()("InvalidAgentOptions", {
  field: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid agent option ${this.field}: ${this.reason}`
  }
}

type Options<Tools extends Record<string, Tool.Any>> = Agent.Options<Tools>
type Step<Tools extends Record<string, Tool.Any>> = Agent.Step<Tools>

/** @internal */
export interface Result<Tools extends Record<string, Tool.Any>> {
  readonly text: string
  readonly steps: ReadonlyArray<Step<Tools>>
  readonly prompt: Prompt.Prompt
  readonly finishReason: "stop" | "maxSteps"
}

/** @internal */
export type AgentError = AiError.AiError | InvalidAgentOptions | QueueShutdown | TaskTimeout | TaskCancelled

/** @internal */
export const defaultMaxSteps = 10

/** @internal The agent loop; see `Agent.run`. */
export const run = <Tools extends Record<string, Tool.Any>>(
  options: Options<Tools>
): Effect.Effect<
  Result<Tools>,
  AgentError,
  LanguageModel.LanguageModel | LaneQueue.LaneQueue | Tool.Requirements<Tools[keyof Tools]>
> =>
  Effect.gen(function*() {
    const { maxSteps = defaultMaxSteps, prompt: input, toolChoice, toolkit, ...executeOptions } = options
    if (!Number.isInteger(maxSteps) || maxSteps < 1) {
      return yield* new InvalidAgentOptions({ field: "maxSteps", reason: `expected an integer >= 1, got ${maxSteps}` })
    }
    const queue = yield* LaneQueue.LaneQueue
    const model = yield* LanguageModel.LanguageModel
    let prompt = Prompt.make(input)
    const steps: Array<Step<Tools>> = []
    for (let index = 1; index <= maxSteps; index++) {
      const step = yield* runStep(queue, model, toolkit, prompt, toolChoice, executeOptions, index).pipe(
        Effect.withSpan("Agent.step", { attributes: { step: index, sessionId: queue.sessionId } })
      )
      steps.push(step)
      prompt = Prompt.merge(prompt, Prompt.fromResponseParts([...step.response.content, ...step.toolResults]))
      if (step.toolResults.length === 0) {
        return { text: step.response.text, steps, prompt, finishReason: "stop" as const }
      }
    }
    const last = steps[steps.length - 1]
    return { text: last?.response.text ?? "", steps, prompt, finishReason: "maxSteps" as const }
  })

const runStep = <Tools extends Record<string, Tool.Any>>(
  queue: LaneQueue.LaneQueue,
  model: LanguageModel.Service,
  toolkit: Toolkit.WithHandler<Tools>,
  prompt: Prompt.Prompt,
  toolChoice: LanguageModel.ToolChoice<Extract<keyof Tools, string>> | undefined,
  options: ExecuteOptions,
  index: number
): Effect.Effect<
  Step<Tools>,
  AiError.AiError | QueueShutdown | TaskTimeout | TaskCancelled,
  Tool.Requirements<Tools[keyof Tools]>
> =>
  Effect.gen(function*() {
    const response = yield* queue.submit(
      "generate",
      model.generateText({
        prompt,
        toolkit,
        disableToolCallResolution: true,
        ...(toolChoice === undefined ? {} : { toolChoice })
      })
    )
    const calls = response.toolCalls.filter((call) => !call.providerExecuted)
    yield* Effect.annotateCurrentSpan({ toolCalls: calls.length })
    const toolResults = calls.length === 0 ? [] : yield* execute(queue, toolkit, calls, options)
    return { index, response, toolResults }
  })
