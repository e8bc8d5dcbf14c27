import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Trace from "../../src/replay/trace.js"

const row = (type: string, payload: unknown, timestamp = "2026-01-01T00:00:00.000Z") =>
  JSON.stringify({ timestamp, type, payload })

describe("Codex rollout reader", () => {
  it.effect("consecutive calls form a turn; exec_command_end gives the duration; session_meta the root", () =>
    Effect.gen(function*() {
      const text = [
        row("session_meta", { id: "x", cwd: "/srv/app" }),
        row("response_item", { type: "reasoning", summary: [] }),
        row("response_item", {
          type: "function_call",
          name: "shell",
          arguments: "{\"command\":[\"ls\"]}",
          call_id: "c1"
        }),
        row("response_item", {
          type: "custom_tool_call",
          name: "apply_patch",
          input: "*** Begin Patch\n*** End Patch",
          call_id: "c2"
        }),
        row("event_msg", { type: "exec_command_end", call_id: "c1", duration: { secs: 1, nanos: 500_000_000 } }),
        row("response_item", { type: "function_call_output", call_id: "c1", output: "ok" }),
        row("response_item", { type: "custom_tool_call_output", call_id: "c2", output: "ok" }),
        row("response_item", { type: "function_call", name: "shell", arguments: "{not json", call_id: "c3" })
      ].join("\n")
      const trace = yield* Trace.parse("r.jsonl", text)
      expect(trace.format).toBe("codex")
      expect(trace.root).toEqual(Option.some("/srv/app"))
      expect(trace.turns.map((turn) => turn.calls.map((call) => call.id))).toEqual([["c1", "c2"]])
      expect(trace.turns[0]?.calls[0]?.recordedMillis).toEqual(Option.some(1500))
      expect(trace.turns[0]?.calls[1]?.input).toEqual({ input: "*** Begin Patch\n*** End Patch" })
      expect(trace.skipped.map((skip) => skip.reason)).toEqual(["arguments are not valid JSON"])
    }))
})

describe("OpenAI Responses reader", () => {
  it.effect("function_call items with call_id, ended by their outputs", () =>
    Effect.gen(function*() {
      const items = [
        { type: "message", role: "user", content: "hi" },
        { type: "function_call", name: "read_file", arguments: "{\"path\":\"a\"}", call_id: "f1" },
        { type: "function_call", name: "read_file", arguments: "{\"path\":\"b\"}", call_id: "f2" },
        { type: "function_call_output", call_id: "f1", output: "a" },
        { type: "function_call_output", call_id: "f2", output: "b" },
        { type: "function_call", name: "grep", arguments: "{\"pattern\":\"x\"}", call_id: "f3" }
      ]
      const trace = yield* Trace.parse("items.json", JSON.stringify(items))
      expect(trace.format).toBe("openai-responses")
      expect(trace.turns.map((turn) => turn.calls.length)).toEqual([2, 1])
    }))
})

describe("Codex shell_command and durations", () => {
  it.effect("Wall time in the output is the duration; else the output time minus exec_command_begin's", () =>
    Effect.gen(function*() {
      const call = (id: string, command: string, at: string) =>
        row("response_item", {
          type: "function_call",
          name: "shell_command",
          arguments: JSON.stringify({ command, workdir: "C:\\repo" }),
          call_id: id
        }, at)
      const text = [
        row("session_meta", { id: "x", cwd: "C:\\repo" }),
        call("a", "Get-Content -Path src\\a.ts -TotalCount 200", "2026-01-01T00:00:00.000Z"),
        call("b", "Get-ChildItem -Recurse -Filter *.ts", "2026-01-01T00:00:00.001Z"),
        row("response_item", {
          type: "function_call_output",
          call_id: "a",
          output: "Exit code: 0\nWall time: 0.2 seconds\nOutput:\nx"
        }, "2026-01-01T00:00:09.000Z"),
        // approved 8 s after the call: the command ran from 8.000 to 8.300
        row("event_msg", { type: "exec_command_begin", call_id: "b" }, "2026-01-01T00:00:08.000Z"),
        row(
          "response_item",
          { type: "function_call_output", call_id: "b", output: "no wall time here" },
          "2026-01-01T00:00:08.300Z"
        )
      ].join("\n")
      const trace = yield* Trace.parse("r.jsonl", text)
      expect(trace.turns.map((turn) => turn.calls.map((call) => call.name))).toEqual([[
        "shell_command",
        "shell_command"
      ]])
      expect(trace.turns[0]?.calls.map((call) => call.recordedMillis)).toEqual([Option.some(200), Option.some(300)])
      expect(trace.turns[0]?.calls.map((call) => call.latencySource)).toEqual([
        "output Wall time",
        "result time - call time"
      ])
    }))
})
