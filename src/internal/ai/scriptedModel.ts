import * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import type * as Response from "@effect/ai/Response"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type * as ScriptedModel from "../../ai/ScriptedModel.js"
import type * as Strategy from "../../Strategy.js"

type Script = ScriptedModel.Script
type Scripted = ScriptedModel.Scripted
type ScriptedResponse = ScriptedModel.ScriptedResponse

/** @internal */
export const text = (value: string): Response.TextPartEncoded => ({ type: "text", text: value })

/** @internal */
export const toolCall = (id: string, name: string, params: unknown = {}): Response.ToolCallPartEncoded => ({
  type: "tool-call",
  id,
  name,
  params
})

const usage = { inputTokens: undefined, outputTokens: undefined, totalTokens: undefined }

/** @internal */
export const finish = (reason: Response.FinishPartEncoded["reason"]): Response.FinishPartEncoded => ({
  type: "finish",
  reason,
  usage
})

/** @internal A response of the given parts, closed by a finish part (`tool-calls` when it calls a tool). */
export const response = (...parts: ReadonlyArray<Response.PartEncoded>): ScriptedResponse => [
  ...parts,
  finish(parts.some((part) => part.type === "tool-call") ? "tool-calls" : "stop")
]

/** @internal One response per recorded turn (its tool calls), then a closing text response. */
export const fromTurns = (
  turns: ReadonlyArray<ReadonlyArray<Strategy.ToolCall>>,
  closing = "done"
): ReadonlyArray<ScriptedResponse> => [
  ...turns.filter((calls) => calls.length > 0).map((calls) =>
    response(...calls.map((call) => toolCall(call.id, call.name, call.args ?? {})))
  ),
  response(text(closing))
]

const streamParts = (parts: ScriptedResponse, step: number): Array<Response.StreamPartEncoded> =>
  parts.flatMap((part, i): Array<Response.StreamPartEncoded> => {
    const id = `${step}-${i}`
    switch (part.type) {
      case "text":
        return [{ type: "text-start", id }, { type: "text-delta", id, delta: part.text }, { type: "text-end", id }]
      case "reasoning":
        return [
          { type: "reasoning-start", id },
          { type: "reasoning-delta", id, delta: part.text },
          { type: "reasoning-end", id }
        ]
      default:
        return [part]
    }
  })

/** @internal */
export const make = (script: Script): Effect.Effect<Scripted> =>
  Effect.gen(function*() {
    const prompts: Array<Prompt.Prompt> = []
    const latency = Duration.decode(script.latency ?? Duration.zero)
    const next = (options: LanguageModel.ProviderOptions) =>
      Effect.suspend(() => {
        const step = prompts.length
        const parts = script.responses[step]
        prompts.push(options.prompt)
        if (parts === undefined) {
          return Effect.fail(
            new AiError.UnknownError({
              module: "ScriptedModel",
              method: "generateText",
              description: `the script has ${script.responses.length} responses; call ${step + 1} has none`
            })
          )
        }
        const played = Effect.succeed({ parts, step })
        return Duration.isZero(latency) ? played : Effect.delay(played, latency)
      })
    const service = yield* LanguageModel.make({
      generateText: (options) => Effect.map(next(options), ({ parts }) => [...parts]),
      streamText: (options) =>
        Stream.flatMap(Stream.fromEffect(next(options)), ({ parts, step }) =>
          Stream.fromIterable(streamParts(parts, step)))
    })
    return {
      service,
      prompts: Effect.sync(() => [...prompts]),
      remaining: Effect.sync(() =>
        Math.max(0, script.responses.length - prompts.length)
      )
    }
  })

/** @internal */
export const layer = (script: Script): Layer.Layer<LanguageModel.LanguageModel> =>
  Layer.effect(LanguageModel.LanguageModel, Effect.map(make(script), (scripted) => scripted.service))
