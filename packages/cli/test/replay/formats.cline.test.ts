import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import * as ToolMapping from "../../src/replay/toolMapping.js"
import * as Trace from "../../src/replay/trace.js"

describe("Cline/Roo reader", () => {
  it.effect("XML tool uses in assistant text, and the Current Working Directory as the root", () =>
    Effect.gen(function*() {
      const history = [
        {
          role: "user",
          content: [{
            type: "text",
            text: "<environment_details>\n# Current Working Directory (c:/Users/bo/site) Files\n"
          }]
        },
        {
          role: "assistant",
          content: [{ type: "text", text: "<read_file>\n<path>src/app.ts</path>\n</read_file>" }]
        },
        { role: "user", content: [{ type: "text", text: "[read_file] Result: ..." }] },
        {
          role: "assistant",
          content: [{
            type: "text",
            text:
              "<replace_in_file>\n<path>src/app.ts</path>\n<diff>\n------- SEARCH\nold\n=======\nnew\n+++++++ REPLACE\n</diff>\n</replace_in_file>"
          }]
        }
      ]
      const trace = yield* Trace.parse("api_conversation_history.json", JSON.stringify(history))
      expect(trace.format).toBe("cline")
      expect(trace.root).toEqual(Option.some("c:/Users/bo/site"))
      expect(trace.turns.map((turn) => turn.calls[0]?.name)).toEqual(["read_file", "replace_in_file"])
      const edit = ToolMapping.map("replace_in_file", trace.turns[1]?.calls[0]?.input)
      expect(edit).toEqual(Either.right({
        tool: "edit",
        steps: [{ tool: "edit", args: { path: "src/app.ts", oldString: "old", newString: "new" } }]
      }))
    }))

  it("write_to_file with absolutePath and list_files recursive map; a missing field is named", () => {
    expect(ToolMapping.map("write_to_file", { absolutePath: "c:\\w\\a.txt", content: "x" })).toEqual(
      Either.right({ tool: "write", steps: [{ tool: "write", args: { path: "c:\\w\\a.txt", content: "x" } }] })
    )
    expect(Either.map(ToolMapping.map("list_files", { path: "src", recursive: "true" }), (m) => m.tool)).toEqual(
      Either.right("glob")
    )
    expect(ToolMapping.map("Edit", { file_path: "new.ts", old_string: "", new_string: "x" })).toEqual(
      Either.right({ tool: "write", steps: [{ tool: "write", args: { path: "new.ts", content: "x" } }] })
    )
    expect(ToolMapping.map("write_to_file", { path: "a.txt" })).toEqual(
      Either.left("no content argument (looked for content, file_text)")
    )
  })
})
