import * as Entity from "@effect/cluster/Entity"
import * as DurableDeferred from "@effect/workflow/DurableDeferred"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Command from "../../cluster/Command.js"
import * as SessionEntity from "../../cluster/SessionEntity.js"
import * as ToolRegistry from "../../cluster/ToolRegistry.js"
import { CallJournal } from "./callJournal.js"
import { SessionQueues } from "./sessionQueues.js"
import { externalDeferred, TurnWorkflow } from "./turn.js"

const parseArgs = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** @internal */
export const checkTurn = (
  registry: ToolRegistry.Registry,
  turnId: string,
  commands: ReadonlyArray<Command.Command>
): Effect.Effect<void, Command.CommandError> =>
  Effect.gen(function*() {
    if (commands.length === 0) {
      return yield* new Command.InvalidCommand({ commandId: turnId, reason: "a turn needs at least one command" })
    }
    const seen = new Set<string>()
    for (const command of commands) {
      if (seen.has(command.id)) {
        return yield* new Command.InvalidCommand({ commandId: command.id, reason: "its ID repeats in the turn" })
      }
      seen.add(command.id)
      yield* registry.check(command)
    }
  })

/** @internal */
export const layer = (options: { readonly maxIdleTime: Duration.DurationInput }): Layer.Layer<
  never,
  never,
  | import("@effect/cluster/Sharding").Sharding
  | WorkflowEngine.WorkflowEngine
  | ToolRegistry.ToolRegistry
  | SessionQueues
  | CallJournal
> =>
  SessionEntity.SessionEntity.toLayer(
    Effect.gen(function*() {
      const address = yield* Entity.CurrentAddress
      const sessionId = address.entityId
      const registry = yield* ToolRegistry.ToolRegistry
      const engine = yield* WorkflowEngine.WorkflowEngine
      const queues = yield* SessionQueues
      const journal = yield* CallJournal
      const queue = yield* queues.get(sessionId)
      const run = (turnId: string, commands: ReadonlyArray<Command.Command>) =>
        checkTurn(registry, turnId, commands).pipe(
          Effect.zipRight(TurnWorkflow.execute({ sessionId, turnId, commands })),
          Effect.provideService(WorkflowEngine.WorkflowEngine, engine)
        )
      const executionIdOf = (turnId: string) => TurnWorkflow.executionId({ sessionId, turnId, commands: [] })
      const settleDeferred = (executionId: string, callId: string, outcome: Command.CallOutcome) => {
        const deferred = externalDeferred(callId)
        return DurableDeferred.done(deferred, {
          token: DurableDeferred.tokenFromExecutionId(deferred, { workflow: TurnWorkflow, executionId }),
          exit: Exit.succeed(outcome)
        }).pipe(Effect.provideService(WorkflowEngine.WorkflowEngine, engine))
      }
      const answer = (executionId: string, callId: string, outcome: Command.CallOutcome) =>
        Effect.flatMap(journal.settle(executionId, callId), (settled) =>
          settled ? Effect.as(settleDeferred(executionId, callId, outcome), true) : Effect.succeed(false))
      return SessionEntity.SessionEntity.of({
        RunTurn: ({ payload }) =>
          run(payload.turnId, payload.commands),
        Submit: ({ payload }) =>
          run(SessionEntity.submitTurnId(payload.command.id), [payload.command]).pipe(
            Effect.flatMap((outcomes) =>
              outcomes[0] === undefined
                ? Effect.dieMessage("a one-command turn replied nothing")
                : Effect.succeed(outcomes[0])
            )
          ),
        Cancel: ({ payload }) =>
          TurnWorkflow.executionId({ sessionId, turnId: payload.turnId, commands: [] }).pipe(
            Effect.flatMap((executionId) =>
              journal.cancel(executionId).pipe(
                Effect.zipRight(queues.cancelTurn(executionId)),
                Effect.zipRight(journal.settleTurn(executionId)),
                Effect.flatMap((callIds) =>
                  Effect.forEach(callIds, (callId) =>
                    settleDeferred(executionId, callId, new Command.Interrupted({ id: callId, reason: "cancelled" })), {
                    discard: true
                  })
                )
              )
            ),
            Effect.asVoid
          ),
        Stats: () =>
          Effect.map(queue.stats, (stats) => ({ sessionId, ...stats })),
        PendingExternal: () =>
          Effect.map(journal.pendingExternal(sessionId), (rows) =>
            rows.map((row) => ({ turnId: row.turnId, callId: row.callId, tool: row.tool, args: parseArgs(row.args) }))),
        CompleteExternal: ({ payload }) =>
          Effect.gen(function*() {
            const executionId = yield* executionIdOf(payload.turnId)
            const waiting = (yield* journal.pendingExternal(sessionId)).find((row) =>
              row.executionId === executionId && row.callId === payload.callId
            )
            if (waiting === undefined) {
              return false
            }
            const tool = registry.tools.get(waiting.tool)
            if (tool?.external !== undefined) {
              yield* tool.external.checkResult(payload.value).pipe(
                Effect.mapError((error) =>
                  new Command.InvalidCommand({
                    commandId: payload.callId,
                    reason: `result of ${waiting.tool}: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
                  })
                )
              )
            }
            return yield* answer(
              executionId,
              payload.callId,
              new Command.Succeeded({ id: payload.callId, value: payload.value })
            )
          }),
        FailExternal: ({ payload }) =>
          Effect.flatMap(executionIdOf(payload.turnId), (executionId) =>
            answer(executionId, payload.callId, new Command.Failed({ id: payload.callId, error: payload.error })))
      })
    }),
    { maxIdleTime: options.maxIdleTime, concurrency: "unbounded" }
  )
