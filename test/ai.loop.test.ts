import { AiError, LanguageModel, Tool, Toolkit } from "@effect/ai"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, HashMap, Logger, LogLevel, Ref, Schema, type Scope, TestClock } from "effect"
import { Agent, LanedToolkit, ScriptedModel } from "../src/ai/index.js"
import { LaneQueue, LanesConfig, type Strategy } from "../src/index.js"
import type * as LaneEvent from "../src/LaneEvent.js"
import { failureOf } from "./ai.shared.js"
import { recordEvents, settle } from "./utils/harness.js"

// Tools of the loop's tests: a read-only lookup, a counter whose parameter transforms (NumberFromString), a
// status tool whose failure overlaps its success (and has a field of its own), a slow fetch with a deadline.

const Lookup = Tool.make("lookup", { parameters: { id: Schema.String }, success: Schema.String })
  .annotate(Tool.Readonly, true)
  .annotate(Tool.Destructive, false)

const Count = Tool.make("count", { parameters: { n: Schema.NumberFromString }, success: Schema.Number })
  .annotate(Tool.Readonly, true)

const Status = Tool.make("status", {
  parameters: { code: Schema.Number },
  success: Schema.Struct({ code: Schema.Number }),
  failure: Schema.Struct({ code: Schema.NumberFromString, detail: Schema.String }),
  failureMode: "return"
}).annotate(Tool.Readonly, true)

const Strict = Tool.make("strict", {
  parameters: { code: Schema.Number },
  success: Schema.Struct({ code: Schema.Number }),
  failure: Schema.Struct({ code: Schema.NumberFromString, detail: Schema.String })
}).annotate(Tool.Readonly, true)

const Fetch = Tool.make("fetch", { parameters: { url: Schema.String }, success: Schema.String })
  .annotate(Tool.Readonly, true)
  .annotate(LanedToolkit.Timeout, "100 millis")

const Kit = Toolkit.make(Lookup, Count, Status, Strict, Fetch)
type Tools = Toolkit.Tools<typeof Kit>

interface Seen {
  /** Calls that reached a handler, in order: [tool, params]. */
  readonly calls: Ref.Ref<ReadonlyArray<readonly [string, unknown]>>
  readonly interrupted: Ref.Ref<number>
}

const handlers = (seen: Seen) =>
  Kit.toLayer({
    lookup: (params) =>
      Effect.as(Ref.update(seen.calls, (all) => [...all, ["lookup", params] as const]), `v:${params.id}`),
    count: (params) => Effect.as(Ref.update(seen.calls, (all) => [...all, ["count", params] as const]), params.n + 1),
    status: ({ code }) => code === 404 ? Effect.fail({ code, detail: "not found" }) : Effect.succeed({ code }),
    strict: ({ code }) => code === 404 ? Effect.fail({ code, detail: "not found" }) : Effect.succeed({ code }),
    fetch: ({ url }) =>
      Effect.as(Effect.sleep(url === "slow" ? "300 millis" : "50 millis"), url).pipe(
        Effect.onInterrupt(() => Ref.update(seen.interrupted, (n) => n + 1))
      )
  })

/** A session on scripted responses: its queue, the toolkit, what reached the handlers, the model's prompts. */
const session = <A, E>(
  responses: ReadonlyArray<ScriptedModel.ScriptedResponse>,
  body: (context: {
    readonly toolkit: Toolkit.WithHandler<Tools>
    readonly queue: LaneQueue.LaneQueue
    readonly seen: Seen
    readonly scripted: ScriptedModel.Scripted
  }) => Effect.Effect<A, E, LanguageModel.LanguageModel | LaneQueue.LaneQueue | Scope.Scope>,
  config: LanesConfig.Input = {}
) =>
  Effect.gen(function*() {
    const seen: Seen = {
      calls: yield* Ref.make<ReadonlyArray<readonly [string, unknown]>>([]),
      interrupted: yield* Ref.make(0)
    }
    const scripted = yield* ScriptedModel.make({ responses })
    const queue = yield* LaneQueue.make("loop").pipe(Effect.provide(LanesConfig.layerWith(config)))
    const toolkit = yield* Effect.provide(Kit, handlers(seen))
    return yield* body({ toolkit, queue, seen, scripted }).pipe(
      Effect.provideService(LaneQueue.LaneQueue, queue),
      Effect.provideService(LanguageModel.LanguageModel, scripted.service)
    )
  })

