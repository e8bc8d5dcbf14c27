import { LanguageModel, Tool, Toolkit } from "@effect/ai"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, FastCheck, Fiber, Ref, Schema, Stream, TestClock, Tracer } from "effect"
import { Agent, LanedToolkit, ScriptedModel } from "../src/ai/index.js"
import { LaneQueue, LanesConfig, RetryPolicy, Strategy, ToolTraits } from "../src/index.js"
import { settle } from "./utils/harness.js"

// Tools: a local read (annotated), a delete (no annotations: MCP's defaults), a flaky idempotent lookup.

class ReadFailed extends Schema.TaggedError<ReadFailed>()("ReadFailed", { path: Schema.String }) {}

const ReadFile = Tool.make("read_file", {
  parameters: { path: Schema.String },
  success: Schema.String,
  failure: ReadFailed
})
  .annotate(Tool.Readonly, true)
  .annotate(Tool.Destructive, false)
  .annotate(Tool.Idempotent, true)
  .annotate(Tool.OpenWorld, false)

const DeleteFile = Tool.make("delete_file", { parameters: { path: Schema.String }, success: Schema.Boolean })

const Lookup = Tool.make("lookup", {
  parameters: { key: Schema.String },
  success: Schema.String,
  failure: ReadFailed
}).annotate(Tool.Idempotent, true)

const Append = Tool.make("append", {
  parameters: { key: Schema.String },
  success: Schema.String,
  failure: ReadFailed
})

const Files = Toolkit.make(ReadFile, DeleteFile, Lookup, Append)

interface Probe {
  /** Per call, in start order: [name, path, running calls at start (itself included)]. */
  readonly starts: Ref.Ref<ReadonlyArray<readonly [string, string, number]>>
  readonly running: Ref.Ref<number>
  readonly attempts: Ref.Ref<number>
  readonly interrupted: Ref.Ref<number>
}

const makeProbe = Effect.gen(function*() {
  const probe: Probe = {
    starts: yield* Ref.make<ReadonlyArray<readonly [string, string, number]>>([]),
    running: yield* Ref.make(0),
    attempts: yield* Ref.make(0),
    interrupted: yield* Ref.make(0)
  }
  return probe
})

/** Runs `body` as a tool call of `duration`, counting running calls and interruptions. */
const instrumented = <A, E>(
  probe: Probe,
  name: string,
  path: string,
  duration: Duration.DurationInput,
  body: Effect.Effect<A, E>
) =>
  Effect.acquireUseRelease(
    Effect.flatMap(Ref.updateAndGet(probe.running, (n) => n + 1), (n) =>
      Ref.update(probe.starts, (s) => [...s, [name, path, n] as const])),
    () =>
      Effect.zipRight(Effect.sleep(duration), body).pipe(Effect.onInterrupt(() =>
        Ref.update(probe.interrupted, (n) =>
          n + 1)
      )),
    () => Ref.update(probe.running, (n) => n - 1)
  )

const handlers = (probe: Probe, millis = 50) =>
  Files.toLayer({
    read_file: ({ path }) =>
      instrumented(
        probe,
        "read_file",
        path,
        millis,
        path === "missing"
          ? Effect.fail(new ReadFailed({ path }))
          : path === "boom"
          ? Effect.dieMessage("boom")
          : Effect.succeed(`contents of ${path}`)
      ),
    delete_file: ({ path }) => instrumented(probe, "delete_file", path, millis, Effect.succeed(true)),
    lookup: ({ key }) =>
      Effect.zipRight(
        Ref.updateAndGet(probe.attempts, (n) => n + 1),
        Effect.flatMap(
          Ref.get(probe.attempts),
          (n) => n < 3 ? Effect.fail(new ReadFailed({ path: key })) : Effect.succeed(`value of ${key}`)
        )
      ),
    append: ({ key }) =>
      Effect.zipRight(Ref.update(probe.attempts, (n) => n + 1), Effect.fail(new ReadFailed({ path: key })))
  })

const read = (id: string, path: string) => ScriptedModel.toolCall(id, "read_file", { path })
const del = (id: string, path: string) => ScriptedModel.toolCall(id, "delete_file", { path })

