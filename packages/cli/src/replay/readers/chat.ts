/**
 * Chat transcripts: OpenAI chat-completion messages (assistant messages with `tool_calls`, `function.arguments`
 * a JSON string, results in `tool` messages) and Anthropic Messages (`tool_use` content blocks, results in
 * `tool_result` blocks), as a JSON array, an object with `messages`, or JSONL (one message per line, optionally
 * wrapped as `{ "message": ... }`). A turn is the tool calls of one assistant message, or of consecutive
 * assistant messages with nothing in between. A `duration_ms` / `durationMs` on the call or its result is kept.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Json from "../json.js"
import * as Model from "../model.js"
import { argumentsOf, badLines, type Document, entries, type Reader, toolUses, where } from "./document.js"

const messageOf = (value: unknown): Json.Obj | undefined => {
  if (Json.str(value, "role") !== undefined && Json.isObj(value)) return value
  const inner = Json.obj(value, "message")
  return Json.str(inner, "role") !== undefined ? inner : undefined
}

/**
 * The chat messages of a document.
 *
 * @since 0.1.0
 * @category accessors
 */
export const messages = (document: Document): Array<{ readonly line: number; readonly message: Json.Obj }> =>
  entries(document, ["messages", "history", "conversation"]).flatMap(({ line, value }) => {
    const message = messageOf(value)
    return message === undefined ? [] : [{ line, message }]
  })

const durationOf = (value: unknown): number | undefined =>
  Json.duration(Json.num(value, "duration_ms") ?? Json.num(value, "durationMs"))

/**
 * @since 0.1.0
 * @category readers
 */
export const openai: Reader = {
  format: "openai",
  detect: (document) =>
    messages(document).some(({ message }) => Json.arr(message, "tool_calls").length > 0 || message["role"] === "tool"),
  read: (document) => {
    const builder = new Model.Builder()
    for (const { line, message } of messages(document)) {
      if (message["role"] === "tool") {
        const id = Json.str(message, "tool_call_id")
        if (id !== undefined) builder.duration(id, durationOf(message), "duration_ms on the result")
      }
      if (message["role"] !== "assistant") {
        builder.end()
        continue
      }
      Json.arr(message, "tool_calls").forEach((raw, k) => {
        const fn = Json.obj(raw, "function")
        const id = Json.str(raw, "id")
        const name = Json.str(fn, "name")
        const place = `${where(document, line)}, tool call ${k + 1}`
        if (id === undefined || name === undefined) {
          builder.skip(place, "not an OpenAI tool call (id, function.name)")
          return
        }
        const args = argumentsOf(fn?.["arguments"])
        if (!args.ok) {
          builder.skip(`${place} (${name})`, "function.arguments is not valid JSON")
          return
        }
        builder.call({ id, name, input: args.value })
        builder.duration(id, durationOf(raw), "duration_ms on the call")
      })
    }
    return { turns: builder.build(), skipped: [...badLines(document), ...builder.skipped], root: Option.none() }
  }
}

/**
 * The content blocks of a message (none when the content is a string).
 *
 * @since 0.1.0
 * @category accessors
 */
export const blocks = (message: Json.Obj): ReadonlyArray<unknown> => Json.arr(message, "content")

/**
 * Reads Anthropic `tool_use` / `tool_result` blocks; `extra` finds further calls in an assistant message.
 *
 * @since 0.1.0
 * @category readers
 */
export const readAnthropic = (
  document: Document,
  extra: (message: Json.Obj, builder: Model.Builder, group: string) => void = () => {}
): Model.Body => {
  const builder = new Model.Builder()
  for (const { line, message } of messages(document)) {
    if (message["role"] !== "assistant") {
      for (const block of blocks(message)) {
        const id = Json.str(block, "tool_use_id")
        if (Json.str(block, "type") === "tool_result" && id !== undefined) {
          builder.duration(id, durationOf(block), "duration_ms on the result")
        }
      }
      builder.end()
      continue
    }
    const group = `${where(document, line)}`
    for (const { block, id, input, name } of toolUses(blocks(message), builder, where(document, line))) {
      builder.call({ id, name, input })
      builder.duration(id, durationOf(block), "duration_ms on the call")
    }
    extra(message, builder, group)
  }
  return { turns: builder.build(), skipped: [...badLines(document), ...builder.skipped], root: Option.none() }
}

/**
 * @since 0.1.0
 * @category readers
 */
export const anthropic: Reader = {
  format: "anthropic",
  detect: (document) =>
    messages(document).some(({ message }) =>
      blocks(message).some((block) => ["tool_use", "tool_result"].includes(Json.str(block, "type") ?? ""))
    ),
  read: (document) => readAnthropic(document)
}
