import { LanguageModel, Tool, Toolkit } from "@effect/ai"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, FiberId, Layer, Ref, Schema, TestClock } from "effect"
import { Agent, Approver, LanedToolkit, ScriptedModel } from "../src/ai/index.js"
import { LaneQueue, LanesConfig } from "../src/index.js"
import { failureOf } from "./ai.shared.js"
import { settle } from "./utils/harness.js"

// A read (50 ms), a write that needs approval (50 ms), a delete whose approval a per-call predicate decides.

const Read = Tool.make("read", { parameters: { path: Schema.String }, success: Schema.String })
  .annotate(Tool.Readonly, true)
  .annotate(Tool.Destructive, false)

const Write = Tool.make("write", { parameters: { path: Schema.String }, success: Schema.String })
  .annotate(LanedToolkit.RequiresApproval, true)

const Delete = Tool.make("delete", { parameters: { path: Schema.String }, success: Schema.String })

const Kit = Toolkit.make(Read, Write, Delete)
type Tools = Toolkit.Tools<typeof Kit>

interface Log {
  /** What happened, in order: "start read a", "end read a", "ask write b", ... */
  readonly lines: Ref.Ref<ReadonlyArray<string>>
}

const note = (log: Log, line: string) => Ref.update(log.lines, (all) => [...all, line])

const handlers = (log: Log) => {
  const work = (tool: string) => ({ path }: { readonly path: string }) =>
    Effect.zipRight(note(log, `start ${tool} ${path}`), Effect.sleep("50 millis")).pipe(
      Effect.zipRight(note(log, `end ${tool} ${path}`)),
      Effect.as(`${tool} ${path}`)
    )
  return Kit.toLayer({ read: work("read"), write: work("write"), delete: work("delete") })
}

/** An approver that records each request and waits for the test's answer to it. */
const manual = (log: Log) =>
  Effect.gen(function*() {
    const answers = new Map<string, Deferred.Deferred<Approver.Decision>>()
    const answer = (callId: string) => {
      let deferred = answers.get(callId)
      if (deferred === undefined) {
        deferred = Deferred.unsafeMake<Approver.Decision>(FiberId.none)
        answers.set(callId, deferred)
      }
      return deferred
    }
    const approver = Approver.make((request) =>
      Effect.zipRight(note(log, `ask ${request.tool} ${request.callId}`), Deferred.await(answer(request.callId)))
    )
    return {
      approver,
      approve: (callId: string) => Deferred.succeed(answer(callId), Approver.Approved()),
      deny: (callId: string, reason: string) => Deferred.succeed(answer(callId), Approver.Denied({ reason }))
    }
  })

const session = <A, E>(
  responses: ReadonlyArray<ScriptedModel.ScriptedResponse>,
  body: (context: {
    readonly toolkit: Toolkit.WithHandler<Tools>
    readonly queue: LaneQueue.LaneQueue
    readonly log: Log
  }) => Effect.Effect<A, E, LanguageModel.LanguageModel | LaneQueue.LaneQueue>,
  config: LanesConfig.Input = {}
) =>
  Effect.gen(function*() {
    const log: Log = { lines: yield* Ref.make<ReadonlyArray<string>>([]) }
    const queue = yield* LaneQueue.make("approvals").pipe(Effect.provide(LanesConfig.layerWith(config)))
    const toolkit = yield* Effect.provide(Kit, handlers(log))
    return yield* body({ toolkit, queue, log }).pipe(
      Effect.provideService(LaneQueue.LaneQueue, queue),
      Effect.provide(ScriptedModel.layer({ responses }))
    )
  })

const call = ScriptedModel.toolCall
const done = ScriptedModel.response(ScriptedModel.text("done"))

const step = (millis: number) => Effect.zipRight(TestClock.adjust(`${millis} millis`), settle)

