import * as AiError from "@effect/ai/AiError"
import * as Response from "@effect/ai/Response"
import * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { QueueShutdown, TaskCancelled, TaskTimeout } from "../../LaneError.js"
import type * as LaneQueue from "../../LaneQueue.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import * as Strategy from "../../Strategy.js"
import type * as ToolTraits from "../../ToolTraits.js"
import { describeCause, describeError } from "../describeCause.js"

/** @internal */
export const FailureReason = Schema.Literal(
  "Failed",
  "InvalidCall",
  "TimedOut",
  "Cancelled",
  "QueueShutdown",
  "Interrupted",
  "Defect"
)

/** @internal */
export class ToolCallFailure extends Schema.TaggedClass<ToolCallFailure>()("ToolCallFailure", {
  tool: Schema.String,
  reason: FailureReason,
  message: Schema.String
}) {}

/** @internal */
export type ResultPart<Tools extends Record<string, Tool.Any>> = Response.ToolResultPart<
  Response.ToolCallParts<Tools>["name"],
  Tool.Result<Tools[keyof Tools]> | ToolCallFailure,
  Tool.Result<Tools[keyof Tools]> | ToolCallFailure
>

/** @internal */
export interface ExecuteOptions extends Strategy.RunTurnOptions {
  readonly retry?: RetryPolicy.RetryPolicy | undefined
}

/** @internal */
export const defaultRetry: RetryPolicy.RetryPolicy = RetryPolicy.exponential({ retries: 2, initial: "100 millis" })

/** The value of an annotation the tool states, `undefined` when it relies on the default. */
const stated = <I>(tool: Tool.Any, tag: Context.Reference<I, boolean>): boolean | undefined =>
  tool.annotations.unsafeMap.has(tag.key) ? Context.get(tool.annotations, tag) : undefined

/** @internal The traits a tool's annotations state; unstated ones stay absent. */
export const traitsOf = (tool: Tool.Any): Partial<ToolTraits.ToolTraits> => {
  const traits: { -readonly [K in keyof ToolTraits.ToolTraits]?: boolean } = {}
  const readOnly = stated(tool, Tool.Readonly)
  const destructive = stated(tool, Tool.Destructive)
  const idempotent = stated(tool, Tool.Idempotent)
  const openWorld = stated(tool, Tool.OpenWorld)
  if (readOnly !== undefined) traits.readOnly = readOnly
  if (destructive !== undefined) traits.destructive = destructive
  if (idempotent !== undefined) traits.idempotent = idempotent
  if (openWorld !== undefined) traits.openWorld = openWorld
  return traits
}

/** @internal One declaration per tool of the toolkit, from its annotations, under the application's own. */
export const specsOf = (
  tools: Record<string, Tool.Any>,
  declared: ToolTraits.ToolSpecs = {}
): ToolTraits.ToolSpecs => {
  const specs: Record<string, ToolTraits.ToolSpec> = { ...declared }
  for (const [name, tool] of Object.entries(tools)) {
    const own = declared[name]
    specs[name] = { ...own, traits: { ...traitsOf(tool), ...own?.traits } }
  }
  return specs
}

const failurePart = <Tools extends Record<string, Tool.Any>>(
  call: Response.ToolCallParts<Tools>,
  reason: typeof FailureReason.Type,
  message: string
): ResultPart<Tools> => {
  const failure = new ToolCallFailure({ tool: call.name, reason, message })
  return resultPart(call, failure, Schema.encodeSync(ToolCallFailure)(failure), true)
}

const resultPart = <Tools extends Record<string, Tool.Any>>(
  call: Response.ToolCallParts<Tools>,
  result: Tool.Result<Tools[keyof Tools]> | ToolCallFailure,
  encodedResult: unknown,
  isFailure: boolean
): ResultPart<Tools> => ({
  [Response.PartTypeId]: Response.PartTypeId,
  type: "tool-result",
  id: call.id,
  name: call.name,
  result,
  encodedResult,
  isFailure,
  providerExecuted: false,
  metadata: {},
  ...(call.providerName === undefined ? {} : { providerName: call.providerName })
})

