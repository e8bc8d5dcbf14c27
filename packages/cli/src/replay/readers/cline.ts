/**
 * Cline and Roo Code task histories (`api_conversation_history.json`): Anthropic-style messages whose
 * assistant text holds one XML tool use per message (`<read_file><path>src/a.ts</path></read_file>`,
 * `<replace_in_file>` with a SEARCH/REPLACE `<diff>`, `<write_to_file>`, `<list_files>` with `<recursive>`,
 * `<execute_command>`, ...), or native `tool_use` blocks. The recorded root is the "Current Working Directory"
 * of the environment details Cline adds to user messages.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Json from "../json.js"
import type * as Model from "../model.js"
import { blocks, messages, readAnthropic } from "./chat.js"
import type { Reader } from "./document.js"

const tools = [
  "read_file",
  "write_to_file",
  "replace_in_file",
  "apply_diff",
  "insert_content",
  "search_and_replace",
  "list_files",
  "search_files",
  "list_code_definition_names",
  "execute_command",
  "browser_action",
  "use_mcp_tool",
  "access_mcp_resource",
  "ask_followup_question",
  "attempt_completion",
  "new_task",
  "plan_mode_respond"
]

const toolPattern = new RegExp(`<(${tools.join("|")})>([\\s\\S]*?)</\\1>`, "g")

const texts = (message: Json.Obj): Array<string> => {
  const content = message["content"]
  if (typeof content === "string") return [content]
  return blocks(message).flatMap((block) => {
    const text = Json.str(block, "text")
    return Json.str(block, "type") === "text" && text !== undefined ? [text] : []
  })
}

const trimValue = (value: string): string => value.replace(/^\n/, "").replace(/\n$/, "")

/**
 * The XML tool uses in a text, with their parameters.
 *
 * @since 0.1.0
 * @category parsing
 */
export const toolUses = (text: string): Array<{ readonly name: string; readonly input: Record<string, string> }> =>
  [...text.matchAll(toolPattern)].map((match) => {
    const input: Record<string, string> = {}
    for (const param of (match[2] ?? "").matchAll(/<(\w+)>([\s\S]*?)<\/\1>/g)) {
      input[param[1] ?? ""] = trimValue(param[2] ?? "")
    }
    return { name: match[1] ?? "", input }
  })

const clineNames = new Set(tools)

const rootOf = (text: string): string | undefined => /Current Working Directory \(([^)\n]+)\)/.exec(text)?.[1]?.trim()

/**
 * @since 0.1.0
 * @category readers
 */
export const reader: Reader = {
  format: "cline",
  detect: (document) =>
    messages(document).some(({ message }) =>
      message["role"] === "assistant" &&
      (texts(message).some((text) => toolUses(text).length > 0) ||
        blocks(message).some((block) =>
          Json.str(block, "type") === "tool_use" && clineNames.has(Json.str(block, "name") ?? "")
        ))
    ),
  read: (document) => {
    let count = 0
    const body: Model.Body = readAnthropic(document, (message, builder, group) => {
      for (const text of texts(message)) {
        for (const use of toolUses(text)) {
          builder.call({ id: `xml-${++count}`, name: use.name, input: use.input, group })
        }
      }
    })
    const root = messages(document).flatMap(({ message }) => texts(message).map(rootOf)).find((r) => r !== undefined)
    return { ...body, root: Option.fromNullable(root) }
  }
}
