/**
 * The basics: build a session queue, submit work to lanes, submit a batch, read the stats.
 *
 * Run with `npx tsx examples/basic.ts`.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Exit } from "effect"
import { LaneQueue, LanesConfig } from "effect-lanes"

const readFile = (path: string) => Effect.sleep("20 millis").pipe(Effect.as(`contents of ${path}`))

const program = Effect.gen(function*() {
  const queue = yield* LaneQueue.LaneQueue

  // One task, routed by tool name: `read` goes to the query lane.
  const text = yield* queue.submitByTool("read", readFile("README.md"))
  yield* Console.log(`read: ${text}`)

  // A batch of 12 reads in one call: IDs taken at once, results in input order.
  const paths = Array.from({ length: 12 }, (_, i) => `src/file-${i}.ts`)
  const exits = yield* queue.submitBatch("query", [...paths.map(readFile), Effect.fail("no such file")])
  yield* Console.log(
    `batch: ${exits.filter(Exit.isSuccess).length} succeeded, ${exits.filter(Exit.isFailure).length} failed`
  )

  // Work in flight shows up in the stats.
  const handle = yield* queue.enqueue("generate", Effect.sleep("50 millis").pipe(Effect.as("an LLM answer")))
  yield* Effect.sleep("5 millis")
  const stats = yield* queue.stats
  yield* Console.log(`while ${handle.id} runs: ${stats.totalActive} active, ${stats.totalPending} pending`)
  yield* Console.log(`generate: ${yield* handle.await}`)

  yield* queue.shutdown
  yield* queue.drain("1 second")
  yield* Console.log("drained")
})

program.pipe(
  Effect.provide(LaneQueue.layer("session-basic")),
  Effect.provide(LanesConfig.layerWith({ query: { concurrency: 8 } })),
  NodeRuntime.runMain
)
