import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Trace from "../../src/replay/trace.js"

describe("Gemini CLI reader", () => {
  it.effect("a gemini message's toolCalls are one turn, timed from the message to each call's timestamp", () =>
    Effect.gen(function*() {
      const session = {
        sessionId: "s",
        messages: [
          { id: "1", type: "user", timestamp: "2026-01-01T00:00:00.000Z", content: "go" },
          {
            id: "2",
            type: "gemini",
            timestamp: "2026-01-01T00:00:01.000Z",
            toolCalls: [
              {
                id: "r1",
                name: "read_file",
                args: { absolute_path: "/p/a.ts" },
                timestamp: "2026-01-01T00:00:01.020Z"
              },
              { id: "l1", name: "list_directory", args: { path: "/p" }, timestamp: "2026-01-01T00:00:00.500Z" }
            ]
          }
        ]
      }
      const trace = yield* Trace.parse("session.json", JSON.stringify(session))
      expect(trace.format).toBe("gemini")
      expect(trace.turns[0]?.calls.map((call) => call.name)).toEqual(["read_file", "list_directory"])
      // a call recorded before its message has no usable duration
      expect(trace.turns[0]?.calls.map((call) => call.recordedMillis)).toEqual([Option.some(20), Option.none()])
    }))
})
