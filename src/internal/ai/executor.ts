import * as AiError from "@effect/ai/AiError"
import * as Response from "@effect/ai/Response"
import * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import * as Approver from "../../ai/Approver.js"
import type * as LanedToolkit from "../../ai/LanedToolkit.js"
import { CallTimeout, QueueShutdown, TaskCancelled, TaskTimeout } from "../../LaneError.js"
import type * as LaneQueue from "../../LaneQueue.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import * as Strategy from "../../Strategy.js"
import * as ToolTraits from "../../ToolTraits.js"
import { describeCause, describeError } from "../describeCause.js"
import { type CallExit, runTurnWith, type TurnOutcome } from "../strategy/runTurn.js"
import { Classifier, RequiresApproval, Timeout } from "./annotations.js"
import { checkCalls, type Entry, invalidArguments } from "./calls.js"
import { ToolCallFailure } from "./failure.js"

type ResultPart<Tools extends Record<string, Tool.Any>> = LanedToolkit.ResultPart<Tools>
type Options = LanedToolkit.Options

/** @internal */
export const defaultRetry: RetryPolicy.RetryPolicy = RetryPolicy.exponential({ retries: 2, initial: "100 millis" })

/** The value of an annotation the tool states, `undefined` when it relies on the default. */
const stated = <I>(tool: Tool.Any, tag: Context.Reference<I, boolean>): boolean | undefined =>
  tool.annotations.unsafeMap.has(tag.key) ? Context.get(tool.annotations, tag) : undefined

/**
 * @internal A tool's traits: its annotations, and @effect/ai's defaults (MCP's) for those it does not state.
 * Complete on purpose: a tool's name never makes it read-only (name routing applies to tools declared by name
 * only, not to @effect/ai tools, which carry their own annotations).
 */
export const traitsOf = (tool: Tool.Any): ToolTraits.ToolTraits => ({
  readOnly: stated(tool, Tool.Readonly) ?? ToolTraits.defaults.readOnly,
  destructive: stated(tool, Tool.Destructive) ?? ToolTraits.defaults.destructive,
  idempotent: stated(tool, Tool.Idempotent) ?? ToolTraits.defaults.idempotent,
  openWorld: stated(tool, Tool.OpenWorld) ?? ToolTraits.defaults.openWorld
})

/** @internal One declaration per tool of the toolkit, from its annotations, under the application's own. */
export const specsOf = (
  tools: Record<string, Tool.Any>,
  declared: ToolTraits.ToolSpecs = {}
): ToolTraits.ToolSpecs => {
  const specs: Record<string, ToolTraits.ToolSpec> = { ...declared }
  for (const [name, tool] of Object.entries(tools)) {
    const own = declared[name]
    const timeout = own?.timeout ?? Option.getOrUndefined(Context.getOption(tool.annotations, Timeout))
    const classify = own?.classify ?? Option.getOrUndefined(Context.getOption(tool.annotations, Classifier))
    specs[name] = {
      ...own,
      traits: { ...traitsOf(tool), ...own?.traits },
      ...(timeout === undefined ? {} : { timeout }),
      ...(classify === undefined ? {} : { classify })
    }
  }
  return specs
}

/** @internal A call that waited for its approval and was refused; it never ran. */
export class ApprovalDenied extends Data.TaggedError("ApprovalDenied")<{ readonly reason: string }> {}

/** The most characters of a failure message the model gets back (an echo of huge params is cut). */
const maxMessage = 2000

const cut = (message: string): string =>
  message.length <= maxMessage
    ? message
    : `${message.slice(0, maxMessage)}… (${message.length - maxMessage} more characters)`

/** Whether a value survives `JSON.stringify`, as every provider sends the encoded result. */
const serialisable = (value: unknown): boolean => {
  try {
    JSON.stringify(value)
    return true
  } catch {
    return false
  }
}

/** The names of a call as a result part repeats them. */
interface CallNames {
  readonly id: string
  readonly name: string
  readonly providerName?: string | undefined
}