const call = ScriptedModel.toolCall
const done = ScriptedModel.response(ScriptedModel.text("done"))

/** Runs a fiber to its end, moving the TestClock in 10 ms steps. */
const finish = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 1000 && fiber.unsafePoll() === null; i++) {
      yield* settle
      yield* TestClock.adjust("10 millis")
    }
    return yield* Fiber.join(fiber)
  })

const run = (toolkit: Toolkit.WithHandler<Tools>, options: Partial<Agent.Options<Tools>> = {}) =>
  Effect.flatMap(Effect.fork(Agent.run({ prompt: "go", toolkit, ...options })), finish)

describe("Agent.run: malformed calls are results", () => {
  it.scoped("a wrong type and an unknown tool answer InvalidCall; the valid sibling runs; the loop goes on", () =>
    session([
      ScriptedModel.response(
        call("a", "lookup", { id: "a" }),
        call("b", "lookup", { id: 5 }),
        call("c", "lokup", { id: "b" })
      ),
      done
    ], ({ scripted, seen, toolkit }) =>
      Effect.gen(function*() {
        const result = yield* run(toolkit)
        expect(result.finishReason).toBe("stop")
        expect(result.text).toBe("done")
        const [step] = result.steps
        expect(step?.toolResults.map((part) => [part.id, part.name, part.isFailure])).toEqual([
          ["a", "lookup", false],
          ["b", "lookup", true],
          ["c", "lokup", true]
        ])
        expect(step?.toolResults[0]?.result).toBe("v:a")
        const wrongType = failureOf(step?.toolResults[1])
        expect(wrongType?.reason).toBe("InvalidCall")
        expect(wrongType?.message).toBe(
          "invalid arguments for tool \"lookup\": id: Expected string, actual 5. Fix them and call it again"
        )
        const unknown = failureOf(step?.toolResults[2])
        expect(unknown?.reason).toBe("InvalidCall")
        expect(unknown?.message).toBe(
          "there is no tool named \"lokup\"; the tools are: lookup, count, status, strict, fetch"
        )
        expect(step?.malformedCalls.map((malformed) => [malformed.id, malformed.name])).toEqual([["b", "lookup"], [
          "c",
          "lokup"
        ]])
        // the response holds the calls that decoded; only they ran
        expect(step?.response.toolCalls.map((part) => part.id)).toEqual(["a"])
        expect(yield* Ref.get(seen.calls)).toEqual([["lookup", { id: "a" }]])
        // the next prompt has every call of the response and a result for each
        const prompts = yield* scripted.prompts
        expect(prompts).toHaveLength(2)
        const assistant = prompts[1]?.content[1]
        const tool = prompts[1]?.content[2]
        expect(assistant?.role === "assistant" ? assistant.content.map((part) => part.type) : []).toEqual([
          "tool-call",
          "tool-call",
          "tool-call"
        ])
        expect(tool?.role === "tool" ? tool.content.map((part) => [part.id, part.isFailure]) : []).toEqual([
          ["a", false],
          ["b", true],
          ["c", true]
        ])
      })))

  it.scoped("missing and extra fields, truncated JSON, no name, a repeated ID, arguments that are not an object", () =>
    session([
      ScriptedModel.response(
        call("ok", "lookup", { id: "x" }),
        call("missing", "lookup", {}),
        call("extra", "lookup", { id: "y", verbose: true }),
        call("truncated", "lookup", "{\"id\": \"z"),
        call("text", "lookup", "{\"id\": \"w\"}"),
        call("nameless", "", { id: "v" }),
        call("ok", "lookup", { id: "again" }),
        call("array", "lookup", ["x"]),
        call("null", "lookup", null)
      ),
      done
    ], ({ seen, toolkit }) =>
      Effect.gen(function*() {
        const result = yield* run(toolkit)
        const parts = result.steps[0]?.toolResults ?? []
        expect(parts.map((part) => part.id)).toEqual([
          "ok",
          "missing",
          "extra",
          "truncated",
          "text",
          "nameless",
          "ok",
          "array",
          "null"
        ])
        const byId = (i: number) => failureOf(parts[i])?.message
        expect(parts[0]?.result).toBe("v:x")
        expect(byId(1)).toBe("invalid arguments for tool \"lookup\": id: is missing. Fix them and call it again")
        // an extra field is dropped (Schema's default), the call runs
        expect(parts[2]?.result).toBe("v:y")
        expect(byId(3)).toContain("the arguments of tool \"lookup\" are not valid JSON (cut off?)")
        // arguments sent as JSON text are parsed
        expect(parts[4]?.result).toBe("v:w")
        expect(byId(5)).toBe("the call names no tool; the tools are: lookup, count, status, strict, fetch")
        expect(byId(6)).toContain("the call ID \"ok\" repeats an earlier call's of this response")
        expect(byId(7)).toBe(
          "invalid arguments for tool \"lookup\": expected a JSON object, got an array. Fix them and call it again"
        )
        expect(byId(8)).toContain("expected a JSON object, got null")
        expect(result.steps[0]?.malformedCalls.map((malformed) => malformed.id)).toEqual([
          "missing",
          "truncated",
          "nameless",
          "ok",
          "array",
          "null"
        ])
        expect((yield* Ref.get(seen.calls)).map(([, params]) => params)).toEqual([{ id: "x" }, { id: "y" }, {
          id: "w"
        }])
        for (const part of parts) expect(failureOf(part)?.message.length ?? 0).toBeLessThan(300)
      })))

  it.scoped("a repeated call ID in a response that decodes does not run either", () =>
    session(
      [ScriptedModel.response(call("x", "lookup", { id: "1" }), call("x", "lookup", { id: "2" })), done],
      ({ seen, toolkit }) =>
        Effect.gen(function*() {
          const result = yield* run(toolkit)
          expect(result.steps[0]?.toolResults.map((part) => part.isFailure)).toEqual([false, true])
          expect(yield* Ref.get(seen.calls)).toEqual([["lookup", { id: "1" }]])
        })
    ))

  it.scoped("onMalformedCall: \"fail\" fails the loop with AiError.MalformedOutput, as @effect/ai does", () =>
    session(
      [ScriptedModel.response(call("a", "lookup", { id: "a" }), call("b", "lokup", {})), done],
      ({ scripted, seen, toolkit }) =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(run(toolkit, { onMalformedCall: "fail" }))
          expect(error).toBeInstanceOf(AiError.MalformedOutput)
          expect(yield* scripted.remaining).toBe(1)
          expect(yield* Ref.get(seen.calls)).toEqual([])
          const invalid = yield* Effect.flip(run(toolkit, { onMalformedCall: "skip" as "fail" }))
          expect(invalid).toBeInstanceOf(Agent.InvalidAgentOptions)
        })
    ))
})

