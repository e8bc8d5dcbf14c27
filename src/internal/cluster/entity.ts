import * as Entity from "@effect/cluster/Entity"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Command from "../../cluster/Command.js"
import * as SessionEntity from "../../cluster/SessionEntity.js"
import * as ToolRegistry from "../../cluster/ToolRegistry.js"
import { CallJournal } from "./callJournal.js"
import { SessionQueues } from "./sessionQueues.js"
import { TurnWorkflow } from "./turn.js"

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
      return SessionEntity.SessionEntity.of({
        RunTurn: ({ payload }) => run(payload.turnId, payload.commands),
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
              Effect.zipRight(journal.cancel(executionId), queues.cancelTurn(executionId))
            ),
            Effect.asVoid
          ),
        Stats: () => Effect.map(queue.stats, (stats) => ({ sessionId, ...stats }))
      })
    }),
    { maxIdleTime: options.maxIdleTime, concurrency: "unbounded" }
  )
