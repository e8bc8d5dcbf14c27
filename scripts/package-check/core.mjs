// Run inside a fresh project where only the packed library and its two required peers (effect,
// @effect/platform) are installed: every core entry point imports, a small session runs, internals stay closed.
import { Effect, Exit, Layer } from "effect"
import * as Lanes from "effect-lanes"

const modules = [
  "Lane", "LaneError", "LaneEvent", "LaneMetrics", "LaneQueue", "LanesConfig", "LatencyModel", "RetryPolicy",
  "Strategy", "TaskId", "ToolTraits"
]
for (const name of modules) {
  const module = await import(`effect-lanes/${name}`)
  if (Lanes[name] === undefined || Object.keys(module).length === 0) throw new Error(`effect-lanes/${name} is empty`)
}

for (const closed of ["effect-lanes/internal/task", "effect-lanes/dist/index.js", "effect-lanes/src/index.ts"]) {
  const outcome = await import(closed).then(() => "imported", (error) => error.code)
  if (outcome !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw new Error(`${closed}: expected not exported, got ${outcome}`)
}

const { LaneQueue, LanesConfig, Strategy } = Lanes
const program = Effect.gen(function*() {
  const queue = yield* LaneQueue.LaneQueue
  const one = yield* queue.submitByTool("read", Effect.succeed(1))
  const exits = yield* queue.submitBatch("execute", [Effect.succeed(2), Effect.fail("boom")])
  const calls = Array.from({ length: 4 }, (_, i) => ({ id: `call-${i}`, name: "read" }))
  const turn = yield* Strategy.runTurn(queue, calls, (call) => Effect.succeed(call.id))
  const stats = yield* queue.stats
  return { one, exits: exits.map(Exit.isSuccess), turn: turn.filter(Exit.isSuccess).length, pending: stats.totalPending }
})
const result = await Effect.runPromise(
  program.pipe(Effect.provide(LaneQueue.layer("package-check").pipe(Layer.provide(LanesConfig.layerWith({})))))
)
const expected = JSON.stringify({ one: 1, exits: [true, false], turn: 4, pending: 0 })
if (JSON.stringify(result) !== expected) throw new Error(`unexpected result ${JSON.stringify(result)}`)
console.log(`core: ${modules.length + 1} entry points import, a session ran: ${expected}`)