const resultPart = <Tools extends Record<string, Tool.Any>>(
  call: CallNames,
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

const failurePart = <Tools extends Record<string, Tool.Any>>(
  call: CallNames,
  reason: LanedToolkit.FailureReason,
  message: string
): ResultPart<Tools> => {
  const failure = new ToolCallFailure({ tool: call.name, reason, message: cut(message) })
  return resultPart(call, failure, Schema.encodeSync(ToolCallFailure)(failure), true)
}

/** An unknown tool, arguments that do not decode, a result that does not validate: retrying cannot help. */
const isInvalidCall = (error: unknown): error is AiError.MalformedInput | AiError.MalformedOutput =>
  error instanceof AiError.MalformedInput || error instanceof AiError.MalformedOutput

/** A tool's failure schema, with no requirements (a tool's schemas have none). */
const failureSchemaOf = (tool: Tool.Any) => Schema.make<unknown, unknown, never>(tool.failureSchema.ast)

/** The encoded form of a tool's typed failure, through its failure schema; none if it does not encode. */
const encodeFailure = (tool: Tool.Any | undefined, error: unknown): Option.Option<unknown> =>
  tool === undefined ? Option.none() : Either.getRight(ParseResult.encodeUnknownEither(failureSchemaOf(tool))(error))

const millis = (duration: Duration.Duration): string => Duration.format(duration)

/** @internal What the model reads for one call's outcome: the tool's result, or a failure it can act on. */
export const toResultPart = <Tools extends Record<string, Tool.Any>>(
  tool: Tool.Any | undefined,
  call: CallNames,
  exit: CallExit<
    Tool.HandlerResult<Tools[keyof Tools]>,
    Tool.Failure<Tools[keyof Tools]> | AiError.AiError | ApprovalDenied
  >
): ResultPart<Tools> => {
  if (Exit.isSuccess(exit)) {
    const { encodedResult, isFailure, result } = exit.value
    // @effect/ai encodes a returned failure through the union of success and failure, success first
    const encoded = isFailure ? Option.getOrElse(encodeFailure(tool, result), () => encodedResult) : encodedResult
    return serialisable(encoded)
      ? resultPart(call, result, encoded, isFailure)
      : failurePart(call, "InvalidCall", "the tool's result cannot be serialised as JSON")
  }
  const cause = exit.cause
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (error instanceof CallTimeout) {
      return failurePart(call, "TimedOut", `the call ran past its deadline of ${millis(error.timeout)} and was stopped`)
    }
    if (error instanceof TaskTimeout) {
      return failurePart(
        call,
        "TimedOut",
        `the call ran past the ${error.lane} lane's timeout of ${millis(error.timeout)} and was stopped`
      )
    }
    if (error instanceof ApprovalDenied) {
      return failurePart(call, "Denied", `the call was not approved: ${error.reason}`)
    }
    if (error instanceof TaskCancelled) return failurePart(call, "Cancelled", error.message)
    if (error instanceof QueueShutdown) return failurePart(call, "QueueShutdown", error.message)
    if (error instanceof AiError.MalformedOutput) {
      return failurePart(call, "InvalidCall", invalidArguments(call.name, error))
    }
    if (error instanceof AiError.MalformedInput) {
      return failurePart(call, "InvalidCall", error.description ?? "the tool's result does not match its schema")
    }
    if (AiError.isAiError(error)) return failurePart(call, "Failed", describeError(error))
    const encoded = encodeFailure(tool, error)
    if (Option.isSome(encoded) && serialisable(encoded.value)) return resultPart(call, error, encoded.value, true)
    return failurePart(call, "Failed", describeError(error))
  }
  if (Cause.isInterruptedOnly(cause)) return failurePart(call, "Interrupted", "the call was interrupted")
  return failurePart(call, "Defect", describeCause(cause))
}

/** Whether a tool's parameter schema transforms, i.e. its decoded parameters differ from what the model sends. */
const transforms = (tool: Tool.Any): boolean => {
  let known = transforming.get(tool)
  if (known === undefined) {
    known = AST.encodedBoundAST(tool.parametersSchema.ast) !== tool.parametersSchema.ast
    transforming.set(tool, known)
  }
  return known
}

const transforming = new WeakMap<Tool.Any, boolean>()

