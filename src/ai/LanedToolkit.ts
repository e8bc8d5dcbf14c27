/**
 * Lanes as the tool executor of an `@effect/ai` toolkit: the tool calls of one model response run through
 * `Strategy.runTurn` (waves in call order, each call in its lane, one outcome per call, failures isolated),
 * planned by the traits the tools' annotations state (`Tool.Readonly`, `Tool.Destructive`, `Tool.Idempotent`,
 * `Tool.OpenWorld`, MCP's hints), and come back as the tool-result parts `@effect/ai` puts into the next
 * prompt (`Prompt.fromResponseParts`).
 *
 * A call that fails, times out in its lane, is cancelled or cannot be decoded becomes a failure result the
 * model can read (`isFailure: true`), never a failed turn: a tool's own typed failure is encoded with its
 * failure schema; anything else is a {@link ToolCallFailure}. Calls of idempotent tools are retried (policy
 * `retry`, default {@link defaultRetry}); no other call is. A lane's own retry policy retries every task of the
 * lane, so leave the query and execute lanes' `retry` at none when tools are not all idempotent.
 *
 * Use it with `LanguageModel.generateText({ ..., disableToolCallResolution: true })`, or let `Agent.run`
 * drive the whole loop.
 *
 * @since 0.1.0
 */
import type * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Response from "@effect/ai/Response"
import type * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import * as Effect from "effect/Effect"
import * as internal from "../internal/ai/executor.js"
import type * as LaneQueue from "../LaneQueue.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import type * as Strategy from "../Strategy.js"
import type * as ToolTraits from "../ToolTraits.js"

/**
 * Why a call has no result of its tool: `Failed` (the tool failed, or its handler died with an error that is
 * not the tool's typed failure), `InvalidCall` (an unknown tool, arguments that do not decode, a result that
 * does not validate), `TimedOut` (the lane's timeout), `Cancelled` (`queue.cancel`), `QueueShutdown`,
 * `Interrupted`, `Defect`.
 *
 * @since 0.1.0
 * @category models
 */
export type FailureReason = typeof internal.FailureReason.Type

/**
 * The result of a call that has no result of its own tool: the tool's name, why, and a one-line message.
 * Its encoded form, `{ _tag: "ToolCallFailure", tool, reason, message }`, is what the model reads.
 *
 * @since 0.1.0
 * @category models
 */
export { ToolCallFailure } from "../internal/ai/executor.js"

/**
 * The tool-result part of one call: `Response.ToolResultPart` of `@effect/ai`, whose `result` is the tool's
 * success or failure, or a {@link ToolCallFailure}; `encodedResult` is what goes into the next prompt.
 *
 * @since 0.1.0
 * @category models
 */
export type ResultPart<Tools extends Record<string, Tool.Any>> = internal.ResultPart<Tools>

/**
 * Settings of {@link execute}: those of `Strategy.runTurn` (the session's strategy settings are the base;
 * `tools` declarations win over the tools' annotations, field by field), plus `retry`, the policy for calls
 * of idempotent tools (default {@link defaultRetry}; `RetryPolicy.none` turns retries off).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Strategy.RunTurnOptions {
  readonly retry?: RetryPolicy.RetryPolicy | undefined
}

/**
 * The retry policy of idempotent calls by default: 2 retries, 100 ms then 200 ms apart. The retries run inside
 * the call's lane task, so the lane's timeout covers every attempt. A tool's typed failure or a failed request
 * (an `AiError` other than a malformed input or output) is retried; an invalid call, a defect, a timeout, a
 * cancellation or a shutdown is not.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRetry: RetryPolicy.RetryPolicy = internal.defaultRetry

/**
 * The traits a tool's annotations state (`Tool.Readonly` -> `readOnly`, `Tool.Destructive` -> `destructive`,
 * `Tool.Idempotent` -> `idempotent`, `Tool.OpenWorld` -> `openWorld`). An annotation the tool does not set is
 * absent, so that declarations and routing fill it before MCP's defaults do.
 *
 * @since 0.1.0
 * @category traits
 */
export const traitsOf: (tool: Tool.Any) => Partial<ToolTraits.ToolTraits> = internal.traitsOf

/**
 * Tool declarations for `Strategy` from a toolkit's tools: each tool's annotated traits, under the
 * application's `declared` specs (a declared trait wins; `lane`, `classify`, `resources` and `latencyMillis`
 * come from the declaration).
 *
 * @since 0.1.0
 * @category traits
 */
export const specsOf: (tools: Record<string, Tool.Any>, declared?: ToolTraits.ToolSpecs) => ToolTraits.ToolSpecs =
  internal.specsOf

/**
 * Runs one response's tool calls (e.g. `response.toolCalls`) through the session's lanes and returns one
 * tool-result part per call, in call order. Never fails; requires what the tools' handlers require.
 * Interrupting it interrupts every call still waiting or running.
 *
 * The toolkit decodes each call's `params` again (as `@effect/ai` does with the model's raw params), so a
 * parameter schema whose decoded form does not decode again (e.g. `NumberFromString`) yields `InvalidCall`.
 *
 * @since 0.1.0
 * @category running
 */
export const execute = Effect.fn("LanedToolkit.execute")(<Tools extends Record<string, Tool.Any>>(
  queue: LaneQueue.LaneQueue,
  toolkit: Toolkit.WithHandler<Tools>,
  calls: ReadonlyArray<Response.ToolCallParts<Tools>>,
  options: Options = {}
): Effect.Effect<Array<ResultPart<Tools>>, never, Tool.Requirements<Tools[keyof Tools]>> =>
  internal.execute(queue, toolkit, calls, options)
)

/**
 * {@link execute} for the tool calls of a response that `generateText` returned with
 * `disableToolCallResolution: true` (calls the provider ran itself are skipped).
 *
 * @since 0.1.0
 * @category running
 */
export const resolve = <Tools extends Record<string, Tool.Any>>(
  queue: LaneQueue.LaneQueue,
  toolkit: Toolkit.WithHandler<Tools>,
  response: LanguageModel.GenerateTextResponse<Tools>,
  options: Options = {}
): Effect.Effect<Array<ResultPart<Tools>>, never, Tool.Requirements<Tools[keyof Tools]>> =>
  execute(queue, toolkit, response.toolCalls.filter((call) => !call.providerExecuted), options)
