import { LanguageModel, Tool } from "@effect/ai"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Agent, LanedToolkit, ScriptedModel } from "../src/ai/index.js"
import { BuiltinTools } from "../src/ai/tools.js"
import { LaneQueue, LanesConfig, Strategy, ToolTraits } from "../src/index.js"
import { Tools } from "../src/tools/index.js"
import { setup } from "./utils/tools.js"

const specs = LanedToolkit.specsOf(BuiltinTools.toolkit.tools)

describe("BuiltinTools: the built-in tools as an @effect/ai toolkit", () => {
  it("annotations state the traits Tools.specs declares; bash's come from its per-call classifier", () => {
    const tools = BuiltinTools.toolkit.tools
    expect(Object.keys(tools)).toEqual([...Tools.names])
    for (const name of ["read", "ls", "glob", "grep"] as const) {
      expect(LanedToolkit.traitsOf(tools[name])).toEqual(ToolTraits.localRead)
    }
    expect(LanedToolkit.traitsOf(tools.write)).toMatchObject({ readOnly: false, idempotent: true })
    expect(LanedToolkit.traitsOf(tools.edit)).toMatchObject({ readOnly: false, idempotent: false })
    expect(LanedToolkit.traitsOf(tools.bash)).toEqual(ToolTraits.defaults)
    const bash = (command: string): Strategy.ToolCall => ({ id: command, name: "bash", args: { command } })
    expect(Strategy.traitsOf(bash("ls -la | wc -l"), { tools: specs }).readOnly).toBe(true)
    expect(Strategy.laneOf(bash("git diff"), { tools: specs })).toBe("query")
    expect(Strategy.traitsOf(bash("rm -rf build"), { tools: specs }).readOnly).toBe(false)
    // two reads and a plainly read-only command overlap; a write runs alone
    const stages = Strategy.stages(
      [
        { id: "1", name: "read", args: { path: "a" } },
        bash("cat b"),
        { id: "3", name: "grep", args: { pattern: "x" } },
        { id: "4", name: "write", args: { path: "c", content: "" } }
      ],
      8,
      { tools: specs }
    )
    expect(stages.map((stage) => [stage.kind, stage.indices])).toEqual([["wave", [0, 1, 2]], ["single", [3]]])
  })

  it("every tool's parameters give the model a JSON schema with the tools' own descriptions", () => {
    const all: ReadonlyArray<Tool.Any> = Object.values(BuiltinTools.toolkit.tools)
    for (const tool of all) {
      expect(Tool.getJsonSchemaFromSchemaAst(tool.parametersSchema.ast)).toMatchObject({ type: "object" })
      expect(tool.description).toBe(Tools.definitions.find((definition) => definition.name === tool.name)?.description)
    }
    expect(Tool.getJsonSchema(BuiltinTools.Bash)).toMatchObject({
      properties: { timeout: { anyOf: [{ type: "number" }, { type: "string" }] } }
    })
  })

  it.scoped("Agent.run with the toolkit in one line: reads overlap, failures come back as results, then writes", () =>
    Effect.gen(function*() {
      const { file, root, text, tools } = yield* setup({ sandbox: { kind: "none" } })
      yield* file("a.txt", "alpha\nbeta\n")
      yield* file("src/b.ts", "export const b = 1\n")
      const call = ScriptedModel.toolCall
      const scripted = yield* ScriptedModel.make({
        responses: [
          ScriptedModel.response(
            call("1", "ls", {}),
            call("2", "read", { path: "a.txt", limit: 1 }),
            call("3", "glob", { pattern: "**/*.ts" }),
            call("4", "grep", { pattern: "^be" }),
            call("5", "read", { path: "missing.txt" }),
            call("6", "read", { path: "../outside/secret.txt" }),
            call("7", "grep", { pattern: "(a" }),
            call("8", "bash", { command: "cat a.txt | wc -l", timeout: "5 seconds" })
          ),
          ScriptedModel.response(
            call("9", "write", { path: "out/c.txt", content: "gamma" }),
            call("10", "edit", { path: "a.txt", oldString: "beta", newString: "delta" })
          ),
          ScriptedModel.response(ScriptedModel.text("done"))
        ]
      })
      const queue = yield* LaneQueue.make("builtin").pipe(Effect.provide(LanesConfig.layerWith({})))
      const result = yield* Effect.gen(function*() {
        const toolkit = yield* BuiltinTools.withHandlers
        return yield* Agent.run({ prompt: "look around", toolkit })
      }).pipe(
        Effect.provideService(Tools.Tools, tools),
        Effect.provideService(LaneQueue.LaneQueue, queue),
        Effect.provideService(LanguageModel.LanguageModel, scripted.service)
      )
      expect(root.length).toBeGreaterThan(0)
      const [first, second] = result.steps
      // the malformed grep is answered without being planned
      expect(first?.plan?.stages.map((stage) => [stage.kind, stage.calls.length])).toEqual([["wave", 7]])
      expect(first?.malformedCalls.map((call) => call.id)).toEqual(["7"])
      expect(first?.toolResults.map((part) => [part.id, part.isFailure])).toEqual([
        ["1", false],
        ["2", false],
        ["3", false],
        ["4", false],
        ["5", true],
        ["6", true],
        ["7", true],
        ["8", false]
      ])
      const results = first?.toolResults.map((part) => part.encodedResult) ?? []
      expect(results[0]).toEqual([{ name: "a.txt", type: "file" }, { name: "src", type: "directory" }])
      expect(results[1]).toBe("alpha")
      expect(results[2]).toEqual(["src/b.ts"])
      expect(results[3]).toEqual([{ path: "a.txt", line: 2, text: "beta" }])
      expect(results[4]).toMatchObject({ _tag: "FileNotFound", path: "missing.txt" })
      expect(results[5]).toMatchObject({ _tag: "PathOutsideRoot" })
      // a pattern the tool's own schema refuses is an InvalidCall naming the field, before any handler runs
      expect(results[6]).toMatchObject({
        _tag: "ToolCallFailure",
        reason: "InvalidCall",
        message: expect.stringContaining("pattern: Expected a regular expression in RE2 syntax")
      })
      expect(results[7]).toMatchObject({ exitCode: 0, stdout: "2\n" })
      expect(second?.plan?.stages.map((stage) => stage.kind)).toEqual(["single", "single"])
      expect(second?.toolResults.map((part) => part.encodedResult)).toEqual([5, 1])
      expect(yield* text("out/c.txt")).toBe("gamma")
      expect(yield* text("a.txt")).toBe("alpha\ndelta\n")
      expect(result.text).toBe("done")
    }).pipe(Effect.provide(NodeContext.layer)))
})
