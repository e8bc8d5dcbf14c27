import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { advance, makeProbe, makeQueue, settle } from "./utils/harness.js"

describe("LaneQueue.setConcurrency", () => {
  it.scoped("raising a lane's limit starts waiting tasks at once; lowering it holds new starts back", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { concurrency: 2 } })
      const probe = yield* makeProbe
      const batch = yield* Effect.fork(
        queue.submitBatch("query", Array.from({ length: 12 }, (_, i) => probe.sleep(`t${i}`, "10 seconds")))
      )
      yield* settle
      expect((yield* probe.state).running).toBe(2)
      yield* queue.setConcurrency("query", 6)
      yield* settle
      expect((yield* probe.state).running).toBe(6)
      expect((yield* queue.stats).lanes.query).toEqual({ pending: 6, active: 6, concurrency: 6 })
      yield* queue.setConcurrency("query", 1)
      yield* advance("10 seconds")
      const state = yield* probe.state
      expect(state.running).toBe(1)
      expect(state.peak).toBe(6)
      expect(state.started.slice(0, 7)).toEqual(["t0", "t1", "t2", "t3", "t4", "t5", "t6"])
      yield* advance("60 seconds")
      const exits = yield* Fiber.join(batch)
      expect(exits.every(Exit.isSuccess)).toBe(true)
    }))

  it.scoped("rejects a limit outside 1..1024 with InvalidLanesConfig and keeps the old one", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      const error = yield* Effect.flip(queue.setConcurrency("execute", 0))
      expect(error._tag).toBe("InvalidLanesConfig")
      expect(error.field).toBe("lanes.execute.concurrency")
      expect((yield* queue.stats).lanes.execute.concurrency).toBe(4)
    }))
})
