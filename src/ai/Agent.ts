/**
 * An agent loop on `@effect/ai` with lanes as its scheduler: prompt -> model -> the response's tool calls
 * through the lanes (`LanedToolkit.execute`) -> the results appended to the prompt -> model again, until a
 * response calls no tool or `maxSteps` model calls were made.
 *
 * Every model call goes through the session's `generate` lane, so its concurrency, rate limit (default 60 per
 * minute), timeout and retry policy apply to it. Each step runs in an `Agent.step` span (attributes
 * `effect_lanes.step`, `effect_lanes.session_id`, `effect_lanes.calls`). Interrupting the loop interrupts the
 * model call or the tool calls in flight.
 *
 * A tool call never fails the loop: it becomes a result the model reads. That includes the mistakes real
 * models make (by default, `onMalformedCall: "return"`): a call of an unknown tool (the result names the tools
 * there are), arguments that do not decode (each bad field's path and what was expected), argument JSON that
 * does not parse, a call ID repeated within a response. Such a call does not run, its siblings run as planned,
 * and the loop goes on; the step lists it in `malformedCalls`. This holds on the providers' path too
 * (`@effect/ai-openai`, `@effect/ai-anthropic`), which decode through the same `LanguageModel`: `generateText`
 * fails a response with one bad call as a whole, and the loop reads that response again part by part. A
 * provider that cannot read a response at all (OpenAI's fails a response whose argument JSON does not parse,
 * and keeps none of its parts) leaves nothing to answer per call: the loop tells the model in a user message
 * (`Step.feedback`) and asks again, within `maxSteps`. `onMalformedCall: "fail"` fails the loop with
 * `AiError.MalformedOutput` instead, as `@effect/ai` does. A model call that fails for any other reason fails
 * the loop, with its `AiError` or the lane's `TaskTimeout`.
 *
 * Each step carries the plan its calls ran by (`Step.plan`: stages, calls, plans and their reasons), which is
 * also published as a `TurnPlanned` event and logged at Debug level.
 *
 * Streaming: not provided. `@effect/ai`'s `streamText` resolves tool calls per chunk inside its own stream,
 * and a stream does not fit a lane's permit (held until the consumer finishes); `run` is the supported path.
 *
 * @since 0.1.0
 */
import type * as AiError from "@effect/ai/AiError"
import type * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import type * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import * as Effect from "effect/Effect"
import * as internal from "../internal/ai/agent.js"
import type { QueueShutdown, TaskCancelled, TaskTimeout } from "../LaneError.js"
import type * as LaneQueue from "../LaneQueue.js"
import type * as Strategy from "../Strategy.js"
import type * as LanedToolkit from "./LanedToolkit.js"

/**
 * An option out of range, e.g. `maxSteps` that is not an integer >= 1; `field` names it.
 *
 * @since 0.1.0
 * @category errors
 */
export { InvalidAgentOptions } from "../internal/ai/agent.js"

/**
 * Settings of {@link run}: the prompt, the toolkit with its handlers, `maxSteps` (model calls at most,
 * default {@link defaultMaxSteps}), the model's `toolChoice`, `onMalformedCall` (`"return"`, the default: a
 * malformed call becomes an `InvalidCall` result and the loop goes on; `"fail"`: the loop fails with
 * `AiError.MalformedOutput`), and those of `LanedToolkit.execute` for the tool calls (`tools` declarations,
 * `retry`, `timeoutOf`, `needsApproval`, `approver`, the planner's options).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<Tools extends Record<string, Tool.Any>> extends LanedToolkit.Options {
  readonly prompt: Prompt.RawInput
  readonly toolkit: Toolkit.WithHandler<Tools>
  readonly maxSteps?: number | undefined
  readonly toolChoice?: LanguageModel.ToolChoice<Extract<keyof Tools, string>> | undefined
  readonly onMalformedCall?: "return" | "fail" | undefined
}

/**
 * One step (`index` counts from 1): the model's `response` (the calls that decoded, their params decoded
 * once; tool calls unresolved), the calls that could not run as given (`malformedCalls`), one result per call
 * in call order (`toolResults`, malformed calls included), the `plan` the calls ran by (none when no call
 * ran), and, when the provider could not read the response at all, the `feedback` the model was sent instead.
 *
 * @since 0.1.0
 * @category models
 */
export interface Step<Tools extends Record<string, Tool.Any>> {
  readonly index: number
  readonly response: LanguageModel.GenerateTextResponse<Tools>
  readonly malformedCalls: ReadonlyArray<LanedToolkit.MalformedCall>
  readonly toolResults: ReadonlyArray<LanedToolkit.ResultPart<Tools>>
  readonly plan: Strategy.TurnPlan | undefined
  readonly feedback?: string | undefined
}

/**
 * The outcome of a loop: the last response's text, every step, the whole conversation (the input prompt and
 * every response and tool result), and why it ended: `stop` (a response called no tool) or `maxSteps`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Result<Tools extends Record<string, Tool.Any>> {
  readonly text: string
  readonly steps: ReadonlyArray<Step<Tools>>
  readonly prompt: Prompt.Prompt
  readonly finishReason: "stop" | "maxSteps"
}

/**
 * What ends a loop early: the model's `AiError`, a bad option, or the generate lane's `QueueShutdown`,
 * `TaskTimeout` or `TaskCancelled` on a model call.
 *
 * @since 0.1.0
 * @category errors
 */
export type AgentError = AiError.AiError | internal.InvalidAgentOptions | QueueShutdown | TaskTimeout | TaskCancelled

/**
 * The model calls a loop makes at most by default: 10.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxSteps: number = internal.defaultMaxSteps

/**
 * Runs the agent loop with the `LanguageModel` and the session `LaneQueue` of the context.
 *
 * @since 0.1.0
 * @category running
 */
export const run = Effect.fn("Agent.run")(<Tools extends Record<string, Tool.Any>>(
  options: Options<Tools>
): Effect.Effect<
  Result<Tools>,
  AgentError,
  LanguageModel.LanguageModel | LaneQueue.LaneQueue | Tool.Requirements<Tools[keyof Tools]>
> => internal.run(options))