describe("approvals that do not stall the turn", () => {
  it.scoped("a read of the response finishes while a write waits for its approval; the write runs once approved", () =>
    session([ScriptedModel.response(call("r", "read", { path: "a" }), call("w", "write", { path: "b" })), done], ({
      log,
      queue,
      toolkit
    }) =>
      Effect.gen(function*() {
        const { approve, approver } = yield* manual(log)
        const fiber = yield* Effect.fork(Agent.run({ prompt: "go", toolkit, approver }))
        yield* settle
        // asked as soon as the response arrived, while the read runs
        expect(yield* Ref.get(log.lines)).toEqual(["start read a", "ask write w"])
        yield* step(50)
        expect(yield* Ref.get(log.lines)).toEqual(["start read a", "ask write w", "end read a"])
        // waiting for a human holds no permit of the execute lane
        const stats = yield* queue.stats
        expect(stats.lanes.execute).toMatchObject({ active: 0, pending: 0 })
        yield* step(1000)
        expect(fiber.unsafePoll()).toBeNull()
        yield* approve("w")
        yield* settle
        yield* step(50)
        const result = yield* Fiber.join(fiber)
        expect(yield* Ref.get(log.lines)).toEqual([
          "start read a",
          "ask write w",
          "end read a",
          "start write b",
          "end write b"
        ])
        expect(result.steps[0]?.toolResults.map((part) => part.result)).toEqual(["read a", "write b"])
      })))

  it.scoped("every call that needs approval is asked for at once; a denied call never runs and answers Denied", () =>
    session([
      ScriptedModel.response(
        call("w1", "write", { path: "1" }),
        call("w2", "write", { path: "2" }),
        call("d", "delete", { path: "3" }),
        call("r", "read", { path: "4" })
      ),
      done
    ], ({ log, toolkit }) =>
      Effect.gen(function*() {
        const { approve, approver, deny } = yield* manual(log)
        const fiber = yield* Effect.fork(
          Agent.run({ prompt: "go", toolkit, approver, needsApproval: (part) => part.name === "delete" })
        )
        yield* settle
        expect(yield* Ref.get(log.lines)).toEqual(["ask write w1", "ask write w2", "ask delete d"])
        // answers in any order; calls run in wave order as their answers allow
        yield* approve("w2")
        yield* deny("d", "deletes need a ticket")
        yield* settle
        expect(yield* Ref.get(log.lines)).toHaveLength(3)
        yield* deny("w1", "not now")
        yield* settle
        yield* step(50)
        yield* step(50)
        const result = yield* Fiber.join(fiber)
        expect(yield* Ref.get(log.lines)).toEqual([
          "ask write w1",
          "ask write w2",
          "ask delete d",
          "start write 2",
          "end write 2",
          "start read 4",
          "end read 4"
        ])
        const parts = result.steps[0]?.toolResults ?? []
        expect(failureOf(parts[0])).toEqual({ reason: "Denied", message: "the call was not approved: not now" })
        expect(parts[1]?.result).toBe("write 2")
        expect(failureOf(parts[2])).toEqual({
          reason: "Denied",
          message: "the call was not approved: deletes need a ticket"
        })
        expect(parts[3]?.result).toBe("read 4")
      })))

  it.scoped("an approval that waits in a parallel wave holds no permit; the rest of the wave runs", () =>
    session([
      ScriptedModel.response(call("r1", "read", { path: "a" }), call("r2", "read", { path: "b" })),
      done
    ], ({ log, queue, toolkit }) =>
      Effect.gen(function*() {
        const { approve, approver } = yield* manual(log)
        const fiber = yield* Effect.fork(
          Agent.run({ prompt: "go", toolkit, approver, needsApproval: (part) => part.id === "r1" })
        )
        yield* settle
        yield* step(50)
        expect([...(yield* Ref.get(log.lines))].sort()).toEqual(["ask read r1", "end read b", "start read b"])
        expect((yield* queue.stats).lanes.query.active).toBe(0)
        yield* approve("r1")
        yield* settle
        yield* step(50)
        const result = yield* Fiber.join(fiber)
        expect(result.steps[0]?.toolResults.map((part) => part.result)).toEqual(["read a", "read b"])
      }), { query: { concurrency: 1 } }))

  it.scoped("without an approver, a call that needs approval is denied", () =>
    session(
      [ScriptedModel.response(call("w", "write", { path: "b" })), done],
      ({ log, toolkit }) =>
        Effect.gen(function*() {
          const result = yield* Agent.run({ prompt: "go", toolkit })
          expect(failureOf(result.steps[0]?.toolResults[0])).toEqual({
            reason: "Denied",
            message: "the call was not approved: no approver is set"
          })
          expect(yield* Ref.get(log.lines)).toEqual([])
        })
    ))

  it.scoped("the Approver service of the context; an approver that dies denies", () =>
    session([
      ScriptedModel.response(call("w", "write", { path: "b" })),
      done,
      ScriptedModel.response(call("w", "write", { path: "c" })),
      done
    ], ({ toolkit }) =>
      Effect.gen(function*() {
        const approved = yield* Effect.fork(
          Agent.run({ prompt: "go", toolkit }).pipe(
            Effect.provide(Layer.succeed(Approver.Approver, Approver.approveAll))
          )
        )
        yield* step(50)
        expect((yield* Fiber.join(approved)).steps[0]?.toolResults[0]?.result).toBe("write b")
        const broken = yield* Agent.run({
          prompt: "go",
          toolkit,
          approver: Approver.make(() => Effect.dieMessage("no terminal"))
        })
        expect(failureOf(broken.steps[0]?.toolResults[0])?.message).toContain("the approver failed")
      })))
})

