import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Trace from "../../src/replay/trace.js"

describe("Gemini CLI reader", () => {
  it.effect("a session's gemini message is one turn; its calls start at their id's time and end at their own", () =>
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
              // started at the time in its id (00:00:00.990), recorded at 01.020: 30 ms
              {
                id: "read_file-1767225600990-ab12",
                name: "read_file",
                args: { absolute_path: "/p/a.ts" },
                timestamp: "2026-01-01T00:00:01.020Z"
              },
              { id: "l1", name: "list_directory", args: { path: "/p" }, timestamp: "2026-01-01T00:00:00.500Z" }
            ]
          },
          {
            id: "3",
            type: "gemini",
            timestamp: "2026-01-01T00:00:05.000Z",
            toolCalls: [
              // the CLI ran them together and recorded both when the last ended: no duration of their own
              { id: "g1", name: "glob", args: { pattern: "*.ts" }, timestamp: "2026-01-01T00:00:09.000Z" },
              { id: "g2", name: "glob", args: { pattern: "*.md" }, timestamp: "2026-01-01T00:00:09.000Z" }
            ]
          }
        ]
      }
      const trace = yield* Trace.parse("session.json", JSON.stringify(session))
      expect(trace.format).toBe("gemini")
      expect(trace.turns[0]?.calls.map((call) => call.name)).toEqual(["read_file", "list_directory"])
      // a call recorded before its message has no usable duration
      expect(trace.turns[0]?.calls.map((call) => call.recordedMillis)).toEqual([Option.some(30), Option.none()])
      expect(trace.turns[1]?.calls.map((call) => call.recordedMillis)).toEqual([Option.none(), Option.none()])
      expect(trace.turns[1]?.calls[0]?.missing).toContain("one end time for the calls of this response")
      expect(trace.root).toEqual(Option.none())
    }))

  it.effect("stream-json: tool_use events of one response are a turn, run one after another", () =>
    Effect.gen(function*() {
      const text = [
        { type: "init", timestamp: "2026-01-01T00:00:00.000Z", session_id: "s", model: "m" },
        { type: "message", timestamp: "2026-01-01T00:00:00.001Z", role: "user", content: "go" },
        {
          type: "tool_use",
          timestamp: "2026-01-01T00:00:01.000Z",
          tool_name: "read_file",
          tool_id: "a",
          parameters: { absolute_path: "/p/a" }
        },
        { type: "message", timestamp: "2026-01-01T00:00:01.001Z", role: "assistant", content: "and", delta: true },
        {
          type: "tool_use",
          timestamp: "2026-01-01T00:00:01.002Z",
          tool_name: "glob",
          tool_id: "b",
          parameters: { pattern: "*" }
        },
        { type: "tool_result", timestamp: "2026-01-01T00:00:01.100Z", tool_id: "a", status: "success", output: "x" },
        { type: "tool_result", timestamp: "2026-01-01T00:00:01.150Z", tool_id: "b", status: "success", output: "y" },
        {
          type: "tool_use",
          timestamp: "2026-01-01T00:00:02.000Z",
          tool_name: "run_shell_command",
          tool_id: "c",
          parameters: { command: "ls" }
        },
        { type: "tool_result", timestamp: "2026-01-01T00:00:02.040Z", tool_id: "c", status: "success", output: "z" },
        { type: "result", timestamp: "2026-01-01T00:00:03.000Z", status: "success", stats: {} }
      ].map((event) => JSON.stringify(event)).join("\n")
      const trace = yield* Trace.parse("out.jsonl", text)
      expect(trace.format).toBe("gemini")
      expect(trace.turns.map((turn) => turn.calls.map((call) => call.id))).toEqual([["a", "b"], ["c"]])
      // b ran after a's result: 1.150 - 1.100, not 1.150 - 1.002
      expect(trace.turns.flatMap((turn) => turn.calls.map((call) => call.recordedMillis))).toEqual([
        Option.some(100),
        Option.some(50),
        Option.some(40)
      ])
    }))
})
