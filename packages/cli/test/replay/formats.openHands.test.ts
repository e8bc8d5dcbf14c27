import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Trace from "../../src/replay/trace.js"

const action = (id: number, call: string, response: string, name: string, args: unknown, at: string) => ({
  id,
  timestamp: at,
  source: "agent",
  action: name === "execute_bash" ? "run" : "read",
  args: {},
  tool_call_metadata: {
    function_name: name,
    tool_call_id: call,
    model_response: {
      id: response,
      choices: [{ message: { tool_calls: [{ id: call, function: { name, arguments: JSON.stringify(args) } }] } }]
    }
  }
})

describe("OpenHands reader", () => {
  it.effect("actions of one model response are one turn; observations time them by cause", () =>
    Effect.gen(function*() {
      const events = [
        { id: 1, source: "user", action: "message", args: { content: "go" }, timestamp: "2026-01-01T00:00:00" },
        action(
          2,
          "t1",
          "resp-1",
          "str_replace_editor",
          { command: "view", path: "/workspace/a.py" },
          "2026-01-01T00:00:01"
        ),
        action(3, "t2", "resp-1", "execute_bash", { command: "ls" }, "2026-01-01T00:00:01"),
        { id: 4, source: "agent", observation: "read", cause: 2, timestamp: "2026-01-01T00:00:01.250" },
        { id: 5, source: "agent", observation: "run", cause: 3, timestamp: "2026-01-01T00:00:02" },
        action(6, "t3", "resp-2", "finish", {}, "2026-01-01T00:00:03")
      ]
      const trace = yield* Trace.parse("events.json", JSON.stringify(events))
      expect(trace.format).toBe("openhands")
      expect(trace.turns.map((turn) => turn.calls.map((call) => call.id))).toEqual([["t1", "t2"], ["t3"]])
      // OpenHands runs a response's calls one after another: t2 starts when t1's observation comes, not before
      expect(trace.turns[0]?.calls.map((call) => call.recordedMillis)).toEqual([Option.some(250), Option.some(750)])
      expect(trace.turns[0]?.calls[1]?.latencySource).toBe("result time - previous result time")
      expect(trace.turns[0]?.calls[0]?.input).toEqual({ command: "view", path: "/workspace/a.py" })
      expect(trace.root).toEqual(Option.some("/workspace"))
    }))
})