describe("Approver.external: approvals the host completes", () => {
  it.scoped("requests are external tasks; the host approves, denies, fails, or lets them time out", () =>
    session([
      ScriptedModel.response(
        call("w1", "write", { path: "1" }),
        call("w2", "write", { path: "2" }),
        call("w3", "write", { path: "3" }),
        call("w4", "write", { path: "4" })
      ),
      done
    ], ({ queue, toolkit }) =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(
          Agent.run({ prompt: "go", toolkit }).pipe(Effect.provide(Approver.external()))
        )
        yield* settle
        const pending = yield* queue.pendingExternal
        expect(pending.map((task) => [task.lane, task.commandType, task.payload])).toEqual(
          ["1", "2", "3", "4"].map((path, i) => [
            "control",
            "approval",
            { sessionId: "approvals", callId: `w${i + 1}`, tool: "write", params: { path } }
          ])
        )
        const [t1, t2, t3] = pending.map((task) => task.taskId)
        expect(yield* queue.completeExternal(t1 ?? "", { approved: true })).toBe(true)
        expect(yield* queue.completeExternal(t2 ?? "", { approved: false, reason: "read-only today" })).toBe(true)
        expect(yield* queue.failExternal(t3 ?? "", "the reviewer left")).toBe(true)
        yield* step(50)
        yield* step(60_000)
        const result = yield* Fiber.join(fiber)
        const parts = result.steps[0]?.toolResults ?? []
        expect(parts[0]?.result).toBe("write 1")
        expect(parts.slice(1).map((part) => failureOf(part)?.message)).toEqual([
          "the call was not approved: read-only today",
          "the call was not approved: the reviewer left",
          "the call was not approved: no answer within 1m"
        ])
      }), { control: { concurrency: 4 } }))

  it.scoped("interrupting the loop withdraws the approvals it asked for", () =>
    session([ScriptedModel.response(call("w1", "write", { path: "1" }), call("w2", "write", { path: "2" })), done], ({
      log,
      queue,
      toolkit
    }) =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(Agent.run({ prompt: "go", toolkit }).pipe(Effect.provide(Approver.external())))
        yield* settle
        expect(yield* queue.pendingExternal).toHaveLength(2)
        yield* Fiber.interrupt(fiber)
        expect(yield* queue.pendingExternal).toEqual([])
        expect((yield* queue.stats).totalActive).toBe(0)
        expect(yield* Ref.get(log.lines)).toEqual([])
      })))
})
