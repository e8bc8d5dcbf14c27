/**
 * External tasks: the agent hands commands to the host application instead of running them itself.
 *
 * The execute lane is configured with `mode: "external"`: a command submitted with `submitExternal`
 * waits for a lane permit like any task, then the queue publishes an `ExternalTaskPending` event
 * and waits for the host's answer. The host here is a loop over `queue.subscribe` that answers:
 *
 * - `read_file` and `ls` with `completeExternal` (the agent gets the result),
 * - `bash` with `rm -rf` in it with `failExternal` (the agent gets `ExternalTaskFailed`),
 * - `deploy` not in time: the lane's external timeout (300 ms here) fails it with
 *   `ExternalTaskTimeout`, and the host's late answer is refused (`completeExternal` -> false).
 *
 * Run with `npx tsx examples/external-tasks.ts`.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Either, Stream } from "effect"
import { LaneQueue, LanesConfig } from "effect-lanes"

const started = Date.now()
const log = (line: string) => Console.log(`[${String(Date.now() - started).padStart(4)} ms] ${line}`)

const program = Effect.gen(function*() {
  const queue = yield* LaneQueue.LaneQueue

  // --- the host side: subscribe first, so that no announcement can be missed ---
  const events = yield* queue.subscribe
  const answer = (taskId: string, commandType: string, payload: unknown) => {
    const args = JSON.stringify(payload)
    switch (commandType) {
      case "read_file":
        return Effect.sleep("40 millis").pipe(
          Effect.zipRight(queue.completeExternal(taskId, `contents of ${String(args)}`)),
          Effect.flatMap((ok) => log(`host: completed ${taskId} (${commandType}) -> ${ok}`))
        )
      case "ls":
        return Effect.sleep("20 millis").pipe(
          Effect.zipRight(queue.completeExternal(taskId, ["README.md", "src", "test"])),
          Effect.flatMap((ok) => log(`host: completed ${taskId} (${commandType}) -> ${ok}`))
        )
      case "bash":
        return queue.failExternal(taskId, "refused: destructive command").pipe(
          Effect.flatMap((ok) => log(`host: failed ${taskId} (${commandType} ${args}) -> ${ok}`))
        )
      default:
        // Too slow: the answer arrives after the external timeout and is refused.
        return Effect.sleep("500 millis").pipe(
          Effect.zipRight(queue.completeExternal(taskId, "deployed")),
          Effect.flatMap((ok) => log(`host: late answer for ${taskId} (${commandType}) -> ${ok}`))
        )
    }
  }
  yield* events.pipe(
    Stream.runForEach((event) => {
      switch (event._tag) {
        case "ExternalTaskPending":
          return log(
            `host: pending ${event.taskId} ${event.commandType} ${JSON.stringify(event.payload)} ` +
              `(answer within ${event.timeoutMillis} ms)`
          ).pipe(Effect.zipRight(Effect.forkScoped(answer(event.taskId, event.commandType, event.payload))))
        case "ExternalTaskCompleted":
          return log(`event: ${event.taskId} ended, success=${event.success}`)
        default:
          return Effect.void
      }
    }),
    Effect.forkScoped
  )

  // --- the agent side: four commands for the host, in parallel ---
  const commands: ReadonlyArray<LaneQueue.ExternalCommand> = [
    { commandType: "read_file", payload: { path: "README.md" } },
    { commandType: "ls", payload: { path: "." } },
    { commandType: "bash", payload: { cmd: "rm -rf /" } },
    { commandType: "deploy", payload: { env: "production" } }
  ]
  const fiber = yield* Effect.fork(
    Effect.forEach(commands, (command) => Effect.either(queue.submitExternal("execute", command)), {
      concurrency: "unbounded"
    })
  )
  yield* Effect.sleep("10 millis")
  const pending = yield* queue.pendingExternal
  yield* log(`agent: waiting for the host on ${pending.map((task) => `${task.taskId} ${task.commandType}`).join(", ")}`)

  const results = yield* fiber
  for (const [i, result] of results.entries()) {
    const name = commands[i]?.commandType ?? "?"
    yield* Either.match(result, {
      onRight: (value) => log(`agent: ${name} -> ${JSON.stringify(value)}`),
      onLeft: (error) => log(`agent: ${name} failed with ${error._tag}: ${error.message}`)
    })
  }

  // An answer for an ID that never existed changes nothing.
  yield* log(`host: completeExternal("session-ext-99") -> ${yield* queue.completeExternal("session-ext-99", "x")}`)
  // Let the host's late answer arrive, then show that nothing waits any more.
  yield* Effect.sleep("300 millis")
  yield* log(`pending external tasks at the end: ${(yield* queue.pendingExternal).length}`)
  const { totals } = yield* queue.metrics
  yield* log(`metrics: ${totals.submitted} submitted, ${totals.completed} completed, ${totals.failed} failed`)
})

program.pipe(
  Effect.scoped,
  Effect.provide(LaneQueue.layer("session-ext")),
  Effect.provide(LanesConfig.layerWith({ execute: { mode: "external", externalTimeout: "300 millis" } })),
  NodeRuntime.runMain
)
