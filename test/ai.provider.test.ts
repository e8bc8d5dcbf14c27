/**
 * The agent loop on a real provider's path: `@effect/ai-openai`'s `LanguageModel` over a recording `HttpClient`
 * that answers with responses shaped as OpenAI's Responses API returns them (no network, no key).
 */
import { Tool, Toolkit } from "@effect/ai"
import { OpenAiClient, OpenAiLanguageModel } from "@effect/ai-openai"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Ref, Schema } from "effect"
import { Agent } from "../src/ai/index.js"
import { LaneQueue, LanesConfig } from "../src/index.js"

const Lookup = Tool.make("lookup", {
  description: "Look a key up",
  parameters: { id: Schema.String },
  success: Schema.String
}).annotate(Tool.Readonly, true)

const Kit = Toolkit.make(Lookup)

/** An OpenAI Responses API response (`POST /v1/responses`), as the API returns it, with the given output items. */
const apiResponse = (id: string, output: ReadonlyArray<unknown>) => ({
  id,
  object: "response",
  created_at: 1_750_000_000,
  status: "completed",
  background: false,
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: null,
  model: "gpt-4o-mini-2024-07-18",
  output,
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: { effort: null, summary: null },
  service_tier: "default",
  store: true,
  temperature: 1,
  text: { format: { type: "text" } },
  tool_choice: "auto",
  tools: [{
    type: "function",
    name: "lookup",
    description: "Look a key up",
    parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    strict: false
  }],
  top_p: 1,
  truncation: "disabled",
  usage: {
    input_tokens: 42,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 17,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 59
  },
  user: null,
  metadata: {}
})

const functionCall = (callId: string, name: string, args: string) => ({
  type: "function_call",
  id: `fc_${callId}`,
  call_id: callId,
  name,
  arguments: args,
  status: "completed"
})

const message = (text: string) => ({
  type: "message",
  id: "msg_1",
  status: "completed",
  role: "assistant",
  content: [{ type: "output_text", text, annotations: [] }]
})

/** An `HttpClient` that records each request body and answers with the next recorded response. */
const recording = (responses: ReadonlyArray<unknown>) =>
  Effect.gen(function*() {
    const bodies = yield* Ref.make<ReadonlyArray<unknown>>([])
    const client = HttpClient.make((request) =>
      Effect.gen(function*() {
        const sent = request.body._tag === "Uint8Array" ? JSON.parse(new TextDecoder().decode(request.body.body)) : null
        const index = (yield* Ref.getAndUpdate(bodies, (all) => [...all, sent])).length
        const body = responses[index] ?? { error: { message: "no more recorded responses" } }
        return HttpClientResponse.fromWeb(
          request,
          new Response(JSON.stringify(body), {
            status: responses[index] === undefined ? 500 : 200,
            headers: { "content-type": "application/json" }
          })
        )
      })
    )
    return { bodies, layer: Layer.succeed(HttpClient.HttpClient, client) }
  })

const openAi = (http: Layer.Layer<HttpClient.HttpClient>) =>
  OpenAiLanguageModel.layer({ model: "gpt-4o-mini" }).pipe(
    Layer.provide(OpenAiClient.layer({})),
    Layer.provide(http)
  )

/** The function_call_output items of a recorded request: [call_id, output]. */
const outputsOf = (body: unknown): Array<readonly [unknown, unknown]> => {
  const input = typeof body === "object" && body !== null && "input" in body && Array.isArray(body.input)
    ? body.input
    : []
  return input.flatMap((item: unknown) =>
    typeof item === "object" && item !== null && "type" in item && item.type === "function_call_output" &&
      "call_id" in item && "output" in item
      ? [[item.call_id, JSON.parse(String(item.output))] as const]
      : []
  )
}

