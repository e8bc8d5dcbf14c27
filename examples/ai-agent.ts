/**
 * An @effect/ai agent whose tool calls run through the lanes (`effect-lanes/ai`), over this repository with the
 * built-in read-only tools (`read`, `ls`, `glob`, `grep` from `Tools`), each annotated `Tool.Readonly` so that
 * one response's calls overlap in one wave of the query lane. The model calls go through the generate lane.
 *
 * Offline by default: a scripted model plays three recorded responses (a wave of four reads, two reads of which
 * one fails and comes back to the model as a failure result, a closing text). With `OPENAI_API_KEY` set and
 * `@effect/ai-openai` installed, a real model (`OPENAI_MODEL`, default `gpt-4o-mini`) drives the same loop.
 *
 * Run with `npx tsx examples/ai-agent.ts`.
 */
import { Tool, Toolkit } from "@effect/ai"
import { FetchHttpClient } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Config, Console, Context, Effect, Layer, Option, Schema } from "effect"
import { LaneQueue, LanesConfig } from "effect-lanes"
import { Agent, ScriptedModel } from "effect-lanes/ai"
import { Tools } from "effect-lanes/tools"

/** The annotations of a local read: read-only, not destructive, idempotent, closed-world. */
const localRead = Context.make(Tool.Readonly, true).pipe(
  Context.add(Tool.Destructive, false),
  Context.add(Tool.Idempotent, true),
  Context.add(Tool.OpenWorld, false)
)

const Read = Tool.make("read", {
  description: "Read a text file of the repository; at most `limit` lines",
  parameters: { path: Schema.String, limit: Schema.optional(Schema.Int) },
  success: Schema.String,
  failure: Schema.String
}).annotateContext(localRead)

const Ls = Tool.make("ls", {
  description: "List a directory of the repository",
  parameters: { path: Schema.optional(Schema.String) },
  success: Schema.Array(Schema.Struct({ name: Schema.String, type: Schema.String })),
  failure: Schema.String
}).annotateContext(localRead)

const Glob = Tool.make("glob", {
  description: "Find files matching a glob under a directory",
  parameters: { pattern: Schema.String, path: Schema.optional(Schema.String) },
  success: Schema.Array(Schema.String),
  failure: Schema.String
}).annotateContext(localRead)

const Grep = Tool.make("grep", {
  description: "Search files for lines matching a regular expression",
  parameters: { pattern: Schema.String, path: Schema.optional(Schema.String) },
  success: Schema.Array(Schema.Struct({ path: Schema.String, line: Schema.Number, text: Schema.String })),
  failure: Schema.String
}).annotateContext(localRead)

const RepoTools = Toolkit.make(Read, Ls, Glob, Grep)

/** The handlers: the built-in tools, their errors as messages the model reads. */
const handlers = RepoTools.toLayer(Effect.gen(function*() {
  const tools = yield* Tools.Tools
  const message = (error: { readonly message: string }) => error.message
  return {
    read: ({ limit, path }) => Effect.mapError(tools.read(limit === undefined ? { path } : { path, limit }), message),
    ls: ({ path }) => Effect.mapError(tools.ls(path === undefined ? {} : { path }), message),
    glob: ({ path, pattern }) =>
      Effect.mapError(tools.glob(path === undefined ? { pattern } : { pattern, path }), message),
    grep: ({ path, pattern }) =>
      Effect.mapError(tools.grep(path === undefined ? { pattern } : { pattern, path }), message)
  }
}))

/** Three recorded responses: a wave of four reads, two reads (one of a missing file), a closing text. */
const script: ScriptedModel.Script = {
  responses: [
    ScriptedModel.response(
      ScriptedModel.text("Let me look around the repository."),
      ScriptedModel.toolCall("call-1", "ls", {}),
      ScriptedModel.toolCall("call-2", "glob", { pattern: "*.ts", path: "src/ai" }),
      ScriptedModel.toolCall("call-3", "grep", { pattern: "Effect\\.fn\\(\"Agent", path: "src/ai" }),
      ScriptedModel.toolCall("call-4", "read", { path: "package.json", limit: 5 })
    ),
    ScriptedModel.response(
      ScriptedModel.toolCall("call-5", "read", { path: "src/ai/Agent.ts", limit: 12 }),
      ScriptedModel.toolCall("call-6", "read", { path: "src/ai/Planner.ts" })
    ),
    ScriptedModel.response(
      ScriptedModel.text(
        "effect-lanes/ai runs an agent loop (Agent.run) whose model calls go through the generate lane and whose " +
          "tool calls go through the lanes, planned by the tools' annotations. There is no src/ai/Planner.ts."
      )
    )
  ]
}

/** A real model when `OPENAI_API_KEY` is set and `@effect/ai-openai` is installed, else the script. */
const modelLayer = Effect.gen(function*() {
  const key = yield* Config.option(Config.redacted("OPENAI_API_KEY"))
  if (Option.isNone(key)) return { name: "scripted (offline)", layer: ScriptedModel.layer(script) }
  const openai = yield* Effect.option(Effect.tryPromise(() => import("@effect/ai-openai")))
  if (Option.isNone(openai)) {
    yield* Console.log("OPENAI_API_KEY is set but @effect/ai-openai is not installed: running offline")
    return { name: "scripted (offline)", layer: ScriptedModel.layer(script) }
  }
  const { OpenAiClient, OpenAiLanguageModel } = openai.value
  const model = yield* Config.withDefault(Config.string("OPENAI_MODEL"), "gpt-4o-mini")
  const layer = OpenAiLanguageModel.layer({ model }).pipe(
    Layer.provide(OpenAiClient.layer({ apiKey: key.value })),
    Layer.provide(FetchHttpClient.layer)
  )
  return { name: `OpenAI ${model}`, layer }
})

const program = Effect.gen(function*() {
  const toolkit = yield* RepoTools
  const queue = yield* LaneQueue.LaneQueue
  const result = yield* Agent.run({
    prompt: "What does src/ai of this repository provide? Use the tools; answer in two sentences.",
    toolkit,
    maxSteps: 5
  })
  for (const step of result.steps) {
    const calls = step.response.toolCalls.map((call) => `${call.name}(${JSON.stringify(call.params)})`)
    yield* Console.log(`step ${step.index}: ${calls.length === 0 ? "no tool calls" : calls.join(", ")}`)
    for (const part of step.toolResults) {
      const preview = JSON.stringify(part.encodedResult).slice(0, 70)
      yield* Console.log(`  ${part.id} ${part.name}: ${part.isFailure ? "FAILED" : "ok"} ${preview}`)
    }
  }
  yield* Console.log(`finished (${result.finishReason}) after ${result.steps.length} steps: ${result.text}`)
  const metrics = yield* queue.metrics
  yield* Console.log(
    `lanes ran ${metrics.totals.completed} tasks (model and tool calls), ${metrics.totals.failed} failed`
  )
})

Effect.gen(function*() {
  const path = yield* Effect.sync(() => new URL("..", import.meta.url).pathname)
  const model = yield* modelLayer
  yield* Console.log(`model: ${model.name}; tools over ${path}`)
  yield* program.pipe(
    Effect.provide(handlers),
    Effect.provide(Tools.layer({ root: path })),
    Effect.provide(LaneQueue.layer("session-ai")),
    Effect.provide(model.layer)
  )
}).pipe(
  Effect.provide(LanesConfig.layerDefaults),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
