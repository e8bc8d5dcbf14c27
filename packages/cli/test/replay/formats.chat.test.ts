import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Trace from "../../src/replay/trace.js"

describe("OpenAI chat reader", () => {
  it.effect("an assistant message's tool_calls are a turn; a bad arguments string is skipped", () =>
    Effect.gen(function*() {
      const messages = [
        { role: "user", content: "go" },
        {
          role: "assistant",
          tool_calls: [
            { id: "1", type: "function", function: { name: "read_file", arguments: "{\"path\":\"a.ts\"}" } },
            { id: "2", type: "function", function: { name: "read_file", arguments: "{oops" } }
          ]
        },
        { role: "tool", tool_call_id: "1", content: "x", duration_ms: 4 }
      ]
      const trace = yield* Trace.parse("c.json", JSON.stringify({ messages }))
      expect(trace.format).toBe("openai")
      expect(trace.turns[0]?.calls.map((call) => call.recordedMillis)).toEqual([Option.some(4)])
      expect(trace.skipped.map((skip) => skip.reason)).toEqual(["function.arguments is not valid JSON"])
    }))
})

describe("Anthropic Messages reader", () => {
  it.effect("tool_use blocks, results' durations, and a bad JSONL line counted", () =>
    Effect.gen(function*() {
      const text = [
        JSON.stringify({
          role: "assistant",
          content: [{ type: "tool_use", id: "a", name: "Read", input: { file_path: "x" } }]
        }),
        "{ not json",
        JSON.stringify({ role: "user", content: [{ type: "tool_result", tool_use_id: "a", duration_ms: 12 }] })
      ].join("\n")
      const trace = yield* Trace.parse("t.jsonl", text)
      expect(trace.format).toBe("anthropic")
      expect(trace.turns[0]?.calls[0]?.recordedMillis).toEqual(Option.some(12))
      expect(trace.skipped).toEqual([{ where: "line 2", reason: "not valid JSON" }])
    }))
})