describe("decode once, failures encoded with the failure schema", () => {
  it.scoped("a transforming parameter (NumberFromString, sent as \"3\") reaches the handler decoded once", () =>
    session([
      ScriptedModel.response(call("c", "count", { n: "3" })),
      done,
      ScriptedModel.response(call("d", "count", { n: "41" }))
    ], ({ queue, seen, toolkit }) =>
      Effect.gen(function*() {
        const result = yield* run(toolkit)
        expect(result.steps[0]?.toolResults[0]?.result).toBe(4)
        expect(result.steps[0]?.response.toolCalls[0]?.params).toEqual({ n: 3 })
        const response = yield* LanguageModel.generateText({ prompt: "go", toolkit, disableToolCallResolution: true })
        const parts = yield* LanedToolkit.resolve(queue, toolkit, response)
        expect(parts[0]?.result).toBe(42)
        expect((yield* Ref.get(seen.calls)).map(([, params]) => params)).toEqual([{ n: 3 }, { n: 41 }])
      })))

  it.scoped("a returned failure is encoded with the failure schema: \"404\" and its own field, on every path", () =>
    session([
      ScriptedModel.response(call("s", "status", { code: 404 }), call("t", "strict", { code: 404 })),
      done,
      ScriptedModel.response(call("u", "status", { code: 404 }), call("v", "status", { code: 200 }))
    ], ({ queue, toolkit }) =>
      Effect.gen(function*() {
        const result = yield* run(toolkit)
        const expected = { code: "404", detail: "not found" }
        expect(result.steps[0]?.toolResults.map((part) => [part.isFailure, part.encodedResult])).toEqual([
          [true, expected],
          [true, expected]
        ])
        const response = yield* LanguageModel.generateText({ prompt: "go", toolkit, disableToolCallResolution: true })
        const resolved = yield* LanedToolkit.resolve(queue, toolkit, response)
        const executed = yield* LanedToolkit.execute(queue, toolkit, response.toolCalls)
        for (const parts of [resolved, executed]) {
          expect(parts.map((part) => [part.isFailure, part.encodedResult])).toEqual([[true, expected], [false, {
            code: 200
          }]])
        }
      })))
})

