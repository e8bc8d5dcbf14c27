/**
 * Lanes as the tool executor of an `@effect/ai` toolkit: the tool calls of one model response run through
 * `Strategy.runTurn` (waves in call order, each call in its lane, one outcome per call, failures isolated),
 * planned by the traits the tools' annotations state (`Tool.Readonly`, `Tool.Destructive`, `Tool.Idempotent`,
 * `Tool.OpenWorld`, MCP's hints), and come back as the tool-result parts `@effect/ai` puts into the next
 * prompt (`Prompt.fromResponseParts`).
 *
 * Every call gets a result the model can read, never a failed turn:
 *
 * - a tool's own typed failure is encoded with its **failure** schema (also with `failureMode: "return"`,
 *   where `@effect/ai` would encode it through the success-first union of success and failure);
 * - a call of an unknown tool, or whose arguments do not decode, is an `InvalidCall` failure naming the tool
 *   and the tools there are, or each bad field's path and what was expected; its siblings run as planned;
 * - a call past its deadline is `TimedOut`, naming the limit: its own (`timeoutOf`), its tool's
 *   ({@link Timeout} annotation, or a `timeout` declaration), or its lane's, which stays the outer bound;
 * - a call that needs approval ({@link RequiresApproval}, or `needsApproval`) and is denied never runs and is
 *   `Denied`, with the approver's reason;
 * - anything else is a {@link ToolCallFailure}.
 *
 * Parameters are decoded once: a call's `params` are already decoded (by `generateText`), so a tool whose
 * parameter schema transforms (e.g. `NumberFromString`) gets them encoded back before the toolkit decodes them.
 *
 * Calls that need approval are all asked for at once, when the calls arrive, through the `Approver` service
 * (or `approver`); each runs as soon as its approval and its wave allow, holding no lane permit while it waits,
 * so a read of the same response finishes while a write waits for a human.
 *
 * Calls of idempotent tools are retried (policy `retry`, default {@link defaultRetry}); no other call is. A
 * lane's own retry policy retries every task of the lane, so leave the query and execute lanes' `retry` at
 * none when tools are not all idempotent.
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
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as internal from "../internal/ai/executor.js"
import type * as failure from "../internal/ai/failure.js"
import type * as LaneQueue from "../LaneQueue.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import type * as Strategy from "../Strategy.js"
import type * as ToolTraits from "../ToolTraits.js"
import type * as Approver from "./Approver.js"

/**
 * Why a call has no result of its own tool: `Failed` (the tool failed, or its handler died with an error that
 * is not the tool's typed failure), `InvalidCall` (an unknown tool, arguments that do not decode or parse, a
 * repeated call ID, a result that does not validate), `TimedOut` (its deadline or its lane's timeout),
 * `Denied` (its approval was refused), `Cancelled` (`queue.cancel`), `QueueShutdown`, `Interrupted`, `Defect`.
 *
 * @since 0.1.0
 * @category models
 */
export type FailureReason = typeof failure.FailureReason.Type

/**
 * The result of a call that has no result of its own tool: the tool's name, why, and a short message the model
 * can act on (cut at 2,000 characters). Its encoded form, `{ _tag: "ToolCallFailure", tool, reason, message }`,
 * is what the model reads.
 *
 * @since 0.1.0
 * @category models
 */
export { ToolCallFailure } from "../internal/ai/failure.js"

/**
 * The tool-result part of one call: `Response.ToolResultPart` of `@effect/ai`, whose `result` is the tool's
 * success or failure, or a {@link ToolCallFailure}; `encodedResult` is what goes into the next prompt. Its
 * `name` is the name the model gave, which for a call of an unknown tool is none of the toolkit's.
 *
 * @since 0.1.0
 * @category models
 */
export type ResultPart<Tools extends Record<string, Tool.Any>> = Response.ToolResultPart<
  string,
  Tool.Result<Tools[keyof Tools]> | failure.ToolCallFailure,
  Tool.Result<Tools[keyof Tools]> | failure.ToolCallFailure
>

/**
 * A call of a response that could not be run as given: its ID and tool name as the model sent them (either
 * may be empty), its `params` as sent, and the message the model reads back (an `InvalidCall` result).
 *
 * @since 0.1.0
 * @category models
 */
