/**
 * One realistic agent turn: 8 reads, 2 greps, one edit and two bash calls (a read-only `grep -c`, which joins
 * the reads, and a `sed`, which does not), over a scratch copy of this repository's sources, planned by the
 * Strategy with the built-in tools' declarations (`Tools.turnOptions`) and run through the lanes. Runs the
 * turn twice: the second plan uses the latencies the session learnt from the first. Prints the waves with
 * their reasons and the status of every call, in call order.
 *
 * Run with `npx tsx examples/agent-turn.ts`.
 */
import { FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Exit } from "effect"
import { LaneQueue, LanesConfig, Strategy } from "effect-lanes"
import { Tools } from "effect-lanes/tools"

const sources = [
  "Lane.ts",
  "LaneError.ts",
  "LaneEvent.ts",
  "LaneQueue.ts",
  "LanesConfig.ts",
  "Strategy.ts",
  "TaskId.ts"
]

/** A scratch copy of `src/`, so the turn's edit never touches the repository. */
const scratchCopy = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "effect-lanes-turn-" })
  const src = path.join(path.dirname(path.dirname(new URL(import.meta.url).pathname)), "src")
  yield* fs.copy(src, path.join(dir, "src"))
  return dir
})

const turn: Array<Strategy.ToolCall> = [
  ...sources.map((file, i) => ({ id: `read-${i}`, name: "read", args: { path: `src/${file}` } })),
  { id: "read-7", name: "read", args: { path: "src/index.ts", limit: 20 } },
  { id: "grep-0", name: "grep", args: { pattern: "Effect\\.fn\\(", path: "src" } },
  { id: "grep-1", name: "grep", args: { pattern: "@since", path: "src", glob: "Lane*.ts" } },
  {
    id: "edit-0",
    name: "edit",
    args: { path: "src/TaskId.ts", oldString: "@since 0.1.0", newString: "@since 0.1.0 (edited)", replaceAll: true }
  },
  { id: "bash-0", name: "bash", args: { command: "grep -c 'edited' src/TaskId.ts", timeout: "10 seconds" } },
  { id: "bash-1", name: "bash", args: { command: "sed -i 's/edited/twice/' src/TaskId.ts", timeout: "10 seconds" } }
]

const program = Effect.gen(function*() {
  const queue = yield* LaneQueue.LaneQueue
  const tools = yield* Tools.Tools
  const options = yield* Tools.turnOptions(tools.root)
  const showPlan = Effect.gen(function*() {
    const estimates = yield* Effect.forEach(turn, (call) => queue.latency.estimate(call.name))
    const planned = Strategy.stages(turn, queue.settings.lanes.query.concurrency, {
      ...options,
      estimates: estimates.map((estimate) => estimate._tag === "Some" ? estimate.value : Strategy.priors.localMillis),
      perTaskOverheadMillis: yield* queue.latency.overhead
    })
    for (const stage of planned) {
      const ids = stage.indices.map((i) => turn[i]?.id).join(", ")
      yield* Console.log(`${stage.kind} [${ids}]: ${stage.plan._tag} (${stage.plan.reason})`)
    }
  })
  yield* Console.log("first turn (no history: priors):")
  yield* showPlan
  yield* Strategy.runTurn(queue, turn.slice(0, -3), tools.run, options)
  yield* Console.log("second turn (latencies learnt from the first):")
  yield* showPlan
  const exits = yield* Strategy.runTurn(queue, turn, tools.run, options)
  yield* Effect.forEach(exits, (exit, i) => {
    const call = turn[i]
    const status = Exit.match(exit, {
      onSuccess: (value) =>
        `ok (${typeof value === "string" ? `${value.length} chars` : JSON.stringify(value).slice(0, 60)})`,
      onFailure: (cause) => `failed: ${cause.toString().split("\n")[0]}`
    })
    return Console.log(`  ${call?.id ?? i}: ${status}`)
  })
  const metrics = yield* queue.metrics
  yield* Console.log(`ran ${metrics.totals.completed} calls, ${metrics.totals.failed} failed`)
})

Effect.gen(function*() {
  const root = yield* scratchCopy
  yield* program.pipe(
    Effect.provide(LaneQueue.layer("session-turn")),
    Effect.provide(Tools.layer({ root }))
  )
}).pipe(
  Effect.scoped,
  Effect.provide(LanesConfig.layerDefaults),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