describe("per-tool and per-call deadlines", () => {
  it.scoped("a call past its tool's deadline is interrupted and answers TimedOut naming the limit; others finish", () =>
    session(
      [ScriptedModel.response(call("f1", "fetch", { url: "slow" }), call("f2", "fetch", { url: "fast" })), done],
      ({
        seen,
        toolkit
      }) =>
        Effect.gen(function*() {
          const result = yield* run(toolkit)
          const parts = result.steps[0]?.toolResults ?? []
          expect(failureOf(parts[0])).toEqual({
            reason: "TimedOut",
            message: "the call ran past its deadline of 100ms and was stopped"
          })
          expect(parts[1]?.result).toBe("fast")
          expect(yield* Ref.get(seen.interrupted)).toBe(1)
          expect(result.steps[0]?.plan?.stages[0]?.calls.map((planned) => planned.timeoutMillis)).toEqual([100, 100])
        })
    ))

  it.scoped("a call's own deadline (timeoutOf) wins over its tool's; a declared timeout over the annotation", () =>
    session([
      ScriptedModel.response(call("f1", "fetch", { url: "slow" })),
      done,
      ScriptedModel.response(call("f2", "fetch", { url: "slow" })),
      done,
      ScriptedModel.response(call("f3", "fetch", { url: "fast" })),
      done
    ], ({ toolkit }) =>
      Effect.gen(function*() {
        const own = yield* run(toolkit, { timeoutOf: (part) => part.id === "f1" ? "1 second" : undefined })
        expect(own.steps[0]?.toolResults[0]?.result).toBe("slow")
        const declared = yield* run(toolkit, { tools: { fetch: { timeout: "500 millis" } } })
        expect(declared.steps[0]?.toolResults[0]?.result).toBe("slow")
        const immediate = yield* run(toolkit, { timeoutOf: () => 0 })
        expect(failureOf(immediate.steps[0]?.toolResults[0])?.reason).toBe("TimedOut")
      })))

  it.scoped("the lane's timeout stays the outer bound", () =>
    session(
      [ScriptedModel.response(call("f1", "fetch", { url: "slow" })), done],
      ({ toolkit }) =>
        Effect.gen(function*() {
          const result = yield* run(toolkit, { timeoutOf: () => "1 second" })
          expect(failureOf(result.steps[0]?.toolResults[0])).toEqual({
            reason: "TimedOut",
            message: "the call ran past the query lane's timeout of 60ms and was stopped"
          })
        }),
      { query: { timeout: "60 millis" } }
    ))

  it.scoped("a deadline that is not a duration is a defect of that call, which does not run", () =>
    session(
      [ScriptedModel.response(call("l", "lookup", { id: "x" })), done],
      ({ seen, toolkit }) =>
        Effect.gen(function*() {
          const result = yield* run(toolkit, { tools: { lookup: { timeout: "soon" as "1 second" } } })
          const failure = failureOf(result.steps[0]?.toolResults[0])
          expect(failure?.reason).toBe("Defect")
          expect(failure?.message).toContain("the timeout of tool \"lookup\" is not a duration")
          expect(yield* Ref.get(seen.calls)).toEqual([])
        })
    ))
})

