/**
 * Gemini CLI sessions (`~/.gemini/tmp/<project>/chats/session-*.json`): `{ sessionId, messages }` where each
 * message has `type` `user` or `gemini`, and a `gemini` message lists its calls in `toolCalls[]` (`id`, `name`,
 * `args`, `status`, `timestamp`). A turn is one `gemini` message's calls; a call's duration is its recorded time
 * minus the message's time, when later.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Json from "../json.js"
import * as Model from "../model.js"
import { badLines, type Document, entries, type Reader, where } from "./document.js"

const isMessage = (value: unknown): boolean => {
  const type = Json.str(value, "type")
  return type === "gemini" || type === "user"
}

const messagesOf = (document: Document) => entries(document, ["messages"]).filter(({ value }) => isMessage(value))

/**
 * @since 0.1.0
 * @category readers
 */
export const reader: Reader = {
  format: "gemini",
  detect: (document) =>
    messagesOf(document).some(({ value }) => Json.str(value, "type") === "gemini") &&
    (document.container === "jsonl" || Json.arr(document.value, "messages").length > 0),
  read: (document) => {
    const builder = new Model.Builder()
    for (const { line, value } of messagesOf(document)) {
      if (Json.str(value, "type") !== "gemini") {
        builder.end()
        continue
      }
      const group = Json.str(value, "id") ?? where(document, line)
      const at = Json.time(Json.str(value, "timestamp"))
      Json.arr(value, "toolCalls").forEach((call, k) => {
        const name = Json.str(call, "name")
        if (name === undefined) {
          builder.skip(`${where(document, line)}, tool call ${k + 1}`, "tool call without a name")
          return
        }
        const id = Json.str(call, "id") ?? `${group}#${k + 1}`
        builder.call({ id, name, input: Json.obj(call, "args") ?? {}, group, startedAt: at })
        builder.finish(id, Json.time(Json.str(call, "timestamp")))
      })
    }
    return { turns: builder.build(), skipped: [...badLines(document), ...builder.skipped], root: Option.none() }
  }
}