const session = (responses: ReadonlyArray<unknown>, onMalformedCall: "return" | "fail" = "return") =>
  Effect.gen(function*() {
    const seen = yield* Ref.make<ReadonlyArray<string>>([])
    const toolkit = yield* Effect.provide(
      Kit,
      Kit.toLayer({ lookup: ({ id }) => Effect.as(Ref.update(seen, (all) => [...all, id]), `value of ${id}`) })
    )
    const http = yield* recording(responses)
    const queue = yield* LaneQueue.make("openai").pipe(
      Effect.provide(LanesConfig.layerWith({ generate: { rateLimit: false } }))
    )
    const run = Agent.run({ prompt: "look up a and b", toolkit, onMalformedCall }).pipe(
      Effect.provideService(LaneQueue.LaneQueue, queue),
      Effect.provide(openAi(http.layer))
    )
    return { run, seen, bodies: http.bodies }
  })

describe("Agent.run on @effect/ai-openai (recorded HTTP)", () => {
  it.scoped("a response with an unknown tool and a wrong type: each bad call answers, the good one runs, the loop goes on", () =>
    Effect.gen(function*() {
      const { bodies, run, seen } = yield* session([
        apiResponse("resp_1", [
          functionCall("call_a", "lookup", "{\"id\":\"a\"}"),
          functionCall("call_b", "lookup", "{\"id\":5}"),
          functionCall("call_c", "lokup", "{\"id\":\"b\"}")
        ]),
        apiResponse("resp_2", [message("a is value of a; the other calls failed")])
      ])
      const result = yield* run
      expect(result.finishReason).toBe("stop")
      expect(result.text).toBe("a is value of a; the other calls failed")
      expect(yield* Ref.get(seen)).toEqual(["a"])
      expect(result.steps[0]?.malformedCalls.map((call) => call.id)).toEqual(["call_b", "call_c"])
      const sent = yield* Ref.get(bodies)
      expect(sent).toHaveLength(2)
      // the second request carries a function_call_output for every call of the first response
      expect(outputsOf(sent[1])).toEqual([
        ["call_a", "value of a"],
        ["call_b", {
          _tag: "ToolCallFailure",
          tool: "lookup",
          reason: "InvalidCall",
          message: "invalid arguments for tool \"lookup\": id: Expected string, actual 5. Fix them and call it again"
        }],
        ["call_c", {
          _tag: "ToolCallFailure",
          tool: "lokup",
          reason: "InvalidCall",
          message: "there is no tool named \"lokup\"; the tools are: lookup"
        }]
      ])
    }))

  it.scoped("argument JSON the provider cannot parse: the model is told and asked again", () =>
    Effect.gen(function*() {
      const { bodies, run, seen } = yield* session([
        apiResponse("resp_1", [
          functionCall("call_a", "lookup", "{\"id\":\"a\"}"),
          functionCall("call_b", "lookup", "{\"id\":\"b")
        ]),
        apiResponse("resp_2", [functionCall("call_c", "lookup", "{\"id\":\"b\"}")]),
        apiResponse("resp_3", [message("b is value of b")])
      ])
      const result = yield* run
      expect(result.text).toBe("b is value of b")
      expect(result.steps.map((step) => step.feedback === undefined)).toEqual([false, true, true])
      expect(result.steps[0]?.feedback).toContain("Your last response could not be read")
      expect(yield* Ref.get(seen)).toEqual(["b"])
      const sent = yield* Ref.get(bodies)
      expect(JSON.stringify(sent[1])).toContain("Your last response could not be read")
    }))

  it.scoped("onMalformedCall: \"fail\" keeps @effect/ai's behaviour on the provider's path", () =>
    Effect.gen(function*() {
      const { bodies, run, seen } = yield* session([
        apiResponse("resp_1", [
          functionCall("call_a", "lookup", "{\"id\":\"a\"}"),
          functionCall("call_c", "lokup", "{}")
        ]),
        apiResponse("resp_2", [message("never")])
      ], "fail")
      const failed = yield* Effect.flip(run)
      expect(failed._tag).toBe("MalformedOutput")
      expect(yield* Ref.get(bodies)).toHaveLength(1)
      expect(yield* Ref.get(seen)).toEqual([])
    }))
})
