import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Sweagent from "../../src/replay/readers/sweAgent.js"
import * as Trace from "../../src/replay/trace.js"

describe("SWE-agent reader", () => {
  it.effect("one call per step, execution_time in seconds, working_dir as the root", () =>
    Effect.gen(function*() {
      const traj = {
        environment: "x",
        history: [],
        info: {},
        trajectory: [
          { action: "find_file \"a.py\"\n", execution_time: 0.25, state: "{\"working_dir\": \"/repo\"}" },
          { action: "str_replace_editor view /repo/a.py --view_range '[1, 5]'", execution_time: 0.1 },
          { action: "python a.py", execution_time: 1 }
        ]
      }
      const trace = yield* Trace.parse("x.traj", JSON.stringify(traj))
      expect(trace.format).toBe("swe-agent")
      expect(trace.root).toEqual(Option.some("/repo"))
      expect(trace.turns.map((turn) => turn.calls[0]?.name)).toEqual(["find_file", "str_replace_editor", "bash"])
      expect(trace.turns[0]?.calls[0]?.recordedMillis).toEqual(Option.some(250))
      expect(trace.turns[1]?.calls[0]?.input).toEqual({ command: "view", path: "/repo/a.py", view_range: [1, 5] })
    }))

  it("splits command lines with quotes", () => {
    expect(Sweagent.words(`search_dir "a b" 'c d' e\\ f`)).toEqual(["search_dir", "a b", "c d", "e f"])
  })
})

describe("mini-swe-agent reader", () => {
  it.effect("each assistant message's fenced command is a bash call", () =>
    Effect.gen(function*() {
      const traj = {
        trajectory_format: "mini-swe-agent-1",
        messages: [
          { role: "system", content: "sys" },
          { role: "assistant", content: "Look.\n\n```mswea_bash_command\nls -la\n```" },
          { role: "user", content: "<returncode>0</returncode>" },
          { role: "assistant", content: "Read.\n\n```mswea_bash_command\ncat a.py\n```" }
        ]
      }
      const trace = yield* Trace.parse("x.traj.json", JSON.stringify(traj))
      expect(trace.format).toBe("mini-swe-agent")
      expect(trace.turns.map((turn) => turn.calls[0]?.input)).toEqual([{ command: "ls -la" }, { command: "cat a.py" }])
    }))
})
