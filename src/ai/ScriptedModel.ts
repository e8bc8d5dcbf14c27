/**
 * A `LanguageModel` that plays recorded responses, one per call, so that an agent loop runs offline: in
 * tests, examples and benchmarks, or to drive the real `@effect/ai` path from recorded turns.
 *
 * A response is a list of `@effect/ai`'s encoded response parts (`Response.PartEncoded`: text, tool calls,
 * a finish part, ...), as a provider returns them. `generateText` plays the next response; `streamText`
 * plays it as stream parts (text and reasoning as start/delta/end). A call beyond the script fails with
 * `AiError.UnknownError`. An optional `latency` delays every response through Effect's `Clock`, so that a
 * test can drive it with `TestClock`.
 *
 * @since 0.1.0
 */
import type * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import type * as Response from "@effect/ai/Response"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as internal from "../internal/ai/scriptedModel.js"
import type * as Strategy from "../Strategy.js"

/**
 * One recorded response: encoded response parts, as a provider returns them.
 *
 * @since 0.1.0
 * @category models
 */
export type ScriptedResponse = ReadonlyArray<Response.PartEncoded>

/**
 * The responses to play, in order, and the latency of each model call (default none).
 *
 * @since 0.1.0
 * @category models
 */
export interface Script {
  readonly responses: ReadonlyArray<ScriptedResponse>
  readonly latency?: Duration.DurationInput | undefined
}

/**
 * A scripted model: the `LanguageModel` service, the prompts it received so far (one per call, in order)
 * and how many responses are left.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scripted {
  readonly service: LanguageModel.Service
  readonly prompts: Effect.Effect<ReadonlyArray<Prompt.Prompt>>
  readonly remaining: Effect.Effect<number>
}

/**
 * An encoded text part.
 *
 * @since 0.1.0
 * @category constructors
 */
export const text: (value: string) => Response.TextPartEncoded = internal.text

/**
 * An encoded tool-call part: call `id`, tool `name`, `params` as the model sends them (default `{}`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const toolCall: (id: string, name: string, params?: unknown) => Response.ToolCallPartEncoded = internal.toolCall

/**
 * A response of the given parts, closed by a finish part: reason `tool-calls` when a part calls a tool,
 * else `stop`; token usage unknown.
 *
 * @since 0.1.0
 * @category constructors
 */
export const response: (...parts: ReadonlyArray<Response.PartEncoded>) => ScriptedResponse = internal.response

/**
 * Responses from recorded turns: one response per non-empty turn, calling that turn's tools (`Strategy.ToolCall`:
 * id, name, args) in order, then a closing text response (default `"done"`). Transcripts that `replay` reads
 * map onto turns of tool calls, so a recorded session can drive the real `@effect/ai` loop.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromTurns: (
  turns: ReadonlyArray<ReadonlyArray<Strategy.ToolCall>>,
  closing?: string
) => ReadonlyArray<ScriptedResponse> = internal.fromTurns

/**
 * Builds a scripted model.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (script: Script) => Effect.Effect<Scripted> = internal.make

/**
 * A scripted model as the `LanguageModel` layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (script: Script) => Layer.Layer<LanguageModel.LanguageModel> = internal.layer
