import * as Activity from "@effect/workflow/Activity"
import * as DurableDeferred from "@effect/workflow/DurableDeferred"
import * as Workflow from "@effect/workflow/Workflow"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Command from "../../cluster/Command.js"
import * as ToolRegistry from "../../cluster/ToolRegistry.js"
import type * as Lane from "../../Lane.js"
import type * as LaneError from "../../LaneError.js"
import * as Strategy from "../../Strategy.js"
import { CallJournal } from "./callJournal.js"
import { SessionQueues } from "./sessionQueues.js"

/** @internal */
export const TurnWorkflow = Workflow.make({
  name: "effect-lanes/Turn",
  payload: {
    sessionId: Schema.String,
    turnId: Schema.String,
    commands: Schema.Array(Command.Command)
  },
  success: Schema.Array(Command.CallOutcome),
  idempotencyKey: ({ sessionId, turnId }) => `${sessionId}/${turnId}`
})

/** @internal */
export const interruptedReason = "started before its runner stopped and not idempotent, so not run again"

const toCall = (command: Command.Command): Strategy.ToolCall => ({
  id: command.id,
  name: command.tool,
  args: command.args
})

const failureOf = (
  id: string,
  error: string | LaneError.QueueShutdown | LaneError.TaskTimeout | LaneError.TaskCancelled
): Command.CallOutcome => {
  if (typeof error === "string") return new Command.Failed({ id, error })
  if (error._tag === "TaskCancelled") return new Command.Interrupted({ id, reason: "cancelled" })
  return new Command.Failed({ id, error: error.message })
}

/**
 * The activity of one call. Its result is journaled by the workflow engine, so it runs at most once to completion;
 * when it runs again (its runner stopped before the result was stored) the start marker tells, and the call is
 * re-run only if its tool is idempotent.
 */
const callActivity = (options: {
  readonly sessionId: string
  readonly executionId: string
  readonly command: Command.Command
  readonly lane: Lane.Lane
}) =>
  Activity.make({
    name: `call/${options.command.id}`,
    success: Command.CallOutcome,
    execute: Effect.gen(function*() {
      const { command } = options
      const registry = yield* ToolRegistry.ToolRegistry
      const journal = yield* CallJournal
      const queues = yield* SessionQueues
      if (yield* journal.isCancelled(options.executionId)) {
        return new Command.Interrupted({ id: command.id, reason: "cancelled" })
      }
      const tool = registry.tools.get(command.tool)
      if (tool === undefined) return new Command.Failed({ id: command.id, error: `no tool named ${command.tool}` })
      const idempotent = Strategy.traitsOf(toCall(command), { tools: registry.specs }).idempotent
      // The start marker is written when the call gets its lane permit, right before the tool runs: a call that
      // was still waiting in its lane when its runner stopped never started, and runs after the restart.
      const task = Effect.flatMap(journal.begin(options.executionId, command.id), (first) =>
        first || idempotent
          ? Effect.map(
            tool.run(command.args),
            (value): Command.CallOutcome => new Command.Succeeded({ id: command.id, value })
          )
          : Effect.succeed<Command.CallOutcome>(new Command.Interrupted({ id: command.id, reason: interruptedReason })))
      const queue = yield* queues.get(options.sessionId)
      return yield* Effect.gen(function*() {
        const handle = yield* queue.enqueue(options.lane, task)
        yield* queues.track(options.executionId, handle.cancel)
        // A Cancel that came between the check above and the registration found nothing to cancel: check again.
        if (yield* journal.isCancelled(options.executionId)) yield* handle.cancel
        return yield* handle.await
      }).pipe(
        Effect.catchAll((error) => Effect.succeed(failureOf(command.id, error)))
      )
    })
  })

/**
 * The durable deferred an external call waits on: the host's answer (or Cancel's) is its outcome.
 *
 * @internal
 */
export const externalDeferred = (callId: string) =>
  DurableDeferred.make(`external/${callId}`, { success: Command.CallOutcome })

/** An external call: announced once (an activity), then waits for the host's answer, across restarts. */
const externalCall = (options: {
  readonly sessionId: string
  readonly turnId: string
  readonly executionId: string
  readonly command: Command.Command
}) =>
  Effect.gen(function*() {
    const { command } = options
    yield* Activity.make({
      name: `external/${command.id}`,
      execute: Effect.flatMap(CallJournal, (journal) =>
        journal.isCancelled(options.executionId).pipe(
          Effect.flatMap((cancelled) =>
            cancelled ? Effect.void : journal.announce({
              executionId: options.executionId,
              sessionId: options.sessionId,
              turnId: options.turnId,
              callId: command.id,
              tool: command.tool,
              args: JSON.stringify(command.args ?? null)
            })
          )
        ))
    })
    const journal = yield* CallJournal
    if (yield* journal.isCancelled(options.executionId)) {
      return new Command.Interrupted({ id: command.id, reason: "cancelled" })
    }
    return yield* DurableDeferred.await(externalDeferred(command.id))
  })

/** @internal */
export const runTurn = (
  payload: typeof TurnWorkflow.payloadSchema.Type,
  executionId: string
) =>
  Effect.gen(function*() {
    const registry = yield* ToolRegistry.ToolRegistry
    const commands = payload.commands
    const calls = commands.map(toCall)
    const outcomes: Array<Command.CallOutcome> = []
    const isExternal = (command: Command.Command | undefined) =>
      command !== undefined && registry.tools.get(command.tool)?.external !== undefined
    for (const stage of Strategy.stages(calls, Math.max(1, calls.length), { tools: registry.specs })) {
      const results = yield* Effect.forEach(
        stage.indices,
        (index, position) => {
          const command = commands[index]
          const lane = stage.lanes[position] ?? stage.lane
          if (command === undefined) return Effect.dieMessage(`no command at ${index}`)
          return !isExternal(command)
            ? callActivity({ sessionId: payload.sessionId, executionId, command, lane })
            : externalCall({ sessionId: payload.sessionId, turnId: payload.turnId, executionId, command })
        },
        // A call that waits for the host suspends the workflow, which would interrupt its neighbours: alone.
        {
          concurrency: stage.indices.some((index) => isExternal(commands[index])) ? 1 : Strategy.concurrency(stage.plan)
        }
      )
      outcomes.push(...results)
    }
    return outcomes
  })

/** @internal */
export const layer: Layer.Layer<
  never,
  never,
  import("@effect/workflow/WorkflowEngine").WorkflowEngine | ToolRegistry.ToolRegistry | CallJournal | SessionQueues
> = TurnWorkflow.toLayer(runTurn)
