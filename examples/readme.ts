/**
 * The README's example, kept here so CI proves it runs.
 *
 * Run with `npx tsx examples/readme.ts`.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Exit } from "effect"
import { LaneQueue, LanesConfig, Strategy } from "effect-lanes"

const program = Effect.gen(function*() {
  const queue = yield* LaneQueue.LaneQueue
  // One task, routed by tool name (`read` -> the query lane).
  const text = yield* queue.submitByTool("read", Effect.succeed("file contents"))
  // A batch: IDs taken at once, one Exit per task in input order, failures isolated.
  const exits = yield* queue.submitBatch("query", [Effect.succeed(1), Effect.fail("boom")])
  // One model turn: the strategy plans it, the lanes run it, exits in call order.
  const calls = Array.from({ length: 8 }, (_, i) => ({ id: `call-${i}`, name: "read" }))
  const turn = yield* Strategy.runTurn(queue, calls, (call) => Effect.succeed(call.id))
  yield* Console.log(text, exits.map(Exit.isSuccess), turn.length, yield* queue.stats)
})

program.pipe(
  Effect.provide(LaneQueue.layer("session-1")),
  Effect.provide(LanesConfig.layer), // LANES_* keys through Effect Config
  NodeRuntime.runMain
)
