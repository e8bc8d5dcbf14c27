/**
 * Clustered sessions with durable turns, on an embedded SQLite file: nothing to set up.
 *
 * A runner (one process holding every session) runs a turn of three tool calls for session `alice`: two reads
 * (idempotent, so they may share a wave) and a write (not idempotent). Every call is an activity of the turn's
 * workflow, and its outcome is journaled in the SQLite file. Then the runner stops, a new one opens the same file,
 * and the same turn ID is sent again: the journal answers, and no tool runs a second time.
 *
 * Run with `npx tsx examples/cluster.ts`.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer, Ref, Schema } from "effect"
import { LanesConfig } from "effect-lanes"
import { Command, SessionCluster, SessionEntity, ToolRegistry } from "effect-lanes/cluster"

const program = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const file = `${yield* fs.makeTempDirectoryScoped({ prefix: "effect-lanes-cluster-" })}/sessions.db`
  const runs = yield* Ref.make(0)

  // The application's tools: the same registry on every runner.
  const tools = ToolRegistry.layer([
    ToolRegistry.tool("read", {
      args: Schema.Struct({ path: Schema.String }),
      success: Schema.String,
      traits: { readOnly: true, idempotent: true },
      run: ({ path }) => Effect.as(Ref.update(runs, (n) => n + 1), `contents of ${path}`)
    }),
    ToolRegistry.tool("write", {
      args: Schema.Struct({ path: Schema.String, text: Schema.String }),
      success: Schema.Number,
      run: ({ text }) => Effect.as(Ref.update(runs, (n) => n + 1), text.length)
    })
  ])
  const runner = SessionCluster.layerSingle().pipe(
    Layer.provide([tools, LanesConfig.layerDefaults, SessionCluster.sqlite(file)])
  )

  const turn = {
    turnId: "turn-1",
    commands: [
      new Command.Command({ id: "call-1", tool: "read", args: { path: "README.md" } }),
      new Command.Command({ id: "call-2", tool: "read", args: { path: "package.json" } }),
      new Command.Command({ id: "call-3", tool: "write", args: { path: "NOTES.md", text: "hello" } })
    ]
  }
  const runTurn = Effect.gen(function*() {
    const sessions = yield* SessionEntity.client
    return yield* sessions("alice").RunTurn(turn)
  })

  const first = yield* Effect.provide(runTurn, runner)
  yield* Console.log("first runner:", first.map((outcome) => `${outcome.id} ${outcome._tag}`).join(", "))
  yield* Console.log(`tool runs so far: ${yield* Ref.get(runs)}`)

  const replayed = yield* Effect.provide(runTurn, runner)
  yield* Console.log(
    "second runner, same turn ID:",
    replayed.map((outcome) => `${outcome.id} ${outcome._tag}`).join(", ")
  )
  const total = yield* Ref.get(runs)
  yield* Console.log(`tool runs in total: ${total} (the journal answered the second time)`)
  if (total !== 3) return yield* Effect.dieMessage(`expected 3 tool runs, got ${total}`)
})

program.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
