import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import * as ToolMapping from "../../src/replay/toolMapping.js"
import * as Trace from "../../src/replay/trace.js"

const tool = (callID: string, name: string, input: unknown, start: number, end?: number) => ({
  id: `prt_${callID}`,
  type: "tool",
  callID,
  tool: name,
  state: end === undefined ? { status: "running", input, time: { start } } : {
    status: "completed",
    input,
    output: "ok",
    time: { start, end }
  }
})

const patch = "*** Begin Patch\n*** Update File: src/a.ts\n@@\n-old\n+new\n*** End Patch"

describe("OpenCode reader", () => {
  it.effect("an export: each step's tool parts are a turn, timed by state.time, rooted at the session's directory", () =>
    Effect.gen(function*() {
      const exported = {
        info: { id: "ses_1", directory: "/home/ann/shop", title: "t", time: { created: 1, updated: 2 } },
        messages: [
          { info: { id: "msg_1", role: "user", sessionID: "ses_1" }, parts: [{ type: "text", text: "go" }] },
          {
            info: { id: "msg_2", role: "assistant", sessionID: "ses_1", path: { cwd: "/x", root: "/x" } },
            parts: [
              { type: "step-start" },
              tool("c1", "read", { filePath: "/home/ann/shop/a.ts" }, 1000, 1012),
              tool("c2", "grep", { pattern: "x", include: "*.ts" }, 1001, 1031),
              { type: "step-finish", reason: "tool-calls" },
              { type: "step-start" },
              tool("c3", "apply_patch", { patchText: patch }, 2000, 2005),
              tool("c4", "bash", { command: "npm test" }, 2006),
              { type: "step-finish", reason: "tool-calls" }
            ]
          }
        ]
      }
      const trace = yield* Trace.parse("export.json", JSON.stringify(exported))
      expect(trace.format).toBe("opencode")
      expect(trace.root).toEqual(Option.some("/home/ann/shop"))
      expect(trace.turns.map((turn) => turn.calls.map((call) => call.id))).toEqual([["c1", "c2"], ["c3", "c4"]])
      expect(trace.turns.flatMap((turn) => turn.calls.map((call) => call.recordedMillis))).toEqual([
        Option.some(12),
        Option.some(30),
        Option.some(5),
        Option.none()
      ])
      expect(trace.turns[1]?.calls[1]?.missing).toContain("running")
      // apply_patch's patchText becomes the edit it describes
      const mapped = ToolMapping.map("apply_patch", trace.turns[1]?.calls[0]?.input)
      expect(Either.map(mapped, (m) => m.steps)).toEqual(
        Either.right([{ tool: "edit", args: { path: "src/a.ts", oldString: "old", newString: "new" } }])
      )
    }))

  it.effect("opencode run --format json: the parts of each message's steps, one event per line", () =>
    Effect.gen(function*() {
      const event = (type: string, part: unknown) =>
        JSON.stringify({
          type,
          timestamp: 1,
          sessionID: "ses_1",
          part: { sessionID: "ses_1", messageID: "msg_1", ...(part as object) }
        })
      const text = [
        event("step_start", { type: "step-start" }),
        event("tool_use", tool("a", "list", { path: "/p" }, 10, 14)),
        event("tool_use", tool("b", "glob", { pattern: "**/*.ts" }, 10, 25)),
        event("step_finish", { type: "step-finish" }),
        event("step_start", { type: "step-start" }),
        event("tool_use", tool("c", "write", { filePath: "/p/n.ts", content: "x" }, 30, 31))
      ].join("\n")
      const trace = yield* Trace.parse("run.jsonl", text)
      expect(trace.format).toBe("opencode")
      expect(trace.turns.map((turn) => turn.calls.map((call) => call.id))).toEqual([["a", "b"], ["c"]])
      expect(trace.turns[0]?.calls.map((call) => call.recordedMillis)).toEqual([Option.some(4), Option.some(15)])
    }))
})
