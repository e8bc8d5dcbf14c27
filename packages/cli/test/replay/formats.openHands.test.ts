import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import * as ToolMapping from "../../src/replay/toolMapping.js"
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

  it.effect("V1 SDK events: ActionEvents grouped by llm_response_id, timed by their ObservationEvents", () =>
    Effect.gen(function*() {
      const act = (id: string, response: string, tool: string, args: unknown, at: string) => ({
        id: `e-${id}`,
        timestamp: at,
        source: "agent",
        kind: "ActionEvent",
        action: { ...(args as object), kind: tool === "terminal" ? "TerminalAction" : "FileEditorAction" },
        tool_name: tool,
        tool_call_id: id,
        tool_call: { id, name: tool, arguments: JSON.stringify(args), origin: "completion" },
        llm_response_id: response
      })
      const observe = (id: string, at: string) => ({
        id: `o-${id}`,
        timestamp: at,
        source: "environment",
        kind: "ObservationEvent",
        tool_call_id: id,
        action_id: `e-${id}`,
        observation: { kind: "TerminalObservation", content: [] }
      })
      const events = [
        { id: "m", timestamp: "2026-09-13T05:51:52.000000", source: "user", kind: "MessageEvent", llm_message: {} },
        act(
          "t1",
          "chatcmpl-1",
          "file_editor",
          { command: "view", path: "/workspace/a.py" },
          "2026-09-13T05:51:57.000000"
        ),
        act("t2", "chatcmpl-1", "terminal", { command: "ls -la" }, "2026-09-13T05:51:57.001000"),
        observe("t1", "2026-09-13T05:51:57.200000"),
        observe("t2", "2026-09-13T05:51:57.450000"),
        // the AG-UI envelope some front ends record
        {
          type: "CUSTOM",
          name: "OPENHANDS_EVENT",
          value: {
            data: act("t3", "chatcmpl-2", "terminal", { command: "y", is_input: true }, "2026-09-13T05:52:00.000000")
          }
        },
        { type: "CUSTOM", name: "OPENHANDS_EVENT", value: { data: observe("t3", "2026-09-13T05:52:00.100000") } }
      ]
      const trace = yield* Trace.parse("events.jsonl", events.map((event) => JSON.stringify(event)).join("\n"))
      expect(trace.format).toBe("openhands")
      expect(trace.turns.map((turn) => turn.calls.map((call) => call.id))).toEqual([["t1", "t2"], ["t3"]])
      expect(trace.turns[0]?.calls.map((call) => call.recordedMillis)).toEqual([Option.some(200), Option.some(250)])
      expect(trace.turns[0]?.calls[1]?.input).toEqual({ command: "ls -la" })
      expect(trace.root).toEqual(Option.some("/workspace"))
      // input typed into a running command is not a command of its own
      expect(ToolMapping.map("terminal", trace.turns[1]?.calls[0]?.input)).toEqual(
        Either.left("input sent to a running command has no built-in equivalent")
      )
      expect(Either.isRight(ToolMapping.map("file_editor", trace.turns[0]?.calls[0]?.input))).toBe(true)
    }))
})
