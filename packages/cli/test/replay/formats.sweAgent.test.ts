import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { Tools } from "effect-lanes/tools"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import * as Sweagent from "../../src/replay/readers/sweAgent.js"
import * as Replay from "../../src/replay/replay.js"
import * as ToolMapping from "../../src/replay/toolMapping.js"
import * as Trace from "../../src/replay/trace.js"
import { env, options } from "./fixtures.js"

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

  it.effect("multi-line arguments: create, str_replace, insert and view_range are read whole", () =>
    Effect.gen(function*() {
      const traj = {
        trajectory: [
          {
            action: "str_replace_editor create /testbed/r.py --file_text 'import a\n\nprint(a.f())\n'",
            execution_time: 0.01
          },
          {
            action:
              "str_replace_editor str_replace /testbed/a.py   --old_str 'def f():\n    return 1' --new_str 'def f():\n    return 2'",
            execution_time: 0.02
          },
          {
            action: "str_replace_editor insert /testbed/a.py --insert_line 2 --new_str '# it'\"'\"'s new\n# two'",
            execution_time: 0.01
          },
          { action: "str_replace_editor view /testbed/a.py  --view_range 1 50", execution_time: 0.01 },
          { action: "str_replace_editor view /testbed/a.py --view_range '[3, -1]'", execution_time: 0.01 }
        ]
      }
      const trace = yield* Trace.parse("x.traj", JSON.stringify(traj))
      expect(trace.turns.map((turn) => turn.calls[0]?.input)).toEqual([
        { command: "create", path: "/testbed/r.py", file_text: "import a\n\nprint(a.f())\n" },
        {
          command: "str_replace",
          path: "/testbed/a.py",
          old_str: "def f():\n    return 1",
          new_str: "def f():\n    return 2"
        },
        { command: "insert", path: "/testbed/a.py", insert_line: 2, new_str: "# it's new\n# two" },
        { command: "view", path: "/testbed/a.py", view_range: [1, 50] },
        { command: "view", path: "/testbed/a.py", view_range: [3, -1] }
      ])
      const steps = trace.turns.map((turn) =>
        Either.map(ToolMapping.map(turn.calls[0]?.name ?? "", turn.calls[0]?.input), (mapped) => mapped.steps)
      )
      expect(steps).toEqual([
        Either.right([{ tool: "write", args: { path: "/testbed/r.py", content: "import a\n\nprint(a.f())\n" } }]),
        Either.right([{
          tool: "edit",
          args: { path: "/testbed/a.py", oldString: "def f():\n    return 1", newString: "def f():\n    return 2" }
        }]),
        Either.right([{
          tool: "splice",
          args: { path: "/testbed/a.py", at: 2, remove: 0, text: "# it's new\n# two" }
        }]),
        Either.right([{ tool: "read", args: { path: "/testbed/a.py", offset: 0, limit: 50 } }]),
        Either.right([{ tool: "read", args: { path: "/testbed/a.py", offset: 2 } }])
      ])
    }))

  it.live("replayed over a directory, the edits are the recorded ones: whole blocks replaced and inserted", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "replay-swe-"))
      fs.writeFileSync(nodePath.join(dir, "a.py"), "def f():\n    return 1\n\nx = f()\n")
      const traj = {
        trajectory: [
          {
            action: "str_replace_editor create /testbed/r.py --file_text 'import a\nprint(a.x)\n'",
            state: "{\"working_dir\": \"/testbed\"}",
            execution_time: 0.01
          },
          {
            action:
              "str_replace_editor str_replace /testbed/a.py --old_str 'def f():\n    return 1' --new_str 'def f():\n    return 2'",
            execution_time: 0.01
          },
          { action: "str_replace_editor insert /testbed/a.py --insert_line 2 --new_str '# two'", execution_time: 0.01 },
          // found only when both edits above were applied exactly, whole blocks
          {
            action:
              "str_replace_editor str_replace /testbed/a.py --old_str '    return 2\n# two\n\nx = f()' --new_str 'ok'",
            execution_time: 0.01
          },
          { action: "str_replace_editor view /testbed/r.py", execution_time: 0.01 },
          // the windowed line edit on the open file, then a check that only its exact result passes
          { action: "edit 1:1\ndef g():\nend_of_edit", execution_time: 0.01, state: { open_file: "/testbed/a.py" } },
          {
            action: "str_replace_editor str_replace /testbed/a.py --old_str 'def g():\nok' --new_str 'done'",
            execution_time: 0.01
          }
        ]
      }
      const file = nodePath.join(fs.mkdtempSync(nodePath.join(os.tmpdir(), "replay-swe-")), "x.traj")
      fs.writeFileSync(file, JSON.stringify(traj))
      const tools = yield* Tools.make({ root: dir })
      const [result] = yield* Replay.run(options(file, dir))
      expect(result?.replayedCalls).toBe(7)
      expect(result?.failedCalls).toBe(0)
      // the replay ran on scratch copies: the directory itself is as it was
      expect(yield* tools.read({ path: "a.py" })).toBe("def f():\n    return 1\n\nx = f()\n")
    }).pipe(Effect.provide(env)))

  it.effect("the windowed tools act on the open file: edit N:M, edit 'search' 'replace', insert 'text'", () =>
    Effect.gen(function*() {
      const step = (action: string, open: string) => ({
        action,
        execution_time: 0.1,
        state: { open_file: open, working_dir: "/testbed" }
      })
      const traj = {
        trajectory: [
          step("create reproduce.py", "/testbed/reproduce.py"),
          step("insert 'import a\nprint(a)'", "/testbed/reproduce.py"),
          step("open \"src/a.py\" 10", "/testbed/src/a.py"),
          step("edit 3:4\n    return 2\n    # two\nend_of_edit", "/testbed/src/a.py"),
          step("edit 'return 1' 'return (\n  1\n)' True", "/testbed/src/a.py"),
          step("insert '# end' 7", "/testbed/src/a.py")
        ]
      }
      const trace = yield* Trace.parse("x.traj", JSON.stringify(traj))
      const steps = trace.turns.map((turn) =>
        Either.map(ToolMapping.map(turn.calls[0]?.name ?? "", turn.calls[0]?.input), (mapped) => mapped.steps)
      )
      expect(steps).toEqual([
        Either.right([{ tool: "write", args: { path: "reproduce.py", content: "" } }]),
        Either.right([{
          tool: "splice",
          args: { path: "/testbed/reproduce.py", at: null, remove: 0, text: "import a\nprint(a)" }
        }]),
        Either.right([{ tool: "read", args: { path: "src/a.py" } }]),
        Either.right([{
          tool: "splice",
          args: { path: "/testbed/src/a.py", at: 2, remove: 2, text: "    return 2\n    # two" }
        }]),
        Either.right([{
          tool: "edit",
          args: { path: "/testbed/src/a.py", oldString: "return 1", newString: "return (\n  1\n)", replaceAll: true }
        }]),
        Either.right([{ tool: "splice", args: { path: "/testbed/src/a.py", at: 7, remove: 0, text: "# end" } }])
      ])
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
