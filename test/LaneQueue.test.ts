import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Option, Ref } from "effect"
import * as Lane from "../src/Lane.js"
import { advance, isDone, makeProbe, makeQueue, now, settle } from "./utils/harness.js"

const noTasks: ReadonlyArray<Effect.Effect<number>> = []

describe("LaneQueue", () => {
  describe("concurrency", () => {
    it.scoped("20 query tasks at concurrency 8: at most 8 run, and 8 do", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const probe = yield* makeProbe
        const handles = yield* Effect.forEach(
          Array.from({ length: 20 }, (_, i) => i),
          (i) => queue.enqueue("query", probe.sleep(`t${i}`, "10 seconds"))
        )
        const all = yield* Effect.fork(Effect.forEach(handles, (handle) => handle.await))
        yield* settle
        expect((yield* probe.state).running).toBe(8)
        yield* advance("29 seconds")
        expect(yield* isDone(all)).toBe(false)
        yield* advance("1 second")
        expect(yield* Fiber.join(all)).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`))
        const state = yield* probe.state
        expect(state.peak).toBe(8)
        expect(state.completed).toHaveLength(20)
        expect(state.running).toBe(0)
      }))

    it.scoped("every lane is bounded by its own concurrency", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue({ control: { concurrency: 1 }, query: { concurrency: 3 } })
        const probes = yield* Effect.all(Lane.all.map(() => makeProbe))
        const fibers = yield* Effect.forEach(Lane.all, (lane, l) =>
          Effect.fork(queue.submitBatch(
            lane,
            Array.from({ length: 10 }, (_, i) => probes[l]!.sleep(`${lane}${i}`, `${1 + (i % 3)} seconds`))
          )))
        yield* advance("20 seconds")
        for (const fiber of fibers) {
          const exits = yield* Fiber.join(fiber)
          expect(exits.every(Exit.isSuccess)).toBe(true)
        }
        const peaks = yield* Effect.forEach(probes, (probe) => Effect.map(probe.state, (s) => s.peak))
        expect(peaks).toEqual([1, 3, 4, 2])
      }))

    it.scoped("a saturated lane does not delay the others", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const probe = yield* makeProbe
        for (let i = 0; i < 5; i++) yield* queue.enqueue("generate", probe.sleep(`g${i}`, "100 seconds"))
        for (let i = 0; i < 10; i++) yield* queue.enqueue("execute", probe.sleep(`e${i}`, "100 seconds"))
        const query = yield* Effect.fork(queue.submit("query", probe.sleep("q", "1 second")))
        const control = yield* Effect.fork(queue.submitByTool("pause", probe.sleep("c", "1 second")))
        yield* advance("1 second")
        expect(yield* Fiber.join(query)).toBe("q")
        expect(yield* Fiber.join(control)).toBe("c")
        const stats = yield* queue.stats
        expect(stats.lanes.generate).toMatchObject({ pending: 3, active: 2 })
        expect(stats.lanes.execute).toMatchObject({ pending: 6, active: 4 })
      }))

    it.scoped("LANES_TOTAL_CONCURRENCY caps the tasks running at once across lanes", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue({ totalConcurrency: 3 })
        const probe = yield* makeProbe
        for (let i = 0; i < 6; i++) yield* queue.enqueue("query", probe.sleep(`q${i}`, "5 seconds"))
        for (let i = 0; i < 6; i++) yield* queue.enqueue("execute", probe.sleep(`e${i}`, "5 seconds"))
        yield* settle
        expect((yield* probe.state).running).toBe(3)
        expect((yield* queue.stats).totalActive).toBe(3)
        yield* advance("30 seconds")
        const state = yield* probe.state
        expect(state.completed).toHaveLength(12)
        expect(state.peak).toBe(3)
      }))
  })

  describe("stats", () => {
    it.scoped("count pending and active tasks per lane and in total", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const probe = yield* makeProbe
        const idle = yield* queue.stats
        expect(idle.totalPending).toBe(0)
        expect(idle.totalActive).toBe(0)
        expect(Lane.all.map((lane) => idle.lanes[lane].concurrency)).toEqual([4, 8, 4, 2])
        for (let i = 0; i < 20; i++) yield* queue.enqueue("query", probe.sleep(`q${i}`, "10 seconds"))
        for (let i = 0; i < 3; i++) yield* queue.enqueue("generate", probe.sleep(`g${i}`, "15 seconds"))
        yield* settle
        let stats = yield* queue.stats
        expect(stats.lanes.query).toEqual({ pending: 12, active: 8, concurrency: 8 })
        expect(stats.lanes.generate).toEqual({ pending: 1, active: 2, concurrency: 2 })
        expect(stats.lanes.control).toEqual({ pending: 0, active: 0, concurrency: 4 })
        expect(stats.lanes.execute).toEqual({ pending: 0, active: 0, concurrency: 4 })
        expect(stats.totalPending).toBe(13)
        expect(stats.totalActive).toBe(10)
        yield* advance("10 seconds")
        stats = yield* queue.stats
        expect(stats.lanes.query).toMatchObject({ pending: 4, active: 8 })
        expect(stats.lanes.generate).toMatchObject({ pending: 1, active: 2 })
        yield* advance("5 seconds")
        stats = yield* queue.stats
        expect(stats.lanes.generate).toMatchObject({ pending: 0, active: 1 })
        yield* advance("5 seconds")
        stats = yield* queue.stats
        expect(stats.lanes.query).toMatchObject({ pending: 0, active: 4 })
        yield* advance("10 seconds")
        stats = yield* queue.stats
        expect(stats.totalPending).toBe(0)
        expect(stats.totalActive).toBe(0)
        expect(yield* queue.unfinished).toEqual([])
      }))
  })

  describe("submit, submitByTool, enqueue", () => {
    it.scoped("submit returns the task's value and its own typed error unchanged", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        expect(yield* queue.submit("execute", Effect.succeed(42))).toBe(42)
        const error = yield* Effect.flip(queue.submit("execute", Effect.fail({ _tag: "Boom" as const, n: 1 })))
        expect(error).toEqual({ _tag: "Boom", n: 1 })
        const defect = yield* Effect.exit(queue.submit("execute", Effect.die("kaput")))
        expect(Exit.isFailure(defect) && Cause.isDie(defect.cause)).toBe(true)
      }))

    it.scoped("submitByTool runs the task in the lane the tool routes to", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const cases = [["read", "query"], ["llm", "generate"], ["pause", "control"], ["bash", "execute"], [
          "mcp__x",
          "execute"
        ]] as const
        for (const [tool, lane] of cases) {
          const fiber = yield* Effect.fork(queue.submitByTool(tool, Effect.sleep("1 second")))
          yield* settle
          const stats = yield* queue.stats
          expect(stats.totalActive).toBe(1)
          expect(stats.lanes[lane].active).toBe(1)
          yield* advance("1 second")
          yield* Fiber.join(fiber)
        }
      }))

    it.scoped("enqueue returns at once; the task runs whether or not anyone awaits it", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue({ execute: { concurrency: 1 } })
        const ran = yield* Ref.make(0)
        const first = yield* queue.enqueue("execute", Effect.sleep("5 seconds"))
        yield* queue.enqueue("execute", Effect.zipRight(Effect.sleep("1 second"), Ref.update(ran, (n) => n + 1)))
        expect(yield* now).toBe(0)
        yield* advance("6 seconds")
        expect(yield* Ref.get(ran)).toBe(1)
        yield* first.await
      }))

    it.scoped("interrupting a handle's await does not cancel the task", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const probe = yield* makeProbe
        const handle = yield* queue.enqueue("query", probe.sleep("t", "5 seconds"))
        const waiter = yield* Effect.fork(handle.await)
        yield* settle
        yield* Fiber.interrupt(waiter)
        yield* advance("5 seconds")
        expect((yield* probe.state).completed).toEqual(["t"])
        expect(yield* handle.await).toBe("t")
      }))

    it.scoped("interrupting a submitter interrupts its running task", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const probe = yield* makeProbe
        const submitter = yield* Effect.fork(queue.submit("query", probe.sleep("t", "5 seconds")))
        yield* settle
        expect((yield* probe.state).running).toBe(1)
        yield* Fiber.interrupt(submitter)
        yield* settle
        const state = yield* probe.state
        expect(state.interrupted).toEqual(["t"])
        expect(state.running).toBe(0)
        expect((yield* queue.stats).totalActive).toBe(0)
      }))
  })

  describe("submitBatch", () => {
    it.scoped("returns one Exit per task in input order; failures do not interrupt siblings", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        const probe = yield* makeProbe
        const batch = yield* Effect.fork(queue.submitBatch("execute", [
          probe.sleep("a", "3 seconds"),
          probe.wrap("b", Effect.zipRight(Effect.sleep("1 second"), Effect.fail("boom"))),
          probe.sleep("c", "2 seconds"),
          probe.wrap("d", Effect.zipRight(Effect.sleep("1 second"), Effect.die("kaput")))
        ]))
        yield* advance("3 seconds")
        const exits = yield* Fiber.join(batch)
        expect(exits).toHaveLength(4)
        expect(exits[0]).toEqual(Exit.succeed("a"))
        expect(exits[1]).toEqual(Exit.fail("boom"))
        expect(exits[2]).toEqual(Exit.succeed("c"))
        const d = exits[3]!
        expect(Exit.isFailure(d) && Option.getOrUndefined(Cause.dieOption(d.cause))).toBe("kaput")
        const state = yield* probe.state
        expect(state.interrupted).toEqual([])
        expect([...state.completed].sort()).toEqual(["a", "c"])
      }))

    it.scoped("results come back in input order when later tasks finish first", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue({ query: { concurrency: 3 } })
        const probe = yield* makeProbe
        const batch = yield* Effect.fork(
          queue.submitBatch("query", [5, 1, 3, 2, 4].map((s, i) => probe.sleep(`t${i}`, `${s} seconds`)))
        )
        yield* advance("10 seconds")
        const exits = yield* Fiber.join(batch)
        expect(exits).toEqual(["t0", "t1", "t2", "t3", "t4"].map((label) => Exit.succeed(label)))
        expect((yield* probe.state).completed).toEqual(["t1", "t3", "t2", "t0", "t4"])
      }))

    it.scoped("the batch's tasks share the lane's bound with everything else", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue({ generate: { concurrency: 2 } })
        const probe = yield* makeProbe
        yield* queue.enqueue("generate", probe.sleep("before", "2 seconds"))
        const batch = yield* Effect.fork(
          queue.submitBatch("generate", Array.from({ length: 6 }, (_, i) => probe.sleep(`b${i}`, "2 seconds")))
        )
        yield* advance("8 seconds")
        expect((yield* Fiber.join(batch)).every(Exit.isSuccess)).toBe(true)
        expect((yield* probe.state).peak).toBe(2)
      }))

    it.scoped("an empty batch returns [] and takes no IDs", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        expect(yield* queue.submitBatch("query", noTasks)).toEqual([])
        const handle = yield* queue.enqueue("query", Effect.void)
        expect(handle.id).toBe("s-1")
      }))

    it.scoped("accepts any iterable", () =>
      Effect.gen(function*() {
        const queue = yield* makeQueue()
        function* tasks() {
          for (let i = 0; i < 3; i++) yield Effect.succeed(i)
        }
        expect(yield* queue.submitBatch("query", tasks())).toEqual([0, 1, 2].map((n) => Exit.succeed(n)))
      }))
  })
})
