import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Trace from "../../src/replay/trace.js"

const line = (value: unknown) => JSON.stringify(value)
const base = { sessionId: "s", cwd: "/home/ann/shop", uuid: "u" }
const use = (message: string, id: string, at: string, input: unknown) =>
  line({
    ...base,
    type: "assistant",
    requestId: `r-${message}`,
    timestamp: at,
    message: { id: message, role: "assistant", content: [{ type: "tool_use", id, name: "Read", input }] }
  })
const result = (id: string, at: string, extra: unknown = undefined) =>
  line({
    ...base,
    type: "user",
    timestamp: at,
    message: { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "x" }] },
    ...(extra === undefined ? {} : { toolUseResult: extra })
  })

describe("Claude Code reader", () => {
  it.effect("groups the current layout's one-call lines by message id, with durations and the stated cwd", () =>
    Effect.gen(function*() {
      const text = [
        use("m1", "a", "2026-01-01T00:00:00.000Z", { file_path: "/home/ann/shop/a.ts" }),
        result("a", "2026-01-01T00:00:00.030Z"),
        line({ ...base, type: "progress", data: {} }),
        use("m1", "b", "2026-01-01T00:00:00.005Z", { file_path: "/home/ann/shop/b.ts" }),
        result("b", "2026-01-01T00:00:00.050Z", { durationMs: 7 }),
        use("m2", "c", "2026-01-01T00:00:01.000Z", { file_path: "/home/ann/shop/c.ts" })
      ].join("\n")
      const trace = yield* Trace.parse("s.jsonl", text)
      expect(trace.format).toBe("claude-code")
      expect(trace.turns.map((turn) => turn.calls.map((call) => call.id))).toEqual([["a", "b"], ["c"]])
      expect(trace.turns[0]?.calls.map((call) => call.recordedMillis)).toEqual([Option.some(30), Option.some(7)])
      expect(trace.turns[0]?.calls[1]?.latencySource).toBe("toolUseResult.durationMs")
      expect(trace.root).toEqual(Option.some("/home/ann/shop"))
    }))

  it.effect("the older layout (all tool_use blocks on one line) is one turn", () =>
    Effect.gen(function*() {
      const text = line({
        ...base,
        type: "assistant",
        message: {
          role: "assistant",
          content: [
            { type: "tool_use", id: "x", name: "Glob", input: { pattern: "*.ts" } },
            { type: "tool_use", id: "y", name: "Bash", input: { command: "sleep 9", run_in_background: true } }
          ]
        }
      })
      const trace = yield* Trace.parse("s.jsonl", text)
      expect(trace.turns.map((turn) => turn.calls.length)).toEqual([2])
      expect(trace.turns[0]?.calls[1]?.background).toBe(true)
    }))

  it.effect("stream-json: the init line's cwd, session_id lines, tool_use_result durations, subagent turns", () =>
    Effect.gen(function*() {
      const stream = (value: object) => line({ session_id: "s", uuid: "u", ...value })
      const assistant = (message: string, blocks: ReadonlyArray<unknown>, parent: string | null = null) =>
        stream({
          type: "assistant",
          message: { id: message, role: "assistant", content: blocks },
          parent_tool_use_id: parent
        })
      const answer = (id: string, result: unknown, parent: string | null = null) =>
        stream({
          type: "user",
          message: { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "x" }] },
          parent_tool_use_id: parent,
          tool_use_result: result
        })
      const text = [
        line({ type: "system", subtype: "init", cwd: "/root/app", session_id: "s", tools: ["Read"] }),
        assistant("m1", [{ type: "tool_use", id: "g", name: "Grep", input: { pattern: "x" } }]),
        assistant("m1", [{ type: "tool_use", id: "r", name: "Read", input: { file_path: "/root/app/a" } }]),
        answer("g", { mode: "files_with_matches", numFiles: 1, durationMs: 41 }),
        answer("r", { type: "text", file: { filePath: "/root/app/a" } }),
        assistant("m2", [{ type: "tool_use", id: "t", name: "Task", input: { prompt: "look" } }]),
        assistant("m3", [{ type: "tool_use", id: "s1", name: "Glob", input: { pattern: "*" } }], "t"),
        answer("s1", { durationMs: 5 }, "t"),
        line({ type: "result", subtype: "success", duration_ms: 100, session_id: "s" })
      ].join("\n")
      const trace = yield* Trace.parse("out.jsonl", text)
      expect(trace.format).toBe("claude-code")
      expect(trace.root).toEqual(Option.some("/root/app"))
      expect(trace.turns.map((turn) => [turn.agent, turn.calls.map((call) => call.id)])).toEqual([
        [null, ["g", "r"]],
        [null, ["t"]],
        ["task t", ["s1"]]
      ])
      expect(trace.turns[0]?.calls.map((call) => call.recordedMillis)).toEqual([Option.some(41), Option.none()])
      expect(trace.turns[0]?.calls[0]?.latencySource).toBe("tool_use_result.durationMs")
      expect(trace.turns[2]?.calls[0]?.recordedMillis).toEqual(Option.some(5))
    }))
})
