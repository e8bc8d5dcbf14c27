/**
 * Gemini CLI traces, two layouts.
 *
 * Sessions (`~/.gemini/tmp/<project>/chats/session-*.json`, or one message per JSON line): `{ sessionId,
 * messages }` where each message has `type` `user` or `gemini`, and a `gemini` message lists its calls in
 * `toolCalls[]` (`id`, `name`, `args`, `status`, `timestamp`). A turn is one `gemini` message's calls. A call
 * starts at the time in its id (`read_file-1769377463192-…`, milliseconds), else at the message's time; its
 * `timestamp` is when the CLI recorded it, which is its end only when the calls of the response have
 * different ones: the CLI runs a response's calls together and records them all at once when the last ends,
 * so calls sharing one timestamp have no duration of their own (counted, and said, as without one).
 *
 * Headless output (`gemini -p … --output-format stream-json`): one event per line, `tool_use` (`tool_name`,
 * `tool_id`, `parameters`, `timestamp`) and `tool_result` (`tool_id`, `timestamp`). A turn is the `tool_use`
 * events of one model response (a result or a user message ends it); the CLI runs them one after another, so a
 * call's duration is its result's time minus the later of its own start and the previous call's result.
 *
 * Gemini CLI records no project root.
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

/** A tool event of the stream-json output (`tool_use` / `tool_result` with a `tool_id`). */
const isStreamEvent = (value: unknown): boolean =>
  (Json.str(value, "type") === "tool_use" || Json.str(value, "type") === "tool_result") &&
  Json.str(value, "tool_id") !== undefined

/** The milliseconds in a Gemini CLI call id (`name-<ms>-<random>`), when they are within a day of `near`. */
const idTime = (id: string, near: number | undefined): number | undefined => {
  const match = /-(\d{13})-[0-9a-z]+$/i.exec(id)
  const at = match === null ? undefined : Number(match[1])
  return at !== undefined && near !== undefined && Math.abs(at - near) < 86_400_000 ? at : undefined
}

const readSession = (document: Document): Model.Body => {
  const builder = new Model.Builder()
  for (const { line, value } of messagesOf(document)) {
    if (Json.str(value, "type") !== "gemini") {
      builder.end()
      continue
    }
    const group = Json.str(value, "id") ?? where(document, line)
    const at = Json.time(Json.str(value, "timestamp"))
    const calls = Json.arr(value, "toolCalls")
    const ends = calls.map((call) => Json.str(call, "timestamp"))
    calls.forEach((call, k) => {
      const name = Json.str(call, "name")
      if (name === undefined) {
        builder.skip(`${where(document, line)}, tool call ${k + 1}`, "tool call without a name")
        return
      }
      const id = Json.str(call, "id") ?? `${group}#${k + 1}`
      builder.call({ id, name, input: Json.obj(call, "args") ?? {}, group, startedAt: idTime(id, at) ?? at })
      const end = ends[k]
      if (ends.filter((other) => other === end).length > 1) {
        builder.missing(id, "Gemini CLI recorded one end time for the calls of this response")
      } else builder.finish(id, Json.time(end))
    })
  }
  return { turns: builder.build(), skipped: [...badLines(document), ...builder.skipped], root: Option.none() }
}

const readStream = (document: Document): Model.Body => {
  const builder = new Model.Builder(true)
  for (const { line, value } of entries(document)) {
    const at = Json.time(Json.str(value, "timestamp"))
    switch (Json.str(value, "type")) {
      case "tool_use": {
        const name = Json.str(value, "tool_name")
        if (name === undefined) {
          builder.skip(where(document, line), "tool_use without a tool_name")
          break
        }
        builder.call({
          id: Json.str(value, "tool_id"),
          name,
          input: Json.obj(value, "parameters") ?? {},
          startedAt: at
        })
        break
      }
      case "tool_result": {
        const id = Json.str(value, "tool_id")
        if (id !== undefined) builder.finish(id, at)
        builder.end()
        break
      }
      case "message":
        if (Json.str(value, "role") === "user") builder.end()
        break
      case "result":
        builder.end()
        break
    }
  }
  return { turns: builder.build(), skipped: [...badLines(document), ...builder.skipped], root: Option.none() }
}

const isStream = (document: Document): boolean =>
  document.container === "jsonl" && entries(document).some(({ value }) =>
    Json.str(value, "type") === "tool_use" &&
    Json.str(value, "tool_name") !== undefined
  )

/**
 * @since 0.1.0
 * @category readers
 */
export const reader: Reader = {
  format: "gemini",
  detect: (document) =>
    isStream(document) ||
    messagesOf(document).some(({ value }) => Json.str(value, "type") === "gemini") &&
      (document.container === "jsonl" || Json.arr(document.value, "messages").length > 0),
  owns: isStreamEvent,
  read: (document) => isStream(document) ? readStream(document) : readSession(document)
}
