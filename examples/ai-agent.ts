/**
 * An @effect/ai agent whose tool calls run through the lanes (`effect-lanes/ai`), over this repository with the
 * built-in tools as an @effect/ai toolkit in one line (`BuiltinTools.withHandlers`, from `effect-lanes/ai/tools`):
 * `read`, `ls`, `glob`, `grep` are annotated read-only, so one response's calls overlap in one wave of the query
 * lane; `write`, `edit` and `bash` (unless its command is plainly read-only) run alone. The model calls go
 * through the generate lane.
 *
 * Offline by default: a scripted model plays three recorded responses (a wave of four reads, two reads of which
 * one fails and comes back to the model as a failure result, a closing text). With `OPENAI_API_KEY` set and
 * `@effect/ai-openai` installed, a real model (`OPENAI_MODEL`, default `gpt-4o-mini`) drives the same loop.
 *
 * Run with `npx tsx examples/ai-agent.ts`.
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect, Layer, Option } from "effect"
import { LaneQueue, LanesConfig } from "effect-lanes"
import { Agent, ScriptedModel } from "effect-lanes/ai"
import { BuiltinTools } from "effect-lanes/ai/tools"
import { Tools } from "effect-lanes/tools"

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
  const toolkit = yield* BuiltinTools.withHandlers
  const queue = yield* LaneQueue.LaneQueue
  const result = yield* Agent.run({
    prompt: "What does src/ai of this repository provide? Use the tools; answer in two sentences.",
    toolkit,
    maxSteps: 5
  })
  for (const step of result.steps) {
    const calls = step.response.toolCalls.map((call) => `${call.name}(${JSON.stringify(call.params)})`)
    yield* Console.log(`step ${step.index}: ${calls.length === 0 ? "no tool calls" : calls.join(", ")}`)
    for (const stage of step.plan?.stages ?? []) {
      yield* Console.log(`  ${stage.kind} of ${stage.calls.length}: ${stage.plan._tag}, ${stage.plan.reason}`)
    }
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
    Effect.provide(Tools.layer({ root: path })),
    Effect.provide(LaneQueue.layer("session-ai")),
    Effect.provide(model.layer)
  )
}).pipe(
  Effect.provide(LanesConfig.layerDefaults),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