/** An unknown tool, arguments that do not decode, a result that does not validate: retrying cannot help. */
const isInvalidCall = (error: unknown): error is AiError.MalformedInput | AiError.MalformedOutput =>
  error instanceof AiError.MalformedInput || error instanceof AiError.MalformedOutput

/** The encoded form of a tool's typed failure, through its failure schema; none if it does not encode. */
const encodeFailure = (tool: Tool.Any | undefined, error: unknown): Option.Option<unknown> => {
  if (tool === undefined) return Option.none()
  const encoded = ParseResult.encodeUnknownEither(Schema.make<unknown, unknown, never>(tool.failureSchema.ast))(error)
  return Either.getRight(encoded)
}

/** @internal What the model reads for one call's outcome: the tool's result, or a failure it can act on. */
export const toResultPart = <Tools extends Record<string, Tool.Any>>(
  toolkit: Toolkit.WithHandler<Tools>,
  call: Response.ToolCallParts<Tools>,
  exit: Exit.Exit<
    Tool.HandlerResult<Tools[keyof Tools]>,
    Tool.Failure<Tools[keyof Tools]> | TaskTimeout | TaskCancelled | QueueShutdown
  >
): ResultPart<Tools> => {
  if (Exit.isSuccess(exit)) {
    return resultPart(call, exit.value.result, exit.value.encodedResult, exit.value.isFailure)
  }
  const cause = exit.cause
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (error instanceof TaskTimeout) return failurePart(call, "TimedOut", error.message)
    if (error instanceof TaskCancelled) return failurePart(call, "Cancelled", error.message)
    if (error instanceof QueueShutdown) return failurePart(call, "QueueShutdown", error.message)
    if (isInvalidCall(error)) return failurePart(call, "InvalidCall", error.message)
    if (AiError.isAiError(error)) return failurePart(call, "Failed", describeError(error))
    const encoded = encodeFailure(toolkit.tools[call.name], error)
    if (Option.isSome(encoded)) return resultPart(call, error, encoded.value, true)
    return failurePart(call, "Failed", describeError(error))
  }
  if (Cause.isInterruptedOnly(cause)) return failurePart(call, "Interrupted", "the call was interrupted")
  return failurePart(call, "Defect", describeCause(cause))
}

/** @internal A tool-call part as the planner sees it: id, tool name, params as arguments. */
export const callOf = <Tools extends Record<string, Tool.Any>>(
  call: Response.ToolCallParts<Tools>
): Strategy.ToolCall => ({ id: call.id, name: call.name, args: call.params })

/**
 * @internal Runs one response's tool calls through `Strategy.runTurn` and returns one result part per call,
 * in call order. Never fails: a failure, timeout or cancellation becomes a failure result.
 */
export const execute = <Tools extends Record<string, Tool.Any>>(
  queue: LaneQueue.LaneQueue,
  toolkit: Toolkit.WithHandler<Tools>,
  calls: ReadonlyArray<Response.ToolCallParts<Tools>>,
  options: ExecuteOptions = {}
): Effect.Effect<Array<ResultPart<Tools>>, never, Tool.Requirements<Tools[keyof Tools]>> => {
  const { retry = defaultRetry, ...turnOptions } = options
  const tools = specsOf(toolkit.tools, { ...queue.settings.strategy.tools, ...options.tools })
  const schedule = RetryPolicy.toSchedule(retry)
  const byCall = new Map<Strategy.ToolCall, Response.ToolCallParts<Tools>>()
  const turn = calls.map((call) => {
    const toolCall = callOf(call)
    byCall.set(toolCall, call)
    return toolCall
  })
  const run = (toolCall: Strategy.ToolCall) => {
    const call = byCall.get(toolCall)
    if (call === undefined) return Effect.dieMessage(`unknown tool call ${toolCall.id}`)
    const handled = toolkit.handle(call.name, call.params)
    if (!Strategy.traitsOf(toolCall, { tools }).idempotent) return handled
    return Effect.retry(handled, { schedule, while: (error) => !isInvalidCall(error) })
  }
  return Effect.map(
    Strategy.runTurn(queue, turn, run, { ...turnOptions, tools }),
    (exits) => calls.map((call, i) => toResultPart(toolkit, call, exits[i] ?? Exit.die("no outcome")))
  )
}
