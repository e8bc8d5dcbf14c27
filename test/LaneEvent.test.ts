import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Stream, TestClock } from "effect"
import * as LaneEvent from "../src/LaneEvent.js"
import * as LaneQueue from "../src/LaneQueue.js"
import * as TaskId from "../src/TaskId.js"
import { advance, isDone, makeQueue, recordEvents, settle, settleUntil, tagsOf } from "./utils/harness.js"

describe("LaneEvent", () => {
  describe("the union", () => {
    const common = { taskId: TaskId.make("s", 1), lane: "query" as const, at: 5 }

    it("constructors tag their events; isTerminal tells the last event of a task", () => {
      const events = [
        LaneEvent.Submitted(common),
        LaneEvent.Started({ ...common, waitedMillis: 1 }),
        LaneEvent.Completed({ ...common, durationMillis: 2 }),
        LaneEvent.Failed({ ...common, durationMillis: 2, error: "boom" }),
        LaneEvent.TimedOut({ ...common, timeoutMillis: 3 }),
        LaneEvent.Cancelled(common)
      ]
      expect(events.map((event) => event._tag)).toEqual([
        "Submitted",
        "Started",
        "Completed",
        "Failed",
        "TimedOut",
        "Cancelled"
      ])
      expect(events.map(LaneEvent.isTerminal)).toEqual([false, false, true, true, true, true])
      expect(LaneEvent.$is("Started")(events[1]!)).toBe(true)
      expect(LaneEvent.$is("Started")(events[0]!)).toBe(false)
      for (const event of events) expect(event).toMatchObject(common)
    })

    it("events with equal fields are equal (Data)", () => {
      expect(LaneEvent.Cancelled(common)).toEqual(LaneEvent.Cancelled({ ...common }))
    })
  })

  describe("events of a queue", () => {
    it.scoped("per task: Submitted, Started, then Completed / Failed / TimedOut / Cancelled", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue({ execute: { concurrency: 1 }, generate: { timeout: "2 seconds" } })
        const read = yield* recordEvents(queue)
        const ok = yield* queue.enqueue("query", Effect.sleep("1 second"))
        const failed = yield* queue.enqueue("query", Effect.zipRight(Effect.sleep("1 second"), Effect.fail("boom")))
        const died = yield* queue.enqueue("query", Effect.die(new Error("kaput")))
        const timedOut = yield* queue.enqueue("generate", Effect.sleep("10 seconds"))
        const cancelledRunning = yield* queue.enqueue("execute", Effect.never)
        const cancelledWaiting = yield* queue.enqueue("execute", Effect.never)
        yield* settle
        yield* cancelledWaiting.cancel
        yield* cancelledRunning.cancel
        yield* advance("3 seconds")
        const events = yield* read
        expect(tagsOf(events, ok.id)).toEqual(["Submitted", "Started", "Completed"])
        expect(tagsOf(events, failed.id)).toEqual(["Submitted", "Started", "Failed"])
        expect(tagsOf(events, died.id)).toEqual(["Submitted", "Started", "Failed"])
        expect(tagsOf(events, timedOut.id)).toEqual(["Submitted", "Started", "TimedOut"])
        expect(tagsOf(events, cancelledRunning.id)).toEqual(["Submitted", "Started", "Cancelled"])
        expect(tagsOf(events, cancelledWaiting.id)).toEqual(["Submitted", "Cancelled"])
        const failure = events.find((event) => event.taskId === failed.id && event._tag === "Failed")
        expect(failure?._tag === "Failed" && failure.error).toContain("boom")
        const defect = events.find((event) => event.taskId === died.id && event._tag === "Failed")
        expect(defect?._tag === "Failed" && defect.error).toContain("kaput")
        const timeout = events.find((event) => event._tag === "TimedOut")
        expect(timeout?._tag === "TimedOut" && timeout.timeoutMillis).toBe(2000)
        expect(timeout?.at).toBe(2000)
        expect(new Set(events.map((event) => event.lane))).toEqual(new Set(["query", "generate", "execute"]))
      }))

    it.scoped("at, waitedMillis and durationMillis follow the TestClock", () =>
      Effect.gen(function*() {
        yield* TestClock.adjust("1 second")
        const queue = yield* makeQueue({ query: { concurrency: 1 } })
        const read = yield* recordEvents(queue)
        const a = yield* queue.enqueue("query", Effect.sleep("3 seconds"))
        const b = yield* queue.enqueue("query", Effect.zipRight(Effect.sleep("5 seconds"), Effect.fail("late")))
        yield* advance("2 seconds")
        const c = yield* queue.enqueue("query", Effect.sleep("1 second"))
        yield* advance("10 seconds")
        const events = yield* read
        const find = (id: string, tag: LaneEvent.LaneEvent["_tag"]) =>
          events.find((event) => event.taskId === id && event._tag === tag)
        expect(find(a.id, "Submitted")).toEqual(LaneEvent.Submitted({ taskId: a.id, lane: "query", at: 1000 }))
        expect(find(a.id, "Started")).toEqual(
          LaneEvent.Started({ taskId: a.id, lane: "query", at: 1000, waitedMillis: 0 })
        )
        expect(find(a.id, "Completed")).toEqual(
          LaneEvent.Completed({ taskId: a.id, lane: "query", at: 4000, durationMillis: 3000 })
        )
        expect(find(b.id, "Started")).toMatchObject({ at: 4000, waitedMillis: 3000 })
        expect(find(b.id, "Failed")).toMatchObject({ at: 9000, durationMillis: 5000 })
        expect(find(c.id, "Submitted")).toMatchObject({ at: 3000 })
        expect(find(c.id, "Started")).toMatchObject({ at: 9000, waitedMillis: 6000 })
        expect(find(c.id, "Completed")).toMatchObject({ at: 10_000, durationMillis: 1000 })
      }))

    it.scoped("a batch publishes Submitted for all its tasks, in input order, before any starts", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const read = yield* recordEvents(queue)
        yield* queue.submitBatch("query", [Effect.void, Effect.void, Effect.void])
        const events = yield* read
        expect(events.slice(0, 3).map((event) => [event._tag, event.taskId])).toEqual([
          ["Submitted", "s-1"],
          ["Submitted", "s-2"],
          ["Submitted", "s-3"]
        ])
        expect(events.filter(LaneEvent.isTerminal)).toHaveLength(3)
      }))

    it.scoped("a subscriber that never reads does not block the queue", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        yield* queue.subscribe // subscribed, never consumed
        const stuck = yield* queue.subscribe
        yield* Effect.forkScoped(Stream.runForEach(stuck, () => Effect.never)) // blocks on its first event
        const batch = yield* Effect.fork(
          queue.submitBatch("query", Array.from({ length: 1000 }, (_, i) => Effect.succeed(i)))
        )
        expect(yield* settleUntil(isDone(batch))).toBe(true)
        const exits = yield* Fiber.join(batch)
        expect(exits).toHaveLength(1000)
        expect((yield* queue.stats).totalActive).toBe(0)
      }))

    it.scoped("a subscriber sees the events published after it subscribed", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        yield* queue.submit("query", Effect.void)
        const stream = yield* queue.subscribe
        yield* queue.submit("execute", Effect.void)
        const events = yield* Stream.runCollect(Stream.take(stream, 3))
        expect(Chunk.toReadonlyArray(Chunk.map(events, (event) => [event._tag, event.taskId, event.lane]))).toEqual([
          ["Submitted", "s-2", "execute"],
          ["Started", "s-2", "execute"],
          ["Completed", "s-2", "execute"]
        ])
      }))

    it.scoped("the events stream delivers events published after it started running", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const collected = yield* Effect.fork(Stream.runCollect(Stream.take(queue.events, 3)))
        yield* settle
        const handle = yield* queue.enqueue("generate", Effect.sleep("1 second"))
        yield* advance("1 second")
        const events = Chunk.toReadonlyArray(yield* Fiber.join(collected))
        expect(events.map((event) => event._tag)).toEqual(["Submitted", "Started", "Completed"])
        expect(events.every((event) => event.taskId === handle.id && event.lane === "generate")).toBe(true)
      }))

    it.scoped("two subscribers each see every event", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const first = yield* recordEvents(queue)
        const second = yield* recordEvents(queue)
        yield* queue.submitBatch("control", [Effect.void, Effect.fail("x")])
        const a = yield* first
        const b = yield* second
        expect(a).toHaveLength(6)
        expect(b).toEqual(a)
      }))
  })

  describe("a subscriber that never pulls (regression: it buffered without bound)", () => {
    it.scoped("keeps at most eventBufferCapacity events; its next pull starts with Dropped and the count", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const stream = yield* queue.subscribe
        const tasks = 2000
        // 3 events per task (Submitted, Started, Completed): 6000 events, 4096 kept
        yield* queue.submitBatch("query", Array.from({ length: tasks }, () => Effect.void))
        const capacity = LaneQueue.eventBufferCapacity
        const pulled = Chunk.toArray(yield* Stream.runCollect(Stream.take(stream, capacity + 1)))
        const [first, ...rest] = pulled
        expect(first?._tag).toBe("Dropped")
        expect(first?._tag === "Dropped" && first.count).toBe(3 * tasks - capacity)
        expect(rest).toHaveLength(capacity)
        // the newest events are the ones kept: the last is a Completed, and the last task's is kept
        // (the lane's workers interleave, so another task's Completed may come after it)
        expect(rest[rest.length - 1]?._tag).toBe("Completed")
        expect(rest.some((event) => event._tag === "Completed" && event.taskId === `s-${tasks}`)).toBe(true)
        expect(rest.some((event) => event._tag === "Dropped")).toBe(false)
      }))

    it.scoped("a subscriber that keeps up never sees Dropped", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const events = yield* recordEvents(queue)
        for (let i = 0; i < 5; i++) yield* queue.submitBatch("query", Array.from({ length: 500 }, () => Effect.void))
        const seen = yield* events
        expect(seen).toHaveLength(3 * 2500)
        expect(seen.some((event) => event._tag === "Dropped")).toBe(false)
      }))
  })
})
