import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck, Fiber, Schema } from "effect"
import type * as LaneEvent from "../src/LaneEvent.js"
import * as TaskId from "../src/TaskId.js"
import { advance, makeProbe, makeQueue, recordEvents, settle } from "./utils/harness.js"

const submittedIds = (events: ReadonlyArray<LaneEvent.LaneEvent>): ReadonlyArray<TaskId.TaskId> =>
  events.filter((event) => event._tag === "Submitted").map((event) => event.taskId)

describe("TaskId", () => {
  it("make formats <session>-<n> and sequence reads n back", () => {
    const id = TaskId.make("session-a", 42)
    expect(id).toBe("session-a-42")
    expect(TaskId.sequence(id)).toBe(42)
  })

  it.effect("the schema is a branded string", () =>
    Effect.gen(function*() {
      expect(yield* Schema.decodeUnknown(TaskId.TaskId)("s-1")).toBe("s-1")
      yield* Effect.flip(Schema.decodeUnknown(TaskId.TaskId)(1))
    }))

  it.effect("a generator counts from 1, one ID at a time", () =>
    Effect.gen(function*() {
      const ids = yield* TaskId.generator("s")
      expect(yield* ids.issued).toBe(0)
      expect(yield* ids.next).toBe("s-1")
      expect(yield* ids.next).toBe("s-2")
      expect(yield* ids.issued).toBe(2)
    }))

  it.effect("a batch takes consecutive IDs after the previous ones", () =>
    Effect.gen(function*() {
      const ids = yield* TaskId.generator("s")
      yield* ids.next
      expect(yield* ids.nextBatch(3)).toEqual(["s-2", "s-3", "s-4"])
      expect(yield* ids.nextBatch(0)).toEqual([])
      expect(yield* ids.next).toBe("s-5")
    }))

  it.effect("generators of different sessions are independent", () =>
    Effect.gen(function*() {
      const a = yield* TaskId.generator("a")
      const b = yield* TaskId.generator("b")
      yield* a.nextBatch(5)
      expect(yield* b.next).toBe("b-1")
    }))

  it.effect("concurrent callers get unique IDs with no gaps", () =>
    Effect.gen(function*() {
      const ids = yield* TaskId.generator("s")
      const singles = yield* Effect.all(Array.from({ length: 50 }, () => ids.next), { concurrency: "unbounded" })
      const batches = yield* Effect.all(Array.from({ length: 10 }, () => ids.nextBatch(5)), {
        concurrency: "unbounded"
      })
      const all = [...singles, ...batches.flat()].map(TaskId.sequence).sort((x, y) => x - y)
      expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
      for (const batch of batches) {
        const first = TaskId.sequence(batch[0]!)
        expect(batch.map(TaskId.sequence)).toEqual([0, 1, 2, 3, 4].map((i) => first + i))
      }
    }))

  // Parameters: 50 runs of up to 20 operations, each a single `next` (0) or a batch of 1..10.
  it.effect.prop(
    "any sequence of next / nextBatch yields 1..n in order, each batch consecutive",
    [FastCheck.array(FastCheck.integer({ min: 0, max: 10 }), { maxLength: 20 })],
    ([ops]) =>
      Effect.gen(function*() {
        const ids = yield* TaskId.generator("p")
        const issued: Array<TaskId.TaskId> = []
        for (const op of ops) {
          if (op === 0) issued.push(yield* ids.next)
          else issued.push(...(yield* ids.nextBatch(op)))
        }
        expect(issued).toEqual(issued.map((_, i) => `p-${i + 1}`))
        expect(yield* ids.issued).toBe(issued.length)
      }),
    { fastCheck: { numRuns: 50 } }
  )

  describe("IDs issued by a queue", () => {
    it.scoped("are <session>-<n>, unique and consecutive from 1, across lanes and calls", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const read = yield* recordEvents(queue)
        const h1 = yield* queue.enqueue("query", Effect.void)
        const h2 = yield* queue.enqueue("generate", Effect.void)
        yield* queue.submit("execute", Effect.void)
        yield* queue.submitByTool("pause", Effect.void)
        yield* queue.submitBatch("query", [Effect.void, Effect.void])
        const h7 = yield* queue.enqueue("control", Effect.void)
        expect([h1.id, h2.id, h7.id]).toEqual(["s-1", "s-2", "s-7"])
        expect(submittedIds(yield* read)).toEqual(["s-1", "s-2", "s-3", "s-4", "s-5", "s-6", "s-7"])
      }))

    it.scoped("a batch of k takes k consecutive IDs in input order", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue({ query: { concurrency: 1 } })
        const probe = yield* makeProbe
        const read = yield* recordEvents(queue)
        yield* queue.enqueue("query", probe.sleep("first", "1 second"))
        const batch = yield* Effect.fork(
          queue.submitBatch("query", ["b0", "b1", "b2", "b3"].map((label) => probe.sleep(label, "1 second")))
        )
        yield* settle
        const after = yield* queue.enqueue("query", probe.sleep("after", "1 second"))
        yield* advance("6 seconds")
        yield* Fiber.join(batch)
        expect(after.id).toBe("s-6")
        const events = yield* read
        expect(submittedIds(events)).toEqual(["s-1", "s-2", "s-3", "s-4", "s-5", "s-6"])
        // At concurrency 1 the tasks start one by one: pair each Started event with the task that started.
        const started = events.filter((event) => event._tag === "Started").map((event) => event.taskId)
        const labels = (yield* probe.state).started
        expect(started.map((id, i) => [id, labels[i]])).toEqual([
          ["s-1", "first"],
          ["s-2", "b0"],
          ["s-3", "b1"],
          ["s-4", "b2"],
          ["s-5", "b3"],
          ["s-6", "after"]
        ])
      }))

    it.scoped("concurrent batches each get a contiguous range", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const read = yield* recordEvents(queue)
        const batches = yield* Effect.all(
          Array.from({ length: 5 }, (_, b) =>
            Effect.as(queue.submitBatch("query", Array.from({ length: 4 }, () => Effect.void)), b)),
          { concurrency: "unbounded" }
        )
        expect(batches).toEqual([0, 1, 2, 3, 4])
        const ids = submittedIds(yield* read).map((id) =>
          TaskId.sequence(id)
        )
        expect([...ids].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
        for (let b = 0; b < 5; b++) {
          const range = ids.slice(b * 4, b * 4 + 4)
          expect(range).toEqual(range.map((_, i) => range[0]! + i))
        }
      }))

    it.scoped("IDs carry the queue's session", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        expect(queue.sessionId).toBe("s")
        const handle = yield* queue.enqueue("query", Effect.void)
        expect(handle.id.startsWith(`${queue.sessionId}-`)).toBe(true)
        expect(TaskId.sequence(handle.id)).toBe(1)
      }))
  })
})
