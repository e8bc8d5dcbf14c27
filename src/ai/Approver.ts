/**
 * Who approves a tool call before it runs. `LanedToolkit.execute` (and so `Agent.run`) asks the `Approver`
 * about every call of a response that needs approval (its tool is annotated `LanedToolkit.RequiresApproval`,
 * or the `needsApproval` option says so), all at once when the response arrives. Each call runs as soon as it
 * is approved and its wave allows; a denied call never runs and answers a `Denied` result with the reason, so
 * the model can act on it. Nothing else of the response waits: a read of the same response finishes while a
 * write waits for a human.
 *
 * Two ways to decide: {@link make} (an Effect of the application's answering `Approved` or `Denied`, e.g. a
 * policy or a prompt in a terminal), or {@link external}, which hands each request to the host as an external
 * task of the session queue (an `ExternalTaskPending` event of command type `"approval"`, payload the
 * {@link Request}), answered with `queue.completeExternal(taskId, { approved: true })` or
 * `{ approved: false, reason }`.
 *
 * An approver that fails or dies denies (the call does not run), with what went wrong as the reason.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Lane from "../Lane.js"
import type { ExternalTaskFailed, ExternalTaskTimeout } from "../LaneError.js"
import * as LaneQueue from "../LaneQueue.js"

/**
 * What an approver is asked: the session, the call's ID and tool, and its arguments as the model sent them
 * (encoded, so JSON-serialisable).
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly sessionId: string
  readonly callId: string
  readonly tool: string
  readonly params: unknown
}

/**
 * An approver's answer: `Approved`, or `Denied` with a reason the model reads.
 *
 * @since 0.1.0
 * @category models
 */
export type Decision = Data.TaggedEnum<{
  Approved: {}
  Denied: { readonly reason: string }
}>

/**
 * Constructors (`Approved()`, `Denied({ reason })`), guards (`$is`) and matchers (`$match`) of {@link Decision}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const { $is, $match, Approved, Denied } = Data.taggedEnum<Decision>()

/**
 * An approver: decides one request; a failure or defect of `decide` counts as a denial.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly decide: (request: Request) => Effect.Effect<Decision, unknown>
}

/**
 * The approver service's tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class Approver extends Context.Tag("effect-lanes/ai/Approver")<Approver, Service>() {}

/**
 * An approver from a function.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (decide: (request: Request) => Effect.Effect<Decision, unknown>): Service => ({ decide })

/**
 * An approver that approves every call.
 *
 * @since 0.1.0
 * @category constructors
 */
export const approveAll: Service = make(() => Effect.succeed(Approved()))

/**
 * An approver that denies every call with `reason`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const denyAll = (reason: string): Service => make(() => Effect.succeed(Denied({ reason })))

/**
 * The approver as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (decide: (request: Request) => Effect.Effect<Decision, unknown>): Layer.Layer<Approver> =>
  Layer.succeed(Approver, make(decide))

/**
 * Settings of {@link external}: the lane of the approval tasks (default `control`) and their command type
 * (default `"approval"`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ExternalOptions {
  readonly lane?: Lane.Lane | undefined
  readonly commandType?: string | undefined
}

/**
 * The host's answer to an external approval task, as `completeExternal` gives it: `{ approved: true }` or
 * `{ approved: false, reason? }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Answer: Schema.Schema<
  { readonly approved: true } | { readonly approved: false; readonly reason?: string | undefined }
> = Schema.Union(
  Schema.Struct({ approved: Schema.Literal(true) }),
  Schema.Struct({ approved: Schema.Literal(false), reason: Schema.optional(Schema.String) })
)

const decodeAnswer = Schema.decodeUnknownEither(Answer)

const denied = (reason: string): Effect.Effect<Decision> => Effect.succeed(Denied({ reason }))

/** The decision in the host's answer to an approval task. */
const decisionOf = (answer: unknown): Effect.Effect<Decision> =>
  Either.match(decodeAnswer(answer), {
    onLeft: (error) =>
      denied(`the host's answer is not an approval: ${ParseResult.TreeFormatter.formatErrorSync(error)}`),
    onRight: (decoded) => decoded.approved ? Effect.succeed(Approved()) : denied(decoded.reason ?? "denied by the host")
  })

/**
 * An approver that asks the host: each request is an external task of the session queue in `lane` (default
 * `control`), announced by an `ExternalTaskPending` event (command type `"approval"`, payload the
 * {@link Request}) and listed by `pendingExternal`, until the host answers with `completeExternal(taskId, {
 * approved: true })` or `{ approved: false, reason }`. A `failExternal(taskId, error)` denies with `error`; no
 * answer within the lane's external timeout (`LANES_<LANE>_EXTERNAL_TIMEOUT`, default 60 s) denies too, and so
 * does an answer of another shape.
 *
 * Each pending approval holds a permit of its lane while it waits, so the lane's concurrency bounds how many
 * approvals are asked at once (control: 4 by default); give it room for the approvals a response may need.
 *
 * @since 0.1.0
 * @category constructors
 */
export const external = (options: ExternalOptions = {}): Layer.Layer<Approver, never, LaneQueue.LaneQueue> =>
  Layer.effect(
    Approver,
    Effect.map(LaneQueue.LaneQueue, (queue) => {
      const lane = options.lane ?? "control"
      const commandType = options.commandType ?? "approval"
      return make((request) =>
        queue.submitExternal(lane, { commandType, payload: request }).pipe(
          Effect.flatMap(decisionOf),
          Effect.catchTags({
            ExternalTaskFailed: (error: ExternalTaskFailed) => denied(error.error),
            ExternalTaskTimeout: (error: ExternalTaskTimeout) =>
              denied(`no answer within ${Duration.format(error.timeout)}`)
          })
        )
      )
    })
  )