export interface MalformedCall {
  readonly id: string
  readonly name: string
  readonly params: unknown
  readonly message: string
}

/**
 * Settings of {@link execute}: those of `Strategy.runTurn` (the session's strategy settings are the base;
 * `tools` declarations win over the tools' annotations, field by field), plus
 *
 * - `retry`: the policy for calls of idempotent tools (default {@link defaultRetry}; `RetryPolicy.none`
 *   turns retries off);
 * - `timeoutOf`: a call's own deadline (given the call's part, its `params` decoded), winning over its tool's ({@link Timeout}, or a declared `timeout`);
 *   `undefined` keeps the tool's;
 * - `needsApproval`: whether a call needs approval, besides every call of a tool annotated
 *   {@link RequiresApproval};
 * - `approver`: who approves; default the `Approver` service of the context. With neither, a call that needs
 *   approval is denied (it never runs).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Strategy.RunTurnOptions {
  readonly retry?: RetryPolicy.RetryPolicy | undefined
  readonly timeoutOf?:
    | ((call: Response.ToolCallPart<string, unknown>) => Duration.DurationInput | undefined)
    | undefined
  readonly needsApproval?: ((call: Response.ToolCallPart<string, unknown>) => boolean) | undefined
  readonly approver?: Approver.Service | undefined
}

/**
 * The annotation of a tool's deadline: each call of it is interrupted once it has run that long and answers
 * a `TimedOut` result naming the limit (`Tool.make(...).annotate(LanedToolkit.Timeout, "300 millis")`). A
 * declared `timeout` (`tools` of the options) wins over it, a call's own (`timeoutOf`) over both; the lane's
 * timeout stays the outer bound.
 *
 * @since 0.1.0
 * @category annotations
 */
export { Timeout } from "../internal/ai/annotations.js"

/**
 * The annotation of a tool whose calls need approval before they run (default `false`): every such call of a
 * response is asked for at once, through the `Approver`.
 *
 * @since 0.1.0
 * @category annotations
 */
export { RequiresApproval } from "../internal/ai/annotations.js"

/**
 * The annotation of a tool's per-call classifier: its traits from each call's arguments (e.g. a shell tool
 * whose `ls` is read-only and whose `rm` is not), as a declaration's `classify`; a declared one wins.
 *
 * @since 0.1.0
 * @category annotations
 */
export { Classifier } from "../internal/ai/annotations.js"

/**
 * The retry policy of idempotent calls by default: 2 retries, 100 ms then 200 ms apart. The retries run inside
 * the call's lane task, so the lane's timeout (and the call's deadline) covers every attempt. A tool's typed
 * failure or a failed request (an `AiError` other than a malformed input or output) is retried; an invalid
 * call, a defect, a timeout, a cancellation or a shutdown is not.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRetry: RetryPolicy.RetryPolicy = internal.defaultRetry

/**
 * The traits a tool's annotations state (`Tool.Readonly` -> `readOnly`, `Tool.Destructive` -> `destructive`,
 * `Tool.Idempotent` -> `idempotent`, `Tool.OpenWorld` -> `openWorld`), with @effect/ai's (MCP's) defaults for
 * those it does not state; a tool's name never counts.
 *
 * @since 0.1.0
 * @category traits
 */
export const traitsOf: (tool: Tool.Any) => ToolTraits.ToolTraits = internal.traitsOf

/**
 * Tool declarations for `Strategy` from a toolkit's tools: each tool's annotated traits, deadline
 * ({@link Timeout}) and classifier ({@link Classifier}), under the application's `declared` specs (a declared
 * trait or field wins; `lane`, `resources` and `latencyMillis` come from the declaration).
 *
 * @since 0.1.0
 * @category traits
 */
export const specsOf: (tools: Record<string, Tool.Any>, declared?: ToolTraits.ToolSpecs) => ToolTraits.ToolSpecs =
  internal.specsOf

/**
 * Runs one response's tool calls (e.g. `response.toolCalls`) through the session's lanes and returns one
 * tool-result part per call, in call order. Never fails; requires what the tools' handlers require.
 * Interrupting it interrupts every call still waiting or running, and every approval still asked for.
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