/** A scripted session: queue, model, toolkit handlers; runs `body` with the toolkit and the probe. */
const session = <A, E>(
  script: ScriptedModel.Script,
  body: (context: {
    readonly toolkit: Toolkit.WithHandler<Toolkit.Tools<typeof Files>>
    readonly probe: Probe
    readonly queue: LaneQueue.LaneQueue
    readonly scripted: ScriptedModel.Scripted
  }) => Effect.Effect<A, E, LanguageModel.LanguageModel | LaneQueue.LaneQueue>,
  config: LanesConfig.Input = {},
  millis = 50
) =>
  Effect.gen(function*() {
    const probe = yield* makeProbe
    const scripted = yield* ScriptedModel.make(script)
    const queue = yield* LaneQueue.make("ai").pipe(Effect.provide(LanesConfig.layerWith(config)))
    const toolkit = yield* Effect.provide(Files, handlers(probe, millis))
    return yield* body({ toolkit, probe, queue, scripted }).pipe(
      Effect.provideService(LaneQueue.LaneQueue, queue),
      Effect.provideService(LanguageModel.LanguageModel, scripted.service)
    )
  })

/** Moves the TestClock on in steps until the fiber is done. */
const finish = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, step: Duration.DurationInput = "10 millis", limit = 1000) =>
  Effect.gen(function*() {
    for (let i = 0; i < limit && fiber.unsafePoll() === null; i++) {
      yield* settle
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.join(fiber)
  })

const resultsOf = (parts: ReadonlyArray<LanedToolkit.ResultPart<Toolkit.Tools<typeof Files>>>) =>
  parts.map((part) => [part.id, part.isFailure, part.encodedResult])

describe("LanedToolkit: annotations -> traits -> lanes", () => {
  it("reads the stated annotations only", () => {
    expect(LanedToolkit.traitsOf(ReadFile)).toEqual({
      readOnly: true,
      destructive: false,
      idempotent: true,
      openWorld: false
    })
    expect(LanedToolkit.traitsOf(DeleteFile)).toEqual({})
    expect(LanedToolkit.traitsOf(Lookup)).toEqual({ idempotent: true })
  })

  it("declarations win over annotations, field by field; lanes follow the traits", () => {
    const specs = LanedToolkit.specsOf(Files.tools, { lookup: { traits: { readOnly: true }, latencyMillis: 5 } })
    expect(specs["lookup"]).toEqual({ traits: { idempotent: true, readOnly: true }, latencyMillis: 5 })
    const call = (name: string): Strategy.ToolCall => ({ id: name, name })
    expect(Strategy.laneOf(call("read_file"), { tools: specs })).toBe("query")
    expect(Strategy.laneOf(call("lookup"), { tools: specs })).toBe("query")
    expect(Strategy.laneOf(call("delete_file"), { tools: specs })).toBe("execute")
    expect(Strategy.traitsOf(call("delete_file"), { tools: specs })).toEqual(ToolTraits.defaults)
  })

  it.scoped("8 annotated reads of 50 ms run as one wave in the query lane: 50 ms of virtual time", () =>
    session(
      { responses: [ScriptedModel.response(...Array.from({ length: 8 }, (_, i) => read(`r${i}`, `f${i}`)))] },
      ({ probe, queue, toolkit }) =>
        Effect.gen(function*() {
          const response = yield* LanguageModel.generateText({ prompt: "go", toolkit, disableToolCallResolution: true })
          const fiber = yield* Effect.fork(LanedToolkit.resolve(queue, toolkit, response))
          yield* settle
          const stats = yield* queue.stats
          expect(stats.lanes.query.active).toBe(8)
          yield* TestClock.adjust("50 millis")
          const parts = yield* Fiber.join(fiber)
          expect(parts.map((part) => [part.id, part.name, part.isFailure, part.result])).toEqual(
            Array.from({ length: 8 }, (_, i) => [`r${i}`, "read_file", false, `contents of f${i}`])
          )
          expect(Math.max(...(yield* Ref.get(probe.starts)).map(([, , running]) => running))).toBe(8)
        })
    ))
})

describe("LanedToolkit: failures", () => {
  it.scoped("one failing tool leaves every sibling's result intact", () =>
    session({
      responses: [
        ScriptedModel.response(
          read("a", "f1"),
          read("b", "missing"),
          read("c", "f2"),
          read("d", "boom"),
          read("e", "f3")
        )
      ]
    }, ({ queue, toolkit }) =>
      Effect.gen(function*() {
        const response = yield* LanguageModel.generateText({ prompt: "go", toolkit, disableToolCallResolution: true })
        const fiber = yield* Effect.fork(LanedToolkit.resolve(queue, toolkit, response))
        const parts = yield* finish(fiber)
        expect(resultsOf(parts)).toEqual([
          ["a", false, "contents of f1"],
          ["b", true, { _tag: "ReadFailed", path: "missing" }],
          ["c", false, "contents of f2"],
          ["d", true, {
            _tag: "ToolCallFailure",
            tool: "read_file",
            reason: "Defect",
            message: expect.stringContaining("boom")
          }],
          ["e", false, "contents of f3"]
        ])
        expect(parts[1]?.result).toBeInstanceOf(ReadFailed)
        expect(parts[3]?.result).toBeInstanceOf(LanedToolkit.ToolCallFailure)
      })))

  it.scoped("a call past its lane's timeout is a TimedOut result; the others finish", () =>
    session(
      { responses: [ScriptedModel.response(read("a", "f1"), del("b", "x"))] },
      ({ queue, toolkit }) =>
        Effect.gen(function*() {
          const response = yield* LanguageModel.generateText({ prompt: "go", toolkit, disableToolCallResolution: true })
          const parts = yield* finish(yield* Effect.fork(LanedToolkit.resolve(queue, toolkit, response)))
          expect(resultsOf(parts)).toEqual([
            ["a", false, "contents of f1"],
            ["b", true, {
              _tag: "ToolCallFailure",
              tool: "delete_file",
              reason: "TimedOut",
              message: expect.any(String)
            }]
          ])
        }),
      { execute: { timeout: "20 millis" } }
    ))

  it.scoped("only idempotent tools are retried", () =>
    session(
      { responses: [ScriptedModel.response(ScriptedModel.toolCall("l", "lookup", { key: "k" }))] },
      ({ probe, queue, toolkit }) =>
        Effect.gen(function*() {
          const response = yield* LanguageModel.generateText({ prompt: "go", toolkit, disableToolCallResolution: true })
          const parts = yield* finish(yield* Effect.fork(LanedToolkit.resolve(queue, toolkit, response)))
          expect(resultsOf(parts)).toEqual([["l", false, "value of k"]])
          expect(yield* Ref.get(probe.attempts)).toBe(3)

          yield* Ref.set(probe.attempts, 0)
          const appendCall = yield* LanguageModel.generateText({
            prompt: "go",
            toolkit,
            disableToolCallResolution: true
          }).pipe(
            Effect.provide(
              ScriptedModel.layer({
                responses: [ScriptedModel.response(ScriptedModel.toolCall("p", "append", { key: "k" }))]
              })
            )
          )
          const appended = yield* finish(yield* Effect.fork(LanedToolkit.resolve(queue, toolkit, appendCall)))
          expect(resultsOf(appended)).toEqual([["p", true, { _tag: "ReadFailed", path: "k" }]])
          expect(yield* Ref.get(probe.attempts)).toBe(1)

          yield* Ref.set(probe.attempts, 0)
          const once = yield* finish(
            yield* Effect.fork(LanedToolkit.resolve(queue, toolkit, response, { retry: RetryPolicy.none }))
          )
          expect(once[0]?.isFailure).toBe(true)
          expect(yield* Ref.get(probe.attempts)).toBe(1)
        })
    ))
})

describe("LanedToolkit: read-only and destructive calls never overlap", () => {
  it.effect.prop(
    "any mix of reads and deletes",
    [FastCheck.array(FastCheck.boolean(), { minLength: 1, maxLength: 10 })],
    ([kinds]) =>
      Effect.scoped(session({
        responses: [
          ScriptedModel.response(...kinds.map((isRead, i) => isRead ? read(`c${i}`, `f${i}`) : del(`c${i}`, `f${i}`)))
        ]
      }, ({ probe, queue, toolkit }) =>
        Effect.gen(function*() {
          const response = yield* LanguageModel.generateText({ prompt: "go", toolkit, disableToolCallResolution: true })
          const parts = yield* finish(yield* Effect.fork(LanedToolkit.resolve(queue, toolkit, response)), "50 millis")
          expect(parts.every((part) => !part.isFailure)).toBe(true)
          const starts = yield* Ref.get(probe.starts)
          // A delete starts alone, and the next call starts only after it ended: starts are in call order and a
          // delete, or the call after it, never starts beside another.
          expect(starts.map(([, path]) => path)).toEqual(kinds.map((_, i) => `f${i}`))
          starts.forEach(([name, , running], i) => {
            if (name === "delete_file") expect(running).toBe(1)
            if (i > 0 && starts[i - 1]?.[0] === "delete_file") expect(running).toBe(1)
          })
          return true
        }))),
    { fastCheck: { numRuns: 25 } }
  )
})

describe("Agent.run", () => {
  it.scoped("loops until a response calls no tool, appending the tool results to the prompt", () =>
    session({
      responses: [
        ScriptedModel.response(ScriptedModel.text("reading"), read("a", "f1"), read("b", "missing")),
        ScriptedModel.response(del("c", "f1")),
        ScriptedModel.response(ScriptedModel.text("done"))
      ]
    }, ({ scripted, toolkit }) =>
      Effect.gen(function*() {
        const result = yield* finish(yield* Effect.fork(Agent.run({ prompt: "clean up", toolkit })))
        expect(result.finishReason).toBe("stop")
        expect(result.text).toBe("done")
        expect(result.steps.map((step) => step.toolResults.map((part) => [part.id, part.isFailure]))).toEqual([
          [["a", false], ["b", true]],
          [["c", false]],
          []
        ])
        const prompts = yield* scripted.prompts
        expect(prompts).toHaveLength(3)
        const second = prompts[1]?.content.map((message) => message.role)
        expect(second).toEqual(["user", "assistant", "tool"])
        const tool = prompts[1]?.content[2]
        expect(tool?.role === "tool" ? tool.content.map((part) => [part.id, part.isFailure, part.result]) : []).toEqual(
          [
            ["a", false, "contents of f1"],
            ["b", true, { _tag: "ReadFailed", path: "missing" }]
          ]
        )
        expect(result.prompt.content.map((message) => message.role)).toEqual([
          "user",
          "assistant",
          "tool",
          "assistant",
          "tool",
          "assistant"
        ])
      })))

  it.scoped("stops after maxSteps model calls", () =>
    session(
      { responses: Array.from({ length: 5 }, (_, i) => ScriptedModel.response(read(`r${i}`, `f${i}`))) },
      ({ scripted, toolkit }) =>
        Effect.gen(function*() {
          const result = yield* finish(yield* Effect.fork(Agent.run({ prompt: "go", toolkit, maxSteps: 2 })))
          expect(result.finishReason).toBe("maxSteps")
          expect(result.steps).toHaveLength(2)
          expect(yield* scripted.remaining).toBe(3)
          const invalid = yield* Effect.flip(Agent.run({ prompt: "go", toolkit, maxSteps: 0 }))
          expect(invalid).toBeInstanceOf(Agent.InvalidAgentOptions)
          expect(yield* scripted.remaining).toBe(3)
        })
    ))

  it.scoped("interrupting the loop interrupts the tool calls in flight", () =>
    session(
      {
        responses: [
          ScriptedModel.response(read("a", "f1"), read("b", "f2")),
          ScriptedModel.response(ScriptedModel.text("done"))
        ]
      },
      ({ probe, queue, toolkit }) =>
        Effect.gen(function*() {
          const fiber = yield* Effect.fork(Agent.run({ prompt: "go", toolkit }))
          yield* settle
          yield* TestClock.adjust("10 millis")
          yield* settle
          expect(yield* Ref.get(probe.running)).toBe(2)
          yield* Fiber.interrupt(fiber)
          expect(yield* Ref.get(probe.interrupted)).toBe(2)
          expect(yield* Ref.get(probe.running)).toBe(0)
          const stats = yield* queue.stats
          expect(stats.totalActive + stats.totalPending).toBe(0)
        }),
      {},
      10_000
    ))

  it.scoped("interrupting the loop interrupts the model call in flight", () =>
    session(
      { responses: [ScriptedModel.response(ScriptedModel.text("late"))], latency: "10 seconds" },
      ({ queue, toolkit }) =>
        Effect.gen(function*() {
          const fiber = yield* Effect.fork(Agent.run({ prompt: "go", toolkit }))
          yield* settle
          expect((yield* queue.stats).lanes.generate.active).toBe(1)
          yield* Fiber.interrupt(fiber)
          expect((yield* queue.stats).lanes.generate.active).toBe(0)
          expect((yield* queue.metrics).totals.completed).toBe(0)
        })
    ))

  it.scoped("model calls go through the generate lane: its rate limit holds the second call for a minute", () =>
    session(
      { responses: [ScriptedModel.response(read("a", "f1")), ScriptedModel.response(ScriptedModel.text("done"))] },
      ({ scripted, toolkit }) =>
        Effect.gen(function*() {
          const fiber = yield* Effect.fork(Agent.run({ prompt: "go", toolkit }))
          for (let i = 0; i < 59; i++) {
            yield* settle
            yield* TestClock.adjust("1 second")
          }
          yield* settle
          expect((yield* scripted.prompts).length).toBe(1)
          expect(fiber.unsafePoll()).toBeNull()
          yield* TestClock.adjust("1 second")
          const result = yield* Fiber.join(fiber)
          expect(result.text).toBe("done")
          expect((yield* scripted.prompts).length).toBe(2)
        }),
      { generate: { rateLimit: { limit: 1, interval: "1 minute" } } }
    ))

  it.scoped("model calls go through the generate lane: its concurrency bounds concurrent agents", () =>
    Effect.gen(function*() {
      const scripted = yield* ScriptedModel.make({
        responses: [
          ScriptedModel.response(ScriptedModel.text("one")),
          ScriptedModel.response(ScriptedModel.text("two"))
        ],
        latency: "100 millis"
      })
      const queue = yield* LaneQueue.make("ai").pipe(
        Effect.provide(LanesConfig.layerWith({ generate: { concurrency: 1 } }))
      )
      const toolkit = yield* Effect.provide(Files, handlers(yield* makeProbe))
      const agents = yield* Effect.fork(
        Effect.all([Agent.run({ prompt: "a", toolkit }), Agent.run({ prompt: "b", toolkit })], {
          concurrency: "unbounded"
        }).pipe(
          Effect.provideService(LaneQueue.LaneQueue, queue),
          Effect.provideService(LanguageModel.LanguageModel, scripted.service)
        )
      )
      yield* settle
      expect((yield* queue.stats).lanes.generate).toMatchObject({ active: 1, pending: 1 })
      yield* TestClock.adjust("100 millis")
      yield* settle
      expect(agents.unsafePoll()).toBeNull()
      expect((yield* queue.stats).lanes.generate).toMatchObject({ active: 1, pending: 0 })
      yield* TestClock.adjust("100 millis")
      const results = yield* Fiber.join(agents)
      expect(results.map((result) => result.text).sort()).toEqual(["one", "two"])
    }))

  it.scoped("a failing model call fails the loop: the model's AiError, the generate lane's TaskTimeout", () =>
    Effect.gen(function*() {
      const exhausted = yield* session(
        { responses: [ScriptedModel.response(read("a", "f1"))] },
        ({ toolkit }) =>
          Effect.gen(function*() {
            const fiber = yield* Effect.fork(Effect.flip(Agent.run({ prompt: "go", toolkit })))
            return yield* finish(fiber)
          })
      )
      expect(exhausted._tag).toBe("UnknownError")

      const slow = yield* session(
        { responses: [ScriptedModel.response(ScriptedModel.text("late"))], latency: "10 seconds" },
        ({ toolkit }) =>
          Effect.gen(function*() {
            const fiber = yield* Effect.fork(Effect.flip(Agent.run({ prompt: "go", toolkit })))
            return yield* finish(fiber, "1 second")
          }),
        { generate: { timeout: "2 seconds" } }
      )
      expect(slow._tag).toBe("TaskTimeout")
    }))

  it.scoped("each step runs in an Agent.step span", () =>
    session({
      responses: [ScriptedModel.response(read("a", "f1")), ScriptedModel.response(ScriptedModel.text("done"))]
    }, ({ toolkit }) =>
      Effect.gen(function*() {
        const names: Array<string> = []
        const base = yield* Effect.tracer
        const span: Tracer.Tracer["span"] = (...args) => {
          names.push(args[0])
          return base.span(...args)
        }
        const tracer = Tracer.make({ span, context: base.context })
        yield* finish(yield* Effect.fork(Agent.run({ prompt: "go", toolkit }).pipe(Effect.withTracer(tracer))))
        expect(names.filter((name) => name === "Agent.step")).toHaveLength(2)
        expect(names).toContain("Strategy.runTurn")
      })))
})

describe("ScriptedModel", () => {
  it.effect("fails with an AiError past the end of its script", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(LanguageModel.generateText({ prompt: "hi" }))
      expect(error.message).toContain("the script has 0 responses")
    }).pipe(Effect.provide(ScriptedModel.layer({ responses: [] }))))

  it("fromTurns: a response per recorded turn, then a closing text", () => {
    const responses = ScriptedModel.fromTurns([[{ id: "1", name: "read", args: { path: "a" } }], [], [{
      id: "2",
      name: "bash"
    }]])
    expect(responses.map((parts) => parts.map((part) => part.type))).toEqual([
      ["tool-call", "finish"],
      ["tool-call", "finish"],
      ["text", "finish"]
    ])
  })

  it.effect("streams a response as stream parts", () =>
    Effect.gen(function*() {
      const scripted = yield* ScriptedModel.make({ responses: [ScriptedModel.response(ScriptedModel.text("hello"))] })
      const parts = yield* LanguageModel.streamText({ prompt: "hi" }).pipe(
        Stream.runCollect,
        Effect.provideService(LanguageModel.LanguageModel, scripted.service)
      )
      expect(Chunk.toArray(parts).map((part) => part.type)).toEqual(["text-start", "text-delta", "text-end", "finish"])
    }))
})