const byTag = <Tag extends LaneEvent.LaneEvent["_tag"]>(events: ReadonlyArray<LaneEvent.LaneEvent>, tag: Tag) =>
  events.filter((event): event is Extract<LaneEvent.LaneEvent, { _tag: Tag }> => event._tag === tag)

describe("plans you can see", () => {
  it.scoped("tasks of tool calls carry the tool and call ID; the turn's plan is an event and on the step", () =>
    session([
      ScriptedModel.response(
        call("r1", "lookup", { id: "a" }),
        call("r2", "lookup", { id: "b" }),
        call("s", "status", {
          code: 1
        })
      ),
      done
    ], ({ queue, toolkit }) =>
      Effect.gen(function*() {
        const events = yield* recordEvents(queue)
        const result = yield* run(toolkit, { tools: { status: { traits: { readOnly: false } } } })
        const all = yield* events
        const completed = byTag(all, "Completed").filter((event) => event.lane !== "generate")
        expect(completed.map((event) => [event.tool, event.callId, event.lane])).toEqual([
          ["lookup", "r1", "query"],
          ["lookup", "r2", "query"],
          ["status", "s", "execute"]
        ])
        // the model's call is no tool call: its events carry neither
        expect(
          byTag(all, "Submitted").filter((event) => event.lane === "generate").every((event) =>
            event.tool === undefined && event.callId === undefined
          )
        ).toBe(true)
        const planned = byTag(all, "TurnPlanned")
        expect(planned).toHaveLength(1)
        const turn = planned[0]?.turn
        expect(turn).toEqual(result.steps[0]?.plan)
        expect(turn?.stages.map((stage) => [stage.kind, stage.plan._tag, stage.calls.map((c) => `${c.id}@${c.lane}`)]))
          .toEqual([["wave", "Parallel", ["r1@query", "r2@query"]], ["single", "Sequential", ["s@execute"]]])
        expect(turn?.stages[0]?.plan.reason).toMatch(/\d/)
        // right after the first task's Submitted, before its Started
        const first = all.findIndex((event) => event._tag === "Submitted" && event.callId === "r1")
        expect(all[first + 1]?._tag).toBe("TurnPlanned")
        expect(planned[0]?.callId).toBe("r1")
        expect(result.steps[1]?.plan).toBeUndefined()
      })))

  it.scoped("one Debug log line per plan; none at the default level", () =>
    session([
      ScriptedModel.response(call("r1", "lookup", { id: "a" }), call("r2", "lookup", { id: "b" })),
      done,
      ScriptedModel.response(call("r3", "lookup", { id: "c" })),
      done
    ], ({ toolkit }) =>
      Effect.gen(function*() {
        const lines: Array<{ readonly level: string; readonly message: string; readonly session: unknown }> = []
        const logger = Logger.make(({ annotations, logLevel, message }) => {
          lines.push({
            level: logLevel.label,
            message: String(Array.isArray(message) ? message[0] : message),
            session: HashMap.unsafeGet(annotations, "effect_lanes.session_id")
          })
        })
        yield* run(toolkit).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Logger.withMinimumLogLevel(LogLevel.Debug)
        )
        expect(lines).toHaveLength(1)
        expect(lines[0]?.level).toBe("DEBUG")
        expect(lines[0]?.session).toBe("loop")
        expect(lines[0]?.message).toMatch(
          /^turn of 2 call\(s\) in 1 stage\(s\) \(width 8, .*\): 1\. wave \[r1 lookup@query ~1700ms, r2 lookup@query ~1700ms\]: Parallel\(2\), 2 calls safe to overlap/
        )
        lines.length = 0
        yield* run(toolkit).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
        expect(lines).toEqual([])
      })))

  it.scoped("a handler reports progress as an event of its call", () =>
    Effect.gen(function*() {
      const Long = Tool.make("long", { parameters: {}, success: Schema.Number }).annotate(Tool.Readonly, true)
      const LongKit = Toolkit.make(Long)
      const toolkit = yield* Effect.provide(
        LongKit,
        LongKit.toLayer({
          long: () =>
            Effect.gen(function*() {
              yield* LaneQueue.reportProgress({ progress: 1, total: 2, message: "half" })
              yield* LaneQueue.reportProgress({ progress: 2, total: 2 })
              return 2
            })
        })
      )
      const queue = yield* LaneQueue.make("progress").pipe(Effect.provide(LanesConfig.layerWith({})))
      const events = yield* recordEvents(queue)
      const response = yield* LanguageModel.generateText({ prompt: "go", toolkit, disableToolCallResolution: true })
        .pipe(
          Effect.provide(ScriptedModel.layer({ responses: [ScriptedModel.response(call("p", "long"))] }))
        )
      yield* LanedToolkit.resolve(queue, toolkit, response)
      yield* LaneQueue.reportProgress({ progress: 9 }) // outside a task: nothing
      const progress = byTag(yield* events, "Progress")
      expect(progress.map((event) => [event.tool, event.callId, event.progress, event.total, event.message])).toEqual([
        ["long", "p", 1, 2, "half"],
        ["long", "p", 2, 2, undefined]
      ])
    }))
})

