import { describe, expect, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Option } from "effect"
import * as LaneQueue from "../src/LaneQueue.js"
import { advance, isDone, makeQueue, now, recordEvents, settle, tagsOf } from "./utils/harness.js"
import { classify, eventsOf, failureOf } from "./utils/reliability.js"

describe("LaneQueue: external tasks", () => {
  it.scoped("the host's completion is the submitter's result; pendingExternal lists the task meanwhile", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { mode: "external" } })
      const events = yield* recordEvents(queue)
      const fiber = yield* Effect.fork(queue.submitExternal("execute", { commandType: "bash", payload: { cmd: "ls" } }))
      yield* advance("2 seconds")
      const pending = yield* queue.pendingExternal
      expect(pending).toEqual([{
        taskId: "s-1",
        lane: "execute",
        commandType: "bash",
        payload: { cmd: "ls" },
        deadline: 60_000
      }])
      const announced = eventsOf(yield* events, "ExternalTaskPending")
      expect(announced).toHaveLength(1)
      expect(announced[0]).toMatchObject({
        taskId: "s-1",
        lane: "execute",
        at: 0,
        commandType: "bash",
        payload: { cmd: "ls" },
        timeoutMillis: 60_000
      })
      expect(yield* isDone(fiber)).toBe(false)
      expect(yield* queue.completeExternal("s-1", { stdout: "README.md" })).toBe(true)
      expect(yield* Fiber.join(fiber)).toEqual({ stdout: "README.md" })
      expect(yield* queue.pendingExternal).toEqual([])
      const all = yield* events
      expect(eventsOf(all, "ExternalTaskCompleted")).toMatchObject([{ taskId: "s-1", success: true, at: 2000 }])
      expect(tagsOf(all, "s-1").at(-1)).toBe("Completed")
    }))

  it.scoped("submitExternal works on any lane", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      const fiber = yield* Effect.fork(queue.submitExternal("query", { commandType: "web_fetch" }))
      yield* settle
      const [task] = yield* queue.pendingExternal
      expect(task).toMatchObject({ lane: "query", commandType: "web_fetch", payload: undefined })
      expect(yield* queue.completeExternal(task!.taskId, "<html>")).toBe(true)
      expect(yield* Fiber.join(fiber)).toBe("<html>")
    }))

  it.scoped("completing an unknown ID returns false and changes nothing", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { mode: "external" } })
      const fiber = yield* Effect.fork(queue.submitExternal("execute", { commandType: "bash" }))
      yield* settle
      expect(yield* queue.completeExternal("s-2", "x")).toBe(false)
      expect(yield* queue.completeExternal("nope", "x")).toBe(false)
      expect(yield* queue.failExternal("nope", "x")).toBe(false)
      expect((yield* queue.pendingExternal).map((task) => task.taskId)).toEqual(["s-1"])
      expect(yield* isDone(fiber)).toBe(false)
    }))

  it.scoped("a regular task's ID cannot be completed externally", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue()
      const handle = yield* queue.enqueue("query", Effect.as(Effect.sleep("1 second"), "own"))
      yield* settle
      expect(yield* queue.completeExternal(handle.id, "forged")).toBe(false)
      yield* advance("1 second")
      expect(yield* handle.await).toBe("own")
    }))

  it.scoped("a task is completed only through the queue that issued it", () =>
    Effect.gen(function*() {
      const issuer = yield* makeQueue({ execute: { mode: "external" } })
      const other = yield* makeQueue({ execute: { mode: "external" } })
      const fiber = yield* Effect.fork(issuer.submitExternal("execute", { commandType: "bash" }))
      yield* settle
      // Same session ID, same task ID, different queue.
      expect(yield* other.completeExternal("s-1", "forged")).toBe(false)
      expect(yield* issuer.completeExternal("s-1", "real")).toBe(true)
      expect(yield* Fiber.join(fiber)).toBe("real")
    }))

  it.scoped("no answer within the external timeout: ExternalTaskTimeout, the entry is gone, a late answer is false", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { mode: "external", externalTimeout: "5 seconds" } })
      const events = yield* recordEvents(queue)
      const fiber = yield* Effect.fork(Effect.exit(queue.submitExternal("execute", { commandType: "bash" })))
      yield* advance("4 seconds")
      expect((yield* queue.pendingExternal).map((task) => task.deadline)).toEqual([5000])
      expect(yield* isDone(fiber)).toBe(false)
      yield* advance("1 second")
      // The external timeout runs on the TestClock: the submitter is answered now, not in real time.
      expect(yield* isDone(fiber)).toBe(true)
      const exit = yield* Fiber.join(fiber)
      expect(yield* now).toBe(5000)
      const error = failureOf(exit)
      expect(Option.isSome(error) && error.value).toBeInstanceOf(LaneQueue.ExternalTaskTimeout)
      if (Option.isSome(error) && error.value._tag === "ExternalTaskTimeout") {
        expect(error.value.taskId).toBe("s-1")
        expect(error.value.lane).toBe("execute")
        expect(Duration.toMillis(error.value.timeout)).toBe(5000)
      }
      expect(yield* queue.pendingExternal).toEqual([])
      expect(yield* queue.completeExternal("s-1", "too late")).toBe(false)
      expect(yield* queue.failExternal("s-1", "too late")).toBe(false)
      expect(eventsOf(yield* events, "ExternalTaskCompleted")).toMatchObject([{ taskId: "s-1", success: false }])
      expect((yield* queue.stats).totalActive).toBe(0)
    }))

  it.scoped("the default external timeout is 60 seconds", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { mode: "external" } })
      const fiber = yield* Effect.fork(Effect.exit(queue.submitExternal("execute", { commandType: "bash" })))
      yield* advance("59 seconds", "59 seconds")
      expect(yield* isDone(fiber)).toBe(false)
      yield* advance("1 second")
      expect(yield* isDone(fiber)).toBe(true)
      const error = failureOf(yield* Fiber.join(fiber))
      expect(Option.map(error, (e) => e._tag)).toEqual(Option.some("ExternalTaskTimeout"))
    }))

  it.scoped("a second completion of the same task is ignored", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { mode: "external" } })
      const fiber = yield* Effect.fork(queue.submitExternal("execute", { commandType: "bash" }))
      yield* settle
      expect(yield* queue.completeExternal("s-1", "first")).toBe(true)
      expect(yield* queue.completeExternal("s-1", "second")).toBe(false)
      expect(yield* queue.failExternal("s-1", "third")).toBe(false)
      expect(yield* Fiber.join(fiber)).toBe("first")
    }))

  it.scoped("a second completion in the same step, before the submitter resumes, is ignored too", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { mode: "external" } })
      const fiber = yield* Effect.fork(queue.submitExternal("execute", { commandType: "bash" }))
      yield* settle
      const answers = yield* Effect.all([
        queue.completeExternal("s-1", "first"),
        queue.completeExternal("s-1", "second")
      ])
      expect(answers).toEqual([true, false])
      expect(yield* Fiber.join(fiber)).toBe("first")
    }))

  it.scoped("failExternal fails the submitter with ExternalTaskFailed", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { mode: "external" } })
      const events = yield* recordEvents(queue)
      const fiber = yield* Effect.fork(Effect.exit(queue.submitExternal("execute", { commandType: "bash" })))
      yield* settle
      expect(yield* queue.failExternal("s-1", "permission denied")).toBe(true)
      const error = failureOf(yield* Fiber.join(fiber))
      expect(Option.isSome(error) && error.value).toBeInstanceOf(LaneQueue.ExternalTaskFailed)
      expect(Option.isSome(error) && error.value).toMatchObject({
        taskId: "s-1",
        lane: "execute",
        error: "permission denied"
      })
      expect(eventsOf(yield* events, "ExternalTaskCompleted")).toMatchObject([{ success: false }])
      expect(yield* queue.pendingExternal).toEqual([])
    }))

  it.scoped("plain submit, submitBatch and enqueue on an external lane die with a clear message", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { mode: "external" } })
      const exits: ReadonlyArray<Exit.Exit<unknown, unknown>> = [
        yield* Effect.exit(queue.submit("execute", Effect.succeed(1))),
        yield* Effect.exit(queue.submitByTool("bash", Effect.succeed(1))),
        yield* Effect.exit(queue.submitBatch("execute", [Effect.succeed(1)])),
        yield* Effect.exit(queue.enqueue("execute", Effect.succeed(1)))
      ]
      for (const exit of exits) {
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isFailure(exit)) {
          const defect = Cause.dieOption(exit.cause)
          expect(Option.isSome(defect)).toBe(true)
          expect(String(Option.getOrUndefined(defect))).toMatch(/execute lane is external.*submitExternal/)
        }
      }
      // Nothing was accepted.
      expect((yield* queue.metrics).totals.submitted).toBe(0)
      // Other lanes are unaffected.
      expect(yield* queue.submit("query", Effect.succeed(2))).toBe(2)
    }))

  it.scoped("external tasks wait for lane permits like any task", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { mode: "external", concurrency: 1 } })
      const first = yield* Effect.fork(queue.submitExternal("execute", { commandType: "a" }))
      const second = yield* Effect.fork(queue.submitExternal("execute", { commandType: "b" }))
      yield* settle
      expect((yield* queue.pendingExternal).map((task) => task.commandType)).toEqual(["a"])
      expect((yield* queue.stats).lanes.execute).toMatchObject({ active: 1, pending: 1 })
      // b is waiting for its permit, not announced yet: completing it now is refused.
      expect(yield* queue.completeExternal("s-2", "early")).toBe(false)
      yield* queue.completeExternal("s-1", "A")
      expect(yield* Fiber.join(first)).toBe("A")
      yield* settle
      expect((yield* queue.pendingExternal).map((task) => task.commandType)).toEqual(["b"])
      yield* queue.completeExternal("s-2", "B")
      expect(yield* Fiber.join(second)).toBe("B")
    }))

  it.scoped("cancel of an external task removes it from pendingExternal", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { mode: "external" } })
      const fiber = yield* Effect.fork(Effect.exit(queue.submitExternal("execute", { commandType: "bash" })))
      yield* settle
      expect(yield* queue.cancel("s-1")).toBe(true)
      expect(classify(yield* Fiber.join(fiber))).toBe("cancelled")
      expect(yield* queue.pendingExternal).toEqual([])
      expect(yield* queue.completeExternal("s-1", "late")).toBe(false)
    }))

  it.scoped("hybrid: runs in-process, emits ExternalTaskPending and ExternalTaskCompleted, returns its own result", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { mode: "hybrid" } })
      const events = yield* recordEvents(queue)
      const fiber = yield* Effect.fork(queue.submitByTool("read", Effect.as(Effect.sleep("2 seconds"), "in-process")))
      yield* settle
      const pending = eventsOf(yield* events, "ExternalTaskPending")
      expect(pending).toHaveLength(1)
      expect(pending[0]).toMatchObject({ taskId: "s-1", lane: "query", commandType: "read", at: 0 })
      // Nothing to answer: the task runs here.
      expect(yield* queue.pendingExternal).toEqual([])
      expect(yield* queue.completeExternal("s-1", "from host")).toBe(false)
      yield* advance("2 seconds")
      expect(yield* Fiber.join(fiber)).toBe("in-process")
      const all = yield* events
      expect(eventsOf(all, "ExternalTaskCompleted")).toMatchObject([{ taskId: "s-1", success: true, at: 2000 }])
      expect(tagsOf(all, "s-1")).toEqual([
        "Submitted",
        "Started",
        "ExternalTaskPending",
        "ExternalTaskCompleted",
        "Completed"
      ])
    }))

  it.scoped("submitExternal on a hybrid lane announces the task to the host once", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ query: { mode: "hybrid" } })
      const events = yield* recordEvents(queue)
      const fiber = yield* Effect.fork(queue.submitExternal("query", { commandType: "web_fetch" }))
      yield* settle
      expect(yield* queue.completeExternal("s-1", "page")).toBe(true)
      expect(yield* Fiber.join(fiber)).toBe("page")
      const all = yield* events
      expect(eventsOf(all, "ExternalTaskPending")).toHaveLength(1)
      expect(eventsOf(all, "ExternalTaskPending")[0]?.timeoutMillis).toBe(60_000)
      expect(eventsOf(all, "ExternalTaskCompleted")).toHaveLength(1)
    }))

  it.scoped("hybrid: a failing task reports success false and its own error", () =>
    Effect.gen(function*() {
      const queue = yield* makeQueue({ execute: { mode: "hybrid" } })
      const events = yield* recordEvents(queue)
      const exit = yield* Effect.exit(queue.submit("execute", Effect.fail("broken")))
      expect(failureOf(exit)).toEqual(Option.some("broken"))
      expect(eventsOf(yield* events, "ExternalTaskCompleted")).toMatchObject([{ success: false }])
    }))
})