/** A call's decoded parameters encoded back, as the toolkit decodes them; unchanged for a schema that does not transform. */
const encodedParams = (tool: Tool.Any, params: unknown): Either.Either<unknown, string> =>
  transforms(tool)
    ? Either.mapLeft(
      Schema.encodeUnknownEither(Schema.make<unknown, unknown, never>(tool.parametersSchema.ast))(params),
      (error) => `the arguments do not encode: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
    )
    : Either.right(params)

/** The toolkit's handler, taking a call's params in their encoded form. */
type HandleEncoded<Tools extends Record<string, Tool.Any>> = (
  name: string,
  params: unknown
) => Effect.Effect<
  Tool.HandlerResult<Tools[keyof Tools]>,
  Tool.Failure<Tools[keyof Tools]>,
  Tool.Requirements<Tools[keyof Tools]>
>

/**
 * `Toolkit.handle` as it behaves: it decodes `params` from their encoded form with the tool's parameter schema
 * (`Schema.decodeUnknown`; `@effect/ai`'s own resolution passes it the model's params as they came), although
 * its type asks for decoded ones. The cast states that run-time contract.
 */
const handleEncoded = <Tools extends Record<string, Tool.Any>>(toolkit: Toolkit.WithHandler<Tools>) =>
  toolkit.handle as unknown as HandleEncoded<Tools>

/** One call that runs: where its result goes, its tool, its part, its params as the toolkit takes them. */
interface Runnable<Tools extends Record<string, Tool.Any>> {
  readonly position: number
  readonly tool: Tool.Any
  readonly call: Response.ToolCallParts<Tools>
  readonly params: unknown
}

/** @internal The results of a response's calls, in call order, and the plan they ran by (none for no call). */
export interface Executed<Tools extends Record<string, Tool.Any>> {
  readonly parts: Array<ResultPart<Tools>>
  readonly plan: (() => Strategy.TurnPlan) | undefined
}

/** Whether a call needs approval: its tool's annotation, or the application's predicate. */
const needsApproval = <Tools extends Record<string, Tool.Any>>(entry: Runnable<Tools>, options: Options): boolean =>
  Context.get(entry.tool.annotations, RequiresApproval) || options.needsApproval?.(entry.call) === true

/** Asks for every approval at once, in the scope; each answer is a fiber the call's gate joins. */
const askAll = <Tools extends Record<string, Tool.Any>>(
  queue: LaneQueue.LaneQueue,
  runnable: ReadonlyArray<Runnable<Tools>>,
  needs: ReadonlyArray<boolean>,
  options: Options
) =>
  Effect.gen(function*() {
    const answers: Array<Fiber.RuntimeFiber<Approver.Decision> | undefined> = new Array(runnable.length)
    const approver = options.approver ??
      Option.getOrElse(yield* Effect.serviceOption(Approver.Approver), () => Approver.denyAll("no approver is set"))
    for (const [i, entry] of runnable.entries()) {
      if (!needs[i]) continue
      const request: Approver.Request = {
        sessionId: queue.sessionId,
        callId: entry.call.id,
        tool: entry.call.name,
        params: entry.params
      }
      answers[i] = yield* Effect.forkScoped(
        Effect.catchAllCause(
          Effect.suspend(() => approver.decide(request)),
          (cause) => Effect.succeed(Approver.Denied({ reason: `the approver failed: ${describeCause(cause)}` }))
        )
      )
    }
    return answers
  })

/** The gate of each call: none, or the approval it waits for (a denial fails it with `ApprovalDenied`). */
const gateOf =
  (answers: ReadonlyArray<Fiber.RuntimeFiber<Approver.Decision> | undefined>) =>
  (_: Strategy.ToolCall, index: number) => {
    const answer = answers[index]
    return answer === undefined ? undefined : Effect.flatMap(
      Fiber.join(answer),
      (decision) =>
        decision._tag === "Approved" ? Effect.void : Effect.fail(new ApprovalDenied({ reason: decision.reason }))
    )
  }

/**
 * @internal Runs the calls of a response (malformed ones answered at once) through `Strategy.runTurn` and
 * returns one result part per entry, in order. Never fails. Approvals, if any call needs one, are asked for in
 * a scope of the turn's, so that interrupting the turn withdraws them.
 */
export const executeEntries = <Tools extends Record<string, Tool.Any>>(
  queue: LaneQueue.LaneQueue,
  toolkit: Toolkit.WithHandler<Tools>,
  entries: ReadonlyArray<Entry<Tools>>,
  options: Options
): Effect.Effect<Executed<Tools>, never, Tool.Requirements<Tools[keyof Tools]>> =>
  Effect.suspend(() => {
    const { approver: _approver, needsApproval: _needs, retry = defaultRetry, timeoutOf, ...turnOptions } = options
    const parts: Array<ResultPart<Tools>> = new Array(entries.length)
    const runnable: Array<Runnable<Tools>> = []
    entries.forEach((entry, position) => {
      if (entry.malformed !== undefined) {
        parts[position] = failurePart(entry.malformed, "InvalidCall", entry.malformed.message)
        return
      }
      const call = entry.call
      const tool = toolkit.tools[call.name]
      if (tool === undefined) return
      const params = encodedParams(tool, call.params)
      if (Either.isLeft(params)) parts[position] = failurePart(call, "InvalidCall", params.left)
      else runnable.push({ position, tool, call, params: params.right })
    })
    if (runnable.length === 0) return Effect.succeed<Executed<Tools>>({ parts, plan: undefined })
    const tools = specsOf(toolkit.tools, { ...queue.settings.strategy.tools, ...options.tools })
    const schedule = RetryPolicy.toSchedule(retry)
    const handle = handleEncoded(toolkit)
    const byCall = new Map<Strategy.ToolCall, Runnable<Tools>>()
    const turn = runnable.map((entry): Strategy.ToolCall => {
      const timeout = timeoutOf?.(entry.call)
      const toolCall: Strategy.ToolCall = timeout === undefined
        ? { id: entry.call.id, name: entry.call.name, args: entry.call.params }
        : { id: entry.call.id, name: entry.call.name, args: entry.call.params, timeout }
      byCall.set(toolCall, entry)
      return toolCall
    })
    const run = (toolCall: Strategy.ToolCall) => {
      const entry = byCall.get(toolCall)
      if (entry === undefined) return Effect.dieMessage(`unknown tool call ${toolCall.id}`)
      const handled = handle(entry.call.name, entry.params)
      if (!Strategy.traitsOf(toolCall, { tools }).idempotent) return handled
      return Effect.retry(handled, { schedule, while: (error) => !isInvalidCall(error) })
    }
    type Outcome = TurnOutcome<
      Tool.HandlerResult<Tools[keyof Tools]>,
      Tool.Failure<Tools[keyof Tools]> | AiError.AiError | ApprovalDenied
    >
    const collect = (outcome: Outcome): Executed<Tools> => {
      runnable.forEach((entry, i) => {
        parts[entry.position] = toResultPart(entry.tool, entry.call, outcome.exits[i] ?? Exit.die("no outcome"))
      })
      return { parts, plan: outcome.plan }
    }
    const needs = runnable.map((entry) => needsApproval(entry, options))
    if (!needs.includes(true)) return Effect.map(runTurnWith(queue, turn, run, { ...turnOptions, tools }), collect)
    return Effect.scoped(
      Effect.flatMap(askAll(queue, runnable, needs, options), (answers) =>
        Effect.map(runTurnWith(queue, turn, run, { ...turnOptions, tools }, gateOf(answers)), collect))
    )
  })

/** @internal See `LanedToolkit.execute`. */
export const execute = <Tools extends Record<string, Tool.Any>>(
  queue: LaneQueue.LaneQueue,
  toolkit: Toolkit.WithHandler<Tools>,
  calls: ReadonlyArray<Response.ToolCallParts<Tools>>,
  options: Options = {}
): Effect.Effect<Array<ResultPart<Tools>>, never, Tool.Requirements<Tools[keyof Tools]>> =>
  Effect.map(executeEntries(queue, toolkit, checkCalls(toolkit, calls), options), (executed) => executed.parts)