describe("Strategy.runTurn without @effect/ai", () => {
  it.scoped("per-call deadlines, tags and the plan event come with any runTurn", () =>
    Effect.gen(function*() {
      const { Strategy } = yield* Effect.promise(() => import("../src/index.js"))
      const queue = yield* LaneQueue.make("turn").pipe(Effect.provide(LanesConfig.layerWith({})))
      const events = yield* recordEvents(queue)
      const calls: Array<Strategy.ToolCall> = [
        { id: "a", name: "read", args: { path: "a" }, timeout: "10 millis" },
        { id: "b", name: "read", args: { path: "b" } }
      ]
      const fiber = yield* Effect.fork(
        Strategy.runTurn(queue, calls, (c) => Effect.as(Effect.sleep("20 millis"), c.id), {
          tools: { read: { timeout: "1 second" } }
        })
      )
      const exits = yield* finish(fiber)
      expect(exits[0]?._tag).toBe("Failure")
      expect(exits[0]?._tag === "Failure" ? String(exits[0].cause) : "").toContain("CallTimeout")
      expect(exits[1]?._tag).toBe("Success")
      const all = yield* events
      expect(byTag(all, "TurnPlanned")[0]?.turn.stages[0]?.calls.map((c) => c.timeoutMillis)).toEqual([10, 1000])
      expect(byTag(all, "Failed").map((event) => [event.callId, event.error])).toEqual([[
        "a",
        "CallTimeout: call a (read) ran past its deadline of 10ms"
      ]])
    }))

  it.scoped("work a call submits itself, and submissions after a turn, carry no call's tags", () =>
    Effect.gen(function*() {
      const { Strategy } = yield* Effect.promise(() => import("../src/index.js"))
      const queue = yield* LaneQueue.make("nested").pipe(
        Effect.provide(LanesConfig.layerWith({ execute: { mode: "external" } }))
      )
      const events = yield* recordEvents(queue)
      const calls: Array<Strategy.ToolCall> = [
        { id: "outer", name: "read", args: { path: "a" } },
        { id: "refused", name: "delete", args: { path: "b" } }
      ]
      const exits = yield* Strategy.runTurn(
        queue,
        calls,
        (c) => c.id === "outer" ? queue.submit("query", Effect.succeed("inner")) : Effect.succeed("never")
      )
      expect(exits.map((exit) => exit._tag)).toEqual(["Success", "Failure"])
      yield* queue.submit("query", Effect.succeed("after"))
      const submitted = byTag(yield* events, "Submitted")
      expect(submitted.map((event) => event.callId)).toEqual(["outer", undefined, undefined])
    }))
})
