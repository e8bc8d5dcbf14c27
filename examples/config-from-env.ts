/**
 * Configuration through Effect `Config`: the `LANES_*` keys, read from the environment by default.
 *
 * Run with `LANES_QUERY_CONCURRENCY=2 npx tsx examples/config-from-env.ts`; without the variable
 * the example sets it to 2 itself, so it shows the override either way.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { LaneQueue, LanesConfig } from "effect-lanes"

process.env.LANES_QUERY_CONCURRENCY ??= "2"

const program = Effect.gen(function*() {
  const queue = yield* LaneQueue.LaneQueue
  const work = Array.from({ length: 6 }, () => Effect.sleep("10 millis"))
  const fiber = yield* Effect.fork(queue.submitBatch("query", work))
  yield* Effect.sleep("1 millis")
  const stats = yield* queue.stats
  yield* Console.log(
    `query lane: concurrency ${stats.lanes.query.concurrency}, ${stats.lanes.query.active} active, ` +
      `${stats.lanes.query.pending} pending`
  )
  yield* fiber.await
})

program.pipe(
  Effect.provide(LaneQueue.layer("session-env")),
  Effect.provide(LanesConfig.layer),
  NodeRuntime.runMain
)
